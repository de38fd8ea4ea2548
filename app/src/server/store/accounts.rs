//! Accounts (the `users` table) and their single-use links (`account_tokens`).
//! Group membership is written here too, as part of an account change.

use crate::domain::{Account, Role, UserRow};
use crate::domain::{GroupId, UserId};
use crate::server::secrets::{hash_token, plausible_token};
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

/// Whether people may create their own accounts.
pub async fn self_registration_open(conn: &mut SqliteConnection) -> Result<bool, sqlx::Error> {
    let value: Option<String> =
        sqlx::query_scalar("SELECT value FROM settings WHERE key = 'self_registration'")
            .fetch_optional(conn)
            .await?;
    Ok(value.as_deref() != Some("off"))
}

pub async fn account_by_email(
    conn: &mut SqliteConnection,
    email: &str,
) -> Result<Option<(Account, String, bool)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        account: AccountRow,
        password_hash: String,
        active: bool,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, name, email, role, can_author, time_zone, password_hash, active
         FROM users WHERE email = ?",
    )
    .bind(email.trim())
    .fetch_optional(conn)
    .await?;
    Ok(row.and_then(|row| Some((row.account.into_account()?, row.password_hash, row.active))))
}

pub async fn issue_token(
    conn: &mut SqliteConnection,
    token: &str,
    user_id: UserId,
    purpose: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO account_tokens (token_hash, user_id, purpose, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(hash_token(token).to_vec())
    .bind(user_id)
    .bind(purpose)
    .bind(now)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Uses up a single-use link: the account it belongs to, if it is unused, unexpired
/// and the account active.
pub async fn consume_token(
    conn: &mut SqliteConnection,
    token: &str,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<Option<Account>, sqlx::Error> {
    if !plausible_token(token) {
        return Ok(None);
    }
    let used: Option<UserId> = sqlx::query_scalar(
        "UPDATE account_tokens SET used_at = ?1
         WHERE token_hash = ?2 AND purpose = ?3 AND used_at IS NULL AND expires_at > ?1
         RETURNING user_id",
    )
    .bind(now)
    .bind(hash_token(token).to_vec())
    .bind(purpose)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(user_id) = used else { return Ok(None) };
    super::outbox::strike_link(conn, token).await?;
    let row: Option<AccountRow> = sqlx::query_as(
        "SELECT id, name, email, role, can_author, time_zone FROM users WHERE id = ? AND active = 1",
    )
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.and_then(AccountRow::into_account))
}

/// The columns of an account, as every query that reads one selects them.
#[derive(sqlx::FromRow)]
pub struct AccountRow {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub role: String,
    pub can_author: bool,
    pub time_zone: Option<String>,
}

impl AccountRow {
    /// The account (`None` if its role is not one this version knows).
    pub fn into_account(self) -> Option<Account> {
        Some(Account {
            id: self.id,
            name: self.name,
            email: self.email,
            role: Role::parse(&self.role)?,
            can_author: self.can_author,
            time_zone: self.time_zone,
        })
    }
}

/// The account a live (unused, unexpired) link of `purpose` belongs to, without
/// using it up.
pub async fn token_owner(
    conn: &mut SqliteConnection,
    token: &str,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<Option<UserId>, sqlx::Error> {
    if !plausible_token(token) {
        return Ok(None);
    }
    sqlx::query_scalar(
        "SELECT k.user_id FROM account_tokens k JOIN users u ON u.id = k.user_id
         WHERE k.token_hash = ? AND k.purpose = ? AND k.used_at IS NULL AND k.expires_at > ?
           AND u.active = 1",
    )
    .bind(hash_token(token).to_vec())
    .bind(purpose)
    .bind(now)
    .fetch_optional(conn)
    .await
}

/// Stores a new password hash (`server::accounts` ends the account's sessions
/// with it).
pub async fn set_password(
    conn: &mut SqliteConnection,
    user_id: UserId,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?")
        .bind(hash)
        .bind(now)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn group_exists(conn: &mut SqliteConnection, id: GroupId) -> Result<bool, sqlx::Error> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM assignment_groups WHERE id = ?")
            .bind(id)
            .fetch_one(conn)
            .await?
            > 0,
    )
}

/// Every account, newest first, with its groups.
pub async fn list_users(conn: &mut SqliteConnection) -> Result<Vec<UserRow>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        account: AccountRow,
        active: bool,
        verified: bool,
        groups: Option<String>,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT u.id, u.name, u.email, u.role, u.active, u.can_author, u.time_zone,
                u.email_verified_at IS NOT NULL AS verified,
                (SELECT group_concat(group_id) FROM group_members g WHERE g.user_id = u.id) AS groups
         FROM users u ORDER BY u.id DESC LIMIT 1000",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let account = row.account.into_account()?;
            Some(UserRow {
                id: account.id,
                name: account.name,
                email: account.email,
                role: account.role,
                active: row.active,
                verified: row.verified,
                can_author: account.can_author,
                groups: row
                    .groups
                    .unwrap_or_default()
                    .split(',')
                    .filter_map(|g| g.parse().ok())
                    .collect(),
            })
        })
        .collect())
}

