//! The SLA clock: records each milestone (75 % and breach of the response and the
//! resolution target) once, with the moment it fell due, and closes resolved
//! tickets nobody answered; run at start-up and then every 30 s
//! (`SLA_CLOCK_EVERY` in `server/src/lib.rs`).

use super::apply::{apply, inform_incident_managers, load, recorded_milestones, Loaded, WorkError};
use super::work::{Entry, Seen, TicketRef, TicketWork};
use crate::domain::{Action, Actor, TicketNumber, Visibility};
use crate::server::hub::Changes;
use crate::server::sla::{next_milestone, pending, Milestone, Target};
use crate::server::store::db::Db;
use crate::server::store::priorities::lifecycle_rules;
use chrono::{DateTime, Duration, Utc};

/// Records every SLA milestone that has fallen due by `now`, each once, with the
/// moment it fell due; informs the incident managers. Answers how many it recorded.
pub async fn record_due_milestones(
    db: &Db,
    hub: &Changes,
    now: DateTime<Utc>,
) -> Result<usize, sqlx::Error> {
    let mut recorded_now = 0;
    loop {
        let mut work = TicketWork::begin(db, hub, now).await?;
        let numbers: Vec<String> = sqlx::query_scalar(
            "SELECT number FROM tickets WHERE sla_next_at IS NOT NULL AND sla_next_at <= ?
             ORDER BY sla_next_at LIMIT 200",
        )
        .bind(now)
        .fetch_all(work.conn())
        .await?;
        if numbers.is_empty() {
            return Ok(recorded_now);
        }
        for number in numbers.iter().filter_map(|n| TicketNumber::parse(n)) {
            let Some(ticket) = load(work.conn(), number).await? else {
                continue;
            };
            let mut recorded = recorded_milestones(work.conn(), ticket.id).await?;
            for (target, milestone, at) in pending(&ticket.deadlines, &ticket.facts, &recorded) {
                if at > now {
                    continue;
                }
                record_milestone(&mut work, &ticket, target, milestone, at, now).await?;
                recorded.insert((target, milestone));
                recorded_now += 1;
            }
            let next = next_milestone(
                &ticket.deadlines,
                &ticket.facts,
                ticket.paused_since.is_some(),
                &recorded,
            );
            sqlx::query("UPDATE tickets SET sla_next_at = ? WHERE id = ?")
                .bind(next)
                .bind(ticket.id)
                .execute(work.conn())
                .await?;
        }
        work.commit().await?;
    }
}

async fn record_milestone(
    work: &mut TicketWork<'_>,
    ticket: &Loaded,
    target: Target,
    milestone: Milestone,
    due_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sla_events (ticket_id, target, milestone, due_at, recorded_at)
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(ticket.id)
    .bind(target.as_str())
    .bind(milestone.as_str())
    .bind(due_at)
    .bind(now)
    .execute(work.conn())
    .await?;
    let what = match (target, milestone) {
        (Target::Response, Milestone::AtRisk) => "75 % of the response target has passed",
        (Target::Response, Milestone::Breached) => "The response target was breached",
        (Target::Resolution, Milestone::AtRisk) => "75 % of the resolution target has passed",
        (Target::Resolution, Milestone::Breached) => "The resolution target was breached",
    };
    let entry = Entry {
        at: due_at,
        actor: "SLA clock",
        kind: match milestone {
            Milestone::AtRisk => "sla_at_risk",
            Milestone::Breached => "sla_breached",
        },
        visibility: Visibility::Internal,
        body: what,
        by: None,
    };
    let reference = TicketRef {
        id: ticket.id,
        number: ticket.number,
    };
    work.record_any(reference, entry, Seen::ByDesk).await?;
    inform_incident_managers(work.conn(), ticket.id, what, now).await
}

/// Closes every resolved ticket whose user has not answered within the configured
/// days. Answers how many it closed.
pub async fn close_resolved(
    db: &Db,
    hub: &Changes,
    now: DateTime<Utc>,
) -> Result<usize, sqlx::Error> {
    let rules = lifecycle_rules(&mut *db.reader.acquire().await?).await?;
    let before = now - Duration::days(rules.auto_close_days);
    let due: Vec<(String, i64)> = sqlx::query_as(
        "SELECT number, version FROM tickets
         WHERE state IN ('resolved', 'fulfilled') AND resolved_at <= ? LIMIT 500",
    )
    .bind(before)
    .fetch_all(&db.reader)
    .await?;
    let mut closed = 0;
    for (number, version) in due {
        let Some(number) = TicketNumber::parse(&number) else {
            continue;
        };
        match apply(
            db,
            hub,
            number,
            version,
            &Actor::System,
            Action::AutoClose,
            now,
        )
        .await
        {
            Ok(_) => closed += 1,
            // Someone acted on it meanwhile; the next round looks again.
            Err(
                WorkError::Conflict { .. }
                | WorkError::Refused(_)
                | WorkError::NotFound
                | WorkError::Files(_),
            ) => {}
            Err(WorkError::Database(error)) => return Err(error),
        }
    }
    Ok(closed)
}

/// Records due SLA milestones and closes unanswered resolved tickets now, then
/// every `every`, for as long as the database is open.
pub fn spawn_clock(db: Db, hub: Changes, every: std::time::Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if db.writer.is_closed() {
                break;
            }
            let now = Utc::now();
            if let Err(error) = record_due_milestones(&db, &hub, now).await {
                tracing::error!(%error, "recording SLA milestones failed");
            }
            if let Err(error) = close_resolved(&db, &hub, now).await {
                tracing::error!(%error, "closing resolved tickets failed");
            }
        }
    });
}
