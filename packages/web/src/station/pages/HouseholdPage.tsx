import { viDate } from '@openhssk/core';
import { Alert } from '../../ui.tsx';
import { get, type HouseholdView, type MemberView } from '../api.ts';
import { Back, EntryLine, Staleness, To, useRefresh } from '../components.tsx';
import { ROUTES, useStation } from '../context.ts';
import { db, getMeta } from '../db.ts';
import { birthText, EVENT_VI, relationText, SEX_VI } from '../format.ts';
import { useLive } from '../hooks.ts';

/** One household: its members with their relation to the head, former members, events. */
export function HouseholdPage({ id }: { id: number }) {
  const { online } = useStation();
  const summary = useLive(() => getMeta('summary'), []);
  const cached = useLive(() => db.householdViews.get(id), [id]);
  const fromSnapshot = useLive(async () => ({ row: await db.households.get(id), members: await db.members.where('householdId').equals(id).toArray() }), [id]);
  const pending = useLive(() => db.outbox.where('householdId').equals(id).filter((e) => e.status !== 'applied' && e.status !== 'already_applied').toArray(), [id]);
  const { fresh, error } = useRefresh(async () => {
    const view = await get<HouseholdView>(`/api/v1/station/households/${id}`);
    await db.householdViews.put({ id, view, savedAt: Date.now() });
  }, [id]);

  const view = cached?.view;
  const snapRow = fromSnapshot?.row;
  const title = view ? `Hộ ${view.household_code}` : snapRow ? `Hộ ${snapRow.code}` : 'Hộ gia đình';
  const members: MemberView[] =
    view?.members_current ??
    (fromSnapshot?.members ?? []).map((m, i) => ({
      membership_id: i, id: m.personId, ho_ten: m.hoTen, ngay_sinh: m.ngaySinh, gioi_tinh: m.gioiTinh, so_cccd: m.cccd, so_bhyt: m.bhyt, so_dien_thoai: m.phone,
      relation: m.relation as MemberView['relation'], relation_label: m.relationLabel, joined_on: null, joined_reason: 'population', left_on: null, left_reason: null, current: true, deceased_on: m.deceasedOn,
    }));
  // Every station role records births, deaths and moves (the server says so in the register summary).
  const canWrite = summary?.can_write ?? true;

  return (
    <>
      <Back to={ROUTES.search}>Tìm hộ</Back>
      <h1>{title}</h1>
      <Alert>{error}</Alert>
      {view && <Staleness savedAt={cached?.savedAt} fresh={fresh} />}
      {!view && snapRow && <p className="st-stale">Đang mất mạng: thông tin từ sổ hộ gia đình lưu trên máy (chưa có sự kiện và thành viên cũ).</p>}
      {!view && !snapRow && <p className="muted">{online ? 'Đang tải…' : 'Hộ này chưa có trên máy.'}</p>}
      {(view || snapRow) && (
        <section className="card">
          <dl className="facts">
            <dt>Địa chỉ</dt>
            <dd>{view?.address ?? snapRow?.address ?? '—'}</dd>
            <dt>Thôn / tổ</dt>
            <dd>{view?.hamlet ?? snapRow?.hamlet ?? '—'}</dd>
            <dt>Chủ hộ</dt>
            <dd>{view?.head_name ?? snapRow?.headName ?? 'Chưa xác định'}</dd>
            {view?.dissolved_on && (
              <>
                <dt>Đã giải thể</dt>
                <dd>{viDate(view.dissolved_on)}</dd>
              </>
            )}
          </dl>
          <div className="row">
            {canWrite && (
              <To to={ROUTES.householdEvent(id)} className="button primary">
                Ghi sinh, tử, chuyển đi/đến
              </To>
            )}
            {online && (
              <a className="button secondary" href={`/api/v1/station/households/${id}/sheet.pdf`} download>
                In phiếu hộ (PDF)
              </a>
            )}
          </div>
        </section>
      )}
      {members.length > 0 && (
        <section className="card" aria-labelledby="members-title">
          <h2 id="members-title">Thành viên ({members.length})</h2>
          <ul className="st-list">
            {members.map((m) => (
              <li key={m.id}>
                <To to={ROUTES.person(m.id)} className="st-name">
                  {m.ho_ten}
                </To>{' '}
                <span className="st-tag">{relationText(m.relation, m.relation_label)}</span>
                {m.deceased_on && <span className="st-tag">mất {viDate(m.deceased_on)}</span>}
                <div className="small">
                  {birthText(m.ngay_sinh)}
                  {m.gioi_tinh ? ` · ${SEX_VI[m.gioi_tinh] ?? ''}` : ''}
                  {m.so_cccd ? ` · CCCD ${m.so_cccd}` : ''}
                  {m.so_bhyt ? ` · BHYT ${m.so_bhyt}` : ''}
                  {m.so_dien_thoai ? ` · ĐT ${m.so_dien_thoai}` : ''}
                </div>
                {m.citizen_contact && (
                  <div className="small" data-testid="citizen-contact">
                    <span className="st-tag">người dân tự khai</span>
                    {[m.citizen_contact.so_dien_thoai && `ĐT ${m.citizen_contact.so_dien_thoai}`, m.citizen_contact.dia_chi].filter(Boolean).join(' · ')} (cập nhật {viDate(m.citizen_contact.declared_at)})
                  </div>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
      {(pending?.length ?? 0) > 0 && (
        <section className="card" aria-labelledby="hh-pending">
          <h2 id="hh-pending">Ghi nhận trên máy</h2>
          <ul className="st-entries">
            {pending!.map((e) => (
              <EntryLine key={e.entryId} e={e} />
            ))}
          </ul>
        </section>
      )}
      {view && view.members_past.length > 0 && (
        <section className="card" aria-labelledby="past-title">
          <h2 id="past-title">Thành viên trước đây</h2>
          <ul className="st-list">
            {view.members_past.map((m) => (
              <li key={m.membership_id}>
                {m.ho_ten} · {relationText(m.relation, m.relation_label)} · rời hộ {viDate(m.left_on)}
              </li>
            ))}
          </ul>
        </section>
      )}
      {view && (
        <section className="card" aria-labelledby="events-title">
          <h2 id="events-title">Sự kiện</h2>
          {view.events.length === 0 ? (
            <p className="muted">Chưa có sự kiện nào được ghi tại trạm.</p>
          ) : (
            <ul className="st-list">
              {view.events.map((ev) => (
                <li key={ev.id}>
                  <strong>{EVENT_VI[ev.kind] ?? ev.kind}</strong> · {viDate(ev.occurred_on)} · {ev.person_name ?? '—'}
                  <div className="muted small">Ghi bởi {ev.recorded_by_name ?? '—'}</div>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </>
  );
}
