import { DomainError, invalid, notFound, viDate, vietnamToday } from '@openhssk/core';
import type {
  CitizenCorrection, CorrectionClinicalField, CorrectionEventView, CorrectionKind, CorrectionPersonalField, CorrectionStatus,
} from '@openhssk/core/api';
import type { Actor } from '../audit/index.ts';
import type { Db } from '../db/index.ts';
import { anyVersionSensitive } from '../ingest/index.ts';
import { dueDate, eventsOf, insertRequest, recentByCreator, type RequestRow } from './store.ts';
import { correctionDb } from './tables.ts';

export const PERSONAL_FIELDS: Readonly<Record<CorrectionPersonalField, string>> = {
  ho_ten: 'Họ và tên',
  ngay_sinh: 'Ngày sinh',
  gioi_tinh: 'Giới tính',
  so_cccd: 'Số CCCD',
  so_bhyt: 'Số thẻ BHYT',
  so_dien_thoai: 'Số điện thoại',
  dia_chi: 'Địa chỉ',
};
export const CLINICAL_FIELDS: Readonly<Record<CorrectionClinicalField, string>> = {
  diagnosis: 'Chẩn đoán',
  medicine: 'Thuốc',
  service: 'Dịch vụ, thủ thuật',
  result: 'Kết quả xét nghiệm, chẩn đoán hình ảnh',
  dates: 'Ngày vào, ngày ra',
  other: 'Khác',
};
export const PERSONAL_FIELD_CODES = Object.keys(PERSONAL_FIELDS) as CorrectionPersonalField[];
export const CLINICAL_FIELD_CODES = Object.keys(CLINICAL_FIELDS) as CorrectionClinicalField[];

/** Requests one citizen account may make in 24 hours (its children's included). */
export const CORRECTION_DAILY_LIMIT = 5;
export const NOTE_MIN = 10;
export const NOTE_MAX = 1000;

export interface CorrectionInput {
  kind: CorrectionKind;
  episode_id?: number | undefined;
  fields?: string[] | undefined;
  note: string;
}

export interface Filer {
  /** The citizen account (login subject) that files the request. */
  subject: string;
  actor: Actor;
  onBehalfOfChild: boolean;
}


/**
 * The visit as the citizen's book shows it (the current version, the subject's own); whether any
 * version of it is sensitive (as the book withholds them: one sensitive version hides them all).
 */
async function visitOf(db: Db, personId: string, episodeId: number) {
  return db
    .selectFrom('episode as e')
    .leftJoin('facility as f', 'f.code', 'e.facility_code')
    .select([
      'e.id', 'e.facility_code', 'e.ma_lk', 'e.version', 'e.ngay_vao', 'f.name as facility_name', 'f.admin_unit_code',
      anyVersionSensitive('e').as('sensitive'),
    ])
    .where('e.id', '=', episodeId)
    .where('e.person_id', '=', personId)
    .where('e.is_current', '=', true)
    .executeTakeFirst();
}

function checkInput(input: CorrectionInput): { note: string; fields: string[] } {
  const note = input.note.trim().replace(/\s+/g, ' ');
  if (note.length < NOTE_MIN) {
    throw invalid('CORRECTION_NOTE_SHORT', `Hãy ghi rõ điều gì chưa đúng (ít nhất ${NOTE_MIN} ký tự).`, `Say what is wrong (at least ${NOTE_MIN} characters).`, { field: 'note' });
  }
  if (note.length > NOTE_MAX) throw invalid('CORRECTION_NOTE_LONG', `Ghi chú dài quá ${NOTE_MAX} ký tự.`, `The note is longer than ${NOTE_MAX} characters.`, { field: 'note' });
  const fields = [...new Set(input.fields ?? [])];
  if (input.kind === 'wrong_clinical' && input.episode_id === undefined) {
    throw invalid('CORRECTION_EPISODE_REQUIRED', 'Hãy chọn lượt khám có thông tin sai.', 'Choose the visit with the wrong information.', { field: 'episode_id' });
  }
  if (input.kind === 'not_mine' && input.episode_id === undefined) {
    throw invalid('CORRECTION_EPISODE_REQUIRED', 'Hãy chọn lượt khám không phải của bạn.', 'Choose the visit that is not yours.', { field: 'episode_id' });
  }
  const allowed: readonly string[] = input.kind === 'wrong_personal' ? PERSONAL_FIELD_CODES : input.kind === 'wrong_clinical' ? CLINICAL_FIELD_CODES : [];
  if (input.kind !== 'not_mine' && fields.length === 0) {
    throw invalid(
      'CORRECTION_FIELDS_REQUIRED',
      input.kind === 'wrong_personal' ? 'Hãy chọn thông tin cá nhân nào bị sai (họ tên, ngày sinh, số điện thoại, địa chỉ…).' : 'Hãy chọn thông tin nào bị sai (chẩn đoán, thuốc…).',
      'Choose which information is wrong.',
      { field: 'fields' },
    );
  }
  const unknown = fields.filter((f) => !allowed.includes(f));
  if (unknown.length > 0) throw invalid('CORRECTION_FIELD_UNKNOWN', 'Có mục thông tin không hợp lệ với loại yêu cầu này.', `Unknown field for this kind of request: ${unknown.join(', ')}.`, { field: 'fields' });
  return { note, fields };
}

