//! The knowledge base's server side: publishing an article and keeping search in
//! step with it, and writing articles (`authoring`).

pub mod authoring;

use crate::domain::{ArticleDraft, ArticleId};
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
