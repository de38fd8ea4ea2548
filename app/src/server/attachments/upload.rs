//! A form post that may carry files: [`WithFiles`].
//!
//! The forms that take files are sent as `multipart/form-data`; each file is
//! streamed to a temporary file as it arrives (a 25 MB upload never sits in
//! memory), checked, moved to its content's name and recorded as an unclaimed
//! attachment before the handler runs. The handler then hands the ids to the
//! change that attaches them. A form that comes back with problems lists the
//! files it carried and sends their ids again (`kept`), so nobody uploads twice.
//! The same forms still accept a plain `application/x-www-form-urlencoded`
//! post, without files.

use super::scan::Scanner;
use super::{make_thumbnail, sniff};
use crate::domain::{clean_file_name, size_in_words, AttachmentRules, FileView, MAX_FILES};
use crate::error::AppError;
use crate::server::store::attachments::{self, ClaimError, Files, NewFile};
use crate::server::store::files::{FileStore, Temporary};
use crate::server::web::caller::ClientAddress;
use crate::server::web::state::AppState;
use crate::server::web::status::refuse;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

/// The field a form's files are sent in, and the one that names files sent
/// before (by id) that the form carries again.
pub const FILES_FIELD: &str = "files";
pub const KEPT_FIELD: &str = "kept";

/// The most text (every field but files) one form may carry.
const MAX_TEXT_BYTES: usize = 256 * 1024;

/// A form post, and the files that came with it.
pub struct WithFiles<T> {
    pub form: T,
    pub files: Sent,
}

/// The files of one post: those received whole and accepted (new and kept),
/// a message for each one refused, and the rules they were received under.
#[derive(Clone, Debug, Default)]
pub struct Sent {
    pub accepted: Vec<FileView>,
    pub problems: Vec<String>,
    pub rules: AttachmentRules,
}

impl Sent {
    /// The accepted files, to attach under the same rules.
    pub fn to_attach(&self) -> Files {
        Files {
            ids: self.accepted.iter().map(|f| f.id.clone()).collect(),
            rules: self.rules,
        }
    }

    /// Every problem, in one message, if there is any.
    pub fn problem(&self) -> Option<String> {
        (!self.problems.is_empty()).then(|| self.problems.join(" "))
    }
}

impl<T> FromRequest<AppState> for WithFiles<T>
where
    T: DeserializeOwned + Send,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let multipart = content_type.starts_with("multipart/form-data");
        if !multipart {
            if !content_type.starts_with("application/x-www-form-urlencoded") {
                return Err((
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "Send the form as a web form.",
                )
                    .into_response());
            }
            // A plain form: no files, but it may name files sent before.
            let body = Bytes::from_request(request, state)
                .await
                .map_err(IntoResponse::into_response)?;
            if body.len() > MAX_TEXT_BYTES {
                return Err((
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "What was sent is larger than the portal accepts. Nothing was saved.",
                )
                    .into_response());
            }
            let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
                .map_err(|_| unreadable("the form is not encoded as a form"))?;
            let (kept, text): (Vec<_>, Vec<_>) =
                pairs.into_iter().partition(|(name, _)| name == KEPT_FIELD);
            let kept = kept.into_iter().map(|(_, id)| id).collect();
            let sent = Sent {
                rules: state.attachment_rules.get(),
                ..Sent::default()
            };
            return finish(state, text, kept, sent).await;
        }
        let client = request
            .extensions()
            .get::<ClientAddress>()
            .map(|c| c.0.clone())
            .unwrap_or_default();
        let multipart = Multipart::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        read(multipart, state, &client, state.attachment_rules.get()).await
    }
}

