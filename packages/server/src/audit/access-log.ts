import { viDate, viDateTime } from '@openhssk/core';
import type { AccessEvent, AccessLog, AccessLogFilter } from '@openhssk/core/api';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';

/**
 * The citizen's "Ai đã xem hồ sơ của tôi": every audit row about one person, said as a plain
 * Vietnamese sentence ("BS. Nguyễn Văn Minh, Bệnh viện … xem tóm tắt hồ sơ lúc 12/03/2026 14:05").
 * The wording is produced here, from the tables below, so every screen and client says the same
 * thing and no action code or record id ever reaches the citizen.
 */

/**
 * What each audited action did, as a verb phrase. `{what}` is replaced by the record it concerned
 * ("lượt khám ngày 01/02/2026 tại …") or, when that record cannot be named, by `what`.
 */
interface ActionWording {
  text: string;
  what?: string;
}

const EPISODE = 'một lượt khám';

export const ACCESS_ACTIONS: Readonly<Record<string, ActionWording>> = {
  // The citizen's own book (or a parent reading a child's).
  'book.summary.read': { text: 'xem trang tổng quan sổ sức khỏe' },
  'book.episodes.list': { text: 'xem danh sách lượt khám' },
  'book.episode.read': { text: 'xem chi tiết {what}', what: EPISODE },
  'book.episode.pdf': { text: 'tải bản PDF của {what}', what: EPISODE },
  'book.pdf': { text: 'tải bản PDF sổ sức khỏe' },
  'book.vaccinations.list': { text: 'xem lịch sử tiêm chủng' },
  'book.primary_care.read': { text: 'xem hồ sơ sức khỏe do trạm y tế ghi' },
  'book.declarations.list': { text: 'xem thông tin tự khai báo' },
  'book.declaration.create': { text: 'thêm thông tin tự khai báo' },
  'book.declaration.update': { text: 'sửa thông tin tự khai báo' },
  'book.declaration.delete': { text: 'xóa thông tin tự khai báo' },
  'book.access_log.read': { text: 'xem nhật ký truy cập' },
  'book.dependents.list': { text: 'xem danh sách sổ của con' },
  'book.share.create': { text: 'tạo mã chia sẻ hồ sơ cho bác sĩ' },
  'book.share.revoke': { text: 'thu hồi mã chia sẻ' },
  'book.contact.read': { text: 'xem số điện thoại, địa chỉ tự khai báo' },
  'book.contact.update': { text: 'cập nhật số điện thoại, địa chỉ tự khai báo' },
  'book.appointments.list': { text: 'xem lịch hẹn khám lại, chuyển tuyến' },
  'book.notifications.list': { text: 'xem thông báo của sổ sức khỏe' },
  'book.notification_settings.update': { text: 'thay đổi cách nhận lời nhắc lịch hẹn' },
  'appointments.facility.read': { text: 'xem danh sách người bệnh có lịch hẹn tại cơ sở' },
  'appointments.station.read': { text: 'xem danh sách lịch hẹn của người dân trong xã' },
  // Said after "Bác sĩ có mã chia sẻ", which already names the way in.
  'share.view': { text: 'mở hồ sơ' },
  'share.episode.read': { text: 'xem chi tiết {what}', what: EPISODE },
  'consent.give': { text: 'đồng ý sử dụng Sổ sức khỏe điện tử' },
  'consent.withdraw': { text: 'rút lại sự đồng ý sử dụng Sổ sức khỏe điện tử' },
  'consent.cross_facility.give': { text: 'cho phép bác sĩ nơi đang khám xem tiền sử ở cơ sở khác' },
  'consent.cross_facility.withdraw': { text: 'tắt quyền xem tiền sử ở cơ sở khác' },
  // Hospitals and clinics.
  'clinic.checkin': { text: 'tiếp nhận {what}', what: 'một lượt khám' },
  'clinic.summary.read': { text: 'xem tóm tắt hồ sơ' },
  'clinic.summary.denied': { text: 'định xem tóm tắt hồ sơ nhưng bị từ chối vì không đang điều trị cho người bệnh' },
  'clinic.break_glass': { text: 'mở hồ sơ theo quy trình truy cập khẩn cấp khi cấp cứu' },
  'clinic.episode.read': { text: 'xem chi tiết {what}', what: EPISODE },
  'clinic.episode.denied': { text: 'định xem chi tiết một lượt khám nhưng bị từ chối vì không đang điều trị cho người bệnh' },
  'ingest.checkin.xml0': { text: 'ghi nhận {what}', what: 'một lượt đến khám' },
  // Families and the population register.
  'family.relations.read': { text: 'xem quan hệ gia đình' },
  'family.relation.confirm': { text: 'xác nhận quan hệ cha mẹ – con' },
  'family.relation.remove': { text: 'gỡ quan hệ cha mẹ – con' },
  'mpi.review.read': { text: 'xem hồ sơ có thể bị trùng để rà soát' },
  'mpi.review.merged': { text: 'gộp hai hồ sơ trùng của cùng một người' },
  'mpi.review.separate': { text: 'xác nhận hai hồ sơ là của hai người khác nhau' },
  'mpi.merge.undo': { text: 'hoàn tác việc gộp hồ sơ' },
  // The commune health station.
  'station.household.list': { text: 'xem danh sách hộ gia đình của xã' },
  'station.household.read': { text: 'xem sổ hộ gia đình' },
  'station.household.print': { text: 'in phiếu hộ gia đình' },
  'station.household_list.export': { text: 'tải danh sách hộ gia đình của xã' },
  'station.person.read': { text: 'xem hồ sơ dân cư tại trạm y tế' },
  'station.search': { text: 'tìm kiếm người dân và thấy hồ sơ trong kết quả' },
  'station.day_list.read': { text: 'xem danh sách khám trong ngày của trạm' },
  'station.event.birth': { text: 'ghi nhận khai sinh' },
  'station.event.death': { text: 'ghi nhận khai tử' },
  'station.event.move_in': { text: 'ghi nhận chuyển đến' },
  'station.event.move_out': { text: 'ghi nhận chuyển đi' },
  'primary_care.person.read': { text: 'xem hồ sơ sức khỏe ban đầu tại trạm y tế' },
  'primary_care.history.read': { text: 'xem lịch sử thay đổi hồ sơ tại trạm y tế' },
  'primary_care.record.write': { text: 'cập nhật hồ sơ sức khỏe ban đầu' },
  'primary_care.checkup.create': { text: 'ghi một lần khám sức khỏe định kỳ' },
  'primary_care.followup.create': { text: 'ghi một lần theo dõi bệnh mạn tính' },
  'primary_care.enrolment.create': { text: 'đưa vào sổ quản lý bệnh mạn tính' },
  'primary_care.proposal.accept': { text: 'đưa vào sổ quản lý bệnh mạn tính' },
  'primary_care.proposal.decline': { text: 'không đưa vào sổ quản lý bệnh mạn tính' },
  'primary_care.register.list': { text: 'xem sổ quản lý bệnh mạn tính của trạm' },
  'primary_care.due.list': { text: 'xem danh sách người cần tái khám' },
  'primary_care.enrolment.close': { text: 'kết thúc quản lý bệnh mạn tính' },
  // Immunization (the book's section, the station, the facility that gave a dose).
  'book.immunization.family': { text: 'xem các mũi tiêm sắp đến hạn' },
  'book.immunization.slot_request': { text: 'đăng ký tiêm chủng tại trạm y tế' },
  'book.vaccination.certificate': { text: 'tải giấy chứng nhận tiêm chủng' },
  'book.vaccination.reaction.create': { text: 'báo phản ứng sau tiêm' },
  'immunization.person.read': { text: 'xem lịch sử tiêm chủng tại trạm y tế' },
  'immunization.dose.record': { text: 'ghi nhận một mũi tiêm' },
  'immunization.certificate.print': { text: 'in giấy chứng nhận tiêm chủng' },
  'immunization.plan.read': { text: 'xem danh sách trẻ cần tiêm trong tháng' },
  'immunization.session_list.export': { text: 'tải danh sách mời tiêm chủng' },
  'immunization.reaction.list': { text: 'xem báo cáo phản ứng sau tiêm' },
  'immunization.reaction.update': { text: 'xử lý báo cáo phản ứng sau tiêm' },
  'immunization.slot_request.list': { text: 'xem danh sách đăng ký tiêm chủng' },
  'immunization.slot_request.update': { text: 'xếp lịch tiêm theo đăng ký' },
  // Correction requests ("Báo thông tin sai"): the citizen's own, and the staff who handle them.
  'book.correction.create': { text: 'gửi yêu cầu sửa thông tin sai' },
  'book.corrections.list': { text: 'xem các yêu cầu sửa thông tin' },
  'correction.queue.read': { text: 'xem yêu cầu sửa thông tin trong danh sách cần xử lý' },
  'correction.read': { text: 'xem yêu cầu sửa thông tin' },
  'correction.take': { text: 'nhận xử lý yêu cầu sửa thông tin' },
  'correction.resolve': { text: 'giải quyết yêu cầu sửa thông tin' },
  'correction.reject': { text: 'từ chối yêu cầu sửa thông tin' },
  // Other systems reading through the FHIR interface (a facility's software, the health department).
  'fhir.read': { text: 'đọc hồ sơ qua giao diện kết nối FHIR' },
  'fhir.search': { text: 'tìm kiếm và thấy hồ sơ qua giao diện kết nối FHIR' },
  'fhir.everything': { text: 'đọc toàn bộ hồ sơ qua giao diện kết nối FHIR' },
  'fhir.summary': { text: 'lấy bản tóm tắt hồ sơ sức khỏe qua giao diện kết nối FHIR' },
  'smart.authorize': { text: 'cho phép một ứng dụng đọc hồ sơ qua giao diện kết nối FHIR' },
  'smart.revoke': { text: 'thu hồi quyền đọc hồ sơ của một ứng dụng' },
  'fhir.export': { text: 'trích xuất hồ sơ hàng loạt cho kho dữ liệu y tế qua giao diện kết nối FHIR' },
};

