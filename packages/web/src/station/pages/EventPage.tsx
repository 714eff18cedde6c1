import { viDate, vietnamToday } from '@openhssk/core';
import { type FormEvent, useState } from 'react';
import { Alert } from '../../ui.tsx';
import { CLINICAL_ROLES } from '../api.ts';
import { Back, setFlash } from '../components.tsx';
import { ROUTES, useStation } from '../context.ts';
import { db } from '../db.ts';
import { readDate } from '../fields.tsx';
import { EVENT_VI, RELATION_VI } from '../format.ts';
import { useDraft, useLive } from '../hooks.ts';
import { enqueue } from '../outbox.ts';

type Kind = 'birth' | 'death' | 'move_out' | 'move_in';

interface Draft {
  kind: Kind;
  occurredOn: string;
  personId: string;
  newHead: string;
  childName: string;
  sex: string;
  relation: string;
  mother: string;
  weight: string;
  cause: string;
  place: string;
  destination: string;
  name: string;
  birth: string;
  cccd: string;
  bhyt: string;
  phone: string;
  from: string;
  note: string;
}

const empty = (): Draft => ({
  kind: 'birth', occurredOn: vietnamToday(), personId: '', newHead: '', childName: '', sex: '', relation: '', mother: '', weight: '', cause: '', place: '', destination: '', name: '', birth: '', cccd: '',
  bhyt: '', phone: '', from: '', note: '',
});

const PLACE_VI: Record<string, string> = { home: 'Tại nhà', facility: 'Tại cơ sở y tế', other: 'Nơi khác' };

