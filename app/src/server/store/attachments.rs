//! Attachments: which stored file (`stored_files`, the bytes in [`super::files`])
//! was attached by whom, under what name, to which ticket and history entry.
//!
//! An upload is written first as an attachment of nothing (*unclaimed*), so a
//! form that comes back with problems keeps its files; the change that carries
//! it claims it for its history entry in the ticket's own transaction. Who may
//! see an attachment is who may see its entry: its visibility is the entry's,
//! never stored twice.

use super::files::{random_hex, ContentHash};
use crate::domain::{AttachmentRules, FileView, TicketId};
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;
use std::collections::HashSet;

/// A file received whole and checked, ready to be recorded.
#[derive(Clone, Debug)]
pub struct NewFile {
    pub hash: ContentHash,
    pub size: u64,
    pub media_type: &'static str,
    /// The thumbnail's size, when the file is an image.
    pub thumbnail: Option<(u32, u32)>,
    /// As cleaned by [`crate::domain::clean_file_name`].
    pub name: String,
}

/// The files a change attaches to its history entry (unclaimed uploads, by
/// their public ids), and the rules they are held to.
#[derive(Clone, Debug, Default)]
pub struct Files {
    pub ids: Vec<String>,
    pub rules: AttachmentRules,
}

impl Files {
    pub fn none() -> Files {
        Files::default()
    }
}

/// Why files could not be attached.
#[derive(Debug, thiserror::Error)]
pub enum ClaimError {
    /// An upload is no longer waiting (attached meanwhile, or removed after a day).
    #[error("a file sent earlier is no longer waiting to be attached")]
    Gone,
    /// The ticket's files would exceed the limit.
    #[error("too much attached")]
    TooLarge { limit: u64 },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl ClaimError {
    /// What the person is told, beside the files.
    pub fn message(&self) -> String {
        match self {
            ClaimError::Gone => "A file you sent earlier is no longer waiting to be attached. \
                                 Please choose it again."
                .into(),
            ClaimError::TooLarge { limit } => format!(
                "All the files of one ticket together may be at most {}. Leave out some files, \
                 or make them smaller.",
                crate::domain::size_in_words(*limit)
            ),
            ClaimError::Database(_) => String::new(),
        }
    }
}

/// An attachment as a download needs it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Stored {
    pub ticket_id: Option<TicketId>,
    pub event_id: Option<i64>,
    pub name: String,
    pub sha256: String,
    pub media_type: String,
    pub size: i64,
    pub thumb_width: Option<i64>,
}

impl Stored {
    pub fn hash(&self) -> Option<ContentHash> {
        ContentHash::parse(&self.sha256)
    }
}

#[derive(sqlx::FromRow)]
struct ViewRow {
    event_id: Option<i64>,
    public_id: String,
    name: String,
    media_type: String,
    size: i64,
    thumb_width: Option<i64>,
    thumb_height: Option<i64>,
}

impl ViewRow {
    fn view(self) -> (Option<i64>, FileView) {
        let thumbnail = match (self.thumb_width, self.thumb_height) {
            (Some(w), Some(h)) => {
                Some((u32::try_from(w).unwrap_or(0), u32::try_from(h).unwrap_or(0)))
            }
            _ => None,
        };
        (
            self.event_id,
            FileView {
                id: self.public_id,
                name: self.name,
                media_type: self.media_type,
                size: u64::try_from(self.size).unwrap_or(0),
                thumbnail,
            },
        )
    }
}

const VIEW_COLUMNS: &str = "a.event_id, a.public_id, a.name, f.media_type, f.size, \
                            f.thumb_width, f.thumb_height";

/// Records a received file as an unclaimed attachment; answers its public id.
/// The bytes must already be in place ([`super::files::FileStore::keep`]).
pub async fn record_unclaimed(
    conn: &mut SqliteConnection,
    file: &NewFile,
    now: DateTime<Utc>,
) -> Result<FileView, sqlx::Error> {
    let public_id = new_public_id()?;
    sqlx::query(
        "INSERT INTO stored_files (sha256, size, media_type, thumb_width, thumb_height, stored_at)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(file.hash.as_str())
    .bind(i64::try_from(file.size).unwrap_or(i64::MAX))
    .bind(file.media_type)
    .bind(file.thumbnail.map(|(w, _)| i64::from(w)))
    .bind(file.thumbnail.map(|(_, h)| i64::from(h)))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO attachments (public_id, sha256, name, uploaded_at) VALUES (?, ?, ?, ?)",
    )
    .bind(&public_id)
    .bind(file.hash.as_str())
    .bind(&file.name)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(FileView {
        id: public_id,
        name: file.name.clone(),
        media_type: file.media_type.to_string(),
        size: file.size,
        thumbnail: file.thumbnail,
    })
}

