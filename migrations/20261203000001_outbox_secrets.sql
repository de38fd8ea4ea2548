-- A message that carries a secret link (a password reset, an invitation, an
-- address confirmation) records the SHA-256 of that secret and the kind of link:
-- the link is struck from the stored message once used, and admins reading the
-- outbox see only the invitations they may hand over themselves.
ALTER TABLE outbox ADD COLUMN secret_hash BLOB;
ALTER TABLE outbox ADD COLUMN link_kind TEXT;
CREATE INDEX outbox_by_secret ON outbox (secret_hash) WHERE secret_hash IS NOT NULL;
