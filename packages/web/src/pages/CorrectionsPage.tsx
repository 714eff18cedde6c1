import { viDate, viDateTime } from '@openhssk/core';
import type { CitizenCorrection, CitizenCorrections, CorrectionKind, CorrectionStatus } from '@openhssk/core/api';
import { type FormEvent, useEffect, useState } from 'react';
import { api, withPerson } from '../api.ts';
import { CORRECTION_KIND, CORRECTION_STATUS } from '../labels.ts';
import { Alert } from '../ui.tsx';
import { useApi } from './useApi.ts';

/**
 * "Báo thông tin sai": the form a citizen (or a parent in a child's book) fills from a visit or from
 * the personal data, and "Yêu cầu sửa thông tin của tôi", where the answer arrives.
 */

const KIND = CORRECTION_KIND;
const PERSONAL: ReadonlyArray<[string, string]> = [
  ['ho_ten', 'Họ và tên'],
  ['ngay_sinh', 'Ngày sinh'],
  ['gioi_tinh', 'Giới tính'],
  ['so_cccd', 'Số CCCD'],
  ['so_bhyt', 'Số thẻ BHYT'],
  ['so_dien_thoai', 'Số điện thoại'],
  ['dia_chi', 'Địa chỉ'],
];
const CLINICAL: ReadonlyArray<[string, string]> = [
  ['diagnosis', 'Chẩn đoán'],
  ['medicine', 'Thuốc'],
  ['service', 'Dịch vụ, thủ thuật'],
  ['result', 'Kết quả xét nghiệm, chẩn đoán hình ảnh'],
  ['dates', 'Ngày vào, ngày ra'],
  ['other', 'Khác'],
];
const FIELD_LABEL = new Map([...PERSONAL, ...CLINICAL]);

interface Created {
  id: number;
  due_on: string;
  routed_to: string;
}

/** From a visit: all three kinds; from the personal data: personal data only. */
export function CorrectionForm({ personId, episode, onDone }: { personId: string | null; episode: { id: number; label: string } | null; onDone: () => void }) {
  const kinds: CorrectionKind[] = episode ? ['not_mine', 'wrong_clinical', 'wrong_personal'] : ['wrong_personal'];
  const [kind, setKind] = useState<CorrectionKind>(kinds[0]!);
  const [fields, setFields] = useState<string[]>([]);
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<Created | null>(null);
  const choices = kind === 'wrong_personal' ? PERSONAL : kind === 'wrong_clinical' ? CLINICAL : [];

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (kind !== 'not_mine' && fields.length === 0) {
      setError('Hãy chọn thông tin nào bị sai.');
      return;
    }
    if (note.trim().length < 10) {
      setError('Hãy ghi rõ điều gì chưa đúng (ít nhất 10 ký tự).');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const body = { kind, note, ...(episode ? { episode_id: episode.id } : {}), ...(kind !== 'not_mine' ? { fields } : {}) };
      setSent(await api<Created>(withPerson('/api/v1/book/corrections', personId), { method: 'POST', body: JSON.stringify(body) }));
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Không gửi được yêu cầu.');
    } finally {
      setBusy(false);
    }
  }

  if (sent) {
    return (
      <section className="card" aria-labelledby="correction-sent-title">
        <h2 id="correction-sent-title" tabIndex={-1}>
          Đã gửi yêu cầu sửa thông tin
        </h2>
        <p role="status">
          Yêu cầu đã được chuyển đến <strong>{sent.routed_to}</strong>. Hạn trả lời: <strong>{viDate(sent.due_on)}</strong> (10 ngày làm việc). Kết quả sẽ hiện trong mục
          «Yêu cầu sửa thông tin của tôi».
        </p>
        <button type="button" className="button secondary" onClick={onDone}>
          Đóng
        </button>
      </section>
    );
  }
  return (
    <form className="card" onSubmit={submit} aria-labelledby="correction-title" noValidate>
      <h2 id="correction-title">Báo thông tin sai</h2>
      {episode && <p className="muted">Lượt khám: {episode.label}</p>}
      {kinds.length > 1 && (
        <fieldset>
          <legend>Điều gì chưa đúng?</legend>
          {kinds.map((k) => (
            <label key={k} className="choice">
              <input
                type="radio"
                name="correction-kind"
                checked={kind === k}
                onChange={() => {
                  setKind(k);
                  setFields([]);
                }}
              />
              {KIND[k]}
            </label>
          ))}
        </fieldset>
      )}
      {choices.length > 0 && (
        <fieldset>
          <legend>Thông tin bị sai (chọn một hoặc nhiều)</legend>
          {choices.map(([code, label]) => (
            <label key={code} className="choice">
              <input type="checkbox" checked={fields.includes(code)} onChange={(e) => setFields((f) => (e.target.checked ? [...f, code] : f.filter((x) => x !== code)))} />
              {label}
            </label>
          ))}
        </fieldset>
      )}
      <div className="field">
        <label htmlFor="correction-note">Ghi chú: điều gì sai, đúng ra là gì</label>
        <textarea id="correction-note" rows={4} maxLength={1000} value={note} onChange={(e) => setNote(e.target.value)} aria-describedby="correction-note-help" />
        <p id="correction-note-help" className="muted">
          Ít nhất 10 ký tự. Yêu cầu được gửi đến {episode ? 'cơ sở y tế đã gửi lượt khám' : 'cán bộ quản lý định danh của xã/phường'}; thời hạn trả lời 10 ngày làm việc.
        </p>
      </div>
      <Alert>{error}</Alert>
      <div className="row">
        <button type="submit" className="button primary" disabled={busy}>
          Gửi yêu cầu
        </button>
        <button type="button" className="button secondary" onClick={onDone}>
          Hủy
        </button>
      </div>
    </form>
  );
}

