//! The event hub: every committed change that open pages may show passes through
//! it once its transaction has committed. It is owned by the application state;
//! the event streams of `live` listen to it, and shutdown stops it, which ends
//! every open stream.

use crate::domain::TicketId;
use crate::domain::UserId;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::{broadcast, watch};

/// A committed change to a ticket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketChange {
    pub ticket_id: TicketId,
    pub number: String,
    /// The reporter can see what changed (not only an internal note).
    pub public: bool,
}

/// Anything committed that open pages may show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    Ticket(TicketChange),
    /// A service-failure notice was published, updated or resolved.
    Notices,
    /// Every session of this account ended (sign-out, password change or reset,
    /// role change, deactivation): its open streams end too.
    SessionsEnded(UserId),
}

/// The hub every change passes through once committed.
#[derive(Clone, Debug)]
pub struct Changes {
    sender: broadcast::Sender<Change>,
    stop: watch::Sender<bool>,
    /// Moves on every change to what nearly every page shows (notices, the
    /// offered services), before the change is told: copies kept of it
    /// (`web::shown`) are stale once it has moved.
    shown: Arc<AtomicU64>,
}

impl Default for Changes {
    fn default() -> Self {
        Changes {
            // A listener that falls this far behind just refreshes once.
            sender: broadcast::channel(1024).0,
            stop: watch::channel(false).0,
            shown: Arc::default(),
        }
    }
}

impl Changes {
    /// Tells every listener; nobody listening is fine.
    pub fn publish(&self, change: TicketChange) {
        let _ = self.sender.send(Change::Ticket(change));
    }

    /// Tells every open page that the notices changed.
    pub fn publish_notices(&self) {
        self.shown.fetch_add(1, Ordering::SeqCst);
        let _ = self.sender.send(Change::Notices);
    }

    /// Says that the offered services (their names, order, or which are
    /// offered) changed; no open page listens for that.
    pub fn services_changed(&self) {
        self.shown.fetch_add(1, Ordering::SeqCst);
    }

    /// How many times what nearly every page shows has changed here.
    pub fn shown_generation(&self) -> u64 {
        self.shown.load(Ordering::SeqCst)
    }

    /// Ends every open stream of the account, whose sessions were just revoked:
    /// what it was allowed to hear, it may no longer be.
    pub fn sessions_ended(&self, account: UserId) {
        let _ = self.sender.send(Change::SessionsEnded(account));
    }

    /// Ends every open stream, so that a graceful shutdown is not held up by
    /// pages that would listen forever.
    pub fn stop(&self) {
        self.stop.send_replace(true);
    }

    /// Hears every change from now on.
    pub fn listen(&self) -> broadcast::Receiver<Change> {
        self.sender.subscribe()
    }

    /// Says when the hub stops (true once [`Changes::stop`] was called).
    pub fn stopping(&self) -> watch::Receiver<bool> {
        self.stop.subscribe()
    }
}
