//! Accounts: registration, sign-in, passwords, resets, e-mail verification, and
//! what admins do to accounts. Every change is written with its audit record in one
//! transaction.

pub mod audit;
pub mod passwords;
pub mod sessions;

use super::secrets::{hash_token, new_token, plausible_token};
use super::store::tickets::apply as ticket_apply;
use super::store::tickets::work::TicketWork;
use super::web::state::AppState;
use crate::domain::{
    Account, Field, FieldErrors, Invitation, NewAccount, NewPasswordForm, PasswordChangeForm, Role,
    SignInForm, UserRow,
};
pub use crate::domain::{LINK_UNUSABLE, OTHER_ACCOUNTS_LINK};
use audit::Actor;
use chrono::{DateTime, Duration, Utc};
use passwords::PasswordError;
use sqlx::{Row, SqliteConnection};

/// A password reset link works for this long.
pub const RESET_LINK_LIFETIME: Duration = Duration::hours(1);
/// An invitation (a reset link for a new account) works for this long.
pub const INVITATION_LIFETIME: Duration = Duration::days(7);
/// An e-mail verification link works for this long.
pub const VERIFY_LINK_LIFETIME: Duration = Duration::days(7);

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Fields to correct, each message beside its field.
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// Refused, with a message the user may read.
    #[error("{0}")]
    Refused(String),
    /// Too many attempts; try again later.
    #[error("too many attempts")]
    Limited,
    /// Only the signed-in account itself may do this.
    #[error("sign-in required")]
    SignInRequired,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error("no secure random numbers: {0}")]
    Random(String),
}

fn invalid(field: Field, message: &str) -> AccountError {
    let mut errors = FieldErrors::default();
    errors.add(field, message);
    AccountError::Invalid(errors)
}

fn token() -> Result<String, AccountError> {
    new_token().map_err(|e| AccountError::Random(e.to_string()))
}

/// The one answer to a failed sign-in, whether the account exists or not.
pub const SIGN_IN_FAILED: &str = "That e-mail address and password do not match an account.";

/// Rejects passwords from the common list; the length rule is in the form's parse.
fn check_not_common(field: Field, password: &str) -> Result<(), AccountError> {
    if passwords::is_common(password) {
        return Err(invalid(
            field,
            "This password is one of the most common ones and easy to guess. Choose another.",
        ));
    }
    Ok(())
}

/// Whether people may create their own accounts.
pub async fn self_registration_open(conn: &mut SqliteConnection) -> Result<bool, sqlx::Error> {
    let value: Option<String> =
        sqlx::query_scalar("SELECT value FROM settings WHERE key = 'self_registration'")
            .fetch_optional(conn)
            .await?;
    Ok(value.as_deref() != Some("off"))
}

async fn account_by_email(
    conn: &mut SqliteConnection,
    email: &str,
) -> Result<Option<(Account, String, bool)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, name, email, role, can_author, password_hash, active FROM users WHERE email = ?",
    )
    .bind(email.trim())
    .fetch_optional(conn)
    .await?;
    Ok(row.and_then(|row| {
        Some((
            account_from_row(&row)?,
            row.get("password_hash"),
            row.get::<i64, _>("active") == 1,
        ))
    }))
}

