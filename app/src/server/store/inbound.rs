//! Mail that reached the desk, kept whole with what became of it, and the
//! questions `server::mail::inbound` asks of tickets, people and our outbox.

use crate::domain::{
    received_outcome_words, ReceivedMail, TicketId, TicketNumber, TicketState, UserId,
};
use chrono::{DateTime, Utc};
use mail_parser::Message;
use sqlx::SqliteConnection;

/// One message as received, and what became of it.
#[derive(Clone, Debug)]
pub struct Received {
    pub received_at: DateTime<Utc>,
    pub message_id: Option<String>,
    /// The `From` address, lower case.
    pub sender: Option<String>,
    pub subject: Option<String>,
    pub size: usize,
    pub raw: Vec<u8>,
    pub outcome: &'static str,
    pub ticket: Option<TicketId>,
    pub answered: bool,
    pub note: String,
}

impl Received {
    pub fn new(raw: &[u8], message: Option<&Message<'_>>, now: DateTime<Utc>) -> Received {
        let sender = message
            .and_then(|m| m.from())
            .and_then(|f| f.first())
            .and_then(|a| a.address())
            .map(|a| a.trim().to_lowercase())
            .filter(|a| a.contains('@'));
        Received {
            received_at: now,
            message_id: message.and_then(|m| m.message_id()).map(str::to_string),
            sender,
            subject: message.and_then(|m| m.subject()).map(str::to_string),
            size: raw.len(),
            raw: raw.to_vec(),
            outcome: "unreadable",
            ticket: None,
            answered: false,
            note: String::new(),
        }
    }

    pub fn outcome(mut self, outcome: &'static str, note: &str) -> Received {
        self.outcome = outcome;
        self.note = note.to_string();
        self
    }

    pub fn on(mut self, ticket: Option<TicketId>) -> Received {
        self.ticket = ticket;
        self
    }
}

pub async fn record(conn: &mut SqliteConnection, received: &Received) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO inbound_mail (received_at, message_id, sender, subject, size, raw, outcome,
                                   ticket_id, answered, note)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (message_id) DO NOTHING",
    )
    .bind(received.received_at)
    .bind(&received.message_id)
    .bind(&received.sender)
    .bind(&received.subject)
    .bind(received.size as i64)
    .bind(&received.raw)
    .bind(received.outcome)
    .bind(received.ticket)
    .bind(received.answered)
    .bind(&received.note)
    .execute(conn)
    .await?;
    Ok(())
}

/// The mail received about ticket `id`, newest first.
pub async fn of_ticket(
    conn: &mut SqliteConnection,
    id: TicketId,
) -> Result<Vec<ReceivedMail>, sqlx::Error> {
    let rows: Vec<(i64, DateTime<Utc>, Option<String>, Option<String>, String)> = sqlx::query_as(
        "SELECT id, received_at, sender, subject, outcome FROM inbound_mail
         WHERE ticket_id = ? ORDER BY id DESC LIMIT 50",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, received_at, sender, subject, outcome)| ReceivedMail {
            id,
            received_at,
            sender: sender.unwrap_or_default(),
            subject: subject.unwrap_or_default(),
            outcome: received_outcome_words(&outcome).to_string(),
        })
        .collect())
}

/// The newest mail received, whatever became of it: the admin's log.
pub async fn recent(conn: &mut SqliteConnection) -> Result<Vec<ReceivedMail>, sqlx::Error> {
    let rows: Vec<(
        i64,
        DateTime<Utc>,
        Option<String>,
        Option<String>,
        String,
        String,
    )> = sqlx::query_as(
        "SELECT id, received_at, sender, subject, outcome, note FROM inbound_mail
             ORDER BY id DESC LIMIT 100",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, received_at, sender, subject, outcome, note)| {
            let words = received_outcome_words(&outcome);
            ReceivedMail {
                id,
                received_at,
                sender: sender.unwrap_or_default(),
                subject: subject.unwrap_or_default(),
                outcome: if note.is_empty() {
                    words.to_string()
                } else {
                    format!("{words}: {note}")
                },
            }
        })
        .collect())
}

/// A received message as it arrived.
pub async fn original(
    conn: &mut SqliteConnection,
    id: i64,
) -> Result<Option<Vec<u8>>, sqlx::Error> {
    sqlx::query_scalar("SELECT raw FROM inbound_mail WHERE id = ?")
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Whether a message with this Message-ID was read before.
pub async fn seen(conn: &mut SqliteConnection, message_id: &str) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM inbound_mail WHERE message_id = ?")
        .bind(message_id)
        .fetch_optional(conn)
        .await?;
    Ok(found.is_some())
}

