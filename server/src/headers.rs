//! Response headers every answer carries, the same-origin rule for writes, and
//! the time limit on every request.

use app::domain::Viewer;
use app::server::web::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Duration;

/// Adds the headers that tell browsers to be strict with our pages. Pages set their
/// own Content-Security-Policy (with the response's script nonce); anything else
/// gets one that allows nothing to run. Over https, HSTS keeps browsers on https.
/// Pages for a signed-in person, and pages whose address carries a secret (a
/// private status link, a reset or confirmation link) or that show a looked-up
/// ticket, are never stored by the browser or a proxy.
pub async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let signed_in = matches!(
        request.extensions().get::<Viewer>(),
        Some(Viewer::SignedIn(_))
    );
    let private = signed_in || holds_secret(request.uri().path());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
            ),
        );
    }
    if state.settings.secure_cookies {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if private && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// Whether the page at `path` holds a secret: its address (a status, reset or
/// confirmation link) or what it shows (a ticket looked up by number and e-mail).
fn holds_secret(path: &str) -> bool {
    // The sign-in page may carry a confirmation link to return to in `next`.
    matches!(path, "/status" | "/sign-in")
        || ["/status/", "/reset-password/", "/verify-email/"]
            .iter()
            .any(|prefix| path.starts_with(prefix))
}

/// Refuses state-changing requests that a browser says come from another site.
///
/// Browsers send `Sec-Fetch-Site` and `Origin` with every cross-site POST, so a page
/// elsewhere cannot submit a form or call a server function here on a user's
/// behalf. Requests without either header (command-line clients) carry no cookies
/// of a victim and are let through.
pub async fn same_origin_writes(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && !same_origin(&request) {
        tracing::warn!(path = %loggable_path(request.uri().path()), "refused a cross-site write");
        return (
            StatusCode::FORBIDDEN,
            "This form was sent from another site, so it was refused. Open the portal and try again.",
        )
            .into_response();
    }
    next.run(request).await
}

fn same_origin(request: &Request) -> bool {
    let headers = request.headers();
    if let Some(site) = headers.get("sec-fetch-site") {
        return matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    match headers.get(header::ORIGIN) {
        None => true,
        Some(origin) => {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
            let origin_host = origin
                .to_str()
                .ok()
                .and_then(|o| o.split_once("://"))
                .map(|(_, rest)| rest);
            matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
        }
    }
}

/// A request's path as it may be written to the log: a segment that could be a
/// secret (a status, reset or confirmation link's token) is replaced by
/// `{token}`, so the log never holds a working link.
pub fn loggable_path(path: &str) -> String {
    let mut after_secret_route = false;
    path.split('/')
        .map(|segment| {
            let secret = after_secret_route || app::domain::plausible_token(segment);
            after_secret_route = SECRET_ROUTES.contains(&segment);
            if secret {
                "{token}"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The routes whose next path segment is a secret, however it is spelt.
const SECRET_ROUTES: [&str; 3] = ["status", "reset-password", "verify-email"];

/// Limits the request's body to `limit` bytes and runs it: a declared length
/// over the limit is answered 413 at once; a body that grows past it fails its
/// reader (which answers 413 too).
pub async fn limit_body(limit: usize, request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            "What was sent is larger than the portal accepts. Nothing was saved.",
        )
            .into_response();
    }
    let request =
        request.map(|body| axum::body::Body::new(http_body_util::Limited::new(body, limit)));
    next.run(request).await
}

/// Whether `path` is one of the route `patterns` (`{name}` stands for any one
/// segment).
pub fn matches_route(patterns: &[&str], path: &str) -> bool {
    patterns.iter().any(|pattern| {
        let mut wanted = pattern.split('/');
        let mut given = path.split('/');
        loop {
            match (wanted.next(), given.next()) {
                (None, None) => return true,
                (Some(w), Some(g)) if w.starts_with('{') && !g.is_empty() => {}
                (Some(w), Some(g)) if w == g => {}
                _ => return false,
            }
        }
    })
}

/// Answers `503 Service Unavailable` with a plain explanation when a request
/// takes longer than `limit`, and logs which one it was. The unfinished work is
/// dropped: a database transaction still open is rolled back, never half-kept.
pub async fn time_limit(limit: Duration, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = loggable_path(request.uri().path());
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::error!(%method, %path, ?limit, "request took too long; answered 503");
            let mut response = (
                StatusCode::SERVICE_UNAVAILABLE,
                "The portal took too long to answer. Please try again in a moment.",
            )
                .into_response();
            let headers = response.headers_mut();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            headers.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
            );
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::{to_bytes, Body};
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    fn limited(handler_takes: Duration) -> Router {
        Router::new()
            .route(
                "/",
                get(move || async move {
                    tokio::time::sleep(handler_takes).await;
                    "done"
                }),
            )
            .layer(axum::middleware::from_fn(|request, next| {
                time_limit(Duration::from_secs(30), request, next)
            }))
    }

    async fn answer(router: Router) -> (StatusCode, String) {
        let request = Request::get("/").body(Body::empty()).unwrap();
        let response = router.oneshot(request).await.unwrap();
        let status = response.status();
        let body = to_bytes(response.into_body(), 4096).await.unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[test]
    fn secrets_in_paths_never_reach_the_log() {
        let token = "Ab-_".repeat(10) + "xyz";
        assert_eq!(
            loggable_path(&format!("/reset-password/{token}")),
            "/reset-password/{token}"
        );
        assert_eq!(
            loggable_path(&format!("/status/{token}")),
            "/status/{token}"
        );
        assert_eq!(
            loggable_path("/agent/tickets/INC0001001"),
            "/agent/tickets/INC0001001"
        );
        assert_eq!(loggable_path("/status/%41%41bc"), "/status/{token}");
        assert_eq!(loggable_path("/status"), "/status");
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_over_the_limit_gets_a_503_that_says_what_happened() {
        let (status, body) = answer(limited(Duration::from_secs(31))).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(body.contains("took too long"), "{body}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_inside_the_limit_is_answered_by_its_handler() {
        let (status, body) = answer(limited(Duration::from_secs(29))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, "done");
    }
}
