//! Attachments: which stored file (`stored_files`, the bytes in [`super::files`])
//! was attached by whom, under what name, to which ticket and history entry.
//!
//! An upload is written first as an attachment of nothing (*unclaimed*), so a
//! form that comes back with problems keeps its files; the change that carries
//! it claims it for its history entry in the ticket's own transaction. Who may
//! see an attachment is who may see its entry: its visibility is the entry's,
//! never stored twice.

use super::files::{random_hex, ContentHash};
use crate::domain::{ArticleId, AttachmentRules, FileView, Scan, TicketId};
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
    /// What the scanner said while it was received.
    pub scan: Scan,
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

/// The admin's rules for attachments (each part at its default until set).
pub async fn rules(conn: &mut SqliteConnection) -> Result<AttachmentRules, sqlx::Error> {
    let rows = sqlx::query_as::<_, (String, String)>(
        "SELECT key, value FROM settings
         WHERE key IN ('attachment_per_file', 'attachment_per_ticket', 'attachment_kinds')",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut rules = AttachmentRules::default();
    for (key, value) in rows {
        match key.as_str() {
            "attachment_per_file" => rules.per_file = value.parse().unwrap_or(rules.per_file),
            "attachment_per_ticket" => rules.per_ticket = value.parse().unwrap_or(rules.per_ticket),
            _ => rules.kinds = crate::domain::FileKinds::from_keys(&value),
        }
    }
    Ok(rules)
}

/// Saves the admin's rules for attachments.
pub async fn save_rules(
    conn: &mut SqliteConnection,
    rules: &AttachmentRules,
) -> Result<(), sqlx::Error> {
    use super::priorities::set_setting;
    set_setting(conn, "attachment_per_file", &rules.per_file.to_string()).await?;
    set_setting(conn, "attachment_per_ticket", &rules.per_ticket.to_string()).await?;
    set_setting(conn, "attachment_kinds", &rules.kinds.keys()).await
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
                "All the files of one ticket or article together may be at most {}. Leave out \
                 some files, or make them smaller.",
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
    pub scan: String,
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
    scan: String,
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
                scan: Scan::parse(&self.scan),
            },
        )
    }
}

const VIEW_COLUMNS: &str = "a.event_id, a.public_id, a.name, f.media_type, f.size, \
                            f.thumb_width, f.thumb_height, f.scan";

/// Records a received file as an unclaimed attachment; answers its public id.
/// The bytes must already be in place ([`super::files::FileStore::keep`]).
pub async fn record_unclaimed(
    conn: &mut SqliteConnection,
    file: &NewFile,
    now: DateTime<Utc>,
) -> Result<FileView, sqlx::Error> {
    let public_id = new_public_id()?;
    // Content stored before keeps its verdict, unless it was waiting and this
    // upload's scan has settled it.
    let scan: String = sqlx::query_scalar(
        "INSERT INTO stored_files (sha256, size, media_type, thumb_width, thumb_height, stored_at, scan)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (sha256) DO UPDATE SET scan = CASE
             WHEN stored_files.scan IN ('pending', 'unscanned') AND excluded.scan = 'clean'
             THEN 'clean' ELSE stored_files.scan END
         RETURNING scan",
    )
    .bind(file.hash.as_str())
    .bind(i64::try_from(file.size).unwrap_or(i64::MAX))
    .bind(file.media_type)
    .bind(file.thumbnail.map(|(w, _)| i64::from(w)))
    .bind(file.thumbnail.map(|(_, h)| i64::from(h)))
    .bind(now)
    .bind(file.scan.as_str())
    .fetch_one(&mut *conn)
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
        scan: Scan::parse(&scan),
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
             WHERE a.public_id = ? AND a.ticket_id IS NULL AND a.article_id IS NULL"
        ))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        found.extend(row.map(|r| r.view().1));
    }
    Ok(found)
}

/// What a claimed upload belongs to.
#[derive(Clone, Copy, Debug)]
enum Holder {
    /// A ticket's history entry.
    Entry(TicketId, i64),
    Article(ArticleId),
}

