//! The plain-HTML form posts: logging a ticket and looking one up.
//!
//! These work without JavaScript. A submission with problems is answered with the
//! same page rendered again, every value as typed and each message beside its
//! field; a logged ticket is answered with a redirect to its confirmation, so that
//! reloading the confirmation never logs it twice.

use super::account_forms::refuse;
use super::accounts::audit::{self, Actor};
use super::accounts::sessions::ClientAddress;
use super::tickets::{self, CreateError};
use super::{authorize, Access, AppState};
use crate::domain::{
    Account, FieldErrors, NewTicket, TicketForm, TicketKind, TicketNumber, Viewer,
};
use crate::tickets::{LookupForm, StatusLookup, SubmittedTicket};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Request, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use leptos::prelude::provide_context;

/// Who is posting: the session's viewer and the client's address.
#[derive(Clone)]
pub struct Caller {
    pub viewer: Viewer,
    pub address: String,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Caller {
            viewer: parts
                .extensions
                .get::<Viewer>()
                .cloned()
                .unwrap_or_default(),
            address: parts
                .extensions
                .get::<ClientAddress>()
                .map(|a| a.0.clone())
                .unwrap_or_else(|| "local".into()),
        })
    }
}

/// A form post by an admin: who, and from where. Anyone else gets 401 or 403 and
/// the handler never runs.
pub struct AdminPost {
    pub admin: Account,
    pub caller: Caller,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for AdminPost {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let Ok(caller) = Caller::from_request_parts(parts, state).await;
        match authorize(&caller.viewer, Access::Admin) {
            Ok(admin) => Ok(AdminPost { admin, caller }),
            Err(error) => Err(refuse(error)),
        }
    }
}

impl AdminPost {
    /// Records `detail` under `event` in the audit log, as this admin.
    pub async fn record(
        &self,
        conn: &mut sqlx::SqliteConnection,
        event: &str,
        detail: &str,
    ) -> Result<(), sqlx::Error> {
        audit::record(
            conn,
            Utc::now(),
            &Actor::account(&self.admin),
            event,
            None,
            detail,
            Some(&self.caller.address),
        )
        .await
    }
}

/// What every page render needs in its Leptos context.
pub fn page_context(state: &AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    let state = state.clone();
    move || provide_context(state.clone())
}

/// Renders the portal page at `uri` for `viewer` with extra context, answering with
/// `status`.
pub(crate) async fn render_page(
    state: &AppState,
    uri: Uri,
    headers: HeaderMap,
    viewer: Viewer,
    status: StatusCode,
    extra: impl Fn() + Clone + Send + Sync + 'static,
) -> Response {
    let base = page_context(state);
    let options = state.leptos_options.clone();
    let render = leptos_axum::render_app_async_with_context(
        move || {
            base();
            extra();
        },
        move || crate::shell(options.clone()),
    );
    let mut request = Request::new(Body::empty());
    *request.method_mut() = Method::GET;
    *request.uri_mut() = uri;
    *request.headers_mut() = headers;
    request.extensions_mut().insert(viewer);
    let mut response = render(request).await.into_response();
    *response.status_mut() = status;
    response
}

/// `POST /report/incident`.
pub async fn submit_incident(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<TicketForm>,
) -> Response {
    submit_ticket(state, caller, TicketKind::Incident, uri, headers, form).await
}

/// `POST /report/request`.
pub async fn submit_request(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<TicketForm>,
) -> Response {
    submit_ticket(state, caller, TicketKind::Request, uri, headers, form).await
}

/// What a client that logs too much in a short time is told; what it typed stays.
const TOO_MANY_TICKETS: &str = "Many tickets have been sent from your network in a short time, \
    so this one was not logged yet. Everything you typed is still here: please wait a minute \
    and send it again.";

async fn submit_ticket(
    state: AppState,
    caller: Caller,
    kind: TicketKind,
    uri: Uri,
    headers: HeaderMap,
    form: TicketForm,
) -> Response {
    if !form.join.trim().is_empty() {
        return follow_major(state, caller, uri, headers, form).await;
    }
    let Caller { viewer, address } = caller;
    let (status, submitted) = match NewTicket::parse(kind, &form) {
        Err(errors) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            SubmittedTicket {
                form,
                errors,
                problem: None,
            },
        ),
        Ok(_) if !state.limits.ticket(&address) => (
            StatusCode::TOO_MANY_REQUESTS,
            SubmittedTicket {
                form,
                errors: FieldErrors::default(),
                problem: Some(TOO_MANY_TICKETS.into()),
            },
        ),
        Ok(ticket) => match tickets::create(
            &state.db,
            ticket,
            viewer.account().map(|a| a.id),
            chrono::Utc::now(),
        )
        .await
        {
            Ok(created) => {
                tracing::info!(number = %created.number, "ticket logged");
                return Redirect::to(&format!("/status/{}?new=1", created.status_token))
                    .into_response();
            }
            Err(CreateError::Invalid(errors)) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                SubmittedTicket {
                    form,
                    errors,
                    problem: None,
                },
            ),
            Err(error) => {
                tracing::error!(%error, "ticket could not be logged");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    SubmittedTicket {
                        form,
                        errors: FieldErrors::default(),
                        problem: Some(
                            "We could not save your ticket just now. Nothing was logged and \
                             everything you typed is still here: please submit again in a moment."
                                .into(),
                        ),
                    },
                )
            }
        },
    };
    render_page(&state, uri, headers, viewer, status, move || {
        provide_context(submitted.clone())
    })
    .await
}

