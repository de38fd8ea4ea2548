//! The plain form posts of accounts: sign in and out, register, passwords, links,
//! and the admin's account changes.
//!
//! Like the logging form, each one either redirects (303) when it worked, or
//! answers with its page again: the values as typed (never a password) and the
//! messages, with a status that says what went wrong.

use super::accounts::passwords::PasswordError;
use super::accounts::sessions;
use super::accounts::{self, AccountChange, AccountError};
use super::forms::{render_page, AdminPost, Caller};
use super::AppState;
use crate::components::FormOutcome;
use crate::domain::{
    form_value, Field, FieldErrors, InviteForm, NewPasswordForm, PasswordChangeForm, RegisterForm,
    Role, SignInForm, Viewer,
};
use crate::error::AppError;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use leptos::prelude::provide_context;

/// Answers with a form's page again, never cached, with `outcome` (what came
/// back: messages, values as typed) provided as context to the page.
pub(super) async fn page_again<T: Clone + Send + Sync + 'static>(
    state: &AppState,
    uri: Uri,
    headers: HeaderMap,
    viewer: Viewer,
    status: StatusCode,
    outcome: T,
) -> Response {
    let extra = move || provide_context(outcome.clone());
    let mut response = render_page(state, uri, headers, viewer, status, extra).await;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A 303 to `to` that also sets (or clears) the session cookie.
fn redirect_with_cookie(to: &str, cookie: HeaderValue) -> Response {
    let mut response = Redirect::to(to).into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

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

/// The outcome and status for an error from the accounts module.
fn failed(error: AccountError, values: Vec<(Field, String)>) -> (StatusCode, FormOutcome) {
    let mut outcome = FormOutcome {
        values,
        ..FormOutcome::default()
    };
    let status = match error {
        AccountError::Invalid(errors) => {
            outcome.errors = errors;
            StatusCode::UNPROCESSABLE_ENTITY
        }
        AccountError::Refused(message) => {
            outcome.problem = Some(message);
            StatusCode::FORBIDDEN
        }
        AccountError::Limited => {
            outcome.problem = Some(AppError::TooManyRequests.to_string());
            StatusCode::TOO_MANY_REQUESTS
        }
        AccountError::Password(PasswordError::Busy) => {
            outcome.problem = Some(
                "Many people are signing in right now, so we could not check this password. \
                 Nothing was changed: please try again in a few seconds."
                    .into(),
            );
            StatusCode::SERVICE_UNAVAILABLE
        }
        AccountError::SignInRequired => {
            outcome.problem = Some(
                "Sign in to the account this link was sent for, then open the link again.".into(),
            );
            StatusCode::UNAUTHORIZED
        }
        other => {
            tracing::error!(error = %other, "account operation failed");
            outcome.problem = Some(AppError::Internal.to_string());
            StatusCode::SERVICE_UNAVAILABLE
        }
    };
    (status, outcome)
}

fn invalid(errors: FieldErrors, values: Vec<(Field, String)>) -> (StatusCode, FormOutcome) {
    failed(AccountError::Invalid(errors), values)
}

/// `POST /sign-in`. Any earlier session of this browser ends, and a new one starts:
/// the session id changes at every sign-in.
pub async fn sign_in(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    headers: HeaderMap,
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
    let (status, outcome) = if !errors.is_empty() {
        invalid(errors, values)
    } else {
        match accounts::sign_in(&state, &form, &caller.address, Utc::now()).await {
            Ok((account, token)) => {
                let secure = state.settings.secure_cookies;
                if let Some(old) = sessions::token_from(&headers, secure) {
                    if let Ok(mut conn) = state.db.writer.acquire().await {
                        let _ = sessions::end(&mut conn, &old).await;
                    }
                }
                let home = if account.role == Role::Admin {
                    "/admin/users"
                } else {
                    "/my-tickets"
                };
                let to = safe_next(&form.next).unwrap_or(home);
                return redirect_with_cookie(to, sessions::session_cookie(&token, secure));
            }
            Err(AccountError::Refused(message)) => {
                let (_, outcome) = failed(AccountError::Refused(message), values);
                (StatusCode::UNAUTHORIZED, outcome)
            }
            Err(error) => failed(error, values),
        }
    };
    page_again(&state, uri, headers, caller.viewer, status, outcome).await
}

/// `POST /sign-out`: every session of the account ends.
pub async fn sign_out(State(state): State<AppState>, caller: Caller) -> Response {
    if let Some(account) = caller.viewer.account() {
        if let Err(error) = accounts::sign_out(&state, account, &caller.address, Utc::now()).await {
            tracing::error!(%error, "sign-out failed");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "We could not sign you out just now. Please try again.",
            )
                .into_response();
        }
    }
    redirect_with_cookie("/", sessions::clear_cookie(state.settings.secure_cookies))
}

/// `POST /register`.
pub async fn register(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<RegisterForm>,
) -> Response {
    let values = vec![
        (Field::Name, form.name.clone()),
        (Field::Email, form.email.clone()),
    ];
    let (status, outcome) = match form.parse() {
        Err(errors) => invalid(errors, values),
        Ok(new) => {
            let origin = state.settings.origin.clone();
            match accounts::register(&state, new, &origin, &caller.address, Utc::now()).await {
                Ok(()) => (
                    StatusCode::OK,
                    FormOutcome {
                        done: Some(accounts::REGISTERED.into()),
                        ..FormOutcome::default()
                    },
                ),
                Err(error) => failed(error, values),
            }
        }
    };
    page_again(&state, uri, headers, caller.viewer, status, outcome).await
}

/// `POST /account/password`.
pub async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Form(form): Form<PasswordChangeForm>,
) -> Response {
    let Some(account) = caller.viewer.account() else {
        return Redirect::to("/sign-in?next=/account").into_response();
    };
    match accounts::change_password(&state, account, &form, &caller.address, Utc::now()).await {
        Ok(token) => redirect_with_cookie(
            "/account?changed=1",
            sessions::session_cookie(&token, state.settings.secure_cookies),
        ),
        Err(error) => {
            let (status, outcome) = failed(error, Vec::new());
            let uri: Uri = "/account".parse().expect("a valid path");
            page_again(&state, uri, headers, caller.viewer, status, outcome).await
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct EmailForm {
    email: String,
}

/// `POST /forgot-password`: the same answer whether or not the account exists.
pub async fn forgot_password(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<EmailForm>,
) -> Response {
    let values = vec![(Field::Email, form.email.clone())];
    let (status, outcome) = if form.email.trim().is_empty() {
        let mut errors = FieldErrors::default();
        errors.add(Field::Email, "Enter the e-mail address of your account.");
        invalid(errors, values)
    } else {
        let origin = state.settings.origin.clone();
        match accounts::request_reset(&state, &form.email, &origin, &caller.address, Utc::now())
            .await
        {
            Ok(()) => (
                StatusCode::OK,
                FormOutcome {
                    done: Some(accounts::RESET_REQUESTED.into()),
                    values,
                    ..FormOutcome::default()
                },
            ),
            Err(error) => failed(error, values),
        }
    };
    page_again(&state, uri, headers, caller.viewer, status, outcome).await
}

/// `POST /reset-password/{token}`.
pub async fn reset_password(
    State(state): State<AppState>,
    caller: Caller,
    Path(token): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<NewPasswordForm>,
) -> Response {
    match accounts::reset_password(&state, &token, &form, &caller.address, Utc::now()).await {
        Ok(_) => {
            // Every session ended with the old password, this browser's included.
            redirect_with_cookie(
                "/sign-in?reset=1",
                sessions::clear_cookie(state.settings.secure_cookies),
            )
        }
        Err(error) => {
            let (status, outcome) = failed(error, Vec::new());
            page_again(&state, uri, headers, caller.viewer, status, outcome).await
        }
    }
}

/// `POST /verify-email/{token}`: only the account the link was sent for, signed
/// in, confirms its address (and so gets its earlier tickets).
pub async fn verify_email(
    State(state): State<AppState>,
    caller: Caller,
    Path(token): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let result = match caller.viewer.account() {
        Some(account) => {
            accounts::verify_email(&state, &token, account, &caller.address, Utc::now()).await
        }
        None => Err(AccountError::SignInRequired),
    };
    match result {
        Ok(_) => Redirect::to("/my-tickets?verified=1").into_response(),
        Err(error) => {
            let (status, outcome) = failed(error, Vec::new());
            page_again(&state, uri, headers, caller.viewer, status, outcome).await
        }
    }
}

/// The answer to an admin form posted by someone who is not an admin.
pub(super) fn refuse(error: AppError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::FORBIDDEN);
    (status, error.to_string()).into_response()
}

/// Reads a form whose `groups` field may repeat.
fn groups_of(fields: &[(String, String)]) -> Vec<i64> {
    fields
        .iter()
        .filter(|(k, _)| k == "groups")
        .filter_map(|(_, v)| v.trim().parse().ok())
        .collect()
}

/// `POST /admin/users`: an admin adds an account and its invitation.
pub async fn invite(
    State(state): State<AppState>,
    AdminPost { admin, caller }: AdminPost,
    uri: Uri,
    headers: HeaderMap,
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
    let (status, outcome) = match form.parse() {
        Err(errors) => invalid(errors, values),
        Ok(invitation) => {
            let origin = state.settings.origin.clone();
            match accounts::invite(
                &state,
                &admin,
                invitation,
                &origin,
                &caller.address,
                Utc::now(),
            )
            .await
            {
                Ok(_) => return Redirect::to("/admin/users?done=invited").into_response(),
                Err(error) => failed(error, values),
            }
        }
    };
    page_again(&state, uri, headers, caller.viewer, status, outcome).await
}

/// `POST /admin/users/{id}`: role, groups and whether the account is active.
pub async fn change_account(
    State(state): State<AppState>,
    AdminPost { admin, caller }: AdminPost,
    Path(user_id): Path<i64>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let Some(role) = Role::parse(form_value(&fields, "role")) else {
        return (StatusCode::UNPROCESSABLE_ENTITY, "Choose a role.").into_response();
    };
    let change = AccountChange {
        role,
        groups: groups_of(&fields),
        active: form_value(&fields, "active") == "on",
        can_author: form_value(&fields, "can_author") == "on",
    };
    match accounts::change_account(&state, &admin, user_id, change, &caller.address, Utc::now())
        .await
    {
        Ok(()) => Redirect::to("/admin/users?done=saved").into_response(),
        Err(error) => accounts_page_again(&state, headers, caller.viewer, error).await,
    }
}

/// The accounts admin page again, with the problem of a change.
async fn accounts_page_again(
    state: &AppState,
    headers: HeaderMap,
    viewer: Viewer,
    error: AccountError,
) -> Response {
    let (status, outcome) = failed(error, Vec::new());
    let uri: Uri = "/admin/users".parse().expect("a valid path");
    page_again(state, uri, headers, viewer, status, outcome).await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct RegistrationForm {
    open: String,
}

/// `POST /admin/registration`: self-registration on or off.
pub async fn set_registration(
    State(state): State<AppState>,
    AdminPost { admin, caller }: AdminPost,
    headers: HeaderMap,
    Form(form): Form<RegistrationForm>,
) -> Response {
    let open = match form.open.as_str() {
        "on" => true,
        "off" => false,
        _ => return (StatusCode::UNPROCESSABLE_ENTITY, "Choose on or off.").into_response(),
    };
    match accounts::set_self_registration(&state, &admin, open, &caller.address, Utc::now()).await {
        Ok(()) => Redirect::to("/admin/users?done=registration").into_response(),
        Err(error) => accounts_page_again(&state, headers, caller.viewer, error).await,
    }
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
