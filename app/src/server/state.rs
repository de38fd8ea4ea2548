//! The shared state of the running portal.

use super::db::Db;
use super::limits::Limits;
use super::search::SearchIndex;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::sync::Arc;

/// Settings that pages need at run time.
#[derive(Clone, Debug, Default)]
pub struct PortalSettings {
    /// The address users reach the portal at (e.g. `https://help.example.com`),
    /// used to print absolute links such as the private status link. When absent,
    /// the request's `Host` header is used.
    pub public_url: Option<String>,
    /// Served over https (the public URL says so): session cookies are `Secure` and
    /// `__Host-` prefixed, and responses carry HSTS.
    pub secure_cookies: bool,
}

impl PortalSettings {
    pub fn new(public_url: Option<String>) -> PortalSettings {
        let secure_cookies = public_url
            .as_deref()
            .is_some_and(|url| url.to_ascii_lowercase().starts_with("https://"));
        PortalSettings {
            public_url,
            secure_cookies,
        }
    }

    /// The address the portal is reached at: configured, or from the request's
    /// `Host` header (when it looks like a host name).
    pub fn origin(&self, headers: &http::HeaderMap) -> String {
        if let Some(url) = &self.public_url {
            return url.trim_end_matches('/').to_string();
        }
        let host = headers
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| {
                !h.is_empty()
                    && h.chars()
                        .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
            })
            .unwrap_or("localhost");
        format!("http://{host}")
    }
}

/// Cheap to clone: every part is reference-counted.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub search: SearchIndex,
    pub leptos_options: LeptosOptions,
    pub settings: Arc<PortalSettings>,
    pub limits: Arc<Limits>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
