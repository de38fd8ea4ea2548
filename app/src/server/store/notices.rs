//! Service-failure notices, their services and their updates: writing them (the
//! caller owns the transaction, queues the news for mail in it with
//! `notice_mail`, and tells open pages after it commits, see `server::notices`)
//! and reading them for the banner, the status page and the feed.

use crate::domain::{
    Audience, Notice, NoticeChange, NoticeDraft, NoticeId, NoticeUpdate, Severity, TicketNumber,
};
use crate::domain::{NoticeNews, TicketId, UserId};
use chrono::{DateTime, Duration, Utc};
use sqlx::SqliteConnection;

/// Why a notice could not be published or changed.
#[derive(Debug, thiserror::Error)]
pub enum NoticeError {
    #[error("no such notice")]
    NotFound,
    /// Problems with what was typed, at their fields.
    #[error("the form has problems")]
    Fields(crate::domain::FieldErrors),
    /// A problem with one field, said in words for the person who typed it.
    #[error("{1}")]
    Invalid(crate::domain::Field, String),
    #[error("the notice is resolved already")]
    Resolved,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Publishes a notice; the caller owns the transaction. The services must be offered
/// and the major incident, if named, must be an ongoing one.
pub async fn insert(
    conn: &mut SqliteConnection,
    draft: &NoticeDraft,
    author: &str,
    now: DateTime<Utc>,
) -> Result<NoticeId, NoticeError> {
    let major = match draft.major {
        Some(number) => Some(ongoing_major(conn, number).await?),
        None => None,
    };
    let id: NoticeId = sqlx::query_scalar(
        "INSERT INTO notices (title, severity, experience, starts_at, expected_restoration_at,
                              created_at, audience, major_ticket_id, created_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(&draft.title)
    .bind(draft.severity.as_str())
    .bind(&draft.experience)
    .bind(draft.starts_at)
    .bind(draft.expected_restoration_at)
    .bind(now)
    .bind(draft.audience.as_str())
    .bind(major)
    .bind(author)
    .fetch_one(&mut *conn)
    .await?;
    for slug in &draft.service_slugs {
        let added = sqlx::query(
            "INSERT INTO notice_services (notice_id, service_id)
             SELECT ?, id FROM services WHERE slug = ? AND offered = 1",
        )
        .bind(id)
        .bind(slug)
        .execute(&mut *conn)
        .await?;
        if added.rows_affected() == 0 {
            return Err(NoticeError::Invalid(
                crate::domain::Field::Services,
                "One of the chosen services is not offered any more: choose again.".into(),
            ));
        }
    }
    for (at, body) in &draft.updates {
        add_update(conn, id, *at, body, author).await?;
    }
    Ok(id)
}

/// Applies an admin's change to a notice; the caller owns the transaction.
/// Answers the news it makes (an update or the resolution, as written), if any.
pub async fn apply_change(
    tx: &mut SqliteConnection,
    id: NoticeId,
    change: &NoticeChange,
    author: &str,
    now: DateTime<Utc>,
) -> Result<Option<(NoticeNews, String)>, NoticeError> {
    let resolved: Option<Option<DateTime<Utc>>> =
        sqlx::query_scalar("SELECT resolved_at FROM notices WHERE id = ?")
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?;
    match resolved {
        None => return Err(NoticeError::NotFound),
        Some(Some(_)) => return Err(NoticeError::Resolved),
        Some(None) => {}
    }
    match change {
        NoticeChange::Update { body, restoration } => {
            let mut text = body.clone();
            if let Some(restoration) = restoration {
                sqlx::query("UPDATE notices SET expected_restoration_at = ? WHERE id = ?")
                    .bind(restoration)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?;
                let said = match restoration {
                    Some(at) => format!(
                        "Expected restoration is now {}.",
                        crate::domain::format_time(*at)
                    ),
                    None => "We do not know yet when the service will be back.".into(),
                };
                text = if text.is_empty() {
                    said
                } else {
                    format!("{text}\n\n{said}")
                };
            }
            add_update(tx, id, now, &text, author).await?;
            Ok(Some((NoticeNews::Updated, text)))
        }
        NoticeChange::Resolve { body } => {
            sqlx::query("UPDATE notices SET resolved_at = ? WHERE id = ?")
                .bind(now)
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
            let text = if body.is_empty() {
                "Resolved: the service is working normally again.".to_string()
            } else {
                format!("Resolved: {body}")
            };
            add_update(tx, id, now, &text, author).await?;
            Ok(Some((NoticeNews::Resolved, text)))
        }
        NoticeChange::Link { major } => {
            let major = ongoing_major(tx, *major).await?;
            sqlx::query("UPDATE notices SET major_ticket_id = ? WHERE id = ?")
                .bind(major)
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
            Ok(None)
        }
    }
}

async fn add_update(
    conn: &mut SqliteConnection,
    notice: NoticeId,
    at: DateTime<Utc>,
    body: &str,
    author: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO notice_updates (notice_id, at, body, author) VALUES (?, ?, ?, ?)")
        .bind(notice)
        .bind(at)
        .bind(body)
        .bind(author)
        .execute(conn)
        .await?;
    Ok(())
}

/// The id of ongoing major incident `number`, or the problem to show at its field.
async fn ongoing_major(
    conn: &mut SqliteConnection,
    number: TicketNumber,
) -> Result<TicketId, NoticeError> {
    super::tickets::ongoing_major(conn, number)
        .await?
        .ok_or_else(|| {
            NoticeError::Invalid(
                crate::domain::Field::Major,
                format!("{number} is not an ongoing major incident."),
            )
        })
}

/// The columns [`complete`] reads.
const COLUMNS: &str = "id, title, severity, experience, starts_at, expected_restoration_at,
    resolved_at, audience, major_ticket_id,
    (SELECT number FROM tickets WHERE tickets.id = major_ticket_id) AS major_number";

/// A notice's row as [`COLUMNS`] selects it.
#[derive(sqlx::FromRow)]
struct NoticeRow {
    id: NoticeId,
    title: String,
    severity: String,
    experience: String,
    starts_at: DateTime<Utc>,
    expected_restoration_at: Option<DateTime<Utc>>,
    resolved_at: Option<DateTime<Utc>>,
    audience: String,
    major_ticket_id: Option<TicketId>,
    major_number: Option<String>,
}

/// Notices that have started and are not resolved, as the banner shows them (no
/// timeline: it is on every page render) to
/// `end_user` (an end user's account id; `None` for visitors and staff, who see
/// every notice).
pub async fn active(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    end_user: Option<UserId>,
) -> Result<Vec<Notice>, sqlx::Error> {
    let rows = sqlx::query_as::<_, NoticeRow>(&format!(
        "SELECT {COLUMNS} FROM notices
         WHERE resolved_at IS NULL AND starts_at <= ?1
           AND (audience = 'everyone' OR ?2 IS NULL OR EXISTS (
                SELECT 1 FROM notice_services ns JOIN tickets t ON t.service_id = ns.service_id
                WHERE ns.notice_id = notices.id AND t.user_id = ?2))
         ORDER BY starts_at DESC LIMIT 20"
    ))
    .bind(now)
    .bind(end_user)
    .fetch_all(&mut *conn)
    .await?;
    complete(conn, rows, Detail::Banner).await
}

/// Active notices, planned ones, and those resolved in the last `days` days.
pub async fn recent(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    days: i64,
) -> Result<Vec<Notice>, sqlx::Error> {
    let rows = sqlx::query_as::<_, NoticeRow>(&format!(
        "SELECT {COLUMNS} FROM notices WHERE resolved_at IS NULL OR resolved_at >= ?
         ORDER BY (resolved_at IS NOT NULL), starts_at DESC LIMIT 200"
    ))
    .bind(now - Duration::days(days))
    .fetch_all(&mut *conn)
    .await?;
    complete(conn, rows, Detail::Public).await
}

/// The latest notices, unresolved first, with how many people each major
/// incident affects: the admin's list.
pub async fn all_for_staff(conn: &mut SqliteConnection) -> Result<Vec<Notice>, sqlx::Error> {
    let rows = sqlx::query_as::<_, NoticeRow>(&format!(
        "SELECT {COLUMNS} FROM notices
         ORDER BY (resolved_at IS NOT NULL), coalesce(resolved_at, starts_at) DESC LIMIT 200"
    ))
    .fetch_all(&mut *conn)
    .await?;
    complete(conn, rows, Detail::Staff).await
}

/// One notice, with the affected count: the admin's page of it.
pub async fn one_for_staff(
    conn: &mut SqliteConnection,
    id: NoticeId,
) -> Result<Option<Notice>, sqlx::Error> {
    let rows =
        sqlx::query_as::<_, NoticeRow>(&format!("SELECT {COLUMNS} FROM notices WHERE id = ?"))
            .bind(id.0)
            .fetch_all(&mut *conn)
            .await?;
    Ok(complete(conn, rows, Detail::Staff)
        .await?
        .into_iter()
        .next())
}

/// How much of a notice a reader needs besides its row.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Detail {
    /// The banner on every page: services, no timeline.
    Banner,
    /// The status page and the feed: services and timeline.
    Public,
    /// The admin's pages: also how many people the major incident affects.
    Staff,
}

/// Notices from their rows, with what `detail` asks for.
async fn complete(
    conn: &mut SqliteConnection,
    rows: Vec<NoticeRow>,
    detail: Detail,
) -> Result<Vec<Notice>, sqlx::Error> {
    let mut notices = Vec::with_capacity(rows.len());
    for row in rows {
        let id = row.id;
        let service_names = sqlx::query_scalar(
            "SELECT s.name FROM notice_services ns JOIN services s ON s.id = ns.service_id
             WHERE ns.notice_id = ? ORDER BY s.position",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let updates = if detail == Detail::Banner {
            Vec::new()
        } else {
            sqlx::query_as::<_, (DateTime<Utc>, String)>(
                "SELECT at, body FROM notice_updates WHERE notice_id = ? ORDER BY at DESC, id DESC",
            )
            .bind(id)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|(at, body)| NoticeUpdate { at, body })
            .collect()
        };
        let affected = match (detail, row.major_ticket_id) {
            (Detail::Staff, Some(major)) => Some(affected_by(&mut *conn, major).await?),
            _ => None,
        };
        notices.push(Notice {
            id,
            audience: Audience::parse(&row.audience).unwrap_or_default(),
            major: row.major_number.and_then(|n| TicketNumber::parse(&n)),
            affected,
            title: row.title,
            severity: Severity::parse(&row.severity).unwrap_or(Severity::Major),
            service_names,
            experience: row.experience,
            starts_at: row.starts_at,
            expected_restoration_at: row.expected_restoration_at,
            resolved_at: row.resolved_at,
            updates,
        });
    }
    Ok(notices)
}

