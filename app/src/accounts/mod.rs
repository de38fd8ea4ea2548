//! Accounts: signing in and out, registering, passwords, "My tickets", and the
//! admin pages for accounts, the outbox and the audit log.
//!
//! The forms post to plain handlers (`server::accounts::forms`); the pages load
//! their data with one server function each, and every one of those checks the
//! caller first.

mod admin;
mod my_tickets;
mod password;
mod sign_in;

pub use admin::{AdminAuditPage, AdminNav, AdminOutboxPage, AdminUsersPage};
pub use my_tickets::{MyTicketPage, MyTicketsPage};
pub use password::{
    AccountPage, ForgotPasswordPage, ResetPasswordPage, VerifyEmailPage, WelcomePage,
};
pub use sign_in::{RegisterPage, SignInPage};

use crate::domain::UserId;
use crate::domain::{
    Account, AssignmentGroup, AuditEntry, OutboxOverview, TicketStatus, TicketSummary, UserRow,
    Verification,
};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::server::web::caller::Access;
#[cfg(feature = "ssr")]
use crate::server::web::context::{serve, serve_as};

/// Whether people may create their own accounts (public).
#[server(prefix = "/api", endpoint = "registration_open", input = server_fn::codec::GetUrl)]
pub async fn registration_open() -> Result<bool, AppError> {
    serve(|state| async move {
        let mut conn = state.db.reader.acquire().await?;
        Ok(crate::server::store::accounts::self_registration_open(&mut conn).await?)
    })
    .await
}

/// The signed-in account.
#[server(prefix = "/api", endpoint = "my_account", input = server_fn::codec::GetUrl)]
pub async fn my_account() -> Result<Account, AppError> {
    serve_as(Access::SignedIn, |_, account| async move { Ok(account) }).await
}

/// What an e-mail confirmation link is to the signed-in account: confirming takes
/// both the link and the account's session.
#[server(prefix = "/api", endpoint = "email_verification", input = server_fn::codec::GetUrl)]
pub async fn email_verification(token: String) -> Result<Verification, AppError> {
    serve_as(Access::SignedIn, |state, account| async move {
        crate::server::accounts::verification_for(&state, &token, &account, chrono::Utc::now())
            .await
            .map_err(AppError::internal)
    })
    .await
}

/// The signed-in account's tickets, newest first.
#[server(prefix = "/api", endpoint = "my_tickets", input = server_fn::codec::GetUrl)]
pub async fn my_tickets() -> Result<Vec<TicketSummary>, AppError> {
    serve_as(Access::SignedIn, |state, account| async move {
        let mut conn = state.db.reader.acquire().await?;
        Ok(crate::server::store::tickets::reporter::tickets_of(&mut conn, account.id).await?)
    })
    .await
}

/// One of the signed-in account's tickets. Someone else's ticket and a number that
/// does not exist are the same answer: not found.
#[server(prefix = "/api", endpoint = "my_ticket", input = server_fn::codec::GetUrl)]
pub async fn my_ticket(number: String) -> Result<TicketStatus, AppError> {
    serve_as(Access::SignedIn, |state, account| async move {
        let number = crate::domain::TicketNumber::parse(&number).ok_or(AppError::NotFound)?;
        let mut conn = state.db.reader.acquire().await?;
        crate::server::store::tickets::reporter::status_for_owner(&mut conn, number, account.id)
            .await?
            .ok_or(AppError::NotFound)
    })
    .await
}

/// One of the reporter's own actions on their ticket (add information, ask for an
/// update, escalate, confirm or reject the resolution, rate, reopen), if the
/// ticket is still at `version`. Answers the new version.
#[server(prefix = "/api", endpoint = "act_on_my_ticket")]
pub async fn act_on_my_ticket(
    number: String,
    version: i64,
    action: String,
    body: Option<String>,
    reason: Option<String>,
    score: Option<String>,
) -> Result<i64, AppError> {
    use crate::domain::{Actor, TicketNumber, WorkForm};
    serve_as(Access::SignedIn, |state, account| async move {
        let number = TicketNumber::parse(&number).ok_or(AppError::NotFound)?;
        let mut conn = state.db.reader.acquire().await?;
        if crate::server::store::tickets::reporter::ticket_id_of_owner(
            &mut conn, number, account.id,
        )
        .await?
        .is_none()
        {
            return Err(AppError::NotFound);
        }
        drop(conn);
        let form = WorkForm {
            action,
            body,
            reason,
            score,
            ..WorkForm::default()
        };
        let action = form.reporter_action()?;
        let actor = Actor::Reporter { name: account.name };
        Ok(crate::server::store::tickets::apply::apply(
            &state.db,
            &state.changes,
            number,
            version,
            &actor,
            action,
            chrono::Utc::now(),
        )
        .await?)
    })
    .await
}

