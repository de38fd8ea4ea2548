//! Everything that only runs on the server: storage, search, ticket logic, demo
//! content and the plain-HTML form handlers. Compiled only with the `ssr` feature.

pub mod catalog;
pub mod db;
pub mod demo;
pub mod forms;
pub mod knowledge;
pub mod markdown;
pub mod notices;
pub mod search;
pub mod state;
pub mod tickets;

pub use state::AppState;

use crate::error::AppError;

/// The state of the running portal, as provided to every server function and page.
pub fn app_state() -> Result<AppState, AppError> {
    leptos::prelude::use_context::<AppState>()
        .ok_or_else(|| AppError::internal("AppState missing from the Leptos context"))
}

/// Sets the HTTP status of the response being rendered (a page or a server function).
pub fn respond_with_status(status: u16) {
    if let (Some(options), Ok(code)) = (
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(status),
    ) {
        options.set_status(code);
    }
}

/// Runs the body of a server function and sets the response status of its error.
///
/// Leptos context is only reliably reachable before a server function first awaits
/// (the rest of its future may be polled outside the request's reactive owner), so
/// the state and the response handle are taken here, up front, and handed in.
pub async fn serve<T, F>(body: impl FnOnce(AppState) -> F) -> Result<T, AppError>
where
    F: std::future::Future<Output = Result<T, AppError>>,
{
    let response = leptos::prelude::use_context::<leptos_axum::ResponseOptions>();
    let result = match app_state() {
        Ok(state) => body(state).await,
        Err(error) => Err(error),
    };
    if let (Err(error), Some(response)) = (&result, response) {
        if let Ok(code) = http::StatusCode::from_u16(error.status()) {
            response.set_status(code);
        }
    }
    result
}
