//! `GET /agent/mail/{id}`: a message the desk received, whole and as it
//! arrived, for agents and admins (the ticket shows it cut of quotes and
//! signatures; unreadable ones wait here for an admin).

use crate::error::AppError;
use crate::server::attachments::download::as_download;
use crate::server::store::inbound;
use crate::server::web::caller::Staff;
use crate::server::web::state::AppState;
use crate::server::web::status::refuse;
use axum::extract::{Path, State};
use axum::http::StatusCode;
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
    as_download(
        (StatusCode::OK, raw).into_response(),
        "message/rfc822",
        None,
        "attachment",
        &format!("message-{id}.eml"),
    )
}
