//! The outbox: every message the portal writes, kept in the same transaction as
//! the change that causes it. A message carrying a secret link stores only the
//! secret's hash, so the link can be struck from it once used.

use crate::domain::{Backoff, Delivery, MailTrouble, OutboxMessage};
use crate::server::mail::token::SigningKey;
use crate::server::secrets::{hash_token, plausible_token, unhex};
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

impl SecretLink {
    pub fn as_str(self) -> &'static str {
        match self {
            SecretLink::Invitation => "invitation",
            SecretLink::Reset => "reset",
            SecretLink::Confirmation => "confirmation",
        }
    }
}

/// The kind of secret link a message carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretLink {
    /// Choosing the first password of an account an admin created.
    Invitation,
    /// Choosing a new password.
    Reset,
    /// Confirming an e-mail address.
    Confirmation,
}

/// A message to write into the outbox.
#[derive(Clone, Copy, Debug)]
pub struct NewMessage<'a> {
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    /// The secret link it carries, if any, so the link can be struck once used.
    pub link: Option<(&'a str, SecretLink)>,
    /// What it is about (a ticket number), so a mail client threads the
    /// messages of one ticket together.
    pub thread: Option<&'a str>,
}

/// Queues a message for delivery, due at once; it is sent by the delivery
/// worker once the caller's transaction commits (never before: the worker reads
/// only committed rows).
pub async fn queue(
    conn: &mut SqliteConnection,
    message: &NewMessage<'_>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO outbox (recipient, subject, body, created_at, secret_hash, link_kind,
                             state, next_attempt_at, message_key, thread)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?4, lower(hex(randomblob(16))), ?7)
         RETURNING id",
    )
    .bind(message.recipient)
    .bind(message.subject)
    .bind(message.body)
    .bind(now)
    .bind(message.link.map(|(secret, _)| hash_token(secret).to_vec()))
    .bind(message.link.map(|(_, kind)| kind.as_str()))
    .bind(message.thread)
    .fetch_one(conn)
    .await
}

/// Queues a message that belongs to no ticket.
pub async fn queue_message(
    conn: &mut SqliteConnection,
    recipient: &str,
    subject: &str,
    body: &str,
    link: Option<(&str, SecretLink)>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let message = NewMessage {
        recipient,
        subject,
        body,
        link,
        thread: None,
    };
    queue(conn, &message, now).await.map(drop)
}

/// The setting that says whether mail is sent.
const SENDING: &str = "mail_sending";

/// Records at start whether an SMTP server is configured: ticket messages are
/// written only while one is.
pub async fn set_sending(conn: &mut SqliteConnection, on: bool) -> Result<(), sqlx::Error> {
    super::priorities::set_setting(conn, SENDING, if on { "on" } else { "off" }).await
}

/// Whether mail is sent (see [`set_sending`]).
pub async fn sending(conn: &mut SqliteConnection) -> Result<bool, sqlx::Error> {
    let value: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
        .bind(SENDING)
        .fetch_optional(conn)
        .await?;
    Ok(value.as_deref() == Some("on"))
}

/// A message claimed for one delivery attempt.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Claimed {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    /// Attempts so far, this one included.
    pub attempts: u32,
    pub message_key: String,
    pub thread: Option<String>,
}

/// What a message never tried is marked with when mail was not sent in time.
const TOO_LATE: &str = "Not sent within the time messages are kept for delivery.";

/// Claims up to `limit` due messages for one attempt each, until `now +
/// backoff.claim`: those queued or retrying whose time has come, and those whose
/// earlier claim ran out (its worker died while sending). A message never tried
/// that waited longer than the schedule allows fails instead: a password reset
/// is not sent days late.
pub async fn claim_due(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    backoff: &Backoff,
    limit: u32,
) -> Result<Vec<Claimed>, sqlx::Error> {
    sqlx::query(
        "UPDATE outbox SET state = 'failed', last_error = ?, next_attempt_at = NULL
         WHERE state = 'queued' AND attempts = 0 AND created_at < ?",
    )
    .bind(TOO_LATE)
    .bind(now - backoff.give_up_after)
    .execute(&mut *conn)
    .await?;
    sqlx::query_as(
        "UPDATE outbox
         SET state = 'sending', claimed_until = ?1, attempts = attempts + 1
         WHERE id IN (
             SELECT id FROM outbox
             WHERE state IN ('queued', 'retrying', 'sending') AND next_attempt_at <= ?2
               AND (state <> 'sending' OR claimed_until <= ?2)
             ORDER BY next_attempt_at, id LIMIT ?3)
         RETURNING id, recipient, subject, body, created_at, attempts, message_key, thread",
    )
    .bind(now + backoff.claim)
    .bind(now)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// What a secret link is replaced with once its message was handed to the mail
/// server: the recipient has it, the database need not.
const SENT_LINK: &str = "[link sent by e-mail and removed here]";

/// The SMTP server accepted the message: it is never sent again, and its secret
/// links are struck from the stored copy.
pub async fn record_sent(
    conn: &mut SqliteConnection,
    message: &Claimed,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE outbox SET state = 'sent', sent_at = ?, claimed_until = NULL,
                           next_attempt_at = NULL, last_error = NULL, body = ?
         WHERE id = ?",
    )
    .bind(now)
    .bind(replace_links(&message.body, SENT_LINK))
    .bind(message.id)
    .execute(conn)
    .await?;
    Ok(())
}