/// 128 random bits as hex: an attachment's id in addresses.
fn new_public_id() -> Result<String, sqlx::Error> {
    random_hex().map_err(|e| sqlx::Error::Protocol(e.to_string()))
}

/// Whether `id` looks like a public id at all (so nothing else reaches a query).
pub fn plausible_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The unclaimed uploads among `ids`, in the order given (unknown ones left out).
pub async fn unclaimed(
    conn: &mut SqliteConnection,
    ids: &[String],
) -> Result<Vec<FileView>, sqlx::Error> {
    let mut found = Vec::new();
    for id in ids.iter().filter(|id| plausible_id(id)) {
        let row: Option<ViewRow> = sqlx::query_as(&format!(
            "SELECT {VIEW_COLUMNS} FROM attachments a JOIN stored_files f ON f.sha256 = a.sha256
             WHERE a.public_id = ? AND a.ticket_id IS NULL"
        ))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        found.extend(row.map(|r| r.view().1));
    }
    Ok(found)
}

/// Attaches the unclaimed uploads `files.ids` to history entry `event` of
/// `ticket`, in the caller's transaction: all of them or none.
pub async fn claim(
    conn: &mut SqliteConnection,
    ticket: TicketId,
    event: i64,
    files: &Files,
) -> Result<(), ClaimError> {
    if files.ids.is_empty() {
        return Ok(());
    }
    let mut adding: i64 = 0;
    let mut seen = HashSet::new();
    for id in &files.ids {
        if !seen.insert(id.as_str()) {
            continue;
        }
        let size: Option<i64> = sqlx::query_scalar(
            "UPDATE attachments SET ticket_id = ?, event_id = ?
             WHERE public_id = ? AND ticket_id IS NULL
             RETURNING (SELECT size FROM stored_files f WHERE f.sha256 = attachments.sha256)",
        )
        .bind(ticket)
        .bind(event)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        adding += size.ok_or(ClaimError::Gone)?;
    }
    let total: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(f.size), 0) FROM attachments a JOIN stored_files f ON f.sha256 = a.sha256
         WHERE a.ticket_id = ?",
    )
    .bind(ticket)
    .fetch_one(&mut *conn)
    .await?;
    if adding > 0 && u64::try_from(total).unwrap_or(u64::MAX) > files.rules.per_ticket {
        return Err(ClaimError::TooLarge {
            limit: files.rules.per_ticket,
        });
    }
    Ok(())
}

/// Attaches to history entry `event` of `ticket` a copy of every file of
/// entry `from` (a major incident's update, written into each linked ticket).
pub async fn copy_to(
    conn: &mut SqliteConnection,
    from: i64,
    ticket: TicketId,
    event: i64,
) -> Result<(), sqlx::Error> {
    let files: Vec<(String, String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT sha256, name, uploaded_at FROM attachments WHERE event_id = ? ORDER BY id",
    )
    .bind(from)
    .fetch_all(&mut *conn)
    .await?;
    for (sha256, name, uploaded_at) in files {
        sqlx::query(
            "INSERT INTO attachments (public_id, sha256, name, uploaded_at, ticket_id, event_id)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(new_public_id()?)
        .bind(sha256)
        .bind(name)
        .bind(uploaded_at)
        .bind(ticket)
        .bind(event)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Every file attached to `ticket`, by the history entry it came with, oldest first.
pub async fn of_ticket(
    conn: &mut SqliteConnection,
    ticket: TicketId,
) -> Result<Vec<(i64, FileView)>, sqlx::Error> {
    let rows: Vec<ViewRow> = sqlx::query_as(&format!(
        "SELECT {VIEW_COLUMNS} FROM attachments a JOIN stored_files f ON f.sha256 = a.sha256
         WHERE a.ticket_id = ? ORDER BY a.id"
    ))
    .bind(ticket)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let (event, view) = row.view();
            event.map(|event| (event, view))
        })
        .collect())
}

/// Hands each history entry (by id) its files: `files` as [`of_ticket`] gave them.
pub fn files_of(files: &[(i64, FileView)], event: i64) -> Vec<FileView> {
    files
        .iter()
        .filter(|(e, _)| *e == event)
        .map(|(_, f)| f.clone())
        .collect()
}

