import { viDateTime, viNumber } from '@openhssk/core';
import { Alert } from '../../ui.tsx';
import { EntryLine } from '../components.tsx';
import { useStation } from '../context.ts';
import { db, getMeta, type OutboxEntry } from '../db.ts';
import { useLive } from '../hooks.ts';

/** The outbox: what waits, what the server refused or resolved as a conflict, what went through. */
export function SyncPage() {
  const { me, online, sync, runSync, snapshot, runSnapshot } = useStation();
  const all = useLive(() => db.outbox.orderBy('createdAt').reverse().toArray(), []);
  const last = useLive(() => getMeta('lastSync'), []);
  const snap = useLive(() => getMeta('snapshot'), []);
  const mine = (all ?? []).filter((e) => e.staffId === me.id);
  const pending = mine.filter((e) => e.status === 'pending');
  const attention = mine.filter((e) => (e.status === 'refused' || e.status === 'conflict') && !e.seen);
  const done = mine.filter((e) => !pending.includes(e) && !attention.includes(e)).slice(0, 50);
  const others = (all ?? []).filter((e) => e.staffId !== me.id && e.status === 'pending');

  const seen = (e: OutboxEntry) => db.outbox.update(e.entryId, { seen: true });
  const remove = (e: OutboxEntry) => {
    if (window.confirm(`Xóa hẳn mục «${e.label}» khỏi máy? Mục này sẽ không được gửi lại.`)) void db.outbox.delete(e.entryId);
  };

  return (
    <>
      <h1>Đồng bộ dữ liệu</h1>
      <section className="card" aria-labelledby="sync-state">
        <h2 id="sync-state">Trạng thái</h2>
        <p>{online ? 'Đang có mạng.' : 'Đang mất mạng: các mục được lưu trên máy và tự gửi khi có mạng trở lại.'}</p>
        {last && (
          <p data-testid="last-sync">
            Lần đồng bộ gần nhất: {viDateTime(last.at)} · gửi {viNumber(last.sent)} mục trong {viNumber(last.ms)} ms
            {last.sent > 0 ? ` (ghi nhận ${viNumber(last.applied)}, đã có ${viNumber(last.already)}, xung đột ${viNumber(last.conflicts)}, từ chối ${viNumber(last.refused)})` : ''}.
          </p>
        )}
        <Alert>{sync.error}</Alert>
        <button type="button" className="button primary" disabled={!online || sync.running} onClick={() => void runSync()}>
          {sync.running ? 'Đang đồng bộ…' : 'Đồng bộ ngay'}
        </button>
      </section>

      <section className="card" aria-labelledby="pending-title">
        <h2 id="pending-title">Chưa đồng bộ ({pending.length})</h2>
        {pending.length === 0 ? (
          <p className="muted">Không còn mục nào chờ gửi.</p>
        ) : (
          <ul className="st-entries">
            {pending.map((e) => (
              <EntryLine key={e.entryId} e={e} />
            ))}
          </ul>
        )}
        {others.length > 0 && <p className="muted">Có {others.length} mục của tài khoản khác trên máy này, chờ người đó đăng nhập để gửi.</p>}
      </section>

      <section className="card" aria-labelledby="attention-title">
        <h2 id="attention-title">Cần xem ({attention.length})</h2>
        {attention.length === 0 ? (
          <p className="muted">Không có mục nào bị từ chối hay xung đột.</p>
        ) : (
          <ul className="st-entries">
            {attention.map((e) => (
              <EntryLine key={e.entryId} e={e}>
                <EntryContent e={e} />
                <div className="row">
                  <button type="button" className="button secondary" onClick={() => void seen(e)}>
                    Đã xem
                  </button>
                  {e.status === 'refused' && (
                    <button type="button" className="button secondary" onClick={() => remove(e)}>
                      Xóa mục này
                    </button>
                  )}
                </div>
              </EntryLine>
            ))}
          </ul>
        )}
      </section>

      <section className="card" aria-labelledby="done-title">
        <h2 id="done-title">Đã gửi gần đây</h2>
        {done.length === 0 ? (
          <p className="muted">Chưa có.</p>
        ) : (
          <ul className="st-entries">
            {done.map((e) => (
              <EntryLine key={e.entryId} e={e} />
            ))}
          </ul>
        )}
      </section>

      <section className="card" aria-labelledby="snap-title">
        <h2 id="snap-title">Sổ hộ gia đình trên máy</h2>
        <p>{snap ? `${snap.households} hộ, ${snap.members} người, tải lúc ${viDateTime(snap.at)} (mất ${snap.ms} ms).` : 'Chưa tải về máy.'}</p>
        <Alert>{snapshot.error}</Alert>
        <button type="button" className="button secondary" disabled={!online || snapshot.running} onClick={() => void runSnapshot()}>
          {snapshot.running ? `Đang tải${snapshot.progress ? ` (${snapshot.progress})` : ''}…` : 'Tải lại sổ hộ gia đình'}
        </button>
      </section>
    </>
  );
}

/** What was entered, so that a refused entry can be entered again correctly. */
function EntryContent({ e }: { e: OutboxEntry }) {
  const payload = Object.entries(e.body).filter(([k]) => !['entryId', 'entry_id', 'kind', 'personId', 'recordedAt', 'client_recorded_at'].includes(k));
  return (
    <details>
      <summary>Nội dung đã nhập</summary>
      <pre className="st-pre">{JSON.stringify(Object.fromEntries(payload), null, 1)}</pre>
    </details>
  );
}
