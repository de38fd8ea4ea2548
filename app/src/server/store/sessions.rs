//! Server-side sessions: who is signed in, on which browser.
//!
//! The cookie carries 256 random bits; the database keeps their SHA-256 beside the
//! account, so every session of an account can be revoked at once (sign-out,
//! password change or reset, role change, deactivation) and a copy of the database does not
//! let anyone in. A session ends after [`IDLE`] without a request or [`ABSOLUTE`]
//! after sign-in, whichever comes first.

use super::accounts::AccountRow;
use super::db::Db;
use crate::domain::Account;
use crate::domain::UserId;
use crate::server::secrets::{hash_token, new_token};
use chrono::{DateTime, Duration, Utc};
use sqlx::SqliteConnection;

/// A session ends after this long without a request…
pub const IDLE: Duration = Duration::hours(2);
/// …and this long after sign-in at the latest.
pub const ABSOLUTE: Duration = Duration::hours(12);
/// `last_seen_at` is written at most this often per session.
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// Starts a session for the account; the caller commits it with the sign-in record.
pub async fn create(
    conn: &mut SqliteConnection,
    user_id: UserId,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    let token = new_token().map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)",
    )
    .bind(hash_token(&token).to_vec())
    .bind(user_id)
    .bind(now)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(token)
}

/// Ends one session.
pub async fn end(conn: &mut SqliteConnection, token: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = ?")
        .bind(hash_token(token).to_vec())
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends every session of the account, on every browser.
pub async fn revoke_all(conn: &mut SqliteConnection, user_id: UserId) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE user_id = ?")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The account signed in with this token, if the session is live and the account
/// active. Refreshes the session's idle clock (at most once a minute).
pub async fn account_for(
    db: &Db,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<Account>, sqlx::Error> {
    let id_hash = hash_token(token).to_vec();
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        account: AccountRow,
        created_at: DateTime<Utc>,
        last_seen_at: DateTime<Utc>,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT u.id, u.name, u.email, u.role, u.can_author, u.time_zone, s.created_at, s.last_seen_at
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.id_hash = ? AND u.active = 1",
    )
    .bind(&id_hash)
    .fetch_optional(&db.reader)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let (created_at, last_seen_at) = (row.created_at, row.last_seen_at);
    if now - last_seen_at > IDLE || now - created_at > ABSOLUTE {
        sqlx::query("DELETE FROM sessions WHERE id_hash = ?")
            .bind(&id_hash)
            .execute(&db.writer)
            .await?;
        return Ok(None);
    }
    if now - last_seen_at > TOUCH_EVERY {
        sqlx::query("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?")
            .bind(now)
            .bind(&id_hash)
            .execute(&db.writer)
            .await?;
    }
    Ok(row.account.into_account())
}
