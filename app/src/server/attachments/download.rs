//! Handing a file out: only to someone whose page lists it, with headers that
//! keep a browser from ever treating it as part of the portal.
//!
//! Each page that lists files has its own download address under its own
//! (`/status/{token}/files/{id}`, `/my-tickets/{number}/files/{id}`,
//! `/agent/tickets/{number}/files/{id}`, `/articles/{slug}/files/{id}`), and
//! each download reads the ticket or article exactly as that page does and
//! hands the file out only if that reading lists it: an internal note's file
//! is never in the reporter's reading, a reporter's conversation never in a
//! follower's, a draft article's files never in a user's. Another person's file
//! and a missing one are the same 404. Ids are 128 random bits, so an id proves
//! nothing by itself. A file the virus scanner has not found clean (when one is
//! configured) is listed but never handed out.

use crate::domain::{download_name, shown_inline, FileView, Scan, TicketNumber};
use crate::error::AppError;
use crate::server::store::attachments::{self, Stored};
use crate::server::store::tickets::{desk, reporter};
use crate::server::web::caller::{Caller, SignedIn, Staff};
use crate::server::web::state::AppState;
use crate::server::web::status::refuse;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// How much of a file is read at a time for sending: large enough that a 25 MB
/// download is a few hundred reads, small enough to stay out of the way.
const DOWNLOAD_CHUNK: usize = 256 * 1024;

/// `GET /status/{token}/files/{id}` (`THUMBNAIL`: `…/thumbnail`): for whoever
/// holds the private link, as the status page shows the ticket to them.
pub async fn by_link<const THUMBNAIL: bool>(
    State(state): State<AppState>,
    Path((token, id)): Path<(String, String)>,
) -> Response {
    let listed = async {
        let mut conn = state.db.reader.acquire().await?;
        let linked = reporter::ticket_by_token(&mut conn, &token)
            .await?
            .ok_or(AppError::NotFound)?;
        let status = if linked.following {
            reporter::status_for_follower(&mut conn, linked.id).await?
        } else {
            reporter::status_of(&mut conn, linked.id).await?
        };
        let status = status.ok_or(AppError::NotFound)?;
        Ok::<_, AppError>(lists(status.timeline.iter().flat_map(|e| &e.files), &id))
    }
    .await;
    serve(&state, listed, &id, THUMBNAIL).await
}

/// `GET /my-tickets/{number}/files/{id}` (and `…/thumbnail`): for the signed-in
/// owner.
pub async fn by_owner<const THUMBNAIL: bool>(
    State(state): State<AppState>,
    SignedIn { account, .. }: SignedIn,
    Path((number, id)): Path<(String, String)>,
) -> Response {
    let listed = async {
        let number = TicketNumber::parse(&number).ok_or(AppError::NotFound)?;
        let mut conn = state.db.reader.acquire().await?;
        let status = reporter::status_for_owner(&mut conn, number, account.id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok::<_, AppError>(lists(status.timeline.iter().flat_map(|e| &e.files), &id))
    }
    .await;
    serve(&state, listed, &id, THUMBNAIL).await
}

/// `GET /agent/tickets/{number}/files/{id}` (and `…/thumbnail`): for agents, as
/// the desk shows the ticket (internal notes included).
pub async fn by_desk<const THUMBNAIL: bool>(
    State(state): State<AppState>,
    _staff: Staff,
    Path((number, id)): Path<(String, String)>,
) -> Response {
    let listed = async {
        let number = TicketNumber::parse(&number).ok_or(AppError::NotFound)?;
        let mut conn = state.db.reader.acquire().await?;
        let ticket = desk::desk_ticket(&mut conn, number, chrono::Utc::now())
            .await?
            .ok_or(AppError::NotFound)?;
        Ok::<_, AppError>(lists(ticket.history.iter().flat_map(|e| &e.files), &id))
    }
    .await;
    serve(&state, listed, &id, THUMBNAIL).await
}

/// `GET /articles/{slug}/files/{id}` (and `…/thumbnail`): for whoever may
/// read the article, as its page decides.
pub async fn by_article<const THUMBNAIL: bool>(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
) -> Response {
    let listed = async {
        let mut conn = state.db.reader.acquire().await?;
        let article = crate::server::knowledge::readable(&mut conn, &slug, &caller.viewer).await?;
        Ok::<_, AppError>(lists(article.files.iter(), &id))
    }
    .await;
    serve(&state, listed, &id, THUMBNAIL).await
}

/// Whether the page lists the file as one to open: never one waiting for the
/// virus scanner or one it found a threat in.
fn lists<'a>(mut files: impl Iterator<Item = &'a FileView>, id: &str) -> bool {
    files.any(|f| f.id == id && f.scan.servable())
}

