//! Accounts: registration, sign-in, passwords, resets, e-mail verification, and
//! what admins do to accounts. Every change is written with its audit record in one
//! transaction.

pub mod forms;
pub mod my_tickets;
pub mod outbox;
pub mod passwords;

use super::secrets::new_token;
use super::store::tickets::apply as ticket_apply;
use super::store::tickets::work::TicketWork;
use super::web::state::AppState;
use crate::domain::{
    Account, Field, FieldErrors, Invitation, NewAccount, NewPasswordForm, PasswordChangeForm, Role,
    SignInForm,
};
use crate::domain::{GroupId, UserId};
pub use crate::domain::{LINK_UNUSABLE, OTHER_ACCOUNTS_LINK};
use crate::server::store::accounts::{
    account_by_email, consume_token, issue_token, self_registration_open, set_password, token_owner,
};
use crate::server::store::audit::{self, Actor};
use crate::server::store::outbox::{queue_message, SecretLink};
use crate::server::store::{accounts as stored, sessions};
use chrono::{DateTime, Duration, Utc};
use passwords::PasswordError;
use sqlx::SqliteConnection;

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
pub const REGISTERED: &str = "Your account is ready: sign in below with the password you just \
     chose. We have also sent a message to your e-mail address: once signed in, follow its link \
     to confirm the address, and tickets you logged earlier with it will show under My tickets.";

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
    let inserted = stored::insert(
        &mut tx,
        &stored::NewUser {
            email: &new.email,
            name: &new.name,
            role: Role::EndUser,
            password_hash: &hash,
            verified_at: None,
        },
        now,
    )
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
    state.mail_queued();
    Ok(())
}

/// Marks the address verified and gives the account the tickets logged earlier
/// with it, each change in its ticket's history.
async fn mark_verified(
    work: &mut TicketWork<'_>,
    account: &Account,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    stored::mark_email_verified(work.conn(), account.id, now).await?;
    ticket_apply::link_to_account(work, account, now).await
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
    let mut conn = state.db.reader.acquire().await?;
    let current = stored::password_hash_of_active(&mut conn, account.id).await?;
    drop(conn);
    if !passwords::verify(current, form.current_password.clone()).await? {
        return Err(invalid(
            Field::CurrentPassword,
            "That is not your current password.",
        ));
    }
    let hash = passwords::hash(form.new_password.clone()).await?;
    let mut tx = state.db.writer.begin().await?;
    replace_password(&mut tx, account.id, &hash, now).await?;
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
    state.mail_queued();
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
    replace_password(work.conn(), account.id, &hash, now).await?;
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
) -> Result<UserId, AccountError> {
    let link = token()?;
    let mut tx = state.db.writer.begin().await?;
    // "!" is no PHC string: nothing verifies against it until a password is chosen.
    let inserted = stored::insert(
        &mut tx,
        &stored::NewUser {
            email: &invitation.email,
            name: &invitation.name,
            role: invitation.role,
            password_hash: stored::NO_PASSWORD,
            verified_at: None,
        },
        now,
    )
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
             password within 7 days to start:\n\n{origin}/welcome/{link}",
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
    state.mail_queued();
    Ok(user_id)
}

/// Stores a new password hash and ends every session of the account.
async fn replace_password(
    conn: &mut SqliteConnection,
    user_id: UserId,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    set_password(&mut *conn, user_id, hash, now).await?;
    sessions::revoke_all(conn, user_id).await
}

/// Puts the account in exactly `groups`, each of which must exist.
async fn set_groups(
    conn: &mut SqliteConnection,
    user_id: UserId,
    groups: &[GroupId],
) -> Result<(), AccountError> {
    if stored::set_groups(conn, user_id, groups).await? {
        Ok(())
    } else {
        Err(AccountError::Refused("Choose groups from the list.".into()))
    }
}

/// What an admin may change about an account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountChange {
    pub role: Role,
    pub groups: Vec<GroupId>,
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
    user_id: UserId,
    change: AccountChange,
    address: &str,
    now: DateTime<Utc>,
) -> Result<(), AccountError> {
    let mut tx = state.db.writer.begin().await?;
    let Some(standing) = stored::standing(&mut tx, user_id).await? else {
        return Err(AccountError::Refused("There is no such account.".into()));
    };
    let stored::Standing {
        role: old_role,
        active: was_active,
        can_author: could_author,
    } = standing;
    let stays_admin = change.role == Role::Admin && change.active;
    if old_role == Some(Role::Admin) && was_active && !stays_admin {
        let admins = stored::other_active_admins(&mut tx, user_id).await?;
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
    stored::set_standing(
        &mut tx,
        user_id,
        change.role,
        change.active,
        change.can_author,
        now,
    )
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
        .map(GroupId::to_string)
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
    stored::set_self_registration(&mut tx, open).await?;
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

/// Creates an admin from the command line (`server create-admin`).
pub async fn create_admin(
    db: &super::store::db::Db,
    name: &str,
    email: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<UserId, AccountError> {
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
    let inserted = stored::insert(
        &mut tx,
        &stored::NewUser {
            email: &new.email,
            name: &new.name,
            role: Role::Admin,
            password_hash: &hash,
            verified_at: Some(now),
        },
        now,
    )
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
