//! Mail that reaches the desk (read from the mailbox, or piped in by
//! `server ingest-mail`): each message is kept whole and lands once, where it
//! belongs.
//!
//! - A reply to one of our messages (found by the signed Message-ID it names in
//!   `In-Reply-To`/`References`, see [`super::token`]) lands on that ticket:
//!   from the reporter as information added, from a follower of a major
//!   incident as their message, from an agent or admin as a public reply; from
//!   anyone else it is held on the ticket for an agent, never added for the
//!   reporter to see. Its quoted earlier text and signature are cut.
//! - A reply to a closed ticket, and any other message, logs a new ticket in the
//!   default category; its sender is told, as a reporter on the web is.
//! - A delivery status notification (a bounce) marks our message failed, which
//!   the agent sees on the ticket.
//! - Nothing automatic is ever answered: mail marked `Auto-Submitted`,
//!   `Precedence: bulk/list/junk`, with an empty return path or from our own
//!   address; and nobody gets more than a few answers a day.
//! - Mail over the attachment limit is answered with a polite refusal; mail that
//!   cannot be read is kept for an admin.

use super::files::{files_of, FilesError, Keeping};
use crate::domain::Visibility;
use crate::domain::{
    automatic, bare_subject, cut_reply, Actor, AttachmentRules, Automatic, CategoryId, Impact,
    NewTicket, Reporter, TicketKind, TicketNumber, TicketState, Urgency,
};
use crate::server::attachments::scan::Scanner;
use crate::server::hub::Changes;
use crate::server::mail::token::SigningKey;
use crate::server::store::attachments::Files;
use crate::server::store::db::Db;
use crate::server::store::files::FileStore;
use crate::server::store::inbound::{self, Received};
use crate::server::store::outbox::{self, NewMessage};
use crate::server::store::tickets::apply::{self, WorkError};
use crate::server::store::tickets::log;
use crate::server::store::tickets::work::{Entry, Seen, TicketRef, TicketWork};
use chrono::{DateTime, Duration, Utc};
use mail_parser::{Message, MessageParser, MimeHeaders};

/// What the desk needs to read mail.
#[derive(Clone, Debug)]
pub struct Desk {
    pub db: Db,
    pub changes: Changes,
    /// Where the files of messages go, and the scanner they are held to.
    pub files: FileStore,
    pub scanner: Option<Scanner>,
    pub signing: SigningKey,
    /// Our own addresses (the sender of our mail, the mailbox's), lower case.
    pub own_addresses: Vec<String>,
    /// Answers (ticket logged, refusals) to one sender in a day, at most.
    pub answers_a_day: u32,
    /// What a reply from someone who is neither reporter nor follower does.
    pub strangers: Strangers,
    /// Where other mail is logged: a service's slug and one of its categories'
    /// names (`PORTAL_MAIL_CATEGORY`); the first offered category without it.
    pub category: Option<(String, String)>,
}

/// `PORTAL_MAIL_CATEGORY` as written, `service-slug/Category name`, or why it
/// cannot be used.
pub fn parse_category(raw: &str) -> Result<(String, String), String> {
    match raw.split_once('/') {
        Some((slug, name)) if !slug.trim().is_empty() && !name.trim().is_empty() => {
            Ok((slug.trim().to_string(), name.trim().to_string()))
        }
        _ => Err(format!(
            "PORTAL_MAIL_CATEGORY cannot be used ({raw:?}): write it as service-slug/Category \
             name, e.g. email/Sending"
        )),
    }
}

impl Desk {
    fn keeping(&self) -> Keeping<'_> {
        Keeping {
            db: &self.db,
            store: &self.files,
            scanner: self.scanner.as_ref(),
        }
    }
}

impl From<FilesError> for IngestError {
    fn from(error: FilesError) -> Self {
        match error {
            FilesError::Database(error) => IngestError::Database(error),
            FilesError::Storage(error) => IngestError::Files(error.to_string()),
        }
    }
}