/// Attaches the unclaimed uploads `files.ids` to history entry `event` of
/// `ticket`, in the caller's transaction: all of them or none.
pub async fn claim(
    conn: &mut SqliteConnection,
    ticket: TicketId,
    event: i64,
    files: &Files,
) -> Result<(), ClaimError> {
    claim_for(conn, Holder::Entry(ticket, event), files).await
}

/// Attaches the unclaimed uploads `files.ids` to `article`, in the caller's
/// transaction: all of them or none. An article may hold as much as a ticket.
pub async fn claim_for_article(
    conn: &mut SqliteConnection,
    article: ArticleId,
    files: &Files,
) -> Result<(), ClaimError> {
    claim_for(conn, Holder::Article(article), files).await
}

async fn claim_for(
    conn: &mut SqliteConnection,
    holder: Holder,
    files: &Files,
) -> Result<(), ClaimError> {
    if files.ids.is_empty() {
        return Ok(());
    }
    const UNCLAIMED: &str = "WHERE public_id = ? AND ticket_id IS NULL AND article_id IS NULL
        RETURNING (SELECT size FROM stored_files f WHERE f.sha256 = attachments.sha256)";
    let mut adding: i64 = 0;
    let mut seen = HashSet::new();
    for id in &files.ids {
        if !seen.insert(id.as_str()) {
            continue;
        }
        let size: Option<i64> = match holder {
            Holder::Entry(ticket, event) => {
                sqlx::query_scalar(&format!(
                    "UPDATE attachments SET ticket_id = ?, event_id = ? {UNCLAIMED}"
                ))
                .bind(ticket)
                .bind(event)
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
            }
            Holder::Article(article) => {
                sqlx::query_scalar(&format!(
                    "UPDATE attachments SET article_id = ? {UNCLAIMED}"
                ))
                .bind(article)
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
            }
        };
        adding += size.ok_or(ClaimError::Gone)?;
    }
    let (column, holder_id) = match holder {
        Holder::Entry(ticket, _) => ("ticket_id", ticket.0),
        Holder::Article(article) => ("article_id", article.0),
    };
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT coalesce(sum(f.size), 0) FROM attachments a JOIN stored_files f ON f.sha256 = a.sha256
         WHERE a.{column} = ?"
    ))
    .bind(holder_id)
    .fetch_one(&mut *conn)
    .await?;
    if adding > 0 && u64::try_from(total).unwrap_or(u64::MAX) > files.rules.per_ticket {
        return Err(ClaimError::TooLarge {
            limit: files.rules.per_ticket,
        });
    }
    Ok(())
}

/// The files of `article`, oldest first.
pub async fn of_article(
    conn: &mut SqliteConnection,
    article: ArticleId,
) -> Result<Vec<FileView>, sqlx::Error> {
    let rows: Vec<ViewRow> = sqlx::query_as(&format!(
        "SELECT {VIEW_COLUMNS} FROM attachments a JOIN stored_files f ON f.sha256 = a.sha256
         WHERE a.article_id = ? ORDER BY a.id"
    ))
    .bind(article)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|row| row.view().1).collect())
}

/// Takes the files `ids` off `article`; answers their names. Their bytes go
/// at the next tidying, once nothing else names them.
pub async fn remove_from_article(
    conn: &mut SqliteConnection,
    article: ArticleId,
    ids: &[String],
) -> Result<Vec<String>, sqlx::Error> {
    let mut removed = Vec::new();
    for id in ids.iter().filter(|id| plausible_id(id)) {
        let name: Option<String> = sqlx::query_scalar(
            "DELETE FROM attachments WHERE article_id = ? AND public_id = ? RETURNING name",
        )
        .bind(article)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        removed.extend(name);
    }
    Ok(removed)
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
        "SELECT a.ticket_id, a.event_id, a.name, a.sha256, f.media_type, f.size, f.thumb_width,
                f.scan
         FROM attachments a JOIN stored_files f ON f.sha256 = a.sha256 WHERE a.public_id = ?",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
}

/// Stored files waiting for the virus scanner (by hash), at most `limit`,
/// those after `after` in the order of their hashes (a sweep pages through
/// them all, even past files the scanner cannot settle).
pub async fn waiting_for_scan(
    conn: &mut SqliteConnection,
    after: &str,
    limit: i64,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT sha256 FROM stored_files WHERE scan = 'pending' AND sha256 > ?
         ORDER BY sha256 LIMIT ?",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await
}

