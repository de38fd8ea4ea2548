//! What a page render or a server function reads from its Leptos context: the
//! state, who is asking, and the answer's status and headers.

use super::caller::{authorize, Access};
use super::state::AppState;
use crate::domain::{Account, Viewer};
use crate::error::AppError;

/// The state of the running portal, as provided to every server function and page.
pub fn app_state() -> Result<AppState, AppError> {
    leptos::prelude::use_context::<AppState>()
        .ok_or_else(|| AppError::internal("AppState missing from the Leptos context"))
}

/// Who is asking, as the session middleware found out: from the request in the
/// Leptos context (a page render or a server function call).
pub fn viewer() -> Viewer {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Viewer>().cloned())
        .unwrap_or_default()
}

/// [`serve`] for a server function that only some accounts may call: the caller is
/// checked before anything else happens, and handed to the body.
pub async fn serve_as<T, F>(
    access: Access,
    body: impl FnOnce(AppState, Account) -> F,
) -> Result<T, AppError>
where
    F: std::future::Future<Output = Result<T, AppError>>,
{
    let viewer = viewer();
    serve(|state| async move {
        let account = authorize(&viewer, access)?;
        body(state, account).await
    })
    .await
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

/// Sets the Content-Security-Policy of the page being rendered. Its scripts are
/// allowed by this response's nonce (Leptos puts it on each script it writes) and
/// what they load (`strict-dynamic`); nothing inline without the nonce runs, no
/// plugin loads, no other site frames the page or receives its forms.
pub fn content_security_policy() {
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}
