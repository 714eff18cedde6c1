import { viDateTime } from '@openhssk/core';
import { useState } from 'react';
import { api } from '../api.ts';
import { Alert } from '../ui.tsx';
import { useApi } from './useApi.ts';

/** One app the citizen allowed to read their record (GET /api/v1/smart/authorizations). */
interface ConnectedApp {
  client_id: string;
  name: string;
  /** The scopes in words; ends with ", gồm cả lượt khám nhạy cảm" when the citizen chose to include them. */
  what: string;
  include_sensitive: boolean;
  granted_at: string;
  last_used_at: string | null;
  active: boolean;
}

/** Apps (SMART on FHIR) the citizen has allowed to read their record, each revocable at once. */
export function ConnectedApps() {
  const { data, error: loadError, reload } = useApi<{ apps: ConnectedApp[] }>('/api/v1/smart/authorizations');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const revoke = async (clientId: string) => {
    setBusy(clientId);
    setError(null);
    try {
      await api(`/api/v1/smart/authorizations/${encodeURIComponent(clientId)}`, { method: 'DELETE' });
      reload();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(null);
    }
  };
  const active = data?.apps.filter((a) => a.active) ?? [];
  return (
    <section className="card" aria-labelledby="apps-title" data-testid="connected-apps">
      <h2 id="apps-title">Ứng dụng được phép đọc hồ sơ</h2>
      <p>Các ứng dụng sức khỏe bạn đã cho phép đọc hồ sơ của mình. Mỗi lần ứng dụng đọc hồ sơ đều có trong mục “Ai đã xem”.</p>
      <Alert>{loadError ?? error}</Alert>
      {data && active.length === 0 && <p>Chưa có ứng dụng nào.</p>}
      {active.length > 0 && (
        <ul className="plain">
          {active.map((a) => (
            <li key={a.client_id}>
              <p>
                <strong>{a.name}</strong> được đọc <span data-testid="app-scope">{a.what}</span>. Cho phép lúc {viDateTime(a.granted_at)}
                {a.last_used_at ? `, dùng gần nhất lúc ${viDateTime(a.last_used_at)}` : ''}.
              </p>
              <button type="button" className="button secondary" onClick={() => revoke(a.client_id)} disabled={busy === a.client_id}>
                Thu hồi quyền của {a.name}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
