import type { AccessEvent, AccessLog } from '@openhssk/core/api';
import { useEffect, useState } from 'react';
import { api, withPerson } from '../api.ts';
import { Alert } from '../ui.tsx';

type Filter = AccessLog['filter'];

const PAGE_SIZE = '20';

/**
 * "Ai đã xem": the server words every row; this page only lays the sentences out. Others' accesses
 * come first (the citizen's own views would bury them), older rows load on request.
 */
export function AccessLogPage({ personId, childName }: { personId: string | null; childName: string | null }) {
  const [filter, setFilter] = useState<Filter>('others');
  const [sensitive, setSensitive] = useState(false);
  const [events, setEvents] = useState<AccessEvent[]>([]);
  const [page, setPage] = useState<AccessLog | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const url = (before?: number) =>
    withPerson('/api/v1/book/access-log', personId, {
      filter,
      limit: PAGE_SIZE,
      include_sensitive: sensitive ? '1' : '',
      before: before ? String(before) : '',
    });

  // A new filter starts again from the newest row.
  // biome-ignore lint/correctness/useExhaustiveDependencies: url() is rebuilt from exactly these inputs
  useEffect(() => {
    let live = true;
    setBusy(true);
    setError(null);
    api<AccessLog>(url()).then(
      (p) => {
        if (!live) return;
        setPage(p);
        setEvents(p.events);
        setBusy(false);
      },
      (e: Error) => {
        if (!live) return;
        setError(e.message);
        setBusy(false);
      },
    );
    return () => {
      live = false;
    };
  }, [personId, filter, sensitive]);

  const more = async () => {
    if (!page?.next_before) return;
    setBusy(true);
    setError(null);
    try {
      const p = await api<AccessLog>(url(page.next_before));
      setPage(p);
      setEvents((old) => [...old, ...p.events]);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const child = childName ?? page?.viewing_child?.name ?? null;
  const counts = page?.counts;
  return (
    <section aria-labelledby="log-title">
      <h1 id="log-title">{child ? `Ai đã xem sổ sức khỏe của con: ${child}` : 'Ai đã xem hồ sơ của tôi'}</h1>
      <p className="muted">
        {child
          ? `Mọi lượt xem, tải xuống và chia sẻ sổ sức khỏe của ${child} đều được ghi lại, kể cả lượt xem của bạn.`
          : 'Mọi lượt xem, tải xuống và chia sẻ hồ sơ đều được ghi lại, kể cả lượt xem của chính bạn và của bác sĩ qua mã chia sẻ.'}
      </p>
      <fieldset className="card">
        <legend>Hiển thị</legend>
        <div className="row">
          <label className="choice">
            <input type="radio" name="log-filter" checked={filter === 'others'} onChange={() => setFilter('others')} />
            <span>Người khác xem{counts ? ` (${counts.others})` : ''}</span>
          </label>
          <label className="choice">
            <input type="radio" name="log-filter" checked={filter === 'all'} onChange={() => setFilter('all')} />
            <span>Tất cả, kể cả lượt xem của bạn{counts ? ` (${counts.all})` : ''}</span>
          </label>
        </div>
        <label className="choice">
          <input type="checkbox" checked={sensitive} onChange={(e) => setSensitive(e.target.checked)} />
          <span>Ghi rõ ngày, nơi khám của lượt khám nhạy cảm (HIV, lao, sức khỏe tâm thần) và lý do bác sĩ ghi khi truy cập khẩn cấp</span>
        </label>
      </fieldset>
      <Alert>{error}</Alert>
      {!page && !error && <p aria-live="polite">Đang tải nhật ký truy cập…</p>}
      {page && events.length === 0 && (
        <p>{filter === 'others' ? 'Chưa có ai khác xem hồ sơ này.' : 'Chưa có lượt truy cập nào.'}</p>
      )}
      {events.length > 0 && (
        <ul className="episodes" data-testid="access-log">
          {events.map((e) => (
            <li key={e.id} className={`card episode${e.break_glass ? ' breakglass' : ''}`}>
              <span>
                <strong>{e.who}</strong>
                {e.sentence.slice(e.who.length)}
              </span>
              {e.break_glass && <span className="tag warn access-emergency">Truy cập khẩn cấp khi cấp cứu</span>}
              {e.emergency_reason && <span>Lý do bác sĩ ghi: “{e.emergency_reason}”</span>}
              {e.emergency_reason_withheld && (
                <span className="muted">Lý do bác sĩ ghi có thể nhắc đến bệnh nhạy cảm nên được ẩn; chọn “Ghi rõ…” ở trên để xem.</span>
              )}
            </li>
          ))}
        </ul>
      )}
      {page?.next_before && (
        <p>
          <button type="button" className="button secondary" onClick={() => void more()} disabled={busy}>
            {busy ? 'Đang tải…' : 'Xem thêm các lượt cũ hơn'}
          </button>
        </p>
      )}
      {page && !page.next_before && events.length > 0 && <p className="muted">Đã hiển thị tất cả {events.length} lượt.</p>}
    </section>
  );
}
