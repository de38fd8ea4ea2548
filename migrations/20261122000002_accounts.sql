-- Accounts and roles, server-side sessions, password resets, the outbox of messages
-- not yet sent, and the append-only audit log.

CREATE TABLE users (
    id                INTEGER PRIMARY KEY,
    email             TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(email) BETWEEN 3 AND 254),
    name              TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    role              TEXT NOT NULL CHECK (role IN ('end_user', 'agent', 'admin')),
    -- argon2id in PHC string form (algorithm, parameters and salt included).
    password_hash     TEXT NOT NULL,
    active            INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    email_verified_at TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);

-- 1st, 2nd and 3rd level support; agents belong to one or more.
CREATE TABLE assignment_groups (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    level    INTEGER NOT NULL CHECK (level BETWEEN 1 AND 3)
);
INSERT INTO assignment_groups (name, level) VALUES
    ('Service desk (1st level)', 1),
    ('Technical support (2nd level)', 2),
    ('Specialists and suppliers (3rd level)', 3);

CREATE TABLE group_members (
    group_id INTEGER NOT NULL REFERENCES assignment_groups (id),
    user_id  INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (group_id, user_id)
);

-- The cookie holds 256 random bits; only their SHA-256 is stored, so a copy of the
-- database does not let anyone sign in.
CREATE TABLE sessions (
    id_hash      BLOB PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Single-use, expiring links: password resets and e-mail verification.
CREATE TABLE account_tokens (
    token_hash BLOB PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    purpose    TEXT NOT NULL CHECK (purpose IN ('password_reset', 'verify_email')),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);
CREATE INDEX account_tokens_by_user ON account_tokens (user_id, purpose);

-- Messages to send. Until e-mail delivery exists, admins read them in the portal.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    recipient  TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at    TEXT
);

-- Who did what to accounts, and when. Never edited, never deleted.
CREATE TABLE audit_events (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor_id   INTEGER REFERENCES users (id),
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    subject_id INTEGER,
    detail     TEXT NOT NULL DEFAULT '',
    address    TEXT
);
CREATE INDEX audit_events_by_subject ON audit_events (subject_id, id);

CREATE TRIGGER audit_events_are_never_updated BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_events_are_never_deleted BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- A ticket logged while signed in belongs to the account.
ALTER TABLE tickets ADD COLUMN user_id INTEGER REFERENCES users (id);
CREATE INDEX tickets_by_user ON tickets (user_id, id);

INSERT INTO settings (key, value) VALUES ('self_registration', 'on');