/// Puts the account in exactly `groups`; `false` (and nothing to keep: the
/// caller rolls back) if one of them does not exist.
pub async fn set_groups(
    conn: &mut SqliteConnection,
    user_id: UserId,
    groups: &[GroupId],
) -> Result<bool, sqlx::Error> {
    sqlx::query("DELETE FROM group_members WHERE user_id = ?")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for group in groups {
        let added = sqlx::query(
            "INSERT OR IGNORE INTO group_members (group_id, user_id)
             SELECT id, ? FROM assignment_groups WHERE id = ?",
        )
        .bind(user_id)
        .bind(group)
        .execute(&mut *conn)
        .await?;
        if added.rows_affected() == 0 && !group_exists(conn, *group).await? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The password hash of an account that has none yet (invited, not set up): no
/// password verifies against it.
pub const NO_PASSWORD: &str = "!";

/// A new account.
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
    /// Set when the address is known to be the person's (an admin from the
    /// command line).
    pub verified_at: Option<DateTime<Utc>>,
}

/// Adds an account: its id, or `None` if the address has one already.
pub async fn insert(
    conn: &mut SqliteConnection,
    user: &NewUser<'_>,
    now: DateTime<Utc>,
) -> Result<Option<UserId>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO users (email, name, role, password_hash, email_verified_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (email) DO NOTHING RETURNING id",
    )
    .bind(user.email)
    .bind(user.name)
    .bind(user.role.as_str())
    .bind(user.password_hash)
    .bind(user.verified_at)
    .bind(now)
    .bind(now)
    .fetch_optional(conn)
    .await
}

/// Marks the account's address confirmed (the first confirmation counts).
pub async fn mark_email_verified(
    conn: &mut SqliteConnection,
    user_id: UserId,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET email_verified_at = COALESCE(email_verified_at, ?) WHERE id = ?")
        .bind(now)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The password hash of an active account.
pub async fn password_hash_of_active(
    conn: &mut SqliteConnection,
    user_id: UserId,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE id = ? AND active = 1")
        .bind(user_id)
        .fetch_optional(conn)
        .await
}

/// What an admin may change about an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    /// `None` for a role this version does not know.
    pub role: Option<Role>,
    pub active: bool,
    pub can_author: bool,
}

/// The account's role, activity and authoring right.
pub async fn standing(
    conn: &mut SqliteConnection,
    user_id: UserId,
) -> Result<Option<Standing>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        role: String,
        active: bool,
        can_author: bool,
    }
    let row: Option<Row> =
        sqlx::query_as("SELECT role, active, can_author FROM users WHERE id = ?")
            .bind(user_id)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|row| Standing {
        role: Role::parse(&row.role),
        active: row.active,
        can_author: row.can_author,
    }))
}

/// Sets the account's role, activity and authoring right.
pub async fn set_standing(
    conn: &mut SqliteConnection,
    user_id: UserId,
    role: Role,
    active: bool,
    can_author: bool,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET role = ?, active = ?, can_author = ?, updated_at = ? WHERE id = ?",
    )
    .bind(role.as_str())
    .bind(active)
    .bind(can_author)
    .bind(now)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// How many active admins there are besides `user_id`.
pub async fn other_active_admins(
    conn: &mut SqliteConnection,
    user_id: UserId,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM users WHERE role = 'admin' AND active = 1 AND id <> ?")
        .bind(user_id)
        .fetch_one(conn)
        .await
}

/// Opens or closes self-registration.
pub async fn set_self_registration(
    conn: &mut SqliteConnection,
    open: bool,
) -> Result<(), sqlx::Error> {
    super::priorities::set_setting(conn, "self_registration", if open { "on" } else { "off" }).await
}

/// Whether a user is an active agent or admin.
pub async fn is_active_staff(conn: &mut SqliteConnection, id: UserId) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM users WHERE id = ? AND active = 1 AND role IN ('agent', 'admin')",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// The messages `user` (of `role`) may receive, and whether they do: every
/// topic offered to the role, on unless switched off.
pub async fn mail_choices(
    conn: &mut SqliteConnection,
    user: UserId,
    role: crate::domain::Role,
) -> Result<crate::domain::MailChoices, sqlx::Error> {
    use crate::domain::MailTopic;
    let chosen: Vec<(String, bool)> =
        sqlx::query_as("SELECT topic, wanted FROM mail_preferences WHERE user_id = ?")
            .bind(user)
            .fetch_all(conn)
            .await?;
    let wanted = |topic: MailTopic| {
        chosen
            .iter()
            .find(|(t, _)| t == topic.as_str())
            .map_or(topic.default_on(), |(_, wanted)| *wanted)
    };
    Ok(crate::domain::MailChoices {
        topics: MailTopic::ALL
            .into_iter()
            .filter(|t| t.offered_to(role))
            .map(|t| (t, wanted(t)))
            .collect(),
    })
}

/// Records the time zone `user` reads times in (an IANA name), or that they
/// follow their browser (`None`).
pub async fn set_time_zone(
    conn: &mut SqliteConnection,
    user: UserId,
    zone: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET time_zone = ? WHERE id = ?")
        .bind(zone)
        .bind(user)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records which of the topics offered to `role` `user` receives: those in
/// `wanted`, and none of the others.
pub async fn set_mail_choices(
    conn: &mut SqliteConnection,
    user: UserId,
    role: crate::domain::Role,
    wanted: &[crate::domain::MailTopic],
) -> Result<(), sqlx::Error> {
    let offered = crate::domain::MailTopic::ALL
        .into_iter()
        .filter(|t| t.offered_to(role));
    for topic in offered {
        sqlx::query(
            "INSERT INTO mail_preferences (user_id, topic, wanted) VALUES (?, ?, ?)
             ON CONFLICT (user_id, topic) DO UPDATE SET wanted = excluded.wanted",
        )
        .bind(user)
        .bind(topic.as_str())
        .bind(wanted.contains(&topic))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
