//! Logging a ticket, and attaching someone to an ongoing major incident instead
//! ("this is my problem too"); what the logging form offers of those.

use super::work::{Entry, RecordError, Seen, TicketRef, TicketWork};
use super::OPEN;
use crate::domain::TicketId;
use crate::domain::UserId;
use crate::domain::{CategoryId, Field, FieldErrors, NewTicket, TicketNumber, Visibility};
use crate::server::hub::Changes;
use crate::server::secrets::{hash_token, new_token};
use crate::server::sla::first_deadlines;
use crate::server::store::attachments::{ClaimError, Files};
use crate::server::store::calendars::sla_for;
use crate::server::store::db::Db;
use crate::server::store::priorities::derive_priority;
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;
use std::sync::LazyLock;

/// What the reporter gets back: the number, and the private link's secret.
#[derive(Clone, Debug)]
pub struct Created {
    pub number: TicketNumber,
    /// The secret of the private status link. Only its hash is stored, so this is
    /// the one moment it exists in full.
    pub status_token: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("invalid ticket")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("no secure random numbers: {0}")]
    Random(String),
}

/// Logs a ticket: the ticket and its first history entry commit together, or not at
/// all. The number comes from a counter in the same transaction, so concurrent
/// submissions never share a number and a rolled-back one never shows up.
///
/// `owner` is the signed-in account logging it, if any: the ticket then belongs to it.
pub async fn create(
    db: &Db,
    hub: &Changes,
    ticket: NewTicket,
    owner: Option<UserId>,
    files: &Files,
    now: DateTime<Utc>,
) -> Result<Created, CreateError> {
    create_through(db, hub, ticket, owner, files, Channel::Portal, now).await
}

/// How a ticket reached the desk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    /// The portal's forms: the reporter is told by mail.
    Portal,
    /// An e-mail: its sender is told only when `answer` (not mail from a
    /// machine, nor past the day's answers to its sender).
    Mail { answer: bool },
}

/// [`create`], for a ticket that came in through `channel`.
pub async fn create_through(
    db: &Db,
    hub: &Changes,
    ticket: NewTicket,
    owner: Option<UserId>,
    files: &Files,
    channel: Channel,
    now: DateTime<Utc>,
) -> Result<Created, CreateError> {
    let token = new_token().map_err(|e| CreateError::Random(e.to_string()))?;
    let mut work = TicketWork::begin(db, hub, now).await?;
    let tx = work.conn();

    let (service_id, category_id) =
        placement(&mut *tx, &ticket.service_slug, Some(ticket.category_id))
            .await?
            .map_err(CreateError::Invalid)?;

    let rule = derive_priority(&mut *tx, ticket.triage).await?;
    let sequence: i64 = sqlx::query_scalar(
        "UPDATE ticket_sequences SET last_number = last_number + 1 WHERE kind = ? RETURNING last_number",
    )
    .bind(ticket.kind.as_str())
    .fetch_one(&mut *tx)
    .await?;
    let number = TicketNumber {
        kind: ticket.kind,
        sequence: u32::try_from(sequence)
            .map_err(|_| sqlx::Error::Protocol("ticket numbers exhausted".into()))?,
    };
    let (impact, urgency) = ticket
        .triage
        .map(|(i, u)| (Some(i.as_str()), Some(u.as_str())))
        .unwrap_or((None, None));
    let sla = sla_for(&mut *tx, i64::from(rule.priority.level())).await?;
    let (deadlines, sla_next_at) = first_deadlines(&sla, now);
    // Version 0: logging it is its first change, which makes it 1.
    let ticket_id: TicketId = sqlx::query_scalar(
        "INSERT INTO tickets (number, kind, state, impact, urgency, priority, service_id, category_id,
                              summary, description, reporter_name, reporter_email, reporter_phone,
                              status_token_hash, response_due_at, resolution_due_at, created_at, updated_at,
                              user_id, group_id, response_risk_at, resolution_risk_at, sla_next_at,
                              version)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                 (SELECT min(id) FROM assignment_groups WHERE level = 1), ?, ?, ?, 0)
         RETURNING id",
    )
    .bind(number.to_string())
    .bind(ticket.kind.as_str())
    .bind(ticket.kind.initial_state().as_str())
    .bind(impact)
    .bind(urgency)
    .bind(i64::from(rule.priority.level()))
    .bind(service_id)
    .bind(category_id)
    .bind(&ticket.summary)
    .bind(&ticket.description)
    .bind(&ticket.reporter.name)
    .bind(&ticket.reporter.email)
    .bind(&ticket.reporter.phone)
    .bind(hash_token(&token).to_vec())
    .bind(deadlines.response_due_at.unwrap_or(now))
    .bind(deadlines.resolution_due_at.unwrap_or(now))
    .bind(now)
    .bind(now)
    .bind(owner)
    .bind(deadlines.response_risk_at)
    .bind(deadlines.resolution_risk_at)
    .bind(sla_next_at)
    .fetch_one(&mut *tx)
    .await?;
    let through = match channel {
        Channel::Portal => "through the self-service portal",
        Channel::Mail { .. } => "by e-mail",
    };
    let body = format!(
        "{} logged {through} with priority {}.",
        ticket.kind.label(),
        rule.title()
    );
    let entry = Entry {
        at: now,
        actor: &ticket.reporter.name,
        kind: "logged",
        visibility: Visibility::Public,
        body: &body,
        by: None,
    };
    let logged = TicketRef {
        id: ticket_id,
        number,
    };
    work.record(logged, 0, entry, Seen::ByReporter).await?;
    work.mail_status_link(ticket_id, &token);
    if channel == (Channel::Mail { answer: false }) {
        work.tell_reporter_nothing(ticket_id);
    }
    match work.attach(files).await {
        Ok(()) => {}
        Err(ClaimError::Database(error)) => return Err(error.into()),
        Err(problem) => {
            let mut errors = FieldErrors::default();
            errors.add(Field::Files, problem.message());
            return Err(CreateError::Invalid(errors));
        }
    }
    work.commit().await?;
    Ok(Created {
        number,
        status_token: token,
    })
}

