import { viDateTime, viNumber } from '@openhssk/core';
import type { CitizenNotifications } from '@openhssk/core/api';
import { useState } from 'react';
import { api } from '../api.ts';
import { Link, type Navigate } from '../router.tsx';
import { Alert } from '../ui.tsx';
import { useApi } from './useApi.ts';

const markRead = (ids: number[] | 'all') =>
  api<{ changed: number }>('/api/v1/book/notifications/read', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ids }) });

/**
 * The signed-in citizen's in-app notifications (reminders, answers to correction requests), newest
 * first; unread ones marked. A child has no account, so the child's reminders are among the parent's:
 * the list is the same with a child's book open.
 */
export function NotificationsPage({ personId, navigate }: { personId: string | null; navigate: Navigate }) {
  const { data, error, reload } = useApi<CitizenNotifications>('/api/v1/book/notifications');
  const [actionError, setActionError] = useState<string | null>(null);
  const read = async (ids: number[] | 'all') => {
    setActionError(null);
    try {
      await markRead(ids);
      reload();
    } catch (e) {
      setActionError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <section aria-labelledby="notif-title">
      <h1 id="notif-title">Thông báo</h1>
      {personId && <p className="muted">Thông báo của bạn, gồm cả nhắc lịch hẹn của con.</p>}
          <Alert>{error}</Alert>
          <Alert>{actionError}</Alert>
          {!data && !error && <p aria-live="polite">Đang tải thông báo…</p>}
          {data && data.notifications.length === 0 && <p>Chưa có thông báo nào.</p>}
          {data && data.unread > 0 && (
            <p className="row">
              <span data-testid="notifications-unread-count">{viNumber(data.unread, 0)} thông báo chưa đọc.</span>
              <button type="button" className="button secondary" onClick={() => read('all')}>
                Đánh dấu tất cả đã đọc
              </button>
            </p>
          )}
          {data && data.notifications.length > 0 && (
            <ul className="episodes" aria-label="Thông báo, mới nhất trước">
              {data.notifications.map((n) => (
                <li key={n.id} className={`card${n.read ? '' : ' notice'}`} data-testid="notification" data-read={n.read}>
                  <h2>
                    {n.title}
                    {!n.read && <span className="tag due">Chưa đọc</span>}
                  </h2>
                  <p>{n.body}</p>
                  <p className="muted">{viDateTime(n.created_at)}</p>
                  <p className="row">
                    {n.link && n.link !== '/thong-bao' && (
                      <Link to={n.link} navigate={navigate}>
                        Xem chi tiết
                      </Link>
                    )}
                    {!n.read && (
                      <button type="button" className="button secondary" onClick={() => read([n.id])}>
                        Đánh dấu đã đọc
                      </button>
                    )}
                  </p>
                </li>
              ))}
            </ul>
          )}
    </section>
  );
}
