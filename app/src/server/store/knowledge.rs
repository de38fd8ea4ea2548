//! Storage of knowledge articles: user FAQs and known errors.

use crate::domain::{
    Article, ArticleBody, ArticleId, ArticleKind, ArticleRow, ArticleState, ArticleVisibility,
    KnownErrorStatus, TicketId, UserId,
};
use crate::server::markdown::{to_plain_text, to_safe_html_at};
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

pub use crate::domain::{ArticleDraft, DraftContent};

/// Why an article could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum InsertArticleError {
    #[error("no service with slug {0:?}")]
    UnknownService(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Who wrote an article and in which state it is stored.
#[derive(Clone, Copy, Debug)]
pub struct Provenance {
    pub state: ArticleState,
    pub author: Option<UserId>,
    pub source_ticket: Option<TicketId>,
}

impl Provenance {
    /// A published article with no author of record (demo content, tests).
    pub const PUBLISHED: Provenance = Provenance {
        state: ArticleState::Published,
        author: None,
        source_ticket: None,
    };
}

/// The columns of an article's text, as stored.
struct Columns<'a> {
    kind: ArticleKind,
    answer: &'a str,
    symptoms: &'a str,
    workaround: &'a str,
    cause: Option<&'a str>,
    status: Option<&'static str>,
}

fn columns(content: &DraftContent) -> Columns<'_> {
    match content {
        DraftContent::Faq { answer_md } => Columns {
            kind: ArticleKind::Faq,
            answer: answer_md,
            symptoms: "",
            workaround: "",
            cause: None,
            status: None,
        },
        DraftContent::KnownError {
            status,
            symptoms_md,
            workaround_md,
            cause_md,
        } => Columns {
            kind: ArticleKind::KnownError,
            answer: "",
            symptoms: symptoms_md,
            workaround: workaround_md,
            cause: cause_md.as_deref(),
            status: Some(status.as_str()),
        },
    }
}

/// Stores a new article; the caller owns the transaction and re-indexes afterwards.
pub async fn insert_article(
    conn: &mut SqliteConnection,
    draft: &ArticleDraft,
    provenance: Provenance,
    now: DateTime<Utc>,
) -> Result<ArticleId, InsertArticleError> {
    let service_id = super::catalog::service_id(&mut *conn, &draft.service_slug)
        .await?
        .ok_or_else(|| InsertArticleError::UnknownService(draft.service_slug.clone()))?;
    let c = columns(&draft.content);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO articles (slug, kind, service_id, title, keywords, answer_md, symptoms_md,
                               workaround_md, cause_md, error_status, created_at, updated_at,
                               state, visibility, created_by, updated_by, source_ticket_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(&draft.slug)
    .bind(c.kind.as_str())
    .bind(service_id.0)
    .bind(&draft.title)
    .bind(draft.keywords.join(", "))
    .bind(c.answer)
    .bind(c.symptoms)
    .bind(c.workaround)
    .bind(c.cause)
    .bind(c.status)
    .bind(now)
    .bind(now)
    .bind(provenance.state.as_str())
    .bind(draft.visibility.as_str())
    .bind(provenance.author)
    .bind(provenance.author)
    .bind(provenance.source_ticket)
    .fetch_one(&mut *conn)
    .await?;
    Ok(ArticleId(id))
}

/// Replaces an article's text, service and visibility and sets its state, if it is
/// still at `revision`; returns false when someone else saved it in between.
pub async fn update_article(
    conn: &mut SqliteConnection,
    id: ArticleId,
    revision: i64,
    draft: &ArticleDraft,
    provenance: Provenance,
    now: DateTime<Utc>,
) -> Result<bool, InsertArticleError> {
    let service_id = super::catalog::service_id(&mut *conn, &draft.service_slug)
        .await?
        .ok_or_else(|| InsertArticleError::UnknownService(draft.service_slug.clone()))?;
    let c = columns(&draft.content);
    let changed = sqlx::query(
        "UPDATE articles SET service_id = ?, title = ?, keywords = ?, answer_md = ?,
                symptoms_md = ?, workaround_md = ?, cause_md = ?, error_status = ?,
                state = ?, visibility = ?, updated_by = ?, updated_at = ?,
                revision = revision + 1
         WHERE id = ? AND revision = ? AND kind = ?",
    )
    .bind(service_id.0)
    .bind(&draft.title)
    .bind(draft.keywords.join(", "))
    .bind(c.answer)
    .bind(c.symptoms)
    .bind(c.workaround)
    .bind(c.cause)
    .bind(c.status)
    .bind(provenance.state.as_str())
    .bind(draft.visibility.as_str())
    .bind(provenance.author)
    .bind(now)
    .bind(id.0)
    .bind(revision)
    .bind(c.kind.as_str())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(changed == 1)
}

/// An article as stored, for its editor: Markdown as written.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StoredArticle {
    pub id: ArticleId,
    pub revision: i64,
    pub state: ArticleState,
    pub draft: ArticleDraft,
}

