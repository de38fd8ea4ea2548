//! The desk's reads: the queue and a ticket in full, with its history, links and
//! checklist.

use crate::domain::{
    open_to_users, ArticleState, ArticleVisibility, ChecklistStep, Choice, DeskChoices, DeskTicket,
    HistoryEntry, HoldReason, Impact, LinkKind, LinkView, Priority, PriorityRule, QueueFilter,
    QueuePage, QueueRow, ReporterView, ResolutionCode, TargetView, TicketKind, TicketNumber,
    TicketState, Urgency,
};
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

/// Rows on the queue's first page.
pub const QUEUE_PAGE: i64 = 50;

/// The queue's order: priority, then the next target due. Written exactly as in
/// the `tickets_queue` index so that SQLite walks the index instead of sorting.
const QUEUE_DUE: &str =
    "(CASE WHEN responded_at IS NULL THEN response_due_at ELSE resolution_due_at END)";

/// The first page of the queue for `me` with `filter`, as of `now`.
pub async fn queue(
    conn: &mut SqliteConnection,
    filter: &QueueFilter,
    me: i64,
    now: DateTime<Utc>,
) -> Result<QueuePage, sqlx::Error> {
    let mut sql: QueryBuilder<Sqlite> = QueryBuilder::new(
        "SELECT t.number, t.kind, t.state, t.priority, t.summary, s.name AS service,
                g.name AS group_name, u.name AS assignee_name, t.responded_at, t.paused_since,
                t.response_risk_at, t.response_due_at, t.resolution_risk_at,
                t.resolution_due_at, t.escalated, t.major, t.updated_at
         FROM tickets t
         JOIN services s ON s.id = t.service_id
         LEFT JOIN assignment_groups g ON g.id = t.group_id
         LEFT JOIN users u ON u.id = t.assignee_id
         WHERE ",
    );
    let done = matches!(filter.state.as_str(), "resolved" | "fulfilled" | "closed");
    if done {
        sql.push("t.state = ").push_bind(filter.state.clone());
    } else {
        sql.push(super::OPEN);
        if let Some(state) = TicketState::parse(&filter.state) {
            sql.push(" AND t.state = ").push_bind(state.as_str());
        }
    }
    if let Ok(group) = filter.group.parse::<i64>() {
        sql.push(" AND t.group_id = ").push_bind(group);
    }
    match filter.assignee.as_str() {
        "me" => {
            sql.push(" AND t.assignee_id = ").push_bind(me);
        }
        "none" => {
            sql.push(" AND t.assignee_id IS NULL");
        }
        _ => {}
    }
    if !filter.service.is_empty() {
        sql.push(" AND s.slug = ").push_bind(filter.service.clone());
    }
    if let Some(priority) = filter.priority.parse::<i64>().ok().and_then(Priority::new) {
        sql.push(" AND t.priority = ")
            .push_bind(i64::from(priority.level()));
    }
    let (response_mark, resolution_mark) = match filter.sla.as_str() {
        "at_risk" => (Some("response_risk_at"), Some("resolution_risk_at")),
        "breached" => (Some("response_due_at"), Some("resolution_due_at")),
        _ => (None, None),
    };
    if let (Some(response), Some(resolution)) = (response_mark, resolution_mark) {
        sql.push(format!(
            " AND t.paused_since IS NULL AND ((t.responded_at IS NULL AND t.{response} <= "
        ))
        .push_bind(now)
        .push(format!(") OR t.{resolution} <= "))
        .push_bind(now)
        .push(")");
    }
    if done {
        sql.push(" ORDER BY t.updated_at DESC");
    } else {
        sql.push(format!(" ORDER BY t.priority, {QUEUE_DUE}"));
    }
    sql.push(" LIMIT ").push_bind(QUEUE_PAGE + 1);
    let rows = sql.build().fetch_all(&mut *conn).await?;
    let more = rows.len() as i64 > QUEUE_PAGE;
    let rows = rows
        .iter()
        .take(QUEUE_PAGE as usize)
        .filter_map(|row| queue_row(row, now))
        .collect();
    Ok(QueuePage {
        rows,
        more,
        groups: groups(&mut *conn)
            .await?
            .into_iter()
            .map(|(g, _)| g)
            .collect(),
        services: sqlx::query_as("SELECT slug, name FROM services ORDER BY name")
            .fetch_all(&mut *conn)
            .await?,
    })
}

