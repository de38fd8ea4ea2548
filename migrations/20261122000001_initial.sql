-- The portal's first schema: catalogue, knowledge, priority rules, tickets with their
-- append-only history, and service-failure notices.
-- Timestamps are stored as UTC text (RFC 3339) so that they sort and read naturally.

CREATE TABLE services (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE CHECK (length(slug) BETWEEN 1 AND 64),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE categories (
    id         INTEGER PRIMARY KEY,
    service_id INTEGER NOT NULL REFERENCES services (id),
    name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    position   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (service_id, name)
);

CREATE TABLE articles (
    id            INTEGER PRIMARY KEY,
    slug          TEXT NOT NULL UNIQUE CHECK (length(slug) BETWEEN 1 AND 120),
    kind          TEXT NOT NULL CHECK (kind IN ('faq', 'known_error')),
    service_id    INTEGER NOT NULL REFERENCES services (id),
    title         TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    keywords      TEXT NOT NULL DEFAULT '',
    -- FAQ: the answer. Known error: unused.
    answer_md     TEXT NOT NULL DEFAULT '',
    -- Known error only.
    symptoms_md   TEXT NOT NULL DEFAULT '',
    workaround_md TEXT NOT NULL DEFAULT '',
    cause_md      TEXT,
    error_status  TEXT CHECK (error_status IN ('investigating', 'workaround_available', 'fix_scheduled', 'fixed')),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    CHECK ((kind = 'known_error') = (error_status IS NOT NULL))
);
CREATE INDEX articles_by_service ON articles (service_id);

-- The P1..P5 rules and their targets in minutes.
CREATE TABLE priorities (
    priority           INTEGER PRIMARY KEY CHECK (priority BETWEEN 1 AND 5),
    label              TEXT NOT NULL,
    response_minutes   INTEGER NOT NULL CHECK (response_minutes > 0),
    resolution_minutes INTEGER NOT NULL CHECK (resolution_minutes >= response_minutes)
);
INSERT INTO priorities (priority, label, response_minutes, resolution_minutes) VALUES
    (1, 'Critical', 15, 240),
    (2, 'High', 30, 480),
    (3, 'Moderate', 120, 1440),
    (4, 'Low', 480, 4320),
    (5, 'Planning', 1440, 7200);

-- Impact x urgency -> priority: the usual 3x3 matrix.
CREATE TABLE priority_matrix (
    impact   TEXT NOT NULL CHECK (impact IN ('low', 'medium', 'high')),
    urgency  TEXT NOT NULL CHECK (urgency IN ('low', 'medium', 'high')),
    priority INTEGER NOT NULL REFERENCES priorities (priority),
    PRIMARY KEY (impact, urgency)
);
INSERT INTO priority_matrix (impact, urgency, priority) VALUES
    ('high', 'high', 1),     ('high', 'medium', 2),   ('high', 'low', 3),
    ('medium', 'high', 2),   ('medium', 'medium', 3), ('medium', 'low', 4),
    ('low', 'high', 3),      ('low', 'medium', 4),    ('low', 'low', 5);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- Service requests are not triaged by impact and urgency.
INSERT INTO settings (key, value) VALUES ('request_priority', '4');

-- One row per ticket kind; numbers only ever go up, so none is reused.
CREATE TABLE ticket_sequences (
    kind        TEXT PRIMARY KEY CHECK (kind IN ('incident', 'request')),
    last_number INTEGER NOT NULL
);
INSERT INTO ticket_sequences (kind, last_number) VALUES ('incident', 1000), ('request', 1000);

CREATE TABLE tickets (
    id                INTEGER PRIMARY KEY,
    number            TEXT NOT NULL UNIQUE,
    kind              TEXT NOT NULL CHECK (kind IN ('incident', 'request')),
    state             TEXT NOT NULL,
    impact            TEXT CHECK (impact IN ('low', 'medium', 'high')),
    urgency           TEXT CHECK (urgency IN ('low', 'medium', 'high')),
    priority          INTEGER NOT NULL REFERENCES priorities (priority),
    service_id        INTEGER NOT NULL REFERENCES services (id),
    category_id       INTEGER NOT NULL REFERENCES categories (id),
    summary           TEXT NOT NULL,
    description       TEXT NOT NULL,
    reporter_name     TEXT NOT NULL,
    reporter_email    TEXT NOT NULL,
    reporter_phone    TEXT,
    -- SHA-256 of the private status link's token; the token itself is never stored.
    status_token_hash BLOB NOT NULL UNIQUE,
    response_due_at   TEXT NOT NULL,
    resolution_due_at TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1,
    CHECK ((kind = 'incident') = (impact IS NOT NULL AND urgency IS NOT NULL))
);
CREATE INDEX tickets_by_reporter_email ON tickets (reporter_email COLLATE NOCASE);

-- The incident record: every change is a new row; rows are never edited or removed.
CREATE TABLE ticket_events (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    visibility TEXT NOT NULL CHECK (visibility IN ('public', 'internal')),
    body       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ticket_events_by_ticket ON ticket_events (ticket_id, id);

CREATE TRIGGER ticket_events_are_never_updated BEFORE UPDATE ON ticket_events
BEGIN
    SELECT RAISE(ABORT, 'ticket history is append-only');
END;

CREATE TRIGGER ticket_events_are_never_deleted BEFORE DELETE ON ticket_events
BEGIN
    SELECT RAISE(ABORT, 'ticket history is append-only');
END;

CREATE TABLE notices (
    id                      INTEGER PRIMARY KEY,
    title                   TEXT NOT NULL,
    severity                TEXT NOT NULL CHECK (severity IN ('critical', 'major', 'minor', 'maintenance')),
    experience              TEXT NOT NULL,
    starts_at               TEXT NOT NULL,
    expected_restoration_at TEXT,
    resolved_at             TEXT,
    created_at              TEXT NOT NULL
);

CREATE TABLE notice_services (
    notice_id  INTEGER NOT NULL REFERENCES notices (id),
    service_id INTEGER NOT NULL REFERENCES services (id),
    PRIMARY KEY (notice_id, service_id)
);

CREATE TABLE notice_updates (
    id        INTEGER PRIMARY KEY,
    notice_id INTEGER NOT NULL REFERENCES notices (id),
    at        TEXT NOT NULL,
    body      TEXT NOT NULL
);
CREATE INDEX notice_updates_by_notice ON notice_updates (notice_id, at);
