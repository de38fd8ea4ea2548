//! Service-failure notices by e-mail, to the people who chose to hear of them
//! (the topic is off until chosen): each notice when it is published, updated
//! and resolved, to everyone whose banner shows it (a notice for the affected
//! only reaches those who logged a ticket for one of its services, and staff).
//!
//! Publishing never waits for the recipients: [`queue_news`] writes one row in
//! the notice's transaction, and the delivery worker calls [`fan_out`], which
//! queues the messages of at most a batch of recipients at a time, in order of
//! account, remembering where it stopped.

use super::notices;
use super::outbox::{self, NewMessage};
use crate::domain::{notice_message, MailTopic, NoticeId, NoticeNews, UserId};
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

/// Records that `news` of `notice` is to be mailed (when mail is sent at all);
/// the caller owns the transaction. `said` is the update or resolution as
/// written, empty for a new notice.
pub async fn queue_news(
    conn: &mut SqliteConnection,
    notice: NoticeId,
    news: NoticeNews,
    said: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    if !outbox::sending(conn).await? {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO notice_mailings (notice_id, news, said, created_at) VALUES (?, ?, ?, ?)",
    )
    .bind(notice)
    .bind(news.as_str())
    .bind(said)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// The oldest news not yet mailed to everyone.
#[derive(sqlx::FromRow)]
struct Pending {
    id: i64,
    notice_id: NoticeId,
    news: String,
    said: String,
    after_user: i64,
}

/// Queues the messages of the oldest pending news for at most `batch`
/// recipients; the caller owns the transaction. Returns how many were queued.
pub async fn fan_out(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    batch: u32,
) -> Result<usize, sqlx::Error> {
    let pending: Option<Pending> = sqlx::query_as(
        "SELECT id, notice_id, news, said, after_user FROM notice_mailings
         WHERE done_at IS NULL ORDER BY id LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(pending) = pending else {
        return Ok(0);
    };
    let notice = notices::one_for_staff(conn, pending.notice_id).await?;
    let (Some(notice), Some(news)) = (notice, NoticeNews::parse(&pending.news)) else {
        return finish(conn, pending.id, pending.after_user, now)
            .await
            .map(|_| 0);
    };
    let recipients: Vec<(UserId, String)> = sqlx::query_as(
        "SELECT u.id, u.email FROM users u
         WHERE u.id > ?1 AND u.active = 1
           AND EXISTS (SELECT 1 FROM mail_preferences p
                       WHERE p.user_id = u.id AND p.topic = ?2 AND p.wanted = 1)
           AND (?3 = 'everyone' OR u.role IN ('agent', 'admin') OR EXISTS (
                SELECT 1 FROM notice_services ns JOIN tickets t ON t.service_id = ns.service_id
                WHERE ns.notice_id = ?4 AND t.user_id = u.id))
         ORDER BY u.id LIMIT ?5",
    )
    .bind(pending.after_user)
    .bind(MailTopic::ServiceNotices.as_str())
    .bind(notice.audience.as_str())
    .bind(pending.notice_id)
    .bind(batch)
    .fetch_all(&mut *conn)
    .await?;
    let written = notice_message(&notice, news, &pending.said);
    let thread = format!("notice-{}", notice.id.0);
    for (_, email) in &recipients {
        let message = NewMessage {
            recipient: email,
            subject: &written.subject,
            body: &written.body,
            link: None,
            thread: Some(&thread),
        };
        outbox::queue(conn, &message, now).await?;
    }
    let last = recipients.last().map_or(pending.after_user, |(id, _)| id.0);
    if recipients.len() < batch as usize {
        finish(conn, pending.id, last, now).await?;
    } else {
        sqlx::query("UPDATE notice_mailings SET after_user = ? WHERE id = ?")
            .bind(last)
            .bind(pending.id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(recipients.len())
}

async fn finish(
    conn: &mut SqliteConnection,
    id: i64,
    after_user: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE notice_mailings SET after_user = ?, done_at = ? WHERE id = ?")
        .bind(after_user)
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
