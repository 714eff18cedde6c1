-- Citizen health book (issue 6): vaccinations (no feed yet), what the citizen declares, doctor shares.

-- Doses from an immunisation feed (national expanded-programme system). Citizens never write here:
-- a vaccination record must come from the provider that gave the dose.
create table vaccination (
  id bigserial primary key,
  person_id text not null references person(id),
  vaccine_code text,
  vaccine_name text not null,
  dose_no int,
  given_on date not null,
  facility_code text references facility(code),
  lot_no text,
  reaction text,
  source text not null,
  created_at timestamptz not null default now()
);
create index vaccination_person on vaccination(person_id, given_on desc);

-- Allergies, personal/family history and risk factors as declared by the citizen (831/QĐ-BYT groups).
-- Kept apart from facility data so every screen and PDF can mark them "tự khai báo".
create table citizen_declaration (
  id bigserial primary key,
  person_id text not null references person(id),
  kind text not null check (kind in ('allergy', 'personal_history', 'family_history', 'risk_factor')),
  title text not null check (length(title) between 1 and 200),
  detail text check (length(detail) <= 1000),
  relation text check (length(relation) <= 50),
  since text check (length(since) <= 20),
  declared_by text not null,          -- personal id of the citizen who wrote it (a parent for a child)
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index citizen_declaration_person on citizen_declaration(person_id, kind);

-- Time-limited read access for a doctor. Only the token's hash is stored, as for sessions.
create table book_share (
  id bigserial primary key,
  token_hash text not null unique,
  person_id text not null references person(id),
  created_by text not null,            -- personal id of the citizen (parent for a child's book)
  scope text not null check (scope in ('summary', 'full')),
  include_sensitive boolean not null default false,
  expires_at timestamptz not null,
  revoked_at timestamptz,
  created_at timestamptz not null default now()
);
create index book_share_person on book_share(person_id, created_at desc);
create index book_share_creator on book_share(created_by) where revoked_at is null;
