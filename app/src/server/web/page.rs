//! Rendering a page of the portal outside the router's own page routes: a form's
//! page again, with what was typed and what went wrong.

use super::caller::Caller;
use super::state::AppState;
use crate::domain::Viewer;
use axum::body::Body;
use axum::extract::FromRequestParts;
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::provide_context;

/// What every page render needs in its Leptos context.
pub fn page_context(state: &AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    let state = state.clone();
    move || provide_context(state.clone())
}

/// Renders the portal page at `uri` for `viewer` with extra context, answering with
/// `status`.
pub async fn render_page(
    state: &AppState,
    uri: Uri,
    headers: HeaderMap,
    viewer: Viewer,
    status: StatusCode,
    extra: impl Fn() + Clone + Send + Sync + 'static,
) -> Response {
    let zone =
        super::zone::ReaderZone::for_request(viewer.account(), &headers, state.settings.time_zone);
    let base = page_context(state);
    let options = state.leptos_options.clone();
    let state = state.clone();
    let render = leptos_axum::render_app_async_with_context(
        move || {
            base();
            extra();
        },
        move || state.pages.render(options.clone()),
    );
    let mut request = Request::new(Body::empty());
    *request.method_mut() = Method::GET;
    *request.uri_mut() = uri;
    *request.headers_mut() = headers;
    request.extensions_mut().insert(viewer);
    request.extensions_mut().insert(zone);
    let mut response = render(request).await.into_response();
    *response.status_mut() = status;
    response
}

/// Answers with a form's page again, never cached, with `outcome` (what came
/// back: messages, values as typed) provided as context to the page.
pub async fn page_again<T: Clone + Send + Sync + 'static>(
    state: &AppState,
    uri: Uri,
    headers: HeaderMap,
    viewer: Viewer,
    status: StatusCode,
    outcome: T,
) -> Response {
    let extra = move || provide_context(outcome.clone());
    let mut response = render_page(state, uri, headers, viewer, status, extra).await;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A 303 to `to` that also sets (or clears) the session cookie.
pub fn redirect_with_cookie(to: &str, cookie: HeaderValue) -> Response {
    let mut response = Redirect::to(to).into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

/// The page a form was posted from, to render it again.
pub struct FormPage {
    pub caller: Caller,
    pub uri: Uri,
    pub headers: HeaderMap,
}

impl FormPage {
    /// The same request, rendering another page (a post whose form lives on
    /// another page than its address, such as `/account/password`).
    pub fn at(mut self, path: &str) -> FormPage {
        if let Ok(uri) = path.parse() {
            self.uri = uri;
        }
        self
    }
}

impl<S: Send + Sync> FromRequestParts<S> for FormPage {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let Ok(caller) = Caller::from_request_parts(parts, state).await;
        Ok(FormPage {
            caller,
            uri: parts.uri.clone(),
            headers: parts.headers.clone(),
        })
    }
}

impl FormPage {
    /// This page rendered with `outcome` as context, at `status`, never cached.
    pub async fn render<O: Clone + Send + Sync + 'static>(
        self,
        state: &AppState,
        status: StatusCode,
        outcome: O,
    ) -> Response {
        page_again(
            state,
            self.uri,
            self.headers,
            self.caller.viewer,
            status,
            outcome,
        )
        .await
    }
}

/// Back to the ticket's page, saying what was done.
pub fn back_to_ticket(uri: &axum::http::Uri, action: &str) -> String {
    let action: String = action
        .chars()
        .filter(|c| c.is_ascii_lowercase() || *c == '_')
        .take(40)
        .collect();
    format!("{}?done={action}", uri.path())
}
