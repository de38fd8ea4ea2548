//! Who is asking, worked out once per request: the session cookie (the sessions
//! themselves are stored in `store::sessions`), and the client's address,
//! through trusted reverse proxies.

use super::caller::ClientAddress;
use super::deployment::{ForwardedHeader, PortalSettings};
use super::state::AppState;
use crate::domain::{plausible_token, Viewer};
use crate::server::store::sessions::{self, ABSOLUTE};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use chrono::Utc;
use std::net::{IpAddr, SocketAddr};

/// The cookie's name: `__Host-` prefixed (Secure, whole site, this host only) when
/// the portal is served over https. Browsers refuse `__Host-` cookies on plain http,
/// so a development server on http://127.0.0.1 uses the bare name.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-portal_session"
    } else {
        "portal_session"
    }
}

/// The `Set-Cookie` value that hands a browser its session.
pub fn session_cookie(token: &str, secure: bool) -> HeaderValue {
    let secure_attr = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure_attr}",
        cookie_name(secure),
        ABSOLUTE.num_seconds()
    ))
    .expect("a token is a valid header value")
}

/// The `Set-Cookie` value that makes a browser forget its session.
pub fn clear_cookie(secure: bool) -> HeaderValue {
    let secure_attr = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure_attr}",
        cookie_name(secure)
    ))
    .expect("a static header value")
}

/// The session token the request carries, if any.
pub fn token_from(headers: &HeaderMap, secure: bool) -> Option<String> {
    super::cookie::cookie(headers, cookie_name(secure))
        .map(str::to_string)
        .filter(|t| plausible_token(t))
}

/// The client a request comes from: the peer, or, when the peer is a trusted
/// reverse proxy, the address the proxies say they forwarded for — read from the
/// right, past every trusted proxy, so that a client cannot choose its own
/// address by sending the header itself. Only the configured header is read
/// (`X-Forwarded-For` unless `Forwarded` is chosen): proxies pass the other
/// through as the client wrote it.
pub fn client_behind(peer: IpAddr, headers: &HeaderMap, settings: &PortalSettings) -> IpAddr {
    let peer = peer.to_canonical();
    if !settings.is_trusted_proxy(peer) {
        return peer;
    }
    let values = |name| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
    };
    let hops: Vec<&str> = match settings.forwarded_header {
        ForwardedHeader::XForwardedFor => {
            values(HeaderName::from_static("x-forwarded-for")).collect()
        }
        ForwardedHeader::Forwarded => values(header::FORWARDED)
            .filter_map(|element| {
                element.split(';').find_map(|pair| {
                    let (name, value) = pair.trim().split_once('=')?;
                    name.eq_ignore_ascii_case("for").then_some(value)
                })
            })
            .collect(),
    };
    let mut client = peer;
    for hop in hops.iter().rev() {
        if !settings.is_trusted_proxy(client) {
            break;
        }
        match forwarded_address(hop) {
            Some(address) => client = address.to_canonical(),
            // "unknown" or an obfuscated name: the last proxy is all we know.
            None => break,
        }
    }
    client
}

/// An address as a forwarding header writes it: `192.0.2.1`, `192.0.2.1:4711`,
/// `"[2001:db8::1]:4711"`, `2001:db8::1`.
fn forwarded_address(raw: &str) -> Option<IpAddr> {
    let raw = raw.trim().trim_matches('"');
    if let Ok(ip) = raw.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Some(rest) = raw.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    raw.rsplit_once(':')?
        .0
        .parse::<std::net::Ipv4Addr>()
        .ok()
        .map(IpAddr::V4)
}

/// Middleware: works out who is asking and puts a [`Viewer`], a
/// [`ClientAddress`] and the [`ReaderZone`](super::zone::ReaderZone) into the
/// request's extensions, where pages, server functions
/// and form handlers read them. A cookie that no longer opens a session is cleared.
pub async fn resolve_viewer(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let address = match peer {
        Some(peer) => client_behind(peer, request.headers(), &state.settings).to_string(),
        None => "local".to_string(),
    };
    request.extensions_mut().insert(ClientAddress(address));
    let secure = state.settings.secure_cookies;
    let token = if request.uri().path().starts_with("/pkg/") {
        None
    } else {
        token_from(request.headers(), secure)
    };
    let mut stale = false;
    let viewer = match token {
        None => Viewer::Anonymous,
        Some(token) => match sessions::account_for(&state.db, &token, Utc::now()).await {
            Ok(Some(account)) => Viewer::SignedIn(account),
            Ok(None) => {
                stale = true;
                Viewer::Anonymous
            }
            Err(error) => {
                tracing::error!(%error, "session lookup failed");
                Viewer::Anonymous
            }
        },
    };
    let zone = super::zone::ReaderZone::for_request(
        viewer.account(),
        request.headers(),
        state.settings.time_zone,
    );
    request.extensions_mut().insert(zone);
    request.extensions_mut().insert(viewer);
    let mut response = next.run(request).await;
    if stale && !response.headers().contains_key(header::SET_COOKIE) {
        response
            .headers_mut()
            .append(header::SET_COOKIE, clear_cookie(secure));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> PortalSettings {
        PortalSettings::new(
            None,
            "127.0.0.1:3000".parse().unwrap(),
            &["127.0.0.1".into(), "10.0.0.0/8".into()],
        )
        .unwrap()
    }

    fn client(peer: &str, headers: &[(&str, &str)]) -> String {
        client_with(settings(), peer, headers)
    }

    fn client_with(settings: PortalSettings, peer: &str, headers: &[(&str, &str)]) -> String {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(
                axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        client_behind(peer.parse().unwrap(), &map, &settings).to_string()
    }

    #[test]
    fn only_a_trusted_proxy_may_name_the_client() {
        let spoofed = [("x-forwarded-for", "6.6.6.6")];
        assert_eq!(client("203.0.113.9", &spoofed), "203.0.113.9");
        assert_eq!(client("127.0.0.1", &spoofed), "6.6.6.6");
        assert_eq!(client("127.0.0.1", &[]), "127.0.0.1");
    }

    #[test]
    fn the_client_is_the_first_untrusted_hop_from_the_right() {
        // The client wrote 6.6.6.6 itself; the proxies appended what they saw.
        let chain = [("x-forwarded-for", "6.6.6.6, 198.51.100.7, 10.1.1.1")];
        assert_eq!(client("127.0.0.1", &chain), "198.51.100.7");
        let mapped = [("x-forwarded-for", "::ffff:192.0.2.1")];
        assert_eq!(client("127.0.0.1", &mapped), "192.0.2.1");
        assert_eq!(client("::ffff:127.0.0.1", &chain), "198.51.100.7");
        // Only the configured header counts: the other is the client's own.
        let both = [
            ("x-forwarded-for", "198.51.100.7"),
            ("forwarded", "for=6.6.6.6"),
        ];
        assert_eq!(client("127.0.0.1", &both), "198.51.100.7");
        let mut rfc = settings();
        rfc.forwarded_header = ForwardedHeader::Forwarded;
        let forwarded = [(
            "forwarded",
            "for=6.6.6.6, for=\"[2001:db8:cafe::17]:4711\";proto=https, for=10.2.2.2:80",
        )];
        assert_eq!(
            client_with(rfc.clone(), "10.0.0.5", &forwarded),
            "2001:db8:cafe::17"
        );
        let unknown = [("forwarded", "for=unknown")];
        assert_eq!(client_with(rfc.clone(), "127.0.0.1", &unknown), "127.0.0.1");
        assert_eq!(client_with(rfc, "127.0.0.1", &both), "6.6.6.6");
    }
}
