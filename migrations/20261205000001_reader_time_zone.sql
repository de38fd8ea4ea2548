-- The time zone a person reads times in, chosen on their account page (an IANA
-- name such as Europe/London). NULL: their browser's zone, or else the portal's.
ALTER TABLE users ADD COLUMN time_zone TEXT;
