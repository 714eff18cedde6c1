-- Portal-compatible login (national insurance portal style, /api/token/take) sends the password as
-- upper-case hex MD5. We never keep MD5 itself: we keep scrypt of that MD5 string, set when a portal
-- password is issued (portal/credentials.ts). Null = the credential has no portal password.
alter table facility_credential add column portal_password_hash text;

-- Receipt listing by status for the facility page.
create index submission_facility_status_time on submission(facility_code, status, received_at desc);
