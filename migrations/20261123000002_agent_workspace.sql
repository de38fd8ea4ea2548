-- The agent workspace: links between records, incident models with their
-- checklists, people attached to a major incident, and the queue's order.

-- A ticket linked to a known error (an article), another incident, or the major
-- incident it is part of. Links are records: who made them and when.
CREATE TABLE ticket_links (
    id                INTEGER PRIMARY KEY,
    ticket_id         INTEGER NOT NULL REFERENCES tickets (id),
    kind              TEXT NOT NULL CHECK (kind IN ('known_error', 'incident', 'major_incident')),
    target_ticket_id  INTEGER REFERENCES tickets (id),
    target_article_id INTEGER REFERENCES articles (id),
    created_at        TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    CHECK ((kind = 'known_error') = (target_article_id IS NOT NULL)),
    CHECK ((kind = 'known_error') = (target_ticket_id IS NULL)),
    CHECK (target_ticket_id IS NULL OR target_ticket_id <> ticket_id)
);
CREATE UNIQUE INDEX ticket_links_once
    ON ticket_links (ticket_id, kind, coalesce(target_ticket_id, 0), coalesce(target_article_id, 0));
CREATE INDEX ticket_links_by_target ON ticket_links (target_ticket_id) WHERE target_ticket_id IS NOT NULL;

-- Incident models: a template that sets the category and the triage and adds a
-- checklist of predefined steps.
CREATE TABLE incident_models (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    category_id INTEGER NOT NULL REFERENCES categories (id),
    impact      TEXT NOT NULL CHECK (impact IN ('low', 'medium', 'high')),
    urgency     TEXT NOT NULL CHECK (urgency IN ('low', 'medium', 'high')),
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

CREATE TABLE incident_model_steps (
    model_id INTEGER NOT NULL REFERENCES incident_models (id),
    position INTEGER NOT NULL,
    text     TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 300),
    PRIMARY KEY (model_id, position)
);

-- A ticket's checklist, copied from its model (so a later change to the model
-- never rewrites what an agent already ticked).
CREATE TABLE ticket_checklist (
    id        INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    position  INTEGER NOT NULL,
    text      TEXT NOT NULL,
    done_at   TEXT,
    done_by   TEXT,
    UNIQUE (ticket_id, position)
);

-- "This is my problem too": someone attached to an ongoing major incident instead
-- of logging a duplicate. They follow it through their own private link.
CREATE TABLE major_followers (
    id                INTEGER PRIMARY KEY,
    ticket_id         INTEGER NOT NULL REFERENCES tickets (id),
    user_id           INTEGER REFERENCES users (id),
    name              TEXT NOT NULL,
    email             TEXT NOT NULL,
    status_token_hash BLOB NOT NULL UNIQUE,
    created_at        TEXT NOT NULL
);
CREATE INDEX major_followers_by_ticket ON major_followers (ticket_id);

-- The queue: open tickets by priority, then the next target due (the response
-- until it is met, then the resolution). The query repeats this expression and
-- this condition word for word so that SQLite walks the index in order.
DROP INDEX tickets_open_queue;
CREATE INDEX tickets_queue ON tickets (
    priority,
    (CASE WHEN responded_at IS NULL THEN response_due_at ELSE resolution_due_at END)
) WHERE state NOT IN ('resolved', 'fulfilled', 'closed');
-- "Mine": the same order within one assignee's open tickets.
CREATE INDEX tickets_queue_by_assignee ON tickets (
    assignee_id,
    priority,
    (CASE WHEN responded_at IS NULL THEN response_due_at ELSE resolution_due_at END)
) WHERE state NOT IN ('resolved', 'fulfilled', 'closed');
