//! The plain form posts that work a ticket: the desk's action forms, and the
//! reporter's (on "My tickets" or through the private link).
//!
//! A change that worked answers with a redirect (303) back to the ticket, so a
//! reload never sends it twice; one that was refused or came too late (someone
//! else changed the ticket first) answers with the page again, showing the
//! ticket as it is now, the reason, and everything that was typed.

use super::account_forms::{page_again, refuse};
use super::forms::Caller;
use super::tickets;
use super::{authorize, Access, AppState};
use crate::agent::DeskOutcome;
use crate::domain::{Actor, TicketNumber, Viewer, WorkForm};
use crate::error::AppError;
use crate::tickets::ReporterProblem;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;

/// `POST /agent/tickets/{number}`.
pub async fn desk_post(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<WorkForm>,
) -> Response {
    let me = match authorize(&caller.viewer, Access::Staff) {
        Ok(me) => me,
        Err(error) => return refuse(error),
    };
    match super::desk::act(&state.db, &me, &number, &form, Utc::now()).await {
        Ok(_) => see_ticket(&uri, &form.action),
        Err(error) => {
            let (status, message) = problem(error);
            let outcome = DeskOutcome { message, form };
            page_again(&state, uri, headers, caller.viewer, status, outcome).await
        }
    }
}

/// `POST /my-tickets/{number}`: the signed-in owner's action.
pub async fn owner_post(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<WorkForm>,
) -> Response {
    let account = match authorize(&caller.viewer, Access::SignedIn) {
        Ok(account) => account,
        Err(error) => return refuse(error),
    };
    let owned = async {
        let number = TicketNumber::parse(&number).ok_or(AppError::NotFound)?;
        let mut conn = state.db.reader.acquire().await?;
        tickets::ticket_id_of_owner(&mut conn, number, account.id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok::<_, AppError>(number)
    }
    .await;
    let result = match owned {
        Ok(number) => {
            let actor = Actor::Reporter { name: account.name };
            reporter_act(&state, number, &actor, &form).await
        }
        Err(error) => Err(error),
    };
    reporter_answer(&state, caller.viewer, uri, headers, form, result).await
}

/// `POST /status/{token}`: the action of whoever holds the private link.
pub async fn link_post(
    State(state): State<AppState>,
    caller: Caller,
    Path(token): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<WorkForm>,
) -> Response {
    let found = async {
        let mut conn = state.db.reader.acquire().await?;
        let linked = tickets::ticket_by_token(&mut conn, &token)
            .await?
            .ok_or(AppError::NotFound)?;
        if linked.following {
            return Err(AppError::Refused(
                "This link follows a major incident: you can read its updates here, \
                 and report anything else as a new issue."
                    .into(),
            ));
        }
        let (number, name): (String, String) =
            sqlx::query_as("SELECT number, reporter_name FROM tickets WHERE id = ?")
                .bind(linked.id)
                .fetch_one(&mut *conn)
                .await?;
        let number = TicketNumber::parse(&number).ok_or(AppError::NotFound)?;
        Ok::<_, AppError>((number, name))
    }
    .await;
    let result = match found {
        Ok((number, name)) => reporter_act(&state, number, &Actor::Reporter { name }, &form).await,
        Err(error) => Err(error),
    };
    reporter_answer(&state, caller.viewer, uri, headers, form, result).await
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
    Ok(super::work::apply(&state.db, number, version, actor, action, Utc::now()).await?)
}

async fn reporter_answer(
    state: &AppState,
    viewer: Viewer,
    uri: Uri,
    headers: HeaderMap,
    form: WorkForm,
    result: Result<i64, AppError>,
) -> Response {
    match result {
        Ok(_) => see_ticket(&uri, &form.action),
        Err(AppError::NotFound) => {
            (StatusCode::NOT_FOUND, AppError::NotFound.to_string()).into_response()
        }
        Err(error) => {
            let (status, message) = problem(error);
            let problem = ReporterProblem {
                message: Some(message),
                done: None,
                form,
            };
            page_again(state, uri, headers, viewer, status, problem).await
        }
    }
}

/// Back to the ticket's page, saying what was done.
fn see_ticket(uri: &Uri, action: &str) -> Response {
    let action: String = action
        .chars()
        .filter(|c| c.is_ascii_lowercase() || *c == '_')
        .take(40)
        .collect();
    Redirect::to(&format!("{}?done={action}", uri.path())).into_response()
}

/// The status and the words for a change that was not made.
fn problem(error: AppError) -> (StatusCode, String) {
    if let AppError::Internal = error {
        tracing::error!("ticket change failed");
    }
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let message = match error {
        AppError::Internal => {
            "We could not save that just now. Nothing was changed and what you typed is still \
             here: please try again in a moment."
                .to_string()
        }
        other => other.to_string(),
    };
    (status, message)
}
