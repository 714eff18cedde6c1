import type { CorrectionResolution, StaffCorrection, StaffCorrectionDetail } from '@openhssk/core/api';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { CORRECTION_KIND, CORRECTION_STATUS } from '../../labels.ts';
import { Alert } from '../../ui.tsx';
import { get, post, viDate } from '../http.ts';

/**
 * Correction requests the staff member handles: the facility admin's (its visits) and the MPI
 * officer's (identity data of its area). Take, resolve with the evidence the server checks, or refuse.
 */

const STATUS = CORRECTION_STATUS;
const KIND = CORRECTION_KIND;
const RESOLUTION: Readonly<Record<CorrectionResolution, string>> = {
  resent: 'Đã gửi lại dữ liệu đã sửa',
  mpi_decision: 'Đã tách/gộp hồ sơ (quyết định MPI)',
  golden_field: 'Đã sửa thông tin trong hồ sơ gốc',
};
const FILTERS: ReadonlyArray<[string, string]> = [
  ['open', 'Đang mở'],
  ['overdue', 'Quá hạn'],
  ['resolved', 'Đã giải quyết'],
  ['rejected', 'Từ chối'],
];

export function CorrectionQueuePage() {
  const [filter, setFilter] = useState('open');
  const [list, setList] = useState<StaffCorrection[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [openId, setOpenId] = useState<number | null>(null);
  // The confirmation lives on the page, not in the item: a resolved or refused request leaves the
  // filtered list as soon as it reloads, and its message must not vanish with it.
  const [notice, setNotice] = useState<string | null>(null);
  const load = useCallback(() => {
    setError(null);
    const q = filter === 'overdue' ? '?overdue=true' : `?status=${filter}`;
    get<{ requests: StaffCorrection[] }>(`/api/v1/corrections${q}`).then(
      (r) => setList(r.requests),
      (e: Error) => setError(e.message),
    );
  }, [filter]);
  useEffect(load, [load]);
  return (
    <section aria-labelledby="corr-title">
      <h1 id="corr-title">Yêu cầu sửa thông tin</h1>
      <p className="muted">Người dân báo thông tin sai trong sổ sức khỏe. Thời hạn trả lời: 10 ngày làm việc.</p>
      <div className="field">
        <label htmlFor="corr-filter">Hiển thị</label>
        <select id="corr-filter" value={filter} onChange={(e) => setFilter(e.target.value)}>
          {FILTERS.map(([v, l]) => (
            <option key={v} value={v}>
              {l}
            </option>
          ))}
        </select>
      </div>
      <p role="status" data-testid="correction-notice">
        {notice}
      </p>
      <Alert>{error}</Alert>
      {list && list.length === 0 && <p>Không có yêu cầu nào.</p>}
      {list && list.length > 0 && (
        <ul className="queue" data-testid="correction-queue">
          {list.map((r) => (
            <li key={r.id} className="card">
              <p>
                <strong>{KIND[r.kind]}</strong> · {STATUS[r.status]}
                {r.overdue && <strong className="warn"> · Quá hạn</strong>}
              </p>
              <p>
                {r.person.ho_ten} (sinh {viDate(r.person.ngay_sinh)}){r.on_behalf_of_child ? ' · cha/mẹ gửi thay' : ''}
                {r.episode ? ` · Lượt khám ${r.episode.label ?? ''} (MA_LK ${r.episode.ma_lk})` : ''}
              </p>
              <p className="muted">
                Hạn {viDate(r.due_on)} · {r.owner_kind === 'facility' ? (r.facility_name ?? r.facility_code) : 'Quản lý định danh'}
                {r.assignee_name ? ` · ${r.assignee_name}` : ''}
              </p>
              <button type="button" className="button secondary" aria-expanded={openId === r.id} onClick={() => {
                  setNotice(null);
                  setOpenId(openId === r.id ? null : r.id);
                }}
              >
                {openId === r.id ? 'Đóng' : 'Xem và xử lý'}
              </button>
              {openId === r.id && (
                <Detail
                  id={r.id}
                  onChanged={(message) => {
                    setNotice(`${message} ${r.person.ho_ten}.`);
                    load();
                  }}
                />
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Detail({ id, onChanged }: { id: number; onChanged: (message: string) => void }) {
  const [d, setD] = useState<StaffCorrectionDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const [ref, setRef] = useState('');
  const reload = useCallback(() => {
    get<StaffCorrectionDetail>(`/api/v1/corrections/${id}`).then(setD, (e: Error) => setError(e.message));
  }, [id]);
  useEffect(reload, [reload]);
  const act = async (path: string, body: unknown, message: string) => {
    setError(null);
    try {
      await post(`/api/v1/corrections/${id}/${path}`, body);
      reload();
      onChanged(message);
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Không thực hiện được.');
    }
  };
  if (!d) return <Alert>{error}</Alert>;
  const resolveWith = (resolution: CorrectionResolution) => (e: FormEvent) => {
    e.preventDefault();
    void act('resolve', { resolution, ...(note.trim() ? { note: note.trim() } : {}), ...(resolution === 'mpi_decision' ? { ref: ref.trim() } : {}) }, 'Đã đánh dấu đã giải quyết:');
  };
  return (
    <div className="detail" data-testid="correction-detail">
      <dl>
        <dt>Ghi chú của người dân</dt>
        <dd>{d.note}</dd>
        {d.fields.length > 0 && (
          <>
            <dt>Mục báo sai</dt>
            <dd>{d.fields.join(', ')}</dd>
          </>
        )}
        {d.episode && (
          <>
            <dt>Lượt khám</dt>
            <dd>
              MA_LK {d.episode.ma_lk}, phiên bản {d.episode.version}
            </dd>
          </>
        )}
        {d.episode && (
          <>
            <dt>Dữ liệu gửi lại</dt>
            <dd data-testid="newer-version">
              {d.newer_version
                ? `Đã nhận phiên bản ${d.newer_version.version} lúc ${viDate(d.newer_version.received_at)}${d.newer_version.still_this_person ? ' (vẫn gắn với người này)' : ' (không còn trong sổ của người này)'}`
                : 'Chưa nhận phiên bản mới: hãy sửa trong HIS và gửi lại hồ sơ (cùng MA_LK).'}
            </dd>
          </>
        )}
        {d.resolution_kind && (
          <>
            <dt>Kết quả</dt>
            <dd>
              {RESOLUTION[d.resolution_kind]} {d.resolution_ref ? `(${d.resolution_ref})` : ''} {d.resolution_note ?? ''}
            </dd>
          </>
        )}
      </dl>
      <details>
        <summary>Lịch sử ({d.history.length})</summary>
        <ol>
          {d.history.map((h) => (
            <li key={`${h.at}-${h.action}`}>
              {viDate(h.at)} · {h.actor}: {h.to_status ? STATUS[h.to_status] : h.action}
              {h.note ? ` — ${h.note}` : ''}
            </li>
          ))}
        </ol>
      </details>
      <Alert>{error}</Alert>
      {d.can.take && (
        <button type="button" className="button secondary" onClick={() => void act('take', {}, 'Đã nhận xử lý:')}>
          Nhận xử lý
        </button>
      )}
      {d.can.resolve.length > 0 && (
        <div className="field">
          <label htmlFor={`corr-note-${id}`}>Ghi chú gửi người dân (không bắt buộc)</label>
          <textarea id={`corr-note-${id}`} rows={2} maxLength={1000} value={note} onChange={(e) => setNote(e.target.value)} />
        </div>
      )}
      {d.can.resolve.includes('resent') && (
        <form onSubmit={resolveWith('resent')}>
          <button type="submit" className="button primary">
            Đánh dấu đã giải quyết: đã gửi lại dữ liệu
          </button>
        </form>
      )}
      {d.can.resolve.includes('mpi_decision') && (
        <form onSubmit={resolveWith('mpi_decision')}>
          <div className="field">
            <label htmlFor={`corr-ref-${id}`}>Mã quyết định tách/gộp (mpi_review/… hoặc mpi_merge/…)</label>
            <input id={`corr-ref-${id}`} value={ref} maxLength={40} onChange={(e) => setRef(e.target.value)} />
          </div>
          <button type="submit" className="button secondary">
            Giải quyết theo quyết định tách/gộp
          </button>
        </form>
      )}
      {d.can.resolve.includes('golden_field') && (
        <form onSubmit={resolveWith('golden_field')}>
          <button type="submit" className="button secondary">
            Giải quyết: hồ sơ gốc đã được sửa
          </button>
        </form>
      )}
      {d.can.reject && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void act('reject', { reason }, 'Đã từ chối yêu cầu của');
          }}
        >
          <div className="field">
            <label htmlFor={`corr-reason-${id}`}>Lý do từ chối (người dân sẽ đọc)</label>
            <textarea id={`corr-reason-${id}`} rows={2} maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
          <button type="submit" className="button secondary">
            Từ chối
          </button>
        </form>
      )}
    </div>
  );
}
