import { displayValue, type FieldValue, fieldDef, sectionDef } from '@openhssk/core/primary-care';
import type { Db } from '../db/index.ts';
import { listCheckups } from './checkups.ts';
import { type FieldView, readRecord } from './record.ts';
import { personRegisters } from './registers.ts';

/** Role names as the citizen reads them next to an entry. */
const ROLE_VI: Readonly<Record<string, string>> = {
  station_head: 'Trạm trưởng',
  station_clinician: 'Y sĩ/bác sĩ trạm y tế',
  station_nurse: 'Điều dưỡng/nữ hộ sinh trạm y tế',
};

const shown = (section: string, field: string, f: FieldView) => {
  const def = sectionDef(section);
  const fd = def ? fieldDef(def, field) : undefined;
  return {
    field,
    label_vi: fd?.label_vi ?? field,
    value: f.value,
    text: fd ? displayValue(fd, f.value as FieldValue | null) : String(f.value ?? ''),
    recorded_at: f.recorded_at,
    recorded_by: f.recorded_by.name,
    recorded_role: ROLE_VI[f.recorded_by.role] ?? f.recorded_by.role,
    facility_name: f.facility.name ?? f.facility.code,
  };
};

/**
 * What the citizen's book shows of the station's work, marked as entered by health staff (the
 * book keeps the citizen's own declarations apart): the 831 sections with content, each value with
 * who recorded it, where and when; check-ups; active register enrolments with their visits.
 * Sensitive items and check-ups only with includeSensitive, as for episodes; removed items, cleared
 * values, pending proposals and declined ones are the station's working state and are left out.
 */
export async function bookPrimaryCare(db: Db, personId: string, opts: { includeSensitive: boolean }) {
  const [record, checkups, registers] = await Promise.all([
    readRecord(db, personId, { sensitive: opts.includeSensitive ? 'all' : 'none', includeRemoved: false }),
    listCheckups(db, personId, { sensitive: opts.includeSensitive ? 'all' : 'none' }),
    personRegisters(db, personId),
  ]);
  const sections = record.sections
    .map((s) => {
      const fields = Object.entries(s.fields)
        .filter(([, f]) => f.value !== null)
        .map(([k, f]) => shown(s.key, k, f));
      const items = s.items.map((i) => ({
        item_id: i.item_id,
        fields: Object.entries(i.fields)
          .filter(([k, f]) => k !== 'removed' && f.value !== null)
          .map(([k, f]) => shown(s.key, k, f)),
      }));
      const none = items.length === 0 && s.none?.value === true ? { ...shown(s.key, 'none', s.none), text: 'Không có' } : null;
      return { key: s.key, label_vi: s.label_vi, fields, items, none };
    })
    .filter((s) => s.fields.length > 0 || s.items.length > 0 || s.none);
  return {
    source: 'station' as const,
    sections,
    checkups: checkups.checkups.map((c) => ({
      id: c.id,
      examined_on: c.examined_on,
      facility_name: c.facility_name ?? c.facility_code,
      recorded_by: c.recorded_by_name,
      recorded_role: ROLE_VI[c.recorded_role] ?? c.recorded_role,
      pulse: c.pulse,
      sbp: c.sbp,
      dbp: c.dbp,
      temperature: c.temperature,
      resp_rate: c.resp_rate,
      height_cm: c.height_cm,
      weight_kg: c.weight_kg,
      bmi: c.bmi,
      waist_cm: c.waist_cm,
      vision_right: c.vision_right,
      vision_left: c.vision_left,
      exam: c.exam,
      paraclinical: c.paraclinical,
      diagnoses: c.diagnoses,
      diagnosis_text: c.diagnosis_text,
      advice: c.advice,
    })),
    registers: registers
      .filter((r) => r.status === 'active' || r.status === 'closed')
      .map((r) => ({
        register: r.register,
        label_vi: r.label_vi,
        status: r.status,
        icd10: r.icd10,
        icd10_name: r.icd10_name,
        enrolled_on: r.enrolled_on,
        facility_name: r.facility_name ?? r.facility_code,
        next_due: r.next_due,
        last_control: r.last_control,
        trend: r.trend,
      })),
    hidden_sensitive: record.hidden_sensitive + checkups.hidden_sensitive,
  };
}