/// What a reply on a ticket from someone who is neither its reporter, a
/// follower nor staff does (`PORTAL_MAIL_STRANGERS`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Strangers {
    /// Held on the ticket for the desk, unseen by the reporter.
    #[default]
    Hold,
    /// A new ticket of their own.
    NewTicket,
}

impl Strangers {
    pub fn parse(raw: &str) -> Option<Strangers> {
        match raw {
            "hold" => Some(Strangers::Hold),
            "new-ticket" => Some(Strangers::NewTicket),
            _ => None,
        }
    }
}

/// What became of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Landed {
    /// Information added to `0` by its reporter.
    Added(TicketNumber),
    /// A public reply on `0` by an agent or admin.
    Replied(TicketNumber),
    /// A follower's message on major incident `0`.
    Follower(TicketNumber),
    /// From someone who is neither reporter nor follower: held on `0`.
    Held(TicketNumber),
    /// A new ticket; whether its sender was told.
    Logged {
        number: TicketNumber,
        answered: bool,
    },
    /// A bounce of our message `0` (its outbox id), marked failed.
    Bounce(Option<i64>),
    /// Kept, nothing done, for the reason given.
    Ignored(String),
    /// Too large: refused, the sender told if that was allowed.
    Refused { answered: bool },
    /// Cannot be read: kept for an admin.
    Unreadable,
    /// Read before (the same Message-ID): nothing done again.
    Duplicate,
}

/// In words, for the operator (`server ingest-mail` prints it) and the log.
impl std::fmt::Display for Landed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Landed::Added(n) => write!(f, "added to {n} as information from its reporter"),
            Landed::Replied(n) => write!(f, "added to {n} as a reply by an agent"),
            Landed::Follower(n) => write!(f, "added to {n} as a follower's message"),
            Landed::Held(n) => write!(f, "held on {n} for the desk (not from its reporter)"),
            Landed::Logged { number, answered } => write!(
                f,
                "logged as {number}; {}",
                if *answered {
                    "the sender is told"
                } else {
                    "not answered"
                }
            ),
            Landed::Bounce(Some(id)) => write!(f, "a bounce: outbox message {id} marked failed"),
            Landed::Bounce(None) => write!(f, "a delivery report about no failed message of ours"),
            Landed::Ignored(why) => write!(f, "kept, nothing done: {why}"),
            Landed::Refused { answered } => write!(
                f,
                "refused as too large; {}",
                if *answered {
                    "the sender is told"
                } else {
                    "not answered"
                }
            ),
            Landed::Unreadable => write!(f, "kept for an admin: it could not be read or landed"),
            Landed::Duplicate => write!(f, "read before (the same Message-ID): nothing done"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// The folder of attached files cannot be written: like the database, a
    /// reason to leave the message where it is and read it again later.
    #[error("the files cannot be stored: {0}")]
    Files(String),
    #[error("the ticket could not be logged: {0}")]
    Log(String),
}

/// Reads one message as received (`raw`, every byte) and lands it. A message
/// that cannot land (no service to log it in) is kept for an admin; only a
/// database that cannot be written fails, and then nothing was kept: the
/// caller leaves the message where it was, to be read again.
pub async fn ingest(desk: &Desk, raw: &[u8], now: DateTime<Utc>) -> Result<Landed, IngestError> {
    match land(desk, raw, now).await {
        Err(IngestError::Log(why)) => {
            tracing::warn!(%why, "mail kept for an admin: it could not land");
            let received = Received::new(raw, None, now);
            keep(desk, received.outcome("unreadable", &why)).await?;
            Ok(Landed::Unreadable)
        }
        other => other,
    }
}

