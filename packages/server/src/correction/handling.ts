import { DomainError, invalid, notFound, vietnamToday } from '@openhssk/core';
import type { CorrectionPersonalField, CorrectionResolution, CorrectionStatus, StaffCorrection, StaffCorrectionDetail } from '@openhssk/core/api';
import { type ExpressionBuilder, sql } from 'kysely';
import { audit, auditMany } from '../audit/index.ts';
import type { Db, Schema } from '../db/index.ts';
import { type StaffContext, staffActor, unitDescendants } from '../staff/index.ts';
import { PERSONAL_FIELD_CODES } from './requests.ts';
import { changeRequest, eventsOf, newerVersions, type RequestRow, requestById } from './store.ts';
import { type CorrectionTables, correctionDb } from './tables.ts';

/** Staff who handle requests: the sending facility's admin, and the MPI officers (area) and system admins for identity data. */
export const HANDLER_ROLES = ['facility_admin', 'health_officer', 'system_admin'] as const;

export interface Handler {
  staff: StaffContext;
  /** Communes a health officer covers; undefined for everyone else. */
  area: string[] | undefined;
}

export async function handlerOf(db: Db, staff: StaffContext): Promise<Handler> {
  if (staff.role !== 'health_officer') return { staff, area: undefined };
  return { staff, area: staff.adminUnitCode ? await unitDescendants(db, staff.adminUnitCode) : [] };
}

const isMpiOfficer = (h: Handler) => h.staff.role === 'health_officer' || h.staff.role === 'system_admin';

/**
 * What a handler may see. A facility admin: its own facility's requests, sensitive ones included (it
 * sent the visit). An MPI officer: identity requests of its area that are not about a sensitive visit,
 * which never enter a cross-facility queue.
 */
function visibleTo(h: Handler) {
  return (eb: ExpressionBuilder<Schema & CorrectionTables & { r: CorrectionTables['correction_request'] }, 'r'>) => {
    if (h.staff.role === 'facility_admin') return h.staff.facilityCode ? eb('r.facility_code', '=', h.staff.facilityCode) : eb.val(false);
    if (!isMpiOfficer(h)) return eb.val(false);
    const identity = eb.and([eb('r.identity', '=', true), eb('r.sensitive', '=', false)]);
    if (h.area === undefined) return h.staff.role === 'system_admin' ? identity : eb.val(false);
    return h.area.length === 0 ? eb.val(false) : eb.and([identity, eb('r.unit_code', 'in', h.area)]);
  };
}

function canSee(h: Handler, r: RequestRow): boolean {
  if (h.staff.role === 'facility_admin') return !!h.staff.facilityCode && r.facility_code === h.staff.facilityCode;
  if (!isMpiOfficer(h) || !r.identity || r.sensitive) return false;
  return h.area === undefined ? h.staff.role === 'system_admin' : !!r.unit_code && h.area.includes(r.unit_code);
}

const OPEN: readonly CorrectionStatus[] = ['new', 'in_progress'];

type Newer = Awaited<ReturnType<typeof newerVersions>> extends Map<number, infer V> ? V : never;

function capabilities(h: Handler, r: RequestRow, newer: Newer | undefined): StaffCorrection['can'] {
  const open = OPEN.includes(r.status);
  const facilityOwner = h.staff.role === 'facility_admin' && r.owner_kind === 'facility' && r.facility_code === h.staff.facilityCode;
  const owner = facilityOwner || (isMpiOfficer(h) && r.owner_kind === 'mpi');
  const resolve: CorrectionResolution[] = [];
  if (open && facilityOwner && newer) resolve.push('resent');
  if (open && isMpiOfficer(h) && r.identity) resolve.push('mpi_decision');
  if (open && isMpiOfficer(h) && r.kind === 'wrong_personal') resolve.push('golden_field');
  return { take: open && owner && (r.status === 'new' || r.assignee_id !== h.staff.id), resolve, reject: open && owner };
}

type Listed = RequestRow & { facility_name: string | null; ho_ten: string | null; ngay_sinh: string | null; ma_xa: string | null };

