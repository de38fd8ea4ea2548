//! Storage of knowledge articles: user FAQs and known errors.

use super::markdown::{to_plain_text, to_safe_html};
use crate::domain::{Article, ArticleBody, ArticleId, ArticleKind, KnownErrorStatus};
use chrono::{DateTime, Utc};
use sqlx::{Row, SqliteConnection};

/// An article to store; Markdown fields as written by its author.
#[derive(Clone, Debug)]
pub struct ArticleDraft {
    pub slug: String,
    pub service_slug: String,
    pub title: String,
    pub keywords: Vec<String>,
    pub content: DraftContent,
}

#[derive(Clone, Debug)]
pub enum DraftContent {
    Faq {
        answer_md: String,
    },
    KnownError {
        status: KnownErrorStatus,
        symptoms_md: String,
        workaround_md: String,
        cause_md: Option<String>,
    },
}

/// Why an article could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum InsertArticleError {
    #[error("no service with slug {0:?}")]
    UnknownService(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Stores a new article; the caller owns the transaction and re-indexes afterwards.
pub async fn insert_article(
    conn: &mut SqliteConnection,
    draft: &ArticleDraft,
    now: DateTime<Utc>,
) -> Result<ArticleId, InsertArticleError> {
    let service_id = super::catalog::service_id(&mut *conn, &draft.service_slug)
        .await?
        .ok_or_else(|| InsertArticleError::UnknownService(draft.service_slug.clone()))?;
    let (kind, answer, symptoms, workaround, cause, status) = match &draft.content {
        DraftContent::Faq { answer_md } => {
            (ArticleKind::Faq, answer_md.as_str(), "", "", None, None)
        }
        DraftContent::KnownError {
            status,
            symptoms_md,
            workaround_md,
            cause_md,
        } => (
            ArticleKind::KnownError,
            "",
            symptoms_md.as_str(),
            workaround_md.as_str(),
            cause_md.as_deref(),
            Some(status.as_str()),
        ),
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO articles (slug, kind, service_id, title, keywords, answer_md, symptoms_md,
                               workaround_md, cause_md, error_status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(&draft.slug)
    .bind(kind.as_str())
    .bind(service_id.0)
    .bind(&draft.title)
    .bind(draft.keywords.join(", "))
    .bind(answer)
    .bind(symptoms)
    .bind(workaround)
    .bind(cause)
    .bind(status)
    .bind(now)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(ArticleId(id))
}

const ARTICLE_COLUMNS: &str = "a.id, a.slug, a.kind, a.title, a.keywords, a.answer_md,
    a.symptoms_md, a.workaround_md, a.cause_md, a.error_status, a.updated_at,
    s.slug AS service_slug, s.name AS service_name";

/// The article with this slug, rendered for display.
pub async fn get_article(
    conn: &mut SqliteConnection,
    slug: &str,
) -> Result<Option<Article>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {ARTICLE_COLUMNS} FROM articles a JOIN services s ON s.id = a.service_id
         WHERE a.slug = ?"
    ))
    .bind(slug)
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let kind = ArticleKind::parse(row.get("kind"));
    let status = row
        .get::<Option<String>, _>("error_status")
        .as_deref()
        .and_then(KnownErrorStatus::parse);
    let body = match (kind, status) {
        (Some(ArticleKind::Faq), _) => ArticleBody::Faq {
            answer_html: to_safe_html(row.get("answer_md")),
        },
        (Some(ArticleKind::KnownError), Some(status)) => ArticleBody::KnownError {
            status,
            symptoms_html: to_safe_html(row.get("symptoms_md")),
            workaround_html: to_safe_html(row.get("workaround_md")),
            cause_html: row
                .get::<Option<String>, _>("cause_md")
                .map(|md| to_safe_html(&md)),
        },
        _ => return Err(sqlx::Error::Decode("article kind or status unknown".into())),
    };
    Ok(Some(Article {
        id: ArticleId(row.get("id")),
        slug: row.get("slug"),
        kind: kind.unwrap_or(ArticleKind::Faq),
        title: row.get("title"),
        service_slug: row.get("service_slug"),
        service_name: row.get("service_name"),
        updated_at: row.get("updated_at"),
        body,
    }))
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
}

/// A page of articles for indexing, in id order after `after` (keyset paging, so that
/// re-indexing a large knowledge base never holds it all in memory).
pub async fn index_docs_after(
    conn: &mut SqliteConnection,
    after: ArticleId,
    limit: u32,
) -> Result<Vec<IndexDoc>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {ARTICLE_COLUMNS} FROM articles a JOIN services s ON s.id = a.service_id
         WHERE a.id > ? ORDER BY a.id LIMIT ?"
    ))
    .bind(after.0)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().filter_map(index_doc).collect())
}

/// Every article of one service, for indexing again after the service changed
/// (its name is stored with each article in the index).
pub async fn index_docs_of_service(
    conn: &mut SqliteConnection,
    service: crate::domain::ServiceId,
) -> Result<Vec<IndexDoc>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {ARTICLE_COLUMNS} FROM articles a JOIN services s ON s.id = a.service_id
         WHERE a.service_id = ? ORDER BY a.id"
    ))
    .bind(service.0)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().filter_map(index_doc).collect())
}

fn index_doc(row: &sqlx::sqlite::SqliteRow) -> Option<IndexDoc> {
    let kind = ArticleKind::parse(row.get("kind"))?;
    let body = match kind {
        ArticleKind::Faq => to_plain_text(row.get("answer_md")),
        ArticleKind::KnownError => {
            let mut parts = vec![
                to_plain_text(row.get("symptoms_md")),
                to_plain_text(row.get("workaround_md")),
            ];
            if let Some(cause) = row.get::<Option<String>, _>("cause_md") {
                parts.push(to_plain_text(&cause));
            }
            parts.join(" ")
        }
    };
    Some(IndexDoc {
        id: ArticleId(row.get("id")),
        slug: row.get("slug"),
        kind,
        title: row.get("title"),
        service_slug: row.get("service_slug"),
        service_name: row.get("service_name"),
        keywords: row.get("keywords"),
        body,
    })
}

/// How many articles there are; the index must hold exactly as many.
pub async fn count(conn: &mut SqliteConnection) -> Result<u64, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM articles")
        .fetch_one(conn)
        .await?;
    Ok(n.max(0) as u64)
}

/// Why an article could not be published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    Insert(#[from] InsertArticleError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Search(#[from] super::search::SearchError),
}

/// Stores an article and makes it searchable before returning.
pub async fn publish(
    db: &super::db::Db,
    search: &super::search::SearchIndex,
    draft: &ArticleDraft,
) -> Result<ArticleId, PublishError> {
    let mut tx = db.writer.begin().await?;
    let id = insert_article(&mut tx, draft, Utc::now()).await?;
    tx.commit().await?;
    let docs = index_docs_after(&mut *db.reader.acquire().await?, ArticleId(id.0 - 1), 1).await?;
    search
        .apply(
            docs.into_iter()
                .map(super::search::IndexOp::Upsert)
                .collect(),
            true,
        )
        .await?;
    Ok(id)
}
