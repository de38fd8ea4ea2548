//! The delivery worker: hands due messages of the outbox to the SMTP server and
//! records each outcome; once a second it first turns the news of a notice into
//! the messages of its next recipients (`store::notice_mail`).
//!
//! A message is claimed before it is sent (state `sending` until its claim runs
//! out) and marked sent once the server accepted it, each in its own committed
//! write: a restart never loses a message, and sends again only one whose
//! acceptance was not recorded — with the same Message-ID, so the rare duplicate
//! is recognisable. Each message has one recipient and its own outcome: a
//! refused address fails alone, a busy server is tried again on the schedule.

use super::compose::compose;
use super::Mailer;
use crate::server::hub::Changes;
use crate::server::store::db::Db;
use crate::server::store::notice_mail;
use crate::server::store::outbox::{self, Claimed};
use chrono::Utc;
use futures::StreamExt;
use lettre::AsyncTransport;
use std::time::Duration;

/// How often the outbox is looked at when nothing wakes the worker.
const LOOK_EVERY: Duration = Duration::from_secs(1);
/// Messages claimed at once.
const BATCH: u32 = 50;
/// Recipients of a notice's news queued at most each [`LOOK_EVERY`].
const FAN_OUT: u32 = 500;
/// Messages handed to the SMTP server at once (its connections are pooled).
const AT_ONCE: usize = 4;

/// What became of one attempt.
enum Outcome {
    Sent,
    /// Worth trying again later.
    Temporary(String),
    /// Refused for good (an unusable address, a 5xx answer).
    Permanent(String),
}

/// Starts the worker; it stops when the hub stops.
pub fn spawn_delivery(db: Db, mailer: Mailer, origin: String, changes: Changes) {
    tokio::spawn(async move {
        let mut stopping = changes.stopping();
        let mut heard = changes.listen();
        let mut fanned_out = tokio::time::Instant::now() - LOOK_EVERY;
        loop {
            if fanned_out.elapsed() >= LOOK_EVERY {
                fanned_out = tokio::time::Instant::now();
                if let Err(error) = fan_out_notices(&db).await {
                    tracing::error!(%error, "cannot queue the messages of a notice");
                }
            }
            if let Err(error) = deliver_due(&db, &mailer, &origin).await {
                tracing::error!(%error, "cannot read or update the outbox");
            }
            tokio::select! {
                _ = mailer.wake.notified() => {}
                // A committed change may have queued messages.
                _ = heard.recv() => {}
                _ = tokio::time::sleep(LOOK_EVERY) => {}
                _ = stopping.changed() => break,
            }
        }
    });
}

/// Queues the messages of a notice's news for the next [`FAN_OUT`] recipients:
/// at most that many a second, however many chose to hear of notices.
pub async fn fan_out_notices(db: &Db) -> Result<usize, sqlx::Error> {
    let mut tx = db.writer.begin().await?;
    let queued = notice_mail::fan_out(&mut tx, Utc::now(), FAN_OUT).await?;
    tx.commit().await?;
    Ok(queued)
}

/// Sends every due message, a batch at a time.
pub async fn deliver_due(db: &Db, mailer: &Mailer, origin: &str) -> Result<(), sqlx::Error> {
    loop {
        let claimed = {
            let mut conn = db.writer.acquire().await?;
            outbox::claim_due(&mut conn, Utc::now(), mailer.backoff(), BATCH).await?
        };
        let full = claimed.len() == BATCH as usize;
        let mut attempts = futures::stream::iter(claimed)
            .map(|message| async move {
                let outcome = attempt(mailer, &message, origin).await;
                (message, outcome)
            })
            .buffer_unordered(AT_ONCE);
        while let Some((message, outcome)) = attempts.next().await {
            record(db, mailer, &message, outcome).await?;
        }
        if !full {
            return Ok(());
        }
    }
}

async fn attempt(mailer: &Mailer, message: &Claimed, origin: &str) -> Outcome {
    let email = match compose(mailer, message, origin) {
        Ok(email) => email,
        Err(error) => return Outcome::Permanent(error.to_string()),
    };
    match mailer.transport.send(email).await {
        Ok(_) => Outcome::Sent,
        Err(error) if error.is_permanent() => Outcome::Permanent(error.to_string()),
        Err(error) => Outcome::Temporary(error.to_string()),
    }
}

async fn record(
    db: &Db,
    mailer: &Mailer,
    message: &Claimed,
    outcome: Outcome,
) -> Result<(), sqlx::Error> {
    let now = Utc::now();
    let mut conn = db.writer.acquire().await?;
    match outcome {
        Outcome::Sent => {
            tracing::info!(outbox_id = message.id, "mail accepted by the SMTP server");
            outbox::record_sent(&mut conn, message, now).await
        }
        Outcome::Permanent(error) => {
            tracing::warn!(outbox_id = message.id, %error, "mail refused for good");
            outbox::record_failure(&mut conn, message.id, &error, None).await
        }
        Outcome::Temporary(error) => {
            let next = mailer
                .backoff()
                .next_attempt(message.attempts, message.created_at, now);
            tracing::warn!(outbox_id = message.id, %error, retry = ?next, "mail not sent for now");
            outbox::record_failure(&mut conn, message.id, &error, next).await
        }
    }
}