function view(h: Handler, r: Listed, newer: Newer | undefined, today: string): StaffCorrection {
  return {
    id: r.id,
    kind: r.kind,
    fields: r.fields,
    note: r.note,
    status: r.status,
    owner_kind: r.owner_kind,
    identity: r.identity,
    facility_code: r.facility_code,
    facility_name: r.facility_name,
    unit_code: r.unit_code,
    assignee_name: r.assignee_name,
    due_on: r.due_on,
    overdue: OPEN.includes(r.status) && r.due_on < today,
    created_at: r.created_at.toISOString(),
    on_behalf_of_child: r.on_behalf_of_child,
    person: { id: r.person_id, ho_ten: r.ho_ten ?? '—', ngay_sinh: r.ngay_sinh, ma_xa: r.ma_xa },
    episode: r.episode_id !== null && r.ma_lk && r.episode_version !== null ? { id: r.episode_id, ma_lk: r.ma_lk, version: r.episode_version, label: r.episode_label } : null,
    newer_version: newer
      ? { episode_id: newer.episode_id, version: newer.version, received_at: newer.received_at.toISOString(), still_this_person: newer.person_id === r.person_id }
      : null,
    personal_before: r.personal_before,
    resolution_kind: r.resolution_kind,
    resolution_ref: r.resolution_ref,
    resolution_note: r.resolution_note,
    can: capabilities(h, r, newer),
  };
}

function listed(db: Db) {
  return correctionDb(db)
    .selectFrom('correction_request as r')
    .leftJoin('facility as f', 'f.code', 'r.facility_code')
    .leftJoin('person as p', 'p.id', 'r.person_id')
    .selectAll('r')
    .select(['f.name as facility_name', 'p.ho_ten', 'p.ngay_sinh', 'p.ma_xa']);
}

export interface QueueFilter {
  status?: CorrectionStatus | 'open' | undefined;
  overdue?: boolean | undefined;
}

/** The handler's queue, open and overdue first; every person shown is audited. */
export async function queue(db: Db, h: Handler, f: QueueFilter, requestId: string, today = vietnamToday()): Promise<StaffCorrection[]> {
  let q = listed(db).where(visibleTo(h));
  if (f.status === 'open' || f.overdue) q = q.where('r.status', 'in', [...OPEN]);
  else if (f.status) q = q.where('r.status', '=', f.status);
  if (f.overdue) q = q.where('r.due_on', '<', today);
  const rows = await q
    .orderBy(sql`(r.status in ('new', 'in_progress'))`, 'desc')
    .orderBy('r.due_on')
    .orderBy('r.id')
    .limit(500)
    .execute();
  const newer = await newerVersions(db, rows);
  await auditMany(
    db,
    rows.map((r) => ({ actor: staffActor(h.staff), action: 'correction.queue.read', personId: r.person_id, resource: `correction_request/${r.id}`, requestId })),
  );
  return rows.map((r) => view(h, r, newer.get(r.id), today));
}

async function visible(db: Db, h: Handler, id: number): Promise<RequestRow> {
  const r = await requestById(db, id);
  // Someone else's request and a missing one answer alike: its existence is not disclosed.
  if (!r || !canSee(h, r)) throw notFound('yêu cầu sửa thông tin', 'Correction request');
  return r;
}

export async function detail(db: Db, h: Handler, id: number, requestId: string, today = vietnamToday()): Promise<StaffCorrectionDetail> {
  await visible(db, h, id);
  const r = (await listed(db).where('r.id', '=', id).executeTakeFirstOrThrow()) as Listed;
  const newer = (await newerVersions(db, [r])).get(r.id);
  const history = (await eventsOf(db, [id])).map((e) => ({
    at: e.at.toISOString(),
    action: e.action,
    actor: e.actor_name ?? e.actor_id,
    actor_type: e.actor_type,
    from_status: e.from_status,
    to_status: e.to_status,
    note: typeof e.detail?.reason === 'string' ? e.detail.reason : typeof e.detail?.note === 'string' ? e.detail.note : null,
  }));
  await audit(db, { actor: staffActor(h.staff), action: 'correction.read', personId: r.person_id, resource: `correction_request/${id}`, requestId });
  return { ...view(h, r, newer, today), history };
}

const conflict = () =>
  new DomainError('conflict', 'CORRECTION_NOT_OPEN', 'Yêu cầu này đã được giải quyết hoặc từ chối.', 'This request is already resolved or rejected.');
