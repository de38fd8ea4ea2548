//! Working a ticket: an action by an agent, the reporter or the portal, decided by
//! the lifecycle ([`crate::domain::decide`]) and written, with its one history
//! entry, by [`TicketWork`] in one transaction.
//!
//! Every change carries the version of the ticket its author saw. If the ticket
//! changed meanwhile, the change is refused as a [`WorkError::Conflict`] that
//! names the state it is in now: a second agent never silently overwrites the
//! first.

use super::work::{Entry, RecordError, Seen, TicketRef, TicketWork};
use crate::domain::{
    decide, Action, Actor, Event, GroupId, GroupRef, HoldReason, Impact, LinkKind, Refusal,
    ResolutionCode, TicketFacts, TicketKind, TicketNumber, TicketState, Urgency, UserId,
    Visibility,
};
use crate::domain::{ArticleId, CategoryId, ModelId, TicketId};
use crate::server::hub::Changes;
use crate::server::sla::{next_milestone, Deadlines, Milestone, Recorded, Target};
use crate::server::store::attachments::{ClaimError, Files};
use crate::server::store::calendars::sla_for;
use crate::server::store::db::Db;
use crate::server::store::priorities::{derive_priority, lifecycle_rules};
use chrono::{DateTime, Duration, Utc};
use sqlx::SqliteConnection;