/// The stored row of the article with this address name.
async fn article_row(
    conn: &mut SqliteConnection,
    slug: &str,
) -> Result<Option<ArticleColumnsRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {ARTICLE_COLUMNS} FROM articles a JOIN services s ON s.id = a.service_id
         WHERE a.slug = ?"
    ))
    .bind(slug)
    .fetch_optional(conn)
    .await
}

/// The article with this address name, as its author wrote it.
pub async fn stored_article(
    conn: &mut SqliteConnection,
    slug: &str,
) -> Result<Option<StoredArticle>, sqlx::Error> {
    let Some(row) = article_row(conn, slug).await? else {
        return Ok(None);
    };
    let content = content_of(&row)?;
    let state = state_of(&row)?;
    let visibility = visibility_of(&row)?;
    Ok(Some(StoredArticle {
        id: ArticleId(row.id),
        revision: row.revision,
        state,
        draft: ArticleDraft {
            slug: row.slug,
            service_slug: row.service_slug,
            title: row.title,
            keywords: row
                .keywords
                .split(',')
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(str::to_string)
                .collect(),
            visibility,
            content,
        },
    }))
}

/// An article's text as its author wrote it, from its row.
fn content_of(row: &ArticleColumnsRow) -> Result<DraftContent, sqlx::Error> {
    let status = row
        .error_status
        .as_deref()
        .and_then(KnownErrorStatus::parse);
    match (ArticleKind::parse(&row.kind), status) {
        (Some(ArticleKind::Faq), _) => Ok(DraftContent::Faq {
            answer_md: row.answer_md.clone(),
        }),
        (Some(ArticleKind::KnownError), Some(status)) => Ok(DraftContent::KnownError {
            status,
            symptoms_md: row.symptoms_md.clone(),
            workaround_md: row.workaround_md.clone(),
            cause_md: row.cause_md.clone(),
        }),
        _ => Err(sqlx::Error::Decode("article kind or status unknown".into())),
    }
}

/// An article's text rendered for its page (at `/articles/{slug}`, under
/// which its files are).
fn rendered(content: &DraftContent, slug: &str) -> ArticleBody {
    let base = format!("/articles/{slug}");
    let to_safe_html = |md: &str| to_safe_html_at(md, Some(&base));
    match content {
        DraftContent::Faq { answer_md } => ArticleBody::Faq {
            answer_html: to_safe_html(answer_md),
        },
        DraftContent::KnownError {
            status,
            symptoms_md,
            workaround_md,
            cause_md,
        } => ArticleBody::KnownError {
            status: *status,
            symptoms_html: to_safe_html(symptoms_md),
            workaround_html: to_safe_html(workaround_md),
            cause_html: cause_md.as_deref().map(to_safe_html),
        },
    }
}

