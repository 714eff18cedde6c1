import { parseFacilityCode } from '@openhssk/core';
import type { Db } from '../db/index.ts';
import { certDb } from './certificates.ts';

export const CERT_WARN_DAYS = 30;

export type CheckState = 'ok' | 'warning' | 'missing';
export type Badge = 'not_ready' | 'integrating' | 'connected';

export const BADGE_LABEL_VI: Record<Badge, string> = {
  not_ready: 'chưa sẵn sàng',
  integrating: 'đang tích hợp',
  connected: 'đã kết nối',
};

export interface ChecklistItem {
  key: 'code' | 'credential' | 'certificate' | 'configuration' | 'first_submission';
  state: CheckState;
  label_vi: string;
  detail_vi: string;
  detail?: Record<string, unknown>;
}

/**
 * The onboarding steps of QĐ 2733 (facility code, interop account, digital certificate,
 * configuration, first data) as checks on what the platform actually holds.
 */
export async function onboardingChecklist(db: Db, facilityCode: string, now = new Date()) {
  const facility = await db.selectFrom('facility').selectAll().where('code', '=', facilityCode).executeTakeFirst();
  if (!facility) return undefined;
  const [credential, certs, pending, firstAccepted] = await Promise.all([
    db
      .selectFrom('facility_credential')
      .select(['client_id', 'created_at'])
      .where('facility_code', '=', facilityCode)
      .where((eb) => eb.or([eb('revoked_at', 'is', null), eb('revoked_at', '>', now)]))
      .orderBy('created_at', 'desc')
      .executeTakeFirst(),
    // Only approved certificates count: a pending one cannot sign anything yet.
    certDb(db)
      .selectFrom('facility_certificate')
      .select(['id', 'subject', 'fingerprint256', 'not_before', 'not_after'])
      .where('facility_code', '=', facilityCode)
      .where('revoked_at', 'is', null)
      .where('approved_at', 'is not', null)
      .where('not_after', '>=', now)
      .where('not_before', '<=', now)
      .orderBy('not_after', 'desc')
      .execute(),
    certDb(db)
      .selectFrom('facility_certificate')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('facility_code', '=', facilityCode)
      .where('revoked_at', 'is', null)
      .where('approved_at', 'is', null)
      .where('not_after', '>=', now)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('submission')
      .select(['id', 'received_at'])
      .where('facility_code', '=', facilityCode)
      .where('accepted_count', '>', 0)
      .orderBy('received_at')
      .limit(1)
      .executeTakeFirst(),
  ]);
  const code = parseFacilityCode(facilityCode);
  const best = certs[0];
  const daysLeft = best ? Math.floor((best.not_after.getTime() - now.getTime()) / 86400_000) : undefined;
  const items: ChecklistItem[] = [
    {
      key: 'code',
      state: code.ok ? 'ok' : 'missing',
      label_vi: 'Mã cơ sở KCB hợp lệ',
      detail_vi: code.ok ? `Mã ${facilityCode} đúng định dạng 5 chữ số.` : code.error.message_vi,
    },
    {
      key: 'credential',
      state: credential ? 'ok' : 'missing',
      label_vi: 'Đã cấp tài khoản kết nối (API)',
      detail_vi: credential ? `Mã ứng dụng ${credential.client_id}.` : 'Chưa cấp thông tin xác thực cho phần mềm HIS.',
    },
    {
      key: 'certificate',
      state: !best ? 'missing' : (daysLeft ?? 0) < CERT_WARN_DAYS ? 'warning' : 'ok',
      label_vi: 'Chứng thư số đã tải lên và còn hiệu lực',
      detail_vi: !best
        ? Number(pending.n) > 0
          ? 'Chứng thư số đã tải lên đang chờ duyệt: quản trị cơ sở (đã bật xác thực hai lớp) hoặc quản trị hệ thống duyệt ở mục Chứng thư số.'
          : 'Chưa có chứng thư số còn hiệu lực.'
        : (daysLeft ?? 0) < CERT_WARN_DAYS
          ? `Chứng thư số sắp hết hạn: còn ${daysLeft} ngày. Hãy tải chứng thư mới.`
          : `Còn hiệu lực ${daysLeft} ngày.`,
      ...(best ? { detail: { not_after: best.not_after, subject: best.subject, days_left: daysLeft } } : {}),
    },
    {
      key: 'configuration',
      state: facility.test_mode ? 'missing' : 'ok',
      label_vi: 'Cấu hình gửi dữ liệu thật (tắt chế độ thử nghiệm)',
      detail_vi: facility.test_mode ? 'Cơ sở đang ở chế độ thử nghiệm.' : 'Đã tắt chế độ thử nghiệm.',
    },
    {
      key: 'first_submission',
      state: firstAccepted ? 'ok' : 'missing',
      label_vi: 'Hồ sơ đầu tiên được tiếp nhận',
      detail_vi: firstAccepted ? `Mã tiếp nhận ${firstAccepted.id}.` : 'Chưa có hồ sơ nào được tiếp nhận.',
    },
  ];
  const allOk = items.every((i) => i.state !== 'missing');
  const started = !!credential || certs.length > 0 || Number(pending.n) > 0 || !!firstAccepted;
  const badge: Badge = allOk ? 'connected' : started ? 'integrating' : 'not_ready';
  return { facility, items, badge, badge_vi: BADGE_LABEL_VI[badge] };
}