/** An action this table does not know yet is still shown, in words that claim nothing it did not do. */
const UNKNOWN_ACTION: ActionWording = { text: 'truy cập hồ sơ' };

/** Staff roles as the citizen reads them; `title` goes before the name ("BS. Nguyễn Văn Minh"). */
export const ROLE_WORDS: Readonly<Record<string, { label: string; title?: string }>> = {
  clinician: { label: 'bác sĩ', title: 'BS.' },
  receptionist: { label: 'nhân viên tiếp đón' },
  facility_admin: { label: 'quản trị cơ sở y tế' },
  system_admin: { label: 'quản trị hệ thống' },
  health_officer: { label: 'cán bộ quản lý y tế' },
  station_head: { label: 'trạm trưởng trạm y tế' },
  station_clinician: { label: 'y sĩ/bác sĩ trạm y tế' },
  station_nurse: { label: 'điều dưỡng/nữ hộ sinh trạm y tế' },
  population_collaborator: { label: 'cộng tác viên dân số' },
  // A citizen reading a child's book.
  parent: { label: 'cha/mẹ' },
  guardian: { label: 'người giám hộ' },
};

export const EMERGENCY_ACCESS = 'Truy cập khẩn cấp khi cấp cứu';

export interface AccessLogQuery {
  personId: string;
  /** The citizen reading the log: their own rows are "Bạn" and left out of the "others" filter. */
  viewerSubject: string;
  filter: AccessLogFilter;
  /** Rows older than this event id (the `next_before` of the previous page). */
  before?: number | undefined;
  limit: number;
  /**
   * Episodes the reader has not chosen to show (sensitive ones unless asked): a row about one says
   * "một lượt khám", the same words as for an episode that cannot be found, with no date or place.
   */
  withheldEpisodes: ReadonlySet<number>;
  /**
   * The clinician's emergency reason is free text ("nghi sốc do thuốc ARV") that can reveal a
   * sensitive condition the reader has not chosen to show: sent only when they have.
   */
  showEmergencyReasons: boolean;
}

