import { type FormEvent, useState } from 'react';
import { Alert } from '../../ui.tsx';
import type { FieldValue, FieldView, FormData831, SectionDef } from '../api.ts';
import { Back, setFlash } from '../components.tsx';
import { ROUTES, useStation } from '../context.ts';
import { db } from '../db.ts';
import { checkSection, FieldInput, type TypedValues, toTyped } from '../fields.tsx';
import { displayValue, recordedText, uuid } from '../format.ts';
import { useDraft, useLive } from '../hooks.ts';
import { enqueue } from '../outbox.ts';
import { factsOf, mayApply, type PendingRecord, pendingRecords, valuesText } from '../record.ts';

/** What the device shows for one field: the value, the entry it came from (sent back as `base`), who recorded it. */
interface Current {
  value: FieldValue | null;
  base: string | null;
  who: string | null;
  pending: boolean;
}

/** Stored values overlaid with this device's entries not yet sent (oldest first, so the newest wins). */
function currentOf(stored: Record<string, FieldView> | undefined, pending: PendingRecord[]): Record<string, Current> {
  const out: Record<string, Current> = {};
  for (const [k, v] of Object.entries(stored ?? {})) {
    out[k] = { value: v.value, base: v.entry_id, who: recordedText(v.recorded_by.name, v.recorded_by.role, v.facility.name, v.recorded_at), pending: false };
  }
  for (const p of [...pending].sort((a, b) => a.entry.createdAt - b.entry.createdAt)) {
    for (const [k, v] of Object.entries(p.values)) out[k] = { value: v, base: p.entry.entryId, who: 'chưa đồng bộ', pending: true };
  }
  return out;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Entry and update of one section of the 831 record, its fields drawn from the form data. */
export function SectionPage({ personId, sectionKey }: { personId: string; sectionKey: string }) {
  const { form } = useStation();
  // One read of everything the form starts from: until it is there the form is not drawn, so its
  // fields never start empty over values the device already has.
  const data = useLive(
    async () => ({
      cached: await db.persons.get(personId),
      snap: await db.members.get(personId),
      entries: await db.outbox.where('personId').equals(personId).toArray(),
    }),
    [personId],
  );
  const [editing, setEditing] = useState<string | null>(null);
  const def = form?.sections.find((s) => s.key === sectionKey);
  if (!data) return <p className="muted">Đang tải…</p>;
  const { cached, snap, entries } = data;
  const pc = cached?.pc ?? null;
  const personName = pc?.person.ho_ten ?? cached?.station?.person.ho_ten ?? snap?.hoTen ?? null;

  if (!form || !def) {
    return (
      <>
        <Back to={ROUTES.person(personId)}>Hồ sơ người dân</Back>
        <Alert>{form ? 'Không có mục này trong mẫu hồ sơ 831.' : 'Mẫu hồ sơ 831 chưa có trên máy: cần có mạng lần đầu.'}</Alert>
      </>
    );
  }
  const view = pc?.record.find((s) => s.key === def.key);
  const pending = pendingRecords(entries).filter((p) => p.section === def.key);
  const applies = mayApply(def.appliesTo, factsOf(pc));

  return (
    <>
      <Back to={ROUTES.person(personId)}>{personName ?? 'Hồ sơ người dân'}</Back>
      <h1>{def.label_vi}</h1>
      <p className="muted small">
        Phần {def.part} của hồ sơ sức khỏe cá nhân (QĐ 831){def.appliesTo ? ` · dành cho ${def.appliesTo.label_vi}` : ''}
        {personName ? ` · ${personName}` : ''}
      </p>
      {!applies && <Alert>{`Mục này chỉ ghi cho ${def.appliesTo?.label_vi ?? ''}.`}</Alert>}
      {applies && def.kind === 'single' && (
        <EntryForm form={form} def={def} personId={personId} personName={personName} itemId={null} current={currentOf(view?.fields, pending.filter((p) => p.itemId === null))} />
      )}
      {applies && def.kind === 'list' && (
        <ListSection
          form={form}
          def={def}
          personId={personId}
          personName={personName}
          items={(view?.items ?? []).filter((i) => !i.removed)}
          none={view?.none ?? null}
          pending={pending}
          editing={editing}
          setEditing={setEditing}
        />
      )}
    </>
  );
}

function EntryForm(p: { form: FormData831; def: SectionDef; personId: string; personName: string | null; itemId: string | null; current: Record<string, Current>; onCancel?: () => void }) {
  const { form, def, personId, itemId, current } = p;
  const { me, navigate } = useStation();
  const draftKey = `record:${personId}:${def.key}:${itemId ?? (def.kind === 'list' ? 'new' : 'single')}`;
  // Only the fields the user changed are sent: a field left alone is never overwritten, whatever the
  // device showed for it.
  const [draft, setDraft, clearDraft] = useDraft<{ values: TypedValues; touched: string[] }>(draftKey, () => ({
    values: Object.fromEntries(def.fields.map((f) => [f.key, toTyped(f, current[f.key]?.value)])),
    touched: [],
  }));
  const typed = draft.values;
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setMessage(null);
    const stored = Object.fromEntries(Object.entries(current).map(([k, v]) => [k, v.value]));
    const checked = checkSection(form, def, typed, stored);
    setErrors(checked.errors);
    const n = Object.keys(checked.errors).length;
    if (n > 0) {
      setMessage(`Chưa lưu: có ${n} ô cần sửa (xem thông báo dưới từng ô). Những gì bạn đã nhập vẫn được giữ.`);
      return;
    }
    const changed = Object.fromEntries(Object.entries(checked.values).filter(([k, v]) => draft.touched.includes(k) && !same(v, current[k]?.value)));
    if (Object.keys(changed).length === 0) {
      setMessage('Không có thay đổi nào để lưu.');
      return;
    }
    setBusy(true);
    const base = Object.fromEntries(Object.keys(changed).map((k) => [k, current[k]?.base ?? null]));
    // A new item of a list section gets its id here, on the device, like the entry itself.
    const newItemId = def.kind === 'list' ? (itemId ?? uuid()) : undefined;
    await enqueue(me, {
      target: 'pc',
      kind: 'record',
      personId,
      personName: p.personName,
      payload: { record: { section: def.key, ...(newItemId ? { itemId: newItemId } : {}), values: changed, base } },
      label: `${def.label_vi}: ${valuesText(form, def, changed)}`.slice(0, 300),
    });
    clearDraft();
    setBusy(false);
    setFlash('Đã lưu trên máy. Ứng dụng tự gửi lên máy chủ khi có mạng.');
    navigate(ROUTES.person(personId));
  }

  return (
    <form className="card" onSubmit={submit} noValidate aria-label={def.label_vi}>
      {def.fields.map((f) => (
        <FieldInput
          key={f.key}
          form={form}
          def={f}
          id={`f-${f.key}`}
          value={typed[f.key] ?? toTyped(f, null)}
          onChange={(v) => {
            setErrors((e) => (f.key in e ? Object.fromEntries(Object.entries(e).filter(([k]) => k !== f.key)) : e));
            setDraft((d) => ({ values: { ...d.values, [f.key]: v }, touched: d.touched.includes(f.key) ? d.touched : [...d.touched, f.key] }));
          }}
          error={errors[f.key]}
          note={current[f.key] && current[f.key]!.value !== null ? `Đang ghi: ${displayValue(form, f, current[f.key]!.value)} (${current[f.key]!.who})` : undefined}
        />
      ))}
      <Alert>{message}</Alert>
      <div className="row">
        <button type="submit" className="button primary" disabled={busy}>
          Lưu
        </button>
        {p.onCancel && (
          <button type="button" className="button secondary" onClick={p.onCancel}>
            Hủy
          </button>
        )}
      </div>
    </form>
  );
}