/// An article's words without markup, for the index.
fn plain_text(content: &DraftContent) -> String {
    match content {
        DraftContent::Faq { answer_md } => to_plain_text(answer_md),
        DraftContent::KnownError {
            symptoms_md,
            workaround_md,
            cause_md,
            ..
        } => [Some(symptoms_md), Some(workaround_md), cause_md.as_ref()]
            .into_iter()
            .flatten()
            .map(|md| to_plain_text(md))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

fn state_of(row: &ArticleColumnsRow) -> Result<ArticleState, sqlx::Error> {
    ArticleState::parse(&row.state)
        .ok_or_else(|| sqlx::Error::Decode("article state unknown".into()))
}

fn visibility_of(row: &ArticleColumnsRow) -> Result<ArticleVisibility, sqlx::Error> {
    ArticleVisibility::parse(&row.visibility)
        .ok_or_else(|| sqlx::Error::Decode("article visibility unknown".into()))
}

const ARTICLE_COLUMNS: &str = "a.id, a.slug, a.kind, a.title, a.keywords, a.answer_md,
    a.symptoms_md, a.workaround_md, a.cause_md, a.error_status, a.updated_at,
    a.state, a.visibility, a.revision, s.slug AS service_slug, s.name AS service_name";

/// One article as read through [`ARTICLE_COLUMNS`]; the enum-like columns still raw text.
#[derive(sqlx::FromRow)]
struct ArticleColumnsRow {
    id: i64,
    slug: String,
    kind: String,
    title: String,
    keywords: String,
    answer_md: String,
    symptoms_md: String,
    workaround_md: String,
    cause_md: Option<String>,
    error_status: Option<String>,
    updated_at: DateTime<Utc>,
    state: String,
    visibility: String,
    revision: i64,
    service_slug: String,
    service_name: String,
}

/// The article with this slug, rendered for display, whatever its state and
/// visibility: the caller decides who may see it.
pub async fn get_article(
    conn: &mut SqliteConnection,
    slug: &str,
) -> Result<Option<Article>, sqlx::Error> {
    let Some(row) = article_row(conn, slug).await? else {
        return Ok(None);
    };
    let content = content_of(&row)?;
    let state = state_of(&row)?;
    let visibility = visibility_of(&row)?;
    let body = rendered(&content, &row.slug);
    Ok(Some(Article {
        id: ArticleId(row.id),
        slug: row.slug,
        kind: content.kind(),
        title: row.title,
        service_slug: row.service_slug,
        service_name: row.service_name,
        updated_at: row.updated_at,
        body,
        state,
        visibility,
        files: Vec::new(),
        staff: None,
    }))
}

/// (number, summary) of the incidents linked to an article (a known error), newest
/// first; for agents.
pub async fn linked_incidents(
    conn: &mut SqliteConnection,
    article: ArticleId,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT t.number, t.summary FROM ticket_links l JOIN tickets t ON t.id = l.ticket_id
         WHERE l.target_article_id = ? ORDER BY l.id DESC LIMIT 200",
    )
    .bind(article.0)
    .fetch_all(conn)
    .await
}

/// An article as the search index sees it: plain text only.
#[derive(Clone, Debug)]
pub struct IndexDoc {
    pub id: ArticleId,
    pub slug: String,
    pub kind: ArticleKind,
    pub title: String,
    pub service_slug: String,
    pub service_name: String,
    pub keywords: String,
    pub body: String,
    pub visibility: ArticleVisibility,
}

/// A page of published articles for indexing, in id order after `after` (keyset paging, so that
/// re-indexing a large knowledge base never holds it all in memory).
pub async fn index_docs_after(
    conn: &mut SqliteConnection,
    after: ArticleId,
    limit: u32,
) -> Result<Vec<IndexDoc>, sqlx::Error> {
    let rows: Vec<ArticleColumnsRow> = sqlx::query_as(&format!(
        "SELECT {ARTICLE_COLUMNS} FROM articles a JOIN services s ON s.id = a.service_id
         WHERE a.id > ? AND a.state = 'published' ORDER BY a.id LIMIT ?"
    ))
    .bind(after.0)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().filter_map(index_doc).collect())
}

/// Every published article of one service, for indexing again after the service changed
/// (its name is stored with each article in the index).
pub async fn index_docs_of_service(
    conn: &mut SqliteConnection,
    service: crate::domain::ServiceId,
) -> Result<Vec<IndexDoc>, sqlx::Error> {
    let rows: Vec<ArticleColumnsRow> = sqlx::query_as(&format!(
        "SELECT {ARTICLE_COLUMNS} FROM articles a JOIN services s ON s.id = a.service_id
         WHERE a.service_id = ? AND a.state = 'published' ORDER BY a.id"
    ))
    .bind(service.0)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().filter_map(index_doc).collect())
}

fn index_doc(row: ArticleColumnsRow) -> Option<IndexDoc> {
    let content = content_of(&row).ok()?;
    let visibility = visibility_of(&row).ok()?;
    Some(IndexDoc {
        id: ArticleId(row.id),
        slug: row.slug,
        kind: content.kind(),
        title: row.title,
        service_slug: row.service_slug,
        service_name: row.service_name,
        keywords: row.keywords,
        body: plain_text(&content),
        visibility,
    })
}