/// "This is my problem too" from the logging form: attaches the person to the
/// ongoing major incident instead of logging a duplicate, and sends them to its
/// status through their own private link.
async fn follow_major(
    state: AppState,
    Caller { viewer, address }: Caller,
    uri: Uri,
    headers: HeaderMap,
    form: TicketForm,
) -> Response {
    let again =
        |status: StatusCode, errors: FieldErrors, problem: Option<String>, form: TicketForm| {
            let submitted = SubmittedTicket {
                form,
                errors,
                problem,
            };
            let (state, uri, headers, viewer) =
                (state.clone(), uri.clone(), headers.clone(), viewer.clone());
            async move {
                render_page(&state, uri, headers, viewer, status, move || {
                    provide_context(submitted.clone())
                })
                .await
            }
        };
    let (name, email) = match form.follower() {
        Ok(person) => person,
        Err(errors) => {
            let mut form = form;
            form.join.clear();
            return again(StatusCode::UNPROCESSABLE_ENTITY, errors, None, form).await;
        }
    };
    if !state.limits.ticket(&address) {
        return again(
            StatusCode::TOO_MANY_REQUESTS,
            FieldErrors::default(),
            Some(TOO_MANY_TICKETS.into()),
            form,
        )
        .await;
    }
    let Some(major) = TicketNumber::parse(&form.join) else {
        return again(
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::default(),
            Some(NOT_ONGOING.into()),
            form,
        )
        .await;
    };
    let user = viewer.account().map(|a| a.id);
    match tickets::follow_major(&state.db, major, &name, &email, user, chrono::Utc::now()).await {
        Ok(token) => Redirect::to(&format!("/status/{token}?joined=1")).into_response(),
        Err(tickets::FollowError::NotOngoing) => {
            again(
                StatusCode::UNPROCESSABLE_ENTITY,
                FieldErrors::default(),
                Some(NOT_ONGOING.into()),
                form,
            )
            .await
        }
        Err(error) => {
            tracing::error!(%error, "could not attach a follower to a major incident");
            again(
                StatusCode::SERVICE_UNAVAILABLE,
                FieldErrors::default(),
                Some("We could not save that just now. Everything you typed is still here: please try again in a moment.".into()),
                form,
            )
            .await
        }
    }
}

const NOT_ONGOING: &str = "That major incident is no longer ongoing, so there is nothing to \
    follow. If you still have the problem, log it with the form below.";

/// `POST /status`: looks a ticket up by its number and the reporter's e-mail.
pub async fn look_up_status(
    State(state): State<AppState>,
    Caller { viewer, address }: Caller,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<LookupForm>,
) -> Response {
    let number = TicketNumber::parse(&form.number);
    let email = form.email.trim().to_string();
    let mut outcome = StatusLookup::NotFound(form.clone());
    let mut status = StatusCode::NOT_FOUND;
    if number.is_none() || email.is_empty() || email.chars().count() > 254 {
        outcome = StatusLookup::Invalid(form.clone());
        status = StatusCode::UNPROCESSABLE_ENTITY;
    } else if !number.is_some_and(|n| state.limits.lookup(&address, &n.to_string(), &email)) {
        outcome = StatusLookup::Limited(form.clone());
        status = StatusCode::TOO_MANY_REQUESTS;
    } else if let Some(number) = number {
        let found = match state.db.reader.acquire().await {
            Ok(mut conn) => tickets::status_by_number(&mut conn, number, &email).await,
            Err(e) => Err(e),
        };
        match found {
            Ok(Some(ticket)) => {
                outcome = StatusLookup::Found(Box::new(ticket));
                status = StatusCode::OK;
            }
            Ok(None) => {}
            Err(error) => {
                tracing::error!(%error, "status lookup failed");
                outcome = StatusLookup::Unavailable(form.clone());
                status = StatusCode::SERVICE_UNAVAILABLE;
            }
        }
    }
    render_page(&state, uri, headers, viewer, status, move || {
        provide_context(outcome.clone())
    })
    .await
}
