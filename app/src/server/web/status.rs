//! The one mapping of every failure to its status: the same failure is answered
//! with the same status wherever it happens (`AppError::status`).

use crate::error::AppError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// The answer to a request refused outright (not signed in, the wrong role, a
/// record that does not exist): its status and the words, without a page.
pub fn refuse(error: AppError) -> Response {
    (status_of(&error), error.to_string()).into_response()
}

/// The status every failure of this kind is answered with.
pub fn status_of(error: &AppError) -> StatusCode {
    StatusCode::from_u16(error.status()).unwrap_or(StatusCode::SERVICE_UNAVAILABLE)
}