/**
 * Files a request from the book. Episode data goes to the facility that sent the visit; identity
 * data (not my visit, wrong personal data) is also the area's MPI officer's concern, and a request
 * about personal data with no visit goes to the MPI officer alone. A sensitive visit's request stays
 * with its facility.
 */
export async function createRequest(db: Db, personId: string, filer: Filer, input: CorrectionInput, today = vietnamToday()) {
  const { note, fields } = checkInput(input);
  const visit = input.episode_id !== undefined ? await visitOf(db, personId, input.episode_id) : undefined;
  // Someone else's visit and a missing one answer alike.
  if (input.episode_id !== undefined && !visit) throw notFound('lượt khám', 'Episode');
  if ((await recentByCreator(db, filer.subject)) >= CORRECTION_DAILY_LIMIT) {
    throw new DomainError(
      'rate_limited',
      'CORRECTION_RATE_LIMITED',
      `Bạn đã gửi ${CORRECTION_DAILY_LIMIT} yêu cầu trong 24 giờ qua; vui lòng thử lại sau.`,
      `You have sent ${CORRECTION_DAILY_LIMIT} requests in the last 24 hours; try again later.`,
    );
  }
  const open = await correctionDb(db)
    .selectFrom('correction_request')
    .select('id')
    .where('person_id', '=', personId)
    .where('kind', '=', input.kind)
    .where('status', 'in', ['new', 'in_progress'])
    .where((eb) => (visit ? eb.and([eb('facility_code', '=', visit.facility_code), eb('ma_lk', '=', visit.ma_lk)]) : eb('episode_id', 'is', null)))
    .executeTakeFirst();
  if (open) {
    throw new DomainError('conflict', 'CORRECTION_ALREADY_OPEN', 'Bạn đã gửi yêu cầu này và yêu cầu đang được xử lý.', 'This request was already sent and is being handled.', { request_id: open.id });
  }
  const person = await db.selectFrom('person').select(['ma_xa', ...PERSONAL_FIELD_CODES]).where('id', '=', personId).executeTakeFirst();
  if (!person) throw notFound('sổ sức khỏe', 'Health book');
  const identity = input.kind !== 'wrong_clinical';
  const before =
    input.kind === 'wrong_personal'
      ? Object.fromEntries(fields.map((f) => [f, person[f as CorrectionPersonalField] === null ? null : String(person[f as CorrectionPersonalField])]))
      : null;
  const row = await insertRequest(
    db,
    {
      person_id: personId,
      kind: input.kind,
      fields,
      note,
      episode_id: visit?.id ?? null,
      facility_code: visit?.facility_code ?? null,
      ma_lk: visit?.ma_lk ?? null,
      episode_version: visit?.version ?? null,
      episode_label: visit ? `${visit.facility_name ?? visit.facility_code} · ${viDate(visit.ngay_vao)}` : null,
      sensitive: visit?.sensitive ?? false,
      owner_kind: visit ? 'facility' : 'mpi',
      identity,
      unit_code: person.ma_xa ?? visit?.admin_unit_code ?? null,
      assignee_id: null,
      assignee_name: null,
      resolution_kind: null,
      resolution_ref: null,
      resolution_note: null,
      personal_before: before ? JSON.stringify(before) : null,
      created_by: filer.subject,
      created_by_name: filer.actor.name ?? null,
      on_behalf_of_child: filer.onBehalfOfChild,
      closed_at: null,
    },
    await dueDate(db, today),
    filer.actor,
  );
  return { ...row, routed_to: visit ? (visit.facility_name ?? visit.facility_code) : 'Cán bộ quản lý định danh của xã/phường' };
}

