-- Files attached to tickets (and, later, articles).
--
-- The bytes live in the data folder under files/, named by their SHA-256, so the
-- same content is stored once however often it is attached. A file is written to
-- a temporary name, fsynced and renamed into place before the row that names it
-- commits; files without a row (an upload cut off half-way) are removed at start.

CREATE TABLE stored_files (
    sha256     TEXT PRIMARY KEY,            -- lowercase hex; the file is files/<first two>/<sha256>
    size       INTEGER NOT NULL CHECK (size > 0),
    media_type TEXT NOT NULL,               -- sniffed from the bytes, never taken from the client
    -- An image's thumbnail (files/<first two>/<sha256>.thumb.jpg) and its size.
    thumb_width  INTEGER,
    thumb_height INTEGER,
    stored_at  TEXT NOT NULL
);

-- One file as one person attached it. Until a form that carries it succeeds, an
-- attachment belongs to nothing (a form that came back with problems keeps its
-- files this way, so nobody uploads twice); such rows are removed after a day.
CREATE TABLE attachments (
    id          INTEGER PRIMARY KEY,
    public_id   TEXT NOT NULL UNIQUE,       -- 128 random bits: the only id an address carries
    sha256      TEXT NOT NULL REFERENCES stored_files (sha256),
    name        TEXT NOT NULL,
    uploaded_at TEXT NOT NULL,
    ticket_id   INTEGER REFERENCES tickets (id),
    -- The history entry it came with; who may see it is who may see that entry.
    event_id    INTEGER REFERENCES ticket_events (id),
    CHECK ((ticket_id IS NULL) = (event_id IS NULL))
);
CREATE INDEX attachments_by_ticket ON attachments (ticket_id, event_id) WHERE ticket_id IS NOT NULL;
CREATE INDEX attachments_unclaimed ON attachments (uploaded_at) WHERE ticket_id IS NULL;
CREATE INDEX attachments_by_content ON attachments (sha256);
