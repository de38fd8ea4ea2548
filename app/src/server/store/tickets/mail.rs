//! Who hears of a ticket's change by e-mail, and the messages queued for them,
//! in the transaction of the change ([`queue_for`], called by
//! [`super::work::TicketWork::commit`]).
//!
//! - The reporter, of what their page shows: logged (with the private link, or
//!   "My tickets" for an account), a public reply, waiting for their answer,
//!   resolved, closed, reopened, a major incident's update.
//! - Agents: the assignee, of an assignment to them; the members of the ticket's
//!   group, of a new ticket (when the group wants it); the assignee (or, with
//!   none, the group), of what the reporter added, asked, rejected or reopened.
//! - Followers of a major incident ("this is my problem too"), of its public
//!   updates and its resolution.
//! - Incident managers (active admins): targets at risk or breached, major
//!   incidents declared, escalations.
//!
//! Nobody is mailed about their own doing, a deactivated account never, and an
//! account only of the topics it has not switched off. Ticket messages are
//! written only while mail is sent (`outbox::sending`): without an SMTP server
//! nobody would read them.

use crate::domain::{
    ticket_message, GroupId, Happened, MailTicket, MailTopic, TicketId, TicketNumber, UserId,
    PORTAL, WAITING_FOR_REPORTER,
};
use crate::server::secrets::{hash_token, new_token};
use crate::server::store::outbox::{self, NewMessage};
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

/// A change a message may be about, as recorded (by `TicketWork`).
#[derive(Clone, Debug)]
pub struct Mailing {
    pub ticket_id: TicketId,
    pub number: TicketNumber,
    pub kind: String,
    pub actor: String,
    pub body: String,
    pub public: bool,
    pub by: Option<UserId>,
    /// The private status link, for the message that tells of a new ticket.
    pub status_link: Option<String>,
    /// Whether the reporter hears of it (not of a ticket logged from mail
    /// that must not be answered).
    pub tell_reporter: bool,
}

/// What the reporter hears of, by entry kind (a hold only when it waits for them).
const REPORTER_KINDS: &[&str] = &[
    "logged",
    "reply",
    WAITING_FOR_REPORTER,
    "resolved",
    "closed",
    "reopened",
    "major_update",
];

/// The ticket as its messages need it, after the change.
#[derive(sqlx::FromRow)]
struct Facts {
    summary: String,
    reporter_name: String,
    reporter_email: String,
    user_id: Option<UserId>,
    group_id: Option<GroupId>,
    group_name: Option<String>,
    mail_new_tickets: Option<bool>,
    assignee_id: Option<UserId>,
    hold_reason: Option<String>,
}

/// Queues the messages `mailings` call for.
pub async fn queue_for(
    conn: &mut SqliteConnection,
    mailings: &[Mailing],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    if mailings.is_empty() || !outbox::sending(conn).await? {
        return Ok(());
    }
    for mailing in mailings {
        queue_one(conn, mailing, now).await?;
    }
    Ok(())
}

async fn queue_one(
    conn: &mut SqliteConnection,
    mailing: &Mailing,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let facts: Facts = sqlx::query_as(
        "SELECT t.summary, t.reporter_name, t.reporter_email, t.user_id, t.group_id,
                g.name AS group_name, g.mail_new_tickets, t.assignee_id, t.hold_reason
         FROM tickets t LEFT JOIN assignment_groups g ON g.id = t.group_id
         WHERE t.id = ?",
    )
    .bind(mailing.ticket_id)
    .fetch_one(&mut *conn)
    .await?;
    let kind = if mailing.kind == "on_hold" && facts.hold_reason.as_deref() == Some("awaiting_user")
    {
        WAITING_FOR_REPORTER
    } else {
        mailing.kind.as_str()
    };
    let what = Happened {
        kind,
        actor: &mailing.actor,
        body: &mailing.body,
    };
    let ticket = MailTicket {
        number: mailing.number.to_string(),
        summary: facts.summary.clone(),
        reporter_name: facts.reporter_name.clone(),
        group: facts.group_name.clone().unwrap_or_default(),
    };
    // The reporter reopening their ticket is their own doing: the desk hears of
    // it instead.
    let reporter_reopened = kind == "reopened" && mailing.by.is_none();
    if mailing.tell_reporter
        && mailing.public
        && REPORTER_KINDS.contains(&kind)
        && !reporter_reopened
    {
        to_reporter(conn, mailing, &facts, &ticket, what, now).await?;
    }
    if mailing.public && matches!(kind, "reply" | "resolved") {
        to_followers(conn, mailing, &ticket, what, now).await?;
    }
    let kind = if reporter_reopened {
        "reopened_by_reporter"
    } else {
        kind
    };
    let what = Happened { kind, ..what };
    let Some((topic, people)) = staff_for(conn, kind, &facts).await? else {
        return Ok(());
    };
    let link = format!("{PORTAL}/agent/tickets/{}", ticket.number);
    let Some(written) = ticket_message(topic, &ticket, what, &link, true) else {
        return Ok(());
    };
    for (id, email) in people {
        if Some(id) == mailing.by || !wants(conn, id, topic).await? {
            continue;
        }
        queue(conn, &email, &written, &ticket.number, now).await?;
    }
    Ok(())
}