function statusTag(s: CorrectionStatus) {
  return <span className={`tag${s === 'resolved' ? ' final' : s === 'rejected' ? ' warn' : s === 'new' ? '' : ' due'}`}>{CORRECTION_STATUS[s]}</span>;
}

function Request({ r }: { r: CitizenCorrection }) {
  return (
    <li className="card" data-testid="correction">
      <h2>
        {KIND[r.kind]} {statusTag(r.status)} {r.unread && <span className="tag due">Mới cập nhật</span>}
      </h2>
      <dl className="facts">
        {r.episode_label && (
          <>
            <dt>Lượt khám</dt>
            <dd>{r.episode_label}</dd>
          </>
        )}
        {r.fields.length > 0 && (
          <>
            <dt>Thông tin</dt>
            <dd>{r.fields.map((f) => FIELD_LABEL.get(f) ?? f).join(', ')}</dd>
          </>
        )}
        <dt>Ghi chú của bạn</dt>
        <dd>{r.note}</dd>
        <dt>Nơi xử lý</dt>
        <dd>{r.handled_by}</dd>
        <dt>Hạn trả lời</dt>
        <dd>{viDate(r.due_on)}</dd>
        {r.outcome && (
          <>
            <dt>Kết quả</dt>
            <dd data-testid="correction-outcome">{r.outcome}</dd>
          </>
        )}
      </dl>
      <details>
        <summary>Lịch sử ({r.history.length})</summary>
        <ol className="plain">
          {r.history.map((h) => (
            <li key={`${h.at}-${h.action}`}>
              {viDateTime(h.at)} · {h.actor}: {h.to_status ? CORRECTION_STATUS[h.to_status] : h.action}
              {h.note ? ` — ${h.note}` : ''}
            </li>
          ))}
        </ol>
      </details>
    </li>
  );
}

export function CorrectionsPage({ personId }: { personId: string | null }) {
  const { data, error } = useApi<CitizenCorrections>(withPerson('/api/v1/book/corrections', personId));
  // Shown once: the marker on the book's front page clears after the answers were on screen.
  useEffect(() => {
    const unread = data?.requests.filter((r) => r.unread).map((r) => r.id) ?? [];
    if (unread.length > 0) void api(withPerson('/api/v1/book/corrections/read', personId), { method: 'POST', body: JSON.stringify({ ids: unread }) }).catch(() => {});
  }, [data, personId]);
  return (
    <>
      <h1>Yêu cầu sửa thông tin của tôi</h1>
      <p className="muted">Thấy thông tin sai trong sổ? Mở lượt khám hoặc trang Tổng quan và chọn «Báo thông tin sai». Mỗi yêu cầu được trả lời trong 10 ngày làm việc.</p>
      {error && <p role="alert">{error}</p>}
      {!data && !error && <p aria-live="polite">Đang tải…</p>}
      {data && data.requests.length === 0 && <p>Bạn chưa gửi yêu cầu nào.</p>}
      {data && data.requests.length > 0 && (
        <ul className="episodes" data-testid="correction-list">
          {data.requests.map((r) => (
            <Request key={r.id} r={r} />
          ))}
        </ul>
      )}
    </>
  );
}
