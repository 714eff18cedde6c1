import { DomainError, forbidden, notFound } from '@openhssk/core';
import type { RelayErrorMessage, RelayOverview } from '@openhssk/core/api';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { audit } from '../audit/index.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { getFacility } from '../facility/index.ts';
import { typedRoutes } from '../http/index.ts';
import { coversFacility, requireStaff, type StaffContext, staffActor } from '../staff/index.ts';
import { checkPortalUrl, saveSetting, settingView } from './settings.ts';
import { episodeStatuses, errorMessages, messageCounts, resendMessage } from './store.ts';

const MANAGERS = ['system_admin', 'facility_admin'] as const;
const VIEWERS = ['system_admin', 'facility_admin', 'health_officer'] as const;

const facilityQuery = Type.Object({
  facility: Type.Optional(Type.String({ maxLength: 16, description: 'facility code; a facility admin’s own by default' })),
});
const overviewQuery = Type.Object({
  facility: Type.Optional(Type.String({ maxLength: 16 })),
  status: Type.Optional(Type.Union([Type.Literal('not_sent'), Type.Literal('sent'), Type.Literal('error'), Type.Literal('resent')])),
  days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, description: 'episodes received in the last N days (default 30)' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'episodes listed (default 100)' })),
});
const settingBody = Type.Object({
  facility: Type.Optional(Type.String({ maxLength: 16 })),
  enabled: Type.Boolean(),
  portal_url: Type.String({ minLength: 1, maxLength: 500 }),
  username: Type.String({ maxLength: 200 }),
  password: Type.Optional(Type.String({ maxLength: 500, description: 'omitted or empty = keep the stored password' })),
  ma_tinh: Type.Optional(Type.String({ maxLength: 8 })),
});
const messageParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
// Nothing to send: an empty object (what the staff screens post) or no body.
const emptyBody = Type.Union([Type.Object({}, { additionalProperties: false }), Type.Null()]);

async function targetFacility(db: Db, s: StaffContext, requested: string | undefined): Promise<string> {
  const code = requested?.trim() || s.facilityCode || undefined;
  if (!code) throw new DomainError('invalid', 'FACILITY_REQUIRED', 'Chọn cơ sở KCB.', 'The facility query parameter is required.');
  if (!(await coversFacility(db, s, code))) throw forbidden();
  if (!(await getFacility(db, code))) throw notFound('cơ sở', 'Facility');
  return code;
}

/**
 * Facility screens of the relay: the setting (portal URL, account, on/off), the per-episode state
 * (not sent / sent with maGiaoDich / error with the portal's message / re-sent), the dead-letter list
 * and the re-send of a message in error. Only codes and states are shown, no patient data.
 */
export function registerRelayRoutes(app: FastifyInstance, db: Db, config: Config) {
  const r = typedRoutes(app);

  r.get('/api/v1/relay', { schema: { summary: 'Relay to the insurance portal: setting, counts, episodes and errors of a facility', tags: ['relay'], querystring: overviewQuery } }, async (req): Promise<RelayOverview> => {
    const s = await requireStaff(db, req, { roles: VIEWERS });
    const code = await targetFacility(db, s, req.query.facility);
    const [setting, counts, episodes, errors] = await Promise.all([
      settingView(db, config, code),
      messageCounts(db, code),
      episodeStatuses(db, code, { days: req.query.days ?? 30, limit: req.query.limit ?? 100, status: req.query.status }),
      errorMessages(db, code, 100),
    ]);
    const errorRows: RelayErrorMessage[] = errors.map((m) => ({
      id: m.id,
      kind: m.kind,
      ma_lks: m.ma_lks,
      attempts: m.attempts,
      resends: m.resends,
      portal_code: m.portal_code,
      portal_message: m.portal_message,
      last_error: m.last_error,
      created_at: m.created_at.toISOString(),
      updated_at: m.updated_at.toISOString(),
    }));
    return { facility_code: code, setting, counts, episodes, errors: errorRows };
  });

  r.put('/api/v1/relay/setting', { schema: { summary: 'Turn the relay on or off and set the portal URL and account (the password is stored as a server secret)', tags: ['relay'], body: settingBody } }, async (req) => {
    const s = await requireStaff(db, req, { roles: MANAGERS });
    const b = req.body;
    const code = await targetFacility(db, s, b.facility);
    const url = checkPortalUrl(b.portal_url, config.relayPortalHosts, config.production);
    await saveSetting(db, config, code, { enabled: b.enabled, portalUrl: url, username: b.username, password: b.password, maTinh: b.ma_tinh }, s.username);
    // The password is never part of the log entry, only whether it changed.
    await audit(db, {
      actor: staffActor(s),
      action: 'relay.setting.update',
      resource: `facility/${code}/relay`,
      detail: { enabled: b.enabled, portal_url: url, username: b.username.trim(), password_changed: !!b.password },
    });
    return settingView(db, config, code);
  });

  r.post('/api/v1/relay/messages/:id/resend', { schema: { summary: 'Re-send a message in error (it goes back to the outbox)', tags: ['relay'], params: messageParams, querystring: facilityQuery, body: emptyBody } }, async (req) => {
    const s = await requireStaff(db, req, { roles: MANAGERS });
    const code = await targetFacility(db, s, req.query.facility);
    const ok = await resendMessage(db, code, req.params.id);
    if (!ok) throw new DomainError('conflict', 'RELAY_NOT_IN_ERROR', 'Bản tin không ở trạng thái lỗi (đã gửi hoặc đang chờ gửi).', 'The message is not in error (already sent or waiting).');
    await audit(db, { actor: staffActor(s), action: 'relay.resend', resource: `facility/${code}/relay/${req.params.id}` });
    const status: 'pending' = 'pending';
    return { id: req.params.id, status };
  });
}