/// What the index holds of one article: the article while it is published,
/// else nothing.
pub async fn indexed(
    conn: &mut SqliteConnection,
    id: ArticleId,
) -> Result<Option<IndexDoc>, sqlx::Error> {
    let row: Option<ArticleColumnsRow> = sqlx::query_as(&format!(
        "SELECT {ARTICLE_COLUMNS} FROM articles a JOIN services s ON s.id = a.service_id
         WHERE a.id = ? AND a.state = 'published'"
    ))
    .bind(id.0)
    .fetch_optional(conn)
    .await?;
    Ok(row.and_then(index_doc))
}

/// How many published articles there are; the index must hold exactly as many.
pub async fn count(conn: &mut SqliteConnection) -> Result<u64, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM articles WHERE state = 'published'")
        .fetch_one(conn)
        .await?;
    Ok(n.max(0) as u64)
}

/// Every article for the authors' list, newest change first (at most 1,000).
pub async fn list_for_authors(
    conn: &mut SqliteConnection,
    wanted: Option<ArticleState>,
) -> Result<Vec<ArticleRow>, sqlx::Error> {
    let rows: Vec<AuthorListRow> = sqlx::query_as(
        "SELECT a.slug, a.title, a.kind, a.state, a.visibility, a.updated_at, s.name AS service_name,
                coalesce(f.helpful, 0) AS helpful, coalesce(f.unhelpful, 0) AS unhelpful
         FROM articles a JOIN services s ON s.id = a.service_id
         LEFT JOIN article_feedback f ON f.article_id = a.id
         WHERE ?1 IS NULL OR a.state = ?1
         ORDER BY a.updated_at DESC, a.id DESC LIMIT 1000",
    )
    .bind(wanted.map(ArticleState::as_str))
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            Some(ArticleRow {
                kind: ArticleKind::parse(&row.kind)?,
                state: ArticleState::parse(&row.state)?,
                visibility: ArticleVisibility::parse(&row.visibility)?,
                slug: row.slug,
                title: row.title,
                service_name: row.service_name,
                updated_at: row.updated_at,
                helpful: row.helpful,
                unhelpful: row.unhelpful,
            })
        })
        .collect())
}

/// One line of the authors' list as read; the enum-like columns still raw text.
#[derive(sqlx::FromRow)]
struct AuthorListRow {
    slug: String,
    title: String,
    kind: String,
    state: String,
    visibility: String,
    updated_at: DateTime<Utc>,
    service_name: String,
    helpful: i64,
    unhelpful: i64,
}

/// Counts one reader's answer to "Did this answer your question?" for `article`.
pub async fn record_feedback(
    conn: &mut SqliteConnection,
    article: ArticleId,
    helpful: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO article_feedback (article_id, helpful, unhelpful) VALUES (?1, ?2, 1 - ?2)
         ON CONFLICT (article_id) DO UPDATE SET helpful = helpful + excluded.helpful,
             unhelpful = unhelpful + excluded.unhelpful",
    )
    .bind(article.0)
    .bind(i64::from(helpful))
    .execute(conn)
    .await?;
    Ok(())
}

