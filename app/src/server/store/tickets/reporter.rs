//! What a ticket's reporter (and a major incident's followers) may read of it:
//! by its private link, its number and e-mail address, or as its owner.

use crate::domain::{
    Priority, PriorityRule, TicketKind, TicketNumber, TicketState, TicketStatus, TicketSummary,
    TimelineEntry,
};
use crate::server::secrets::{hash_token, plausible_token};
use chrono::{DateTime, Utc};
use sqlx::{Row, SqliteConnection};

const STATUS_COLUMNS: &str = "t.id, t.number, t.kind, t.state, t.priority, t.summary, t.created_at,
    t.version, t.hold_reason, g.name AS group_name, t.responded_at, t.paused_since,
    t.response_risk_at, t.response_due_at, t.resolution_risk_at, t.resolution_due_at,
    t.resolution_code, t.resolution_text, t.rating,
    s.name AS service_name, c.name AS category_name,
    p.label AS priority_label, p.response_minutes, p.resolution_minutes";

const STATUS_JOINS: &str = "FROM tickets t
    JOIN services s ON s.id = t.service_id
    JOIN categories c ON c.id = t.category_id
    JOIN priorities p ON p.priority = t.priority
    LEFT JOIN assignment_groups g ON g.id = t.group_id";

/// The status of the ticket with this number, if the e-mail address is the
/// reporter's. A wrong address and an unknown number both give `None`.
pub async fn status_by_number(
    conn: &mut SqliteConnection,
    number: TicketNumber,
    email: &str,
) -> Result<Option<TicketStatus>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {STATUS_COLUMNS} {STATUS_JOINS}
         WHERE t.number = ? AND t.reporter_email = ? COLLATE NOCASE"
    ))
    .bind(number.to_string())
    .bind(email.trim())
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(row) => status_from_row(conn, row).await,
        None => Ok(None),
    }
}

/// The ticket a private link shows: the reporter's own ticket, or the major
/// incident someone attached themselves to ("this is my problem too").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkedTicket {
    pub id: i64,
    /// The link is a follower's: it reads the ticket but does not act on it.
    pub following: bool,
}

/// The ticket whose private link carries this token.
pub async fn ticket_by_token(
    conn: &mut SqliteConnection,
    token: &str,
) -> Result<Option<LinkedTicket>, sqlx::Error> {
    if !plausible_token(token) {
        return Ok(None);
    }
    let found: Option<(i64, bool)> = sqlx::query_as(
        "SELECT id, 0 FROM tickets WHERE status_token_hash = ?1
         UNION ALL SELECT ticket_id, 1 FROM major_followers WHERE status_token_hash = ?1
         LIMIT 1",
    )
    .bind(hash_token(token).to_vec())
    .fetch_optional(conn)
    .await?;
    Ok(found.map(|(id, following)| LinkedTicket { id, following }))
}

/// The status of ticket `id`, as its reporter may see it.
pub async fn status_of(
    conn: &mut SqliteConnection,
    id: i64,
) -> Result<Option<TicketStatus>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {STATUS_COLUMNS} {STATUS_JOINS} WHERE t.id = ?"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(row) => status_from_row(conn, row).await,
        None => Ok(None),
    }
}