/// An attempt failed with `error`: tried again at `next`, or, without one, failed
/// for good.
pub async fn record_failure(
    conn: &mut SqliteConnection,
    id: i64,
    error: &str,
    next: Option<DateTime<Utc>>,
) -> Result<(), sqlx::Error> {
    let state = if next.is_some() {
        Delivery::Retrying
    } else {
        Delivery::Failed
    };
    sqlx::query(
        "UPDATE outbox SET state = ?, next_attempt_at = ?, claimed_until = NULL, last_error = ?
         WHERE id = ?",
    )
    .bind(state.as_str())
    .bind(next)
    .bind(error)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// An admin asks for another attempt now of a message that is retrying or
/// failed; `false` when there is no such message in either state.
pub async fn send_again(
    conn: &mut SqliteConnection,
    id: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE outbox SET state = 'queued', next_attempt_at = ?
         WHERE id = ? AND state IN ('retrying', 'failed')",
    )
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether a message with this id exists.
pub async fn exists(conn: &mut SqliteConnection, id: i64) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM outbox WHERE id = ?)")
        .bind(id)
        .fetch_one(conn)
        .await
}

/// What a used link is replaced with in the stored message.
const USED_LINK: &str = "[link used and removed]";

/// What an admin reading the outbox sees instead of someone else's secret link.
const HIDDEN_LINK: &str = "[link hidden: only its recipient may use it]";

/// Strikes a used secret from the messages that carried it: the database keeps
/// what was sent, not a credential.
pub async fn strike_link(conn: &mut SqliteConnection, token: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE outbox SET body = replace(body, ?, ?) WHERE secret_hash = ?")
        .bind(token)
        .bind(USED_LINK)
        .bind(hash_token(token).to_vec())
        .execute(conn)
        .await?;
    Ok(())
}

/// `body` with every secret token hidden from an admin.
fn hide_links(body: &str) -> String {
    replace_links(body, HIDDEN_LINK)
}

