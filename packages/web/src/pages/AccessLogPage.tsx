import { type AccessEvent, withPerson } from '../api.ts';
import { ACTION, ACTOR_TYPE, formatInstant } from '../labels.ts';
import { useApi } from './useApi.ts';

export function AccessLogPage({ personId }: { personId: string | null }) {
  const { data, error } = useApi<{ events: AccessEvent[] }>(withPerson('/api/v1/book/access-log', personId));
  return (
    <section aria-labelledby="log-title">
      <h1 id="log-title">Ai đã xem hồ sơ của tôi</h1>
      <p className="muted">Mọi lượt xem, tải xuống và chia sẻ hồ sơ đều được ghi lại, kể cả lượt xem của chính bạn và của bác sĩ qua mã chia sẻ.</p>
      {error && <p role="alert">{error}</p>}
      {data && data.events.length === 0 && <p>Chưa có lượt truy cập nào.</p>}
      {data && data.events.length > 0 && (
        <ul className="episodes" data-testid="access-log">
          {data.events.map((e) => (
            <li key={e.id} className={`card episode${e.break_glass ? ' breakglass' : ''}`}>
              <span>
                <strong>{ACTOR_TYPE[e.actor_type] ?? e.actor_type}</strong>
                {e.actor_name ? `: ${e.actor_name}` : ''}
                {e.actor_role ? ` (${e.actor_role})` : ''}
              </span>
              {e.facility_code && <span>Cơ sở: {e.facility_name ?? e.facility_code}</span>}
              <span>
                {ACTION[e.action] ?? e.action}
                {e.resource ? <span className="muted"> · {e.resource}</span> : null}
              </span>
              <span className="muted">{formatInstant(e.at)}</span>
              {e.break_glass && <span className="tag warn">Truy cập khẩn cấp (phá kính)</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
