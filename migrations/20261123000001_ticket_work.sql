-- Working tickets: assignment, hold, resolution, escalation flags, SLA clocks on
-- business calendars, SLA milestones, in-app notifications for incident managers,
-- and the lifecycle periods.

CREATE TABLE calendars (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    -- An IANA zone name, such as Europe/London.
    time_zone TEXT NOT NULL
);

-- Working hours per weekday (0 = Monday), in minutes after local midnight.
CREATE TABLE calendar_hours (
    calendar_id INTEGER NOT NULL REFERENCES calendars (id),
    weekday     INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    opens       INTEGER NOT NULL,
    closes      INTEGER NOT NULL,
    CHECK (0 <= opens AND opens < closes AND closes <= 1440),
    PRIMARY KEY (calendar_id, weekday)
);

CREATE TABLE calendar_holidays (
    calendar_id INTEGER NOT NULL REFERENCES calendars (id),
    day         TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (calendar_id, day)
);

INSERT INTO calendars (id, name, time_zone) VALUES
    (1, 'Around the clock', 'UTC'),
    (2, 'Office hours', 'Europe/London');
INSERT INTO calendar_hours (calendar_id, weekday, opens, closes) VALUES
    (1, 0, 0, 1440), (1, 1, 0, 1440), (1, 2, 0, 1440), (1, 3, 0, 1440),
    (1, 4, 0, 1440), (1, 5, 0, 1440), (1, 6, 0, 1440),
    (2, 0, 480, 1080), (2, 1, 480, 1080), (2, 2, 480, 1080), (2, 3, 480, 1080),
    (2, 4, 480, 1080);

-- Critical incidents run around the clock; the rest in office hours.
ALTER TABLE priorities ADD COLUMN calendar_id INTEGER REFERENCES calendars (id);
UPDATE priorities SET calendar_id = CASE WHEN priority = 1 THEN 1 ELSE 2 END;

ALTER TABLE tickets ADD COLUMN group_id INTEGER REFERENCES assignment_groups (id);
ALTER TABLE tickets ADD COLUMN assignee_id INTEGER REFERENCES users (id);
ALTER TABLE tickets ADD COLUMN hold_reason TEXT
    CHECK (hold_reason IN ('awaiting_user', 'awaiting_supplier'));
ALTER TABLE tickets ADD COLUMN responded_at TEXT;
ALTER TABLE tickets ADD COLUMN resolved_at TEXT;
ALTER TABLE tickets ADD COLUMN closed_at TEXT;
ALTER TABLE tickets ADD COLUMN resolution_code TEXT;
ALTER TABLE tickets ADD COLUMN resolution_text TEXT;
ALTER TABLE tickets ADD COLUMN escalated INTEGER NOT NULL DEFAULT 0 CHECK (escalated IN (0, 1));
ALTER TABLE tickets ADD COLUMN major INTEGER NOT NULL DEFAULT 0 CHECK (major IN (0, 1));
ALTER TABLE tickets ADD COLUMN rating INTEGER CHECK (rating BETWEEN 1 AND 5);
-- The SLA clock: working time spent waiting on the user, and since when it waits.
ALTER TABLE tickets ADD COLUMN paused_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN paused_since TEXT;
-- The 75 % marks of both targets, and the next SLA moment still to record (NULL
-- when nothing is pending or the clock is paused); the SLA sweeper reads this.
ALTER TABLE tickets ADD COLUMN response_risk_at TEXT;
ALTER TABLE tickets ADD COLUMN resolution_risk_at TEXT;
ALTER TABLE tickets ADD COLUMN sla_next_at TEXT;

-- New tickets land with the service desk.
UPDATE tickets SET group_id = 1 WHERE group_id IS NULL;

CREATE INDEX tickets_by_sla_next ON tickets (sla_next_at) WHERE sla_next_at IS NOT NULL;
CREATE INDEX tickets_open_queue ON tickets (priority, resolution_due_at) WHERE state <> 'closed';

-- Each SLA milestone of a ticket is recorded once: at risk (75 %) and breached, for
-- the response and the resolution target.
CREATE TABLE sla_events (
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
    target      TEXT NOT NULL CHECK (target IN ('response', 'resolution')),
    milestone   TEXT NOT NULL CHECK (milestone IN ('at_risk', 'breached')),
    due_at      TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (ticket_id, target, milestone)
);

-- In-app messages to people on the desk (incident managers: admins).
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    ticket_id  INTEGER REFERENCES tickets (id),
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at    TEXT
);
CREATE INDEX notifications_by_user ON notifications (user_id, id);

INSERT OR IGNORE INTO settings (key, value) VALUES
    ('reopen_days', '14'),
    ('auto_close_days', '5');
