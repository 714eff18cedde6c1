-- Facility signing certificates are trusted only after a person decides so (issue 13). A facility
-- token alone could register a certificate and sign envelopes with it at once, so a leaked client
-- secret was a lasting way to write diagnoses into anyone's book.
--   pending  = approved_at is null and revoked_at is null (uploaded with a facility token)
--   approved = approved_at set, revoked_at null
--   revoked  = revoked_at set (final: a revoked certificate is never approved again)
-- The *_by columns hold who did it as "type:id (name)"; the full record is in audit_event.
alter table facility_certificate add column uploaded_by text;
alter table facility_certificate add column approved_at timestamptz;
alter table facility_certificate add column approved_by text;
alter table facility_certificate add column revoked_by text;
alter table facility_certificate add column revoke_reason text;

-- Certificates registered before this migration were trusted from upload on; they stay trusted so
-- running HIS connections keep working, and are marked so an operator can review and revoke them.
update facility_certificate set approved_at = uploaded_at, approved_by = 'system:migration-011';

-- The receipt names the certificate that verified each submission (signature.certificate_id); the
-- submission monitor finds what a later-revoked certificate let in through this index.
create index submission_signing_certificate on submission (facility_code, (receipt #>> '{signature,certificate_id}'))
  where receipt #>> '{signature,certificate_id}' is not null;