/// The people a major incident affects: its reporter, the reporters of the
/// tickets linked to it, and those who said "this is my problem too".
pub async fn affected_by(conn: &mut SqliteConnection, major: TicketId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT 1
           + (SELECT count(*) FROM ticket_links WHERE target_ticket_id = ?1 AND kind = 'major_incident')
           + (SELECT count(*) FROM major_followers WHERE ticket_id = ?1)",
    )
    .bind(major)
    .fetch_one(conn)
    .await
}

/// Every offered service with the worst active notice touching it: the status
/// page.
pub async fn service_states(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
) -> Result<Vec<(String, Option<Severity>)>, sqlx::Error> {
    let rows: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT s.name, (
             SELECT n.severity FROM notice_services ns JOIN notices n ON n.id = ns.notice_id
             WHERE ns.service_id = s.id AND n.resolved_at IS NULL AND n.starts_at <= ?
             ORDER BY CASE n.severity WHEN 'critical' THEN 0 WHEN 'major' THEN 1
                                      WHEN 'minor' THEN 2 ELSE 3 END
             LIMIT 1)
         FROM services s WHERE s.offered = 1 ORDER BY s.position",
    )
    .bind(now)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(name, severity)| (name, severity.as_deref().and_then(Severity::parse)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::store::db::Db;
    use crate::server::store::db::TempDb;

    /// Every read of this file against a freshly migrated database holding an
    /// ongoing notice about a major incident and a resolved one: a column renamed
    /// in a migration fails here.
    #[tokio::test]
    async fn every_read_decodes_the_migrated_schema() {
        let file = TempDb::new("notices");
        let db = Db::open(&file.0).await.unwrap();
        let mut conn = db.writer.acquire().await.unwrap();
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let hours = Duration::hours;
        let service: i64 = sqlx::query_scalar(
            "INSERT INTO services (slug, name) VALUES ('mail', 'Mail') RETURNING id",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        let category: i64 = sqlx::query_scalar(
            "INSERT INTO categories (service_id, name) VALUES (?, 'Sending') RETURNING id",
        )
        .bind(service)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        let number = TicketNumber::parse("INC0001001").unwrap();
        let major: i64 = sqlx::query_scalar(
            "INSERT INTO tickets (number, kind, state, impact, urgency, priority, service_id,
                                  category_id, summary, description, reporter_name, reporter_email,
                                  status_token_hash, response_due_at, resolution_due_at, created_at,
                                  updated_at, major)
             VALUES (?1, 'incident', 'in_progress', 'high', 'high', 1, ?2, ?3, 'No mail', '',
                     'Rita', 'rita@example.org', x'00', ?4, ?4, ?4, ?4, 1)
             RETURNING id",
        )
        .bind(number.to_string())
        .bind(service)
        .bind(category)
        .bind(now)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO major_followers (ticket_id, name, email, status_token_hash, created_at)
             VALUES (?, 'Bob', 'bob@example.org', x'01', ?)",
        )
        .bind(major)
        .bind(now)
        .execute(&mut *conn)
        .await
        .unwrap();
        let ongoing: NoticeId = sqlx::query_scalar(
            "INSERT INTO notices (title, severity, experience, starts_at, expected_restoration_at,
                                  created_at, audience, major_ticket_id)
             VALUES ('Mail is down', 'critical', 'No mail arrives', ?, ?, ?, 'affected', ?)
             RETURNING id",
        )
        .bind(now - hours(1))
        .bind(now + hours(1))
        .bind(now)
        .bind(major)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        let resolved: NoticeId = sqlx::query_scalar(
            "INSERT INTO notices (title, severity, experience, starts_at, resolved_at, created_at)
             VALUES ('Printer maintenance', 'maintenance', 'No printing', ?, ?, ?)
             RETURNING id",
        )
        .bind(now - hours(48))
        .bind(now - hours(24))
        .bind(now)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        sqlx::query("INSERT INTO notice_services (notice_id, service_id) VALUES (?, ?)")
            .bind(ongoing)
            .bind(service)
            .execute(&mut *conn)
            .await
            .unwrap();
        add_update(
            &mut conn,
            ongoing,
            now - hours(1),
            "Looking into it",
            "Agent",
        )
        .await
        .unwrap();
        add_update(&mut conn, resolved, now - hours(24), "Done", "Agent")
            .await
            .unwrap();

        let ongoing_notice = Notice {
            id: ongoing,
            audience: Audience::Affected,
            major: Some(number),
            affected: None,
            title: "Mail is down".into(),
            severity: Severity::Critical,
            service_names: vec!["Mail".into()],
            experience: "No mail arrives".into(),
            starts_at: now - hours(1),
            expected_restoration_at: Some(now + hours(1)),
            resolved_at: None,
            updates: Vec::new(),
        };
        let resolved_notice = Notice {
            id: resolved,
            audience: Audience::Everyone,
            major: None,
            affected: None,
            title: "Printer maintenance".into(),
            severity: Severity::Maintenance,
            service_names: Vec::new(),
            experience: "No printing".into(),
            starts_at: now - hours(48),
            expected_restoration_at: None,
            resolved_at: Some(now - hours(24)),
            updates: vec![NoticeUpdate {
                at: now - hours(24),
                body: "Done".into(),
            }],
        };
        assert_eq!(
            active(&mut conn, now, None).await.unwrap(),
            [ongoing_notice.clone()]
        );
        assert_eq!(active(&mut conn, now, Some(UserId(999))).await.unwrap(), []);

        let ongoing_notice = Notice {
            updates: vec![NoticeUpdate {
                at: now - hours(1),
                body: "Looking into it".into(),
            }],
            ..ongoing_notice
        };
        assert_eq!(
            recent(&mut conn, now, 7).await.unwrap(),
            [ongoing_notice.clone(), resolved_notice.clone()]
        );

        let ongoing_notice = Notice {
            affected: Some(2),
            ..ongoing_notice
        };
        assert_eq!(
            all_for_staff(&mut conn).await.unwrap(),
            [ongoing_notice.clone(), resolved_notice]
        );
        assert_eq!(
            one_for_staff(&mut conn, ongoing).await.unwrap(),
            Some(ongoing_notice)
        );
    }
}
