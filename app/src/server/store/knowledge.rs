//! Storage of knowledge articles: user FAQs and known errors.

use crate::domain::{
    Article, ArticleBody, ArticleId, ArticleKind, ArticleRow, ArticleState, ArticleVisibility,
    KnownErrorStatus,
};
use crate::server::markdown::{to_plain_text, to_safe_html};
use chrono::{DateTime, Utc};
use sqlx::{Row, SqliteConnection};

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
    pub author: Option<i64>,
    pub source_ticket: Option<i64>,
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
) -> Result<Option<sqlx::sqlite::SqliteRow>, sqlx::Error> {
    sqlx::query(&format!(
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
    let keywords: String = row.get("keywords");
    Ok(Some(StoredArticle {
        id: ArticleId(row.get("id")),
        revision: row.get("revision"),
        state: state_of(&row)?,
        draft: ArticleDraft {
            slug: row.get("slug"),
            service_slug: row.get("service_slug"),
            title: row.get("title"),
            keywords: keywords
                .split(',')
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(str::to_string)
                .collect(),
            visibility: visibility_of(&row)?,
            content,
        },
    }))
}

/// An article's text as its author wrote it, from its row.
fn content_of(row: &sqlx::sqlite::SqliteRow) -> Result<DraftContent, sqlx::Error> {
    let status = row
        .get::<Option<String>, _>("error_status")
        .as_deref()
        .and_then(KnownErrorStatus::parse);
    match (ArticleKind::parse(row.get("kind")), status) {
        (Some(ArticleKind::Faq), _) => Ok(DraftContent::Faq {
            answer_md: row.get("answer_md"),
        }),
        (Some(ArticleKind::KnownError), Some(status)) => Ok(DraftContent::KnownError {
            status,
            symptoms_md: row.get("symptoms_md"),
            workaround_md: row.get("workaround_md"),
            cause_md: row.get("cause_md"),
        }),
        _ => Err(sqlx::Error::Decode("article kind or status unknown".into())),
    }
}

/// An article's text rendered for its page.
fn rendered(content: &DraftContent) -> ArticleBody {
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

fn state_of(row: &sqlx::sqlite::SqliteRow) -> Result<ArticleState, sqlx::Error> {
    ArticleState::parse(row.get("state"))
        .ok_or_else(|| sqlx::Error::Decode("article state unknown".into()))
}

fn visibility_of(row: &sqlx::sqlite::SqliteRow) -> Result<ArticleVisibility, sqlx::Error> {
    ArticleVisibility::parse(row.get("visibility"))
        .ok_or_else(|| sqlx::Error::Decode("article visibility unknown".into()))
}

const ARTICLE_COLUMNS: &str = "a.id, a.slug, a.kind, a.title, a.keywords, a.answer_md,
    a.symptoms_md, a.workaround_md, a.cause_md, a.error_status, a.updated_at,
    a.state, a.visibility, a.revision, s.slug AS service_slug, s.name AS service_name";

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
    Ok(Some(Article {
        id: ArticleId(row.get("id")),
        slug: row.get("slug"),
        kind: content.kind(),
        title: row.get("title"),
        service_slug: row.get("service_slug"),
        service_name: row.get("service_name"),
        updated_at: row.get("updated_at"),
        body: rendered(&content),
        state: state_of(&row)?,
        visibility: visibility_of(&row)?,
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
    let rows = sqlx::query(&format!(
        "SELECT {ARTICLE_COLUMNS} FROM articles a JOIN services s ON s.id = a.service_id
         WHERE a.id > ? AND a.state = 'published' ORDER BY a.id LIMIT ?"
    ))
    .bind(after.0)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().filter_map(index_doc).collect())
}

/// Every published article of one service, for indexing again after the service changed
/// (its name is stored with each article in the index).
pub async fn index_docs_of_service(
    conn: &mut SqliteConnection,
    service: crate::domain::ServiceId,
) -> Result<Vec<IndexDoc>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {ARTICLE_COLUMNS} FROM articles a JOIN services s ON s.id = a.service_id
         WHERE a.service_id = ? AND a.state = 'published' ORDER BY a.id"
    ))
    .bind(service.0)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().filter_map(index_doc).collect())
}

fn index_doc(row: &sqlx::sqlite::SqliteRow) -> Option<IndexDoc> {
    let content = content_of(row).ok()?;
    Some(IndexDoc {
        id: ArticleId(row.get("id")),
        slug: row.get("slug"),
        kind: content.kind(),
        title: row.get("title"),
        service_slug: row.get("service_slug"),
        service_name: row.get("service_name"),
        keywords: row.get("keywords"),
        body: plain_text(&content),
        visibility: visibility_of(row).ok()?,
    })
}

/// What the index holds of one article: the article while it is published,
/// else nothing.
pub async fn indexed(
    conn: &mut SqliteConnection,
    id: ArticleId,
) -> Result<Option<IndexDoc>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {ARTICLE_COLUMNS} FROM articles a JOIN services s ON s.id = a.service_id
         WHERE a.id = ? AND a.state = 'published'"
    ))
    .bind(id.0)
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().and_then(index_doc))
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
    let rows = sqlx::query(
        "SELECT a.slug, a.title, a.kind, a.state, a.visibility, a.updated_at, s.name AS service_name
         FROM articles a JOIN services s ON s.id = a.service_id
         WHERE ?1 IS NULL OR a.state = ?1
         ORDER BY a.updated_at DESC, a.id DESC LIMIT 1000",
    )
    .bind(wanted.map(ArticleState::as_str))
    .fetch_all(conn)
    .await?;
    Ok(rows
        .iter()
        .filter_map(|row| {
            Some(ArticleRow {
                slug: row.get("slug"),
                title: row.get("title"),
                kind: ArticleKind::parse(row.get("kind"))?,
                service_name: row.get("service_name"),
                state: ArticleState::parse(row.get("state"))?,
                visibility: ArticleVisibility::parse(row.get("visibility"))?,
                updated_at: row.get("updated_at"),
            })
        })
        .collect())
}

/// The id and title of the known error at `slug`.
pub async fn known_error_by_slug(
    conn: &mut SqliteConnection,
    slug: &str,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, title FROM articles WHERE slug = ? AND kind = 'known_error'")
        .bind(slug)
        .fetch_optional(conn)
        .await
}
