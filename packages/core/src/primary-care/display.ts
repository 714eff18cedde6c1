import { icd10Name } from '../codes/icd10.ts';
import { viNumber } from '../text/numbers.ts';
import { codeLabelOf } from './codesets.ts';
import type { FieldDef } from './form.ts';
import type { FieldValue } from './validate.ts';

/**
 * A stored value as a person reads it in Vietnamese: the label of a code, labels of several codes,
 * Có/Không, a number with its unit, an ICD-10 code with its name. The book, the station screens and
 * printed records use this one wording.
 */
export function displayValue(def: FieldDef, value: FieldValue | null): string {
  if (value === null) return '';
  const t = def.type;
  switch (t.kind) {
    case 'code':
      return typeof value === 'string' ? (codeLabelOf(t.list, value) ?? value) : String(value);
    case 'codes':
      return Array.isArray(value) ? value.map((c) => codeLabelOf(t.list, c) ?? c).join('; ') : String(value);
    case 'boolean':
      return value === true ? 'Có' : 'Không';
    case 'number':
      return `${viNumber(String(value))} ${t.unit}`;
    case 'integer':
      return t.unit ? `${value} ${t.unit}` : String(value);
    case 'icd10': {
      const name = typeof value === 'string' ? icd10Name(value) : undefined;
      return name ? `${value} - ${name}` : String(value);
    }
    default:
      return Array.isArray(value) ? value.join('; ') : String(value);
  }
}