async fn land(desk: &Desk, raw: &[u8], now: DateTime<Utc>) -> Result<Landed, IngestError> {
    let rules = {
        let mut conn = desk.db.reader.acquire().await?;
        crate::server::store::attachments::rules(&mut conn).await?
    };
    let limit = largest_message(rules.per_ticket);
    if raw.len() as u64 > limit {
        return refuse_too_large(desk, raw, limit, now).await;
    }
    let Some(message) = MessageParser::default().parse(raw) else {
        let received = Received::new(raw, None, now);
        keep(
            desk,
            received.outcome("unreadable", "no headers could be read"),
        )
        .await?;
        return Ok(Landed::Unreadable);
    };
    let received = Received::new(raw, Some(&message), now);
    if let Some(id) = &received.message_id {
        let mut conn = desk.db.reader.acquire().await?;
        if inbound::seen(&mut conn, id).await? {
            return Ok(Landed::Duplicate);
        }
    }
    let Some(sender) = received.sender.clone() else {
        keep(desk, received.outcome("unreadable", "no sender address")).await?;
        return Ok(Landed::Unreadable);
    };
    if desk.own_addresses.contains(&sender) {
        let why = "sent from our own address";
        keep(desk, received.outcome("ignored", why)).await?;
        return Ok(Landed::Ignored(why.into()));
    }
    if is_delivery_report(&message) {
        return bounce(desk, &message, received).await;
    }
    let machine = automatic(|name| message.header_raw(name).map(str::to_string));
    let text = message
        .body_text(0)
        .map(|t| t.replace("\r\n", "\n"))
        .unwrap_or_default();
    match replied_ticket(desk, &message).await? {
        Some(_) if machine.is_some() => {
            let why = format!(
                "{} to one of our messages",
                machine.map_or("", Automatic::words)
            );
            keep(desk, received.outcome("ignored", &why)).await?;
            Ok(Landed::Ignored(why))
        }
        Some((number, state)) if state != TicketState::Closed => {
            let who = {
                let mut conn = desk.db.reader.acquire().await?;
                inbound::who_is(&mut conn, number, &sender).await?
            };
            if who == inbound::Who::Stranger && desk.strangers == Strangers::NewTicket {
                return log_ticket(
                    desk, received, &message, rules, &sender, &text, machine, now,
                )
                .await;
            }
            land_reply(desk, received, &message, rules, number, who, &text, now).await
        }
        _ if machine == Some(Automatic::Reply) => {
            let why = machine.map_or("", Automatic::words).to_string();
            keep(desk, received.outcome("ignored", &why)).await?;
            Ok(Landed::Ignored(why))
        }
        _ => {
            log_ticket(
                desk, received, &message, rules, &sender, &text, machine, now,
            )
            .await
        }
    }
}

