-- Knowledge authoring: articles have a state and a visibility, a revision for
-- safe concurrent editing, their authors, and (for a known error started from an
-- incident) the ticket it came from. Existing articles stay published and public.
ALTER TABLE articles ADD COLUMN state TEXT NOT NULL DEFAULT 'published'
    CHECK (state IN ('draft', 'published', 'archived'));
ALTER TABLE articles ADD COLUMN visibility TEXT NOT NULL DEFAULT 'public'
    CHECK (visibility IN ('public', 'signed_in', 'agents'));
ALTER TABLE articles ADD COLUMN revision INTEGER NOT NULL DEFAULT 1 CHECK (revision >= 1);
ALTER TABLE articles ADD COLUMN created_by INTEGER REFERENCES users (id);
ALTER TABLE articles ADD COLUMN updated_by INTEGER REFERENCES users (id);
ALTER TABLE articles ADD COLUMN source_ticket_id INTEGER REFERENCES tickets (id);
CREATE INDEX articles_by_state ON articles (state, updated_at);

-- Agents given the right to write knowledge articles (admins always may).
ALTER TABLE users ADD COLUMN can_author INTEGER NOT NULL DEFAULT 0 CHECK (can_author IN (0, 1));
