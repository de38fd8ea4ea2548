//! The account page (password change), forgotten passwords, reset and
//! verification links.

use super::{email_verification, my_account, my_mail_choices, my_time_zone, TimeZoneChoice};
use crate::components::{
    CheckboxList, FormMessages, FormOutcome, InputField, LabelledSelect, LoadError,
};
use crate::domain::{
    encode_query_value, plausible_token, Field, MailChoices, Verification, LINK_UNUSABLE,
    OTHER_ACCOUNTS_LINK, PASSWORD_CHARS,
};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

fn password_hint() -> String {
    format!(
        "{} to {} characters, not one of the commonly used passwords.",
        PASSWORD_CHARS.start(),
        PASSWORD_CHARS.end()
    )
}

/// The new password and its confirmation, with the rules as a hint.
#[component]
fn NewPasswordInputs(outcome: FormOutcome) -> impl IntoView {
    view! {
        <InputField field=Field::NewPassword label="New password" kind="password"
            autocomplete="new-password" maxlength="1024" hint=password_hint() outcome=outcome.clone()/>
        <InputField field=Field::ConfirmPassword label="New password again" kind="password"
            autocomplete="new-password" maxlength="1024" outcome=outcome/>
    }
}

/// `/account`: who you are signed in as, and changing your password.
#[component]
pub fn AccountPage() -> impl IntoView {
    let account = Resource::new(|| (), |_| my_account());
    let choices = Resource::new(|| (), |_| my_mail_choices());
    let zone = Resource::new(|| (), |_| my_time_zone());
    let query = use_query_map();
    let mail_saved = query.read_untracked().get("mail").is_some();
    let zone_saved = query.read_untracked().get("zone").is_some();
    let mut outcome = FormOutcome::current();
    if query.read_untracked().get("changed").is_some() && outcome.problem.is_none() {
        outcome.done = Some(
            "Your password is changed. Every other browser signed in to your account was signed out."
                .into(),
        );
    }
    view! {
        <Title text="Your account"/>
        <Suspense>
            {move || {
                let outcome = outcome.clone();
                Suspend::new(async move {
                    let choices = choices.await.unwrap_or_default();
                    let zone = zone.await.unwrap_or_default();
                    match account.await {
                        Ok(account) => view! {
                            <div class="wrap page narrow">
                                <h1>"Your account"</h1>
                                <dl class="facts">
                                    <div><dt>"Name"</dt><dd>{account.name}</dd></div>
                                    <div><dt>"E-mail address"</dt><dd>{account.email}</dd></div>
                                    <div><dt>"Role"</dt><dd>{account.role.label()}</dd></div>
                                </dl>
                                <h2>"Change your password"</h2>
                                <FormMessages outcome=outcome.clone()/>
                                <form method="post" action="/account/password" novalidate>
                                    <InputField field=Field::CurrentPassword label="Current password" kind="password"
                                        autocomplete="current-password" maxlength="1024" outcome=outcome.clone()/>
                                    <NewPasswordInputs outcome=outcome.clone()/>
                                    <button type="submit" class="button primary">"Change password"</button>
                                </form>
                                <MailChoicesForm choices saved=mail_saved/>
                                <TimeZoneForm choice=zone saved=zone_saved outcome=outcome.clone()/>
                            </div>
                        }.into_any(),
                        Err(error) => view! { <LoadError error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The account page's e-mail choices: a box per kind of message offered to the
/// person's role, ticked while they receive it.
#[component]
fn MailChoicesForm(choices: MailChoices, saved: bool) -> impl IntoView {
    let chosen: Vec<String> = choices
        .topics
        .iter()
        .filter(|(_, on)| *on)
        .map(|(t, _)| t.as_str().to_string())
        .collect();
    let options: Vec<(String, String)> = choices
        .topics
        .iter()
        .map(|(t, _)| (t.as_str().to_string(), t.label().to_string()))
        .collect();
    view! {
        <h2 id="mail">"E-mail from the portal"</h2>
        {saved.then(|| view! {
            <div class="confirmation" role="status"><p data-test="mail-saved">"Your choices are saved."</p></div>
        })}
        <form method="post" action="/account/mail" data-test="mail-choices">
            <CheckboxList id="topics" name="topic" legend="Send me an e-mail when…" options chosen error=None/>
            <p class="hint">"Invitations, password resets and address confirmations are always sent."</p>
            <button type="submit" class="button">"Save my choices"</button>
        </form>
    }
}

/// The account page's time zone: the browser's (the default) or one chosen.
#[component]
fn TimeZoneForm(choice: TimeZoneChoice, saved: bool, outcome: FormOutcome) -> impl IntoView {
    let chosen = choice.chosen.clone().unwrap_or_default();
    let error = outcome.errors.get(Field::TimeZone).map(str::to_string);
    let options: Vec<(String, String)> =
        std::iter::once((String::new(), "My browser's time zone".to_string()))
            .chain(choice.zones.into_iter().map(|zone| (zone.clone(), zone)))
            .collect();
    let now = match &choice.chosen {
        Some(zone) => format!("Times are shown in {zone}, as you chose."),
        None => format!(
            "Times are shown in {}: your browser's zone when it has told us, the portal's otherwise.",
            choice.shown_in
        ),
    };
    view! {
        <h2 id="zone">"Time zone"</h2>
        {saved.then(|| view! {
            <div class="confirmation" role="status"><p data-test="zone-saved">"Your time zone is saved."</p></div>
        })}
        <form method="post" action="/account/time-zone" data-test="time-zone" novalidate>
            <LabelledSelect id="time_zone" name="time_zone" label="Show times in" options selected=chosen
                error hint=now/>
            <button type="submit" class="button">"Save my time zone"</button>
        </form>
    }
}

/// `/forgot-password`: asks for a reset link.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let outcome = FormOutcome::current();
    view! {
        <Title text="Forgot your password?"/>
        <div class="wrap page narrow">
            <h1>"Forgot your password?"</h1>
            <p class="lead">"Enter the e-mail address of your account and we will send it a link to choose a new password."</p>
            <FormMessages outcome=outcome.clone()/>
            <form method="post" action="/forgot-password" novalidate>
                <InputField field=Field::Email label="E-mail address" kind="email" autocomplete="username"
                    maxlength="254" outcome=outcome.clone()/>
                <button type="submit" class="button primary">"Send the link"</button>
            </form>
            <p><a href="/sign-in">"Back to sign in"</a></p>
        </div>
    }
}

/// `/reset-password/{token}`: choose a new password.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    view! {
        <PasswordLinkPage path="/reset-password" title="Choose a new password" lead=None
            button="Set password"/>
    }
}

/// `/welcome/{token}`: an invited person chooses their first password, and is
/// signed in.
#[component]
pub fn WelcomePage() -> impl IntoView {
    view! {
        <PasswordLinkPage path="/welcome" title="Welcome to IT Help"
            lead=Some("An account was made for you. Choose your password to start: you will be signed in at once.")
            button="Choose password and start"/>
    }
}

/// A page a secret link opens to choose a password (a reset, an invitation). The
/// form is shown only for something that could be a link of ours: the address is
/// written into the form's action.
#[component]
fn PasswordLinkPage(
    path: &'static str,
    title: &'static str,
    lead: Option<&'static str>,
    button: &'static str,
) -> impl IntoView {
    let params = use_params_map();
    let token = params.read_untracked().get("token").unwrap_or_default();
    let outcome = FormOutcome::current();
    let form = plausible_token(&token).then(|| {
        view! {
            <form method="post" action=format!("{path}/{token}") novalidate>
                <NewPasswordInputs outcome=outcome.clone()/>
                <button type="submit" class="button primary">{button}</button>
            </form>
        }
    });
    if form.is_none() {
        respond_not_found();
    }
    view! {
        <Title text=title/>
        // The link is a credential: keep it out of other sites' logs.
        <Meta name="referrer" content="no-referrer"/>
        <Meta name="robots" content="noindex"/>
        <div class="wrap page narrow">
            <h1>{title}</h1>
            {lead.map(|lead| view! { <p class="lead">{lead}</p> })}
            <FormMessages outcome=outcome.clone()/>
            {match form {
                Some(form) => form.into_any(),
                None => view! { <div class="error-summary" role="alert"><p data-test="link-problem">{LINK_UNUSABLE}</p></div> }.into_any(),
            }}
        </div>
    }
}

/// `/verify-email/{token}`: confirming happens on a button press (a POST), never on
/// merely opening the link, and only for the account the link was sent for,
/// signed in: the page names that account before anything is confirmed.
#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let params = use_params_map();
    let token = params.read_untracked().get("token").unwrap_or_default();
    let outcome = FormOutcome::current();
    let verification = Resource::new(move || token.clone(), email_verification);
    view! {
        <Title text="Confirm your e-mail address"/>
        <Meta name="referrer" content="no-referrer"/>
        <Meta name="robots" content="noindex"/>
        <div class="wrap page narrow">
            <h1>"Confirm your e-mail address"</h1>
            <FormMessages outcome=outcome.clone()/>
            <Suspense>
                {move || Suspend::new(async move {
                    let token = params.read_untracked().get("token").unwrap_or_default();
                    match verification.await {
                        Ok(Verification::Yours { name, email }) => view! {
                            <p data-test="verified-account">"This confirms that "<strong>{email}</strong>
                                " is the address of your account, "<strong>{name}</strong>
                                ". Tickets logged earlier with this address will then show under My tickets."</p>
                            <form method="post" action=format!("/verify-email/{token}")>
                                <button type="submit" class="button primary">"Confirm my address"</button>
                            </form>
                        }.into_any(),
                        Ok(Verification::OtherAccount) => view! {
                            <div class="error-summary" role="alert"><p data-test="link-problem">{OTHER_ACCOUNTS_LINK}</p></div>
                        }.into_any(),
                        Ok(Verification::Unusable) => view! {
                            <div class="error-summary" role="alert"><p data-test="link-problem">{LINK_UNUSABLE}</p></div>
                        }.into_any(),
                        Err(AppError::SignInRequired) => {
                            let next = encode_query_value(&format!("/verify-email/{token}"));
                            let sign_in = if plausible_token(&token) {
                                format!("/sign-in?next={next}")
                            } else {
                                "/sign-in".to_string()
                            };
                            view! {
                                <p>"To confirm the address, sign in to the account this message was sent for, "
                                   "then open the link again."</p>
                                <p><a class="button primary" href=sign_in>"Sign in"</a></p>
                            }.into_any()
                        }
                        Err(error) => view! { <LoadError error/> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

/// Answers the page being rendered with 404 (on the server).
fn respond_not_found() {
    #[cfg(feature = "ssr")]
    crate::error::respond_with_status(404);
}