/// How many automatic answers `sender` got since `since`.
pub async fn answered_since(
    conn: &mut SqliteConnection,
    sender: &str,
    since: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT count(*) FROM inbound_mail WHERE sender = ? AND received_at >= ? AND answered = 1",
    )
    .bind(sender)
    .bind(since)
    .fetch_one(conn)
    .await
}

/// The ticket our message `key` was about, and its state.
pub async fn ticket_of_message(
    conn: &mut SqliteConnection,
    key: &str,
) -> Result<Option<(TicketNumber, TicketState)>, sqlx::Error> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT t.number, t.state FROM outbox o JOIN tickets t ON t.number = o.thread
         WHERE o.message_key = ?",
    )
    .bind(key)
    .fetch_optional(conn)
    .await?;
    Ok(row.and_then(|(number, state)| {
        Some((TicketNumber::parse(&number)?, TicketState::parse(&state)?))
    }))
}

/// Who the sender of a reply is to ticket `number`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Who {
    Reporter {
        name: String,
    },
    /// An active agent or admin (every one of them may work every ticket).
    Staff {
        id: UserId,
        name: String,
    },
    /// Someone who said the major incident is their problem too.
    Follower {
        name: String,
    },
    Stranger,
}

pub async fn who_is(
    conn: &mut SqliteConnection,
    number: TicketNumber,
    sender: &str,
) -> Result<Who, sqlx::Error> {
    let reporter: Option<String> = sqlx::query_scalar(
        "SELECT reporter_name FROM tickets WHERE number = ? AND lower(reporter_email) = ?",
    )
    .bind(number.to_string())
    .bind(sender)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(name) = reporter {
        return Ok(Who::Reporter { name });
    }
    let staff: Option<(UserId, String)> = sqlx::query_as(
        "SELECT id, name FROM users
         WHERE email = ? AND active = 1 AND role IN ('agent', 'admin')",
    )
    .bind(sender)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some((id, name)) = staff {
        return Ok(Who::Staff { id, name });
    }
    let follower: Option<String> = sqlx::query_scalar(
        "SELECT f.name FROM major_followers f JOIN tickets t ON t.id = f.ticket_id
         WHERE t.number = ? AND lower(f.email) = ? LIMIT 1",
    )
    .bind(number.to_string())
    .bind(sender)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(follower.map_or(Who::Stranger, |name| Who::Follower { name }))
}

pub async fn ticket_id(
    conn: &mut SqliteConnection,
    number: TicketNumber,
) -> Result<Option<TicketId>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM tickets WHERE number = ?")
        .bind(number.to_string())
        .fetch_optional(conn)
        .await
}

pub async fn version_of(
    conn: &mut SqliteConnection,
    number: TicketNumber,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT version FROM tickets WHERE number = ?")
        .bind(number.to_string())
        .fetch_one(conn)
        .await
}

/// Where mail that is not a reply is logged: `chosen` (a service's slug and
/// one of its categories' names, `PORTAL_MAIL_CATEGORY`) while it is offered,
/// else the first offered category. Its service's slug, its id, and whether it
/// is the one chosen.
pub async fn default_category(
    conn: &mut SqliteConnection,
    chosen: Option<(&str, &str)>,
) -> Result<Option<(String, i64, bool)>, sqlx::Error> {
    let (slug, name) = chosen.unwrap_or_default();
    sqlx::query_as(
        "SELECT s.slug, c.id, (s.slug = ?1 AND c.name = ?2) AS chosen
         FROM categories c JOIN services s ON s.id = c.service_id
         WHERE c.offered = 1 AND s.offered = 1
         ORDER BY chosen DESC, s.position, c.id
         LIMIT 1",
    )
    .bind(slug)
    .bind(name)
    .fetch_optional(conn)
    .await
}

/// The active end user's account with this address, whose ticket it becomes.
pub async fn account_of(
    conn: &mut SqliteConnection,
    sender: &str,
) -> Result<Option<UserId>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM users WHERE email = ? AND active = 1")
        .bind(sender)
        .fetch_optional(conn)
        .await
}

/// Marks our message `key` failed because it bounced; its id and ticket.
pub async fn bounced(
    conn: &mut SqliteConnection,
    key: &str,
    reason: &str,
) -> Result<(Option<i64>, Option<TicketId>), sqlx::Error> {
    let row: Option<(i64, Option<TicketId>)> = sqlx::query_as(
        "UPDATE outbox SET state = 'failed', last_error = ?, next_attempt_at = NULL,
                           claimed_until = NULL
         WHERE message_key = ?
         RETURNING id, (SELECT id FROM tickets WHERE number = outbox.thread)",
    )
    .bind(reason)
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map_or((None, None), |(id, ticket)| (Some(id), ticket)))
}