/// What someone following major incident `id` may see of it: its state, the
/// notice published for it, and the updates posted for everyone affected —
/// nothing written by or to its reporter (see [`TimelineEntry::for_follower`]).
pub async fn status_for_follower(
    conn: &mut SqliteConnection,
    id: i64,
) -> Result<Option<TicketStatus>, sqlx::Error> {
    let Some(mut status) = status_of(conn, id).await? else {
        return Ok(None);
    };
    let events: Vec<(DateTime<Utc>, String, String, String)> = sqlx::query_as(
        "SELECT at, actor, kind, body FROM ticket_events
         WHERE ticket_id = ? AND visibility = 'public' ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut declared = false;
    status.timeline = events
        .into_iter()
        .filter_map(|(at, actor, kind, body)| {
            declared |= kind == "major_declared";
            TimelineEntry::for_follower(at, actor, &kind, body, declared)
        })
        .collect();
    status.rating = None;
    status.notice = sqlx::query_scalar(
        "SELECT title FROM notices WHERE major_ticket_id = ? ORDER BY resolved_at IS NULL DESC, id DESC
         LIMIT 1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(Some(status))
}

/// The number and the reporter's name of ticket `id`.
pub async fn reporter_of(
    conn: &mut SqliteConnection,
    id: i64,
) -> Result<Option<(TicketNumber, String)>, sqlx::Error> {
    let found: Option<(String, String)> =
        sqlx::query_as("SELECT number, reporter_name FROM tickets WHERE id = ?")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(found.and_then(|(number, name)| Some((TicketNumber::parse(&number)?, name))))
}

/// The ticket with this number, if it belongs to the account.
pub async fn ticket_id_of_owner(
    conn: &mut SqliteConnection,
    number: TicketNumber,
    user_id: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM tickets WHERE number = ? AND user_id = ?")
        .bind(number.to_string())
        .bind(user_id)
        .fetch_optional(conn)
        .await
}

/// The status of the ticket with this number, if it belongs to the account. Someone
/// else's ticket and a number that does not exist both give `None`.
pub async fn status_for_owner(
    conn: &mut SqliteConnection,
    number: TicketNumber,
    user_id: i64,
) -> Result<Option<TicketStatus>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {STATUS_COLUMNS} {STATUS_JOINS} WHERE t.number = ? AND t.user_id = ?"
    ))
    .bind(number.to_string())
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(row) => status_from_row(conn, row).await,
        None => Ok(None),
    }
}

/// The account's tickets, newest first.
pub async fn tickets_of(
    conn: &mut SqliteConnection,
    user_id: i64,
) -> Result<Vec<TicketSummary>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT t.number, t.kind, t.state, t.priority, p.label AS priority_label, t.summary,
                t.created_at, t.updated_at
         FROM tickets t JOIN priorities p ON p.priority = t.priority
         WHERE t.user_id = ? ORDER BY t.id DESC LIMIT 500",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            Some(TicketSummary {
                number: TicketNumber::parse(row.get("number"))?,
                kind: TicketKind::parse(row.get("kind"))?,
                state: TicketState::parse(row.get("state"))?,
                priority: Priority::new(row.get("priority"))?,
                priority_label: row.get("priority_label"),
                summary: row.get("summary"),
                created_at: row.get("created_at"),
                updated_at: row.get("updated_at"),
            })
        })
        .collect())
}

async fn status_from_row(
    conn: &mut SqliteConnection,
    row: sqlx::sqlite::SqliteRow,
) -> Result<Option<TicketStatus>, sqlx::Error> {
    let corrupt = |what: &str| sqlx::Error::Decode(format!("ticket {what} unreadable").into());
    let number = TicketNumber::parse(row.get("number")).ok_or_else(|| corrupt("number"))?;
    let kind = TicketKind::parse(row.get("kind")).ok_or_else(|| corrupt("kind"))?;
    let state = TicketState::parse(row.get("state")).ok_or_else(|| corrupt("state"))?;
    let priority = Priority::new(row.get("priority")).ok_or_else(|| corrupt("priority"))?;
    let ticket_id: i64 = row.get("id");
    let timeline = sqlx::query(
        "SELECT at, actor, body FROM ticket_events
         WHERE ticket_id = ? AND visibility = 'public' ORDER BY id",
    )
    .bind(ticket_id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|e| TimelineEntry {
        at: e.get("at"),
        actor: e.get("actor"),
        text: e.get("body"),
    })
    .collect();
    let (response, resolution_target) = super::desk::targets(&row, state, Utc::now());
    let links = super::desk::links_of(&mut *conn, ticket_id, true).await?;
    Ok(Some(TicketStatus {
        number,
        kind,
        state,
        priority,
        priority_rule: PriorityRule {
            priority,
            label: row.get("priority_label"),
            response_minutes: u32::try_from(row.get::<i64, _>("response_minutes")).unwrap_or(0),
            resolution_minutes: u32::try_from(row.get::<i64, _>("resolution_minutes")).unwrap_or(0),
        },
        service_name: row.get("service_name"),
        category_name: row.get("category_name"),
        summary: row.get("summary"),
        created_at: row.get("created_at"),
        version: row.get("version"),
        hold: super::desk::hold_of(&row),
        group: row.get("group_name"),
        response,
        resolution_target,
        resolution: super::desk::resolution_of(&row),
        rating: super::desk::rating_of(&row),
        links,
        notice: None,
        timeline,
    }))
}