/// `body` with every secret token (43 URL-safe characters after a `/`) replaced
/// by `with`.
fn replace_links(body: &str, with: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(slash) = rest.find('/') {
        let (before, after) = rest.split_at(slash + 1);
        out.push_str(before);
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(after.len());
        if plausible_token(&after[..end]) {
            out.push_str(with);
        } else {
            out.push_str(&after[..end]);
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// A message in the outbox, and whether its secret link may be shown.
#[derive(sqlx::FromRow)]
struct OutboxRow {
    id: i64,
    recipient: String,
    subject: String,
    body: String,
    created_at: DateTime<Utc>,
    shown: Option<bool>,
    state: String,
    attempts: u32,
    next_attempt_at: Option<DateTime<Utc>>,
    sent_at: Option<DateTime<Utc>>,
    last_error: Option<String>,
}

/// The newest messages, as an admin may read them: an invitation's link is shown
/// while it works and has not been sent (the admin may hand it over), every other
/// secret link — resets and confirmations prove the recipient's mailbox — is
/// hidden.
pub async fn recent(conn: &mut SqliteConnection) -> Result<Vec<OutboxMessage>, sqlx::Error> {
    let rows = sqlx::query_as::<_, OutboxRow>(
        "SELECT o.id, o.recipient, o.subject, o.body, o.created_at,
                (o.link_kind = 'invitation' AND k.used_at IS NULL AND k.expires_at > ?) AS shown,
                o.state, o.attempts, o.next_attempt_at, o.sent_at, o.last_error
         FROM outbox o LEFT JOIN account_tokens k ON k.token_hash = o.secret_hash
         ORDER BY o.id DESC LIMIT 200",
    )
    .bind(Utc::now())
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| OutboxMessage {
            id: row.id,
            recipient: row.recipient,
            subject: row.subject,
            body: if row.shown == Some(true) {
                row.body
            } else {
                hide_links(&row.body)
            },
            created_at: row.created_at,
            delivery: Delivery::parse(&row.state).unwrap_or(Delivery::Failed),
            attempts: row.attempts,
            next_attempt_at: row.next_attempt_at,
            sent_at: row.sent_at,
            last_error: row.last_error,
        })
        .collect())
}

/// The portal's key for signing Message-IDs (`server::mail::token`): made at
/// the first start, then read from the settings.
pub async fn signing_key(conn: &mut SqliteConnection) -> Result<SigningKey, sqlx::Error> {
    sqlx::query(
        "INSERT OR IGNORE INTO settings (key, value)
         VALUES ('mail_signing_key', lower(hex(randomblob(32))))",
    )
    .execute(&mut *conn)
    .await?;
    let stored: String =
        sqlx::query_scalar("SELECT value FROM settings WHERE key = 'mail_signing_key'")
            .fetch_one(&mut *conn)
            .await?;
    unhex(&stored)
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .map(SigningKey::new)
        .ok_or_else(|| sqlx::Error::Decode("mail_signing_key is not 64 hex digits".into()))
}

/// The newest messages about `thread` (a ticket number) that failed or wait to
/// be tried again.
pub async fn troubles_of(
    conn: &mut SqliteConnection,
    thread: &str,
) -> Result<Vec<MailTrouble>, sqlx::Error> {
    let rows: Vec<(
        String,
        String,
        String,
        u32,
        Option<String>,
        Option<DateTime<Utc>>,
    )> = sqlx::query_as(
        "SELECT recipient, subject, state, attempts, last_error, next_attempt_at FROM outbox
             WHERE thread = ? AND state IN ('failed', 'retrying') ORDER BY id DESC LIMIT 20",
    )
    .bind(thread)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(recipient, subject, state, attempts, last_error, next_attempt_at)| MailTrouble {
                recipient,
                subject,
                delivery: Delivery::parse(&state).unwrap_or(Delivery::Failed),
                attempts,
                last_error,
                next_attempt_at,
            },
        )
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::store::db::Db;
    use crate::server::store::db::TempDb;

    #[test]
    fn secret_links_are_hidden_and_the_rest_kept() {
        let token = "A".repeat(43);
        let body = format!(
            "Hello,\n\nhttp://portal.test/reset-password/{token}\n\nsee /articles/vpn-setup or \
             http://portal.test/verify-email/{token}."
        );
        assert_eq!(
            hide_links(&body),
            format!(
                "Hello,\n\nhttp://portal.test/reset-password/{HIDDEN_LINK}\n\nsee \
                 /articles/vpn-setup or http://portal.test/verify-email/{HIDDEN_LINK}."
            )
        );
        assert_eq!(hide_links("no links"), "no links");
    }

    /// [`recent`] against a freshly migrated database: a column renamed in a
    /// migration fails here, and only a working invitation's link is shown.
    #[tokio::test]
    async fn recent_decodes_the_migrated_schema() {
        let file = TempDb::new("outbox");
        let db = Db::open(&file.0).await.unwrap();
        let mut conn = db.writer.acquire().await.unwrap();
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let (invitation, reset) = ("A".repeat(43), "B".repeat(43));
        let user: i64 = sqlx::query_scalar(
            "INSERT INTO users (email, name, role, password_hash, created_at, updated_at)
             VALUES ('ann@example.org', 'Ann', 'agent', 'x', ?1, ?1) RETURNING id",
        )
        .bind(now)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO account_tokens (token_hash, user_id, purpose, created_at, expires_at)
             VALUES (?, ?, 'password_reset', ?, ?)",
        )
        .bind(hash_token(&invitation).to_vec())
        .bind(user)
        .bind(now)
        .bind(Utc::now() + chrono::Duration::days(1))
        .execute(&mut *conn)
        .await
        .unwrap();
        let invited = format!("Welcome: /set-password/{invitation}");
        let reset_body = format!("Reset: /reset-password/{reset}");
        queue_message(&mut conn, "ann@example.org", "Plain", "No link", None, now)
            .await
            .unwrap();
        let link = Some((invitation.as_str(), SecretLink::Invitation));
        queue_message(&mut conn, "ann@example.org", "Invited", &invited, link, now)
            .await
            .unwrap();
        let link = Some((reset.as_str(), SecretLink::Reset));
        queue_message(
            &mut conn,
            "ann@example.org",
            "Reset",
            &reset_body,
            link,
            now,
        )
        .await
        .unwrap();

        let messages = recent(&mut conn).await.unwrap();
        let seen: Vec<(&str, &str, &str)> = messages
            .iter()
            .map(|m| (m.recipient.as_str(), m.subject.as_str(), m.body.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                (
                    "ann@example.org",
                    "Reset",
                    format!("Reset: /reset-password/{HIDDEN_LINK}").as_str()
                ),
                ("ann@example.org", "Invited", invited.as_str()),
                ("ann@example.org", "Plain", "No link"),
            ]
        );
        assert!(messages.iter().all(|m| m.created_at == now));
        assert!(messages[0].id > messages[1].id && messages[1].id > messages[2].id);
    }

    /// The delivery states on the migrated schema: a due message is claimed once
    /// (a second claim while the first holds finds nothing), a claim that ran out
    /// is taken again, a failure waits for its time, a sent message is never
    /// claimed again and keeps no secret link, and one never tried that waited
    /// past the schedule fails.
    #[tokio::test]
    async fn claims_retries_and_sends_follow_the_delivery_states() {
        let file = TempDb::new("outbox-delivery");
        let db = Db::open(&file.0).await.unwrap();
        let mut conn = db.writer.acquire().await.unwrap();
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let minutes = chrono::TimeDelta::minutes;
        let backoff = Backoff::default();
        let token = "C".repeat(43);
        let body = format!("Reset: http://portal.test/reset-password/{token}");
        let message = NewMessage {
            recipient: "ann@example.org",
            subject: "Reset",
            body: &body,
            link: Some((&token, SecretLink::Reset)),
            thread: Some("INC0000001"),
        };
        let id = queue(&mut conn, &message, now).await.unwrap();

        let claimed = claim_due(&mut conn, now, &backoff, 10).await.unwrap();
        assert_eq!(claimed.len(), 1);
        let first = &claimed[0];
        assert_eq!((first.id, first.attempts), (id, 1));
        assert_eq!(first.thread.as_deref(), Some("INC0000001"));
        assert_eq!(first.message_key.len(), 32);
        assert!(claim_due(&mut conn, now, &backoff, 10)
            .await
            .unwrap()
            .is_empty());

        // The worker died: once its claim runs out, the message is claimed again
        // with the same key.
        let later = now + backoff.claim + minutes(1);
        let again = claim_due(&mut conn, later, &backoff, 10).await.unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].message_key, first.message_key);
        assert_eq!(again[0].attempts, 2);

        record_failure(&mut conn, id, "451 busy", Some(later + minutes(5)))
            .await
            .unwrap();
        assert!(claim_due(&mut conn, later + minutes(4), &backoff, 10)
            .await
            .unwrap()
            .is_empty());
        let due = claim_due(&mut conn, later + minutes(5), &backoff, 10)
            .await
            .unwrap();
        assert_eq!(due.len(), 1);
        record_sent(&mut conn, &due[0], later + minutes(5))
            .await
            .unwrap();
        assert!(claim_due(&mut conn, later + minutes(600), &backoff, 10)
            .await
            .unwrap()
            .is_empty());
        let log = recent(&mut conn).await.unwrap();
        assert_eq!(log[0].delivery, Delivery::Sent);
        assert_eq!(log[0].attempts, 3);
        assert_eq!(log[0].sent_at, Some(later + minutes(5)));
        assert!(!log[0].body.contains(&token) && log[0].body.contains(SENT_LINK));
        assert!(
            !send_again(&mut conn, id, now).await.unwrap(),
            "sent is sent"
        );

        // Written while mail was not sent, and never tried in time: failed.
        let old = NewMessage {
            link: None,
            ..message
        };
        let stale = queue(&mut conn, &old, now).await.unwrap();
        let too_late = now + backoff.give_up_after + minutes(1);
        assert!(claim_due(&mut conn, too_late, &backoff, 10)
            .await
            .unwrap()
            .is_empty());
        let log = recent(&mut conn).await.unwrap();
        let stale = log.iter().find(|m| m.id == stale).unwrap();
        assert_eq!(stale.delivery, Delivery::Failed);
        assert_eq!(stale.last_error.as_deref(), Some(TOO_LATE));
        assert!(send_again(&mut conn, stale.id, too_late).await.unwrap());
        assert!(
            exists(&mut conn, stale.id).await.unwrap() && !exists(&mut conn, 999).await.unwrap()
        );
    }
}
