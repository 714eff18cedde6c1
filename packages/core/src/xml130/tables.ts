import { GENERATED_TABLES } from './tables.generated.ts';
import { applyOverrides, TABLE_OVERRIDES } from './tables.overrides.ts';
import type { FieldDef, TableDef } from './types.ts';

export const XML130_TABLES: readonly TableDef[] = applyOverrides(GENERATED_TABLES, TABLE_OVERRIDES);

const BY_CODE = new Map<string, TableDef>(XML130_TABLES.map((t) => [t.code, t]));
const BY_ROOT = new Map<string, TableDef>();
for (const t of XML130_TABLES) {
  BY_ROOT.set(t.root, t);
  for (const alt of t.altRoots ?? []) BY_ROOT.set(alt, t);
}
const FIELD_INDEX = new Map<string, Map<string, FieldDef>>(
  XML130_TABLES.map((t) => [t.code, new Map(t.fields.map((f) => [f.name, f]))]),
);

export function tableByCode(code: string): TableDef | undefined {
  return BY_CODE.get(code);
}

export function tableByRoot(root: string): TableDef | undefined {
  return BY_ROOT.get(root);
}

export function fieldIndex(code: string): ReadonlyMap<string, FieldDef> | undefined {
  return FIELD_INDEX.get(code);
}
