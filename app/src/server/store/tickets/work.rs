//! The one way a ticket changes: [`TicketWork`].
//!
//! Every change to a ticket — by the desk, its reporter, the SLA clock, the
//! accounts (linking earlier tickets on confirmation), knowledge authoring (a
//! known error linked to its incident), logging and "this is my problem too" —
//! is written by [`TicketWork::record`]: its history entry, its version bump
//! (guarded by the version its author saw, when there is one), and, once the
//! transaction has committed ([`TicketWork::commit`]), the word to every open
//! page that shows the ticket. Nothing else writes `ticket_events` or bumps a
//! version.

use super::mail::{self, Mailing};
use crate::domain::{TicketId, UserId};
use crate::domain::{TicketNumber, Visibility};
use crate::server::hub::{Changes, TicketChange};
use crate::server::store::attachments::{self, ClaimError, Files};
use crate::server::store::db::Db;
use chrono::{DateTime, Utc};
use sqlx::{Sqlite, SqliteConnection, Transaction};

/// A ticket as a change names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TicketRef {
    pub id: TicketId,
    pub number: TicketNumber,
}

/// One entry of a ticket's history.
#[derive(Clone, Debug)]
pub struct Entry<'a> {
    pub at: DateTime<Utc>,
    pub actor: &'a str,
    pub kind: &'a str,
    pub visibility: Visibility,
    pub body: &'a str,
    /// The agent or admin who made the change (`None`: the reporter, a
    /// follower, the portal itself), so nobody is mailed about their own doing.
    pub by: Option<UserId>,
}

/// Whose view the change reaches besides the desk's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seen {
    /// The reporter's page shows it too.
    ByReporter,
    /// Only the desk sees it.
    ByDesk,
}

/// Why a change was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The ticket was changed by someone else since its author saw it.
    #[error("the ticket changed meanwhile")]
    Stale,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// A transaction that changes tickets.
pub struct TicketWork<'a> {
    tx: Transaction<'static, Sqlite>,
    hub: &'a Changes,
    /// When the work is done: every ticket it changes was last updated then.
    now: DateTime<Utc>,
    changed: Vec<TicketChange>,
    /// The last history entry written: the one files are attached to.
    last_entry: Option<(TicketId, i64)>,
    /// What the changes may be mailed about, queued in the outbox at commit.
    mailings: Vec<Mailing>,
}

impl<'a> TicketWork<'a> {
    /// Starts the transaction on the writer connection.
    pub async fn begin(
        db: &Db,
        hub: &'a Changes,
        now: DateTime<Utc>,
    ) -> Result<TicketWork<'a>, sqlx::Error> {
        Ok(TicketWork {
            tx: db.writer.begin().await?,
            hub,
            now,
            changed: Vec::new(),
            last_entry: None,
            mailings: Vec::new(),
        })
    }

    /// The transaction, for what the change writes besides the ticket's history
    /// (its facts, links, checklist, followers).
    pub fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.tx
    }

    /// Records one change to `ticket`, only if its version is still `seen` (what
    /// its author saw): its history entry and its new version, answered.
    pub async fn record(
        &mut self,
        ticket: TicketRef,
        seen: i64,
        entry: Entry<'_>,
        seen_by: Seen,
    ) -> Result<i64, RecordError> {
        self.write(ticket, Some(seen), entry, seen_by).await
    }

    /// Records one change to `ticket` whatever its version (the portal's own
    /// changes: the SLA clock, updates copied from a major incident, a follower).
    pub async fn record_any(
        &mut self,
        ticket: TicketRef,
        entry: Entry<'_>,
        seen_by: Seen,
    ) -> Result<i64, sqlx::Error> {
        match self.write(ticket, None, entry, seen_by).await {
            Ok(version) => Ok(version),
            Err(RecordError::Database(error)) => Err(error),
            Err(RecordError::Stale) => Err(sqlx::Error::RowNotFound),
        }
    }

    async fn write(
        &mut self,
        ticket: TicketRef,
        seen: Option<i64>,
        entry: Entry<'_>,
        seen_by: Seen,
    ) -> Result<i64, RecordError> {
        let version: Option<i64> = sqlx::query_scalar(
            "UPDATE tickets SET version = version + 1, updated_at = ?1
             WHERE id = ?2 AND (?3 IS NULL OR version = ?3) RETURNING version",
        )
        .bind(self.now)
        .bind(ticket.id)
        .bind(seen)
        .fetch_optional(&mut *self.tx)
        .await?;
        let version = version.ok_or(RecordError::Stale)?;
        let entry_id: i64 = sqlx::query_scalar(
            "INSERT INTO ticket_events (ticket_id, at, actor, kind, visibility, body)
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(ticket.id)
        .bind(entry.at)
        .bind(entry.actor)
        .bind(entry.kind)
        .bind(entry.visibility.as_str())
        .bind(entry.body)
        .fetch_one(&mut *self.tx)
        .await?;
        self.last_entry = Some((ticket.id, entry_id));
        self.mailings.push(Mailing {
            ticket_id: ticket.id,
            number: ticket.number,
            kind: entry.kind.to_string(),
            actor: entry.actor.to_string(),
            body: entry.body.to_string(),
            public: entry.visibility == Visibility::Public,
            by: entry.by,
            status_link: None,
            tell_reporter: true,
        });
        let public = seen_by == Seen::ByReporter;
        match self.changed.iter_mut().find(|c| c.ticket_id == ticket.id) {
            Some(change) => change.public |= public,
            None => self.changed.push(TicketChange {
                ticket_id: ticket.id,
                number: ticket.number.to_string(),
                public,
            }),
        }
        Ok(version)
    }

    /// Attaches `files` (unclaimed uploads) to the history entry recorded last;
    /// who may see them is who may see that entry.
    pub async fn attach(&mut self, files: &Files) -> Result<(), ClaimError> {
        if files.ids.is_empty() {
            return Ok(());
        }
        let (ticket, entry) = self.last_entry.ok_or(ClaimError::Gone)?;
        attachments::claim(&mut self.tx, ticket, entry, files).await
    }

    /// The history entry recorded last, if any.
    pub fn last_entry(&self) -> Option<i64> {
        self.last_entry.map(|(_, entry)| entry)
    }

    /// Attaches to the history entry recorded last a copy of every file of
    /// entry `from` (the update of a major incident, in a linked ticket).
    pub async fn attach_copies_of(&mut self, from: i64) -> Result<(), sqlx::Error> {
        match self.last_entry {
            Some((ticket, entry)) => attachments::copy_to(&mut self.tx, from, ticket, entry).await,
            None => Ok(()),
        }
    }

    /// The private status link of a ticket just logged, for the message that
    /// tells its reporter (the link is stored only as its hash).
    pub fn mail_status_link(&mut self, ticket: TicketId, token: &str) {
        if let Some(mailing) = self
            .mailings
            .iter_mut()
            .find(|m| m.ticket_id == ticket && m.kind == "logged")
        {
            mailing.status_link = Some(token.to_string());
        }
    }

    /// No message about `ticket` goes to its reporter from this change.
    pub fn tell_reporter_nothing(&mut self, ticket: TicketId) {
        for mailing in self.mailings.iter_mut().filter(|m| m.ticket_id == ticket) {
            mailing.tell_reporter = false;
        }
    }

    /// Queues the messages the changes call for, in the same transaction;
    /// commits every change; then tells the open pages that show them (and the
    /// delivery worker, which listens too).
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        mail::queue_for(&mut self.tx, &self.mailings, self.now).await?;
        self.tx.commit().await?;
        for change in self.changed {
            self.hub.publish(change);
        }
        Ok(())
    }
}
