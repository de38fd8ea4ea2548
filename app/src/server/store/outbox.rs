//! The outbox: every message the portal writes, kept in the same transaction as
//! the change that causes it. A message carrying a secret link stores only the
//! secret's hash, so the link can be struck from it once used.

use crate::server::secrets::{hash_token, plausible_token};
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

/// Queues a message; one carrying a secret link records the secret's hash and
/// the kind of link, so the link can be struck once used.
pub async fn queue_message(
    conn: &mut SqliteConnection,
    recipient: &str,
    subject: &str,
    body: &str,
    link: Option<(&str, SecretLink)>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO outbox (recipient, subject, body, created_at, secret_hash, link_kind)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(recipient)
    .bind(subject)
    .bind(body)
    .bind(now)
    .bind(link.map(|(secret, _)| hash_token(secret).to_vec()))
    .bind(link.map(|(_, kind)| kind.as_str()))
    .execute(conn)
    .await?;
    Ok(())
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

/// `body` with every secret token (43 URL-safe characters after a `/`) replaced.
fn hide_links(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(slash) = rest.find('/') {
        let (before, after) = rest.split_at(slash + 1);
        out.push_str(before);
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(after.len());
        if plausible_token(&after[..end]) {
            out.push_str(HIDDEN_LINK);
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
}

/// The newest messages, as an admin may read them: an invitation's link is shown
/// while it works (until e-mail delivery exists, the admin hands it over), every
/// other secret link — resets and confirmations prove the recipient's mailbox —
/// is hidden.
pub async fn recent(
    conn: &mut SqliteConnection,
) -> Result<Vec<crate::domain::OutboxMessage>, sqlx::Error> {
    let rows = sqlx::query_as::<_, OutboxRow>(
        "SELECT o.id, o.recipient, o.subject, o.body, o.created_at,
                (o.link_kind = 'invitation' AND k.used_at IS NULL AND k.expires_at > ?) AS shown
         FROM outbox o LEFT JOIN account_tokens k ON k.token_hash = o.secret_hash
         ORDER BY o.id DESC LIMIT 200",
    )
    .bind(Utc::now())
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| crate::domain::OutboxMessage {
            id: row.id,
            recipient: row.recipient,
            subject: row.subject,
            body: if row.shown == Some(true) {
                row.body
            } else {
                hide_links(&row.body)
            },
            created_at: row.created_at,
        })
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
}
