/**
 * MedicationDispense: XML2 drug lines of outpatient visits (core isDispensedRow documents the rule; the
 * predicate below is the same rule in SQL, and migration 078 indexes its date).
 */
import { codeSystemUrl, DISPENSING_CARE_TYPES, medicationDispenseResource, NOT_DISPENSED_GROUPS } from '@openhssk/core/fhir';
import { sql } from 'kysely';
import { parseReferences } from './params.ts';
import { episodeKeyIn } from './sql.ts';
import { byCodeSystem, type EpisodeTypeDef, fieldIn, rowDate, rowTypes } from './types.ts';

const DISPENSED_ROW = sql`e.ma_loai_kcb = any(${[...DISPENSING_CARE_TYPES]}::text[]) and coalesce(r.fields->>'MA_NHOM', '') <> all(${[...NOT_DISPENSED_GROUPS]}::text[])`;
const HANDED_OVER = sql`coalesce(nullif(r.fields->>'NGAY_TH_YL', ''), r.fields->>'NGAY_YL', '')`;

export const MEDICATION_DISPENSE: EpisodeTypeDef = rowTypes(
  'MedicationDispense',
  'XML2',
  (ep, r) => medicationDispenseResource(ep, { tbl: 'XML2', row_no: Number(r.row_no), fields: r.fields ?? {} }),
  { param: 'whenhandedover', ...rowDate(HANDED_OVER, 12), documentation: 'NGAY_TH_YL of the drug line (NGAY_YL when empty).' },
  {
    join: { kind: 'row', tbls: ['XML2'], predicate: DISPENSED_ROW },
    // R4 names the episode of a dispense `context`, not `encounter`.
    encounterParam: false,
    extraParams: {
      context: {
        doc: { name: 'context', type: 'reference', documentation: 'The episode (Encounter/<id>).' },
        filter: (raw) => episodeKeyIn(parseReferences('context', raw, 'Encounter').filter((k) => /^\d{1,18}$/.test(k)).map(Number)),
      },
    },
    includes: { 'MedicationDispense:patient': 'patient', 'MedicationDispense:subject': 'patient', 'MedicationDispense:context': 'encounter' },
    code: { documentation: `MA_THUOC: ${codeSystemUrl('ma-thuoc')}|<code>.`, filter: (t) => byCodeSystem(t, { [codeSystemUrl('ma-thuoc')]: fieldIn('MA_THUOC') }, fieldIn('MA_THUOC')) },
  },
);
