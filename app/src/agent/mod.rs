//! The agent workspace: the queue, a ticket in full, and working it.
//!
//! Every server function here is for the desk only (agents and admins) and checks
//! the caller before anything else. The pages work as plain HTML: the action
//! forms post to `/agent/tickets/{number}` (see `server::agent`); the queue
//! and the ticket page follow changes live through server-sent events.

mod queue;
mod ticket;

pub use queue::QueuePage;
pub use ticket::{DeskOutcome, DeskTicketPage};

use crate::domain::{DeskTicket, QueuePage as Queue};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::server::web::caller::Access;
#[cfg(feature = "ssr")]
use crate::server::web::context::serve_as;

/// A page of the queue with these filters (see [`QueueFilter`]). Its arguments
/// are its query string, one per filter, so there are as many as filters.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/api", endpoint = "agent_queue", input = server_fn::codec::GetUrl)]
pub async fn agent_queue(
    group: String,
    assignee: String,
    state: String,
    service: String,
    priority: String,
    sla: String,
    after: String,
    page: String,
) -> Result<Queue, AppError> {
    serve_as(Access::Staff, |app, me| async move {
        let filter = crate::domain::QueueFilter {
            group,
            assignee,
            state,
            service,
            priority,
            sla,
            after,
            page,
        };
        let mut conn = app.db.reader.acquire().await?;
        Ok(crate::server::store::tickets::desk::queue(
            &mut conn,
            &filter,
            me.id,
            chrono::Utc::now(),
        )
        .await?)
    })
    .await
}

/// A ticket in full: reporter, whole history, links, checklist, and what the
/// action forms offer.
#[server(prefix = "/api", endpoint = "desk_ticket", input = server_fn::codec::GetUrl)]
pub async fn ticket_for_desk(number: String) -> Result<DeskTicket, AppError> {
    use crate::domain::TicketNumber;
    use crate::domain::{TicketKind, TicketState};
    serve_as(Access::Staff, |state, viewer| async move {
        let number = TicketNumber::parse(&number).ok_or(AppError::NotFound)?;
        let mut conn = state.db.reader.acquire().await?;
        let mut ticket =
            crate::server::store::tickets::desk::desk_ticket(&mut conn, number, chrono::Utc::now())
                .await?
                .ok_or(AppError::NotFound)?;
        ticket.offer_known_error = viewer.may_author()
            && ticket.kind == TicketKind::Incident
            && matches!(ticket.state, TicketState::Resolved | TicketState::Closed);
        Ok(ticket)
    })
    .await
}

/// One action on a ticket by the desk, if the ticket is still at `version`.
/// Answers the ticket's new version. The fields are those of the action forms
/// ([`crate::domain::WorkForm`]).
#[server(prefix = "/api", endpoint = "work_ticket")]
#[allow(clippy::too_many_arguments)]
pub async fn work_ticket(
    number: String,
    version: String,
    action: String,
    body: Option<String>,
    reason: Option<String>,
    code: Option<String>,
    hold: Option<String>,
    impact: Option<String>,
    urgency: Option<String>,
    group: Option<String>,
    assignee: Option<String>,
    category: Option<String>,
    model: Option<String>,
    step: Option<String>,
    done: Option<String>,
    link_kind: Option<String>,
    link_target: Option<String>,
) -> Result<i64, AppError> {
    use crate::domain::WorkForm;
    serve_as(Access::Staff, |state, me| async move {
        let form = WorkForm {
            action,
            body,
            reason,
            code,
            hold,
            impact,
            urgency,
            score: None,
            version: Some(version),
            group,
            assignee,
            category,
            model,
            step,
            done,
            link_kind,
            link_target,
        };
        crate::server::agent::act::act(
            &state.db,
            &state.changes,
            &me,
            &number,
            &form,
            &crate::server::store::attachments::Files::none(),
            chrono::Utc::now(),
        )
        .await
    })
    .await
}