/** Births, deaths and moves of a household, recorded at the station (offline too: they wait in the outbox). */
export function EventPage({ householdId }: { householdId: number }) {
  const { me, navigate } = useStation();
  const cached = useLive(() => db.householdViews.get(householdId), [householdId]);
  const snapMembers = useLive(() => db.members.where('householdId').equals(householdId).toArray(), [householdId]);
  const snapHousehold = useLive(() => db.households.get(householdId), [householdId]);
  const [d, setD, clearDraft] = useDraft<Draft>(`event:${householdId}`, empty);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const clinical = CLINICAL_ROLES.includes(me.role);
  // A field's error goes as soon as the field is changed; the form is checked again on saving.
  const forget = (keys: string[]) => setErrors((e) => (keys.some((k) => k in e) ? Object.fromEntries(Object.entries(e).filter(([k]) => !keys.includes(k))) : e));
  const set = (patch: Partial<Draft>) => {
    forget(Object.keys(patch));
    setD((x) => ({ ...x, ...patch }));
  };
  const members = cached?.view.members_current.map((m) => ({ id: m.id, name: m.ho_ten, sex: m.gioi_tinh, relation: m.relation })) ??
    (snapMembers ?? []).map((m) => ({ id: m.personId, name: m.hoTen, sex: m.gioiTinh, relation: m.relation }));
  const headId = cached?.view.head_person_id ?? snapHousehold?.headPersonId ?? null;
  const code = cached?.view.household_code ?? snapHousehold?.code ?? null;
  const leavingIsHead = (d.kind === 'death' || d.kind === 'move_out') && d.personId !== '' && d.personId === headId;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!/^\d{4}-\d{2}-\d{2}$/.test(d.occurredOn)) errs.occurredOn = 'Cần chọn ngày.';
    else if (d.occurredOn > vietnamToday()) errs.occurredOn = 'Ngày ở tương lai.';
    let payload: Record<string, unknown> = {};
    let personId: string | null = null;
    let what = '';
    if (d.kind === 'birth') {
      if (!d.childName.trim()) errs.childName = 'Cần ghi họ tên của trẻ.';
      if (!d.sex) errs.sex = 'Cần chọn giới tính.';
      const weight = d.weight.trim() ? Number(d.weight) : undefined;
      if (weight !== undefined && (!Number.isInteger(weight) || weight < 300 || weight > 7000)) errs.weight = 'Cân nặng lúc sinh phải từ 300 đến 7000 gram.';
      payload = {
        household_id: householdId,
        child: {
          ho_ten: d.childName.trim(),
          gioi_tinh: Number(d.sex),
          ...(d.relation ? { relation: d.relation } : {}),
          ...(d.mother ? { mother_person_id: d.mother } : {}),
          ...(weight !== undefined && clinical ? { birth_weight_grams: weight } : {}),
        },
      };
      what = d.childName.trim();
    } else if (d.kind === 'death' || d.kind === 'move_out') {
      if (!d.personId) errs.personId = 'Cần chọn thành viên.';
      if (leavingIsHead && !d.newHead && members.length > 1) errs.newHead = 'Người này là chủ hộ: chọn chủ hộ mới.';
      personId = d.personId || null;
      payload = {
        person_id: d.personId,
        ...(leavingIsHead && d.newHead ? { new_head_person_id: d.newHead } : {}),
        ...(d.kind === 'death' ? { ...(d.place ? { place: d.place } : {}), ...(clinical && d.cause.trim() ? { cause: d.cause.trim() } : {}) } : {}),
        ...(d.kind === 'move_out' && d.destination.trim() ? { destination: d.destination.trim() } : {}),
      };
      what = members.find((m) => m.id === d.personId)?.name ?? '';
    } else {
      if (!d.name.trim()) errs.name = 'Cần ghi họ tên.';
      const birth = readDate(d.birth, true);
      if (!birth) errs.birth = 'Ngày sinh: ghi ngày/tháng/năm hoặc năm sinh.';
      if (d.cccd && !/^\d{12}$/.test(d.cccd.trim())) errs.cccd = 'Số CCCD gồm 12 chữ số.';
      payload = {
        household_id: householdId,
        person: {
          ho_ten: d.name.trim(),
          ngay_sinh: birth ?? '',
          ...(d.sex ? { gioi_tinh: Number(d.sex) } : {}),
          ...(d.cccd.trim() ? { so_cccd: d.cccd.trim() } : {}),
          ...(d.bhyt.trim() ? { so_bhyt: d.bhyt.trim().toUpperCase() } : {}),
          ...(d.phone.trim() ? { so_dien_thoai: d.phone.trim() } : {}),
        },
        ...(d.relation ? { relation: d.relation } : {}),
        ...(d.from.trim() ? { from: d.from.trim() } : {}),
      };
      what = d.name.trim();
    }
    setErrors(errs);
    if (Object.keys(errs).length > 0) {
      setMessage(`Chưa lưu: có ${Object.keys(errs).length} ô cần sửa. Những gì bạn đã nhập vẫn được giữ.`);
      return;
    }
    await enqueue(me, {
      target: 'station',
      kind: d.kind,
      personId,
      personName: what || null,
      householdId,
      payload: { occurred_on: d.occurredOn, ...payload, ...(d.note.trim() ? { note: d.note.trim() } : {}) },
      label: `${EVENT_VI[d.kind]} ${viDate(d.occurredOn)}: ${what}${code ? ` (hộ ${code})` : ''}`,
    });
    clearDraft();
    setFlash('Đã lưu trên máy. Ứng dụng tự gửi lên máy chủ khi có mạng.');
    navigate(ROUTES.household(householdId));
  }

  const err = (k: string) =>
    errors[k] ? (
      <span id={`${k}-error`} className="st-error">
        {errors[k]}
      </span>
    ) : null;
  const memberSelect = (id: string, label: string, value: string, onChange: (v: string) => void, filter: (m: (typeof members)[number]) => boolean = () => true) => (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={errors[id] ? true : undefined}>
        <option value="">— Chọn —</option>
        {members.filter(filter).map((m) => (
          <option key={m.id} value={m.id}>
            {m.name}
          </option>
        ))}
      </select>
      {err(id)}
    </div>
  );
  const text = (id: keyof Draft, label: string, extra: { inputMode?: 'numeric' } = {}) => (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} value={d[id] as string} onChange={(e) => set({ [id]: e.target.value } as Partial<Draft>)} aria-invalid={errors[id] ? true : undefined} {...extra} />
      {err(id)}
    </div>
  );
  const sexSelect = (
    <div className="field">
      <label htmlFor="sex">Giới tính</label>
      <select id="sex" value={d.sex} onChange={(e) => set({ sex: e.target.value })} aria-invalid={errors.sex ? true : undefined}>
        <option value="">— Chọn —</option>
        <option value="1">Nam</option>
        <option value="2">Nữ</option>
        <option value="3">Chưa xác định</option>
      </select>
      {err('sex')}
    </div>
  );
  const relationSelect = (
    <div className="field">
      <label htmlFor="relation">Quan hệ với chủ hộ</label>
      <select id="relation" value={d.relation} onChange={(e) => set({ relation: e.target.value })}>
        <option value="">— Để máy chủ xác định —</option>
        {Object.entries(RELATION_VI)
          .filter(([k]) => k !== 'head')
          .map(([k, l]) => (
            <option key={k} value={k}>
              {l}
            </option>
          ))}
      </select>
    </div>
  );

  return (
    <>
      <Back to={ROUTES.household(householdId)}>{code ? `Hộ ${code}` : 'Hộ gia đình'}</Back>
      <h1>Ghi sự kiện của hộ</h1>
      <form className="card" onSubmit={submit} noValidate aria-label="Ghi sự kiện hộ gia đình">
        <fieldset className="st-tabs">
          <legend>Sự kiện</legend>
          {(['birth', 'death', 'move_out', 'move_in'] as const).map((k) => (
            <label key={k} className="chip">
              <input type="radio" name="kind" value={k} checked={d.kind === k} onChange={() => set({ kind: k })} />
              {EVENT_VI[k]}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="occurredOn">Ngày {(EVENT_VI[d.kind] ?? '').toLowerCase()}</label>
          <input id="occurredOn" type="date" max={vietnamToday()} value={d.occurredOn} onChange={(e) => set({ occurredOn: e.target.value })} aria-invalid={errors.occurredOn ? true : undefined} />
          {err('occurredOn')}
        </div>
        {d.kind === 'birth' && (
          <>
            {text('childName', 'Họ tên của trẻ')}
            {sexSelect}
            {memberSelect('mother', 'Mẹ (thành viên của hộ)', d.mother, (v) => set({ mother: v }), (m) => m.sex !== 1)}
            {relationSelect}
            {clinical && text('weight', 'Cân nặng lúc sinh (gram)', { inputMode: 'numeric' })}
          </>
        )}
        {(d.kind === 'death' || d.kind === 'move_out') && (
          <>
            {memberSelect('personId', 'Thành viên', d.personId, (v) => set({ personId: v }))}
            {leavingIsHead && memberSelect('newHead', 'Chủ hộ mới', d.newHead, (v) => set({ newHead: v }), (m) => m.id !== d.personId)}
            {d.kind === 'death' && (
              <div className="field">
                <label htmlFor="place">Nơi mất</label>
                <select id="place" value={d.place} onChange={(e) => set({ place: e.target.value })}>
                  <option value="">— Chưa rõ —</option>
                  {Object.entries(PLACE_VI).map(([k, l]) => (
                    <option key={k} value={k}>
                      {l}
                    </option>
                  ))}
                </select>
              </div>
            )}
            {d.kind === 'death' && clinical && text('cause', 'Nguyên nhân tử vong')}
            {d.kind === 'move_out' && text('destination', 'Chuyển đến (địa chỉ)')}
          </>
        )}
        {d.kind === 'move_in' && (
          <>
            {text('name', 'Họ tên người chuyển đến')}
            {text('birth', 'Ngày sinh (ngày/tháng/năm hoặc năm)', { inputMode: 'numeric' })}
            {sexSelect}
            {text('cccd', 'Số CCCD (nếu có)', { inputMode: 'numeric' })}
            {text('bhyt', 'Số thẻ BHYT (nếu có)')}
            {text('phone', 'Số điện thoại (nếu có)', { inputMode: 'numeric' })}
            {relationSelect}
            {text('from', 'Chuyển từ (địa chỉ cũ)')}
          </>
        )}
        <div className="field">
          <label htmlFor="note">Ghi chú</label>
          <textarea id="note" rows={2} maxLength={500} value={d.note} onChange={(e) => set({ note: e.target.value })} />
        </div>
        <Alert>{message}</Alert>
        <button type="submit" className="button primary">
          Lưu sự kiện
        </button>
      </form>
    </>
  );
}
