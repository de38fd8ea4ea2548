//! What a ticket's reporter (and a major incident's followers) may read of it:
//! by its private link, its number and e-mail address, or as its owner.

use super::desk::{OutcomeColumns, TargetColumns};
use crate::domain::TicketId;
use crate::domain::UserId;
use crate::domain::{
    Priority, TicketKind, TicketNumber, TicketState, TicketStatus, TicketSummary, TimelineEntry,
};
use crate::server::secrets::{hash_token, plausible_token};
use crate::server::store::attachments::{self, files_of};
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

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

/// One ticket as [`STATUS_COLUMNS`] read it, over [`STATUS_JOINS`].
#[derive(sqlx::FromRow)]
struct StatusRow {
    id: TicketId,
    number: String,
    kind: String,
    state: String,
    priority: i64,
    summary: String,
    created_at: DateTime<Utc>,
    version: i64,
    group_name: Option<String>,
    /// `responded_at`, `paused_since` and both targets' risk and due times.
    #[sqlx(flatten)]
    targets: TargetColumns,
    /// `hold_reason`, `resolution_code`, `resolution_text` and `rating`.
    #[sqlx(flatten)]
    outcome: OutcomeColumns,
    service_name: String,
    category_name: String,
    priority_label: String,
    response_minutes: i64,
    resolution_minutes: i64,
}

