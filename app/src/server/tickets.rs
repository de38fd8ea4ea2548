//! Logging tickets and looking up their status.

use super::db::Db;
use super::secrets::{hash_token, new_token, plausible_token};
use crate::domain::{
    Field, FieldErrors, Impact, NewTicket, Priority, PriorityRule, PriorityTable, TicketKind,
    TicketNumber, TicketState, TicketStatus, TicketSummary, TimelineEntry, Urgency,
};
use chrono::{DateTime, Utc};
use sqlx::{Row, SqliteConnection};

/// What the reporter gets back: the number, and the private link's secret.
#[derive(Clone, Debug)]
pub struct Created {
    pub number: TicketNumber,
    /// The secret of the private status link. Only its hash is stored, so this is
    /// the one moment it exists in full.
    pub status_token: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("invalid ticket")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("no secure random numbers: {0}")]
    Random(String),
}

/// The configured priority matrix and rules.
pub async fn priority_table(conn: &mut SqliteConnection) -> Result<PriorityTable, sqlx::Error> {
    let cells = sqlx::query("SELECT impact, urgency, priority FROM priority_matrix")
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .filter_map(|row| {
            Some((
                Impact::parse(row.get("impact"))?,
                Urgency::parse(row.get("urgency"))?,
                Priority::new(row.get("priority"))?,
            ))
        })
        .collect();
    let rules = sqlx::query(
        "SELECT priority, label, response_minutes, resolution_minutes FROM priorities ORDER BY priority",
    )
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .filter_map(rule_from_row)
    .collect();
    let request_priority = request_priority(conn).await?;
    Ok(PriorityTable {
        cells,
        rules,
        request_priority,
    })
}

fn rule_from_row(row: &sqlx::sqlite::SqliteRow) -> Option<PriorityRule> {
    Some(PriorityRule {
        priority: Priority::new(row.get("priority"))?,
        label: row.get("label"),
        response_minutes: u32::try_from(row.get::<i64, _>("response_minutes")).ok()?,
        resolution_minutes: u32::try_from(row.get::<i64, _>("resolution_minutes")).ok()?,
    })
}

async fn request_priority(conn: &mut SqliteConnection) -> Result<Priority, sqlx::Error> {
    let raw: Option<String> =
        sqlx::query_scalar("SELECT value FROM settings WHERE key = 'request_priority'")
            .fetch_optional(conn)
            .await?;
    Ok(raw
        .and_then(|v| v.parse::<i64>().ok())
        .and_then(Priority::new)
        .unwrap_or(Priority::new(4).expect("4 is a priority")))
}

pub(crate) async fn derive_priority(
    conn: &mut SqliteConnection,
    triage: Option<(Impact, Urgency)>,
) -> Result<PriorityRule, sqlx::Error> {
    let priority = match triage {
        Some((impact, urgency)) => {
            let level: Option<i64> = sqlx::query_scalar(
                "SELECT priority FROM priority_matrix WHERE impact = ? AND urgency = ?",
            )
            .bind(impact.as_str())
            .bind(urgency.as_str())
            .fetch_optional(&mut *conn)
            .await?;
            level
                .and_then(Priority::new)
                .ok_or_else(|| sqlx::Error::Protocol("priority matrix has a gap".into()))?
        }
        None => request_priority(&mut *conn).await?,
    };
    let row = sqlx::query(
        "SELECT priority, label, response_minutes, resolution_minutes FROM priorities WHERE priority = ?",
    )
    .bind(i64::from(priority.level()))
    .fetch_one(&mut *conn)
    .await?;
    rule_from_row(&row).ok_or_else(|| sqlx::Error::Protocol("priority rule unreadable".into()))
}