/// Signs in: on success the account and the new session's token. An unknown
/// account, a wrong password and a deactivated account get the same answer, after
/// the same work.
pub async fn sign_in(
    state: &AppState,
    form: &SignInForm,
    address: &str,
    now: DateTime<Utc>,
) -> Result<(Account, String), AccountError> {
    if !state.limits.sign_in(&form.email, address) {
        return Err(AccountError::Limited);
    }
    let mut conn = state.db.reader.acquire().await?;
    let found = account_by_email(&mut conn, &form.email).await?;
    drop(conn);
    let stored = found.as_ref().map(|(_, hash, _)| hash.clone());
    let matches = passwords::verify(stored, form.password.clone()).await?;
    let mut tx = state.db.writer.begin().await?;
    match found {
        Some((account, _, true)) if matches => {
            let token = sessions::create(&mut tx, account.id, now).await?;
            audit::record(
                &mut tx,
                now,
                &Actor::account(&account),
                "signed_in",
                Some(account.id),
                "",
                Some(address),
            )
            .await?;
            tx.commit().await?;
            Ok((account, token))
        }
        found => {
            // What was typed as the address is not kept: people type passwords
            // into the wrong field.
            let subject = found.as_ref().map(|(a, _, _)| a.id);
            let detail = if subject.is_some() {
                ""
            } else {
                "no such account"
            };
            audit::record(
                &mut tx,
                now,
                &Actor::Anonymous,
                "sign_in_failed",
                subject,
                detail,
                Some(address),
            )
            .await?;
            tx.commit().await?;
            Err(AccountError::Refused(SIGN_IN_FAILED.into()))
        }
    }
}

/// Signs out: every session of the account ends, on every browser.
pub async fn sign_out(
    state: &AppState,
    account: &Account,
    address: &str,
    now: DateTime<Utc>,
) -> Result<(), AccountError> {
    let mut tx = state.db.writer.begin().await?;
    sessions::revoke_all(&mut tx, account.id).await?;
    audit::record(
        &mut tx,
        now,
        &Actor::account(account),
        "signed_out",
        Some(account.id),
        "",
        Some(address),
    )
    .await?;
    tx.commit().await?;
    state.changes.sessions_ended(account.id);
    Ok(())
}

/// What registration answers: the same whether or not the address already had an
/// account, so that it cannot be used to find out who has one.
pub const REGISTERED: &str = "Your account is ready: you can sign in now. We have also sent a \
     message to your e-mail address: once signed in, follow its link to confirm the address, and \
     tickets you logged earlier with it will show under My tickets.";

