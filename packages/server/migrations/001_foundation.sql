-- Foundation schema. Every table holding personal data carries person_id (or is keyed by a
-- facility-local patient id that links to it) so it can later be distributed by person_id.

create table admin_unit (
  code text primary key,
  level text not null check (level in ('province', 'district', 'commune')),
  name text not null,
  parent_code text references admin_unit(code),
  valid_from date,
  valid_to date
);

create table facility (
  code text primary key check (code ~ '^[0-9]{5}$'),
  name text not null,
  level text,
  admin_unit_code text references admin_unit(code),
  bhyt_contract boolean not null default true,
  test_mode boolean not null default false,
  created_at timestamptz not null default now()
);

create table facility_credential (
  client_id text primary key,
  facility_code text not null references facility(code),
  secret_hash text not null,
  created_at timestamptz not null default now(),
  revoked_at timestamptz
);
create index facility_credential_facility on facility_credential(facility_code);

create table facility_certificate (
  id bigserial primary key,
  facility_code text not null references facility(code),
  fingerprint256 text not null,
  subject text not null,
  cert_pem text not null,
  not_before timestamptz not null,
  not_after timestamptz not null,
  uploaded_at timestamptz not null default now(),
  revoked_at timestamptz,
  unique (facility_code, fingerprint256)
);

-- Golden record of one person (owned by the MPI).
create table person (
  id text primary key,
  ho_ten text not null,
  name_key text not null,
  ngay_sinh text,            -- yyyy-mm-dd, yyyy-mm or yyyy: precision as known
  birth_year int,
  gioi_tinh smallint,        -- 1 male, 2 female (XML 130 codes)
  so_cccd text,
  so_bhyt text,
  bhxh text,                 -- 10-digit social-insurance number inside the card number
  bhyt_valid_from date,
  bhyt_valid_to date,
  bhyt_facility_code text,   -- registered primary-care facility (MA_DKBD)
  so_dien_thoai text,
  dia_chi text,
  ma_xa text,
  ma_ho_gia_dinh text,
  quality_flags text[] not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index person_cccd on person(so_cccd);
create index person_bhxh on person(bhxh);
create index person_household on person(ma_ho_gia_dinh);
create index person_ma_xa on person(ma_xa);

create table person_relation (
  person_id text not null references person(id),
  related_person_id text not null references person(id),
  relation text not null check (relation in ('parent', 'guardian')),
  source text not null,
  created_at timestamptz not null default now(),
  primary key (person_id, related_person_id, relation)
);
create index person_relation_related on person_relation(related_person_id);

-- Every record the MPI links: population lists and the patients of episodes (source KCB).
create table source_record (
  source_system text not null,
  source_id text not null,
  ho_ten text,
  ngay_sinh text,
  gioi_tinh text,
  so_cccd text,
  so_bhyt text,
  so_dien_thoai text,
  dia_chi text,
  ma_xa text,
  ma_ho_gia_dinh text,
  content_hash text not null,
  person_id text references person(id),
  link_rule text,
  link_score real,
  import_id bigint,
  updated_at timestamptz not null default now(),
  primary key (source_system, source_id)
);
create index source_record_person on source_record(person_id);
create index source_record_cccd on source_record(so_cccd);

-- One submitted envelope and its receipt. The receipt is returned only after commit.
create table submission (
  id text primary key,
  facility_code text not null references facility(code),
  channel text not null,
  received_at timestamptz not null default now(),
  sha256 text not null,
  size_bytes int not null,
  idempotency_key text,
  status text not null,
  episode_count int not null,
  accepted_count int not null,
  warning_count int not null,
  rejected_count int not null,
  receipt jsonb not null
);
create unique index submission_sha on submission(facility_code, sha256);
create unique index submission_idempotency on submission(facility_code, idempotency_key) where idempotency_key is not null;
create index submission_facility_time on submission(facility_code, received_at desc);

-- The raw envelope as received (UTF-8 text, BOM kept; only envelopes that decoded as UTF-8 are
-- stored). Text, not bytea: PGlite serialises bytea parameters byte by byte in JavaScript, which
-- measured ~20 % of demo ingest time. base64 hardly compresses, so TOAST compression is skipped.
create table submission_raw (
  submission_id text primary key references submission(id),
  raw text not null
);
alter table submission_raw alter column raw set storage external;

create table episode (
  id bigserial primary key,
  facility_code text not null references facility(code),
  ma_lk text not null,
  version int not null,
  is_current boolean not null,
  submission_id text not null references submission(id),
  person_id text references person(id),
  patient_source_id text not null,          -- source_record(source_system='KCB', source_id)
  status text not null,
  ma_bn text not null,
  ho_ten text not null,
  so_cccd text,
  ma_the_bhyt text,
  ngay_sinh text,
  gioi_tinh smallint,
  ma_loai_kcb text not null,
  ngay_vao timestamp not null,
  ngay_vao_noi_tru timestamp,
  ngay_ra timestamp,
  ma_benh_chinh text,
  ma_benh_kt text,
  chan_doan_vao text,
  chan_doan_rv text,
  ket_qua_dtri smallint,
  ma_loai_rv smallint,
  t_tongchi_bv numeric,
  t_bhtt numeric,
  t_bncct numeric,
  t_bntt numeric,
  sensitivity text[] not null default '{}',
  content_sha256 text not null,
  xml1 jsonb not null,
  issues jsonb not null default '[]',
  received_at timestamptz not null default now(),
  unique (facility_code, ma_lk, version)
);
create unique index episode_current on episode(facility_code, ma_lk) where is_current;
create index episode_person on episode(person_id, ngay_vao desc);
create index episode_received on episode(received_at);

-- Rows of XML2..XML15 of an episode version, field names as in the standard.
create table episode_row (
  episode_id bigint not null references episode(id),
  person_id text,
  tbl text not null,
  row_no int not null,
  fields jsonb not null,
  extra jsonb,
  primary key (episode_id, tbl, row_no)
);

create table audit_event (
  id bigserial primary key,
  at timestamptz not null default now(),
  actor_type text not null,
  actor_id text not null,
  actor_name text,
  actor_role text,
  facility_code text,
  person_id text,
  action text not null,
  resource text,
  break_glass boolean not null default false,
  request_id text,
  detail jsonb
);
create index audit_person on audit_event(person_id, at desc);
create index audit_actor on audit_event(actor_type, actor_id, at desc);

create table citizen_account (
  subject text primary key,
  person_id text references person(id),
  consent_at timestamptz,
  consent_withdrawn_at timestamptz,
  created_at timestamptz not null default now(),
  last_login_at timestamptz
);

create table session (
  id_hash text primary key,
  kind text not null,
  subject text not null,
  data jsonb not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index session_expiry on session(expires_at);

-- Small key/value state: demo seed marker, signing keys of the development identity provider.
create table app_state (
  key text primary key,
  value jsonb not null,
  updated_at timestamptz not null default now()
);

-- Accounts of the built-in development identity provider that stands for VNeID. Disabled when
-- OIDC_ISSUER points to a real provider. Claims live here because the IdP is a separate system.
create table dev_idp_account (
  personal_id text primary key,
  password_hash text not null,
  identity_level int not null,
  ho_ten text not null,
  ngay_sinh text,
  gioi_tinh text,
  created_at timestamptz not null default now()
);