async fn read<T: DeserializeOwned>(
    mut multipart: Multipart,
    state: &AppState,
    client: &str,
    rules: AttachmentRules,
) -> Result<WithFiles<T>, Response> {
    let broken = |error: axum::extract::multipart::MultipartError| {
        let status = error.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            too_large(rules)
        } else {
            (
                StatusCode::BAD_REQUEST,
                "The form arrived incomplete. Please send it again.",
            )
                .into_response()
        }
    };
    let mut text: Vec<(String, String)> = Vec::new();
    let mut text_bytes = 0;
    let mut kept: Vec<String> = Vec::new();
    let mut sent = Sent {
        rules,
        ..Sent::default()
    };
    let mut new_files = 0;
    while let Some(mut field) = multipart.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or_default().to_string();
        if let Some(file_name) = field.file_name().map(str::to_string) {
            if name != FILES_FIELD || file_name.is_empty() {
                // An empty file input, or a file where none belongs: skipped.
                continue;
            }
            let file_name = clean_file_name(&file_name);
            new_files += 1;
            if kept.len() + new_files > MAX_FILES {
                sent.problems.push(format!(
                    "{file_name} was left out: a form takes at most {MAX_FILES} files."
                ));
                continue;
            }
            // Files fill the disk: each client may send only so much so fast.
            if !state.limits.upload(client, 0) {
                return Err(refuse(AppError::TooManyRequests));
            }
            match receive(
                &state.files,
                state.scanner.as_ref(),
                &mut field,
                &file_name,
                rules,
            )
            .await
            {
                Ok(Ok(file)) if !state.limits.upload(client, file.size) => {
                    sent.problems.push(format!(
                        "{file_name} was left out: too much was sent from here in a short \
                         time. Please try again in a minute."
                    ));
                }
                Ok(Ok(file)) => match record(state, &file).await {
                    Ok(view) => sent.accepted.push(view),
                    Err(error) => return Err(refuse(error)),
                },
                Ok(Err(problem)) => sent.problems.push(problem),
                Err(Broken::Request(error)) => return Err(broken(error)),
                Err(Broken::Storage(error)) => return Err(refuse(AppError::internal(error))),
            }
            continue;
        }
        let mut value = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(broken)? {
            text_bytes += chunk.len();
            if text_bytes > MAX_TEXT_BYTES {
                return Err((
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "The form's text is too long.",
                )
                    .into_response());
            }
            value.extend_from_slice(&chunk);
        }
        let value = String::from_utf8_lossy(&value).into_owned();
        if name == KEPT_FIELD {
            kept.push(value);
        } else {
            text.push((name, value));
        }
    }
    finish(state, text, kept, sent).await
}

fn unreadable(why: &str) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        format!("The form cannot be read: {why}."),
    )
        .into_response()
}

/// The form from its text fields, and the files: those sent before (`kept`,
/// still waiting) first, then the new ones.
async fn finish<T: DeserializeOwned>(
    state: &AppState,
    text: Vec<(String, String)>,
    mut kept: Vec<String>,
    mut sent: Sent,
) -> Result<WithFiles<T>, Response> {
    if !kept.is_empty() {
        let mut conn = state
            .db
            .reader
            .acquire()
            .await
            .map_err(|e| refuse(AppError::internal(e)))?;
        kept.truncate(MAX_FILES);
        let mut earlier = attachments::unclaimed(&mut conn, &kept)
            .await
            .map_err(|e| refuse(AppError::internal(e)))?;
        if earlier.len() < kept.len() {
            sent.problems.push(ClaimError::Gone.message());
        }
        earlier.append(&mut sent.accepted);
        sent.accepted = earlier;
    }
    let encoded = serde_urlencoded::to_string(&text).map_err(|e| refuse(AppError::internal(e)))?;
    let form = serde_urlencoded::from_str(&encoded)
        .map_err(|_| unreadable("a field is not as expected"))?;
    Ok(WithFiles { form, files: sent })
}

fn too_large(rules: AttachmentRules) -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "The files together are larger than the {} one ticket may hold. Nothing was saved; \
             go back and leave out some files.",
            size_in_words(rules.per_ticket)
        ),
    )
        .into_response()
}

