//! Signing in, and creating an account.

use super::registration_open;
use crate::components::{FormMessages, FormOutcome, InputField, LoadError};
use crate::domain::{Field, PASSWORD_CHARS};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `/sign-in`. The form posts to `/sign-in`; `next` says where to go afterwards.
#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    let next = query.read_untracked().get("next").unwrap_or_default();
    let mut outcome = FormOutcome::current();
    if outcome.done.is_none()
        && outcome.problem.is_none()
        && query.read_untracked().get("reset").is_some()
    {
        outcome.done = Some("Your new password is set. Sign in with it.".into());
    }
    view! {
        <Title text="Sign in"/>
        <div class="wrap page narrow">
            <h1>"Sign in"</h1>
            <FormMessages outcome=outcome.clone()/>
            <form method="post" action="/sign-in" novalidate>
                <input type="hidden" name="next" value=next/>
                <InputField field=Field::Email label="E-mail address" kind="email" autocomplete="username"
                    maxlength="254" outcome=outcome.clone()/>
                <InputField field=Field::Password label="Password" kind="password" autocomplete="current-password"
                    maxlength="1024" outcome=outcome.clone()/>
                <button type="submit" class="button primary">"Sign in"</button>
            </form>
            <p><a href="/forgot-password">"Forgot your password?"</a></p>
            <p>"No account yet? "<a href="/register">"Create one"</a>". You can also "
                <a href="/report">"report an issue"</a>" without an account."</p>
        </div>
    }
}

/// `/register`: an end user creates their own account (when admins allow it).
#[component]
pub fn RegisterPage() -> impl IntoView {
    let open = Resource::new(|| (), |_| registration_open());
    let outcome = FormOutcome::current();
    view! {
        <Title text="Create an account"/>
        <Suspense>
            {move || {
                let outcome = outcome.clone();
                Suspend::new(async move {
                    match open.await {
                        Ok(true) => view! { <RegisterForm outcome/> }.into_any(),
                        Ok(false) => view! {
                            <div class="wrap page narrow">
                                <h1>"Create an account"</h1>
                                <p data-test="registration-closed">"New accounts are created by the service desk. Ask them for an invitation, or "
                                    <a href="/report">"report an issue"</a>" without an account."</p>
                            </div>
                        }.into_any(),
                        Err(error) => view! { <LoadError error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn RegisterForm(outcome: FormOutcome) -> impl IntoView {
    let done = outcome.done.is_some();
    let password_hint = format!(
        "{} to {} characters. Long phrases are easy to remember and hard to guess.",
        PASSWORD_CHARS.start(),
        PASSWORD_CHARS.end()
    );
    view! {
        <div class="wrap page narrow">
            <h1>"Create an account"</h1>
            <p class="lead">"With an account you see all your tickets in one place."</p>
            <FormMessages outcome=outcome.clone()/>
            {(!done).then(|| view! {
                <form method="post" action="/register" novalidate>
                    <InputField field=Field::Name label="Your name" kind="text" autocomplete="name"
                        maxlength="100" outcome=outcome.clone()/>
                    <InputField field=Field::Email label="E-mail address" kind="email" autocomplete="email"
                        maxlength="254" outcome=outcome.clone()/>
                    <InputField field=Field::Password label="Password" kind="password" autocomplete="new-password"
                        maxlength="1024" hint=password_hint outcome=outcome.clone()/>
                    <InputField field=Field::ConfirmPassword label="Password again" kind="password"
                        autocomplete="new-password" maxlength="1024" outcome=outcome.clone()/>
                    <button type="submit" class="button primary">"Create account"</button>
                </form>
            })}
            <p>"Already have an account? "<a href="/sign-in">"Sign in"</a></p>
        </div>
    }
}
