//! The desk's reads: the queue and a ticket in full, with its history, links and
//! checklist.

use crate::domain::UserId;
use crate::domain::{
    open_to_users, ArticleState, ArticleVisibility, ChecklistStep, Choice, DeskChoices, DeskTicket,
    HistoryEntry, HoldReason, Impact, LinkKind, LinkView, Priority, QueueFilter, QueuePage,
    QueueRow, ReporterView, ResolutionCode, TargetView, TicketKind, TicketNumber, TicketState,
    Urgency,
};
use crate::domain::{CategoryId, TicketId};
use crate::server::store::attachments::{self, files_of};
use crate::server::store::{inbound, outbox};
use chrono::{DateTime, Utc};
use sqlx::{FromRow, QueryBuilder, Sqlite, SqliteConnection};

/// Rows on a page of the queue.
pub const QUEUE_PAGE: i64 = crate::domain::QUEUE_PAGE_SIZE as i64;
/// How far the queue counts its matches (see [`crate::domain::QueuePage::total`]).
const QUEUE_COUNT_CAP: i64 = crate::domain::QUEUE_COUNT_CAP as i64;

/// The queue's order: priority, then the next target due. Written exactly as in
/// the `tickets_queue` index so that SQLite walks the index instead of sorting.
const QUEUE_DUE: &str =
    "(CASE WHEN responded_at IS NULL THEN response_due_at ELSE resolution_due_at END)";