/// The attachment with public id `id`, whatever it belongs to: the caller
/// decides whether the person asking may have it.
pub async fn find(conn: &mut SqliteConnection, id: &str) -> Result<Option<Stored>, sqlx::Error> {
    if !plausible_id(id) {
        return Ok(None);
    }
    sqlx::query_as(
        "SELECT a.ticket_id, a.event_id, a.name, a.sha256, f.media_type, f.size, f.thumb_width
         FROM attachments a JOIN stored_files f ON f.sha256 = a.sha256 WHERE a.public_id = ?",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
}

/// Forgets uploads left unclaimed since before `before`, and stored files no
/// attachment names any more; answers the hashes still stored, for
/// [`super::files::FileStore::sweep`]. Run at start, before anything is served.
pub async fn forget_unclaimed(
    conn: &mut SqliteConnection,
    before: DateTime<Utc>,
) -> Result<HashSet<String>, sqlx::Error> {
    sqlx::query("DELETE FROM attachments WHERE ticket_id IS NULL AND uploaded_at < ?")
        .bind(before)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "DELETE FROM stored_files
         WHERE NOT EXISTS (SELECT 1 FROM attachments a WHERE a.sha256 = stored_files.sha256)",
    )
    .execute(&mut *conn)
    .await?;
    let hashes: Vec<String> = sqlx::query_scalar("SELECT sha256 FROM stored_files")
        .fetch_all(&mut *conn)
        .await?;
    Ok(hashes.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::store::db::{mail_sending, Db, TempDb};
    use sqlx::Connection;

    fn new_file(byte: char, size: u64) -> NewFile {
        NewFile {
            hash: ContentHash::parse(&byte.to_string().repeat(64)).unwrap(),
            size,
            media_type: "image/png",
            thumbnail: Some((320, 200)),
            name: "shot.png".into(),
        }
    }

    #[tokio::test]
    async fn uploads_wait_unclaimed_then_belong_to_one_entry_within_the_ticket_limit() {
        let file = TempDb::new("attachments");
        let db = Db::open(&file.0).await.unwrap();
        let now = Utc::now();
        let mut conn = db.writer.acquire().await.unwrap();
        let first = record_unclaimed(&mut conn, &new_file('a', 60), now)
            .await
            .unwrap();
        // The same content again is one stored file, two attachments.
        let again = record_unclaimed(&mut conn, &new_file('a', 60), now)
            .await
            .unwrap();
        let big = record_unclaimed(&mut conn, &new_file('b', 50), now)
            .await
            .unwrap();
        assert_ne!(first.id, again.id);
        assert!(plausible_id(&first.id));
        let waiting = unclaimed(&mut conn, &[first.id.clone(), "nope".into()])
            .await
            .unwrap();
        assert_eq!(waiting, vec![first.clone()]);

        let (service, category) = mail_sending(&mut conn).await;
        let ticket: TicketId = sqlx::query_scalar(
            "INSERT INTO tickets (number, kind, state, priority, service_id, category_id, summary,
                                  description, reporter_name, reporter_email, status_token_hash,
                                  response_due_at, resolution_due_at, created_at, updated_at)
             VALUES ('REQ0000001', 'request', 'new', 3, ?1, ?2, 'x', '', 'R', 'r@example.org',
                     x'00', ?3, ?3, ?3, ?3)
             RETURNING id",
        )
        .bind(service)
        .bind(category)
        .bind(now)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        let event: i64 = sqlx::query_scalar(
            "INSERT INTO ticket_events (ticket_id, at, actor, kind, visibility)
             VALUES (?, ?, 'R', 'logged', 'public') RETURNING id",
        )
        .bind(ticket)
        .bind(now)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        let rules = AttachmentRules {
            per_file: 100,
            per_ticket: 100,
        };
        let files = |ids: &[&FileView]| Files {
            ids: ids.iter().map(|f| f.id.clone()).collect(),
            rules,
        };
        claim(&mut conn, ticket, event, &files(&[&first]))
            .await
            .unwrap();
        // Claimed once only.
        assert!(matches!(
            claim(&mut conn, ticket, event, &files(&[&first])).await,
            Err(ClaimError::Gone)
        ));
        // 60 + 60 + 50 is over the ticket's 100: the caller's transaction rolls back.
        let mut tx = conn.begin().await.unwrap();
        assert!(matches!(
            claim(&mut tx, ticket, event, &files(&[&again, &big])).await,
            Err(ClaimError::TooLarge { limit: 100 })
        ));
        tx.rollback().await.unwrap();
        let attached = of_ticket(&mut conn, ticket).await.unwrap();
        assert_eq!(attached, vec![(event, first.clone())]);
        assert_eq!(files_of(&attached, event), vec![first.clone()]);
        let stored = find(&mut conn, &first.id).await.unwrap().unwrap();
        assert_eq!(
            (stored.ticket_id, stored.event_id),
            (Some(ticket), Some(event))
        );
        assert_eq!((stored.media_type.as_str(), stored.size), ("image/png", 60));
        assert!(stored.hash().is_some());
        assert!(find(&mut conn, "../../etc").await.unwrap().is_none());

        // Later, unclaimed uploads and the files only they named are forgotten.
        let kept = forget_unclaimed(&mut conn, now + chrono::Duration::days(2))
            .await
            .unwrap();
        assert_eq!(kept, HashSet::from(["a".repeat(64)]));
        assert!(unclaimed(&mut conn, &[big.id]).await.unwrap().is_empty());
    }
}