/// Major incidents still being worked, newest first.
pub async fn ongoing_majors(
    conn: &mut SqliteConnection,
) -> Result<Vec<crate::domain::OngoingMajor>, sqlx::Error> {
    let now = Utc::now();
    // id, number, summary, and the title and text of its notice, if one is linked.
    type Row = (i64, String, String, Option<String>, Option<String>);
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT t.id, t.number, t.summary, n.title, n.experience FROM tickets t
             LEFT JOIN notices n ON n.id = (
                 SELECT id FROM notices WHERE major_ticket_id = t.id AND resolved_at IS NULL
                 AND starts_at <= ? ORDER BY id DESC LIMIT 1)
             WHERE t.major = 1 AND t.{OPEN}
             ORDER BY t.id DESC LIMIT 20"
        )
    });
    let rows: Vec<Row> = sqlx::query_as(SQL.as_str())
        .bind(now)
        .fetch_all(&mut *conn)
        .await?;
    let mut majors = Vec::with_capacity(rows.len());
    for (id, number, summary, title, experience) in rows {
        let Some(number) = TicketNumber::parse(&number) else {
            continue;
        };
        let services: Vec<(String, String)> = sqlx::query_as(
            "SELECT slug, name FROM services WHERE id = (SELECT service_id FROM tickets WHERE id = ?1)
                OR id IN (SELECT ns.service_id FROM notice_services ns JOIN notices n ON n.id = ns.notice_id
                          WHERE n.major_ticket_id = ?1 AND n.resolved_at IS NULL AND n.starts_at <= ?2)
             ORDER BY position",
        )
        .bind(id)
        .bind(now)
        .fetch_all(&mut *conn)
        .await?;
        majors.push(crate::domain::OngoingMajor {
            number,
            summary: title.unwrap_or(summary),
            experience,
            services,
        });
    }
    Ok(majors)
}

/// Why someone could not be attached to a major incident.
#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    #[error("that is not an ongoing major incident")]
    NotOngoing,
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("no secure random numbers: {0}")]
    Random(String),
}

