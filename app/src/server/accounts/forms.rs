//! The plain form posts of accounts: sign in and out, register, passwords, links,
//! and the admin's account changes.
//!
//! Like the logging form, each one either redirects (303) when it worked, or
//! answers with its page again: the values as typed (never a password) and the
//! messages, with a status that says what went wrong.

use super::passwords::PasswordError;
use crate::domain::{
    form_value, Field, FieldErrors, FormOutcome, GroupId, InviteForm, MailTopic, NewPasswordForm,
    PasswordChangeForm, RegisterForm, Role, SignInForm, UserId,
};
use crate::error::AppError;
use crate::server::accounts::{self, AccountChange, AccountError};
use crate::server::store::{accounts as stored, sessions};
use crate::server::web::answer::{answer, failed};
use crate::server::web::caller::{Admin, SignedIn};
use crate::server::web::page::redirect_with_cookie;
use crate::server::web::page::FormPage;
use crate::server::web::session;
use crate::server::web::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;

/// Only a path on this site may follow a sign-in: never another site, never a
/// protocol-relative `//host` or a `/\host` that some browsers read as one.
fn safe_next(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && next.len() <= 2000
        && !next.chars().any(|c| c.is_control() || c == '\\');
    ok.then_some(next)
}

impl From<AccountError> for AppError {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::Invalid(errors) => AppError::Invalid(errors),
            AccountError::Refused(message) => AppError::Denied(message),
            AccountError::Limited => AppError::TooManyRequests,
            AccountError::SignInRequired => AppError::Unauthorized(
                "Sign in to the account this link was sent for, then open the link again.".into(),
            ),
            AccountError::Password(PasswordError::Busy) => AppError::Unavailable(
                "Many people are signing in right now, so we could not check this password. \
                 Nothing was changed: please try again in a few seconds."
                    .into(),
            ),
            other => AppError::internal(other),
        }
    }
}

/// A form's outcome holding what was typed into `values`.
fn typed(values: Vec<(Field, String)>) -> FormOutcome {
    FormOutcome {
        values,
        ..FormOutcome::default()
    }
}

/// The form's page again at 200, saying what was done.
async fn done(
    state: &AppState,
    page: FormPage,
    done: &str,
    values: Vec<(Field, String)>,
) -> Response {
    let outcome = FormOutcome {
        done: Some(done.into()),
        values,
        ..FormOutcome::default()
    };
    page.render(state, StatusCode::OK, outcome).await
}

/// `POST /sign-in`. Any earlier session of this browser ends, and a new one starts:
/// the session id changes at every sign-in.
pub async fn sign_in(
    State(state): State<AppState>,
    page: FormPage,
    Form(form): Form<SignInForm>,
) -> Response {
    let values = vec![(Field::Email, form.email.clone())];
    let mut errors = FieldErrors::default();
    if form.email.trim().is_empty() {
        errors.add(Field::Email, "Enter your e-mail address.");
    }
    if form.password.is_empty() {
        errors.add(Field::Password, "Enter your password.");
    }
    if !errors.is_empty() {
        return failed(&state, page, AppError::Invalid(errors), typed(values)).await;
    }
    match accounts::sign_in(&state, &form, &page.caller.address, Utc::now()).await {
        Ok((account, token)) => {
            let secure = state.settings.secure_cookies;
            if let Some(old) = session::token_from(&page.headers, secure) {
                if let Ok(mut conn) = state.db.writer.acquire().await {
                    let _ = sessions::end(&mut conn, &old).await;
                }
            }
            let to = safe_next(&form.next).unwrap_or(home_of(account.role));
            redirect_with_cookie(to, session::session_cookie(&token, secure))
        }
        // A wrong password is "not signed in", whoever the account is.
        Err(AccountError::Refused(message)) => {
            failed(&state, page, AppError::Unauthorized(message), typed(values)).await
        }
        Err(error) => failed(&state, page, error.into(), typed(values)).await,
    }
}

/// `POST /sign-out`: every session of the account ends.
pub async fn sign_out(State(state): State<AppState>, page: FormPage) -> Response {
    if let Some(account) = page.caller.viewer.account() {
        if let Err(error) =
            accounts::sign_out(&state, account, &page.caller.address, Utc::now()).await
        {
            tracing::error!(%error, "sign-out failed");
            return crate::server::web::status::refuse(AppError::Unavailable(
                "We could not sign you out just now. Please try again.".into(),
            ));
        }
    }
    redirect_with_cookie("/", session::clear_cookie(state.settings.secure_cookies))
}

/// `POST /register`.
pub async fn register(
    State(state): State<AppState>,
    page: FormPage,
    Form(form): Form<RegisterForm>,
) -> Response {
    let values = vec![
        (Field::Name, form.name.clone()),
        (Field::Email, form.email.clone()),
    ];
    let form_email = form.email.clone();
    let registered = match form.parse() {
        Err(errors) => Err(AppError::Invalid(errors)),
        Ok(new) => {
            let origin = state.settings.origin.clone();
            accounts::register(&state, new, &origin, &page.caller.address, Utc::now())
                .await
                .map_err(AppError::from)
        }
    };
    match registered {
        // The next step, ready to take: the sign-in form with the address filled
        // in. The same answer whether or not the address already had an account
        // (its owner is told by e-mail), so it tells nobody which addresses do:
        // the address is written as accounts match it (in lower case), never as
        // the account has it.
        Ok(()) => {
            let email = vec![(Field::Email, form_email.trim().to_lowercase())];
            done(&state, page.at("/sign-in"), accounts::REGISTERED, email).await
        }
        Err(error) => failed(&state, page, error, typed(values)).await,
    }
}

