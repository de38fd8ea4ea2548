//! The reporter's action on their ticket (add information, confirm or reject a
//! resolution, escalate), posted through the private link; the signed-in
//! owner's post on "My tickets" (`accounts::my_tickets`) ends in the same two
//! functions.
//!
//! A change that worked answers with a redirect (303) back to the ticket, so a
//! reload never sends it twice; one that was refused or came too late (someone
//! else changed the ticket first) answers with the page again, showing the
//! ticket as it is now, the reason, and everything that was typed.

use crate::domain::{Actor, ReporterProblem, TicketNumber, WorkForm};
use crate::error::AppError;
use crate::server::attachments::upload::{Sent, WithFiles};
use crate::server::store::tickets::apply::{self, Effect};
use crate::server::store::tickets::reporter;
use crate::server::web::answer::answer;
use crate::server::web::page::{back_to_ticket, FormPage};
use crate::server::web::state::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::Utc;

/// `POST /status/{token}`: the action of whoever holds the private link.
pub async fn link_post(
    State(state): State<AppState>,
    page: FormPage,
    Path(token): Path<String>,
    WithFiles { form, files }: WithFiles<WorkForm>,
) -> Response {
    let result = async {
        let mut conn = state.db.reader.acquire().await?;
        let linked = reporter::ticket_by_token(&mut conn, &token)
            .await?
            .ok_or(AppError::NotFound)?;
        if linked.following {
            return Err(AppError::Refused(
                "This link follows a major incident: you can read its updates here, \
                 and report anything else as a new issue."
                    .into(),
            ));
        }
        let (number, name) = reporter::reporter_of(&mut conn, linked.id)
            .await?
            .ok_or(AppError::NotFound)?;
        drop(conn);
        reporter_act(&state, number, &Actor::Reporter { name }, &form, &files).await
    }
    .await;
    reporter_answer(&state, page, form, files, result).await
}

pub(crate) async fn reporter_act(
    state: &AppState,
    number: TicketNumber,
    actor: &Actor,
    form: &WorkForm,
    files: &Sent,
) -> Result<i64, AppError> {
    if let Some(problem) = files.problem() {
        return Err(AppError::Refused(problem));
    }
    let version = form
        .seen_version()
        .ok_or_else(|| AppError::Refused("Please reload the page and try again.".into()))?;
    let action = form.reporter_action()?;
    let now = Utc::now();
    Ok(apply::apply_with(
        &state.db,
        &state.changes,
        number,
        version,
        actor,
        action,
        Effect::None,
        &files.to_attach(),
        now,
    )
    .await?)
}

pub(crate) async fn reporter_answer(
    state: &AppState,
    page: FormPage,
    form: WorkForm,
    files: Sent,
    result: Result<i64, AppError>,
) -> Response {
    let result = result.map(|_| back_to_ticket(&page.uri, &form.action));
    let outcome = ReporterProblem {
        message: None,
        done: None,
        form,
        kept: files.accepted,
    };
    answer(state, page, result, outcome).await
}