/** A row as the server builds it (`at` is serialised as an ISO instant). */
export type AccessLogEntry = Omit<AccessEvent, 'at'> & { at: Date };

export type AccessLogPage = Omit<AccessLog, 'events' | 'viewing_child'> & { events: AccessLogEntry[] };

interface Place {
  date: string;
  facility: string;
}

/** Episodes and visits named by the rows of one page, as "date + facility", only those of this person. */
async function placesOf(db: Db, personId: string, resources: Array<string | null>, withheld: ReadonlySet<number>) {
  const episodeIds = new Set<number>();
  const visitIds = new Set<number>();
  const xml0 = new Map<string, { facility: string; maLk: string }>();
  for (const r of resources) {
    const m = r ? /^(episode|visit)\/(\d+)$/.exec(r) : null;
    if (m) (m[1] === 'episode' ? episodeIds : visitIds).add(Number(m[2]));
    const x = r ? /^visit\/([^/]+)\/(.+)$/.exec(r) : null;
    if (x) xml0.set(r!, { facility: x[1]!, maLk: x[2]! });
  }
  const out = new Map<string, Place>();
  const named = [...episodeIds].filter((id) => !withheld.has(id));
  if (named.length > 0) {
    const rows = await db
      .selectFrom('episode as e')
      .leftJoin('facility as f', 'f.code', 'e.facility_code')
      .select(['e.id', 'e.ngay_vao', 'e.facility_code', 'f.name'])
      .where('e.person_id', '=', personId)
      .where('e.id', 'in', named)
      .execute();
    for (const r of rows) out.set(`episode/${r.id}`, { date: r.ngay_vao, facility: r.name ?? r.facility_code });
  }
  if (visitIds.size > 0 || xml0.size > 0) {
    const rows = await db
      .selectFrom('visit as v')
      .leftJoin('facility as f', 'f.code', 'v.facility_code')
      .select(['v.id', 'v.ngay_vao', 'v.facility_code', 'v.ma_lk', 'v.episode_id', 'f.name'])
      .where('v.person_id', '=', personId)
      .where((eb) =>
        eb.or([
          ...(visitIds.size > 0 ? [eb('v.id', 'in', [...visitIds])] : []),
          ...[...xml0.values()].map((k) => eb.and([eb('v.facility_code', '=', k.facility), eb('v.ma_lk', '=', k.maLk)])),
        ]),
      )
      .execute();
    for (const r of rows) {
      // A visit that became a withheld episode is withheld with it.
      if (r.episode_id !== null && withheld.has(r.episode_id)) continue;
      const place = { date: r.ngay_vao, facility: r.name ?? r.facility_code };
      if (visitIds.has(r.id)) out.set(`visit/${r.id}`, place);
      out.set(`visit/${r.facility_code}/${r.ma_lk}`, place);
    }
  }
  return out;
}