function ListSection(p: {
  form: FormData831;
  def: SectionDef;
  personId: string;
  personName: string | null;
  items: Array<{ item_id: string; fields: Record<string, FieldView> }>;
  none: FieldView | null;
  pending: PendingRecord[];
  editing: string | null;
  setEditing: (id: string | null) => void;
}) {
  const { form, def, personId, items, none, pending, editing, setEditing } = p;
  const { me } = useStation();
  const [message, setMessage] = useState<string | null>(null);
  const storedIds = new Set(items.map((i) => i.item_id));
  const newPending = pending.filter((x) => x.itemId && !storedIds.has(x.itemId));
  const sectionPending = pending.filter((x) => x.itemId === null);
  const noneNow = sectionPending.length ? sectionPending[sectionPending.length - 1]!.values.none === true : none?.value === true;

  const queue = async (itemId: string | null, values: Record<string, FieldValue | null>, base: Record<string, string | null>, label: string) => {
    await enqueue(me, {
      target: 'pc',
      kind: 'record',
      personId,
      personName: p.personName,
      payload: { record: { section: def.key, ...(itemId ? { itemId } : {}), values, base } },
      label,
    });
    setMessage('Đã lưu trên máy. Ứng dụng tự gửi lên máy chủ khi có mạng.');
  };

  if (editing !== null) {
    const item = items.find((i) => i.item_id === editing);
    return (
      <EntryForm
        form={form}
        def={def}
        personId={personId}
        personName={p.personName}
        itemId={editing === 'new' ? null : editing}
        current={editing === 'new' ? {} : currentOf(item?.fields, pending.filter((x) => x.itemId === editing))}
        onCancel={() => setEditing(null)}
      />
    );
  }

  return (
      <section className="card">
        {items.length === 0 && newPending.length === 0 && <p>{noneNow ? 'Đã ghi nhận: không có.' : 'Chưa có mục nào.'}</p>}
        <ol className="st-items">
          {items.map((i) => (
            <li key={i.item_id}>
              <dl className="st-values">
                {def.fields
                  .filter((f) => i.fields[f.key] && i.fields[f.key]!.value !== null)
                  .map((f) => (
                    <div key={f.key}>
                      <dt>{f.label_vi}</dt>
                      <dd>
                        {displayValue(form, f, i.fields[f.key]!.value)}
                        <span className="st-who">
                          {recordedText(i.fields[f.key]!.recorded_by.name, i.fields[f.key]!.recorded_by.role, i.fields[f.key]!.facility.name, i.fields[f.key]!.recorded_at)}
                        </span>
                      </dd>
                    </div>
                  ))}
              </dl>
              {pending
                .filter((x) => x.itemId === i.item_id)
                .map((x) => (
                  <p key={x.entry.entryId} className="st-pending-value">
                    <span className="st-tag st-pending">Chưa đồng bộ</span> {valuesText(form, def, x.values)}
                  </p>
                ))}
              <div className="row">
                <button type="button" className="button secondary" onClick={() => setEditing(i.item_id)}>
                  Sửa
                </button>
                <button
                  type="button"
                  className="button secondary"
                  onClick={() => {
                    if (window.confirm('Xóa mục này khỏi hồ sơ? Giá trị cũ vẫn được giữ trong lịch sử.')) {
                      void queue(i.item_id, { removed: true }, { removed: i.fields.removed?.entry_id ?? null }, `${def.label_vi}: xóa một mục`);
                    }
                  }}
                >
                  Xóa mục
                </button>
              </div>
            </li>
          ))}
          {newPending.map((x) => (
            <li key={x.entry.entryId}>
              <span className="st-tag st-pending">Chưa đồng bộ</span> {valuesText(form, def, x.values)}
            </li>
          ))}
        </ol>
        <Alert>{message}</Alert>
        <div className="row">
          <button type="button" className="button primary" onClick={() => setEditing('new')}>
            Thêm mục
          </button>
          {items.length === 0 && newPending.length === 0 && !noneNow && (
            <button
              type="button"
              className="button secondary"
              onClick={() => void queue(null, { none: true }, { none: sectionPending.at(-1)?.entry.entryId ?? none?.entry_id ?? null }, `${def.label_vi}: không có`)}
            >
              Ghi nhận: không có
            </button>
          )}
        </div>
      </section>
  );
}
