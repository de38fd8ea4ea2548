//! The knowledge base's server side: publishing an article and keeping search in
//! step with it, and writing articles (`authoring`).

pub mod authoring;
pub mod feedback;

use crate::domain::{open_to_users, Article, ArticleDraft, ArticleId, ArticleVisibility, Viewer};
use crate::error::AppError;
use crate::server::search::{IndexOp, SearchError, SearchIndex};
use crate::server::store::db::Db;
use crate::server::store::knowledge::{self, InsertArticleError, Provenance};
use chrono::Utc;
use sqlx::SqliteConnection;

/// The index entry of one article: `Upsert` while it is published, else `Delete`.
pub async fn index_op(conn: &mut SqliteConnection, id: ArticleId) -> Result<IndexOp, sqlx::Error> {
    Ok(match knowledge::indexed(conn, id).await? {
        Some(doc) => IndexOp::Upsert(doc),
        None => IndexOp::Delete(id),
    })
}

/// The article `slug` with its files, if `viewer` may read it: agents and
/// admins any article, anyone else a published one open to them (a visitor is
/// asked to sign in for one that signed-in users may read). Its page and its
/// files' downloads both ask this.
pub async fn readable(
    conn: &mut SqliteConnection,
    slug: &str,
    viewer: &Viewer,
) -> Result<Article, AppError> {
    let mut article = knowledge::get_article(conn, slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let staff = viewer.account().is_some_and(|a| a.role.is_staff());
    if !staff {
        if !open_to_users(article.state, article.visibility) {
            return Err(AppError::NotFound);
        }
        if !article
            .visibility
            .readable_at(ArticleVisibility::of_viewer(viewer))
        {
            return Err(AppError::SignInRequired);
        }
    }
    article.files = crate::server::store::attachments::of_article(conn, article.id).await?;
    Ok(article)
}

/// Why an article could not be published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    Insert(#[from] InsertArticleError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Search(#[from] SearchError),
}

/// Stores an article and makes it searchable before returning.
pub async fn publish(
    db: &Db,
    search: &SearchIndex,
    draft: &ArticleDraft,
) -> Result<ArticleId, PublishError> {
    let mut tx = db.writer.begin().await?;
    let id = knowledge::insert_article(&mut tx, draft, Provenance::PUBLISHED, Utc::now()).await?;
    tx.commit().await?;
    let op = index_op(&mut *db.reader.acquire().await?, id).await?;
    search.apply(vec![op], true).await?;
    Ok(id)
}
