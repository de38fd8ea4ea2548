//! The one error type of every server function.
//!
//! Its variants are what a user may be told. Causes of internal failures are logged
//! on the server and never sent.

use crate::domain::{FieldErrors, NamedErrors};
use serde::{Deserialize, Serialize};
use server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// One or more fields need fixing; each message belongs beside its field.
    #[error("Some of the details need attention.")]
    Invalid(FieldErrors),
    /// The same, for a form whose inputs are named rather than fixed fields (a
    /// settings page with many records).
    #[error("Some of the details need attention.")]
    InvalidInputs(NamedErrors),
    /// Asked for something that does not exist, or that the caller may not see: the
    /// two are deliberately indistinguishable.
    #[error("We could not find that.")]
    NotFound,
    /// Only for signed-in people: the caller is not signed in.
    #[error("Please sign in to see this.")]
    SignInRequired,
    /// Signed in, but this is for another role (agents, admins).
    #[error("Your account does not give access to this.")]
    Forbidden,
    /// Not signed in as the account this needs; the message says what to do.
    #[error("{0}")]
    Unauthorized(String),
    /// Not allowed, for a reason the message gives (a deactivated account, the
    /// last admin, registration closed).
    #[error("{0}")]
    Denied(String),
    /// Too many attempts in a short time.
    #[error("Too many attempts. Please wait a minute and try again.")]
    TooManyRequests,
    /// Someone changed it first; the message says what it is now.
    #[error("{0}")]
    Conflict(String),
    /// Not possible now; the message says why.
    #[error("{0}")]
    Refused(String),
    /// The request itself was malformed.
    #[error("{0}")]
    BadRequest(String),
    /// The server failed; the cause is in the server's log.
    #[error("Something went wrong on our side. Please try again in a moment.")]
    Internal,
    /// The server cannot do this just now (too busy); the message says so.
    #[error("{0}")]
    Unavailable(String),
    /// The browser could not reach the server or understand its answer.
    #[error("We could not reach the portal. Check your connection and try again.")]
    Unreachable,
}

impl AppError {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Invalid(_) | AppError::InvalidInputs(_) => 422,
            AppError::NotFound => 404,
            AppError::SignInRequired => 401,
            AppError::Forbidden | AppError::Denied(_) => 403,
            AppError::Unauthorized(_) => 401,
            AppError::TooManyRequests => 429,
            AppError::Conflict(_) => 409,
            AppError::Refused(_) => 422,
            AppError::BadRequest(_) => 400,
            AppError::Internal | AppError::Unavailable(_) => 503,
            AppError::Unreachable => 502,
        }
    }

    /// Logs the real cause on the server and returns the error a user may see.
    #[cfg(feature = "ssr")]
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        AppError::Internal
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // On the server, these mean the request could not be read.
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::Deserialization(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::UnsupportedRequestMethod(_) => {
                let error = AppError::BadRequest("The request was malformed.".into());
                #[cfg(feature = "ssr")]
                respond_with_status(error.status());
                error
            }
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::Unreachable,
            _ => AppError::Internal,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::internal(e)
    }
}

/// Sets the HTTP status of the response being rendered (a page or a server function).
#[cfg(feature = "ssr")]
pub fn respond_with_status(status: u16) {
    if let (Some(options), Ok(code)) = (
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(status),
    ) {
        options.set_status(code);
    }
}
