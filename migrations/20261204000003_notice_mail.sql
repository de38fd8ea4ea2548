-- Service-failure notices and major incidents by e-mail.
--
-- A private link mailed to someone following a major incident ("this is my
-- problem too") reads the incident as their own follower link does: it does not
-- act on it.
ALTER TABLE mailed_links ADD COLUMN following INTEGER NOT NULL DEFAULT 0
    CHECK (following IN (0, 1));

-- The news of a notice to mail to everyone who chose to hear of it. Written in
-- the notice's transaction; the delivery worker turns it into messages a batch
-- of recipients at a time (`after_user`: the last account done), so publishing
-- never waits for thousands of inserts.
CREATE TABLE notice_mailings (
    id         INTEGER PRIMARY KEY,
    notice_id  INTEGER NOT NULL REFERENCES notices (id),
    news       TEXT NOT NULL CHECK (news IN ('published', 'updated', 'resolved')),
    said       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    after_user INTEGER NOT NULL DEFAULT 0,
    done_at    TEXT
);
CREATE INDEX notice_mailings_pending ON notice_mailings (id) WHERE done_at IS NULL;

-- The messages about a ticket that did not reach their recipient, for the
-- agent's page of the ticket (the query repeats this condition word for word).
CREATE INDEX outbox_troubles ON outbox (thread) WHERE state IN ('failed', 'retrying');