/// "This is my problem too": attaches someone to ongoing major incident `major`
/// instead of logging a duplicate. They follow it through their own private
/// link, whose secret is answered (only its hash is stored); the desk sees one
/// more affected person in the major incident's history.
pub async fn follow_major(
    db: &Db,
    hub: &Changes,
    major: TicketNumber,
    name: &str,
    email: &str,
    user_id: Option<UserId>,
    now: DateTime<Utc>,
) -> Result<String, FollowError> {
    let token = new_token().map_err(|e| FollowError::Random(e.to_string()))?;
    let mut work = TicketWork::begin(db, hub, now).await?;
    let tx = work.conn();
    let ticket_id = super::ongoing_major(&mut *tx, major)
        .await?
        .ok_or(FollowError::NotOngoing)?;
    sqlx::query(
        "INSERT INTO major_followers (ticket_id, user_id, name, email, status_token_hash, created_at)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(ticket_id)
    .bind(user_id)
    .bind(name)
    .bind(email)
    .bind(hash_token(&token).to_vec())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let body = format!("{name} <{email}> has the same problem (“this is my problem too”).");
    let entry = Entry {
        at: now,
        actor: name,
        kind: "follower",
        visibility: Visibility::Internal,
        body: &body,
        by: None,
    };
    let followed = TicketRef {
        id: ticket_id,
        number: major,
    };
    work.record_any(followed, entry, Seen::ByDesk).await?;
    work.commit().await?;
    Ok(token)
}

/// Where a new ticket goes in the catalogue: the service `slug` and `category`
/// (when one was chosen), both offered and the category the service's. Answers
/// their ids, or the problems in words. A withdrawn service or category is
/// refused like one that does not exist: the form no longer offers it, so only
/// an old page or a crafted post sends it.
pub async fn placement(
    conn: &mut SqliteConnection,
    slug: &str,
    category: Option<CategoryId>,
) -> Result<Result<(i64, i64), FieldErrors>, sqlx::Error> {
    let ids = sqlx::query_as::<_, (i64, Option<i64>)>(
        "SELECT s.id AS service_id, c.id AS category_id
         FROM services s LEFT JOIN categories c ON c.service_id = s.id AND c.id = ? AND c.offered = 1
         WHERE s.slug = ? AND s.offered = 1",
    )
    .bind(category.map_or(0, |c| c.0))
    .bind(slug)
    .fetch_optional(conn)
    .await?;
    let mut errors = FieldErrors::default();
    match ids {
        Some((service, Some(category))) => return Ok(Ok((service, category))),
        None => errors.add(Field::Service, "Choose one of the services in the list."),
        Some((_, None)) if category.is_some() => errors.add(
            Field::Category,
            "Choose a category that belongs to the service you picked.",
        ),
        // No category chosen: the form's own check says so.
        Some((_, None)) => {}
    }
    Ok(Err(errors))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CategoryId, Reporter, TicketKind};
    use crate::server::store::db::TempDb;

    /// The service and category check of [`create`] against a freshly migrated
    /// database: a column renamed in a migration fails here.
    #[tokio::test]
    async fn create_checks_the_service_and_category_in_the_migrated_schema() {
        let file = TempDb::new("log-create");
        let db = Db::open(&file.0).await.unwrap();
        let hub = Changes::default();
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let (service, category, withdrawn) = {
            let mut conn = db.writer.acquire().await.unwrap();
            let service: i64 = sqlx::query_scalar(
                "INSERT INTO services (slug, name) VALUES ('mail', 'Mail') RETURNING id",
            )
            .fetch_one(&mut *conn)
            .await
            .unwrap();
            let mut categories = Vec::new();
            for (name, offered) in [("Sending", true), ("Receiving", false)] {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO categories (service_id, name, offered) VALUES (?, ?, ?)
                     RETURNING id",
                )
                .bind(service)
                .bind(name)
                .bind(offered)
                .fetch_one(&mut *conn)
                .await
                .unwrap();
                categories.push(id);
            }
            (service, categories[0], categories[1])
        };
        let ticket = |slug: &str, category: i64| NewTicket {
            kind: TicketKind::Request,
            reporter: Reporter {
                name: "Rita".into(),
                email: "rita@example.org".into(),
                phone: None,
            },
            service_slug: slug.into(),
            category_id: CategoryId(category),
            summary: "A new mailbox".into(),
            description: String::new(),
            triage: None,
        };

        let created = create(
            &db,
            &hub,
            ticket("mail", category),
            None,
            &Files::none(),
            now,
        )
        .await
        .unwrap();
        let stored: (i64, i64) =
            sqlx::query_as("SELECT service_id, category_id FROM tickets WHERE number = ?")
                .bind(created.number.to_string())
                .fetch_one(&db.reader)
                .await
                .unwrap();
        assert_eq!(stored, (service, category));

        match create(
            &db,
            &hub,
            ticket("mail", withdrawn),
            None,
            &Files::none(),
            now,
        )
        .await
        {
            Err(CreateError::Invalid(errors)) => assert!(errors.get(Field::Category).is_some()),
            other => panic!("a withdrawn category was accepted: {other:?}"),
        }
        match create(
            &db,
            &hub,
            ticket("nothing", category),
            None,
            &Files::none(),
            now,
        )
        .await
        {
            Err(CreateError::Invalid(errors)) => assert!(errors.get(Field::Service).is_some()),
            other => panic!("an unknown service was accepted: {other:?}"),
        }
    }
}
