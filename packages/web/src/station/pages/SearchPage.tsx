import { viDateTime, viNumber } from '@openhssk/core';
import { type FormEvent, useEffect, useState } from 'react';
import { Alert } from '../../ui.tsx';
import { ApiProblem, get, isNetworkError, type SearchResult } from '../api.ts';
import { To } from '../components.tsx';
import { ROUTES, useStation } from '../context.ts';
import { db, getMeta, type HouseholdRow } from '../db.ts';
import { birthText, relationText, SEX_VI } from '../format.ts';
import { useLive } from '../hooks.ts';
import { offlineSearch } from '../snapshot.ts';

interface Hit {
  personId: string;
  hoTen: string;
  ngaySinh: string | null;
  gioiTinh: number | null;
  cccd: string | null;
  bhyt: string | null;
  phone: string | null;
  householdId: number | null;
  householdCode: string | null;
  hamlet: string | null;
  relation: string | null;
  relationLabel: string | null;
  deceasedOn: string | null;
}

interface Results {
  hits: Hit[];
  total: number;
  households: HouseholdRow[];
  /** Where they came from: the server, or the device's copy of the register. */
  source: 'server' | 'device';
}

const SAVED = 'station-search';

/** Household search: one box for a name (with or without diacritics), CCCD, BHYT or phone, and a hamlet filter. */
export function SearchPage() {
  const { online } = useStation();
  const summary = useLive(() => getMeta('summary'), []);
  const snap = useLive(() => getMeta('snapshot'), []);
  const saved = (() => {
    try {
      return JSON.parse(sessionStorage.getItem(SAVED) ?? 'null') as { q: string; hamlet: string } | null;
    } catch {
      return null;
    }
  })();
  const [q, setQ] = useState(saved?.q ?? '');
  const [hamlet, setHamlet] = useState(saved?.hamlet ?? '');
  const [results, setResults] = useState<Results | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const hamlets = summary?.hamlets.filter((h) => h.hamlet_key) ?? [];
  const hamletName = hamlets.find((h) => h.hamlet_key === hamlet)?.hamlet ?? null;

  async function search(query: string, hamletKey: string) {
    setError(null);
    if (!query.trim() && !hamletKey) {
      setError('Nhập tên, số CCCD, số thẻ BHYT hoặc số điện thoại, hoặc chọn thôn/tổ dân phố.');
      return;
    }
    sessionStorage.setItem(SAVED, JSON.stringify({ q: query, hamlet: hamletKey }));
    setBusy(true);
    const households = !query.trim() && hamletKey ? await db.households.where('hamletKey').equals(hamletKey).sortBy('code') : [];
    try {
      if (!navigator.onLine) throw new TypeError('offline');
      const name = hamlets.find((h) => h.hamlet_key === hamletKey)?.hamlet;
      const params = new URLSearchParams({ page_size: '50' });
      if (query.trim()) params.set('q', query.trim());
      if (name) params.set('hamlet', name);
      const r = await get<SearchResult>(`/api/v1/station/search?${params}`);
      setResults({
        source: 'server',
        total: r.total,
        households,
        hits: r.hits.map((h) => ({
          personId: h.person_id, hoTen: h.ho_ten, ngaySinh: h.ngay_sinh, gioiTinh: h.gioi_tinh, cccd: h.so_cccd, bhyt: h.so_bhyt, phone: h.so_dien_thoai,
          householdId: h.household_id, householdCode: h.household_code, hamlet: h.hamlet, relation: h.relation, relationLabel: h.relation_label, deceasedOn: h.deceased_on,
        })),
      });
    } catch (e) {
      if (!isNetworkError(e)) {
        setError(e instanceof ApiProblem ? e.message : 'Không tìm được.');
        setBusy(false);
        return;
      }
      const r = await offlineSearch(query, hamletKey || null);
      setResults({
        source: 'device',
        total: r.total,
        households,
        hits: r.hits.map((m) => ({
          personId: m.personId, hoTen: m.hoTen, ngaySinh: m.ngaySinh, gioiTinh: m.gioiTinh, cccd: m.cccd, bhyt: m.bhyt, phone: m.phone,
          householdId: m.householdId, householdCode: m.householdCode, hamlet: m.hamlet, relation: m.relation, relationLabel: m.relationLabel, deceasedOn: m.deceasedOn,
        })),
      });
    }
    setBusy(false);
  }

  // Coming back from a household or person shows the same results again.
  // biome-ignore lint/correctness/useExhaustiveDependencies: once, with the saved query
  useEffect(() => {
    if (saved && (saved.q || saved.hamlet)) void search(saved.q, saved.hamlet);
  }, []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void search(q, hamlet);
  };

  return (
    <>
      <h1>Tìm hộ gia đình</h1>
      <search>
      <form className="card" onSubmit={submit} aria-label="Tìm người dân và hộ gia đình">
        <div className="field">
          <label htmlFor="q">Họ tên, số CCCD, thẻ BHYT hoặc số điện thoại</label>
          <input id="q" type="search" value={q} onChange={(e) => setQ(e.target.value)} autoComplete="off" enterKeyHint="search" aria-describedby="q-hint" />
          <span id="q-hint" className="muted small">
            Gõ tên có dấu hoặc không dấu, ví dụ «nguyen thi hoa».
          </span>
        </div>
        <div className="field">
          <label htmlFor="hamlet">Thôn / tổ dân phố</label>
          <select id="hamlet" value={hamlet} onChange={(e) => setHamlet(e.target.value)}>
            <option value="">Tất cả</option>
            {hamlets.map((h) => (
              <option key={h.hamlet_key} value={h.hamlet_key!}>
                {h.hamlet} ({h.households} hộ)
              </option>
            ))}
          </select>
        </div>
        <Alert>{error}</Alert>
        <div className="row">
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? 'Đang tìm…' : 'Tìm'}
          </button>
          {online && (
            <a className="button secondary" href={`/api/v1/station/households.xlsx${hamletName ? `?hamlet=${encodeURIComponent(hamletName)}` : ''}`} download>
              Tải danh sách hộ (XLSX)
            </a>
          )}
        </div>
      </form>
      </search>
      {results && (
        <section aria-labelledby="results-title" aria-live="polite">
          <h2 id="results-title">
            {results.total === 0 ? 'Không tìm thấy ai' : `${viNumber(results.total)} người`}
            {results.total > results.hits.length ? ` (hiện ${viNumber(results.hits.length)})` : ''}
          </h2>
          {results.source === 'device' && (
            <p className="st-stale">Đang mất mạng: tìm trong sổ hộ gia đình lưu trên máy{snap ? ` (tải lúc ${viDateTime(snap.at)})` : ' (chưa tải về máy)'}.</p>
          )}
          {results.households.length > 0 && (
            <>
              <h3>Các hộ trong thôn</h3>
              <ul className="st-cards">
                {results.households.map((h) => (
                  <li key={h.id} className="card">
                    <To to={ROUTES.household(h.id)}>Hộ {h.code}</To>
                    <div className="muted small">
                      {h.headName ? `Chủ hộ ${h.headName} · ` : ''}
                      {h.members} người · {h.address ?? h.hamlet ?? ''}
                    </div>
                  </li>
                ))}
              </ul>
              <h3>Người dân</h3>
            </>
          )}
          <ul className="st-cards">
            {results.hits.map((h) => (
              <li key={h.personId} className="card">
                <To to={ROUTES.person(h.personId)} className="st-name">
                  {h.hoTen}
                </To>
                {h.deceasedOn && <span className="st-tag">đã mất</span>}
                <div className="small">
                  {birthText(h.ngaySinh)}
                  {h.gioiTinh ? ` · ${SEX_VI[h.gioiTinh] ?? ''}` : ''}
                  {h.cccd ? ` · CCCD ${h.cccd}` : ''}
                  {h.bhyt ? ` · BHYT ${h.bhyt}` : ''}
                  {h.phone ? ` · ĐT ${h.phone}` : ''}
                </div>
                {h.householdId ? (
                  <div className="small">
                    <To to={ROUTES.household(h.householdId)}>Hộ {h.householdCode}</To> · {h.hamlet ?? ''} · {relationText(h.relation, h.relationLabel)}
                  </div>
                ) : (
                  <div className="muted small">Chưa thuộc hộ nào trong sổ</div>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
