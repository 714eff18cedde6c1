-- Vaccine stock at a vaccination site (issue 16 item 4; module immunization/). Receipts are the only
-- stored stock facts: doses used are the site's recorded vaccinations, wastage follows the opened-vial
-- discard rules (core OPENED_VIAL_RULES), so the balance is re-derived and never drifts from the registry.
create table imm_stock_receipt (
  id bigserial primary key,
  facility_code text not null references facility(code),
  product_id text not null,                    -- core PRODUCTS id
  lot_no text not null check (length(lot_no) between 1 and 50),
  expires_on date not null,
  doses_per_vial int not null check (doses_per_vial between 1 and 50),
  vials int not null check (vials between 1 and 100000),
  received_on date not null,
  supplier text check (length(supplier) <= 200),
  note text check (length(note) <= 500),
  -- The station app's client-generated id: a receipt queued offline and sent twice is stored once.
  entry_id uuid unique,
  content_hash text,
  recorded_by text not null,
  recorded_by_name text not null,
  created_at timestamptz not null default now()
);
create index imm_stock_receipt_site on imm_stock_receipt(facility_code, product_id, expires_on);

-- The ledger reads a site's doses by product and date.
create index vaccination_site_product on vaccination(facility_code, product_id, given_on) include (lot_no) where facility_code is not null;