const notAllowed = () => new DomainError('forbidden', 'CORRECTION_NOT_YOURS', 'Bạn không phụ trách yêu cầu này.', 'You do not handle this request.');

export async function take(db: Db, h: Handler, id: number, requestId: string) {
  const r = await visible(db, h, id);
  const can = capabilities(h, r, undefined);
  if (!OPEN.includes(r.status)) throw conflict();
  if (!can.take) throw notAllowed();
  const ok = await changeRequest(
    db,
    id,
    OPEN,
    { status: 'in_progress', assignee_id: h.staff.id, assignee_name: h.staff.name, citizen_unread: r.status === 'new' ? true : r.citizen_unread },
    staffActor(h.staff),
    { action: 'taken', to_status: 'in_progress', detail: { assignee: h.staff.name } },
  );
  if (!ok) throw conflict();
  await audit(db, { actor: staffActor(h.staff), action: 'correction.take', personId: r.person_id, resource: `correction_request/${id}`, requestId });
  return { id, status: 'in_progress' as const, assignee_name: h.staff.name };
}

export async function reject(db: Db, h: Handler, id: number, reason: string, requestId: string) {
  const r = await visible(db, h, id);
  const text = reason.trim().replace(/\s+/g, ' ');
  if (text.length < 10) throw invalid('CORRECTION_REASON_SHORT', 'Hãy ghi lý do từ chối để người dân hiểu (ít nhất 10 ký tự).', 'Give the reason for refusing (at least 10 characters).', { field: 'reason' });
  if (!OPEN.includes(r.status)) throw conflict();
  if (!capabilities(h, r, undefined).reject) throw notAllowed();
  const ok = await changeRequest(
    db,
    id,
    OPEN,
    { status: 'rejected', resolution_note: text, closed_at: new Date(), citizen_unread: true, assignee_id: r.assignee_id ?? h.staff.id, assignee_name: r.assignee_name ?? h.staff.name },
    staffActor(h.staff),
    { action: 'rejected', to_status: 'rejected', detail: { reason: text } },
  );
  if (!ok) throw conflict();
  await audit(db, { actor: staffActor(h.staff), action: 'correction.reject', personId: r.person_id, resource: `correction_request/${id}`, requestId, detail: { reason: text } });
  return { id, status: 'rejected' as const };
}

export interface Resolution {
  resolution: CorrectionResolution;
  /** mpi_decision: `mpi_review/N` or `mpi_merge/N`, the MPI's own decision (made through its screens). */
  ref?: string | undefined;
  note?: string | undefined;
}

/** The MPI decision named by `ref`, made after the request and about this person; the MPI's tables are only read. */
async function mpiDecision(db: Db, r: RequestRow, ref: string | undefined): Promise<Record<string, unknown>> {
  const m = /^(mpi_review|mpi_merge)\/(\d{1,15})$/.exec(ref ?? '');
  const unknown = () =>
    invalid(
      'CORRECTION_MPI_REF_UNKNOWN',
      'Không tìm thấy quyết định tách/gộp hồ sơ nào về người này sau khi có yêu cầu (nhập mã dạng mpi_review/123 hoặc mpi_merge/45).',
      'No MPI merge or separation about this person after the request was found (use mpi_review/123 or mpi_merge/45).',
      { field: 'ref' },
    );
  if (!m) throw unknown();
  const id = Number(m[2]);
  if (m[1] === 'mpi_review') {
    const hit = await sql<{ status: string }>`
      select rv.status from mpi_review rv
       where rv.id = ${id} and rv.status in ('merged', 'separate') and rv.decided_at >= ${r.created_at}
         and (exists (select 1 from source_record sr where sr.person_id = ${r.person_id}
                       and ((sr.source_system = rv.a_system and sr.source_id = rv.a_id) or (sr.source_system = rv.b_system and sr.source_id = rv.b_id)))
              or exists (select 1 from mpi_merge mg where mg.review_id = rv.id and ${r.person_id} in (mg.from_person, mg.to_person)))`.execute(db);
    if (!hit.rows[0]) throw unknown();
    return { mpi_review: id, decision: hit.rows[0].status };
  }
  const hit = await sql<{ undone: boolean }>`
    select (mg.undone_at is not null) as undone from mpi_merge mg
     where mg.id = ${id} and ${r.person_id} in (mg.from_person, mg.to_person)
       and greatest(mg.decided_at, coalesce(mg.undone_at, mg.decided_at)) >= ${r.created_at}`.execute(db);
  if (!hit.rows[0]) throw unknown();
  return { mpi_merge: id, undone: hit.rows[0].undone };
}

