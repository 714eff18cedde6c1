import type { Generated, Kysely } from 'kysely';
import type { Db } from '../db/index.ts';

type Timestamp = Date | string;

/** Tables of migrations 006 and 013 (`vaccination` belongs to immunization/ since migration 023). Kept here, not in db/tables.ts, because only the book module uses them. */
export type BookTables = {
  citizen_declaration: {
    id: Generated<number>;
    person_id: string;
    kind: DeclarationKind;
    title: string;
    detail: string | null;
    relation: string | null;
    since: string | null;
    declared_by: string;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
  /** Migration 053: contact details the citizen declared, beside the registry's; append-only, latest current. */
  citizen_contact: {
    id: Generated<number>;
    person_id: string;
    so_dien_thoai: string | null;
    dia_chi: string | null;
    declared_by: string;
    declared_at: Generated<Date>;
  };
  book_share: {
    id: Generated<number>;
    token_hash: string;
    person_id: string;
    created_by: string;
    scope: 'summary' | 'full';
    include_sensitive: Generated<boolean>;
    /** Phone and address shown to the doctor (migration 013; off unless the citizen ticks it). */
    include_contact: Generated<boolean>;
    /** Per-share secret for episode references (migration 013): ids never leave through a share. */
    ref_key: Generated<string>;
    expires_at: Timestamp;
    revoked_at: Timestamp | null;
    created_at: Generated<Date>;
  };
};

export type DeclarationKind = 'allergy' | 'personal_history' | 'family_history' | 'risk_factor';
export const DECLARATION_KINDS: ReadonlyArray<DeclarationKind> = ['allergy', 'personal_history', 'family_history', 'risk_factor'];

export type BookDb = Kysely<(Db extends Kysely<infer S> ? S : never) & BookTables>;

export const bookDb = (db: Db): BookDb => db.withTables<BookTables>() as unknown as BookDb;