/// `POST /account/password`.
pub async fn change_password(
    State(state): State<AppState>,
    page: FormPage,
    Form(form): Form<PasswordChangeForm>,
) -> Response {
    let Some(account) = page.caller.viewer.account().cloned() else {
        return Redirect::to("/sign-in?next=/account").into_response();
    };
    let address = page.caller.address.clone();
    match accounts::change_password(&state, &account, &form, &address, Utc::now()).await {
        Ok(token) => redirect_with_cookie(
            "/account?changed=1",
            session::session_cookie(&token, state.settings.secure_cookies),
        ),
        Err(error) => failed(&state, page.at("/account"), error.into(), typed(Vec::new())).await,
    }
}

/// `POST /account/mail`: which messages the signed-in person receives, one
/// `topic` per ticked box (an unknown one is ignored; nothing ticked is none).
pub async fn save_mail_choices(
    State(state): State<AppState>,
    SignedIn { account, .. }: SignedIn,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let wanted: Vec<MailTopic> = fields
        .iter()
        .filter(|(name, _)| name == "topic")
        .filter_map(|(_, value)| MailTopic::parse(value))
        .collect();
    let saved = async {
        let mut conn = state.db.writer.acquire().await?;
        stored::set_mail_choices(&mut conn, account.id, account.role, &wanted).await
    };
    back_when_saved(saved.await, "/account?mail=saved#mail")
}

