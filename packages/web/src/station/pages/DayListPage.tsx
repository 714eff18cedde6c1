import { viDate, viDateTime } from '@openhssk/core';
import type { ReactNode } from 'react';
import { Alert } from '../../ui.tsx';
import { type DayList, get } from '../api.ts';
import { Staleness, To, useRefresh } from '../components.tsx';
import { ROUTES, useStation } from '../context.ts';
import { getMeta, setMeta } from '../db.ts';
import { birthText } from '../format.ts';
import { useLive } from '../hooks.ts';
import { prefetchPersons } from '../snapshot.ts';

/** Start page: what the station should do today, then the state of the device's data. */
export function DayListPage() {
  const { me, form, snapshot, online, runSnapshot } = useStation();
  const list = useLive(() => getMeta('dayList'), []);
  const snap = useLive(() => getMeta('snapshot'), []);
  const { fresh, error } = useRefresh(async () => {
    const fetched = await get<DayList>('/api/v1/station/day-list');
    await setMeta('dayList', { ...fetched, savedAt: Date.now() });
    void prefetchPersons(me, (fetched.follow_ups ?? []).map((f) => f.person_id));
  }, []);
  const registerName = (key: string) => form?.registers.find((r) => r.key === key)?.label_vi ?? key;

  return (
    <>
      <h1>Việc hôm nay{list ? ` · ${viDate(list.on)}` : ''}</h1>
      <Alert>{error}</Alert>
      <Staleness savedAt={list?.savedAt} fresh={fresh} />
      {!list && <p className="muted">{online ? 'Đang tải…' : 'Chưa có danh sách trên máy: cần có mạng lần đầu.'}</p>}
      {list && (
        <>
          {list.follow_ups && (
            <DaySection title="Đến hạn theo dõi bệnh mạn tính" count={list.follow_ups.length} empty="Không có người đến hạn theo dõi.">
              {list.follow_ups.map((f) => (
                <li key={`${f.person_id}-${f.register}`}>
                  <To to={ROUTES.person(f.person_id)}>{f.ho_ten}</To> · {registerName(f.register)} · hạn {viDate(f.due_on)}
                  {f.due_on < list.on && <span className="st-tag st-refused">quá hạn</span>}
                  {f.so_dien_thoai && <span className="muted"> · ĐT {f.so_dien_thoai}</span>}
                </li>
              ))}
            </DaySection>
          )}
          {list.appointments && (
            <DaySection title={`Hẹn tái khám (${list.days} ngày tới)`} count={list.appointments.length} empty="Không có lịch hẹn tái khám.">
              {list.appointments.map((a) => (
                <li key={a.episode_id}>
                  <To to={ROUTES.person(a.person_id)}>{a.ho_ten}</To> · {viDate(a.date)} tại {a.facility_name ?? '—'}
                  {a.diagnosis && <div className="muted small">{a.diagnosis}</div>}
                </li>
              ))}
            </DaySection>
          )}
          {list.discharges && (
            <DaySection title={`Ra viện (${list.days} ngày qua)`} count={list.discharges.length} empty="Không có người dân ra viện.">
              {list.discharges.map((d) => (
                <li key={d.episode_id}>
                  <To to={ROUTES.person(d.person_id)}>{d.ho_ten}</To> · {viDate(d.discharged_at)} · {d.facility_name ?? '—'}
                  {d.diagnosis && <div className="muted small">{d.diagnosis}</div>}
                </li>
              ))}
            </DaySection>
          )}
          {list.referrals && (
            <DaySection title="Chuyển tuyến về trạm" count={list.referrals.length} empty="Không có người bệnh chuyển về trạm.">
              {list.referrals.map((r) => (
                <li key={r.episode_id}>
                  <To to={ROUTES.person(r.person_id)}>{r.ho_ten}</To> · {viDate(r.discharged_at)} · từ {r.facility_name ?? '—'}
                  {(r.diagnosis || r.plan) && <div className="muted small">{[r.diagnosis, r.plan].filter(Boolean).join(' · ')}</div>}
                </li>
              ))}
            </DaySection>
          )}
          <DaySection title={`Trẻ mới sinh (${list.days} ngày qua)`} count={list.births.length} empty="Chưa ghi nhận trẻ mới sinh.">
            {list.births.map((b) => (
              <li key={b.person_id}>
                <To to={ROUTES.person(b.person_id)}>{b.ho_ten}</To> · sinh {birthText(b.date)}
                {b.household_id && (
                  <>
                    {' · '}
                    <To to={ROUTES.household(b.household_id)}>hộ {b.household_code}</To>
                  </>
                )}
              </li>
            ))}
          </DaySection>
        </>
      )}
      <section className="card" aria-labelledby="device-data">
        <h2 id="device-data">Dữ liệu trên máy</h2>
        <p data-testid="snapshot-status">
          {snap
            ? `Sổ hộ gia đình: ${snap.households} hộ, ${snap.members} người (tải lúc ${viDateTime(snap.at)}).`
            : 'Chưa tải sổ hộ gia đình về máy.'}
          {snapshot.running && ` Đang tải${snapshot.progress ? ` (${snapshot.progress})` : ''}…`}
        </p>
        <Alert>{snapshot.error}</Alert>
        <button type="button" className="button secondary" disabled={!online || snapshot.running} onClick={() => void runSnapshot()}>
          Tải lại sổ hộ gia đình
        </button>
      </section>
    </>
  );
}

function DaySection({ title, count, empty, children }: { title: string; count: number; empty: string; children: ReactNode }) {
  return (
    <section className="card">
      <h2>
        {title} <span className="st-count">{count}</span>
      </h2>
      {count === 0 ? <p className="muted">{empty}</p> : <ul className="st-list">{children}</ul>}
    </section>
  );
}
