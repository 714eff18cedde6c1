import { viDate, vietnamToday, viNumber } from '@openhssk/core';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Alert, ConfirmButtons } from '../../ui.tsx';
import { type Checkup, CLINICIAN_ROLES, type Enrolment, type FieldView, type FormData831, get, type HistoryRow, type PrimaryCarePerson, post, type SectionDef, type SectionView } from '../api.ts';
import { Back, EntryLine, Flash, Staleness, To, useRefresh } from '../components.tsx';
import { ROUTES, useStation } from '../context.ts';
import { db, type OutboxEntry } from '../db.ts';
import { birthText, CONTROL_VI, displayValue, recordedText, relationText, SEX_VI } from '../format.ts';
import { useLive } from '../hooks.ts';
import { ImmunizationSummary } from '../ImmunizationSummary.tsx';
import { factsOf, mayApply, pendingRecords, sectionFilled, valuesText } from '../record.ts';
import { isClinical, refreshPerson } from '../snapshot.ts';
import { Trend } from './Trend.tsx';

/** A member of the commune: identity and household, the 831 record, check-ups, chronic-disease registers. */
export function PersonPage({ personId }: { personId: string }) {
  const { me, form, online } = useStation();
  const cached = useLive(() => db.persons.get(personId), [personId]);
  const snap = useLive(() => db.members.get(personId), [personId]);
  const entries = useLive(() => db.outbox.where('personId').equals(personId).reverse().sortBy('createdAt'), [personId]);
  const { fresh, error, reload } = useRefresh(() => refreshPerson(me, personId), [personId]);
  const clinical = isClinical(me);

  const st = cached?.station;
  const pc = cached?.pc ?? null;
  const name = st?.person.ho_ten ?? pc?.person.ho_ten ?? snap?.hoTen ?? 'Người dân';
  const membership = st?.memberships.find((m) => m.current);
  const householdId = membership?.household_id ?? snap?.householdId ?? null;
  const waiting = (entries ?? []).filter((e) => e.status === 'pending' || ((e.status === 'refused' || e.status === 'conflict') && !e.seen));
  const activeRegisters = (pc?.registers ?? []).filter((r) => r.status === 'active');

  return (
    <>
      <Back to={householdId ? ROUTES.household(householdId) : ROUTES.search}>{householdId ? 'Hộ gia đình' : 'Tìm hộ'}</Back>
      <h1>{name}</h1>
      <Flash />
      <Alert>{error}</Alert>
      {cached ? <Staleness savedAt={cached.savedAt} fresh={fresh} /> : !online && <p className="st-stale">Hồ sơ của người này chưa được tải về máy; vẫn có thể ghi khám và theo dõi, dữ liệu sẽ gửi khi có mạng.</p>}
      <section className="card">
        <dl className="facts">
          <dt>Ngày sinh</dt>
          <dd>
            {birthText(st?.person.ngay_sinh ?? snap?.ngaySinh)}
            {pc?.person.age !== null && pc?.person.age !== undefined ? ` (${pc.person.age} tuổi)` : ''}
          </dd>
          <dt>Giới tính</dt>
          <dd>{SEX_VI[st?.person.gioi_tinh ?? snap?.gioiTinh ?? 0] ?? '—'}</dd>
          <dt>CCCD</dt>
          <dd>{st?.person.so_cccd ?? snap?.cccd ?? '—'}</dd>
          <dt>Thẻ BHYT</dt>
          <dd>{st?.person.so_bhyt ?? snap?.bhyt ?? '—'}</dd>
          <dt>Điện thoại</dt>
          <dd>{st?.person.so_dien_thoai ?? snap?.phone ?? '—'}</dd>
          {st?.person.dia_chi && (
            <>
              <dt>Địa chỉ</dt>
              <dd>{st.person.dia_chi}</dd>
            </>
          )}
          {st?.person.citizen_contact && (
            <>
              <dt>Người dân tự khai</dt>
              <dd data-testid="citizen-contact">
                {st.person.citizen_contact.so_dien_thoai && <>Điện thoại {st.person.citizen_contact.so_dien_thoai}</>}
                {st.person.citizen_contact.so_dien_thoai && st.person.citizen_contact.dia_chi ? <br /> : null}
                {st.person.citizen_contact.dia_chi && <>Địa chỉ hiện nay: {st.person.citizen_contact.dia_chi}</>}
                <br />
                <span className="small">Cập nhật trong Sổ sức khỏe ngày {viDate(st.person.citizen_contact.declared_at)}; thông tin trên là theo danh sách dân cư.</span>
              </dd>
            </>
          )}
          <dt>Hộ gia đình</dt>
          <dd>
            {householdId ? (
              <>
                <To to={ROUTES.household(householdId)}>Hộ {membership?.household_code ?? snap?.householdCode}</To> ·{' '}
                {relationText(membership?.relation ?? snap?.relation ?? null, membership?.relation_label ?? snap?.relationLabel ?? null)}
              </>
            ) : (
              'Chưa thuộc hộ nào trong sổ'
            )}
          </dd>
          {st?.person.deceased_on && (
            <>
              <dt>Đã mất</dt>
              <dd>{viDate(st.person.deceased_on)}</dd>
            </>
          )}
        </dl>
        {clinical && (
          <div className="st-actions">
            <To to={ROUTES.checkup(personId)} className="button primary">
              Khám sức khỏe định kỳ
            </To>
            {activeRegisters.map((r) => (
              <To key={r.id} to={ROUTES.followUp(personId, r.register)} className="button primary">
                Theo dõi {r.label_vi.toLowerCase()}
              </To>
            ))}
          </div>
        )}
      </section>

      {waiting.length > 0 && (
        <section className="card st-waiting" aria-labelledby="waiting-title">
          <h2 id="waiting-title">Ghi nhận trên máy ({waiting.length})</h2>
          <ul className="st-entries">
            {waiting.map((e) => (
              <EntryLine key={e.entryId} e={e} />
            ))}
          </ul>
        </section>
      )}

      {clinical && <ImmunizationSummary personId={personId} />}
      {clinical && form && <Record831 form={form} personId={personId} pc={pc} entries={entries} />}
      {clinical && <Checkups pc={pc} entries={entries} />}
      {clinical && form && <Registers form={form} pc={pc} entries={entries} canClose={online && CLINICIAN_ROLES.includes(me.role)} onClosed={reload} />}
      {clinical && online && pc && <History form={form} personId={personId} />}
      {st && st.events.length > 0 && (
        <section className="card">
          <h2>Sự kiện hộ tịch tại trạm</h2>
          <ul className="st-list">
            {st.events.map((ev) => (
              <li key={ev.id}>
                {viDate(ev.occurred_on)} · {ev.kind === 'birth' ? 'Sinh' : ev.kind === 'death' ? 'Tử vong' : ev.kind === 'move_in' ? 'Chuyển đến' : 'Chuyển đi'} · ghi bởi {ev.recorded_by_name ?? '—'}
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

function FieldLine({ form, def, view }: { form: FormData831; def: SectionDef; view: Record<string, FieldView> }) {
  const shown = def.fields.filter((f) => view[f.key] && view[f.key]!.value !== null);
  if (shown.length === 0) return <p className="muted">Chưa ghi.</p>;
  return (
    <dl className="st-values">
      {shown.map((f) => {
        const v = view[f.key]!;
        return (
          <div key={f.key}>
            <dt>{f.label_vi}</dt>
            <dd>
              {displayValue(form, f, v.value)}
              <span className="st-who">{recordedText(v.recorded_by.name, v.recorded_by.role, v.facility.name, v.recorded_at)}</span>
            </dd>
          </div>
        );
      })}
    </dl>
  );
}

function SectionBody({ form, def, view }: { form: FormData831; def: SectionDef; view: SectionView | undefined }) {
  if (def.kind === 'single') return <FieldLine form={form} def={def} view={view?.fields ?? {}} />;
  const items = (view?.items ?? []).filter((i) => !i.removed);
  if (items.length === 0) {
    if (view?.none?.value === true) {
      return (
        <p>
          Không có <span className="st-who">{recordedText(view.none.recorded_by.name, view.none.recorded_by.role, view.none.facility.name, view.none.recorded_at)}</span>
        </p>
      );
    }
    return <p className="muted">Chưa ghi.</p>;
  }
  return (
    <ol className="st-items">
      {items.map((i) => (
        <li key={i.item_id}>
          <FieldLine form={form} def={def} view={i.fields} />
        </li>
      ))}
    </ol>
  );
}

function Record831({ form, personId, pc, entries }: { form: FormData831; personId: string; pc: PrimaryCarePerson | null; entries: OutboxEntry[] | undefined }) {
  const facts = factsOf(pc);
  const pending = pendingRecords(entries);
  const sections = form.sections.filter((s) => mayApply(s.appliesTo, facts));
  const c = pc?.completeness;
  const label = (key: string) => form.sections.find((s) => s.key === key)?.label_vi ?? key;
  return (
    <section className="card" aria-labelledby="r831-title">
      <h2 id="r831-title">Hồ sơ sức khỏe cá nhân (QĐ 831)</h2>
      {c && (
        <p data-testid="completeness" className={c.complete ? 'ok' : 'status'}>
          {c.complete ? 'Hồ sơ đã đủ các mục bắt buộc.' : `Chưa đủ: còn thiếu ${c.missing.map(label).join(', ')}.`}
        </p>
      )}
      {!pc && <p className="muted">Hồ sơ chưa có trên máy; các mục ghi mới vẫn được lưu và gửi khi có mạng.</p>}
      {sections.map((def) => {
        const view = pc?.record.find((s) => s.key === def.key);
        const filled = sectionFilled(def, view);
        const required = c?.required.includes(def.key) ?? false;
        const mine = pending.filter((p) => p.section === def.key);
        return (
          <details key={def.key} className="st-section" data-section={def.key}>
            <summary>
              <span className="st-section-title">{def.label_vi}</span>{' '}
              <span className={`st-tag ${filled ? 'st-applied' : required ? 'st-refused' : ''}`}>{filled ? 'Đã ghi' : required ? 'Cần ghi' : 'Chưa ghi'}</span>
              {mine.length > 0 && <span className="st-tag st-pending">Chưa đồng bộ</span>}
            </summary>
            <SectionBody form={form} def={def} view={view} />
            {mine.map((p) => (
              <p key={p.entry.entryId} className="st-pending-value">
                <span className="st-tag st-pending">Chưa đồng bộ</span> {valuesText(form, def, p.values)}
              </p>
            ))}
            <To to={ROUTES.section(personId, def.key)} className="button secondary">
              {def.kind === 'list' ? 'Thêm / sửa mục' : 'Cập nhật'} «{def.label_vi}»
            </To>
          </details>
        );
      })}
    </section>
  );
}

interface PendingCheckup {
  examinedOn: string;
  sbp?: number;
  dbp?: number;
  heightCm?: number;
  weightKg?: number;
  pulse?: number;
}

function Checkups({ pc, entries }: { pc: PrimaryCarePerson | null; entries: OutboxEntry[] | undefined }) {
  const pending = (entries ?? []).filter((e) => e.kind === 'checkup' && e.status === 'pending');
  const stored: Checkup[] = pc?.checkups ?? [];
  if (stored.length === 0 && pending.length === 0) {
    return (
      <section className="card">
        <h2>Khám sức khỏe định kỳ</h2>
        <p className="muted">Chưa có lần khám nào tại trạm.</p>
      </section>
    );
  }
  return (
    <section className="card" aria-labelledby="checkups-title">
      <h2 id="checkups-title">Khám sức khỏe định kỳ</h2>
      <ul className="st-list">
        {pending.map((e) => {
          const c = (e.body as { checkup: PendingCheckup }).checkup;
          return (
            <li key={e.entryId} data-entry-id={e.entryId}>
              <strong>{viDate(c.examinedOn)}</strong> <span className="st-tag st-pending">Chưa đồng bộ</span>
              <div className="small">{checkupLine(c.sbp, c.dbp, c.pulse, c.heightCm, c.weightKg, null)}</div>
            </li>
          );
        })}
        {stored.map((c) => (
          <li key={c.id} data-entry-id={c.entry_id}>
            <strong>{viDate(c.examined_on)}</strong>
            <div className="small">{checkupLine(c.sbp, c.dbp, c.pulse, c.height_cm, c.weight_kg, c.bmi)}</div>
            {c.diagnoses.length > 0 && <div className="small">Chẩn đoán: {c.diagnoses.map((d) => `${d.code}${d.name ? ` ${d.name}` : ''}`).join('; ')}</div>}
            {c.advice && <div className="small">Tư vấn: {c.advice}</div>}
            <div className="st-who">{recordedText(c.recorded_by_name, c.recorded_role, c.facility_name, c.recorded_at)}</div>
          </li>
        ))}
      </ul>
    </section>
  );
}

function checkupLine(sbp: number | null | undefined, dbp: number | null | undefined, pulse: number | null | undefined, h: number | null | undefined, w: number | null | undefined, bmi: number | null) {
  const parts: string[] = [];
  if (sbp && dbp) parts.push(`HA ${sbp}/${dbp} mmHg`);
  if (pulse) parts.push(`mạch ${pulse}`);
  if (h) parts.push(`cao ${viNumber(h)} cm`);
  if (w) parts.push(`nặng ${viNumber(w)} kg`);
  const b = bmi ?? (h && w ? Math.round((w / (h / 100) ** 2) * 10) / 10 : null);
  if (b) parts.push(`BMI ${viNumber(b)}`);
  return parts.join(' · ') || 'Không có số đo';
}

interface PendingFollowUp {
  register: string;
  visitDate: string;
  sbp?: number;
  dbp?: number;
  glucoseMmol?: number;
  hba1c?: number;
  medicines?: Array<{ name: string }>;
}

/** What the register shows for a closing reason: the form's label, or the MPI's own reason. */
const closeReasonText = (form: FormData831, key: string | null) =>
  key === 'merged' ? 'Gộp hồ sơ trùng (cùng một người quản lý hai lần)' : (form.close_reasons.find((r) => r.key === key)?.label_vi ?? key ?? '');

function Registers({
  form,
  pc,
  entries,
  canClose,
  onClosed,
}: { form: FormData831; pc: PrimaryCarePerson | null; entries: OutboxEntry[] | undefined; canClose: boolean; onClosed: () => void }) {
  const [closing, setClosing] = useState<Enrolment | null>(null);
  const regs: Enrolment[] = (pc?.registers ?? []).filter((r) => r.status === 'active' || r.status === 'proposed');
  const closed: Enrolment[] = (pc?.registers ?? []).filter((r) => r.status === 'closed');
  const pending = (entries ?? []).filter((e) => e.kind === 'followup' && e.status === 'pending');
  if (regs.length === 0 && pending.length === 0 && closed.length === 0) return null;
  const adherence = form.code_lists.adherence?.codes ?? {};
  return (
    <section className="card" aria-labelledby="regs-title">
      <h2 id="regs-title">Quản lý bệnh mạn tính</h2>
      {closing && (
        <CloseDialog
          form={form}
          enrolment={closing}
          onClose={() => setClosing(null)}
          onDone={() => {
            setClosing(null);
            onClosed();
          }}
        />
      )}
      {closed.length > 0 && (
        <div className="st-register">
          <h3>Đã kết thúc quản lý</h3>
          <ul className="st-list">
            {closed.map((r) => (
              <li key={r.id} data-enrolment-id={r.id}>
                <strong>{r.label_vi}</strong> <span className="st-tag">kết thúc {viDate(r.closed_on)}</span>
                <div className="small">
                  {closeReasonText(form, r.close_reason)}
                  {r.close_note ? ` — ${r.close_note}` : ''} · vào sổ {viDate(r.enrolled_on)} · {r.follow_ups.length} lần theo dõi
                </div>
              </li>
            ))}
          </ul>
        </div>
      )}
      {regs.map((r) => {
        const mine = pending.filter((e) => (e.body as { followUp: PendingFollowUp }).followUp.register === r.register);
        return (
          <div key={r.id} className="st-register">
            <h3>
              {r.label_vi} <span className="st-tag">{r.status === 'active' ? 'đang quản lý' : 'đề xuất'}</span>
            </h3>
            <p className="small">
              {r.icd10}
              {r.icd10_name ? ` ${r.icd10_name}` : ''} · vào sổ {viDate(r.enrolled_on)}
              {r.last_control ? ` · ${CONTROL_VI[r.last_control] ?? r.last_control}` : ''}
              {r.next_due ? ` · hẹn theo dõi ${viDate(r.next_due)}` : ''}
            </p>
            <Trend rows={r.follow_ups} register={form.registers.find((x) => x.key === r.register)} />
            {canClose && r.status === 'active' && (
              <button type="button" className="button secondary" onClick={() => setClosing(r)}>
                Kết thúc quản lý
              </button>
            )}
            <ul className="st-list">
              {mine.map((e) => {
                const f = (e.body as { followUp: PendingFollowUp }).followUp;
                return (
                  <li key={e.entryId} data-entry-id={e.entryId}>
                    <strong>{viDate(f.visitDate)}</strong> <span className="st-tag st-pending">Chưa đồng bộ</span>
                    <div className="small">{followLine(f.sbp, f.dbp, f.glucoseMmol, f.hba1c, (f.medicines ?? []).map((m) => m.name))}</div>
                  </li>
                );
              })}
              {[...r.follow_ups].reverse().map((f) => (
                <li key={f.id} data-entry-id={f.entry_id}>
                  <strong>{viDate(f.visit_date)}</strong> <span className="st-tag">{CONTROL_VI[f.control] ?? f.control}</span>
                  <div className="small">
                    {followLine(f.sbp, f.dbp, f.glucose_mmol, f.hba1c, f.medicines.map((m) => m.name))}
                    {f.adherence ? ` · tuân thủ: ${adherence[f.adherence] ?? f.adherence}` : ''}
                  </div>
                  <div className="st-who">{recordedText(f.recorded_by_name, null, null, f.recorded_at)}</div>
                </li>
              ))}
            </ul>
          </div>
        );
      })}
    </section>
  );
}

function followLine(sbp: number | null | undefined, dbp: number | null | undefined, glucose: number | null | undefined, hba1c: number | null | undefined, medicines: string[]) {
  const parts: string[] = [];
  if (sbp && dbp) parts.push(`HA ${sbp}/${dbp} mmHg`);
  if (glucose) parts.push(`đường huyết ${viNumber(glucose)} mmol/L`);
  if (hba1c) parts.push(`HbA1c ${viNumber(hba1c)} %`);
  if (medicines.length) parts.push(`thuốc: ${medicines.join(', ')}`);
  return parts.join(' · ') || '—';
}

/** Earlier values of the record (edits and conflict losers), read on demand. */
function History({ form, personId }: { form: FormData831 | undefined; personId: string }) {
  const [rows, setRows] = useState<HistoryRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () =>
    get<{ history: HistoryRow[] }>(`/api/v1/primary-care/persons/${encodeURIComponent(personId)}/history`).then(
      (r) => setRows(r.history),
      (e: unknown) => setError(e instanceof Error ? e.message : 'Không tải được lịch sử.'),
    );
  const def = (s: string) => form?.sections.find((x) => x.key === s);
  return (
    <section className="card" aria-labelledby="history-title">
      <h2 id="history-title">Lịch sử thay đổi hồ sơ</h2>
      {rows === null ? (
        <button type="button" className="button secondary" onClick={() => void load()}>
          Xem các giá trị cũ và xung đột
        </button>
      ) : rows.length === 0 ? (
        <p className="muted">Chưa có giá trị nào bị thay thế.</p>
      ) : (
        <ul className="st-list">
          {rows.map((h) => {
            const s = def(h.section);
            const f = s?.fields.find((x) => x.key === h.field);
            return (
              <li key={h.id}>
                <strong>{s?.label_vi ?? h.section}</strong> · {f?.label_vi ?? h.field}: {f && form ? displayValue(form, f, h.value) || 'để trống' : String(h.value)}{' '}
                <span className="st-tag">
                  {h.reason === 'conflict' ? 'xung đột — giá trị không được giữ' : h.reason === 'merged' ? 'gộp hồ sơ trùng — giá trị không được giữ' : 'đã được sửa'}
                </span>
                <div className="st-who">{recordedText(h.recorded_by_name, h.recorded_role, null, h.recorded_at)}</div>
              </li>
            );
          })}
        </ul>
      )}
      <Alert>{error}</Alert>
    </section>
  );
}

/**
 * Ends an active enrolment (a clinician's decision, online only like accepting a proposal): the
 * reason from the form's list, the day, a note where the reason needs one. The enrolment and its
 * follow-ups stay in the person's record, marked closed.
 */
function CloseDialog({ form, enrolment, onClose, onDone }: { form: FormData831; enrolment: Enrolment; onClose: () => void; onDone: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  const [closedOn, setClosedOn] = useState(vietnamToday());
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  const chosen = form.close_reasons.find((r) => r.key === reason);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    if (!chosen) return setError('Chọn lý do kết thúc quản lý.');
    if (chosen.noteRequired && note.trim() === '') return setError(`Lý do "${chosen.label_vi}" cần ghi rõ.`);
    try {
      await post(`/api/v1/primary-care/enrolments/${enrolment.id}/close`, { reason, closedOn, ...(note.trim() ? { note: note.trim() } : {}) });
      onDone();
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Không thực hiện được.');
    }
  }
  return (
    <dialog ref={ref} className="card dialog" aria-labelledby="close-title" aria-describedby="close-consequence" onClose={onClose}>
      <form onSubmit={submit} className="stack" noValidate>
        <h2 id="close-title">Kết thúc quản lý {enrolment.label_vi.toLowerCase()}</h2>
        <p id="close-consequence">
          Người này rời khỏi danh sách quản lý và lịch hẹn theo dõi; các lần theo dõi đã ghi vẫn được giữ trong hồ sơ. Nếu cần, có thể đưa vào sổ lại sau.
        </p>
        <div className="field">
          <label htmlFor="close-reason">Lý do</label>
          <select id="close-reason" value={reason} onChange={(e) => setReason(e.target.value)} required>
            <option value="">— Chọn lý do —</option>
            {form.close_reasons.map((r) => (
              <option key={r.key} value={r.key}>
                {r.label_vi}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="close-on">Ngày kết thúc</label>
          <input id="close-on" type="date" value={closedOn} min={enrolment.enrolled_on ?? undefined} max={vietnamToday()} onChange={(e) => setClosedOn(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="close-note">Ghi chú{chosen?.noteRequired ? ' (bắt buộc)' : ''}</label>
          <textarea id="close-note" value={note} onChange={(e) => setNote(e.target.value)} rows={3} maxLength={500} />
        </div>
        <Alert>{error}</Alert>
        <ConfirmButtons confirmLabel="Kết thúc quản lý" onCancel={onClose} />
      </form>
    </dialog>
  );
}