fn queue_row(row: &SqliteRow, now: DateTime<Utc>) -> Option<QueueRow> {
    let state = TicketState::parse(row.get("state"))?;
    let (response, resolution) = targets(row, state, now);
    Some(QueueRow {
        number: TicketNumber::parse(row.get("number"))?,
        kind: TicketKind::parse(row.get("kind"))?,
        state,
        priority: u8::try_from(row.get::<i64, _>("priority")).ok()?,
        summary: row.get("summary"),
        service: row.get("service"),
        group: row.get("group_name"),
        assignee: row.get("assignee_name"),
        response,
        resolution,
        escalated: row.get("escalated"),
        major: row.get("major"),
        updated_at: row.get("updated_at"),
    })
}

/// How both targets of a ticket row stand at `now`.
pub(crate) fn targets(
    row: &SqliteRow,
    state: TicketState,
    now: DateTime<Utc>,
) -> (TargetView, TargetView) {
    let paused = row
        .get::<Option<DateTime<Utc>>, _>("paused_since")
        .is_some();
    let resolved = matches!(
        state,
        TicketState::Resolved | TicketState::Fulfilled | TicketState::Closed
    );
    let response = TargetView::at(
        now,
        row.get("response_due_at"),
        row.get("response_risk_at"),
        row.get::<Option<DateTime<Utc>>, _>("responded_at")
            .is_some(),
        paused,
    );
    let resolution = TargetView::at(
        now,
        row.get("resolution_due_at"),
        row.get("resolution_risk_at"),
        resolved,
        paused,
    );
    (response, resolution)
}

/// A ticket row's hold reason, resolution and rating, as the pages show them.
pub(crate) fn hold_of(row: &SqliteRow) -> Option<HoldReason> {
    row.get::<Option<String>, _>("hold_reason")
        .as_deref()
        .and_then(HoldReason::parse)
}

pub(crate) fn resolution_of(row: &SqliteRow) -> Option<(ResolutionCode, String)> {
    row.get::<Option<String>, _>("resolution_code")
        .as_deref()
        .and_then(ResolutionCode::parse)
        .zip(row.get::<Option<String>, _>("resolution_text"))
}

pub(crate) fn rating_of(row: &SqliteRow) -> Option<u8> {
    row.get::<Option<i64>, _>("rating")
        .and_then(|r| u8::try_from(r).ok())
}

/// Every assignment group with its level, by level.
async fn groups(conn: &mut SqliteConnection) -> Result<Vec<(Choice, u8)>, sqlx::Error> {
    let rows: Vec<(i64, String, i64)> =
        sqlx::query_as("SELECT id, name, level FROM assignment_groups ORDER BY level, name")
            .fetch_all(conn)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, level)| (Choice { id, name }, u8::try_from(level).unwrap_or(1)))
        .collect())
}

