//! `GET /notices.atom`: the public Atom feed of notices.

use crate::domain::Notice;
use crate::error::AppError;
use crate::server::store::notices;
use crate::server::web::state::AppState;
use crate::server::web::status::refuse;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use chrono::Utc;

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
