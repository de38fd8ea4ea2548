//! How a form post is answered, whether it worked or not.
//!
//! A form post is answered by [`answer`]: a redirect (303) when it worked, so a
//! reload never sends it twice; else its page again with what was typed and
//! what went wrong, at the failure's status; a record that does not exist is
//! refused outright (404, [`refuse`]).

use super::page::FormPage;
use super::state::AppState;
use super::status::{refuse, status_of};
use crate::domain::{DeskOutcome, FormOutcome, ReporterProblem, SettingsOutcome, SubmittedTicket};
use crate::error::AppError;
use axum::response::{IntoResponse, Redirect, Response};

/// What a form's page shows when the post comes back, provided to the page as
/// context: each outcome type puts a failure where its page shows one.
pub trait Outcome: Clone + Send + Sync + 'static {
    /// What the page says when the server failed.
    const NOTHING_DONE: &'static str = "We could not save that just now. Nothing was changed \
        and everything you typed is still here: please try again in a moment.";
    /// Shows `message` (the failure in words) or the messages of `error` by
    /// input, where the page shows them.
    fn show(&mut self, error: AppError, message: String);
}

/// The one answer to a form post: `Ok(to)` redirects there; a failure is
/// answered by [`failed`].
pub async fn answer<O: Outcome>(
    state: &AppState,
    page: FormPage,
    result: Result<String, AppError>,
    outcome: O,
) -> Response {
    match result {
        Ok(to) => Redirect::to(&to).into_response(),
        Err(error) => failed(state, page, error, outcome).await,
    }
}

/// A form post that failed: its page again with `outcome` showing why, at the
/// failure's status (the same failure has the same status on every form), never
/// cached; a record that does not exist is refused outright (404). An internal
/// failure has had its cause logged where it happened ([`AppError::internal`]).
pub async fn failed<O: Outcome>(
    state: &AppState,
    page: FormPage,
    error: AppError,
    mut outcome: O,
) -> Response {
    if error == AppError::NotFound {
        return refuse(error);
    }
    let status = status_of(&error);
    let message = match error {
        AppError::Internal => O::NOTHING_DONE.to_string(),
        ref other => other.to_string(),
    };
    outcome.show(error, message);
    page.render(state, status, outcome).await
}

impl Outcome for FormOutcome {
    fn show(&mut self, error: AppError, message: String) {
        match error {
            AppError::Invalid(errors) => self.errors = errors,
            _ => self.problem = Some(message),
        }
    }
}

impl Outcome for SettingsOutcome {
    fn show(&mut self, error: AppError, message: String) {
        match error {
            AppError::InvalidInputs(errors) => self.errors = errors,
            _ => self.problem = Some(message),
        }
    }
}

impl Outcome for SubmittedTicket {
    const NOTHING_DONE: &'static str = "We could not save your ticket just now. Nothing was \
        logged and everything you typed is still here: please submit again in a moment.";

    fn show(&mut self, error: AppError, message: String) {
        match error {
            AppError::Invalid(errors) => self.errors = errors,
            AppError::TooManyRequests => self.problem = Some(TOO_MANY_TICKETS.into()),
            _ => self.problem = Some(message),
        }
    }
}

/// What a client that logs too much in a short time is told; what it typed stays.
const TOO_MANY_TICKETS: &str = "Many tickets have been sent from your network in a short time, \
    so this one was not logged yet. Everything you typed is still here: please wait a minute \
    and send it again.";

impl Outcome for DeskOutcome {
    fn show(&mut self, _: AppError, message: String) {
        self.message = message;
    }
}

impl Outcome for ReporterProblem {
    fn show(&mut self, _: AppError, message: String) {
        self.message = Some(message);
    }
}
