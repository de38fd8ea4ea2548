//! The shared state of the running portal, handed to every handler, page and
//! server function.

use super::deployment::PortalSettings;
use super::limits::Limits;
use crate::server::hub::Changes;
use crate::server::search::SearchIndex;
use crate::server::store::db::Db;
use crate::server::store::files::FileStore;
use axum::extract::FromRef;
use leptos::prelude::{AnyView, LeptosOptions};
use std::sync::Arc;

/// Cheap to clone: every part is reference-counted.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// The bytes of attached files.
    pub files: FileStore,
    /// Committed changes, told to the pages that show them live.
    pub changes: Changes,
    pub search: SearchIndex,
    pub leptos_options: LeptosOptions,
    pub settings: Arc<PortalSettings>,
    pub limits: Arc<Limits>,
    /// Renders a page of the portal.
    pub pages: Pages,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The HTML document around every page, handed in by the router: the web kit
/// renders pages without naming the views they are made of.
#[derive(Clone)]
pub struct Pages(Arc<dyn Fn(LeptosOptions) -> AnyView + Send + Sync>);

impl Pages {
    pub fn new(shell: impl Fn(LeptosOptions) -> AnyView + Send + Sync + 'static) -> Pages {
        Pages(Arc::new(shell))
    }

    /// The page the request in context asks for.
    pub fn render(&self, options: LeptosOptions) -> AnyView {
        (self.0)(options)
    }
}
