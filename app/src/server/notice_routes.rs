//! The HTTP side of service-failure notices: the admin's plain form posts and
//! the public Atom feed.
//!
//! A form that worked answers with a redirect (303) to the notice; one with
//! problems answers with its page again, the messages beside the fields and
//! everything typed kept.

use super::account_forms::{page_again, refuse};
use super::forms::AdminPost;
use super::notices::{self, NoticeError};
use super::AppState;
use crate::components::FormOutcome;
use crate::domain::{FieldErrors, Notice, NoticeChangeForm, NoticeForm, NoticeId};
use crate::error::AppError;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;

/// `POST /admin/notices`: publish a notice.
pub async fn publish(
    State(state): State<AppState>,
    AdminPost { admin, caller }: AdminPost,
    uri: Uri,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let form = NoticeForm::from_fields(&fields);
    let now = Utc::now();
    let result = match form.parse(now) {
        Ok(draft) => notices::publish(&state.db, &draft, &admin.name, now).await,
        Err(errors) => Err(NoticeError::from(errors)),
    };
    match result {
        Ok(id) => Redirect::to(&format!("/admin/notices/{id}?done=published")).into_response(),
        Err(error) => {
            let (status, mut outcome) = failed(error);
            outcome.values = form.values();
            page_again(&state, uri, headers, caller.viewer, status, outcome).await
        }
    }
}

/// `POST /admin/notices/{id}`: post an update, change the expected restoration,
/// link a major incident, or resolve.
pub async fn change(
    State(state): State<AppState>,
    AdminPost { admin, caller }: AdminPost,
    Path(id): Path<i64>,
    uri: Uri,
    headers: HeaderMap,
    Form(mut form): Form<NoticeChangeForm>,
) -> Response {
    if form.unknown == "on" {
        form.restoration = "unknown".into();
    }
    let result = match form.parse() {
        Ok(change) => {
            notices::change(&state.db, NoticeId(id), &change, &admin.name, Utc::now()).await
        }
        Err(errors) => Err(NoticeError::from(errors)),
    };
    match result {
        Ok(()) => {
            Redirect::to(&format!("/admin/notices/{id}?done={}", form.action)).into_response()
        }
        Err(NoticeError::NotFound) => refuse(AppError::NotFound),
        Err(error) => {
            let (status, mut outcome) = failed(error);
            outcome.values = form.values();
            page_again(&state, uri, headers, caller.viewer, status, outcome).await
        }
    }
}

impl From<FieldErrors> for NoticeError {
    fn from(errors: FieldErrors) -> Self {
        NoticeError::Fields(errors)
    }
}

/// The status and messages for a notice that could not be published or changed.
fn failed(error: NoticeError) -> (StatusCode, FormOutcome) {
    let mut outcome = FormOutcome::default();
    let status = match error {
        NoticeError::Fields(errors) => {
            outcome.errors = errors;
            StatusCode::UNPROCESSABLE_ENTITY
        }
        NoticeError::Invalid(field, message) => {
            outcome.errors.add(field, message);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        NoticeError::Resolved => {
            outcome.problem = Some("This notice is resolved already: nothing was changed.".into());
            StatusCode::CONFLICT
        }
        NoticeError::NotFound => {
            outcome.problem = Some(AppError::NotFound.to_string());
            StatusCode::NOT_FOUND
        }
        NoticeError::Database(error) => {
            tracing::error!(%error, "notice not saved");
            outcome.problem = Some(AppError::Internal.to_string());
            StatusCode::SERVICE_UNAVAILABLE
        }
    };
    (status, outcome)
}

/// `GET /notices.atom`: current, planned and recent notices as an Atom feed, so
/// people can follow them in any feed reader.
pub async fn feed(State(state): State<AppState>) -> Response {
    let now = Utc::now();
    let found = match state.db.reader.acquire().await {
        Ok(mut conn) => notices::recent(&mut conn, now, crate::notices::RECENT_DAYS).await,
        Err(error) => Err(error),
    };
    let notices = match found {
        Ok(notices) => notices,
        Err(error) => {
            tracing::error!(%error, "notice feed unavailable");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let origin = state.settings.origin.clone();
    let body = atom(&notices, &origin, now);
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/atom+xml; charset=utf-8"),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The feed's XML; every text is escaped by the Atom writer.
fn atom(notices: &[Notice], origin: &str, now: chrono::DateTime<Utc>) -> String {
    use atom_syndication::{Content, Entry, Feed, Link, Person, Text};
    let page = format!("{origin}/notices");
    let entries: Vec<Entry> = notices
        .iter()
        .map(|notice| {
            let updated = last_change(notice);
            let state = notice.state_label(now);
            let mut text = format!(
                "{} · {}\n{}\n\n{}",
                notice.severity.label(),
                notice.service_names.join(", "),
                notice.experience,
                match notice.expected_restoration_at {
                    Some(at) if notice.resolved_at.is_none() => format!(
                        "Expected restoration: {}.",
                        crate::components::format_time(at)
                    ),
                    _ => String::new(),
                }
            );
            for update in &notice.updates {
                text.push_str(&format!(
                    "\n\n{}: {}",
                    crate::components::format_time(update.at),
                    update.body
                ));
            }
            Entry {
                id: format!("urn:incident-portal:notice:{}", notice.id),
                title: Text::plain(format!("[{state}] {}", notice.title)),
                updated: updated.fixed_offset(),
                published: Some(notice.starts_at.fixed_offset()),
                links: vec![Link {
                    href: format!("{page}#notice-{}", notice.id),
                    rel: "alternate".into(),
                    mime_type: Some("text/html".into()),
                    ..Link::default()
                }],
                summary: Some(Text::plain(format!("{state}: {}", notice.experience))),
                content: Some(Content {
                    value: Some(text),
                    content_type: Some("text".into()),
                    ..Content::default()
                }),
                ..Entry::default()
            }
        })
        .collect();
    let updated = notices.iter().map(last_change).max().unwrap_or(now);
    Feed {
        // Stable whatever the address the feed was read through.
        id: "urn:incident-portal:notices".into(),
        title: Text::plain("IT Help: service notices"),
        updated: updated.fixed_offset(),
        authors: vec![Person {
            name: "Service desk".into(),
            ..Person::default()
        }],
        links: vec![
            Link {
                href: format!("{page}.atom"),
                rel: "self".into(),
                mime_type: Some("application/atom+xml".into()),
                ..Link::default()
            },
            Link {
                href: page.clone(),
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                ..Link::default()
            },
        ],
        entries,
        ..Feed::default()
    }
    .to_string()
}

/// When a notice last changed: its newest update, its resolution, or its start.
fn last_change(notice: &Notice) -> chrono::DateTime<Utc> {
    notice
        .updates
        .iter()
        .map(|u| u.at)
        .chain(notice.resolved_at)
        .chain([notice.starts_at])
        .max()
        .unwrap_or(notice.starts_at)
}
