-- Per-recipient delivery of a reminder (migration 097).
--
-- A guardian reminder goes to every parent or guardian of the child. When the provider refuses one of
-- them, the attempt fails and is retried; the recipients reached before the failure must not get the
-- message again. The handler's transaction is rolled back on failure, so the addresses reached are
-- recorded by the failed-attempt hook (its own transaction) and skipped by the retry. Stored as
-- SHA-256 digests of the address: enough to recognise it, and the row already keeps the masked
-- addresses in sent_to. Emptied when the planner moves the reminder to another day or place.
alter table appointment_reminder add column delivered_keys text[] not null default '{}';