/// The ticket (and its state) of the message of ours this one answers.
async fn replied_ticket(
    desk: &Desk,
    message: &Message<'_>,
) -> Result<Option<(TicketNumber, TicketState)>, sqlx::Error> {
    let mut ids: Vec<String> = Vec::new();
    for header in [message.in_reply_to(), message.references()] {
        if let Some(list) = header.as_text_list() {
            ids.extend(list.iter().map(|id| id.to_string()));
        }
    }
    let mut conn = desk.db.reader.acquire().await?;
    for id in ids {
        let Some(key) = desk.signing.verify(&id) else {
            continue;
        };
        if let Some(found) = inbound::ticket_of_message(&mut conn, key).await? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// A reply on open ticket `number`, by `who` its sender is to it, with the
/// files it carries.
async fn land_reply(
    desk: &Desk,
    received: Received,
    message: &Message<'_>,
    rules: AttachmentRules,
    number: TicketNumber,
    who: inbound::Who,
    text: &str,
    now: DateTime<Utc>,
) -> Result<Landed, IngestError> {
    let sender = received.sender.clone().unwrap_or_default();
    let (files, left_out) = files_of(desk.keeping(), rules, message, now).await?;
    let said = with_left_out(cut_reply(text), &left_out);
    let (outcome, landed) = match who {
        inbound::Who::Reporter { name } => {
            let action = crate::domain::Action::AddInformation { body: said.clone() };
            act(desk, number, &Actor::Reporter { name }, action, &files, now).await?;
            ("added", Landed::Added(number))
        }
        inbound::Who::Staff { id, name } => {
            let action = crate::domain::Action::Reply { body: said.clone() };
            act(
                desk,
                number,
                &Actor::Staff { id, name },
                action,
                &files,
                now,
            )
            .await?;
            ("replied", Landed::Replied(number))
        }
        inbound::Who::Follower { name } => {
            let body = format!("{name} <{sender}> wrote by e-mail:\n\n{said}");
            note(desk, number, &name, "follower_mail", &body, &files, now).await?;
            ("follower", Landed::Follower(number))
        }
        inbound::Who::Stranger => {
            let body = format!(
                "E-mail from {sender}, who is neither the reporter nor a follower, held for an \
                 agent (the reporter does not see it):\n\n{said}"
            );
            note(desk, number, &sender, "mail_held", &body, &files, now).await?;
            ("held", Landed::Held(number))
        }
    };
    let mut conn = desk.db.writer.acquire().await?;
    let ticket = inbound::ticket_id(&mut conn, number).await?;
    inbound::record(&mut conn, &received.outcome(outcome, "").on(ticket)).await?;
    Ok(landed)
}

/// Applies `action` to the ticket as it is now (tried again if someone changed
/// it meanwhile).
async fn act(
    desk: &Desk,
    number: TicketNumber,
    actor: &Actor,
    action: crate::domain::Action,
    files: &Files,
    now: DateTime<Utc>,
) -> Result<(), IngestError> {
    for _ in 0..5 {
        let version = {
            let mut conn = desk.db.reader.acquire().await?;
            inbound::version_of(&mut conn, number).await?
        };
        match apply::apply_with(
            &desk.db,
            &desk.changes,
            number,
            version,
            actor,
            action.clone(),
            apply::Effect::None,
            files,
            now,
        )
        .await
        {
            Ok(_) => return Ok(()),
            Err(WorkError::Conflict { .. }) => continue,
            Err(WorkError::Database(error)) => return Err(error.into()),
            Err(other) => return Err(IngestError::Log(other.to_string())),
        }
    }
    Err(IngestError::Log("the ticket kept changing".into()))
}

/// An internal entry on ticket `number`, seen by the desk only.
async fn note(
    desk: &Desk,
    number: TicketNumber,
    actor: &str,
    kind: &str,
    body: &str,
    files: &Files,
    now: DateTime<Utc>,
) -> Result<(), IngestError> {
    let mut work = TicketWork::begin(&desk.db, &desk.changes, now).await?;
    let id = inbound::ticket_id(work.conn(), number)
        .await?
        .ok_or_else(|| IngestError::Log(format!("{number} is gone")))?;
    let entry = Entry {
        at: now,
        actor,
        kind,
        visibility: Visibility::Internal,
        body,
        by: None,
    };
    work.record_any(TicketRef { id, number }, entry, Seen::ByDesk)
        .await?;
    work.attach(files)
        .await
        .map_err(|e| IngestError::Log(e.message()))?;
    work.commit().await?;
    Ok(())
}

/// What was said, and a line for each file left out of it.
fn with_left_out(said: String, left_out: &[String]) -> String {
    if left_out.is_empty() {
        said
    } else {
        format!("{said}\n\n(Not attached: {})", left_out.join(" "))
    }
}

/// A new ticket from `message`, in the default category.
async fn log_ticket(
    desk: &Desk,
    received: Received,
    message: &Message<'_>,
    rules: AttachmentRules,
    sender: &str,
    text: &str,
    machine: Option<Automatic>,
    now: DateTime<Utc>,
) -> Result<Landed, IngestError> {
    let (service_slug, category_id, owner) = {
        let mut conn = desk.db.reader.acquire().await?;
        let chosen = desk
            .category
            .as_ref()
            .map(|(slug, name)| (slug.as_str(), name.as_str()));
        let (slug, category, found) = inbound::default_category(&mut conn, chosen)
            .await?
            .ok_or_else(|| IngestError::Log("no service is offered".into()))?;
        if chosen.is_some() && !found {
            tracing::warn!(
                "PORTAL_MAIL_CATEGORY names no offered category: mail is logged in the first one"
            );
        }
        let owner = inbound::account_of(&mut conn, sender).await?;
        (slug, category, owner)
    };
    let answered = machine.is_none() && may_answer(desk, sender, now).await?;
    let name = message
        .from()
        .and_then(|f| f.first())
        .and_then(|a| a.name())
        .map(crate::domain::clean_line)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| sender.split('@').next().unwrap_or(sender).to_string());
    let summary = received
        .subject
        .as_deref()
        .map(bare_subject)
        .map(|s| crate::domain::clean_line(&s))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "(no subject)".into());
    let (files, left_out) = files_of(desk.keeping(), rules, message, now).await?;
    let description = if text.trim().is_empty() {
        "(The message had no text.)".to_string()
    } else {
        text.trim().to_string()
    };
    let description = with_left_out(description, &left_out);
    let ticket = NewTicket {
        kind: TicketKind::Incident,
        reporter: Reporter {
            name: truncate(&name, 100),
            email: sender.to_string(),
            phone: None,
        },
        service_slug,
        category_id: CategoryId(category_id),
        summary: truncate(&summary, 200),
        description: truncate(&description, 10_000),
        // The desk triages mail as it reads it; until then, low impact and
        // medium urgency.
        triage: Some((Impact::Low, Urgency::Medium)),
    };
    let created = log::create_through(
        &desk.db,
        &desk.changes,
        ticket,
        owner,
        &files,
        log::Channel::Mail { answer: answered },
        now,
    )
    .await
    .map_err(|e| IngestError::Log(e.to_string()))?;
    let mut conn = desk.db.writer.acquire().await?;
    let id = inbound::ticket_id(&mut conn, created.number).await?;
    let why = machine.map_or(String::new(), |m| format!("not answered: {}", m.words()));
    let mut received = received.outcome("logged", &why).on(id);
    received.answered = answered;
    inbound::record(&mut conn, &received).await?;
    Ok(Landed::Logged {
        number: created.number,
        answered,
    })
}

