import { viDate, viDateTime, viNumber } from '@openhssk/core';
import type { BookPrimaryCare, BookStationValue } from '@openhssk/core/api';
import { type FormEvent, useState } from 'react';
import { api, type Declaration, withPerson } from '../api.ts';
import { DECLARATION_KIND } from '../labels.ts';
import { Alert } from '../ui.tsx';
import { useApi } from './useApi.ts';

type Draft = { kind: Declaration['kind']; title: string; detail: string; relation: string; since: string };
const EMPTY: Draft = { kind: 'allergy', title: '', detail: '', relation: '', since: '' };

export function DeclarationsPage({ personId }: { personId: string | null }) {
  const { data, error, reload } = useApi<{ declarations: Declaration[] }>(withPerson('/api/v1/book/declarations', personId));
  const station = useApi<BookPrimaryCare>(withPerson('/api/v1/book/primary-care', personId));
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [editing, setEditing] = useState<number | null>(null);
  const [msg, setMsg] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);

  const save = async (ev: FormEvent) => {
    ev.preventDefault();
    setFormError(null);
    const body = JSON.stringify({ ...draft, relation: draft.kind === 'family_history' ? draft.relation : null });
    try {
      if (editing) await api(withPerson(`/api/v1/book/declarations/${editing}`, personId), { method: 'PUT', body });
      else await api(withPerson('/api/v1/book/declarations', personId), { method: 'POST', body });
      setMsg(editing ? 'Đã lưu thay đổi.' : 'Đã thêm.');
      setDraft(EMPTY);
      setEditing(null);
      reload();
    } catch (e) {
      setFormError(e instanceof Error ? e.message : String(e));
    }
  };
  const remove = async (d: Declaration) => {
    if (!window.confirm(`Xóa "${d.title}"?`)) return;
    await api(withPerson(`/api/v1/book/declarations/${d.id}`, personId), { method: 'DELETE' });
    setMsg('Đã xóa.');
    reload();
  };
  const edit = (d: Declaration) => {
    setEditing(d.id);
    setDraft({ kind: d.kind, title: d.title, detail: d.detail ?? '', relation: d.relation ?? '', since: d.since ?? '' });
    document.getElementById('d-title')?.focus();
  };

  return (
    <section aria-labelledby="decl-page-title">
      <h1 id="decl-page-title">Dị ứng, tiền sử và yếu tố nguy cơ</h1>
      <p className="muted">
        Thông tin ở đây do bạn tự khai báo (<span className="tag">tự khai báo</span>), không phải chẩn đoán của cơ sở y tế. Bác sĩ sẽ thấy rõ điều này khi bạn chia sẻ.
      </p>
      <p aria-live="polite" className="ok">
        {msg}
      </p>
      {error && <p role="alert">{error}</p>}
      {data &&
        (Object.keys(DECLARATION_KIND) as Declaration['kind'][]).map((kind) => {
          const rows = data.declarations.filter((d) => d.kind === kind);
          return (
            <section key={kind} className="card" aria-label={DECLARATION_KIND[kind]}>
              <h2>{DECLARATION_KIND[kind]}</h2>
              {rows.length === 0 ? (
                <p className="muted">Chưa khai báo.</p>
              ) : (
                <ul className="plain">
                  {rows.map((d) => (
                    <li key={d.id}>
                      <strong>{d.title}</strong> {d.relation ? `(${d.relation})` : ''} {d.since ? <span className="muted">từ {d.since}</span> : null}{' '}
                      <span className="tag">tự khai báo</span>
                      {d.detail ? <div>{d.detail}</div> : null}
                      <span className="row">
                        <button type="button" className="link" onClick={() => edit(d)}>
                          Sửa <span className="sr-only">{d.title}</span>
                        </button>
                        <button type="button" className="link" onClick={() => remove(d)}>
                          Xóa <span className="sr-only">{d.title}</span>
                        </button>
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          );
        })}
      {station.data && <StationEntries data={station.data.professional} />}
      <form className="card" onSubmit={save} aria-labelledby="decl-form-title">
        <h2 id="decl-form-title">{editing ? 'Sửa thông tin' : 'Thêm thông tin'}</h2>
        <div className="field">
          <label htmlFor="d-kind">Loại</label>
          <select id="d-kind" value={draft.kind} onChange={(e) => setDraft({ ...draft, kind: e.target.value as Draft['kind'] })}>
            {Object.entries(DECLARATION_KIND).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="d-title">Nội dung (ví dụ: thuốc gây dị ứng, tên bệnh, hút thuốc lá)</label>
          <input id="d-title" required maxLength={200} value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.target.value })} />
        </div>
        {draft.kind === 'family_history' && (
          <div className="field">
            <label htmlFor="d-rel">Người thân (ví dụ: bố, mẹ)</label>
            <input id="d-rel" maxLength={50} value={draft.relation} onChange={(e) => setDraft({ ...draft, relation: e.target.value })} />
          </div>
        )}
        <div className="field">
          <label htmlFor="d-since">Từ năm (không bắt buộc)</label>
          <input id="d-since" maxLength={20} inputMode="numeric" value={draft.since} onChange={(e) => setDraft({ ...draft, since: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="d-detail">Mô tả thêm (không bắt buộc)</label>
          <textarea id="d-detail" maxLength={1000} rows={3} value={draft.detail} onChange={(e) => setDraft({ ...draft, detail: e.target.value })} />
        </div>
        <Alert>{formError}</Alert>
        <p className="row">
          <button type="submit" className="button primary">
            {editing ? 'Lưu thay đổi' : 'Thêm'}
          </button>
          {editing && (
            <button
              type="button"
              className="button secondary"
              onClick={() => {
                setEditing(null);
                setDraft(EMPTY);
              }}
            >
              Hủy
            </button>
          )}
        </p>
      </form>
    </section>
  );
}

const CONTROL: Readonly<Record<string, string>> = { controlled: 'đã kiểm soát', uncontrolled: 'chưa kiểm soát', unknown: 'chưa đánh giá' };

/** Who wrote a value the station recorded: role, name, station and when. */
const byStaff = (v: Pick<BookStationValue, 'recorded_role' | 'recorded_by' | 'facility_name' | 'recorded_at'>) =>
  `${v.recorded_role}${v.recorded_by ? ` ${v.recorded_by}` : ''}, ${v.facility_name} · ${viDateTime(v.recorded_at)}`;

/**
 * What health staff of the commune station recorded (QĐ 831 record, check-ups, chronic-disease
 * follow-up): shown apart from the citizen's own declarations above, each value with who recorded it.
 */
function StationEntries({ data }: { data: BookPrimaryCare['professional'] }) {
  if (data.sections.length === 0 && data.checkups.length === 0 && data.registers.length === 0) return null;
  return (
    <section className="card" aria-labelledby="station-title" data-source="station">
      <h2 id="station-title">Do trạm y tế xã ghi nhận</h2>
      <p className="muted">
        Thông tin do cán bộ y tế ghi trong hồ sơ sức khỏe cá nhân tại trạm (<span className="tag">cán bộ y tế ghi</span>), khác với phần bạn tự khai báo.
      </p>
      {data.sections.map((s) => (
        <section key={s.key} aria-label={s.label_vi}>
          <h3>{s.label_vi}</h3>
          <ul className="plain">
            {s.none && (
              <li>
                <strong>Không có</strong> <span className="tag">cán bộ y tế ghi</span>
                <div className="muted">{byStaff(s.none)}</div>
              </li>
            )}
            {s.fields.map((f) => (
              <li key={f.field}>
                {f.label_vi}: <strong>{f.text}</strong> <span className="tag">cán bộ y tế ghi</span>
                <div className="muted">{byStaff(f)}</div>
              </li>
            ))}
            {s.items.map((i) => (
              <li key={i.item_id}>
                {i.fields.map((f) => `${f.label_vi}: ${f.text}`).join(' · ')} <span className="tag">cán bộ y tế ghi</span>
                {i.fields[0] && <div className="muted">{byStaff(i.fields[0])}</div>}
              </li>
            ))}
          </ul>
        </section>
      ))}
      {data.checkups.length > 0 && (
        <section aria-label="Khám sức khỏe định kỳ tại trạm">
          <h3>Khám sức khỏe định kỳ</h3>
          <ul className="plain">
            {data.checkups.map((c) => (
              <li key={c.id}>
                <strong>{viDate(c.examined_on)}</strong> · {c.facility_name}
                {c.sbp && c.dbp ? ` · huyết áp ${c.sbp}/${c.dbp} mmHg` : ''}
                {c.bmi ? ` · BMI ${viNumber(c.bmi, 1)}` : ''}
                {c.advice ? <div>Tư vấn: {c.advice}</div> : null}
                <div className="muted">
                  {c.recorded_role}
                  {c.recorded_by ? ` ${c.recorded_by}` : ''}
                </div>
              </li>
            ))}
          </ul>
        </section>
      )}
      {data.registers.length > 0 && (
        <section aria-label="Quản lý bệnh mạn tính tại trạm">
          <h3>Quản lý bệnh mạn tính</h3>
          <ul className="plain">
            {data.registers.map((r) => {
              const last = r.trend.at(-1);
              return (
                <li key={`${r.register}-${r.enrolled_on ?? ''}`}>
                  <strong>{r.label_vi}</strong> ({r.icd10}) · {r.status === 'active' ? 'đang được quản lý' : 'đã kết thúc quản lý'} từ {viDate(r.enrolled_on)}
                  {last ? (
                    <div>
                      Lần theo dõi gần nhất {viDate(last.date)}
                      {last.sbp && last.dbp ? `: huyết áp ${last.sbp}/${last.dbp} mmHg` : ''} — {CONTROL[last.control] ?? last.control}
                    </div>
                  ) : null}
                  {r.status === 'active' && r.next_due ? <div className="muted">Hẹn theo dõi {viDate(r.next_due)}</div> : null}
                </li>
              );
            })}
          </ul>
        </section>
      )}
    </section>
  );
}
