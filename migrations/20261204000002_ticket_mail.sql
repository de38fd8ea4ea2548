-- Ticket messages by e-mail.
--
-- What each person chose to receive, by topic; a topic without a row is wanted
-- (the defaults are on).
CREATE TABLE mail_preferences (
    user_id INTEGER NOT NULL REFERENCES users (id),
    topic   TEXT NOT NULL,
    wanted  INTEGER NOT NULL CHECK (wanted IN (0, 1)),
    PRIMARY KEY (user_id, topic)
);

-- Whether a group's members hear of each new ticket in their group.
ALTER TABLE assignment_groups ADD COLUMN mail_new_tickets INTEGER NOT NULL DEFAULT 1
    CHECK (mail_new_tickets IN (0, 1));

-- The private link in a message to a reporter without an account: its own
-- 256-bit secret for the ticket, stored as its SHA-256 only, accepted as the
-- ticket's status link is (the status token itself is never stored, so it can
-- be mailed only when the ticket is logged).
CREATE TABLE mailed_links (
    token_hash BLOB PRIMARY KEY,
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
    created_at TEXT NOT NULL
);

-- Whether ticket messages are written at all: set at every start, on when an
-- SMTP server is configured (without one, nobody would read them).
INSERT INTO settings (key, value) VALUES ('mail_sending', 'off');