/// A page of the queue for `me` with `filter`, as of `now`: the tickets after
/// `filter.after` in the queue's order (keyset paging, so a late page costs what
/// the first does), and how many match in all.
pub async fn queue(
    conn: &mut SqliteConnection,
    filter: &QueueFilter,
    me: UserId,
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
    push_filters(&mut sql, filter, me, now);
    // After the page's last ticket means after its place in the order, the
    // ticket's id breaking ties. Its keys are read first and bound as values,
    // which lets SQLite seek in the queue's index.
    let after = match TicketNumber::parse(&filter.after) {
        Some(number) => {
            sqlx::query_as::<_, (i64, Option<String>, String, i64)>(&format!(
                "SELECT priority, {QUEUE_DUE}, updated_at, id FROM tickets WHERE number = ?"
            ))
            .bind(number.to_string())
            .fetch_optional(&mut *conn)
            .await?
        }
        None => None,
    };
    if filter.shows_done() {
        if let Some((_, _, updated_at, id)) = after {
            sql.push(" AND (t.updated_at, t.id) < (")
                .push_bind(updated_at)
                .push(", ")
                .push_bind(id)
                .push(")");
        }
        sql.push(" ORDER BY t.updated_at DESC, t.id DESC");
    } else {
        if let Some((priority, due, _, id)) = after {
            sql.push(format!(" AND (t.priority, {QUEUE_DUE}, t.id) > ("))
                .push_bind(priority)
                .push(", ")
                .push_bind(due.unwrap_or_default())
                .push(", ")
                .push_bind(id)
                .push(")");
        }
        sql.push(format!(" ORDER BY t.priority, {QUEUE_DUE}, t.id"));
    }
    sql.push(" LIMIT ").push_bind(QUEUE_PAGE + 1);
    let rows: Vec<QueueTicketRow> = sql.build_query_as().fetch_all(&mut *conn).await?;
    let more = rows.len() as i64 > QUEUE_PAGE;
    let rows: Vec<QueueRow> = rows
        .into_iter()
        .take(QUEUE_PAGE as usize)
        .filter_map(|row| queue_row(row, now))
        .collect();
    let next = more
        .then(|| rows.last().map(|row| row.number.to_string()))
        .flatten();

    // Counted up to a cap: past it the number says nothing more, and counting a
    // filter over every open ticket reads each one's row (an unfiltered count
    // reads only the open tickets' index).
    let mut count: QueryBuilder<Sqlite> =
        QueryBuilder::new("SELECT count(*) FROM (SELECT 1 FROM tickets t WHERE ");
    push_filters(&mut count, filter, me, now);
    count
        .push(" LIMIT ")
        .push_bind(QUEUE_COUNT_CAP + 1)
        .push(")");
    let total: i64 = count.build_query_scalar().fetch_one(&mut *conn).await?;
    Ok(QueuePage {
        rows,
        total,
        next,
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

/// The queue's filters as SQL conditions on `t` (tickets).
fn push_filters(
    sql: &mut QueryBuilder<Sqlite>,
    filter: &QueueFilter,
    me: UserId,
    now: DateTime<Utc>,
) {
    if filter.shows_done() {
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
        sql.push(" AND t.service_id = (SELECT id FROM services WHERE slug = ")
            .push_bind(filter.service.clone())
            .push(")");
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
}

/// A row of the queue's query.
#[derive(FromRow)]
struct QueueTicketRow {
    number: String,
    kind: String,
    state: String,
    priority: i64,
    summary: String,
    service: String,
    group_name: Option<String>,
    assignee_name: Option<String>,
    #[sqlx(flatten)]
    targets: TargetColumns,
    escalated: bool,
    major: bool,
    updated_at: DateTime<Utc>,
}

fn queue_row(row: QueueTicketRow, now: DateTime<Utc>) -> Option<QueueRow> {
    let state = TicketState::parse(&row.state)?;
    let (response, resolution) = row.targets.view(state, now);
    Some(QueueRow {
        number: TicketNumber::parse(&row.number)?,
        kind: TicketKind::parse(&row.kind)?,
        state,
        priority: u8::try_from(row.priority).ok()?,
        summary: row.summary,
        service: row.service,
        group: row.group_name,
        assignee: row.assignee_name,
        response,
        resolution,
        escalated: row.escalated,
        major: row.major,
        updated_at: row.updated_at,
    })
}

/// A ticket row's SLA columns: when it was responded to or paused, and both
/// targets' risk and due times.
#[derive(FromRow)]
pub(crate) struct TargetColumns {
    responded_at: Option<DateTime<Utc>>,
    paused_since: Option<DateTime<Utc>>,
    response_risk_at: Option<DateTime<Utc>>,
    response_due_at: DateTime<Utc>,
    resolution_risk_at: Option<DateTime<Utc>>,
    resolution_due_at: DateTime<Utc>,
}

impl TargetColumns {
    /// How both targets of a ticket row stand at `now`.
    pub(crate) fn view(&self, state: TicketState, now: DateTime<Utc>) -> (TargetView, TargetView) {
        let paused = self.paused_since.is_some();
        let resolved = matches!(
            state,
            TicketState::Resolved | TicketState::Fulfilled | TicketState::Closed
        );
        let response = TargetView::at(
            now,
            self.response_due_at,
            self.response_risk_at,
            self.responded_at.is_some(),
            paused,
        );
        let resolution = TargetView::at(
            now,
            self.resolution_due_at,
            self.resolution_risk_at,
            resolved,
            paused,
        );
        (response, resolution)
    }
}

/// A ticket row's hold reason, resolution and rating columns.
#[derive(FromRow)]
pub(crate) struct OutcomeColumns {
    hold_reason: Option<String>,
    resolution_code: Option<String>,
    resolution_text: Option<String>,
    rating: Option<i64>,
}

impl OutcomeColumns {
    /// A ticket row's hold reason, resolution and rating, as the pages show them.
    pub(crate) fn hold(&self) -> Option<HoldReason> {
        self.hold_reason.as_deref().and_then(HoldReason::parse)
    }

    pub(crate) fn resolution(&self) -> Option<(ResolutionCode, String)> {
        self.resolution_code
            .as_deref()
            .and_then(ResolutionCode::parse)
            .zip(self.resolution_text.clone())
    }

    pub(crate) fn rating(&self) -> Option<u8> {
        self.rating.and_then(|r| u8::try_from(r).ok())
    }
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
    let row: Option<DeskTicketRow> = sqlx::query_as(
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
    let id = row.id;
    let state = TicketState::parse(&row.state).ok_or_else(|| unreadable("state"))?;
    let (response, resolution_target) = row.targets.view(state, now);
    let rows = sqlx::query_as::<_, HistoryRow>(
        "SELECT id, at, actor, kind, visibility, body FROM ticket_events WHERE ticket_id = ? ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let files = attachments::of_ticket(&mut *conn, id).await?;
    let history = rows
        .into_iter()
        .map(|e| HistoryEntry {
            files: files_of(&files, e.id),
            at: e.at,
            actor: e.actor,
            kind: e.kind,
            internal: e.visibility == "internal",
            text: e.body,
        })
        .collect();
    let major = row.major;
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
    // The models of the ticket's own category come first.
    let models: Vec<(i64, String, bool)> = sqlx::query_as(
        "SELECT id, name, category_id = ? AS fits FROM incident_models WHERE active = 1
         ORDER BY fits DESC, name",
    )
    .bind(row.category_id)
    .fetch_all(&mut *conn)
    .await?;
    let fitting_models = models.iter().filter(|(_, _, fits)| *fits).count();
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
        .bind(row.category_id)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|(id, name)| Choice { id, name })
        .collect(),
        models: models.into_iter().map(|(id, name, _)| Choice { id, name }).collect(),
        fitting_models,
    };
    let choice = |id: Option<i64>, name: Option<String>| {
        id.map(|id| Choice {
            id,
            name: name.unwrap_or_default(),
        })
    };
    let mail_troubles = outbox::troubles_of(&mut *conn, &number.to_string()).await?;
    let mail_received = inbound::of_ticket(&mut *conn, id).await?;
    let priority_rule = crate::server::store::priorities::ticket_rule(
        &mut *conn,
        Priority::new(row.priority).ok_or_else(|| unreadable("priority"))?,
        row.label,
        row.response_minutes,
        row.resolution_minutes,
    )
    .await?;
    Ok(Some(DeskTicket {
        number,
        kind: TicketKind::parse(&row.kind).ok_or_else(|| unreadable("kind"))?,
        state,
        hold: row.outcome.hold(),
        version: row.version,
        priority_rule,
        impact: row.impact.as_deref().and_then(Impact::parse),
        urgency: row.urgency.as_deref().and_then(Urgency::parse),
        service: row.service,
        category: row.category,
        category_id: row.category_id,
        summary: row.summary,
        description: row.description,
        reporter: ReporterView {
            name: row.reporter_name,
            email: row.reporter_email,
            phone: row.reporter_phone,
            has_account: row.user_id.is_some(),
        },
        group: choice(row.group_id, row.group_name),
        group_level: row.group_level.and_then(|l| u8::try_from(l).ok()),
        assignee: choice(row.assignee_id, row.assignee_name),
        escalated: row.escalated,
        major,
        resolution: row.outcome.resolution(),
        rating: row.outcome.rating(),
        response,
        resolution_target,
        created_at: row.created_at,
        history,
        links: links_of(&mut *conn, id, false).await?,
        linked_tickets,
        followers,
        checklist: checklist(&mut *conn, id).await?,
        choices,
        offer_known_error: false,
        mail_troubles,
        mail_received,
    }))
}

/// The row of a ticket in full, as the desk's query reads it.
#[derive(FromRow)]
struct DeskTicketRow {
    id: TicketId,
    kind: String,
    state: String,
    version: i64,
    impact: Option<String>,
    urgency: Option<String>,
    summary: String,
    description: String,
    category_id: CategoryId,
    reporter_name: String,
    reporter_email: String,
    reporter_phone: Option<String>,
    user_id: Option<UserId>,
    group_id: Option<i64>,
    group_name: Option<String>,
    group_level: Option<i64>,
    assignee_id: Option<i64>,
    assignee_name: Option<String>,
    escalated: bool,
    major: bool,
    #[sqlx(flatten)]
    outcome: OutcomeColumns,
    created_at: DateTime<Utc>,
    #[sqlx(flatten)]
    targets: TargetColumns,
    service: String,
    category: String,
    priority: i64,
    label: String,
    response_minutes: i64,
    resolution_minutes: i64,
}

/// An entry of a ticket's history, as stored.
#[derive(FromRow)]
struct HistoryRow {
    id: i64,
    at: DateTime<Utc>,
    actor: String,
    kind: String,
    visibility: String,
    body: String,
}

/// A link of a ticket with its target: a ticket's columns for a ticket, an
/// article's for a known error (the others are NULL).
#[derive(FromRow)]
struct LinkRow {
    kind: String,
    number: Option<String>,
    summary: Option<String>,
    slug: Option<String>,
    title: Option<String>,
    state: Option<String>,
    visibility: Option<String>,
}

/// The records a ticket is linked to; for its reporter, only known errors and
/// the major incident (other incidents are the desk's business).
pub async fn links_of(
    conn: &mut SqliteConnection,
    ticket_id: TicketId,
    for_reporter: bool,
) -> Result<Vec<LinkView>, sqlx::Error> {
    let rows: Vec<LinkRow> = sqlx::query_as(
        "SELECT l.kind, t.number, t.summary, a.slug, a.title, a.state, a.visibility
         FROM ticket_links l
         LEFT JOIN tickets t ON t.id = l.target_ticket_id
         LEFT JOIN articles a ON a.id = l.target_article_id
         WHERE l.ticket_id = ? ORDER BY l.id",
    )
    .bind(ticket_id)
    .fetch_all(conn)
    .await?;
    // The target's columns are NULL for the other kind of target; read as
    // empty text, as before.
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let kind = LinkKind::parse(&row.kind)?;
            if for_reporter && kind == LinkKind::Incident {
                return None;
            }
            // A reporter sees a known error only once it is open to users.
            if for_reporter && kind == LinkKind::KnownError {
                let state = ArticleState::parse(row.state.as_deref().unwrap_or_default())?;
                let visibility =
                    ArticleVisibility::parse(row.visibility.as_deref().unwrap_or_default())?;
                if !open_to_users(state, visibility) {
                    return None;
                }
            }
            Some(match kind {
                LinkKind::KnownError => LinkView {
                    kind,
                    label: row.title.unwrap_or_default(),
                    href: format!("/articles/{}", row.slug.unwrap_or_default()),
                },
                _ => {
                    let number = row.number.unwrap_or_default();
                    let summary = row.summary.unwrap_or_default();
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
    ticket_id: TicketId,
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

/// A step of a ticket's checklist, as stored.
#[derive(FromRow)]
struct ChecklistRow {
    position: i64,
    text: String,
    done_at: Option<DateTime<Utc>>,
    done_by: Option<String>,
}

async fn checklist(
    conn: &mut SqliteConnection,
    ticket_id: TicketId,
) -> Result<Vec<ChecklistStep>, sqlx::Error> {
    let rows: Vec<ChecklistRow> = sqlx::query_as(
        "SELECT position, text, done_at, done_by FROM ticket_checklist
         WHERE ticket_id = ? ORDER BY position",
    )
    .bind(ticket_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| ChecklistStep {
            position: row.position,
            text: row.text,
            done: row.done_at.zip(row.done_by),
        })
        .collect())
}

/// What a known error takes from the resolved incident it is written from.
#[derive(sqlx::FromRow)]
pub struct ResolvedIncident {
    pub id: TicketId,
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
) -> Result<Option<(TicketId, bool, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, major, summary FROM tickets WHERE number = ?")
        .bind(number.to_string())
        .fetch_optional(conn)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::store::db::Db;
    use crate::server::store::db::TempDb;

    /// Every query of this file, once, against a freshly migrated database holding
    /// a ticket of each kind of row it reads: a column renamed in a migration
    /// fails here.
    /// 120 open tickets in 40 ties of priority and due time: the pages follow one
    /// another in the queue's order, none twice, none left out, and each knows
    /// how many match in all.
    #[tokio::test]
    async fn the_queue_pages_by_key_and_counts_every_match() {
        let file = TempDb::new("queue-pages");
        let db = Db::open(&file.0).await.unwrap();
        let mut conn = db.writer.acquire().await.unwrap();
        let now = Utc::now();
        for sql in [
            "INSERT INTO services (id, slug, name) VALUES (1, 'email', 'E-mail')",
            "INSERT INTO categories (id, service_id, name) VALUES (1, 1, 'Other')",
        ] {
            sqlx::query(sql).execute(&mut *conn).await.unwrap();
        }
        for n in 1..=120i64 {
            let due = now + chrono::Duration::hours(n % 8);
            sqlx::query(
                "INSERT INTO tickets (number, kind, state, impact, urgency, priority, service_id,
                                      category_id, summary, description, reporter_name,
                                      reporter_email, status_token_hash, response_due_at,
                                      resolution_due_at, created_at, updated_at)
                 VALUES (?, 'incident', 'new', 'low', 'low', ?, 1, 1, 'Slow', '', 'Ann',
                         'ann@example.test', ?, ?, ?, ?, ?)",
            )
            .bind(format!("INC{n:07}"))
            .bind(1 + n % 5)
            .bind(n.to_be_bytes().to_vec())
            .bind(due)
            .bind(due)
            .bind(now)
            .bind(now)
            .execute(&mut *conn)
            .await
            .unwrap();
        }
        let mut filter = QueueFilter::default();
        let mut seen: Vec<(u8, DateTime<Utc>, String)> = Vec::new();
        let mut sizes = Vec::new();
        loop {
            let page = queue(&mut conn, &filter, UserId(1), now).await.unwrap();
            assert_eq!(page.total, 120);
            sizes.push(page.rows.len());
            seen.extend(
                page.rows
                    .iter()
                    .map(|r| (r.priority, r.response.due_at, r.number.to_string())),
            );
            match page.next {
                Some(after) => filter.after = after,
                None => break,
            }
        }
        assert_eq!(sizes, [50, 50, 20]);
        let mut sorted = seen.clone();
        sorted.sort_by_key(|s| (s.0, s.1));
        assert_eq!(
            seen.iter().map(|s| (s.0, s.1)).collect::<Vec<_>>(),
            sorted.iter().map(|s| (s.0, s.1)).collect::<Vec<_>>()
        );
        let mut numbers: Vec<&String> = seen.iter().map(|s| &s.2).collect();
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), 120);

        // A filter counts only what it matches.
        let p1 = QueueFilter {
            priority: "1".into(),
            ..QueueFilter::default()
        };
        let page = queue(&mut conn, &p1, UserId(1), now).await.unwrap();
        assert_eq!(page.total, 24);
        assert_eq!((page.rows.len(), page.next), (24, None));

        // Past the cap the count says only that there are more.
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 121 UNION ALL SELECT i + 1 FROM n WHERE i < 1100)
             INSERT INTO tickets (number, kind, state, impact, urgency, priority, service_id,
                                  category_id, summary, description, reporter_name,
                                  reporter_email, status_token_hash, response_due_at,
                                  resolution_due_at, created_at, updated_at)
             SELECT printf('INC%07d', i), kind, state, impact, urgency, priority, service_id,
                    category_id, summary, description, reporter_name, reporter_email,
                    randomblob(32), response_due_at, resolution_due_at, created_at, updated_at
             FROM tickets, n WHERE tickets.number = 'INC0000001'",
        )
        .execute(&mut *conn)
        .await
        .unwrap();
        let page = queue(&mut conn, &QueueFilter::default(), UserId(1), now)
            .await
            .unwrap();
        assert_eq!(page.total, QUEUE_COUNT_CAP + 1);
    }

    #[tokio::test]
    async fn every_query_decodes_the_migrated_schema() {
        let file = TempDb::new("desk");
        let db = Db::open(&file.0).await.unwrap();
        let mut conn = db.writer.acquire().await.unwrap();
        let now = Utc::now();
        let later = now + chrono::Duration::hours(4);

        for sql in [
            "INSERT INTO services (id, slug, name) VALUES (1, 'email', 'E-mail')",
            "INSERT INTO categories (id, service_id, name) VALUES (1, 1, 'Other')",
            "INSERT INTO users (id, email, name, role, password_hash, created_at, updated_at)
             VALUES (1, 'agent@example.test', 'Agent', 'agent', 'x', '', '')",
            "INSERT INTO categories (id, service_id, name) VALUES (2, 1, 'Spam')",
            "INSERT INTO incident_models (name, category_id, impact, urgency)
             VALUES ('Mail outage', 1, 'high', 'high'), ('A spam wave', 2, 'low', 'low')",
        ] {
            sqlx::query(sql).execute(&mut *conn).await.unwrap();
        }
        sqlx::query(
            "INSERT INTO articles (id, slug, kind, service_id, title, error_status, created_at,
                                   updated_at)
             VALUES (1, 'mail-delayed', 'known_error', 1, 'Mail is delayed', 'investigating', ?, ?)",
        )
        .bind(now)
        .bind(now)
        .execute(&mut *conn)
        .await
        .unwrap();
        // 1: an open major incident, assigned, with history, checklist and a known
        // error; 2: a resolved incident linked to it, rated.
        sqlx::query(
            "INSERT INTO tickets (id, number, kind, state, impact, urgency, priority, service_id,
                                  category_id, summary, description, reporter_name,
                                  reporter_email, reporter_phone, status_token_hash,
                                  response_due_at, resolution_due_at, created_at, updated_at,
                                  user_id, group_id, assignee_id, responded_at,
                                  response_risk_at, resolution_risk_at, major)
             VALUES (1, 'INC0000001', 'incident', 'in_progress', 'high', 'high', 1, 1, 1,
                     'Mail is down', 'No mail at all', 'Ann', 'ann@example.test', '555',
                     x'01', ?, ?, ?, ?, 1, 1, 1, ?, ?, ?, 1)",
        )
        .bind(later)
        .bind(later)
        .bind(now)
        .bind(now)
        .bind(now)
        .bind(later)
        .bind(later)
        .execute(&mut *conn)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO tickets (id, number, kind, state, impact, urgency, priority, service_id,
                                  category_id, summary, description, reporter_name,
                                  reporter_email, status_token_hash, response_due_at,
                                  resolution_due_at, created_at, updated_at, resolution_code,
                                  resolution_text, rating, hold_reason)
             VALUES (2, 'INC0000002', 'incident', 'resolved', 'low', 'low', 5, 1, 1,
                     'Mail is late', '', 'Bob', 'bob@example.test', x'02', ?, ?, ?, ?,
                     'workaround', 'Wait a bit', 5, 'awaiting_user')",
        )
        .bind(later)
        .bind(later)
        .bind(now)
        .bind(now)
        .execute(&mut *conn)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO ticket_events (ticket_id, at, actor, kind, visibility, body)
             VALUES (1, ?, 'Agent', 'note', 'internal', 'Looking')",
        )
        .bind(now)
        .execute(&mut *conn)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO ticket_checklist (ticket_id, position, text, done_at, done_by)
             VALUES (1, 1, 'Check the queue', ?, 'Agent'), (1, 2, 'Restart', NULL, NULL)",
        )
        .bind(now)
        .execute(&mut *conn)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO ticket_links (ticket_id, kind, target_ticket_id, target_article_id,
                                       created_at, created_by)
             VALUES (1, 'known_error', NULL, 1, ?, 'test'),
                    (2, 'major_incident', 1, NULL, ?, 'test')",
        )
        .bind(now)
        .bind(now)
        .execute(&mut *conn)
        .await
        .unwrap();

        let open = queue(&mut conn, &QueueFilter::default(), UserId(1), now)
            .await
            .unwrap();
        assert_eq!(open.rows.len(), 1);
        assert_eq!(open.rows[0].number.to_string(), "INC0000001");
        assert_eq!(
            open.rows[0].group.as_deref(),
            Some("Service desk (1st level)")
        );
        assert_eq!(open.rows[0].assignee.as_deref(), Some("Agent"));
        assert!(open.rows[0].major);
        assert_eq!(open.next, None);
        assert_eq!(open.total, open.rows.len() as i64);
        assert_eq!(open.groups.len(), 3);
        assert_eq!(open.services, [("email".to_string(), "E-mail".to_string())]);
        let done = QueueFilter {
            state: "resolved".into(),
            sla: "breached".into(),
            ..QueueFilter::default()
        };
        assert!(queue(&mut conn, &done, UserId(1), now)
            .await
            .unwrap()
            .rows
            .is_empty());

        let major = TicketNumber::parse("INC0000001").unwrap();
        let ticket = desk_ticket(&mut conn, major, now).await.unwrap().unwrap();
        assert_eq!(ticket.state, TicketState::InProgress);
        assert_eq!(ticket.priority_rule.label, "Critical");
        assert_eq!(ticket.reporter.phone.as_deref(), Some("555"));
        assert!(ticket.reporter.has_account);
        assert_eq!(ticket.group.as_ref().map(|g| g.id), Some(1));
        assert_eq!(ticket.group_level, Some(1));
        assert_eq!(ticket.assignee.map(|a| a.name), Some("Agent".to_string()));
        assert!(ticket.major && !ticket.escalated);
        assert_eq!(ticket.history.len(), 1);
        assert!(ticket.history[0].internal);
        assert_eq!(ticket.links.len(), 1);
        assert_eq!(ticket.links[0].href, "/articles/mail-delayed");
        assert_eq!(ticket.linked_tickets.len(), 1);
        assert_eq!(ticket.followers, 0);
        assert_eq!(ticket.checklist.len(), 2);
        assert!(ticket.checklist[0].done.is_some() && ticket.checklist[1].done.is_none());
        assert_eq!(ticket.choices.staff.len(), 1);
        assert_eq!(ticket.choices.categories.len(), 2);
        // The model of the ticket's category first, though another sorts before it.
        let models: Vec<_> = ticket
            .choices
            .models
            .iter()
            .map(|m| m.name.as_str())
            .collect();
        assert_eq!(models, ["Mail outage", "A spam wave"]);
        assert_eq!(ticket.choices.fitting_models, 1);

        let resolved = TicketNumber::parse("INC0000002").unwrap();
        let ticket = desk_ticket(&mut conn, resolved, now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(ticket.hold, Some(HoldReason::AwaitingUser));
        assert_eq!(
            ticket.resolution,
            Some((ResolutionCode::Workaround, "Wait a bit".to_string()))
        );
        assert_eq!(ticket.rating, Some(5));
        assert!(ticket.group.is_none() && ticket.assignee.is_none());
        assert_eq!(ticket.links.len(), 1);
        assert_eq!(ticket.links[0].href, "/agent/tickets/INC0000001");
        let missing = TicketNumber::parse("INC0000003").unwrap();
        assert!(desk_ticket(&mut conn, missing, now)
            .await
            .unwrap()
            .is_none());

        assert_eq!(
            links_of(&mut conn, TicketId(1), true).await.unwrap().len(),
            1
        );
        assert_eq!(
            links_of(&mut conn, TicketId(2), true).await.unwrap()[0].href,
            ""
        );

        let incident = resolved_incident(&mut conn, "INC0000002")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(incident.id, TicketId(2));
        assert_eq!(incident.resolution, "Wait a bit");
        assert_eq!(incident.service, "email");
        assert_eq!(
            checklist_step(&mut conn, major, 2)
                .await
                .unwrap()
                .as_deref(),
            Some("Restart")
        );
        assert_eq!(
            link_candidate(&mut conn, major).await.unwrap(),
            Some((TicketId(1), true, "Mail is down".to_string()))
        );

        drop(conn);
        db.writer.close().await;
        db.reader.close().await;
    }
}