/// Back to the account page at `to` once a choice of one's own is saved.
fn back_when_saved(saved: Result<(), sqlx::Error>, to: &str) -> Response {
    match saved {
        Ok(()) => Redirect::to(to).into_response(),
        Err(error) => crate::server::web::status::refuse(AppError::internal(error)),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct TimeZoneForm {
    time_zone: String,
}

/// `POST /account/time-zone`: the zone the signed-in person reads times in (an
/// IANA name), or blank to follow their browser.
pub async fn save_time_zone(
    State(state): State<AppState>,
    page: FormPage,
    Form(form): Form<TimeZoneForm>,
) -> Response {
    let Some(account) = page.caller.viewer.account().cloned() else {
        return Redirect::to("/sign-in?next=/account").into_response();
    };
    let zone = form.time_zone.trim();
    if !zone.is_empty() && zone.parse::<chrono_tz::Tz>().is_err() {
        let mut errors = FieldErrors::default();
        errors.add(
            Field::TimeZone,
            "Choose a time zone from the list, or your browser's.",
        );
        let page = page.at("/account");
        return failed(&state, page, AppError::Invalid(errors), typed(Vec::new())).await;
    }
    let saved = async {
        let mut conn = state.db.writer.acquire().await?;
        stored::set_time_zone(&mut conn, account.id, (!zone.is_empty()).then_some(zone)).await
    };
    back_when_saved(saved.await, "/account?zone=saved#zone")
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct EmailForm {
    email: String,
}

/// `POST /forgot-password`: the same answer whether or not the account exists.
pub async fn forgot_password(
    State(state): State<AppState>,
    page: FormPage,
    Form(form): Form<EmailForm>,
) -> Response {
    let values = vec![(Field::Email, form.email.clone())];
    let requested = if form.email.trim().is_empty() {
        let mut errors = FieldErrors::default();
        errors.add(Field::Email, "Enter the e-mail address of your account.");
        Err(AppError::Invalid(errors))
    } else {
        let origin = state.settings.origin.clone();
        accounts::request_reset(
            &state,
            &form.email,
            &origin,
            &page.caller.address,
            Utc::now(),
        )
        .await
        .map_err(AppError::from)
    };
    match requested {
        Ok(()) => done(&state, page, accounts::RESET_REQUESTED, values).await,
        Err(error) => failed(&state, page, error, typed(values)).await,
    }
}

/// `POST /reset-password/{token}`.
pub async fn reset_password(
    State(state): State<AppState>,
    page: FormPage,
    Path(token): Path<String>,
    Form(form): Form<NewPasswordForm>,
) -> Response {
    let address = page.caller.address.clone();
    match accounts::reset_password(&state, &token, &form, &address, Utc::now()).await {
        // Every session ended with the old password, this browser's included.
        Ok(_) => redirect_with_cookie(
            "/sign-in?reset=1",
            session::clear_cookie(state.settings.secure_cookies),
        ),
        Err(error) => failed(&state, page, error.into(), typed(Vec::new())).await,
    }
}

/// `POST /welcome/{token}`: an invited person chooses their first password
/// through their invitation, and starts signed in where their day starts.
pub async fn welcome(
    State(state): State<AppState>,
    page: FormPage,
    Path(token): Path<String>,
    Form(form): Form<NewPasswordForm>,
) -> Response {
    let address = page.caller.address.clone();
    let now = Utc::now();
    let account = match accounts::reset_password(&state, &token, &form, &address, now).await {
        Ok(account) => account,
        Err(error) => return failed(&state, page, error.into(), typed(Vec::new())).await,
    };
    let started = async {
        let mut conn = state.db.writer.acquire().await?;
        sessions::create(&mut conn, account.id, now).await
    };
    match started.await {
        Ok(token) => redirect_with_cookie(
            home_of(account.role),
            session::session_cookie(&token, state.settings.secure_cookies),
        ),
        // The password is set all the same: signing in is all that is left.
        Err(error) => {
            tracing::error!(%error, "no session after an invitation was accepted");
            Redirect::to("/sign-in?reset=1").into_response()
        }
    }
}

/// Where each role's day starts, after signing in.
fn home_of(role: Role) -> &'static str {
    match role {
        Role::Admin => "/admin/users",
        Role::Agent => "/agent",
        Role::EndUser => "/my-tickets",
    }
}

/// `POST /verify-email/{token}`: only the account the link was sent for, signed
/// in, confirms its address (and so gets its earlier tickets).
pub async fn verify_email(
    State(state): State<AppState>,
    page: FormPage,
    Path(token): Path<String>,
) -> Response {
    let result = match page.caller.viewer.account() {
        Some(account) => {
            accounts::verify_email(&state, &token, account, &page.caller.address, Utc::now())
                .await
                .map(|_| "/my-tickets?verified=1".to_string())
                .map_err(AppError::from)
        }
        None => Err(AccountError::SignInRequired.into()),
    };
    answer(&state, page, result, typed(Vec::new())).await
}

/// Reads a form whose `groups` field may repeat.
fn groups_of(fields: &[(String, String)]) -> Vec<GroupId> {
    fields
        .iter()
        .filter(|(k, _)| k == "groups")
        .filter_map(|(_, v)| v.trim().parse().ok())
        .collect()
}

/// `POST /admin/users`: an admin adds an account and its invitation.
pub async fn invite(
    State(state): State<AppState>,
    Admin { admin, .. }: Admin,
    page: FormPage,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let form = InviteForm {
        name: form_value(&fields, "name").into(),
        email: form_value(&fields, "email").into(),
        role: form_value(&fields, "role").into(),
        groups: groups_of(&fields),
    };
    let values = vec![
        (Field::Name, form.name.clone()),
        (Field::Email, form.email.clone()),
        (Field::Role, form.role.clone()),
    ];
    let invited = match form.parse() {
        Err(errors) => Err(AppError::Invalid(errors)),
        Ok(invitation) => {
            let origin = state.settings.origin.clone();
            let address = &page.caller.address;
            accounts::invite(&state, &admin, invitation, &origin, address, Utc::now())
                .await
                .map(|_| "/admin/users?done=invited".to_string())
                .map_err(AppError::from)
        }
    };
    answer(&state, page, invited, typed(values)).await
}

/// `POST /admin/users/{id}`: role, groups and whether the account is active.
pub async fn change_account(
    State(state): State<AppState>,
    Admin { admin, .. }: Admin,
    page: FormPage,
    Path(user_id): Path<UserId>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let changed = match Role::parse(form_value(&fields, "role")) {
        None => Err(AppError::Refused("Choose a role.".into())),
        Some(role) => {
            let change = AccountChange {
                role,
                groups: groups_of(&fields),
                active: form_value(&fields, "active") == "on",
                can_author: form_value(&fields, "can_author") == "on",
            };
            let address = &page.caller.address;
            accounts::change_account(&state, &admin, user_id, change, address, Utc::now())
                .await
                .map(|()| "/admin/users?done=saved".to_string())
                .map_err(AppError::from)
        }
    };
    answer(&state, page.at("/admin/users"), changed, typed(Vec::new())).await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct RegistrationForm {
    open: String,
}

/// `POST /admin/registration`: self-registration on or off.
pub async fn set_registration(
    State(state): State<AppState>,
    Admin { admin, .. }: Admin,
    page: FormPage,
    Form(form): Form<RegistrationForm>,
) -> Response {
    let set = match form.open.as_str() {
        "on" | "off" => {
            let open = form.open == "on";
            let address = &page.caller.address;
            accounts::set_self_registration(&state, &admin, open, address, Utc::now())
                .await
                .map(|()| "/admin/users?done=registration".to_string())
                .map_err(AppError::from)
        }
        _ => Err(AppError::Refused("Choose on or off.".into())),
    };
    answer(&state, page.at("/admin/users"), set, typed(Vec::new())).await
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_may_follow_a_sign_in() {
        assert_eq!(safe_next("/my-tickets"), Some("/my-tickets"));
        assert_eq!(safe_next("/admin/users?x=1"), Some("/admin/users?x=1"));
        for hostile in [
            "",
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "/a\nb",
        ] {
            assert_eq!(safe_next(hostile), None, "{hostile:?}");
        }
    }
}