export const STATUS_LABELS: Readonly<Record<CorrectionStatus, string>> = {
  new: 'Mới',
  in_progress: 'Đang xử lý',
  resolved: 'Đã giải quyết',
  rejected: 'Từ chối',
};

const RESOLUTION_WORDS = {
  resent: 'Cơ sở y tế đã gửi lại dữ liệu đã sửa của lượt khám.',
  mpi_decision: 'Hồ sơ định danh đã được tách hoặc gộp lại cho đúng người.',
  golden_field: 'Thông tin cá nhân trong hồ sơ gốc đã được sửa.',
} as const;

/** Who acted, as the citizen reads it: never a staff member's name, the unit that answered. */
function actorWords(e: { actor_type: string }, r: Pick<RequestRow, 'owner_kind'>, facilityName: string | null): string {
  if (e.actor_type === 'citizen') return 'Bạn';
  if (e.actor_type === 'staff') return r.owner_kind === 'facility' && facilityName ? facilityName : 'Cơ quan quản lý y tế';
  return 'Hệ thống';
}

function noteOf(e: { action: string; detail: Record<string, unknown> | null }): string | null {
  const d = e.detail ?? {};
  if (e.action === 'rejected' && typeof d.reason === 'string') return d.reason;
  if (e.action === 'resolved') return [RESOLUTION_WORDS[d.resolution as keyof typeof RESOLUTION_WORDS], typeof d.note === 'string' ? d.note : ''].filter(Boolean).join(' ');
  return null;
}

/**
 * The book's "Yêu cầu sửa thông tin của tôi". A request about a sensitive visit is listed only when
 * the book shows sensitive visits, like the visit itself.
 */
export async function citizenRequests(db: Db, personId: string, opts: { includeSensitive: boolean }): Promise<{ requests: CitizenCorrection[]; unread: number }> {
  let q = correctionDb(db)
    .selectFrom('correction_request as r')
    .leftJoin('facility as f', 'f.code', 'r.facility_code')
    .selectAll('r')
    .select('f.name as facility_name')
    .where('r.person_id', '=', personId);
  if (!opts.includeSensitive) q = q.where('r.sensitive', '=', false);
  const rows = await q.orderBy('r.created_at', 'desc').limit(200).execute();
  const events = await eventsOf(db, rows.map((r) => r.id));
  const requests = rows.map((r): CitizenCorrection => {
    const history = events
      .filter((e) => e.request_id === r.id)
      .map((e): CorrectionEventView => ({ at: e.at.toISOString(), action: e.action, actor: actorWords(e, r, r.facility_name), from_status: e.from_status, to_status: e.to_status, note: noteOf(e) }));
    const last = [...history].reverse().find((h) => h.action === 'resolved' || h.action === 'rejected');
    return {
      id: r.id,
      kind: r.kind,
      fields: r.fields,
      note: r.note,
      episode_label: r.episode_label,
      status: r.status,
      due_on: r.due_on,
      created_at: r.created_at.toISOString(),
      updated_at: r.updated_at.toISOString(),
      handled_by: r.owner_kind === 'facility' ? (r.facility_name ?? r.facility_code ?? 'Cơ sở y tế') : 'Cán bộ quản lý định danh của xã/phường',
      resolution_kind: r.resolution_kind,
      outcome: last?.note ?? null,
      unread: r.citizen_unread,
      history,
    };
  });
  return { requests, unread: requests.filter((r) => r.unread).length };
}

/** The citizen has seen the latest status of these requests (their own book's only). */
export async function markRead(db: Db, personId: string, ids: readonly number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await correctionDb(db)
    .updateTable('correction_request')
    .set({ citizen_unread: false })
    .where('person_id', '=', personId)
    .where('id', 'in', [...ids])
    .where('citizen_unread', '=', true)
    .executeTakeFirst();
  return Number(r.numUpdatedRows ?? 0);
}