/// What the accounts admin page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountsOverview {
    pub users: Vec<UserRow>,
    pub groups: Vec<AssignmentGroup>,
    pub self_registration: bool,
    /// The admin looking at the page.
    pub me: UserId,
}

#[server(prefix = "/api", endpoint = "admin_accounts", input = server_fn::codec::GetUrl)]
pub async fn admin_accounts() -> Result<AccountsOverview, AppError> {
    serve_as(Access::Admin, |state, admin| async move {
        let mut conn = state.db.reader.acquire().await?;
        Ok(AccountsOverview {
            users: crate::server::store::accounts::list_users(&mut conn).await?,
            groups: crate::server::store::groups::list_groups(&mut conn).await?,
            self_registration: crate::server::store::accounts::self_registration_open(&mut conn)
                .await?,
            me: admin.id,
        })
    })
    .await
}

#[server(prefix = "/api", endpoint = "admin_outbox", input = server_fn::codec::GetUrl)]
pub async fn admin_outbox() -> Result<OutboxOverview, AppError> {
    serve_as(Access::Admin, |state, _| async move {
        let mut conn = state.db.reader.acquire().await?;
        let mut messages = crate::server::store::outbox::recent(&mut conn).await?;
        for message in &mut messages {
            message.body = message
                .body
                .replace(crate::domain::PORTAL, &state.settings.origin);
        }
        Ok(OutboxOverview {
            sending: state.mailer.as_ref().map(|m| m.description().to_string()),
            schedule: state
                .mailer
                .as_ref()
                .map(|m| m.backoff().in_words())
                .unwrap_or_default(),
            messages,
            reading: state.inbox.clone(),
            received: crate::server::store::inbound::recent(&mut conn).await?,
        })
    })
    .await
}

/// What the signed-in person receives by e-mail (the account page's choices).
#[server(prefix = "/api", endpoint = "my_mail_choices", input = server_fn::codec::GetUrl)]
pub async fn my_mail_choices() -> Result<crate::domain::MailChoices, AppError> {
    serve_as(Access::SignedIn, |state, account| async move {
        let mut conn = state.db.reader.acquire().await?;
        Ok(
            crate::server::store::accounts::mail_choices(&mut conn, account.id, account.role)
                .await?,
        )
    })
    .await
}

/// The zone the signed-in person reads times in, and the zones they may choose.
#[server(prefix = "/api", endpoint = "my_time_zone", input = server_fn::codec::GetUrl)]
pub async fn my_time_zone() -> Result<TimeZoneChoice, AppError> {
    let shown_in = crate::server::web::zone::reader_zone().name().to_string();
    serve_as(Access::SignedIn, |_, account| async move {
        Ok(TimeZoneChoice {
            chosen: account.time_zone,
            shown_in,
            zones: crate::server::web::zone::zone_names()
                .into_iter()
                .map(String::from)
                .collect(),
        })
    })
    .await
}

/// The account page's time zone setting.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeZoneChoice {
    /// The zone the person chose (an IANA name); `None` follows their browser.
    pub chosen: Option<String>,
    /// The zone this page's times are shown in.
    pub shown_in: String,
    /// Every zone they may choose, by IANA name.
    pub zones: Vec<String>,
}

#[server(prefix = "/api", endpoint = "admin_audit", input = server_fn::codec::GetUrl)]
pub async fn admin_audit() -> Result<Vec<AuditEntry>, AppError> {
    serve_as(Access::Admin, |state, _| async move {
        let mut conn = state.db.reader.acquire().await?;
        Ok(crate::server::store::audit::recent(&mut conn, 500).await?)
    })
    .await
}
