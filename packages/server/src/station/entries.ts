import { HOUSEHOLD_RELATIONS } from '@openhssk/core/mpi';
import { type Static, type TSchema, Type } from '@sinclair/typebox';

/**
 * One register event as the station app sends it. The client generates `entry_id` (a UUID) when the
 * event is recorded, offline or not; sending it again is a no-op that answers the first result.
 */

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const DATE = '^\\d{4}-\\d{2}-\\d{2}$';
const INSTANT = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,6})?)?(Z|[+-]\\d{2}:\\d{2})$';

const common = {
  entry_id: Type.String({ pattern: UUID, description: 'UUID the client generated when the event was recorded: a replay answers the first result' }),
  occurred_on: Type.String({ pattern: DATE, description: 'date of the birth, death or move (YYYY-MM-DD, Vietnam date)' }),
  client_recorded_at: Type.Optional(Type.String({ pattern: INSTANT, description: 'when the device recorded it (offline entries arrive later)' })),
  note: Type.Optional(Type.String({ maxLength: 500 })),
};
const personId = (description: string) => Type.String({ minLength: 1, maxLength: 64, description });
const relation = Type.Union(
  HOUSEHOLD_RELATIONS.map((r) => Type.Literal(r)),
  { description: `relation to the head of the household: ${HOUSEHOLD_RELATIONS.join(', ')}` },
);
const sex = Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3)], { description: '1 male, 2 female, 3 undetermined (XML 130 GIOI_TINH)' });

export const birthEntry = Type.Object(
  {
    kind: Type.Literal('birth'),
    ...common,
    household_id: Type.Integer({ minimum: 1, description: 'the household the child is born into' }),
    child: Type.Object(
      {
        ho_ten: Type.String({ minLength: 1, maxLength: 100, description: 'the child’s full name' }),
        gioi_tinh: sex,
        relation: Type.Optional(relation),
        mother_person_id: Type.Optional(personId('the mother, a current member of the household')),
        birth_weight_grams: Type.Optional(Type.Integer({ minimum: 300, maximum: 7000, description: 'clinical: shown to clinical staff only' })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const deathEntry = Type.Object(
  {
    kind: Type.Literal('death'),
    ...common,
    person_id: personId('the person who died'),
    cause: Type.Optional(Type.String({ maxLength: 500, description: 'clinical: shown to clinical staff only' })),
    place: Type.Optional(Type.Union([Type.Literal('home'), Type.Literal('facility'), Type.Literal('other')])),
    new_head_person_id: Type.Optional(personId('the new head when the head died: a current member of the household')),
  },
  { additionalProperties: false },
);

export const moveOutEntry = Type.Object(
  {
    kind: Type.Literal('move_out'),
    ...common,
    person_id: personId('the person moving out of the commune'),
    destination: Type.Optional(Type.String({ maxLength: 300, description: 'where to (address text)' })),
    destination_commune: Type.Optional(Type.String({ pattern: '^\\d{5}$', description: 'commune code of the destination, when known' })),
    new_head_person_id: Type.Optional(personId('the new head when the head moved out: a current member of the household')),
  },
  { additionalProperties: false },
);

export const movingPerson = Type.Object(
  {
    ho_ten: Type.String({ minLength: 1, maxLength: 100 }),
    ngay_sinh: Type.String({ minLength: 4, maxLength: 10, description: 'dd/mm/yyyy, yyyy-mm-dd or yyyy' }),
    gioi_tinh: Type.Optional(sex),
    so_cccd: Type.Optional(Type.String({ maxLength: 20 })),
    so_bhyt: Type.Optional(Type.String({ maxLength: 20 })),
    so_dien_thoai: Type.Optional(Type.String({ maxLength: 20 })),
  },
  { additionalProperties: false },
);

export const moveInEntry = Type.Object(
  {
    kind: Type.Literal('move_in'),
    ...common,
    person_id: Type.Optional(personId('a person of this commune changing household (otherwise give `person`)')),
    person: Type.Optional(movingPerson),
    household_id: Type.Optional(Type.Integer({ minimum: 1, description: 'the household moved into (otherwise give `new_household`)' })),
    new_household: Type.Optional(
      Type.Object(
        {
          address: Type.String({ minLength: 1, maxLength: 300 }),
          hamlet: Type.Optional(Type.String({ maxLength: 100, description: 'thôn / tổ dân phố; read from the address when left out' })),
        },
        { additionalProperties: false },
      ),
    ),
    relation: Type.Optional(relation),
    from: Type.Optional(Type.String({ maxLength: 300, description: 'where from (address or commune)' })),
  },
  { additionalProperties: false },
);

const entryUnion = Type.Union([birthEntry, deathEntry, moveOutEntry, moveInEntry]);
export type RegisterEntry = Static<typeof entryUnion>;
export type BirthEntry = Static<typeof birthEntry>;
export type DeathEntry = Static<typeof deathEntry>;
export type MoveOutEntry = Static<typeof moveOutEntry>;
export type MoveInEntry = Static<typeof moveInEntry>;
export type MovingPerson = Static<typeof movingPerson>;

export const ENTRY_SCHEMAS: Readonly<Record<RegisterEntry['kind'], TSchema>> = {
  birth: birthEntry,
  death: deathEntry,
  move_out: moveOutEntry,
  move_in: moveInEntry,
};

export { OFFLINE_MAX_BATCH as MAX_BATCH } from './offline.ts';

/**
 * The request body of one entry: the schema of its kind, chosen by `kind` (if/then), not tried one
 * after another (anyOf). The server's validator strips properties a schema does not declare, so each
 * failed branch of an anyOf would strip fields of the right one (a move_in's household_id, say).
 */
export const registerEntry = Type.Unsafe<RegisterEntry>({
  type: 'object',
  required: ['kind', 'entry_id', 'occurred_on'],
  properties: { kind: { type: 'string', enum: Object.keys(ENTRY_SCHEMAS), description: 'birth, death, move_in or move_out; the other fields follow the kind' } },
  allOf: Object.entries(ENTRY_SCHEMAS).map(([kind, schema]) => ({
    if: { properties: { kind: { const: kind } }, required: ['kind'] },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, never awaited
    then: schema,
  })),
});
