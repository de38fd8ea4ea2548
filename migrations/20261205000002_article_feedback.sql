-- "Did this answer your question?": each article's yes and no answers, counted
-- once per browser session, shown to authors on the knowledge list.
CREATE TABLE article_feedback (
    article_id INTEGER NOT NULL PRIMARY KEY REFERENCES articles (id),
    helpful    INTEGER NOT NULL DEFAULT 0,
    unhelpful  INTEGER NOT NULL DEFAULT 0
);