/// Whether `sender` may get another automatic answer today.
async fn may_answer(desk: &Desk, sender: &str, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let mut conn = desk.db.reader.acquire().await?;
    let answered = inbound::answered_since(&mut conn, sender, now - Duration::days(1)).await?;
    Ok(answered < i64::from(desk.answers_a_day))
}

/// Mail over the attachment limit: its headers kept, and a polite refusal.
async fn refuse_too_large(
    desk: &Desk,
    raw: &[u8],
    limit: u64,
    now: DateTime<Utc>,
) -> Result<Landed, IngestError> {
    let headers = MessageParser::default().parse_headers(raw);
    let mut received = Received::new(raw, headers.as_ref(), now);
    received.raw = head_of(raw).to_vec();
    let machine = headers
        .as_ref()
        .and_then(|m| automatic(|name| m.header_raw(name).map(str::to_string)));
    let answered = match &received.sender {
        Some(sender) if machine.is_none() && !desk.own_addresses.contains(sender) => {
            may_answer(desk, sender, now).await?
        }
        _ => false,
    };
    let mut tx = desk.db.writer.begin().await?;
    if answered {
        let sender = received.sender.clone().unwrap_or_default();
        let subject = received.subject.clone().unwrap_or_default();
        let body = format!(
            "Hello,\n\nYour message \u{201c}{subject}\u{201d} is larger than the {} MB the \
             service desk accepts by e-mail, so it was not logged. Please send it again without the \
             largest files, or report the issue on the portal and attach them there: \
             {}/report\n\n-- \nThis is an automatic answer to your message to the service desk.\n",
            limit / (1024 * 1024),
            crate::domain::PORTAL
        );
        let message = NewMessage {
            recipient: &sender,
            subject: &format!("Not logged: {}", bare_subject(&subject)),
            body: &body,
            link: None,
            thread: None,
        };
        outbox::queue(&mut tx, &message, now).await?;
    }
    received.answered = answered;
    let note = format!("{} bytes, over the limit of {limit}", raw.len());
    inbound::record(&mut tx, &received.outcome("refused", &note)).await?;
    tx.commit().await?;
    Ok(Landed::Refused { answered })
}

