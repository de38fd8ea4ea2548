//! The HTTP side of service-failure notices: the admin's plain form posts and
//! the public Atom feed.
//!
//! A form that worked answers with a redirect (303) to the notice; one with
//! problems answers with its page again, the messages beside the fields and
//! everything typed kept.

use super::notices::{self, NoticeError};
use super::web::answer::answer;
use super::web::caller::Admin;
use super::web::page::FormPage;
use super::web::state::AppState;
use super::web::status::refuse;
use crate::domain::{FieldErrors, FormOutcome, Notice, NoticeChangeForm, NoticeForm, NoticeId};
use crate::error::AppError;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Form;
use chrono::Utc;

/// `POST /admin/notices`: publish a notice.
pub async fn publish(
    State(state): State<AppState>,
    Admin { admin, .. }: Admin,
    page: FormPage,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let form = NoticeForm::from_fields(&fields);
    let now = Utc::now();
    let result = match form.parse(now) {
        Ok(draft) => notices::publish(&state.db, &state.changes, &draft, &admin.name, now)
            .await
            .map(|id| format!("/admin/notices/{id}?done=published"))
            .map_err(AppError::from),
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    let outcome = FormOutcome {
        values: form.values(),
        ..FormOutcome::default()
    };
    answer(&state, page, result, outcome).await
}

/// `POST /admin/notices/{id}`: post an update, change the expected restoration,
/// link a major incident, or resolve.
pub async fn change(
    State(state): State<AppState>,
    Admin { admin, .. }: Admin,
    page: FormPage,
    Path(id): Path<i64>,
    Form(mut form): Form<NoticeChangeForm>,
) -> Response {
    if form.unknown == "on" {
        form.restoration = "unknown".into();
    }
    let result = match form.parse() {
        Ok(change) => {
            let now = Utc::now();
            notices::change(
                &state.db,
                &state.changes,
                NoticeId(id),
                &change,
                &admin.name,
                now,
            )
            .await
            .map(|()| format!("/admin/notices/{id}?done={}", form.action))
            .map_err(AppError::from)
        }
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    let outcome = FormOutcome {
        values: form.values(),
        ..FormOutcome::default()
    };
    answer(&state, page, result, outcome).await
}

impl From<NoticeError> for AppError {
    fn from(error: NoticeError) -> Self {
        match error {
            NoticeError::Fields(errors) => AppError::Invalid(errors),
            NoticeError::Invalid(field, message) => {
                let mut errors = FieldErrors::default();
                errors.add(field, message);
                AppError::Invalid(errors)
            }
            NoticeError::Resolved => {
                AppError::Conflict("This notice is resolved already: nothing was changed.".into())
            }
            NoticeError::NotFound => AppError::NotFound,
            NoticeError::Database(error) => AppError::internal(error),
        }
    }
}

/// `GET /notices.atom`: current, planned and recent notices as an Atom feed, so
/// people can follow them in any feed reader.
pub async fn feed(State(state): State<AppState>) -> Response {
    let now = Utc::now();
    let found = match state.db.reader.acquire().await {
        Ok(mut conn) => notices::recent(&mut conn, now, crate::domain::RECENT_DAYS).await,
        Err(error) => Err(error),
    };
    let notices = match found {
        Ok(notices) => notices,
        Err(error) => return refuse(AppError::internal(error)),
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
                    Some(at) if notice.resolved_at.is_none() =>
                        format!("Expected restoration: {}.", crate::domain::format_time(at)),
                    _ => String::new(),
                }
            );
            for update in &notice.updates {
                text.push_str(&format!(
                    "\n\n{}: {}",
                    crate::domain::format_time(update.at),
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
