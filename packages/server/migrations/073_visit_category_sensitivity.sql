-- Visits whose category (MA_DOITUONG_KCB) names a TB (1.8) or HIV (1.9) patient are sensitive in every
-- view, not only in the FHIR projection: ingest now stores it in episode.sensitivity; rows received
-- before this migration get the same marks.
update episode
   set sensitivity = (select array_agg(distinct s order by s) from unnest(sensitivity || array['tb']::text[]) as s)
 where xml1->'fields'->>'MA_DOITUONG_KCB' = '1.8' and not ('tb' = any(sensitivity));
update episode
   set sensitivity = (select array_agg(distinct s order by s) from unnest(sensitivity || array['hiv']::text[]) as s)
 where xml1->'fields'->>'MA_DOITUONG_KCB' = '1.9' and not ('hiv' = any(sensitivity));
