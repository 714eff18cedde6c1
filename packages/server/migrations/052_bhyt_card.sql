-- BHYT card data from real inputs (issue 19): every card seen in an XML0 check-in, an XML1 episode
-- or an imported card list of the insurance agency. History is kept; the person's card fields
-- (person.so_bhyt, bhyt_valid_from/_to, bhyt_facility_code) follow the observation with the latest
-- date of the data itself (check-in day, list date), not the order of arrival.
create table bhyt_card_observation (
  id bigserial primary key,
  -- The 10-digit social-insurance number inside the card: constant across re-issued cards.
  bhxh text not null,
  card_no text not null,
  valid_from date,
  valid_to date,
  facility_code text,                 -- MA_DKBD: registered primary-care facility
  observed_on date not null,          -- the data's own date
  source text not null check (source in ('xml0', 'xml1', 'card_list')),
  source_ref text not null,           -- facility:MA_LK, or card-list file hash:line
  received_at timestamptz not null default now()
);
create index bhyt_card_observation_latest on bhyt_card_observation(bhxh, observed_on desc, id desc);
-- A re-sent check-in or episode, or the same list imported again, adds no second row (a corrected
-- validity of the same row replaces the stored one).
create unique index bhyt_card_observation_once on bhyt_card_observation(source, source_ref, card_no, observed_on);