/// The file, if the caller's page listed it; else the 404 of a missing one.
async fn serve(
    state: &AppState,
    listed: Result<bool, AppError>,
    id: &str,
    thumbnail: bool,
) -> Response {
    match listed {
        Ok(true) => {}
        Ok(false) => return refuse(AppError::NotFound),
        Err(error) => return refuse(error),
    }
    let stored = async {
        let mut conn = state.db.reader.acquire().await?;
        attachments::find(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)
    }
    .await;
    match stored {
        Ok(stored) => respond(state, stored, thumbnail).await,
        Err(error) => refuse(error),
    }
}

async fn respond(state: &AppState, stored: Stored, thumbnail: bool) -> Response {
    // Read again with the bytes: a verdict may have come since the page was read.
    if !Scan::parse(&stored.scan).servable() {
        return refuse(AppError::NotFound);
    }
    let Some(hash) = stored.hash() else {
        return refuse(AppError::internal("an attachment names no stored file"));
    };
    let (path, media_type, name, inline) = match thumbnail {
        false => (
            state.files.path(&hash),
            stored.media_type.clone(),
            download_name(&stored.name, &stored.media_type),
            shown_inline(&stored.media_type),
        ),
        true if stored.thumb_width.is_some() => (
            state.files.thumbnail_path(&hash),
            "image/jpeg".to_string(),
            download_name(&format!("thumbnail of {}", stored.name), "image/jpeg"),
            true,
        ),
        true => return refuse(AppError::NotFound),
    };
    let file = match tokio::fs::File::open(&path).await {
        Ok(file) => file,
        Err(error) => return refuse(AppError::internal(error)),
    };
    let length = match file.metadata().await {
        Ok(meta) => meta.len(),
        Err(error) => return refuse(AppError::internal(error)),
    };
    let content_type = if media_type == "text/plain" {
        "text/plain; charset=utf-8".to_string()
    } else {
        media_type
    };
    let body = Body::from_stream(tokio_util::io::ReaderStream::with_capacity(
        file,
        DOWNLOAD_CHUNK,
    ));
    let disposition = if inline { "inline" } else { "attachment" };
    as_download(
        (StatusCode::OK, body).into_response(),
        &content_type,
        Some(length),
        disposition,
        &name,
    )
}

/// `response` as a download of `name` that the browser can never run: its type
/// and length, the disposition, no sniffing, a sandbox, same-origin only, not
/// cached. Every download the portal hands out goes through here.
pub fn as_download(
    mut response: Response,
    content_type: &str,
    length: Option<u64>,
    disposition: &str,
    name: &str,
) -> Response {
    let headers = response.headers_mut();
    let mut set = |name: header::HeaderName, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set(header::CONTENT_TYPE, content_type);
    if let Some(length) = length {
        set(header::CONTENT_LENGTH, &length.to_string());
    }
    set(
        header::CONTENT_DISPOSITION,
        &content_disposition(disposition, name),
    );
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; sandbox",
    );
    set(
        header::HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
    set(header::CACHE_CONTROL, "private, no-store");
    response
}

/// `Content-Disposition` with the name as RFC 6266 wants it: an ASCII
/// fallback in `filename`, the real name percent-encoded in `filename*`.
pub fn content_disposition(kind: &str, name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| match c {
            ' '..='~' if c != '"' && c != '\\' && c != '%' => c,
            _ => '_',
        })
        .collect();
    let mut encoded = String::new();
    for byte in name.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' | b'~' => {
                encoded.push(byte as char)
            }
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    format!("{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_quoted_and_encoded_so_no_header_can_be_broken() {
        assert_eq!(
            content_disposition("attachment", "a \"b\"\\c%.txt"),
            "attachment; filename=\"a _b__c_.txt\"; filename*=UTF-8''a%20%22b%22%5Cc%25.txt"
        );
        assert_eq!(
            content_disposition("inline", "café.png"),
            "inline; filename=\"caf_.png\"; filename*=UTF-8''caf%C3%A9.png"
        );
    }
}