/// Creates an end-user account and queues the e-mail verification message. If the
/// address already has an account, its owner is told instead and nothing changes.
pub async fn register(
    state: &AppState,
    new: NewAccount,
    origin: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<(), AccountError> {
    let mut conn = state.db.reader.acquire().await?;
    if !self_registration_open(&mut conn).await? {
        return Err(AccountError::Refused(
            "New accounts are created by the service desk. Ask them for an invitation.".into(),
        ));
    }
    drop(conn);
    check_not_common(Field::Password, &new.password)?;
    if !state.limits.message(address) {
        return Err(AccountError::Limited);
    }
    let hash = passwords::hash(new.password).await?;
    let verify_token = token()?;
    let mut tx = state.db.writer.begin().await?;
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO users (email, name, role, password_hash, created_at, updated_at)
         VALUES (?, ?, 'end_user', ?, ?, ?)
         ON CONFLICT (email) DO NOTHING RETURNING id",
    )
    .bind(&new.email)
    .bind(&new.name)
    .bind(&hash)
    .bind(now)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    match inserted {
        Some(user_id) => {
            issue_token(
                &mut tx,
                &verify_token,
                user_id,
                "verify_email",
                now + VERIFY_LINK_LIFETIME,
                now,
            )
            .await?;
            queue_message(
                &mut tx,
                &new.email,
                "Confirm your e-mail address for IT Help",
                &format!(
                    "Hello {},\n\nConfirm your e-mail address for IT Help: sign in to your new \
                     account, then open this link within 7 days:\n\n\
                     {origin}/verify-email/{verify_token}\n\nIf you did not create an account, \
                     ignore this message: nobody can confirm it without the link.",
                    new.name
                ),
                Some((&verify_token, SecretLink::Confirmation)),
                now,
            )
            .await?;
            let actor = Actor::Person {
                id: user_id,
                name: new.name.clone(),
            };
            audit::record(
                &mut tx,
                now,
                &actor,
                "registered",
                Some(user_id),
                "",
                Some(address),
            )
            .await?;
        }
        None => {
            queue_message(
                &mut tx,
                &new.email,
                "Someone tried to create an account with your address",
                "Hello,\n\nSomeone tried to create an IT Help account with this e-mail address, \
                 which already has one. If it was you, sign in, or use \"Forgot your password?\" \
                 on the sign-in page. If not, you can ignore this message.",
                None,
                now,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

async fn issue_token(
    conn: &mut SqliteConnection,
    token: &str,
    user_id: i64,
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
async fn consume_token(
    conn: &mut SqliteConnection,
    token: &str,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<Option<Account>, sqlx::Error> {
    if !plausible_token(token) {
        return Ok(None);
    }
    let row = sqlx::query(
        "UPDATE account_tokens SET used_at = ?1
         WHERE token_hash = ?2 AND purpose = ?3 AND used_at IS NULL AND expires_at > ?1
         RETURNING user_id",
    )
    .bind(now)
    .bind(hash_token(token).to_vec())
    .bind(purpose)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    strike_link(conn, token).await?;
    let user_id: i64 = row.get("user_id");
    let row = sqlx::query(
        "SELECT id, name, email, role, can_author FROM users WHERE id = ? AND active = 1",
    )
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.as_ref().and_then(account_from_row))
}

/// An account from a row with `id`, `name`, `email` and `role` (`None` if the role
/// is not one we know).
pub(super) fn account_from_row(row: &sqlx::sqlite::SqliteRow) -> Option<Account> {
    Some(Account {
        id: row.get("id"),
        name: row.get("name"),
        email: row.get("email"),
        role: Role::parse(row.get("role"))?,
        can_author: row.get::<i64, _>("can_author") == 1,
    })
}

/// The kind of secret link a message carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SecretLink {
    /// Choosing the first password of an account an admin created.
    Invitation,
    /// Choosing a new password.
    Reset,
    /// Confirming an e-mail address.
    Confirmation,
}

impl SecretLink {
    fn as_str(self) -> &'static str {
        match self {
            SecretLink::Invitation => "invitation",
            SecretLink::Reset => "reset",
            SecretLink::Confirmation => "confirmation",
        }
    }
}

/// Queues a message; one carrying a secret link records the secret's hash and
/// the kind of link, so the link can be struck once used.
async fn queue_message(
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
async fn strike_link(conn: &mut SqliteConnection, token: &str) -> Result<(), sqlx::Error> {
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

/// Marks the address verified and gives the account the tickets logged earlier
/// with it, each change in its ticket's history.
async fn mark_verified(
    work: &mut TicketWork<'_>,
    account: &Account,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    sqlx::query("UPDATE users SET email_verified_at = COALESCE(email_verified_at, ?) WHERE id = ?")
        .bind(now)
        .bind(account.id)
        .execute(work.conn())
        .await?;
    ticket_apply::link_to_account(work, account, now).await
}

/// The account a live (unused, unexpired) link of `purpose` belongs to, without
/// using it up.
pub async fn token_owner(
    conn: &mut SqliteConnection,
    token: &str,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<Option<i64>, sqlx::Error> {
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

/// What a confirmation link is to the signed-in `account`.
pub async fn verification_for(
    state: &AppState,
    token: &str,
    account: &Account,
    now: DateTime<Utc>,
) -> Result<crate::domain::Verification, AccountError> {
    use crate::domain::Verification;
    let mut conn = state.db.reader.acquire().await?;
    Ok(
        match token_owner(&mut conn, token, "verify_email", now).await? {
            None => Verification::Unusable,
            Some(owner) if owner != account.id => Verification::OtherAccount,
            Some(_) => Verification::Yours {
                name: account.name.clone(),
                email: account.email.clone(),
            },
        },
    )
}

/// Confirms an e-mail address through its link, for the account signed in: the
/// link proves the mailbox, the session proves the password. Only then does the
/// account get the tickets logged earlier with the address; a link opened by
/// anyone else changes nothing and stays usable for its own account.
pub async fn verify_email(
    state: &AppState,
    token: &str,
    account: &Account,
    address: &str,
    now: DateTime<Utc>,
) -> Result<u64, AccountError> {
    let mut work = TicketWork::begin(&state.db, &state.changes, now).await?;
    match token_owner(work.conn(), token, "verify_email", now).await? {
        None => return Err(AccountError::Refused(LINK_UNUSABLE.into())),
        Some(owner) if owner != account.id => {
            return Err(AccountError::Refused(OTHER_ACCOUNTS_LINK.into()))
        }
        Some(_) => {}
    }
    let Some(account) = consume_token(work.conn(), token, "verify_email", now).await? else {
        return Err(AccountError::Refused(LINK_UNUSABLE.into()));
    };
    let linked = mark_verified(&mut work, &account, now).await?;
    audit::record(
        work.conn(),
        now,
        &Actor::account(&account),
        "email_verified",
        Some(account.id),
        &format!("{linked} earlier tickets linked"),
        Some(address),
    )
    .await?;
    work.commit().await?;
    Ok(linked)
}

/// Changes the password of the signed-in account: every session ends, and this
/// browser gets a new one (whose token is returned).
pub async fn change_password(
    state: &AppState,
    account: &Account,
    form: &PasswordChangeForm,
    address: &str,
    now: DateTime<Utc>,
) -> Result<String, AccountError> {
    form.parse().map_err(AccountError::Invalid)?;
    check_not_common(Field::NewPassword, &form.new_password)?;
    if !state.limits.sign_in(&account.email, address) {
        return Err(AccountError::Limited);
    }
    let stored: Option<String> =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE id = ? AND active = 1")
            .bind(account.id)
            .fetch_optional(&state.db.reader)
            .await?;
    if !passwords::verify(stored, form.current_password.clone()).await? {
        return Err(invalid(
            Field::CurrentPassword,
            "That is not your current password.",
        ));
    }
    let hash = passwords::hash(form.new_password.clone()).await?;
    let mut tx = state.db.writer.begin().await?;
    set_password(&mut tx, account.id, &hash, now).await?;
    let token = sessions::create(&mut tx, account.id, now).await?;
    audit::record(
        &mut tx,
        now,
        &Actor::account(account),
        "password_changed",
        Some(account.id),
        "",
        Some(address),
    )
    .await?;
    tx.commit().await?;
    state.changes.sessions_ended(account.id);
    Ok(token)
}

/// Stores a new password hash and ends every session of the account.
async fn set_password(
    conn: &mut SqliteConnection,
    user_id: i64,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?")
        .bind(hash)
        .bind(now)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sessions::revoke_all(conn, user_id).await
}

/// The one answer to a reset request, whether the account exists or not.
pub const RESET_REQUESTED: &str = "If an account uses that address, we have sent it a link to \
     choose a new password. The link works once, within an hour.";

/// Queues a reset link for the account with this address, if there is one.
///
/// Both answers do the same work — a transaction with an audit entry, committed
/// to disk — so that how long the answer takes does not tell whether an account
/// uses the address.
pub async fn request_reset(
    state: &AppState,
    email: &str,
    origin: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<(), AccountError> {
    if !state.limits.message(address) {
        return Err(AccountError::Limited);
    }
    let mut conn = state.db.reader.acquire().await?;
    let found = account_by_email(&mut conn, email).await?;
    drop(conn);
    let reset = token()?;
    let mut tx = state.db.writer.begin().await?;
    let subject = match found {
        Some((account, _, true)) => {
            issue_token(
                &mut tx,
                &reset,
                account.id,
                "password_reset",
                now + RESET_LINK_LIFETIME,
                now,
            )
            .await?;
            queue_message(
                &mut tx,
                &account.email,
                "Choose a new password for IT Help",
                &format!(
                    "Hello {},\n\nSomeone (we hope you) asked to reset your IT Help password. \
                     Choose a new one within an hour at:\n\n{origin}/reset-password/{reset}\n\n\
                     If it was not you, ignore this message: your password stays as it is.",
                    account.name
                ),
                Some((&reset, SecretLink::Reset)),
                now,
            )
            .await?;
            Some(account.id)
        }
        // No message; what was typed is not kept (it may be anything).
        _ => None,
    };
    audit::record(
        &mut tx,
        now,
        &Actor::Anonymous,
        "password_reset_requested",
        subject,
        if subject.is_some() {
            ""
        } else {
            "no active account uses the address"
        },
        Some(address),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a new password through a reset or invitation link. The link proves the
/// mailbox, so the address counts as verified.
///
/// The link is looked up before the password is hashed, and attempts are limited
/// per client address: a made-up link costs the server one query, never a hash.
pub async fn reset_password(
    state: &AppState,
    token: &str,
    form: &NewPasswordForm,
    address: &str,
    now: DateTime<Utc>,
) -> Result<Account, AccountError> {
    if !state.limits.reset(address) {
        return Err(AccountError::Limited);
    }
    let mut conn = state.db.reader.acquire().await?;
    let live = token_owner(&mut conn, token, "password_reset", now).await?;
    drop(conn);
    if live.is_none() {
        return Err(AccountError::Refused(LINK_UNUSABLE.into()));
    }
    form.parse().map_err(AccountError::Invalid)?;
    check_not_common(Field::NewPassword, &form.new_password)?;
    let hash = passwords::hash(form.new_password.clone()).await?;
    let mut work = TicketWork::begin(&state.db, &state.changes, now).await?;
    let Some(account) = consume_token(work.conn(), token, "password_reset", now).await? else {
        return Err(AccountError::Refused(LINK_UNUSABLE.into()));
    };
    set_password(work.conn(), account.id, &hash, now).await?;
    mark_verified(&mut work, &account, now).await?;
    audit::record(
        work.conn(),
        now,
        &Actor::account(&account),
        "password_reset",
        Some(account.id),
        "",
        Some(address),
    )
    .await?;
    work.commit().await?;
    state.changes.sessions_ended(account.id);
    Ok(account)
}

/// Creates an account for someone else, with an invitation link to choose a password.
pub async fn invite(
    state: &AppState,
    admin: &Account,
    invitation: Invitation,
    origin: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<i64, AccountError> {
    let link = token()?;
    let mut tx = state.db.writer.begin().await?;
    // "!" is no PHC string: nothing verifies against it until a password is chosen.
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO users (email, name, role, password_hash, created_at, updated_at)
         VALUES (?, ?, ?, '!', ?, ?)
         ON CONFLICT (email) DO NOTHING RETURNING id",
    )
    .bind(&invitation.email)
    .bind(&invitation.name)
    .bind(invitation.role.as_str())
    .bind(now)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(user_id) = inserted else {
        return Err(invalid(
            Field::Email,
            "An account with this e-mail address already exists.",
        ));
    };
    set_groups(&mut tx, user_id, &invitation.groups).await?;
    issue_token(
        &mut tx,
        &link,
        user_id,
        "password_reset",
        now + INVITATION_LIFETIME,
        now,
    )
    .await?;
    queue_message(
        &mut tx,
        &invitation.email,
        "You are invited to IT Help",
        &format!(
            "Hello {},\n\n{} has created an IT Help account for you ({}). Choose your \
             password within 7 days at:\n\n{origin}/reset-password/{link}",
            invitation.name,
            admin.name,
            invitation.role.label()
        ),
        Some((&link, SecretLink::Invitation)),
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        &Actor::account(admin),
        "account_created",
        Some(user_id),
        &format!("role {}", invitation.role.as_str()),
        Some(address),
    )
    .await?;
    tx.commit().await?;
    Ok(user_id)
}

async fn set_groups(
    conn: &mut SqliteConnection,
    user_id: i64,
    groups: &[i64],
) -> Result<(), AccountError> {
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
            return Err(AccountError::Refused("Choose groups from the list.".into()));
        }
    }
    Ok(())
}

async fn group_exists(conn: &mut SqliteConnection, id: i64) -> Result<bool, sqlx::Error> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM assignment_groups WHERE id = ?")
            .bind(id)
            .fetch_one(conn)
            .await?
            > 0,
    )
}

/// What an admin may change about an account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountChange {
    pub role: Role,
    pub groups: Vec<i64>,
    pub active: bool,
    /// For an agent: may write knowledge articles.
    pub can_author: bool,
}

/// Changes an account's role, groups or activity. A role change or deactivation
/// ends the account's sessions. The last active admin cannot be demoted or
/// deactivated, so the portal never loses its administration.
pub async fn change_account(
    state: &AppState,
    admin: &Account,
    user_id: i64,
    change: AccountChange,
    address: &str,
    now: DateTime<Utc>,
) -> Result<(), AccountError> {
    let mut tx = state.db.writer.begin().await?;
    let row = sqlx::query("SELECT role, active, can_author FROM users WHERE id = ?")
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(row) = row else {
        return Err(AccountError::Refused("There is no such account.".into()));
    };
    let old_role = Role::parse(row.get("role"));
    let was_active = row.get::<i64, _>("active") == 1;
    let could_author = row.get::<i64, _>("can_author") == 1;
    let stays_admin = change.role == Role::Admin && change.active;
    if old_role == Some(Role::Admin) && was_active && !stays_admin {
        let admins: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM users WHERE role = 'admin' AND active = 1 AND id <> ?",
        )
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
        if admins == 0 {
            return Err(AccountError::Refused(
                "This is the last active admin: make someone else an admin first.".into(),
            ));
        }
    }
    let groups = if change.role.is_staff() {
        change.groups.clone()
    } else {
        Vec::new()
    };
    sqlx::query(
        "UPDATE users SET role = ?, active = ?, can_author = ?, updated_at = ? WHERE id = ?",
    )
    .bind(change.role.as_str())
    .bind(i64::from(change.active))
    .bind(i64::from(change.can_author))
    .bind(now)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    set_groups(&mut tx, user_id, &groups).await?;
    let actor = Actor::account(admin);
    if old_role != Some(change.role) {
        sessions::revoke_all(&mut tx, user_id).await?;
        let detail = format!(
            "{} to {}",
            old_role.map(Role::as_str).unwrap_or("?"),
            change.role.as_str()
        );
        audit::record(
            &mut tx,
            now,
            &actor,
            "role_changed",
            Some(user_id),
            &detail,
            Some(address),
        )
        .await?;
    }
    if could_author != change.can_author {
        let detail = if change.can_author { "on" } else { "off" };
        audit::record(
            &mut tx,
            now,
            &actor,
            "authoring_right_set",
            Some(user_id),
            detail,
            Some(address),
        )
        .await?;
    }
    if was_active != change.active {
        if !change.active {
            sessions::revoke_all(&mut tx, user_id).await?;
        }
        let action = if change.active {
            "reactivated"
        } else {
            "deactivated"
        };
        audit::record(
            &mut tx,
            now,
            &actor,
            action,
            Some(user_id),
            "",
            Some(address),
        )
        .await?;
    }
    let group_list = groups
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    audit::record(
        &mut tx,
        now,
        &actor,
        "groups_set",
        Some(user_id),
        &format!("groups [{group_list}]"),
        Some(address),
    )
    .await?;
    tx.commit().await?;
    if old_role != Some(change.role) || (was_active && !change.active) {
        state.changes.sessions_ended(user_id);
    }
    Ok(())
}

/// Turns self-registration on or off.
pub async fn set_self_registration(
    state: &AppState,
    admin: &Account,
    open: bool,
    address: &str,
    now: DateTime<Utc>,
) -> Result<(), AccountError> {
    let mut tx = state.db.writer.begin().await?;
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ('self_registration', ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(if open { "on" } else { "off" })
    .execute(&mut *tx)
    .await?;
    let detail = if open { "on" } else { "off" };
    audit::record(
        &mut tx,
        now,
        &Actor::account(admin),
        "self_registration_set",
        None,
        detail,
        Some(address),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Every account, newest first, with its groups.
pub async fn list_users(conn: &mut SqliteConnection) -> Result<Vec<UserRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT u.id, u.name, u.email, u.role, u.active, u.can_author,
                u.email_verified_at IS NOT NULL AS verified,
                (SELECT group_concat(group_id) FROM group_members g WHERE g.user_id = u.id) AS groups
         FROM users u ORDER BY u.id DESC LIMIT 1000",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let groups: Option<String> = row.get("groups");
            Some(UserRow {
                id: row.get("id"),
                name: row.get("name"),
                email: row.get("email"),
                role: Role::parse(row.get("role"))?,
                active: row.get::<i64, _>("active") == 1,
                verified: row.get::<bool, _>("verified"),
                can_author: row.get::<i64, _>("can_author") == 1,
                groups: groups
                    .unwrap_or_default()
                    .split(',')
                    .filter_map(|g| g.parse().ok())
                    .collect(),
            })
        })
        .collect())
}

/// Creates an admin from the command line (`server create-admin`).
pub async fn create_admin(
    db: &super::store::db::Db,
    name: &str,
    email: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<i64, AccountError> {
    let form = crate::domain::RegisterForm {
        name: name.into(),
        email: email.into(),
        password: password.into(),
        confirm_password: password.into(),
    };
    let new = form.parse().map_err(AccountError::Invalid)?;
    check_not_common(Field::Password, &new.password)?;
    let hash = passwords::hash(new.password).await?;
    let mut tx = db.writer.begin().await?;
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO users (email, name, role, password_hash, email_verified_at, created_at, updated_at)
         VALUES (?, ?, 'admin', ?, ?, ?, ?)
         ON CONFLICT (email) DO NOTHING RETURNING id",
    )
    .bind(&new.email)
    .bind(&new.name)
    .bind(&hash)
    .bind(now)
    .bind(now)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(user_id) = inserted else {
        return Err(invalid(
            Field::Email,
            "An account with this e-mail address already exists.",
        ));
    };
    audit::record(
        &mut tx,
        now,
        &Actor::System,
        "account_created",
        Some(user_id),
        "role admin (command line)",
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(user_id)
}

/// The support groups agents belong to.
pub async fn list_groups(
    conn: &mut SqliteConnection,
) -> Result<Vec<crate::domain::AssignmentGroup>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, name, level FROM assignment_groups ORDER BY level, name")
        .fetch_all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| crate::domain::AssignmentGroup {
            id: row.get("id"),
            name: row.get("name"),
            level: u8::try_from(row.get::<i64, _>("level")).unwrap_or(0),
        })
        .collect())
}

/// The newest messages, as an admin may read them: an invitation's link is shown
/// while it works (until e-mail delivery exists, the admin hands it over), every
/// other secret link — resets and confirmations prove the recipient's mailbox —
/// is hidden.
pub async fn outbox(
    conn: &mut SqliteConnection,
) -> Result<Vec<crate::domain::OutboxMessage>, sqlx::Error> {
    let rows = sqlx::query(
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
        .map(|row| {
            let body: String = row.get("body");
            let shown: Option<bool> = row.get("shown");
            crate::domain::OutboxMessage {
                id: row.get("id"),
                recipient: row.get("recipient"),
                subject: row.get("subject"),
                body: if shown == Some(true) {
                    body
                } else {
                    hide_links(&body)
                },
                created_at: row.get("created_at"),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