/// Logs a ticket: the ticket and its first history entry commit together, or not at
/// all. The number comes from a counter in the same transaction, so concurrent
/// submissions never share a number and a rolled-back one never shows up.
///
/// `owner` is the signed-in account logging it, if any: the ticket then belongs to it.
pub async fn create(
    db: &Db,
    ticket: NewTicket,
    owner: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Created, CreateError> {
    let token = new_token().map_err(|e| CreateError::Random(e.to_string()))?;
    let mut tx = db.writer.begin().await?;

    // A withdrawn service or category is refused like one that does not exist:
    // the form no longer offers it, so only an old page or a crafted post sends it.
    let ids = sqlx::query(
        "SELECT s.id AS service_id, c.id AS category_id
         FROM services s LEFT JOIN categories c ON c.service_id = s.id AND c.id = ? AND c.offered = 1
         WHERE s.slug = ? AND s.offered = 1",
    )
    .bind(ticket.category_id.0)
    .bind(&ticket.service_slug)
    .fetch_optional(&mut *tx)
    .await?;
    let (service_id, category_id): (i64, i64) = match ids {
        None => {
            let mut errors = FieldErrors::default();
            errors.add(Field::Service, "Choose one of the services in the list.");
            return Err(CreateError::Invalid(errors));
        }
        Some(row) => match row.get::<Option<i64>, _>("category_id") {
            Some(category) => (row.get("service_id"), category),
            None => {
                let mut errors = FieldErrors::default();
                errors.add(
                    Field::Category,
                    "Choose a category that belongs to the service you picked.",
                );
                return Err(CreateError::Invalid(errors));
            }
        },
    };

    let rule = derive_priority(&mut tx, ticket.triage).await?;
    let sequence: i64 = sqlx::query_scalar(
        "UPDATE ticket_sequences SET last_number = last_number + 1 WHERE kind = ? RETURNING last_number",
    )
    .bind(ticket.kind.as_str())
    .fetch_one(&mut *tx)
    .await?;
    let number = TicketNumber {
        kind: ticket.kind,
        sequence: u32::try_from(sequence)
            .map_err(|_| sqlx::Error::Protocol("ticket numbers exhausted".into()))?,
    };
    let (impact, urgency) = ticket
        .triage
        .map(|(i, u)| (Some(i.as_str()), Some(u.as_str())))
        .unwrap_or((None, None));
    let sla = super::sla::sla_for(&mut tx, i64::from(rule.priority.level())).await?;
    let (deadlines, sla_next_at) = super::work::first_deadlines(&sla, now);
    let ticket_id: i64 = sqlx::query_scalar(
        "INSERT INTO tickets (number, kind, state, impact, urgency, priority, service_id, category_id,
                              summary, description, reporter_name, reporter_email, reporter_phone,
                              status_token_hash, response_due_at, resolution_due_at, created_at, updated_at,
                              user_id, group_id, response_risk_at, resolution_risk_at, sla_next_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                 (SELECT min(id) FROM assignment_groups WHERE level = 1), ?, ?, ?)
         RETURNING id",
    )
    .bind(number.to_string())
    .bind(ticket.kind.as_str())
    .bind(ticket.kind.initial_state().as_str())
    .bind(impact)
    .bind(urgency)
    .bind(i64::from(rule.priority.level()))
    .bind(service_id)
    .bind(category_id)
    .bind(&ticket.summary)
    .bind(&ticket.description)
    .bind(&ticket.reporter.name)
    .bind(&ticket.reporter.email)
    .bind(&ticket.reporter.phone)
    .bind(hash_token(&token).to_vec())
    .bind(deadlines.response_due_at.unwrap_or(now))
    .bind(deadlines.resolution_due_at.unwrap_or(now))
    .bind(now)
    .bind(now)
    .bind(owner)
    .bind(deadlines.response_risk_at)
    .bind(deadlines.resolution_risk_at)
    .bind(sla_next_at)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO ticket_events (ticket_id, at, actor, kind, visibility, body)
         VALUES (?, ?, ?, 'logged', 'public', ?)",
    )
    .bind(ticket_id)
    .bind(now)
    .bind(&ticket.reporter.name)
    .bind(format!(
        "{} logged through the self-service portal with priority {}.",
        ticket.kind.label(),
        rule.title()
    ))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    db.changes.publish(super::live::TicketChange {
        ticket_id,
        number: number.to_string(),
        public: true,
    });
    Ok(Created {
        number,
        status_token: token,
    })
}

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

/// Major incidents still being worked, newest first.
pub async fn ongoing_majors(
    conn: &mut SqliteConnection,
) -> Result<Vec<crate::domain::OngoingMajor>, sqlx::Error> {
    let now = Utc::now();
    // id, number, summary, and the title and text of its notice, if one is linked.
    type Row = (i64, String, String, Option<String>, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT t.id, t.number, t.summary, n.title, n.experience FROM tickets t
         LEFT JOIN notices n ON n.id = (
             SELECT id FROM notices WHERE major_ticket_id = t.id AND resolved_at IS NULL
             AND starts_at <= ? ORDER BY id DESC LIMIT 1)
         WHERE t.major = 1 AND t.state NOT IN ('resolved', 'fulfilled', 'closed')
         ORDER BY t.id DESC LIMIT 20",
    )
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    let mut majors = Vec::with_capacity(rows.len());
    for (id, number, summary, title, experience) in rows {
        let Some(number) = TicketNumber::parse(&number) else {
            continue;
        };
        let services: Vec<(String, String)> = sqlx::query_as(
            "SELECT slug, name FROM services WHERE id = (SELECT service_id FROM tickets WHERE id = ?1)
                OR id IN (SELECT ns.service_id FROM notice_services ns JOIN notices n ON n.id = ns.notice_id
                          WHERE n.major_ticket_id = ?1 AND n.resolved_at IS NULL AND n.starts_at <= ?2)
             ORDER BY position",
        )
        .bind(id)
        .bind(now)
        .fetch_all(&mut *conn)
        .await?;
        majors.push(crate::domain::OngoingMajor {
            number,
            summary: title.unwrap_or(summary),
            experience,
            services,
        });
    }
    Ok(majors)
}

/// Why someone could not be attached to a major incident.
#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    #[error("that is not an ongoing major incident")]
    NotOngoing,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("no secure random numbers: {0}")]
    Random(String),
}

/// "This is my problem too": attaches someone to ongoing major incident `major`
/// instead of logging a duplicate. They follow it through their own private
/// link, whose secret is answered (only its hash is stored); the desk sees one
/// more affected person in the major incident's history.
pub async fn follow_major(
    db: &Db,
    major: TicketNumber,
    name: &str,
    email: &str,
    user_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<String, FollowError> {
    let token = new_token().map_err(|e| FollowError::Random(e.to_string()))?;
    let mut tx = db.writer.begin().await?;
    let ticket_id: i64 = sqlx::query_scalar(
        "SELECT id FROM tickets WHERE number = ? AND major = 1
         AND state NOT IN ('resolved', 'fulfilled', 'closed')",
    )
    .bind(major.to_string())
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(FollowError::NotOngoing)?;
    sqlx::query(
        "INSERT INTO major_followers (ticket_id, user_id, name, email, status_token_hash, created_at)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(ticket_id)
    .bind(user_id)
    .bind(name)
    .bind(email)
    .bind(hash_token(&token).to_vec())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO ticket_events (ticket_id, at, actor, kind, visibility, body)
         VALUES (?, ?, ?, 'follower', 'internal', ?)",
    )
    .bind(ticket_id)
    .bind(now)
    .bind(name)
    .bind(format!(
        "{name} <{email}> has the same problem (“this is my problem too”)."
    ))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    db.changes.publish(super::live::TicketChange {
        ticket_id,
        number: major.to_string(),
        public: false,
    });
    Ok(token)
}