interface Row {
  id: number;
  at: Date | string;
  actor_type: string;
  actor_id: string;
  actor_name: string | null;
  actor_role: string | null;
  facility_code: string | null;
  facility_name: string | null;
  action: string;
  resource: string | null;
  break_glass: boolean;
  detail: unknown;
}

function whoOf(r: Row, self: boolean): string {
  if (self) return 'Bạn';
  const role = r.actor_role ? ROLE_WORDS[r.actor_role] : undefined;
  switch (r.actor_type) {
    case 'staff': {
      const name = r.actor_name?.trim() || 'Một nhân viên y tế';
      // Account names sometimes carry the title already ("BS. Nguyễn Văn Minh").
      if (role?.title) return name.toLowerCase().startsWith(role.title.toLowerCase()) ? name : `${role.title} ${name}`;
      return role ? `${name} (${role.label})` : name;
    }
    case 'citizen': {
      const name = r.actor_name?.trim() || 'Một người dùng Sổ sức khỏe';
      return role ? `${name} (${role.label})` : name;
    }
    case 'share':
      return 'Bác sĩ có mã chia sẻ';
    case 'app':
      return `Ứng dụng ${r.actor_name?.trim() || 'bên ngoài'}`;
    case 'facility':
      return `Hệ thống của ${r.facility_name ?? r.facility_code ?? 'cơ sở y tế'}`;
    default:
      return 'Hệ thống Sổ sức khỏe điện tử';
  }
}

/**
 * The citizen's own choice when they let an app in (the consent screen), so their log says what they
 * allowed. Only the grant is worded, never whether a read returned sensitive episodes: the log is also
 * read by others (a guardian), and that would hint that such episodes exist.
 */
