//! Status pages: by the private link, or by ticket number and e-mail address.

use super::live::LiveTicket;
use super::ticket_view::TicketStatusView;
use super::{
    status_by_link, LinkedStatus, LookupForm, ReporterProblem, StatusLookup, TicketAccess,
};
use crate::components::{CopyLink, FilePicker, LoadError};
use crate::domain::{TicketKind, TicketStatus};
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
                                    {(!following).then(|| view! { <FilePicker/> })}
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
            <p class="private-link"><a href=link.clone() data-test="private-link">{link.clone()}</a>
                " " <CopyLink link=link.clone()/></p>
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
            <p class="private-link"><a href=link.clone() data-test="private-link">{link.clone()}</a>
                " " <CopyLink link=link.clone()/></p>
            <p>"You can also look the ticket up with its number and your e-mail address on "
                <a href="/status">"Check a ticket"</a>"."</p>
        </div>
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
