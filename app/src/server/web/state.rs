//! The shared state of the running portal, handed to every handler, page and
//! server function.

use super::deployment::PortalSettings;
use super::limits::Limits;
use crate::domain::AttachmentRules;
use crate::server::attachments::scan::Scanner;
use crate::server::hub::Changes;
use crate::server::mail::Mailer;
use crate::server::search::SearchIndex;
use crate::server::store::db::Db;
use crate::server::store::files::FileStore;
use axum::extract::FromRef;
use leptos::prelude::{AnyView, LeptosOptions};
use std::sync::{Arc, RwLock};

/// The portal's parts, shared: cloning the state (every middleware, page and
/// server function does, per request) is one reference count, not one per part.
#[derive(Clone)]
pub struct AppState(Arc<Parts>);

impl AppState {
    pub fn new(parts: Parts) -> AppState {
        AppState(Arc::new(parts))
    }
}

impl std::ops::Deref for AppState {
    type Target = Parts;
    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// What the state holds.
pub struct Parts {
    pub db: Db,
    /// The bytes of attached files.
    pub files: FileStore,
    /// The virus scanner files are held to, when one is configured.
    pub scanner: Option<Scanner>,
    /// The SMTP server messages are handed to, when one is configured; without
    /// it, messages wait in the outbox.
    pub mailer: Option<Mailer>,
    /// The desk's mailbox as read (its description), when one is configured.
    pub inbox: Option<String>,
    /// Committed changes, told to the pages that show them live.
    pub changes: Changes,
    pub search: SearchIndex,
    pub leptos_options: LeptosOptions,
    pub settings: Arc<PortalSettings>,
    pub limits: Arc<Limits>,
    /// What may be attached (an admin setting), known before a body is read.
    pub attachment_rules: Current<AttachmentRules>,
    /// Renders a page of the portal.
    pub pages: Pages,
    /// What nearly every page shows, kept in memory.
    pub shown: Arc<super::shown::Shown>,
}

impl AppState {
    /// Tells the delivery worker, if mail is sent, that a committed change queued
    /// a message: it goes out now instead of at the worker's next round.
    pub fn mail_queued(&self) {
        if let Some(mailer) = &self.mailer {
            mailer.wake();
        }
    }
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

/// A setting read on every request that needs it, kept in memory: loaded at
/// start and replaced by the handler that saves it, after its transaction
/// commits.
#[derive(Clone, Debug, Default)]
pub struct Current<T: Copy>(Arc<RwLock<T>>);

impl<T: Copy> Current<T> {
    pub fn new(value: T) -> Current<T> {
        Current(Arc::new(RwLock::new(value)))
    }

    pub fn get(&self) -> T {
        *self
            .0
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn set(&self, value: T) {
        *self
            .0
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = value;
    }
}