/// The largest message accepted when a ticket's files may total `per_ticket`
/// bytes: base64 makes files a third larger, and the text and headers need room.
fn largest_message(per_ticket: u64) -> u64 {
    per_ticket / 3 * 4 + 256 * 1024
}

/// The header block of a raw message (up to the first blank line).
fn head_of(raw: &[u8]) -> &[u8] {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| at + 4)
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|at| at + 2))
        .unwrap_or(raw.len().min(64 * 1024));
    &raw[..end.min(64 * 1024)]
}

/// Whether `message` is a delivery status notification (RFC 3464).
fn is_delivery_report(message: &Message<'_>) -> bool {
    let report = message.content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart")
            && ct
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
    });
    report
        && message.parts.iter().any(|part| {
            part.content_type().is_some_and(|ct| {
                ct.ctype().eq_ignore_ascii_case("message")
                    && ct
                        .subtype()
                        .is_some_and(|s| s.eq_ignore_ascii_case("delivery-status"))
            })
        })
}

/// A bounce: the message of ours it names is marked failed, with the reason.
async fn bounce(
    desk: &Desk,
    message: &Message<'_>,
    received: Received,
) -> Result<Landed, IngestError> {
    let mut status = String::new();
    let mut original: Option<String> = None;
    let mut failed = false;
    for part in &message.parts {
        let Some(ct) = part.content_type() else {
            continue;
        };
        let sub = ct.subtype().unwrap_or_default().to_ascii_lowercase();
        if ct.ctype().eq_ignore_ascii_case("message") && sub == "delivery-status" {
            let text = String::from_utf8_lossy(part.contents()).into_owned();
            for line in text.lines() {
                let lower = line.to_ascii_lowercase();
                if lower.starts_with("action:") && lower.contains("failed") {
                    failed = true;
                }
                if lower.starts_with("diagnostic-code:") || lower.starts_with("status:") {
                    status.push_str(line.trim());
                    status.push(' ');
                }
            }
        } else if let Some(nested) = part.message() {
            original = original.or(nested.message_id().map(str::to_string));
        } else if ct.ctype().eq_ignore_ascii_case("text") && sub == "rfc822-headers" {
            let text = String::from_utf8_lossy(part.contents()).into_owned();
            original = original.or_else(|| message_id_in(&text));
        }
    }
    let key = original
        .as_deref()
        .and_then(|id| desk.signing.verify(id).map(str::to_string));
    let mut tx = desk.db.writer.begin().await?;
    let (outbox_id, ticket) = match (&key, failed) {
        (Some(key), true) => {
            let reason = format!("Bounced: {}", status.trim());
            inbound::bounced(&mut tx, key, &reason).await?
        }
        _ => (None, None),
    };
    let note = match (outbox_id, failed) {
        (Some(_), _) => "our message bounced".to_string(),
        (None, false) => "a delivery report that is not a failure (delayed, relayed)".into(),
        (None, true) => "a bounce of a message that is not ours".into(),
    };
    inbound::record(&mut tx, &received.outcome("bounce", &note).on(ticket)).await?;
    tx.commit().await?;
    Ok(Landed::Bounce(outbox_id))
}

/// The Message-ID in a block of headers.
fn message_id_in(headers: &str) -> Option<String> {
    headers.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("message-id")
            .then(|| value.trim().trim_matches(['<', '>']).to_string())
    })
}

async fn keep(desk: &Desk, received: Received) -> Result<(), sqlx::Error> {
    let mut conn = desk.db.writer.acquire().await?;
    inbound::record(&mut conn, &received).await
}

fn truncate(text: &str, chars: usize) -> String {
    text.chars().take(chars).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_category_setting_is_a_service_and_a_category_name() {
        assert_eq!(
            parse_category(" email / Sending "),
            Ok(("email".into(), "Sending".into()))
        );
        for wrong in ["email", "/Sending", "email/", ""] {
            let error = parse_category(wrong).unwrap_err();
            assert!(error.contains("PORTAL_MAIL_CATEGORY"), "{error}");
        }
    }
}
