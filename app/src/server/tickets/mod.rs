//! Tickets from the reporter's side: logging one, looking one up (here), and
//! acting on one through its private link (`reporter`).
//!
//! The plain-HTML form posts: logging a ticket and looking one up.
//!
//! These work without JavaScript. A submission with problems is answered with the
//! same page rendered again, every value as typed and each message beside its
//! field; a logged ticket is answered with a redirect to its confirmation, so that
//! reloading the confirmation never logs it twice.

pub mod reporter;

use crate::domain::{
    CategoryId, Field, LookupForm, NewTicket, StatusLookup, SubmittedTicket, TicketForm,
    TicketKind, TicketNumber,
};
use crate::error::AppError;
use crate::server::attachments::upload::{Sent, WithFiles};
use crate::server::store::tickets::log::{self, CreateError, FollowError};
use crate::server::store::tickets::reporter as stored;
use crate::server::web::answer::answer;
use crate::server::web::page::page_again;
use crate::server::web::page::FormPage;
use crate::server::web::state::AppState;
use crate::server::web::status::status_of;
use axum::extract::State;
use axum::response::Response;
use axum::Form;

/// `POST /report/incident`.
pub async fn submit_incident(
    State(state): State<AppState>,
    page: FormPage,
    WithFiles { form, files }: WithFiles<TicketForm>,
) -> Response {
    submit_ticket(state, page, TicketKind::Incident, form, files).await
}

/// `POST /report/request`.
pub async fn submit_request(
    State(state): State<AppState>,
    page: FormPage,
    WithFiles { form, files }: WithFiles<TicketForm>,
) -> Response {
    submit_ticket(state, page, TicketKind::Request, form, files).await
}

async fn submit_ticket(
    state: AppState,
    page: FormPage,
    kind: TicketKind,
    form: TicketForm,
    files: Sent,
) -> Response {
    if !form.join.trim().is_empty() {
        return follow_major(state, page, form).await;
    }
    let result = log(&state, &page, kind, &form, &files).await;
    let outcome = SubmittedTicket {
        form,
        kept: files.accepted,
        ..SubmittedTicket::default()
    };
    answer(&state, page, result, outcome).await
}

/// Logs the ticket; answers where its confirmation is.
async fn log(
    state: &AppState,
    page: &FormPage,
    kind: TicketKind,
    form: &TicketForm,
    files: &Sent,
) -> Result<String, AppError> {
    // Every problem at once, in the form's order: the form's, the catalogue's
    // (a category of another service) and the files'.
    let parsed = NewTicket::parse(kind, form);
    let ticket = match (parsed, files.problem()) {
        (Ok(ticket), None) => ticket,
        (parsed, problem) => {
            let mut errors = parsed.err().unwrap_or_default();
            let service = form.service.trim();
            if !service.is_empty() {
                let category = form.category.trim().parse().ok().filter(|id| *id > 0);
                let mut conn = state.db.reader.acquire().await?;
                let placed = log::placement(&mut conn, service, category.map(CategoryId)).await?;
                for problem in placed.err().unwrap_or_default().0 {
                    errors.add(problem.field, problem.message);
                }
            }
            if let Some(problem) = problem {
                errors.add(Field::Files, problem);
            }
            return Err(AppError::Invalid(
                errors.in_form_order(&TicketForm::FIELDS_IN_ORDER),
            ));
        }
    };
    if !state.limits.ticket(&page.caller.address) {
        return Err(AppError::TooManyRequests);
    }
    let owner = page.caller.viewer.account().map(|a| a.id);
    let attach = files.to_attach();
    let created = log::create(
        &state.db,
        &state.changes,
        ticket,
        owner,
        &attach,
        chrono::Utc::now(),
    )
    .await
    .map_err(|error| match error {
        CreateError::Invalid(errors) => AppError::Invalid(errors),
        other => AppError::internal(other),
    })?;
    tracing::info!(number = %created.number, "ticket logged");
    Ok(format!("/status/{}?new=1", created.status_token))
}

/// "This is my problem too" from the logging form: attaches the person to the
/// ongoing major incident instead of logging a duplicate, and sends them to its
/// status through their own private link.
async fn follow_major(state: AppState, page: FormPage, form: TicketForm) -> Response {
    let result = follow(&state, &page, &form).await;
    let mut outcome = SubmittedTicket {
        form,
        ..SubmittedTicket::default()
    };
    if matches!(result, Err(AppError::Invalid(_))) {
        // The person's details are missing: the page shows the whole form again.
        outcome.form.join.clear();
    }
    answer(&state, page, result, outcome).await
}

async fn follow(state: &AppState, page: &FormPage, form: &TicketForm) -> Result<String, AppError> {
    let (name, email) = form.follower().map_err(AppError::Invalid)?;
    if !state.limits.ticket(&page.caller.address) {
        return Err(AppError::TooManyRequests);
    }
    let major = TicketNumber::parse(&form.join).ok_or(AppError::Refused(NOT_ONGOING.into()))?;
    let user = page.caller.viewer.account().map(|a| a.id);
    let now = chrono::Utc::now();
    match log::follow_major(&state.db, &state.changes, major, &name, &email, user, now).await {
        Ok(token) => Ok(format!("/status/{token}?joined=1")),
        Err(FollowError::NotOngoing) => Err(AppError::Refused(NOT_ONGOING.into())),
        Err(error) => Err(AppError::internal(error)),
    }
}

const NOT_ONGOING: &str = "That major incident is no longer ongoing, so there is nothing to \
    follow. If you still have the problem, log it with the form below.";

/// `POST /status`: looks a ticket up by its number and the reporter's e-mail.
/// Found, it is shown on the page; a wrong address and an unknown number get
/// the same "not found".
pub async fn look_up_status(
    State(state): State<AppState>,
    page: FormPage,
    Form(form): Form<LookupForm>,
) -> Response {
    let (status, outcome) = match look_up(&state, &page, &form).await {
        Ok(ticket) => (
            axum::http::StatusCode::OK,
            StatusLookup::Found(Box::new(ticket)),
        ),
        Err(error) => (
            status_of(&error),
            match error {
                AppError::NotFound => StatusLookup::NotFound(form),
                AppError::Invalid(_) => StatusLookup::Invalid(form),
                AppError::TooManyRequests => StatusLookup::Limited(form),
                _ => StatusLookup::Unavailable(form),
            },
        ),
    };
    let FormPage {
        caller,
        uri,
        headers,
    } = page;
    page_again(&state, uri, headers, caller.viewer, status, outcome).await
}

async fn look_up(
    state: &AppState,
    page: &FormPage,
    form: &LookupForm,
) -> Result<crate::domain::TicketStatus, AppError> {
    let email = form.email.trim();
    let number = TicketNumber::parse(&form.number)
        .filter(|_| !email.is_empty() && email.chars().count() <= 254)
        .ok_or(AppError::Invalid(Default::default()))?;
    if !state
        .limits
        .lookup(&page.caller.address, &number.to_string(), email)
    {
        return Err(AppError::TooManyRequests);
    }
    let mut conn = state.db.reader.acquire().await?;
    stored::status_by_number(&mut conn, number, email)
        .await?
        .ok_or(AppError::NotFound)
}
