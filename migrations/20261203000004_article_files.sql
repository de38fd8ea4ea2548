-- Files attached to knowledge articles (images and documents their Markdown can
-- name). An attachment belongs to a ticket's history entry, to an article, or,
-- while the form that carries it has not succeeded, to nothing.

ALTER TABLE attachments ADD COLUMN article_id INTEGER REFERENCES articles (id)
    CHECK (article_id IS NULL OR ticket_id IS NULL);

CREATE INDEX attachments_of_article ON attachments (article_id) WHERE article_id IS NOT NULL;