/// Why an action was not written.
#[derive(Debug, thiserror::Error)]
pub enum WorkError {
    #[error("no such ticket")]
    NotFound,
    #[error("{}", .0.message())]
    Refused(Refusal),
    /// The ticket changed since its author loaded it.
    #[error("the ticket changed meanwhile")]
    Conflict { state: TicketState },
    /// The files sent with the change cannot be attached.
    #[error("files not attached: {0}")]
    Files(ClaimError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl From<ClaimError> for WorkError {
    fn from(error: ClaimError) -> Self {
        match error {
            ClaimError::Database(error) => WorkError::Database(error),
            other => WorkError::Files(other),
        }
    }
}

/// A ticket as the lifecycle and the SLA clock need it.
pub(super) struct Loaded {
    pub(super) id: TicketId,
    pub(super) number: TicketNumber,
    pub(super) version: i64,
    pub(super) priority: i64,
    pub(super) created_at: DateTime<Utc>,
    pub(super) paused: Duration,
    pub(super) paused_since: Option<DateTime<Utc>>,
    /// As stored: they move only when the priority changes or a pause ends.
    pub(super) deadlines: Deadlines,
    pub(super) facts: TicketFacts,
}

/// What a change does beyond the ticket's own facts, written in the same
/// transaction as the change and its history entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    None,
    /// Moves the ticket to this category (and its service).
    Category(CategoryId),
    /// Links the ticket to another ticket or to a known-error article.
    Link {
        kind: LinkKind,
        ticket: Option<TicketId>,
        article: Option<ArticleId>,
    },
    /// Applies an incident model: its category, and its checklist.
    Model {
        id: ModelId,
        category: CategoryId,
    },
    /// Ticks a checklist step off (or not).
    Tick {
        position: i64,
        done: bool,
    },
}

/// Applies `action` by `actor` to ticket `number`, if its version is still
/// `seen_version`. Answers the new version.
pub async fn apply(
    db: &Db,
    hub: &Changes,
    number: TicketNumber,
    seen_version: i64,
    actor: &Actor,
    action: Action,
    now: DateTime<Utc>,
) -> Result<i64, WorkError> {
    apply_with(
        db,
        hub,
        number,
        seen_version,
        actor,
        action,
        Effect::None,
        &Files::none(),
        now,
    )
    .await
}

/// [`apply`], with what the change does beyond the ticket's facts.
pub async fn apply_with(
    db: &Db,
    hub: &Changes,
    number: TicketNumber,
    seen_version: i64,
    actor: &Actor,
    action: Action,
    effect: Effect,
    files: &Files,
    now: DateTime<Utc>,
) -> Result<i64, WorkError> {
    let mut work = TicketWork::begin(db, hub, now).await?;
    let ticket = load(work.conn(), number)
        .await?
        .ok_or(WorkError::NotFound)?;
    if ticket.version != seen_version {
        return Err(WorkError::Conflict {
            state: ticket.facts.state,
        });
    }
    let rules = lifecycle_rules(work.conn()).await?;
    let (next, event) =
        decide(&ticket.facts, actor, &action, now, rules).map_err(WorkError::Refused)?;
    // The reporter's page shows the state, the group and the priority too.
    let seen_by = if event.visibility == Visibility::Public
        || (next.state, next.hold, next.group, next.impact, next.urgency)
            != (
                ticket.facts.state,
                ticket.facts.hold,
                ticket.facts.group,
                ticket.facts.impact,
                ticket.facts.urgency,
            ) {
        Seen::ByReporter
    } else {
        Seen::ByDesk
    };
    let version = write(&mut work, &ticket, &next, actor, &event, seen_by, now).await?;
    work.attach(files).await?;
    let entry = work.last_entry();
    write_effect(work.conn(), &ticket, actor, effect, now).await?;
    if next.major && event.kind == "reply" {
        tell_linked_reporters(&mut work, ticket.id, actor, &event, entry, now).await?;
    }
    work.commit().await?;
    Ok(version)
}

async fn write_effect(
    conn: &mut SqliteConnection,
    ticket: &Loaded,
    actor: &Actor,
    effect: Effect,
    now: DateTime<Utc>,
) -> Result<(), WorkError> {
    match effect {
        Effect::None => {}
        Effect::Category(category) => set_category(&mut *conn, ticket.id, category).await?,
        Effect::Link {
            kind,
            ticket: target,
            article,
        } => {
            let linked = sqlx::query(
                "INSERT INTO ticket_links (ticket_id, kind, target_ticket_id, target_article_id,
                                           created_at, created_by)
                 VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            )
            .bind(ticket.id)
            .bind(kind.as_str())
            .bind(target)
            .bind(article)
            .bind(now)
            .bind(actor.display_name())
            .execute(&mut *conn)
            .await?;
            if linked.rows_affected() == 0 {
                return Err(WorkError::Refused(Refusal::Invalid(
                    "The ticket is already linked to that record.",
                )));
            }
        }
        Effect::Model { id, category } => {
            set_category(&mut *conn, ticket.id, category).await?;
            let next: i64 = sqlx::query_scalar(
                "SELECT coalesce(max(position), 0) FROM ticket_checklist WHERE ticket_id = ?",
            )
            .bind(ticket.id)
            .fetch_one(&mut *conn)
            .await?;
            sqlx::query(
                "INSERT INTO ticket_checklist (ticket_id, position, text)
                 SELECT ?, ? + position, text FROM incident_model_steps WHERE model_id = ?",
            )
            .bind(ticket.id)
            .bind(next)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        }
        Effect::Tick { position, done } => {
            let (at, by) = if done {
                (Some(now), Some(actor.display_name()))
            } else {
                (None, None)
            };
            sqlx::query(
                "UPDATE ticket_checklist SET done_at = ?, done_by = ?
                 WHERE ticket_id = ? AND position = ?",
            )
            .bind(at)
            .bind(by)
            .bind(ticket.id)
            .bind(position)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

async fn set_category(
    conn: &mut SqliteConnection,
    ticket_id: TicketId,
    category: CategoryId,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE tickets SET category_id = ?1,
                service_id = (SELECT service_id FROM categories WHERE id = ?1)
         WHERE id = ?2",
    )
    .bind(category)
    .bind(ticket_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// An update on a major incident reaches every reporter whose ticket is linked to
/// it: it is written into each of their (still open) tickets' public history.
/// People attached through "this is my problem too" follow the major incident
/// itself, so they see it there.
async fn tell_linked_reporters(
    work: &mut TicketWork<'_>,
    major_id: TicketId,
    actor: &Actor,
    event: &Event,
    update: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let linked: Vec<(TicketId, String)> = sqlx::query_as(
        "SELECT t.id, t.number FROM ticket_links l JOIN tickets t ON t.id = l.ticket_id
         WHERE l.target_ticket_id = ? AND l.kind = 'major_incident' AND t.state <> 'closed'",
    )
    .bind(major_id)
    .fetch_all(work.conn())
    .await?;
    let staff_id = actor.staff_id();
    let actor = actor.display_name();
    for (id, number) in linked {
        let Some(number) = TicketNumber::parse(&number) else {
            continue;
        };
        let entry = Entry {
            at: now,
            actor: &actor,
            kind: "major_update",
            visibility: Visibility::Public,
            body: &event.body,
            by: staff_id,
        };
        work.record_any(TicketRef { id, number }, entry, Seen::ByReporter)
            .await?;
        if let Some(update) = update {
            work.attach_copies_of(update).await?;
        }
    }
    Ok(())
}

/// One ticket as [`load`] reads it, with the level of its assignment group.
#[derive(sqlx::FromRow)]
struct LoadedRow {
    id: TicketId,
    version: i64,
    kind: String,
    state: String,
    hold_reason: Option<String>,
    group_id: Option<GroupId>,
    group_level: Option<i64>,
    assignee_id: Option<UserId>,
    impact: Option<String>,
    urgency: Option<String>,
    priority: i64,
    responded_at: Option<DateTime<Utc>>,
    resolved_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    resolution_code: Option<String>,
    resolution_text: Option<String>,
    escalated: bool,
    major: bool,
    rating: Option<i64>,
    created_at: DateTime<Utc>,
    paused_seconds: i64,
    paused_since: Option<DateTime<Utc>>,
    response_risk_at: Option<DateTime<Utc>>,
    response_due_at: Option<DateTime<Utc>>,
    resolution_risk_at: Option<DateTime<Utc>>,
    resolution_due_at: Option<DateTime<Utc>>,
}

pub(super) async fn load(
    conn: &mut SqliteConnection,
    number: TicketNumber,
) -> Result<Option<Loaded>, sqlx::Error> {
    let row: Option<LoadedRow> = sqlx::query_as(
        "SELECT t.id, t.version, t.kind, t.state, t.hold_reason, t.group_id, g.level AS group_level,
                t.assignee_id, t.impact, t.urgency, t.priority, t.responded_at, t.resolved_at,
                t.closed_at, t.resolution_code, t.resolution_text, t.escalated, t.major, t.rating,
                t.created_at, t.paused_seconds, t.paused_since, t.response_risk_at,
                t.response_due_at, t.resolution_risk_at, t.resolution_due_at
         FROM tickets t LEFT JOIN assignment_groups g ON g.id = t.group_id
         WHERE t.number = ?",
    )
    .bind(number.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let unreadable = |what: &str| sqlx::Error::Protocol(format!("ticket {number}: {what}"));
    let kind = TicketKind::parse(&row.kind).ok_or_else(|| unreadable("kind"))?;
    let state = TicketState::parse(&row.state).ok_or_else(|| unreadable("state"))?;
    let group = match (row.group_id, row.group_level) {
        (Some(id), Some(level)) => Some(GroupRef {
            id,
            level: u8::try_from(level).map_err(|_| unreadable("group level"))?,
        }),
        _ => None,
    };
    let resolution = match (row.resolution_code, row.resolution_text) {
        (Some(code), Some(text)) => Some((
            ResolutionCode::parse(&code).ok_or_else(|| unreadable("resolution code"))?,
            text,
        )),
        _ => None,
    };
    let facts = TicketFacts {
        kind,
        state,
        hold: row.hold_reason.as_deref().and_then(HoldReason::parse),
        group,
        assignee: row.assignee_id,
        impact: row.impact.as_deref().and_then(Impact::parse),
        urgency: row.urgency.as_deref().and_then(Urgency::parse),
        responded_at: row.responded_at,
        resolved_at: row.resolved_at,
        closed_at: row.closed_at,
        resolution,
        escalated: row.escalated,
        major: row.major,
        rating: row.rating.and_then(|r| u8::try_from(r).ok()),
    };
    Ok(Some(Loaded {
        id: row.id,
        number,
        version: row.version,
        priority: row.priority,
        created_at: row.created_at,
        paused: Duration::seconds(row.paused_seconds),
        paused_since: row.paused_since,
        deadlines: Deadlines {
            response_risk_at: row.response_risk_at,
            response_due_at: row.response_due_at,
            resolution_risk_at: row.resolution_risk_at,
            resolution_due_at: row.resolution_due_at,
        },
        facts,
    }))
}

/// Writes the new facts, the SLA clock and the history entry; answers the new
/// version.
async fn write(
    work: &mut TicketWork<'_>,
    ticket: &Loaded,
    next: &TicketFacts,
    actor: &Actor,
    event: &Event,
    seen_by: Seen,
    now: DateTime<Utc>,
) -> Result<i64, WorkError> {
    let actor_name = actor.display_name();
    let entry = Entry {
        at: now,
        actor: &actor_name,
        kind: event.kind,
        visibility: event.visibility,
        body: &event.body,
        by: actor.staff_id(),
    };
    let reference = TicketRef {
        id: ticket.id,
        number: ticket.number,
    };
    let version = work
        .record(reference, ticket.version, entry, seen_by)
        .await
        .map_err(|error| match error {
            RecordError::Stale => WorkError::Conflict {
                state: ticket.facts.state,
            },
            RecordError::Database(error) => WorkError::Database(error),
        })?;
    let conn = work.conn();
    let priority = if (next.impact, next.urgency) != (ticket.facts.impact, ticket.facts.urgency) {
        let triage = next.impact.zip(next.urgency);
        i64::from(derive_priority(&mut *conn, triage).await?.priority.level())
    } else {
        ticket.priority
    };
    let was_waiting = ticket.facts.hold == Some(HoldReason::AwaitingUser);
    let waits = next.hold == Some(HoldReason::AwaitingUser);
    let resumes = was_waiting && !waits;
    let paused_since = match (was_waiting, waits) {
        (false, true) => Some(now),
        (true, false) => None,
        _ => ticket.paused_since,
    };
    let (deadlines, paused) = if resumes || priority != ticket.priority {
        let sla = sla_for(&mut *conn, priority).await?;
        let mut paused = ticket.paused;
        if resumes {
            paused += sla
                .calendar
                .working_time(ticket.paused_since.unwrap_or(now), now);
        }
        (sla.deadlines(ticket.created_at, paused), paused)
    } else {
        (ticket.deadlines, ticket.paused)
    };
    let recorded = recorded_milestones(&mut *conn, ticket.id).await?;
    let sla_next_at = next_milestone(&deadlines, next, paused_since.is_some(), &recorded);
    sqlx::query(
        "UPDATE tickets SET state = ?, hold_reason = ?, group_id = ?, assignee_id = ?, impact = ?,
                urgency = ?, priority = ?, responded_at = ?, resolved_at = ?, closed_at = ?,
                resolution_code = ?, resolution_text = ?, escalated = ?, major = ?, rating = ?,
                paused_seconds = ?, paused_since = ?, response_risk_at = ?, response_due_at = ?,
                resolution_risk_at = ?, resolution_due_at = ?, sla_next_at = ?
         WHERE id = ?",
    )
    .bind(next.state.as_str())
    .bind(next.hold.map(HoldReason::as_str))
    .bind(next.group.map(|g| g.id))
    .bind(next.assignee)
    .bind(next.impact.map(Impact::as_str))
    .bind(next.urgency.map(Urgency::as_str))
    .bind(priority)
    .bind(next.responded_at)
    .bind(next.resolved_at)
    .bind(next.closed_at)
    .bind(next.resolution.as_ref().map(|(code, _)| code.as_str()))
    .bind(next.resolution.as_ref().map(|(_, text)| text.as_str()))
    .bind(next.escalated)
    .bind(next.major)
    .bind(next.rating.map(i64::from))
    .bind(paused.num_seconds())
    .bind(paused_since)
    .bind(deadlines.response_risk_at)
    .bind(deadlines.response_due_at.unwrap_or(ticket.created_at))
    .bind(deadlines.resolution_risk_at)
    .bind(deadlines.resolution_due_at.unwrap_or(ticket.created_at))
    .bind(sla_next_at)
    .bind(ticket.id)
    .execute(&mut *conn)
    .await?;
    if matches!(
        event.kind,
        "escalated_to_managers" | "major_declared" | "user_escalation"
    ) {
        inform_incident_managers(&mut *conn, ticket.id, &event_summary(event), now).await?;
    }
    Ok(version)
}

fn event_summary(event: &Event) -> String {
    let what = match event.kind {
        "escalated_to_managers" => "Escalated to the incident managers",
        "major_declared" => "Declared a major incident",
        "user_escalation" => "The user asked for more urgency",
        _ => "Changed",
    };
    format!("{what}: {}", event.body)
}

/// An in-app message to every active admin (the incident managers).
pub(super) async fn inform_incident_managers(
    conn: &mut SqliteConnection,
    ticket_id: TicketId,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO notifications (user_id, ticket_id, body, created_at)
         SELECT id, ?, ?, ? FROM users WHERE role = 'admin' AND active = 1",
    )
    .bind(ticket_id)
    .bind(body)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub(super) async fn recorded_milestones(
    conn: &mut SqliteConnection,
    ticket_id: TicketId,
) -> Result<Recorded, sqlx::Error> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT target, milestone FROM sla_events WHERE ticket_id = ?")
            .bind(ticket_id)
            .fetch_all(conn)
            .await?;
    Ok(rows
        .iter()
        .filter_map(|(t, m)| Some((Target::parse(t)?, Milestone::parse(m)?)))
        .collect())
}

impl From<WorkError> for crate::error::AppError {
    fn from(error: WorkError) -> Self {
        use crate::error::AppError;
        match error {
            WorkError::NotFound => AppError::NotFound,
            WorkError::Refused(refusal) => refusal.into(),
            WorkError::Conflict { state, .. } => AppError::Conflict(format!(
                "Someone else changed this ticket meanwhile: it is now {}. Nothing you sent \
                 was saved; reload the ticket to see what changed, then try again.",
                state.label().to_lowercase()
            )),
            WorkError::Files(error) => AppError::Refused(error.message()),
            WorkError::Database(error) => AppError::internal(error),
        }
    }
}

impl From<Refusal> for crate::error::AppError {
    fn from(refusal: Refusal) -> Self {
        crate::error::AppError::Refused(refusal.message())
    }
}

/// Gives `account` the tickets logged earlier with its (now confirmed) address,
/// each as a change in the ticket's history; answers how many.
pub async fn link_to_account(
    work: &mut TicketWork<'_>,
    account: &crate::domain::Account,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let earlier: Vec<(TicketId, String)> = sqlx::query_as(
        "SELECT id, number FROM tickets WHERE user_id IS NULL AND reporter_email = ? COLLATE NOCASE",
    )
    .bind(&account.email)
    .fetch_all(work.conn())
    .await?;
    let body = format!(
        "Linked to the account of {} (e-mail address confirmed).",
        account.email
    );
    let mut linked = 0;
    for (id, number) in earlier {
        let Some(number) = TicketNumber::parse(&number) else {
            continue;
        };
        let entry = Entry {
            at: now,
            actor: &account.name,
            kind: "linked_to_account",
            visibility: Visibility::Internal,
            body: &body,
            by: None,
        };
        work.record_any(TicketRef { id, number }, entry, Seen::ByDesk)
            .await?;
        sqlx::query("UPDATE tickets SET user_id = ? WHERE id = ?")
            .bind(account.id)
            .bind(id)
            .execute(work.conn())
            .await?;
        linked += 1;
    }
    Ok(linked)
}

/// Links incident `ticket` to the known error `article` written from it, as a
/// change in the incident's history.
pub async fn link_known_error(
    work: &mut TicketWork<'_>,
    ticket: TicketId,
    article: ArticleId,
    title: &str,
    author: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let number: String = sqlx::query_scalar("SELECT number FROM tickets WHERE id = ?")
        .bind(ticket)
        .fetch_one(work.conn())
        .await?;
    let number = TicketNumber::parse(&number)
        .ok_or_else(|| sqlx::Error::Protocol(format!("ticket {ticket}: number unreadable")))?;
    sqlx::query(
        "INSERT INTO ticket_links (ticket_id, kind, target_article_id, created_at, created_by)
         VALUES (?, 'known_error', ?, ?, ?)",
    )
    .bind(ticket)
    .bind(article)
    .bind(now)
    .bind(author)
    .execute(work.conn())
    .await?;
    let body = format!("{}: {title}", LinkKind::KnownError.label());
    let entry = Entry {
        at: now,
        actor: author,
        kind: "linked",
        visibility: Visibility::Internal,
        body: &body,
        by: None,
    };
    work.record_any(TicketRef { id: ticket, number }, entry, Seen::ByDesk)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::store::db::{mail_sending, test_user, TempDb};

    #[tokio::test]
    async fn load_reads_every_column_of_a_migrated_ticket() {
        let file = TempDb::new("apply-load");
        let db = Db::open(&file.0).await.unwrap();
        let mut conn = db.writer.acquire().await.unwrap();
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let (service, category) = mail_sending(&mut conn).await;
        let agent = test_user(&mut conn, "agent@example.org", "Agent", "agent", now).await;
        let number = TicketNumber::parse("INC0001001").unwrap();
        let id: TicketId = sqlx::query_scalar(
            "INSERT INTO tickets (number, kind, state, impact, urgency, priority, service_id,
                                  category_id, summary, description, reporter_name, reporter_email,
                                  status_token_hash, response_due_at, resolution_due_at, created_at,
                                  updated_at, version, group_id, assignee_id, hold_reason,
                                  responded_at, resolved_at, resolution_code, resolution_text,
                                  escalated, major, rating, paused_seconds, paused_since,
                                  response_risk_at, resolution_risk_at)
             VALUES (?1, 'incident', 'on_hold', 'high', 'medium', 2, ?2, ?3, 'No mail', '',
                     'Rita', 'rita@example.org', x'00', ?4, ?4, ?4, ?4, 7, 2, ?5, 'awaiting_user',
                     ?4, ?4, 'fixed', 'Restarted', 1, 0, 4, 90, ?4, ?4, ?4)
             RETURNING id",
        )
        .bind(number.to_string())
        .bind(service)
        .bind(category)
        .bind(now)
        .bind(agent)
        .fetch_one(&mut *conn)
        .await
        .unwrap();

        let ticket = load(&mut conn, number).await.unwrap().unwrap();
        assert_eq!((ticket.id, ticket.version, ticket.priority), (id, 7, 2));
        assert_eq!(ticket.created_at, now);
        assert_eq!(ticket.paused, Duration::seconds(90));
        assert_eq!(ticket.paused_since, Some(now));
        assert_eq!(ticket.deadlines.response_due_at, Some(now));
        assert_eq!(ticket.deadlines.resolution_risk_at, Some(now));
        let facts = &ticket.facts;
        assert_eq!(
            (facts.kind, facts.state),
            (TicketKind::Incident, TicketState::OnHold)
        );
        assert_eq!(facts.hold, Some(HoldReason::AwaitingUser));
        assert_eq!(
            facts.group,
            Some(GroupRef {
                id: GroupId(2),
                level: 2
            })
        );
        assert_eq!(facts.assignee, Some(agent));
        assert_eq!(
            (facts.impact, facts.urgency),
            (Some(Impact::High), Some(Urgency::Medium))
        );
        assert_eq!(
            (facts.responded_at, facts.resolved_at, facts.closed_at),
            (Some(now), Some(now), None)
        );
        assert_eq!(
            facts.resolution,
            Some((ResolutionCode::Fixed, "Restarted".to_string()))
        );
        assert_eq!(
            (facts.escalated, facts.major, facts.rating),
            (true, false, Some(4))
        );

        let missing = TicketNumber::parse("INC0009999").unwrap();
        assert!(load(&mut conn, missing).await.unwrap().is_none());
        assert!(recorded_milestones(&mut conn, id).await.unwrap().is_empty());
    }
}