/// Records the scanner's verdict on a stored file (`found`: what it found).
pub async fn record_verdict(
    conn: &mut SqliteConnection,
    sha256: &str,
    scan: Scan,
    found: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE stored_files SET scan = ?, found = ? WHERE sha256 = ?")
        .bind(scan.as_str())
        .bind(found)
        .bind(sha256)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Fits the stored verdicts to the configuration, at start: with a scanner,
/// files never scanned wait for it; without one, files that were waiting are
/// handed out unscanned, as every file is then. Answers how many changed.
pub async fn fit_scans_to(conn: &mut SqliteConnection, scanning: bool) -> Result<u64, sqlx::Error> {
    let (from, to) = if scanning {
        (Scan::Unscanned, Scan::Pending)
    } else {
        (Scan::Pending, Scan::Unscanned)
    };
    Ok(
        sqlx::query("UPDATE stored_files SET scan = ? WHERE scan = ?")
            .bind(to.as_str())
            .bind(from.as_str())
            .execute(&mut *conn)
            .await?
            .rows_affected(),
    )
}

/// Forgets uploads left unclaimed since before `before`, and stored files no
/// attachment names any more; answers the hashes still stored, for
/// [`super::files::FileStore::sweep`]. Run at start, before anything is served.
pub async fn forget_unclaimed(
    conn: &mut SqliteConnection,
    before: DateTime<Utc>,
) -> Result<HashSet<String>, sqlx::Error> {
    sqlx::query(
        "DELETE FROM attachments
         WHERE ticket_id IS NULL AND article_id IS NULL AND uploaded_at < ?",
    )
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
            scan: Scan::Unscanned,
        }
    }

    #[tokio::test]
    async fn the_rules_are_the_defaults_until_saved_and_read_back_as_saved() {
        let file = TempDb::new("attachment-rules");
        let db = Db::open(&file.0).await.unwrap();
        let mut conn = db.writer.acquire().await.unwrap();
        assert_eq!(rules(&mut conn).await.unwrap(), AttachmentRules::default());
        let saved = AttachmentRules {
            per_file: 3 * crate::domain::MB,
            per_ticket: 7 * crate::domain::MB,
            kinds: crate::domain::FileKinds::from_keys("pdf,zip"),
        };
        save_rules(&mut conn, &saved).await.unwrap();
        assert_eq!(rules(&mut conn).await.unwrap(), saved);
    }

    #[tokio::test]
    async fn a_verdict_belongs_to_the_content_and_waiting_files_are_found() {
        let file = TempDb::new("scans");
        let db = Db::open(&file.0).await.unwrap();
        let now = Utc::now();
        let mut conn = db.writer.acquire().await.unwrap();
        let first = record_unclaimed(&mut conn, &new_file('a', 60), now)
            .await
            .unwrap();
        assert_eq!(first.scan, Scan::Unscanned);
        assert_eq!(fit_scans_to(&mut conn, true).await.unwrap(), 1);
        assert_eq!(
            waiting_for_scan(&mut conn, "", 10).await.unwrap(),
            vec!["a".repeat(64)]
        );
        // The same content, found clean while it was received, settles it.
        let clean = NewFile {
            scan: Scan::Clean,
            ..new_file('a', 60)
        };
        let second = record_unclaimed(&mut conn, &clean, now).await.unwrap();
        assert_eq!(second.scan, Scan::Clean);
        assert!(waiting_for_scan(&mut conn, "", 10)
            .await
            .unwrap()
            .is_empty());
        // An infected content stays infected whatever a later upload says.
        record_verdict(&mut conn, &"a".repeat(64), Scan::Infected, Some("Eicar"))
            .await
            .unwrap();
        let third = record_unclaimed(&mut conn, &clean, now).await.unwrap();
        assert_eq!(third.scan, Scan::Infected);
        let stored = find(&mut conn, &third.id).await.unwrap().unwrap();
        assert_eq!(stored.scan, "infected");
        assert_eq!(fit_scans_to(&mut conn, false).await.unwrap(), 0);
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
            ..AttachmentRules::default()
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
