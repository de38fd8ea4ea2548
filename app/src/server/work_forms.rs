//! The plain form posts that work a ticket: the desk's action forms, and the
//! reporter's (on "My tickets" or through the private link).
//!
//! A change that worked answers with a redirect (303) back to the ticket, so a
//! reload never sends it twice; one that was refused or came too late (someone
//! else changed the ticket first) answers with the page again, showing the
//! ticket as it is now, the reason, and everything that was typed.

use super::store::tickets::{apply, reporter};
use super::web::answer::answer;
use super::web::caller::{SignedIn, Staff};
use super::web::page::FormPage;
use super::web::state::AppState;
use crate::domain::{Actor, DeskOutcome, ReporterProblem, TicketNumber, WorkForm};
use crate::error::AppError;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use axum::Form;
use chrono::Utc;

/// `POST /agent/tickets/{number}`.
pub async fn desk_post(
    State(state): State<AppState>,
    Staff { me, .. }: Staff,
    page: FormPage,
    Path(number): Path<String>,
    Form(form): Form<WorkForm>,
) -> Response {
    let result = super::agent::act::act(&state.db, &state.changes, &me, &number, &form, Utc::now())
        .await
        .map(|_| see_ticket(&page.uri, &form.action));
    let outcome = DeskOutcome {
        message: String::new(),
        form,
    };
    answer(&state, page, result, outcome).await
}

/// `POST /my-tickets/{number}`: the signed-in owner's action.
pub async fn owner_post(
    State(state): State<AppState>,
    SignedIn { account, .. }: SignedIn,
    page: FormPage,
    Path(number): Path<String>,
    Form(form): Form<WorkForm>,
) -> Response {
    let result = async {
        let number = TicketNumber::parse(&number).ok_or(AppError::NotFound)?;
        let mut conn = state.db.reader.acquire().await?;
        reporter::ticket_id_of_owner(&mut conn, number, account.id)
            .await?
            .ok_or(AppError::NotFound)?;
        drop(conn);
        let actor = Actor::Reporter { name: account.name };
        reporter_act(&state, number, &actor, &form).await
    }
    .await;
    reporter_answer(&state, page, form, result).await
}

/// `POST /status/{token}`: the action of whoever holds the private link.
pub async fn link_post(
    State(state): State<AppState>,
    page: FormPage,
    Path(token): Path<String>,
    Form(form): Form<WorkForm>,
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
        reporter_act(&state, number, &Actor::Reporter { name }, &form).await
    }
    .await;
    reporter_answer(&state, page, form, result).await
}

async fn reporter_act(
    state: &AppState,
    number: TicketNumber,
    actor: &Actor,
    form: &WorkForm,
) -> Result<i64, AppError> {
    let version = form
        .seen_version()
        .ok_or_else(|| AppError::Refused("Please reload the page and try again.".into()))?;
    let action = form.reporter_action()?;
    let now = Utc::now();
    Ok(apply::apply(
        &state.db,
        &state.changes,
        number,
        version,
        actor,
        action,
        now,
    )
    .await?)
}

async fn reporter_answer(
    state: &AppState,
    page: FormPage,
    form: WorkForm,
    result: Result<i64, AppError>,
) -> Response {
    let result = result.map(|_| see_ticket(&page.uri, &form.action));
    let outcome = ReporterProblem {
        message: None,
        done: None,
        form,
    };
    answer(state, page, result, outcome).await
}

/// Back to the ticket's page, saying what was done.
fn see_ticket(uri: &Uri, action: &str) -> String {
    let action: String = action
        .chars()
        .filter(|c| c.is_ascii_lowercase() || *c == '_')
        .take(40)
        .collect();
    format!("{}?done={action}", uri.path())
}