/// A ticket in full for the desk, as of `now`.
pub async fn desk_ticket(
    conn: &mut SqliteConnection,
    number: TicketNumber,
    now: DateTime<Utc>,
) -> Result<Option<DeskTicket>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT t.id, t.number, t.kind, t.state, t.hold_reason, t.version, t.impact, t.urgency,
                t.summary, t.description, t.category_id, t.reporter_name, t.reporter_email, t.reporter_phone,
                t.user_id, t.group_id, g.name AS group_name, g.level AS group_level,
                t.assignee_id, u.name AS assignee_name, t.escalated, t.major,
                t.resolution_code, t.resolution_text, t.rating, t.created_at, t.responded_at,
                t.paused_since, t.response_risk_at, t.response_due_at, t.resolution_risk_at,
                t.resolution_due_at, s.name AS service, c.name AS category,
                p.priority, p.label, p.response_minutes, p.resolution_minutes
         FROM tickets t
         JOIN services s ON s.id = t.service_id
         JOIN categories c ON c.id = t.category_id
         JOIN priorities p ON p.priority = t.priority
         LEFT JOIN assignment_groups g ON g.id = t.group_id
         LEFT JOIN users u ON u.id = t.assignee_id
         WHERE t.number = ?",
    )
    .bind(number.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let unreadable = |what: &str| sqlx::Error::Protocol(format!("ticket {number}: {what}"));
    let id: i64 = row.get("id");
    let state = TicketState::parse(row.get("state")).ok_or_else(|| unreadable("state"))?;
    let (response, resolution_target) = targets(&row, state, now);
    let history = sqlx::query(
        "SELECT at, actor, kind, visibility, body FROM ticket_events WHERE ticket_id = ? ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|e| HistoryEntry {
        at: e.get("at"),
        actor: e.get("actor"),
        kind: e.get("kind"),
        internal: e.get::<String, _>("visibility") == "internal",
        text: e.get("body"),
    })
    .collect();
    let major: bool = row.get("major");
    let (linked_tickets, followers) = if major {
        (
            linking_tickets(&mut *conn, id).await?,
            sqlx::query_scalar("SELECT count(*) FROM major_followers WHERE ticket_id = ?")
                .bind(id)
                .fetch_one(&mut *conn)
                .await?,
        )
    } else {
        (Vec::new(), 0)
    };
    let choices = DeskChoices {
        groups: groups(&mut *conn).await?,
        staff: sqlx::query_as::<_, (i64, String)>(
            "SELECT id, name FROM users WHERE active = 1 AND role IN ('agent', 'admin') ORDER BY name",
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|(id, name)| Choice { id, name })
        .collect(),
        // The offered categories, and the ticket's own even when withdrawn.
        categories: sqlx::query_as::<_, (i64, String)>(
            "SELECT c.id, s.name || ' · ' || c.name FROM categories c
             JOIN services s ON s.id = c.service_id
             WHERE (c.offered = 1 AND s.offered = 1) OR c.id = ?
             ORDER BY s.name, c.name",
        )
        .bind(row.get::<i64, _>("category_id"))
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|(id, name)| Choice { id, name })
        .collect(),
        models: sqlx::query_as::<_, (i64, String)>(
            "SELECT id, name FROM incident_models WHERE active = 1 ORDER BY name",
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|(id, name)| Choice { id, name })
        .collect(),
    };
    let choice = |id: &str, name: &str| {
        row.get::<Option<i64>, _>(id).map(|id| Choice {
            id,
            name: row.get::<Option<String>, _>(name).unwrap_or_default(),
        })
    };
    Ok(Some(DeskTicket {
        number,
        kind: TicketKind::parse(row.get("kind")).ok_or_else(|| unreadable("kind"))?,
        state,
        hold: hold_of(&row),
        version: row.get("version"),
        priority_rule: PriorityRule {
            priority: Priority::new(row.get("priority")).ok_or_else(|| unreadable("priority"))?,
            label: row.get("label"),
            response_minutes: u32::try_from(row.get::<i64, _>("response_minutes")).unwrap_or(0),
            resolution_minutes: u32::try_from(row.get::<i64, _>("resolution_minutes")).unwrap_or(0),
        },
        impact: row
            .get::<Option<String>, _>("impact")
            .as_deref()
            .and_then(Impact::parse),
        urgency: row
            .get::<Option<String>, _>("urgency")
            .as_deref()
            .and_then(Urgency::parse),
        service: row.get("service"),
        category: row.get("category"),
        category_id: row.get("category_id"),
        summary: row.get("summary"),
        description: row.get("description"),
        reporter: ReporterView {
            name: row.get("reporter_name"),
            email: row.get("reporter_email"),
            phone: row.get("reporter_phone"),
            has_account: row.get::<Option<i64>, _>("user_id").is_some(),
        },
        group: choice("group_id", "group_name"),
        group_level: row
            .get::<Option<i64>, _>("group_level")
            .and_then(|l| u8::try_from(l).ok()),
        assignee: choice("assignee_id", "assignee_name"),
        escalated: row.get("escalated"),
        major,
        resolution: resolution_of(&row),
        rating: rating_of(&row),
        response,
        resolution_target,
        created_at: row.get("created_at"),
        history,
        links: links_of(&mut *conn, id, false).await?,
        linked_tickets,
        followers,
        checklist: checklist(&mut *conn, id).await?,
        choices,
        offer_known_error: false,
    }))
}