/// The id and title of the known error at `slug`.
pub async fn known_error_by_slug(
    conn: &mut SqliteConnection,
    slug: &str,
) -> Result<Option<(ArticleId, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, title FROM articles WHERE slug = ? AND kind = 'known_error'")
        .bind(slug)
        .fetch_optional(conn)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::store::db::Db;
    use crate::server::store::db::TempDb;

    /// Every read of this module, once, against a freshly migrated database holding
    /// one article of each kind: a column renamed in a migration fails here.
    #[tokio::test]
    async fn every_read_decodes_the_migrated_schema() {
        let file = TempDb::new("knowledge");
        let db = Db::open(&file.0).await.unwrap();
        let mut conn = db.writer.acquire().await.unwrap();
        let now = Utc::now();

        let service: i64 = sqlx::query_scalar(
            "INSERT INTO services (slug, name) VALUES ('email', 'E-mail') RETURNING id",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        let faq = ArticleDraft {
            slug: "reset-password".into(),
            service_slug: "email".into(),
            title: "Resetting a password".into(),
            keywords: vec!["password".into(), "login".into()],
            visibility: ArticleVisibility::SignedIn,
            content: DraftContent::Faq {
                answer_md: "Use *the form*.".into(),
            },
        };
        let known_error = ArticleDraft {
            slug: "mail-delayed".into(),
            service_slug: "email".into(),
            title: "Mail is delayed".into(),
            keywords: vec![],
            visibility: ArticleVisibility::Public,
            content: DraftContent::KnownError {
                status: KnownErrorStatus::WorkaroundAvailable,
                symptoms_md: "Mail arrives late.".into(),
                workaround_md: "Wait.".into(),
                cause_md: Some("A queue.".into()),
            },
        };
        let faq_id = insert_article(&mut conn, &faq, Provenance::PUBLISHED, now)
            .await
            .unwrap();
        let ke_id = insert_article(&mut conn, &known_error, Provenance::PUBLISHED, now)
            .await
            .unwrap();

        // An incident linked to the known error, for `linked_incidents`.
        let category: i64 = sqlx::query_scalar(
            "INSERT INTO categories (service_id, name) VALUES (?, 'Other') RETURNING id",
        )
        .bind(service)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        let ticket: i64 = sqlx::query_scalar(
            "INSERT INTO tickets (number, kind, state, impact, urgency, priority, service_id,
                                  category_id, summary, description, reporter_name,
                                  reporter_email, status_token_hash, response_due_at,
                                  resolution_due_at, created_at, updated_at)
             VALUES ('INC1001', 'incident', 'new', 'low', 'low', 5, ?, ?, 'Late mail', '',
                     'Ann', 'ann@example.test', x'00', ?, ?, ?, ?) RETURNING id",
        )
        .bind(service)
        .bind(category)
        .bind(now)
        .bind(now)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO ticket_links (ticket_id, kind, target_article_id, created_at, created_by)
             VALUES (?, 'known_error', ?, ?, 'test')",
        )
        .bind(ticket)
        .bind(ke_id.0)
        .bind(now)
        .execute(&mut *conn)
        .await
        .unwrap();

        let stored = stored_article(&mut conn, "reset-password")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.id, faq_id);
        assert_eq!(stored.revision, 1);
        assert_eq!(stored.state, ArticleState::Published);
        assert_eq!(stored.draft, faq);
        let stored = stored_article(&mut conn, "mail-delayed")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.draft, known_error);
        assert!(stored_article(&mut conn, "missing")
            .await
            .unwrap()
            .is_none());

        let article = get_article(&mut conn, "mail-delayed")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(article.id, ke_id);
        assert_eq!(article.kind, ArticleKind::KnownError);
        assert_eq!(article.service_slug, "email");
        assert_eq!(article.service_name, "E-mail");
        assert_eq!(article.updated_at.timestamp(), now.timestamp());
        assert_eq!(article.visibility, ArticleVisibility::Public);

        assert_eq!(
            linked_incidents(&mut conn, ke_id).await.unwrap(),
            [("INC1001".to_string(), "Late mail".to_string())]
        );

        let docs = index_docs_after(&mut conn, ArticleId(0), 10).await.unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].id, faq_id);
        assert_eq!(docs[0].keywords, "password, login");
        assert_eq!(docs[0].visibility, ArticleVisibility::SignedIn);
        assert_eq!(docs[1].body, "Mail arrives late. Wait. A queue.");
        let docs = index_docs_of_service(&mut conn, crate::domain::ServiceId(service))
            .await
            .unwrap();
        assert_eq!(docs.len(), 2);
        let doc = indexed(&mut conn, faq_id).await.unwrap().unwrap();
        assert_eq!(doc.slug, "reset-password");
        assert_eq!(doc.service_name, "E-mail");
        assert_eq!(count(&mut conn).await.unwrap(), 2);

        let rows = list_for_authors(&mut conn, None).await.unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].slug, "mail-delayed");
        assert_eq!(rows[0].state, ArticleState::Published);
        assert_eq!(rows[0].service_name, "E-mail");
        let drafts = list_for_authors(&mut conn, Some(ArticleState::Draft))
            .await
            .unwrap();
        assert!(drafts.is_empty());

        assert_eq!(
            known_error_by_slug(&mut conn, "mail-delayed")
                .await
                .unwrap(),
            Some((ke_id, "Mail is delayed".to_string()))
        );
        assert_eq!(
            known_error_by_slug(&mut conn, "reset-password")
                .await
                .unwrap(),
            None
        );

        drop(conn);
        db.writer.close().await;
        db.reader.close().await;
    }
}
