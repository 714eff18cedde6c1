-- Linking as data arrives looks up every newcomer's blocking keys in source_record_match_keys. With
-- fastupdate a GIN index keeps new entries in a pending list that every lookup reads from start to end:
-- even at 128 kB (migration 019) that was ~1.2 ms and ~20 buffers per lookup, more than the lookup
-- itself. Entries now go straight into the index; the list left behind is flushed once here.
alter index source_record_match_keys set (fastupdate = off);
select gin_clean_pending_list('source_record_match_keys'::regclass);
