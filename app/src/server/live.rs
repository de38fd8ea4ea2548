//! Server push: committed changes to tickets and notices, told to every open page
//! that shows them, as server-sent events.
//!
//! A page opens one stream, `GET /events?topic=…&topic=…`, for everything it shows
//! live (browsers allow only six connections per site over HTTP/1.1, so one per
//! page, not one per region). Each topic is authorised on its own, as the page
//! showing it was. An event says only *which* topics changed — its data is the
//! matching topics (as the page named them) and, for a ticket, its number,
//! separated by spaces; the page
//! then loads what it shows again, through the same access checks that rendered
//! it. So an event never carries anything its listener could not already read.

use super::hub::{Change, Changes};
use super::store::tickets::reporter;
use super::web::caller::{authorize, Access, Caller};
use super::web::state::AppState;
use super::web::status::refuse;
use crate::domain::{TicketId, TicketNumber, UserId, Viewer};
use crate::error::AppError;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::Stream;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast;

/// What a page listens to, once its listener has been allowed to. Events name
/// the topic as the page did, so the page knows which of its parts to refresh.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Topic {
    /// Service-failure notices: the banner on every page (anyone).
    Notices,
    /// Every ticket change (the desk's queue).
    Queue,
    /// Every change to one ticket (the desk's ticket page).
    Desk(String),
    /// The reporter-visible changes to one ticket (its reporter's pages).
    Reporter(TicketId),
}

/// At most this many topics per stream: a page shows few live things.
const MAX_TOPICS: usize = 4;

impl Topic {
    fn wants(&self, change: &Change) -> bool {
        match (self, change) {
            (Topic::Notices, Change::Notices) => true,
            (Topic::Queue, Change::Ticket(_)) => true,
            (Topic::Desk(number), Change::Ticket(c)) => &c.number == number,
            (Topic::Reporter(id), Change::Ticket(c)) => c.ticket_id == *id && c.public,
            _ => false,
        }
    }

    /// Reads `raw` and checks that the caller may listen to it: the same rules as
    /// the page that shows it.
    async fn allowed(state: &AppState, viewer: &Viewer, raw: &str) -> Result<Topic, AppError> {
        let (kind, rest) = raw.split_once('/').unwrap_or((raw, ""));
        match (kind, rest) {
            ("notices", "") => Ok(Topic::Notices),
            ("queue", "") => authorize(viewer, Access::Staff).map(|_| Topic::Queue),
            ("desk", number) => {
                authorize(viewer, Access::Staff)?;
                let number = TicketNumber::parse(number).ok_or(AppError::NotFound)?;
                Ok(Topic::Desk(number.to_string()))
            }
            ("my-tickets", number) => {
                let account = authorize(viewer, Access::SignedIn)?;
                let number = TicketNumber::parse(number).ok_or(AppError::NotFound)?;
                let mut conn = state
                    .db
                    .reader
                    .acquire()
                    .await
                    .map_err(AppError::internal)?;
                reporter::ticket_id_of_owner(&mut conn, number, account.id)
                    .await
                    .map_err(AppError::internal)?
                    .map(Topic::Reporter)
                    .ok_or(AppError::NotFound)
            }
            ("status", token) => {
                let mut conn = state
                    .db
                    .reader
                    .acquire()
                    .await
                    .map_err(AppError::internal)?;
                reporter::ticket_by_token(&mut conn, token)
                    .await
                    .map_err(AppError::internal)?
                    .map(|linked| Topic::Reporter(linked.id))
                    .ok_or(AppError::NotFound)
            }
            _ => Err(AppError::NotFound),
        }
    }
}

/// A page's stream of server-sent events.
struct Listening<'a>(&'a Changes);

impl Listening<'_> {
    /// A stream of server-sent events: `changed` for each change some topic
    /// wants, until the portal stops or the listening account's sessions end.
    fn events(
        &self,
        receiver: broadcast::Receiver<Change>,
        listener: Option<UserId>,
        topics: Vec<(Topic, String)>,
    ) -> impl Stream<Item = Result<Event, Infallible>> + Send {
        let stop = self.0.stopping();
        futures::stream::unfold(
            (receiver, stop, topics),
            move |(mut receiver, mut stop, topics)| async move {
                loop {
                    if *stop.borrow() {
                        return None;
                    }
                    let change = tokio::select! {
                        change = receiver.recv() => change,
                        _ = stop.changed() => return None,
                    };
                    let data = match change {
                        Ok(Change::SessionsEnded(account)) if Some(account) == listener => {
                            return None;
                        }
                        Ok(change) => {
                            let mut words: Vec<String> = topics
                                .iter()
                                .filter(|(topic, _)| topic.wants(&change))
                                .map(|(_, name)| name.clone())
                                .collect();
                            if words.is_empty() {
                                continue;
                            }
                            if let Change::Ticket(ticket) = change {
                                words.push(ticket.number);
                            }
                            words.join(" ")
                        }
                        // Missed some, perhaps the end of this account's
                        // sessions: a signed-in page reconnects and is checked
                        // again; any other refreshes everything once.
                        Err(broadcast::error::RecvError::Lagged(_)) if listener.is_some() => {
                            return None;
                        }
                        Err(broadcast::error::RecvError::Lagged(_)) => "*".into(),
                        Err(broadcast::error::RecvError::Closed) => return None,
                    };
                    let event = Event::default().event("changed").data(data);
                    return Some((Ok(event), (receiver, stop, topics)));
                }
            },
        )
    }

    fn answer(
        &self,
        receiver: broadcast::Receiver<Change>,
        listener: Option<UserId>,
        topics: Vec<(Topic, String)>,
    ) -> Response {
        let mut response = Sse::new(self.events(receiver, listener, topics))
            .keep_alive(KeepAlive::new().interval(Duration::from_secs(20)))
            .into_response();
        response.headers_mut().insert(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        );
        response
    }
}

/// `GET /events?topic=…`: one stream for everything a page shows live. Topics:
/// `notices`, `queue`, `desk/{number}`, `my-tickets/{number}`, `status/{token}`.
/// Any topic the caller may not hear refuses the whole stream (401, 403, 404).
pub async fn events(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    let raw: Vec<&str> = query
        .iter()
        .filter(|(key, _)| key == "topic")
        .map(|(_, value)| value.as_str())
        .collect();
    if raw.is_empty() || raw.len() > MAX_TOPICS {
        return (
            StatusCode::BAD_REQUEST,
            "Name between one and four topics to listen to.",
        )
            .into_response();
    }
    // Listening starts before the checks below wait on the database, so that a
    // session revoked meanwhile still ends this stream.
    let receiver = state.changes.listen();
    let mut topics = Vec::with_capacity(raw.len());
    for raw in raw {
        match Topic::allowed(&state, &caller.viewer, raw).await {
            Ok(topic) => topics.push((topic, raw.to_string())),
            Err(error) => return refuse(error),
        }
    }
    let listener = caller.viewer.account().map(|account| account.id);
    Listening(&state.changes).answer(receiver, listener, topics)
}
