//! The shared state of the running portal.

use super::db::Db;
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
}

/// Cheap to clone: every part is reference-counted.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub search: SearchIndex,
    pub leptos_options: LeptosOptions,
    pub settings: Arc<PortalSettings>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
