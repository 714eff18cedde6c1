-- FHIR R4 MedicationDispense, DiagnosticReport and Practitioner (packages/server/src/fhir): indexes only,
-- nothing stored. The projection reads the XML 130 rows as they are.

-- The practice-licence numbers a row names (core practitioner.ts lists the fields): MA_BAC_SI of drug,
-- service, referral and re-visit lines, NGUOI_THUC_HIEN of services, MA_BS_DOC_KQ of results, MA_TTDV of
-- the discharge paper and record summary, MA_BS of the discharge paper. Each field may hold a ';' list.
create function fhir_practitioner_codes(tbl text, fields jsonb) returns text[] language sql immutable parallel safe as $$
  select coalesce(array_agg(distinct code order by code), '{}'::text[])
  from (
    select trim(c) as code
    from unnest(regexp_split_to_array(concat_ws(';',
      case when tbl in ('XML2', 'XML3', 'XML13', 'XML14') then fields->>'MA_BAC_SI' end,
      case when tbl = 'XML3' then fields->>'NGUOI_THUC_HIEN' end,
      case when tbl = 'XML4' then fields->>'MA_BS_DOC_KQ' end,
      case when tbl in ('XML7', 'XML8') then fields->>'MA_TTDV' end,
      case when tbl = 'XML7' then fields->>'MA_BS' end), ';')) as u(c)
  ) codes
  where code <> ''
$$;

-- Practitioner/<id> and Practitioner?identifier=: the rows naming a licence.
create index fhir_practitioner_rows on episode_row using gin (fhir_practitioner_codes(tbl, fields))
  where tbl in ('XML2', 'XML3', 'XML4', 'XML7', 'XML8', 'XML13', 'XML14');

-- MedicationDispense?whenhandedover= and _sort=whenhandedover (NGAY_TH_YL, NGAY_YL when empty).
create index fhir_xml2_handed_over on episode_row ((coalesce(nullif(fields->>'NGAY_TH_YL', ''), fields->>'NGAY_YL', '')), episode_id, row_no) where tbl = 'XML2';