/// The reporter's message, with the link their page is reached by: "My
/// tickets" for an account, else the private link (the status token for a new
/// ticket, later a link of its own, stored hashed).
async fn to_reporter(
    conn: &mut SqliteConnection,
    mailing: &Mailing,
    facts: &Facts,
    ticket: &MailTicket,
    what: Happened<'_>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let topic = MailTopic::MyTickets;
    let link = match (facts.user_id, &mailing.status_link) {
        (Some(user), _) => {
            if !wants(conn, user, topic).await? || !active(conn, user).await? {
                return Ok(());
            }
            format!("{PORTAL}/my-tickets/{}", ticket.number)
        }
        (None, Some(token)) => format!("{PORTAL}/status/{token}"),
        (None, None) => mailed_link(conn, mailing.ticket_id, false, now).await?,
    };
    if let Some(written) = ticket_message(topic, ticket, what, &link, facts.user_id.is_some()) {
        queue(conn, &facts.reporter_email, &written, &ticket.number, now).await?;
    }
    Ok(())
}

/// A private link of its own to ticket `id`, stored hashed; a `following` one
/// reads the ticket as a follower does.
async fn mailed_link(
    conn: &mut SqliteConnection,
    id: TicketId,
    following: bool,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    let token = new_token().map_err(|e| sqlx::Error::Io(std::io::Error::other(e)))?;
    sqlx::query(
        "INSERT INTO mailed_links (token_hash, ticket_id, following, created_at)
         VALUES (?, ?, ?, ?)",
    )
    .bind(hash_token(&token).to_vec())
    .bind(id)
    .bind(following)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(format!("{PORTAL}/status/{token}"))
}

/// The people following major incident `mailing.ticket_id` ("this is my problem
/// too") hear of its public updates and its resolution, each with a follower's
/// link of their own.
async fn to_followers(
    conn: &mut SqliteConnection,
    mailing: &Mailing,
    ticket: &MailTicket,
    what: Happened<'_>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let followers: Vec<(Option<UserId>, String)> = sqlx::query_as(
        "SELECT f.user_id, f.email FROM major_followers f
         LEFT JOIN users u ON u.id = f.user_id
         WHERE f.ticket_id = ? AND (f.user_id IS NULL OR u.active = 1)
         ORDER BY f.id",
    )
    .bind(mailing.ticket_id)
    .fetch_all(&mut *conn)
    .await?;
    let topic = MailTopic::Following;
    for (user, email) in followers {
        if let Some(user) = user {
            if !wants(conn, user, topic).await? {
                continue;
            }
        }
        let link = mailed_link(conn, mailing.ticket_id, true, now).await?;
        if let Some(written) = ticket_message(topic, ticket, what, &link, user.is_some()) {
            queue(conn, &email, &written, &ticket.number, now).await?;
        }
    }
    Ok(())
}

/// The agents or managers who hear of `kind`, by id and address.
async fn staff_for(
    conn: &mut SqliteConnection,
    kind: &str,
    facts: &Facts,
) -> Result<Option<(MailTopic, Vec<(UserId, String)>)>, sqlx::Error> {
    const STAFF: &str = "SELECT u.id, u.email FROM users u
                         WHERE u.active = 1 AND u.role IN ('agent', 'admin')";
    let members = |group: Option<GroupId>| {
        sqlx::query_as::<_, (UserId, String)>(
            "SELECT u.id, u.email FROM users u JOIN group_members m ON m.user_id = u.id
             WHERE m.group_id = ? AND u.active = 1 AND u.role IN ('agent', 'admin')
             ORDER BY u.id",
        )
        .bind(group)
    };
    let one = |id: UserId| {
        sqlx::query_as::<_, (UserId, String)>(
            "SELECT u.id, u.email FROM users u
             WHERE u.id = ? AND u.active = 1 AND u.role IN ('agent', 'admin')",
        )
        .bind(id)
    };
    Ok(Some(match kind {
        "assigned" => match facts.assignee_id {
            Some(id) => (MailTopic::Assigned, one(id).fetch_all(&mut *conn).await?),
            None => return Ok(None),
        },
        "logged" if facts.mail_new_tickets == Some(true) => (
            MailTopic::GroupQueue,
            members(facts.group_id).fetch_all(&mut *conn).await?,
        ),
        "user_information" | "user_escalation" | "resolution_rejected" | "reopened_by_reporter" => {
            let people = match facts.assignee_id {
                Some(id) => one(id).fetch_all(&mut *conn).await?,
                None => members(facts.group_id).fetch_all(&mut *conn).await?,
            };
            (MailTopic::ReporterActivity, people)
        }
        "sla_at_risk" | "sla_breached" | "major_declared" | "escalated_to_managers" => {
            let topic = if kind.starts_with("sla_") {
                MailTopic::SlaWarnings
            } else {
                MailTopic::Escalations
            };
            let admins = sqlx::query_as(&format!("{STAFF} AND u.role = 'admin' ORDER BY u.id"))
                .fetch_all(&mut *conn)
                .await?;
            (topic, admins)
        }
        _ => return Ok(None),
    }))
}

/// Whether `user` receives `topic`: as they chose, else the topic's default.
async fn wants(
    conn: &mut SqliteConnection,
    user: UserId,
    topic: MailTopic,
) -> Result<bool, sqlx::Error> {
    let wanted: Option<bool> =
        sqlx::query_scalar("SELECT wanted FROM mail_preferences WHERE user_id = ? AND topic = ?")
            .bind(user)
            .bind(topic.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    Ok(wanted.unwrap_or(topic.default_on()))
}

async fn active(conn: &mut SqliteConnection, user: UserId) -> Result<bool, sqlx::Error> {
    let active: Option<bool> = sqlx::query_scalar("SELECT active = 1 FROM users WHERE id = ?")
        .bind(user)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(active == Some(true))
}

async fn queue(
    conn: &mut SqliteConnection,
    to: &str,
    written: &crate::domain::Written,
    thread: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let message = NewMessage {
        recipient: to,
        subject: &written.subject,
        body: &written.body,
        link: None,
        thread: Some(thread),
    };
    outbox::queue(conn, &message, now).await.map(drop)
}
