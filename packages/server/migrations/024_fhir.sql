-- FHIR R4 read/search (issue 17, packages/server/src/fhir): indexes so every search is an index scan
-- with keyset paging, never a scan of the store per request. Nothing here stores data: FHIR is a
-- projection of the XML 130 tables. Every episode index is partial on what FHIR may show (current,
-- not sensitive), the predicate packages/server/src/fhir/sql.ts repeats in each query.

-- The ICD-10 codes of an episode, normalised and in order (principal first), as core's
-- diagnosisCodes() computes them: Condition n of an episode is element n of this array.
create function fhir_diagnosis_codes(main text, secondary text) returns text[] language sql immutable parallel safe as $$
  select coalesce(array_agg(code order by first_pos), '{}'::text[])
  from (
    select code, min(pos) as first_pos
    from (
      select case when length(c) > 3 then substr(c, 1, 3) || '.' || substr(c, 4) else c end as code, pos
      from (
        select upper(regexp_replace(trim(t), '[.[:space:]]', '', 'g')) as c, pos
        from unnest(array[coalesce(main, '')] || regexp_split_to_array(coalesce(secondary, ''), '[;,]')) with ordinality as u(t, pos)
      ) raw
      where c <> ''
    ) normalised
    group by code
  ) firsts
$$;

-- Encounter / Provenance / DocumentReference: default order (id) and a facility's own episodes.
create index fhir_episode_facility on episode (facility_code, id) where is_current and cardinality(sensitivity) = 0;
-- Encounter?date= and _sort=date (period start).
create index fhir_episode_start on episode (ngay_vao, id) where is_current and cardinality(sensitivity) = 0;
create index fhir_episode_facility_start on episode (facility_code, ngay_vao, id) where is_current and cardinality(sensitivity) = 0;
-- Condition?recorded-date= (discharge time, admission time when still open).
create index fhir_episode_recorded on episode ((coalesce(ngay_ra, ngay_vao)), id) where is_current and cardinality(sensitivity) = 0;
-- Condition?code=: the diagnosis array.
create index fhir_episode_diagnoses on episode using gin (fhir_diagnosis_codes(ma_benh_chinh, ma_benh_kt)) where is_current and cardinality(sensitivity) = 0;
-- _lastUpdated / _sort=_lastUpdated on every episode-derived type (the version's arrival).
create index fhir_episode_received on episode (received_at, id) where is_current and cardinality(sensitivity) = 0;
-- Reading Encounter/<first version id> finds the current version through (facility, MA_LK): the
-- unique (facility_code, ma_lk, version) index serves that already.

-- Rows: date order (keyset on date, episode, row) and code lookups per table. Dates are XML 130
-- 'yyyyMMddHHmm' text, whose text order is time order.
create index fhir_xml2_date on episode_row ((coalesce(fields->>'NGAY_YL', '')), episode_id, row_no) where tbl = 'XML2';
create index fhir_xml2_code on episode_row ((fields->>'MA_THUOC')) where tbl = 'XML2';
create index fhir_xml4_date on episode_row ((coalesce(fields->>'NGAY_KQ', '')), episode_id, row_no) where tbl = 'XML4';
create index fhir_xml4_index_code on episode_row ((fields->>'MA_CHI_SO')) where tbl = 'XML4';
create index fhir_xml4_service_code on episode_row ((fields->>'MA_DICH_VU')) where tbl = 'XML4';
-- XML3 rows that are procedures (core isProcedureRow): surgery or procedure groups, or ICD-9-CM coded, not supplies.
create index fhir_xml3_procedure_date on episode_row ((coalesce(nullif(fields->>'NGAY_TH_YL', ''), fields->>'NGAY_YL', '')), episode_id, row_no)
  where tbl = 'XML3' and (fields->>'MA_NHOM' in ('8', '18') or coalesce(fields->>'MA_PTTT_QT', '') <> '') and coalesce(fields->>'MA_VAT_TU', '') = '';
create index fhir_xml3_procedure_code on episode_row ((fields->>'MA_DICH_VU'))
  where tbl = 'XML3' and (fields->>'MA_NHOM' in ('8', '18') or coalesce(fields->>'MA_PTTT_QT', '') <> '') and coalesce(fields->>'MA_VAT_TU', '') = '';
create index fhir_xml3_procedure_icd9 on episode_row using gin ((string_to_array(coalesce(fields->>'MA_PTTT_QT', ''), ';')))
  where tbl = 'XML3' and (fields->>'MA_NHOM' in ('8', '18') or coalesce(fields->>'MA_PTTT_QT', '') <> '') and coalesce(fields->>'MA_VAT_TU', '') = '';
create index fhir_xml13_date on episode_row ((coalesce(fields->>'NGAY_RA', '')), episode_id, row_no) where tbl = 'XML13';
create index fhir_xml14_date on episode_row ((coalesce(substr(fields->>'NGAY_HEN_KL', 1, 8), '')), episode_id, row_no) where tbl = 'XML14';

-- Patient?identifier= on the card number (CCCD and BHXH number have indexes since migration 001).
create index if not exists person_bhyt on person (so_bhyt);