function grantedSensitive(r: Row): boolean {
  return r.action === 'smart.authorize' && !!r.detail && typeof r.detail === 'object' && (r.detail as Record<string, unknown>).include_sensitive === true;
}

function reasonOf(detail: unknown): string | null {
  const v = detail && typeof detail === 'object' ? (detail as Record<string, unknown>).reason : undefined;
  return typeof v === 'string' && v.trim() ? v.trim() : null;
}

/** One page of the log, newest first, each row worded. */
export async function personAccessLog(db: Db, q: AccessLogQuery): Promise<AccessLogPage> {
  const others = sql<boolean>`not (a.actor_type = 'citizen' and a.actor_id = ${q.viewerSubject})`;
  let rows = db
    .selectFrom('audit_event as a')
    .leftJoin('facility as f', 'f.code', 'a.facility_code')
    .select(['a.id', 'a.at', 'a.actor_type', 'a.actor_id', 'a.actor_name', 'a.actor_role', 'a.facility_code', 'f.name as facility_name', 'a.action', 'a.resource', 'a.break_glass', 'a.detail'])
    .where('a.person_id', '=', q.personId)
    .orderBy('a.id', 'desc')
    .limit(q.limit + 1);
  if (q.filter === 'others') rows = rows.where(others);
  if (q.before !== undefined) rows = rows.where('a.id', '<', q.before);
  const [found, counts] = await Promise.all([
    rows.execute(),
    db
      .selectFrom('audit_event as a')
      .select([(eb) => eb.fn.countAll<string>().as('all'), sql<string>`count(*) filter (where ${others})`.as('others')])
      .where('a.person_id', '=', q.personId)
      .executeTakeFirstOrThrow(),
  ]);
  const page = found.slice(0, q.limit) as Row[];
  const places = await placesOf(db, q.personId, page.map((r) => r.resource), q.withheldEpisodes);
  const events = page.map((r): AccessLogEntry => {
    const self = r.actor_type === 'citizen' && r.actor_id === q.viewerSubject;
    const wording = ACCESS_ACTIONS[r.action] ?? UNKNOWN_ACTION;
    const place = r.resource ? places.get(r.resource) : undefined;
    const kind = r.resource?.startsWith('visit/') ? (r.action === 'ingest.checkin.xml0' ? 'lượt đến khám' : 'lượt khám') : 'lượt khám';
    const what = wording.text.replace('{what}', place ? `${kind} ngày ${viDate(place.date)} tại ${place.facility}` : (wording.what ?? ''))
      + (grantedSensitive(r) ? ', gồm cả các lượt khám nhạy cảm' : '');
    const at = new Date(r.at);
    const when = viDateTime(at);
    const who = whoOf(r, self);
    // The actor's own workplace; a facility's system already names it.
    const where = r.actor_type === 'staff' ? (r.facility_name ?? r.facility_code) : null;
    const emergency = r.break_glass ? ` (${EMERGENCY_ACCESS.toLowerCase()})` : '';
    const emergencyReason = r.action === 'clinic.break_glass' ? reasonOf(r.detail) : null;
    const reasonShown = q.showEmergencyReasons ? emergencyReason : null;
    return {
      id: r.id,
      at,
      actor_type: r.actor_type,
      // A citizen's personal id is not echoed for anyone but that citizen (a parent, a share viewer).
      actor_id: r.actor_type === 'citizen' && !self ? null : r.actor_id,
      actor_name: r.actor_name,
      actor_role: r.actor_role,
      role_label: r.actor_role ? (ROLE_WORDS[r.actor_role]?.label ?? null) : null,
      facility_code: r.facility_code,
      facility_name: r.facility_name,
      action: r.action,
      break_glass: r.break_glass,
      self,
      who,
      where,
      what,
      when,
      sentence: `${who}${where ? `, ${where}` : ''} ${what}${r.action === 'clinic.break_glass' ? '' : emergency} lúc ${when}`,
      emergency_reason: reasonShown,
      emergency_reason_withheld: emergencyReason !== null && reasonShown === null,
    };
  });
  return {
    filter: q.filter,
    counts: { others: Number(counts.others), all: Number(counts.all) },
    events,
    next_before: found.length > q.limit ? (page.at(-1)?.id ?? null) : null,
  };
}
