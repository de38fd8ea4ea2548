//! Service-failure notices and their updates.

use crate::domain::{Notice, NoticeId, NoticeUpdate, Severity};
use chrono::{DateTime, Duration, Utc};
use sqlx::{Row, SqliteConnection};

/// A notice to publish.
#[derive(Clone, Debug)]
pub struct NoticeDraft {
    pub title: String,
    pub severity: Severity,
    pub experience: String,
    pub service_slugs: Vec<String>,
    pub starts_at: DateTime<Utc>,
    pub expected_restoration_at: Option<DateTime<Utc>>,
    pub updates: Vec<(DateTime<Utc>, String)>,
}

/// Publishes a notice; the caller owns the transaction.
pub async fn insert(
    conn: &mut SqliteConnection,
    draft: &NoticeDraft,
    now: DateTime<Utc>,
) -> Result<NoticeId, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO notices (title, severity, experience, starts_at, expected_restoration_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(&draft.title)
    .bind(draft.severity.as_str())
    .bind(&draft.experience)
    .bind(draft.starts_at)
    .bind(draft.expected_restoration_at)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    for slug in &draft.service_slugs {
        sqlx::query(
            "INSERT INTO notice_services (notice_id, service_id) SELECT ?, id FROM services WHERE slug = ?",
        )
        .bind(id)
        .bind(slug)
        .execute(&mut *conn)
        .await?;
    }
    for (at, body) in &draft.updates {
        sqlx::query("INSERT INTO notice_updates (notice_id, at, body) VALUES (?, ?, ?)")
            .bind(id)
            .bind(at)
            .bind(body)
            .execute(&mut *conn)
            .await?;
    }
    Ok(NoticeId(id))
}

/// Marks a notice resolved.
pub async fn resolve(
    conn: &mut SqliteConnection,
    id: NoticeId,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE notices SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL")
        .bind(at)
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// Notices that have started and are not resolved: the ones shown as banners.
pub async fn active(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
) -> Result<Vec<Notice>, sqlx::Error> {
    load(
        conn,
        "WHERE resolved_at IS NULL AND starts_at <= ?1 ORDER BY starts_at DESC",
        now,
    )
    .await
}

/// Active notices, planned ones, and those resolved in the last `days` days.
pub async fn recent(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    days: i64,
) -> Result<Vec<Notice>, sqlx::Error> {
    load(
        conn,
        "WHERE resolved_at IS NULL OR resolved_at >= ?1 ORDER BY (resolved_at IS NOT NULL), starts_at DESC",
        now - Duration::days(days),
    )
    .await
}

async fn load(
    conn: &mut SqliteConnection,
    filter: &str,
    at: DateTime<Utc>,
) -> Result<Vec<Notice>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT id, title, severity, experience, starts_at, expected_restoration_at, resolved_at
         FROM notices {filter} LIMIT 100"
    ))
    .bind(at)
    .fetch_all(&mut *conn)
    .await?;
    let mut notices = Vec::with_capacity(rows.len());
    for row in rows {
        let id: i64 = row.get("id");
        let service_names = sqlx::query_scalar(
            "SELECT s.name FROM notice_services ns JOIN services s ON s.id = ns.service_id
             WHERE ns.notice_id = ? ORDER BY s.position",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let updates = sqlx::query(
            "SELECT at, body FROM notice_updates WHERE notice_id = ? ORDER BY at DESC, id DESC",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|u| NoticeUpdate {
            at: u.get("at"),
            body: u.get("body"),
        })
        .collect();
        notices.push(Notice {
            id: NoticeId(id),
            title: row.get("title"),
            severity: Severity::parse(row.get("severity")).unwrap_or(Severity::Major),
            service_names,
            experience: row.get("experience"),
            starts_at: row.get("starts_at"),
            expected_restoration_at: row.get("expected_restoration_at"),
            resolved_at: row.get("resolved_at"),
            updates,
        });
    }
    Ok(notices)
}
