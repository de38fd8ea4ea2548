//! The agent workspace: working tickets.
//!
//! Every server function here is for the desk only (agents and admins) and checks
//! the caller before anything else.

use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::server::{serve_as, Access};

/// One action on a ticket by the desk, if the ticket is still at `version`.
/// Answers the ticket's new version.
#[server(prefix = "/api", endpoint = "work_ticket")]
#[allow(clippy::too_many_arguments)]
pub async fn work_ticket(
    number: String,
    version: i64,
    action: String,
    body: Option<String>,
    reason: Option<String>,
    code: Option<String>,
    hold: Option<String>,
    impact: Option<String>,
    urgency: Option<String>,
    group: Option<i64>,
    assignee: Option<i64>,
) -> Result<i64, AppError> {
    use crate::domain::{Action, Actor, TicketNumber, WorkForm};
    use crate::server::work;
    serve_as(Access::Staff, |state, me| async move {
        let number = TicketNumber::parse(&number).ok_or(AppError::NotFound)?;
        let form = WorkForm {
            action,
            body,
            reason,
            code,
            hold,
            impact,
            urgency,
            score: None,
        };
        let mut conn = state.db.reader.acquire().await?;
        let refused = |message: &str| AppError::Refused(message.into());
        let action = match form.action.as_str() {
            "take" => Action::Assign {
                group: None,
                assignee: Some(me.id),
            },
            "assign" => {
                let group = match group {
                    Some(id) => Some(
                        work::group(&mut conn, id)
                            .await?
                            .ok_or_else(|| refused("Choose one of the groups."))?,
                    ),
                    None => None,
                };
                if let Some(person) = assignee {
                    if !work::is_active_staff(&mut conn, person).await? {
                        return Err(refused("Choose someone on the service desk."));
                    }
                }
                Action::Assign { group, assignee }
            }
            "escalate" => Action::Escalate {
                group: work::group(&mut conn, group.unwrap_or_default())
                    .await?
                    .ok_or_else(|| refused("Choose the group to escalate to."))?,
                reason: form.reason.clone().unwrap_or_default(),
            },
            _ => form.staff_action()?,
        };
        drop(conn);
        let actor = Actor::Staff {
            id: me.id,
            name: me.name.clone(),
        };
        Ok(work::apply(
            &state.db,
            number,
            version,
            &actor,
            action,
            chrono::Utc::now(),
        )
        .await?)
    })
    .await
}