/// The records a ticket is linked to; for its reporter, only known errors and
/// the major incident (other incidents are the desk's business).
pub async fn links_of(
    conn: &mut SqliteConnection,
    ticket_id: i64,
    for_reporter: bool,
) -> Result<Vec<LinkView>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT l.kind, t.number, t.summary, a.slug, a.title, a.state, a.visibility
         FROM ticket_links l
         LEFT JOIN tickets t ON t.id = l.target_ticket_id
         LEFT JOIN articles a ON a.id = l.target_article_id
         WHERE l.ticket_id = ? ORDER BY l.id",
    )
    .bind(ticket_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .iter()
        .filter_map(|row| {
            let kind = LinkKind::parse(row.get("kind"))?;
            if for_reporter && kind == LinkKind::Incident {
                return None;
            }
            // A reporter sees a known error only once it is open to users.
            if for_reporter && kind == LinkKind::KnownError {
                let state = ArticleState::parse(row.get("state"))?;
                let visibility = ArticleVisibility::parse(row.get("visibility"))?;
                if !open_to_users(state, visibility) {
                    return None;
                }
            }
            Some(match kind {
                LinkKind::KnownError => LinkView {
                    kind,
                    label: row.get("title"),
                    href: format!("/articles/{}", row.get::<String, _>("slug")),
                },
                _ => {
                    let number: String = row.get("number");
                    let summary: String = row.get("summary");
                    LinkView {
                        kind,
                        label: format!("{number}: {summary}"),
                        href: if for_reporter {
                            String::new()
                        } else {
                            format!("/agent/tickets/{number}")
                        },
                    }
                }
            })
        })
        .collect())
}

/// The tickets linked to this one (as their major incident or related incident).
async fn linking_tickets(
    conn: &mut SqliteConnection,
    ticket_id: i64,
) -> Result<Vec<LinkView>, sqlx::Error> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT l.kind, t.number, t.summary FROM ticket_links l
         JOIN tickets t ON t.id = l.ticket_id
         WHERE l.target_ticket_id = ? ORDER BY l.id",
    )
    .bind(ticket_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(kind, number, summary)| {
            Some(LinkView {
                kind: LinkKind::parse(&kind)?,
                label: format!("{number}: {summary}"),
                href: format!("/agent/tickets/{number}"),
            })
        })
        .collect())
}

async fn checklist(
    conn: &mut SqliteConnection,
    ticket_id: i64,
) -> Result<Vec<ChecklistStep>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT position, text, done_at, done_by FROM ticket_checklist
         WHERE ticket_id = ? ORDER BY position",
    )
    .bind(ticket_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .iter()
        .map(|row| ChecklistStep {
            position: row.get("position"),
            text: row.get("text"),
            done: row
                .get::<Option<DateTime<Utc>>, _>("done_at")
                .zip(row.get::<Option<String>, _>("done_by")),
        })
        .collect())
}

/// What a known error takes from the resolved incident it is written from.
#[derive(sqlx::FromRow)]
pub struct ResolvedIncident {
    pub id: i64,
    pub summary: String,
    pub description: String,
    pub resolution: String,
    pub service: String,
}

/// The resolved or closed incident with this number, if there is one.
pub async fn resolved_incident(
    conn: &mut SqliteConnection,
    number: &str,
) -> Result<Option<ResolvedIncident>, sqlx::Error> {
    let Some(number) =
        TicketNumber::parse(number.trim()).filter(|n| n.kind == TicketKind::Incident)
    else {
        return Ok(None);
    };
    sqlx::query_as(
        "SELECT t.id, t.summary, t.description, coalesce(t.resolution_text, '') AS resolution,
                s.slug AS service
         FROM tickets t JOIN services s ON s.id = t.service_id
         WHERE t.number = ? AND t.state IN ('resolved', 'closed')",
    )
    .bind(number.to_string())
    .fetch_optional(conn)
    .await
}

/// The text of step `position` of ticket `number`'s checklist.
pub async fn checklist_step(
    conn: &mut SqliteConnection,
    number: TicketNumber,
    position: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT k.text FROM ticket_checklist k JOIN tickets t ON t.id = k.ticket_id
         WHERE t.number = ? AND k.position = ?",
    )
    .bind(number.to_string())
    .bind(position)
    .fetch_optional(conn)
    .await
}

/// Ticket `number`'s id, whether it is a major incident, and its summary: what
/// a link to it needs.
pub async fn link_candidate(
    conn: &mut SqliteConnection,
    number: TicketNumber,
) -> Result<Option<(i64, bool, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, major, summary FROM tickets WHERE number = ?")
        .bind(number.to_string())
        .fetch_optional(conn)
        .await
}
