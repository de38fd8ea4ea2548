//! Status pages: by the private link, or by ticket number and e-mail address.

use super::live::LiveTicket;
use super::{
    status_by_link, LinkedStatus, LookupForm, ReporterProblem, StatusLookup, TicketAccess,
};
use crate::components::{format_time, LoadError};
use crate::domain::{Standing, TargetView, TicketKind, TicketStatus};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/status/{token}`: the private status link, and the confirmation after logging.
#[component]
pub fn StatusPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let just_logged = move || query.read().get("new").is_some();
    let joined = move || query.read().get("joined").is_some();
    let problem = ReporterProblem::current(&query.read_untracked());
    let data = Resource::new(token, status_by_link);
    view! {
        // The link is a credential: keep it out of other sites' logs and of search engines.
        <Meta name="referrer" content="no-referrer"/>
        <Meta name="robots" content="noindex"/>
        <Suspense>
            {move || {
                let just_logged = just_logged();
                let joined = joined();
                let token_now = token();
                let problem = problem.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(LinkedStatus { status, link, following }) => {
                            let access = TicketAccess::Link(token_now.clone());
                            view! {
                                <div class="wrap page">
                                    {just_logged.then(|| view! { <Confirmation status=status.clone() link=link.clone()/> })}
                                    {joined.then(|| view! { <Joined status=status.clone() link/> })}
                                    <Title text=format!("{}: {}", status.number, status.summary)/>
                                    <LiveTicket status access can_act=!following problem=problem.clone()/>
                                </div>
                            }.into_any()
                        }
                        Err(error) => view! { <LoadError error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// Shown once someone has attached themselves to a major incident.
#[component]
fn Joined(status: TicketStatus, link: String) -> impl IntoView {
    view! {
        <div class="confirmation" role="status" data-test="joined">
            <h1>"You are following " {status.number.to_string()}</h1>
            <p>"We know about this problem and are working on it: you do not need to log it again. "
               "Every update appears below as it is posted."</p>
            <p>"Keep this private link to come back to it:"</p>
            <p class="private-link"><a href=link.clone() data-test="private-link">{link.clone()}</a></p>
        </div>
    }
}

#[component]
fn Confirmation(status: TicketStatus, link: String) -> impl IntoView {
    let what = match status.kind {
        TicketKind::Incident => "incident",
        TicketKind::Request => "request",
    };
    view! {
        <Title text=format!("Logged: {}", status.number)/>
        <div class="confirmation" role="status" data-test="confirmation">
            <h1>"Thank you: your " {what} " is logged"</h1>
            <p class="ticket-number">"Your ticket number is " <strong data-test="ticket-number">{status.number.to_string()}</strong></p>
            <p>{status.priority_rule.targets_sentence()}</p>
            <p>"Keep this private link to check progress at any time. Anyone with the link can see this page, so do not share it:"</p>
            <p class="private-link"><a href=link.clone() data-test="private-link">{link.clone()}</a></p>
            <p>"You can also look the ticket up with its number and your e-mail address on "
                <a href="/status">"Check a ticket"</a>"."</p>
        </div>
    }
}

/// Everything the reporter may see of a ticket.
#[component]
pub fn TicketStatusView(status: TicketStatus) -> impl IntoView {
    let rule = status.priority_rule.clone();
    let state_words = match status.hold {
        Some(reason) => format!("{} – {}", status.state.label(), reason.label()),
        None => status.state.label().to_string(),
    };
    view! {
        <section class="ticket" aria-labelledby="ticket-title" data-test="ticket-status">
            <h2 id="ticket-title">{status.number.to_string()} ": " {status.summary.clone()}</h2>
            <dl class="facts">
                <div><dt>"State"</dt><dd><strong data-test="ticket-state">{state_words}</strong>" – "{status.state.explanation()}</dd></div>
                <div><dt>"Type"</dt><dd>{status.kind.label()}</dd></div>
                <div><dt>"Priority"</dt><dd data-test="ticket-priority">{rule.title()}</dd></div>
                <div><dt>"Service"</dt><dd>{status.service_name.clone()} " · " {status.category_name.clone()}</dd></div>
                <div><dt>"With"</dt><dd data-test="ticket-group">{status.group.clone().unwrap_or_else(|| "the service desk".into())}</dd></div>
                <div><dt>"Logged"</dt><dd><time datetime=status.created_at.to_rfc3339()>{format_time(status.created_at)}</time></dd></div>
                <div><dt>"First response"</dt><dd data-test="response-target">{target_words("respond", rule.response_minutes, &status.response)}</dd></div>
                <div><dt>"Resolution"</dt><dd data-test="resolution-target">{target_words("resolve this", rule.resolution_minutes, &status.resolution_target)}</dd></div>
                {status.resolution.clone().map(|(code, text)| view! {
                    <div><dt>"How it was resolved"</dt><dd data-test="ticket-resolution">{code.label()} ": " {text}</dd></div>
                })}
                {status.rating.map(|r| view! { <div><dt>"Your rating"</dt><dd>{format!("{r} of 5")}</dd></div> })}
            </dl>
            {status.notice.clone().map(|title| view! {
                <p data-test="ticket-notice">"Service notice: "<a href="/notices">{title}</a></p>
            })}
            {(!status.links.is_empty()).then(|| view! {
                <h3>"Related"</h3>
                <ul class="links">
                    {status.links.iter().map(|l| {
                        let label = l.label.clone();
                        let kind = l.kind.label();
                        if l.href.is_empty() {
                            view! { <li>{kind} ": " {label}</li> }.into_any()
                        } else {
                            view! { <li>{kind} ": " <a href=l.href.clone()>{label}</a></li> }.into_any()
                        }
                    }).collect_view()}
                </ul>
            })}
            <h3>"Timeline"</h3>
            <ol class="timeline" data-test="timeline">
                {status.timeline.into_iter().map(|entry| view! {
                    <li>
                        <p class="timeline-meta"><time datetime=entry.at.to_rfc3339()>{format_time(entry.at)}</time> " · " {entry.actor}</p>
                        <p>{entry.text}</p>
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}

/// A target in plain words: "We aim to resolve this by Tue 24 Nov 2026, 14:00 UTC
/// (within 8 working hours).", "Paused: waiting for your reply.", "Done.".
fn target_words(what: &str, minutes: u32, target: &TargetView) -> String {
    match target.standing {
        Standing::Met => "Done.".to_string(),
        Standing::Paused => "Paused: waiting for your reply.".to_string(),
        Standing::Breached => format!(
            "We aimed to {what} by {}; we are late, sorry. It has our attention.",
            format_time(target.due_at)
        ),
        Standing::OnTrack | Standing::AtRisk => format!(
            "We aim to {what} by {} (within {}).",
            format_time(target.due_at),
            crate::domain::duration_in_words(minutes)
        ),
    }
}

/// `/status`: look a ticket up by number and e-mail address. The form posts to the
/// server, which answers with this page and the outcome in its context.
#[component]
pub fn StatusLookupPage() -> impl IntoView {
    let outcome = use_context::<StatusLookup>();
    let (form, message, found) = match outcome {
        Some(StatusLookup::Found(status)) => (LookupForm::default(), None, Some(*status)),
        Some(StatusLookup::NotFound(form)) => (
            form,
            Some("We found no ticket with that number and e-mail address. Check both and try again."),
            None,
        ),
        Some(StatusLookup::Invalid(form)) => (
            form,
            Some("Enter a ticket number like INC0001001 and the e-mail address you gave when you logged it."),
            None,
        ),
        Some(StatusLookup::Limited(form)) => (
            form,
            Some("You have looked up many tickets in a short time. Please wait a minute and try again."),
            None,
        ),
        Some(StatusLookup::Unavailable(form)) => (
            form,
            Some("We could not look tickets up just now. Please try again in a moment."),
            None,
        ),
        None => (LookupForm::default(), None, None),
    };
    view! {
        <Title text="Check a ticket"/>
        <div class="wrap page">
            {match found {
                Some(status) => view! {
                    <h1>"Your ticket"</h1>
                    <Title text=format!("{}: {}", status.number, status.summary)/>
                    <TicketStatusView status/>
                    <p>"To reply, confirm or follow the ticket live, open the private link from your confirmation, or sign in."</p>
                    <p><a href="/status">"Look up another ticket"</a></p>
                }.into_any(),
                None => view! {
                    <h1>"Check a ticket"</h1>
                    <p class="lead">"Enter the ticket number from your confirmation and the e-mail address you gave."</p>
                    {message.map(|m| view! { <div class="error-summary" role="alert"><p data-test="lookup-message">{m}</p></div> })}
                    <form class="lookup-form" method="post" action="/status" novalidate>
                        <div class="field">
                            <label for="number">"Ticket number"</label>
                            <p class="hint" id="number-hint">"For example INC0001001 or REQ0001001."</p>
                            <input id="number" name="number" type="text" autocomplete="off" spellcheck="false"
                                maxlength="20" aria-describedby="number-hint" value=form.number/>
                        </div>
                        <div class="field">
                            <label for="lookup-email">"E-mail address"</label>
                            <input id="lookup-email" name="email" type="email" autocomplete="email"
                                maxlength="254" value=form.email/>
                        </div>
                        <button type="submit" class="button primary">"Check status"</button>
                    </form>
                }.into_any(),
            }}
        </div>
    }
}
