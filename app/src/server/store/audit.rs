//! The audit log: sign-ins, failed sign-ins and every change to an account, with
//! who did it and when. This module only appends and reads; the database refuses
//! any update or deletion of a row (see the migration's triggers).

use crate::domain::UserId;
use crate::domain::{Account, AuditEntry};
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

/// Who did it.
#[derive(Clone, Debug)]
pub enum Actor {
    Anonymous,
    /// The server itself (the command line, a scheduled job).
    System,
    Person {
        id: UserId,
        name: String,
    },
}

impl Actor {
    pub fn account(account: &Account) -> Actor {
        Actor::Person {
            id: account.id,
            name: account.name.clone(),
        }
    }
}

/// Appends one entry.
pub async fn record(
    conn: &mut SqliteConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    action: &str,
    subject_id: Option<UserId>,
    detail: &str,
    address: Option<&str>,
) -> Result<(), sqlx::Error> {
    let (actor_id, actor_label) = match actor {
        Actor::Anonymous => (None, "anonymous".to_string()),
        Actor::System => (None, "system".to_string()),
        Actor::Person { id, name } => (Some(*id), name.clone()),
    };
    sqlx::query(
        "INSERT INTO audit_events (at, actor_id, actor, action, subject_id, detail, address)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(at)
    .bind(actor_id)
    .bind(actor_label)
    .bind(action)
    .bind(subject_id)
    .bind(detail)
    .bind(address)
    .execute(conn)
    .await?;
    Ok(())
}

/// An audit entry as [`recent`] selects it, with the subject's e-mail address.
#[derive(sqlx::FromRow)]
struct AuditRow {
    at: DateTime<Utc>,
    actor: String,
    action: String,
    subject: Option<String>,
    detail: String,
    address: Option<String>,
}

/// The newest entries first.
pub async fn recent(
    conn: &mut SqliteConnection,
    limit: i64,
) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let rows = sqlx::query_as::<_, AuditRow>(
        "SELECT a.at, a.actor, a.action, u.email AS subject, a.detail, a.address
         FROM audit_events a LEFT JOIN users u ON u.id = a.subject_id
         ORDER BY a.id DESC LIMIT ?",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| AuditEntry {
            at: row.at,
            actor: row.actor,
            action: row.action,
            subject: row.subject,
            detail: row.detail,
            address: row.address,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::store::db::Db;
    use crate::server::store::db::TempDb;

    /// [`recent`] against a freshly migrated database: a column renamed in a
    /// migration fails here.
    #[tokio::test]
    async fn recent_decodes_the_migrated_schema() {
        let file = TempDb::new("audit");
        let db = Db::open(&file.0).await.unwrap();
        let mut conn = db.writer.acquire().await.unwrap();
        let at = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let user: UserId = sqlx::query_scalar(
            "INSERT INTO users (email, name, role, password_hash, created_at, updated_at)
             VALUES ('ada@example.org', 'Ada', 'admin', 'x', ?1, ?1) RETURNING id",
        )
        .bind(at)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        let ada = Actor::Person {
            id: user,
            name: "Ada".into(),
        };
        record(
            &mut conn,
            at,
            &ada,
            "role_changed",
            Some(user),
            "agent",
            Some("192.0.2.1"),
        )
        .await
        .unwrap();
        record(
            &mut conn,
            at,
            &Actor::Anonymous,
            "sign_in_failed",
            None,
            "",
            None,
        )
        .await
        .unwrap();

        let entries = recent(&mut conn, 10).await.unwrap();
        assert_eq!(
            entries,
            [
                AuditEntry {
                    at,
                    actor: "anonymous".into(),
                    action: "sign_in_failed".into(),
                    subject: None,
                    detail: String::new(),
                    address: None,
                },
                AuditEntry {
                    at,
                    actor: "Ada".into(),
                    action: "role_changed".into(),
                    subject: Some("ada@example.org".into()),
                    detail: "agent".into(),
                    address: Some("192.0.2.1".into()),
                },
            ]
        );
    }
}