/// Why a file could not be taken in at all (as opposed to being refused).
enum Broken {
    Request(axum::extract::multipart::MultipartError),
    Storage(std::io::Error),
}

impl From<std::io::Error> for Broken {
    fn from(error: std::io::Error) -> Self {
        Broken::Storage(error)
    }
}

/// Streams one file to disk and checks it: the file, moved into place, or
/// what is wrong with it (naming it).
async fn receive(
    store: &FileStore,
    scanner: Option<&Scanner>,
    field: &mut axum::extract::multipart::Field<'_>,
    name: &str,
    rules: AttachmentRules,
) -> Result<Result<NewFile, String>, Broken> {
    let mut incoming = store.receive().await?;
    while let Some(chunk) = field.chunk().await.map_err(Broken::Request)? {
        if incoming.size() + chunk.len() as u64 > rules.per_file {
            return Ok(Err(format!(
                "{name} is larger than {}, the most one file may be.",
                size_in_words(rules.per_file)
            )));
        }
        incoming.write(&chunk).await?;
    }
    let received = incoming.finish().await?;
    Ok(take_in(store, scanner, received, name, rules).await?)
}

/// A file received whole (`received`, in a temporary file), checked as an
/// upload is — not empty, a kind accepted, no threat, an image that can be read
/// — and moved to its content's name; or what is wrong with it, naming it.
/// Files from mail reaching the desk are taken in the same way.
pub async fn take_in(
    store: &FileStore,
    scanner: Option<&Scanner>,
    received: crate::server::store::files::Received,
    name: &str,
    rules: AttachmentRules,
) -> Result<Result<NewFile, String>, std::io::Error> {
    if received.size > rules.per_file {
        return Ok(Err(format!(
            "{name} is larger than {}, the most one file may be.",
            size_in_words(rules.per_file)
        )));
    }
    if received.size == 0 {
        return Ok(Err(format!("{name} is empty.")));
    }
    let media_type = match sniff(&received.head, &rules) {
        Ok(media_type) => media_type,
        Err(why) => return Ok(Err(format!("{name} cannot be attached: it {why}."))),
    };
    let scan = match super::scan::while_receiving(scanner, received.temp.path()).await {
        Ok(scan) => scan,
        Err(found) => {
            return Ok(Err(format!(
                "{name} was not attached: the virus scanner found a threat in it ({found})."
            )))
        }
    };
    let mut thumbnail = None;
    if crate::domain::shown_inline(media_type) {
        let source = received.temp.path().to_path_buf();
        let out = Temporary::new(store.temporary()?);
        let out_path = out.path().to_path_buf();
        let made = tokio::task::spawn_blocking(move || make_thumbnail(&source, &out_path))
            .await
            .map_err(std::io::Error::other)?;
        match made {
            Ok(size) => {
                store
                    .put(out, &store.thumbnail_path(&received.hash))
                    .await?;
                thumbnail = Some(size);
            }
            Err(super::ImageProblem::Io(error)) => return Err(error),
            Err(problem) => {
                tracing::info!(%problem, "an image was refused");
                return Ok(Err(format!(
                    "{name} cannot be attached: it cannot be read as an image, or it is larger \
                     than 12,000 pixels on a side."
                )));
            }
        }
    }
    let file = NewFile {
        hash: received.hash.clone(),
        size: received.size,
        media_type,
        thumbnail,
        name: name.to_string(),
        scan,
    };
    store.keep(received).await?;
    Ok(Ok(file))
}

/// Records a file that is in place as an unclaimed attachment.
async fn record(state: &AppState, file: &NewFile) -> Result<FileView, AppError> {
    // One transaction, so that tidying (`forget_unclaimed`) never sees the stored
    // file without the attachment that names it.
    let mut tx = state.db.writer.begin().await?;
    let view = attachments::record_unclaimed(&mut tx, file, chrono::Utc::now()).await?;
    tx.commit().await?;
    Ok(view)
}