/** The personal fields the request named whose golden value changed since it was made. */
async function goldenChange(db: Db, r: RequestRow): Promise<Record<string, unknown>> {
  const before = r.personal_before ?? {};
  const person = await db.selectFrom('person').select(PERSONAL_FIELD_CODES).where('id', '=', r.person_id).executeTakeFirst();
  const changed = Object.entries(before).flatMap(([f, was]) => {
    const now = person?.[f as CorrectionPersonalField];
    const text = now === null || now === undefined ? null : String(now);
    return text !== was ? [{ field: f, from: was, to: text }] : [];
  });
  if (changed.length === 0) {
    throw invalid(
      'CORRECTION_GOLDEN_UNCHANGED',
      'Hồ sơ gốc chưa thay đổi ở các mục người dân báo sai; hãy sửa nguồn dữ liệu (danh sách dân cư hoặc cơ sở gửi lại) trước.',
      'The golden record has not changed in the fields reported; correct the source data first.',
    );
  }
  return { changed };
}

/**
 * Resolves a request with evidence the system can check: a re-sent version of the visit (facility),
 * an MPI merge or separation, or a changed golden-record field. Nothing here writes another module's
 * tables; the fix itself went through ingest or the MPI.
 */
export async function resolve(db: Db, h: Handler, id: number, input: Resolution, requestId: string) {
  const r = await visible(db, h, id);
  if (!OPEN.includes(r.status)) throw conflict();
  const newer = (await newerVersions(db, [r])).get(id);
  if (!capabilities(h, r, newer).resolve.includes(input.resolution)) {
    if (input.resolution === 'resent' && h.staff.role === 'facility_admin' && r.facility_code === h.staff.facilityCode && !newer) {
      throw new DomainError(
        'conflict',
        'CORRECTION_NOT_RESENT',
        'Chưa nhận được phiên bản mới của lượt khám này; hãy gửi lại hồ sơ đã sửa (cùng MA_LK) qua cổng tiếp nhận rồi đánh dấu.',
        'No newer version of this visit has arrived; re-send the corrected episode (same MA_LK) through ingest first.',
      );
    }
    throw notAllowed();
  }
  let evidence: Record<string, unknown>;
  let ref: string;
  if (input.resolution === 'resent') {
    if (r.kind === 'not_mine' && newer!.person_id === r.person_id) {
      throw new DomainError(
        'conflict',
        'CORRECTION_RESENT_STILL_LINKED',
        'Phiên bản gửi lại vẫn mang thông tin của người này nên lượt khám vẫn nằm trong sổ của họ; hãy sửa thông tin người bệnh rồi gửi lại.',
        'The re-sent version still identifies this person, so the visit is still in their book; correct the patient data and re-send.',
      );
    }
    ref = `episode/${newer!.episode_id}`;
    evidence = { episode_id: newer!.episode_id, version: newer!.version, left_book: newer!.person_id !== r.person_id };
  } else if (input.resolution === 'mpi_decision') {
    evidence = await mpiDecision(db, r, input.ref);
    ref = input.ref!;
  } else {
    evidence = await goldenChange(db, r);
    ref = `person/${r.person_id}`;
  }
  const note = input.note?.trim() || null;
  const ok = await changeRequest(
    db,
    id,
    OPEN,
    {
      status: 'resolved', resolution_kind: input.resolution, resolution_ref: ref, resolution_note: note, closed_at: new Date(), citizen_unread: true,
      assignee_id: r.assignee_id ?? h.staff.id, assignee_name: r.assignee_name ?? h.staff.name,
    },
    staffActor(h.staff),
    { action: 'resolved', to_status: 'resolved', detail: { resolution: input.resolution, ref, note, ...evidence } },
  );
  if (!ok) throw conflict();
  await audit(db, { actor: staffActor(h.staff), action: 'correction.resolve', personId: r.person_id, resource: `correction_request/${id}`, requestId, detail: { resolution: input.resolution, ref, ...evidence } });
  return { id, status: 'resolved' as const, resolution_kind: input.resolution, resolution_ref: ref };
}
