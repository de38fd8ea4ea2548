-- Publishing service-failure notices from the admin pages: who may see a notice's
-- banner, the major incident it belongs to, and who wrote what.

-- 'everyone': the banner shows on every page to everybody. 'affected': to a
-- signed-in end user only if they have logged a ticket for an affected service
-- (to visitors not signed in and to staff it always shows).
ALTER TABLE notices ADD COLUMN audience TEXT NOT NULL DEFAULT 'everyone'
    CHECK (audience IN ('everyone', 'affected'));
ALTER TABLE notices ADD COLUMN major_ticket_id INTEGER REFERENCES tickets (id);
ALTER TABLE notices ADD COLUMN created_by TEXT;
ALTER TABLE notice_updates ADD COLUMN author TEXT;

CREATE INDEX notices_unresolved ON notices (starts_at) WHERE resolved_at IS NULL;
CREATE INDEX notices_by_major ON notices (major_ticket_id) WHERE major_ticket_id IS NOT NULL;
CREATE INDEX tickets_by_user_service ON tickets (user_id, service_id) WHERE user_id IS NOT NULL;