/// The status of the ticket with this number, if the e-mail address is the
/// reporter's. A wrong address and an unknown number both give `None`.
pub async fn status_by_number(
    conn: &mut SqliteConnection,
    number: TicketNumber,
    email: &str,
) -> Result<Option<TicketStatus>, sqlx::Error> {
    let row: Option<StatusRow> = sqlx::query_as(&format!(
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
    pub id: TicketId,
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
    let found: Option<(TicketId, bool)> = sqlx::query_as(
        "SELECT id, 0 FROM tickets WHERE status_token_hash = ?1
         UNION ALL SELECT ticket_id, 1 FROM major_followers WHERE status_token_hash = ?1
         UNION ALL SELECT ticket_id, following FROM mailed_links WHERE token_hash = ?1
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
    id: TicketId,
) -> Result<Option<TicketStatus>, sqlx::Error> {
    let row: Option<StatusRow> = sqlx::query_as(&format!(
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
    id: TicketId,
) -> Result<Option<TicketStatus>, sqlx::Error> {
    let Some(mut status) = status_of(conn, id).await? else {
        return Ok(None);
    };
    let events: Vec<(i64, DateTime<Utc>, String, String, String)> = sqlx::query_as(
        "SELECT id, at, actor, kind, body FROM ticket_events
         WHERE ticket_id = ? AND visibility = 'public' ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let files = attachments::of_ticket(&mut *conn, id).await?;
    let mut declared = false;
    status.timeline = events
        .into_iter()
        .filter_map(|(event, at, actor, kind, body)| {
            declared |= kind == "major_declared";
            let files = files_of(&files, event);
            TimelineEntry::for_follower(at, actor, &kind, body, files, declared)
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
    id: TicketId,
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
    user_id: UserId,
) -> Result<Option<TicketId>, sqlx::Error> {
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
    user_id: UserId,
) -> Result<Option<TicketStatus>, sqlx::Error> {
    let row: Option<StatusRow> = sqlx::query_as(&format!(
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

/// One of an account's tickets as [`tickets_of`] reads it.
#[derive(sqlx::FromRow)]
struct SummaryRow {
    number: String,
    kind: String,
    state: String,
    priority: i64,
    priority_label: String,
    summary: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// The account's tickets, newest first.
pub async fn tickets_of(
    conn: &mut SqliteConnection,
    user_id: UserId,
) -> Result<Vec<TicketSummary>, sqlx::Error> {
    let rows: Vec<SummaryRow> = sqlx::query_as(
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
                number: TicketNumber::parse(&row.number)?,
                kind: TicketKind::parse(&row.kind)?,
                state: TicketState::parse(&row.state)?,
                priority: Priority::new(row.priority)?,
                priority_label: row.priority_label,
                summary: row.summary,
                created_at: row.created_at,
                updated_at: row.updated_at,
            })
        })
        .collect())
}

async fn status_from_row(
    conn: &mut SqliteConnection,
    row: StatusRow,
) -> Result<Option<TicketStatus>, sqlx::Error> {
    let corrupt = |what: &str| sqlx::Error::Decode(format!("ticket {what} unreadable").into());
    let number = TicketNumber::parse(&row.number).ok_or_else(|| corrupt("number"))?;
    let kind = TicketKind::parse(&row.kind).ok_or_else(|| corrupt("kind"))?;
    let state = TicketState::parse(&row.state).ok_or_else(|| corrupt("state"))?;
    let priority = Priority::new(row.priority).ok_or_else(|| corrupt("priority"))?;
    let ticket_id = row.id;
    let events: Vec<(i64, DateTime<Utc>, String, String, String)> = sqlx::query_as(
        "SELECT id, at, actor, kind, body FROM ticket_events
         WHERE ticket_id = ? AND visibility = 'public' ORDER BY id",
    )
    .bind(ticket_id)
    .fetch_all(&mut *conn)
    .await?;
    // Only the files of public entries are ever handed on.
    let files = attachments::of_ticket(&mut *conn, ticket_id).await?;
    let timeline = events
        .into_iter()
        .map(|(event, at, actor, kind, text)| {
            TimelineEntry::for_reporter(at, actor, &kind, text, files_of(&files, event))
        })
        .collect();
    let (response, resolution_target) = row.targets.view(state, Utc::now());
    let links = super::desk::links_of(&mut *conn, ticket_id, true).await?;
    let priority_rule = crate::server::store::priorities::ticket_rule(
        &mut *conn,
        priority,
        row.priority_label,
        row.response_minutes,
        row.resolution_minutes,
    )
    .await?;
    Ok(Some(TicketStatus {
        number,
        kind,
        state,
        priority,
        priority_rule,
        service_name: row.service_name,
        category_name: row.category_name,
        summary: row.summary,
        created_at: row.created_at,
        version: row.version,
        hold: row.outcome.hold(),
        group: row.group_name,
        response,
        resolution_target,
        resolution: row.outcome.resolution(),
        rating: row.outcome.rating(),
        links,
        notice: None,
        timeline,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{HoldReason, ResolutionCode, Standing};
    use crate::server::store::db::Db;
    use crate::server::store::db::{mail_sending, test_user, TempDb};

    #[tokio::test]
    async fn the_reporter_reads_decode_every_column_of_a_migrated_ticket() {
        let file = TempDb::new("reporter-reads");
        let db = Db::open(&file.0).await.unwrap();
        let mut conn = db.writer.acquire().await.unwrap();
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let token = "a".repeat(43);
        let (service, category) = mail_sending(&mut conn).await;
        let owner = test_user(&mut conn, "rita@example.org", "Rita", "end_user", now).await;
        let number = TicketNumber::parse("INC0001001").unwrap();
        let id: TicketId = sqlx::query_scalar(
            "INSERT INTO tickets (number, kind, state, impact, urgency, priority, service_id,
                                  category_id, summary, description, reporter_name, reporter_email,
                                  status_token_hash, response_due_at, resolution_due_at, created_at,
                                  updated_at, version, user_id, group_id, hold_reason, responded_at,
                                  resolved_at, resolution_code, resolution_text, major, rating,
                                  paused_since, response_risk_at, resolution_risk_at)
             VALUES (?1, 'incident', 'resolved', 'high', 'medium', 2, ?2, ?3, 'No mail', '',
                     'Rita', 'rita@example.org', ?4, ?5, ?5, ?5, ?5, 3, ?6, 1,
                     'awaiting_supplier', ?5, ?5, 'workaround', 'Use the web mail', 1, 5, ?5, ?5,
                     ?5)
             RETURNING id",
        )
        .bind(number.to_string())
        .bind(service)
        .bind(category)
        .bind(hash_token(&token).to_vec())
        .bind(now)
        .bind(owner)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO ticket_events (ticket_id, at, actor, kind, visibility, body)
             VALUES (?1, ?2, 'Rita', 'created', 'public', 'No mail'),
                    (?1, ?2, 'Agent', 'note', 'internal', 'Looking')",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await
        .unwrap();

        let status = status_of(&mut conn, id).await.unwrap().unwrap();
        assert_eq!(status.number, number);
        assert_eq!(
            (status.kind, status.state),
            (TicketKind::Incident, TicketState::Resolved)
        );
        assert_eq!(status.priority, Priority::new(2).unwrap());
        assert_eq!(status.priority_rule.label, "High");
        assert_eq!(
            (
                status.priority_rule.response_minutes,
                status.priority_rule.resolution_minutes
            ),
            (30, 480)
        );
        assert_eq!(
            (status.service_name.as_str(), status.category_name.as_str()),
            ("Mail", "Sending")
        );
        assert_eq!(
            (status.summary.as_str(), status.created_at, status.version),
            ("No mail", now, 3)
        );
        assert_eq!(status.hold, Some(HoldReason::AwaitingSupplier));
        assert_eq!(status.group.as_deref(), Some("Service desk (1st level)"));
        assert_eq!(status.response.standing, Standing::Met);
        assert_eq!(status.resolution_target.standing, Standing::Met);
        assert_eq!(status.resolution_target.due_at, now);
        assert_eq!(
            status.resolution,
            Some((ResolutionCode::Workaround, "Use the web mail".to_string()))
        );
        assert_eq!(status.rating, Some(5));
        assert_eq!(
            status.timeline,
            [TimelineEntry {
                at: now,
                actor: "Rita".into(),
                text: "No mail".into(),
                files: Vec::new(),
                voice: crate::domain::Voice::Event,
            }]
        );

        let by_number = status_by_number(&mut conn, number, " Rita@Example.org ")
            .await
            .unwrap();
        assert_eq!(by_number.map(|s| s.version), Some(3));
        assert!(status_by_number(&mut conn, number, "else@example.org")
            .await
            .unwrap()
            .is_none());
        let owned = status_for_owner(&mut conn, number, owner).await.unwrap();
        assert_eq!(owned.map(|s| s.number), Some(number));
        assert!(status_for_owner(&mut conn, number, UserId(owner.0 + 1))
            .await
            .unwrap()
            .is_none());
        let followed = status_for_follower(&mut conn, id).await.unwrap().unwrap();
        assert_eq!((followed.rating, followed.notice), (None, None));
        assert_eq!(
            ticket_by_token(&mut conn, &token).await.unwrap(),
            Some(LinkedTicket {
                id,
                following: false
            })
        );
        assert_eq!(
            reporter_of(&mut conn, id).await.unwrap(),
            Some((number, "Rita".to_string()))
        );
        assert_eq!(
            ticket_id_of_owner(&mut conn, number, owner).await.unwrap(),
            Some(id)
        );

        let mine = tickets_of(&mut conn, owner).await.unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(
            (mine[0].number, mine[0].state),
            (number, TicketState::Resolved)
        );
        assert_eq!(
            (mine[0].priority_label.as_str(), mine[0].summary.as_str()),
            ("High", "No mail")
        );
        assert_eq!((mine[0].created_at, mine[0].updated_at), (now, now));
    }
}
