//! The agent workspace's server side: the desk's action forms (`POST
//! /agent/tickets/{number}`). A change that worked answers with a redirect back
//! to the ticket; one that was refused or came too late answers with the page
//! again, the ticket as it is now, the reason and everything typed.

pub mod act;

use crate::domain::{DeskOutcome, WorkForm};
use crate::error::AppError;
use crate::server::attachments::upload::WithFiles;
use crate::server::web::answer::answer;
use crate::server::web::caller::Staff;
use crate::server::web::page::{back_to_ticket, FormPage};
use crate::server::web::state::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::Utc;

/// `POST /agent/tickets/{number}`.
pub async fn desk_post(
    State(state): State<AppState>,
    Staff { me, .. }: Staff,
    page: FormPage,
    Path(number): Path<String>,
    WithFiles { form, files }: WithFiles<WorkForm>,
) -> Response {
    let result = match files.problem() {
        Some(problem) => Err(AppError::Refused(problem)),
        None => {
            let attach = files.to_attach();
            act::act(
                &state.db,
                &state.changes,
                &me,
                &number,
                &form,
                &attach,
                Utc::now(),
            )
            .await
            .map(|_| back_to_ticket(&page.uri, &form.action))
        }
    };
    let outcome = DeskOutcome {
        message: String::new(),
        form,
        kept: files.accepted,
    };
    answer(&state, page, result, outcome).await
}
