-- Mail that reached the desk: every message read from the mailbox or piped in,
-- kept whole (the original stays downloadable, and one that could not be read
-- waits for an admin), with what became of it.
CREATE TABLE inbound_mail (
    id          INTEGER PRIMARY KEY,
    received_at TEXT NOT NULL,
    -- As the sender's Message-ID header gives it: a message read twice (the
    -- mailbox was not told in time that it was done) is recognised, not logged
    -- twice.
    message_id  TEXT UNIQUE,
    sender      TEXT,
    subject     TEXT,
    size        INTEGER NOT NULL,
    -- The message as received; only its headers for one refused as too large.
    raw         BLOB NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN (
                    'added', 'replied', 'follower', 'held', 'logged', 'bounce',
                    'ignored', 'refused', 'unreadable')),
    ticket_id   INTEGER REFERENCES tickets (id),
    -- Whether an automatic message went back to the sender (at most a few a day).
    answered    INTEGER NOT NULL DEFAULT 0 CHECK (answered IN (0, 1)),
    -- Why, in words, for the admin's log.
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX inbound_mail_answered ON inbound_mail (sender, received_at) WHERE answered = 1;
CREATE INDEX inbound_mail_by_ticket ON inbound_mail (ticket_id) WHERE ticket_id IS NOT NULL;

-- A reply or a bounce names the message it answers by its Message-ID, whose
-- left part carries the message's key.
CREATE UNIQUE INDEX outbox_by_key ON outbox (message_key);

-- The signing key of Message-IDs is made at the first start and kept in
-- settings (`mail_signing_key`).
