//! `GET /agent/mail/{id}`: a message the desk received, whole and as it
//! arrived, for agents and admins (the ticket shows it cut of quotes and
//! signatures; unreadable ones wait here for an admin).

use crate::error::AppError;
use crate::server::attachments::download::content_disposition;
use crate::server::store::inbound;
use crate::server::web::caller::Staff;
use crate::server::web::state::AppState;
use crate::server::web::status::refuse;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

pub async fn original(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<i64>,
) -> Response {
    let raw = async {
        let mut conn = state.db.reader.acquire().await?;
        inbound::original(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)
    }
    .await;
    let raw = match raw {
        Ok(raw) => raw,
        Err(error) => return refuse(error),
    };
    let mut response = (StatusCode::OK, raw).into_response();
    let headers = response.headers_mut();
    let name = format!("message-{id}.eml");
    for (name, value) in [
        (header::CONTENT_TYPE, "message/rfc822".to_string()),
        (
            header::CONTENT_DISPOSITION,
            content_disposition("attachment", &name),
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; sandbox".into(),
        ),
        (header::CACHE_CONTROL, "private, no-store".into()),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    response
}
