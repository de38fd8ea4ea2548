//! Server push: committed ticket changes, told to every open page that shows the
//! ticket, as server-sent events.
//!
//! A change says only *which* ticket changed (and whether the reporter can see
//! it); each page then asks again through the same server function, with the
//! same access checks, that rendered it. So an event never carries anything its
//! listener could not already read.

use super::account_forms::refuse;
use super::forms::Caller;
use super::tickets;
use super::{authorize, Access, AppState};
use crate::domain::TicketNumber;
use crate::error::AppError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::Stream;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// A committed change to a ticket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketChange {
    pub ticket_id: i64,
    pub number: String,
    /// The reporter can see what changed (not only an internal note).
    pub public: bool,
}

/// The hub every change passes through once committed.
#[derive(Clone, Debug)]
pub struct Changes {
    sender: broadcast::Sender<TicketChange>,
    stop: watch::Sender<bool>,
}

impl Default for Changes {
    fn default() -> Self {
        Changes {
            // A listener that falls this far behind just refreshes once.
            sender: broadcast::channel(1024).0,
            stop: watch::channel(false).0,
        }
    }
}

impl Changes {
    /// Tells every listener; nobody listening is fine.
    pub fn publish(&self, change: TicketChange) {
        let _ = self.sender.send(change);
    }

    /// Ends every open stream, so that a graceful shutdown is not held up by
    /// pages that would listen forever.
    pub fn stop(&self) {
        self.stop.send_replace(true);
    }

    /// A stream of server-sent events: `changed` with the ticket number for each
    /// change `wanted` accepts, until the portal stops.
    fn events(
        &self,
        wanted: impl Fn(&TicketChange) -> bool + Send + 'static,
    ) -> impl Stream<Item = Result<Event, Infallible>> + Send + 'static {
        let receiver = self.sender.subscribe();
        let stop = self.stop.subscribe();
        futures::stream::unfold(
            (receiver, stop, wanted),
            |(mut receiver, mut stop, wanted)| async move {
                loop {
                    if *stop.borrow() {
                        return None;
                    }
                    let change = tokio::select! {
                        change = receiver.recv() => change,
                        _ = stop.changed() => return None,
                    };
                    let event = match change {
                        Ok(change) if wanted(&change) => {
                            Event::default().event("changed").data(change.number)
                        }
                        Ok(_) => continue,
                        // Missed some: the page refreshes once, which covers them.
                        Err(broadcast::error::RecvError::Lagged(_)) => {
                            Event::default().event("changed").data("*")
                        }
                        Err(broadcast::error::RecvError::Closed) => return None,
                    };
                    return Some((Ok(event), (receiver, stop, wanted)));
                }
            },
        )
    }

    fn answer(&self, wanted: impl Fn(&TicketChange) -> bool + Send + 'static) -> Response {
        let mut response = Sse::new(self.events(wanted))
            .keep_alive(KeepAlive::new().interval(Duration::from_secs(20)))
            .into_response();
        response.headers_mut().insert(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        );
        response
    }
}

/// `GET /events/queue`: every change, for the desk.
pub async fn queue_events(State(state): State<AppState>, caller: Caller) -> Response {
    match authorize(&caller.viewer, Access::Staff) {
        Ok(_) => state.db.changes.answer(|_| true),
        Err(error) => refuse(error),
    }
}

/// `GET /events/desk/{number}`: changes to one ticket, for the desk.
pub async fn desk_ticket_events(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
) -> Response {
    if let Err(error) = authorize(&caller.viewer, Access::Staff) {
        return refuse(error);
    }
    let Some(number) = TicketNumber::parse(&number) else {
        return refuse(AppError::NotFound);
    };
    let number = number.to_string();
    state.db.changes.answer(move |c| c.number == number)
}

/// `GET /events/my-tickets/{number}`: changes to one of the account's tickets
/// that its page shows.
pub async fn my_ticket_events(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
) -> Response {
    let account = match authorize(&caller.viewer, Access::SignedIn) {
        Ok(account) => account,
        Err(error) => return refuse(error),
    };
    let Some(number) = TicketNumber::parse(&number) else {
        return refuse(AppError::NotFound);
    };
    let owned = match state.db.reader.acquire().await {
        Ok(mut conn) => tickets::ticket_id_of_owner(&mut conn, number, account.id).await,
        Err(error) => Err(error),
    };
    reporter_events(&state, owned)
}

/// `GET /events/status/{token}`: changes that the page of a private link shows.
pub async fn linked_ticket_events(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Response {
    let found = match state.db.reader.acquire().await {
        Ok(mut conn) => tickets::ticket_by_token(&mut conn, &token).await,
        Err(error) => Err(error),
    };
    reporter_events(&state, found.map(|linked| linked.map(|l| l.id)))
}

/// The reporter-visible changes of the ticket found, if one was.
fn reporter_events(state: &AppState, found: Result<Option<i64>, sqlx::Error>) -> Response {
    match found {
        Ok(Some(id)) => state
            .db
            .changes
            .answer(move |c| c.ticket_id == id && c.public),
        Ok(None) => refuse(AppError::NotFound),
        Err(error) => {
            tracing::error!(%error, "ticket events unavailable");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
