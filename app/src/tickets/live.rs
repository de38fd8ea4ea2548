//! The reporter's ticket, live: the status and the reporter's actions, rendered on
//! the server, in a live region that fetches them again whenever the server says
//! the ticket changed, so replies and state changes appear without a reload (and
//! the forms carry the current version).

use super::ticket_view::TicketStatusView;
use super::{ReporterProblem, TicketAccess};
use crate::components::{escape_text, FilesField, LiveRegion};
use crate::domain::{FileView, Phase, TicketStatus, WorkForm};
use leptos::prelude::*;

#[component]
pub fn LiveTicket(
    status: TicketStatus,
    access: TicketAccess,
    /// False for someone following a major incident: they read, they do not act.
    can_act: bool,
    problem: ReporterProblem,
) -> impl IntoView {
    // The page's address, which is also the name of its event topic.
    let action = match &access {
        TicketAccess::Link(token) => format!("/status/{token}"),
        TicketAccess::Owner(number) => format!("/my-tickets/{number}"),
    };
    let topic = action[1..].to_string();
    let ReporterProblem {
        message,
        done,
        form,
        kept,
    } = problem;
    let files_base = action.clone();
    // A message sent empty: the problem shows beside the box too.
    let body_error = message.clone().filter(|_| {
        matches!(form.action.as_str(), "add_information" | "ask_for_update")
            && form.body.as_deref().unwrap_or_default().trim().is_empty()
    });
    let actions = can_act.then(|| {
        view! {
            <div id="reporter-actions" data-live>
                <ReporterActions status=status.clone() action typed=form kept body_error/>
            </div>
        }
    });
    view! {
        <LiveRegion topic class="live-ticket".to_string()>
            {message.map(|m| view! {
                <div class="error-summary" role="alert" data-test="reporter-problem"><p>{m}</p></div>
            })}
            {done.map(|d| view! {
                <div class="confirmation" role="status" data-test="reporter-done"><p>{done_words(&d)}</p></div>
            })}
            <div id="ticket-live-status" data-live aria-live="polite">
                <TicketStatusView status files_base/>
            </div>
            {actions}
        </LiveRegion>
    }
}

/// What the reporter can do in the ticket's current state.
#[component]
fn ReporterActions(
    status: TicketStatus,
    action: String,
    typed: WorkForm,
    kept: Vec<FileView>,
    /// Why the message box was refused, when it was.
    body_error: Option<String>,
) -> impl IntoView {
    let phase = Phase::of(status.state);
    let version = status.version.to_string();
    let body = typed.typed_for(&["add_information", "ask_for_update"], |w| &w.body);
    let reason = typed.typed_for(&["escalate", "reject", "reopen"], |w| &w.reason);
    let comment = typed.typed_for(&["rate"], |w| &w.body);
    let form = move |label: &'static str, children: AnyView| {
        view! {
            <form method="post" action=action.clone() class="reporter-form" aria-label=label
                enctype="multipart/form-data">
                <input type="hidden" name="version" value=version.clone()/>
                {children}
            </form>
        }
    };
    let conversation = (phase != Phase::Closed).then(|| form("Add information or ask for an update", view! {
        <h3>"Add information or ask for an update"</h3>
        <div class="field">
            <label for="reporter-body">"Message"</label>
            {body_error.clone().map(|e| view! {
                <p class="field-error" id="reporter-body-error" data-test="reporter-body-error">
                    <span class="visually-hidden">"Error: "</span>{e}
                </p>
            })}
            <textarea id="reporter-body" name="body" rows="4" maxlength="10000"
                aria-invalid=body_error.is_some().then_some("true")
                aria-describedby=body_error.is_some().then_some("reporter-body-error")
                inner_html=escape_text(&body)></textarea>
        </div>
        <FilesField id="reporter-files" kept=kept.clone() error=None/>
        <div class="button-row">
            <button type="submit" name="action" value="add_information" class="button primary" data-test="add-information">"Add information"</button>
            <button type="submit" name="action" value="ask_for_update" class="button" data-test="ask-for-update">"Ask for an update"</button>
        </div>
    }.into_any()));
    let escalation = matches!(phase, Phase::Open | Phase::Working | Phase::Held).then(|| form("Escalate", view! {
        <h3>"Is this more urgent than we think?"</h3>
        <div class="field">
            <label for="escalate-reason">"Tell us why it needs more urgency"</label>
            <input id="escalate-reason" name="reason" type="text" maxlength="2000" value=reason.clone()/>
        </div>
        <button type="submit" name="action" value="escalate" class="button" data-test="user-escalate">"Escalate"</button>
    }.into_any()));
    let resolution = (phase == Phase::Done).then(|| form("Confirm or reject the resolution", view! {
        <h3>"Is it fixed?"</h3>
        <p>"If we hear nothing, the ticket closes by itself after a few days."</p>
        <button type="submit" name="action" value="confirm" class="button primary" data-test="confirm">"Yes, it is fixed"</button>
        <div class="field">
            <label for="reject-reason">"If not, what is still wrong?"</label>
            <input id="reject-reason" name="reason" type="text" maxlength="2000" value=reason.clone()/>
        </div>
        <button type="submit" name="action" value="reject" class="button" data-test="reject">"No, it is not fixed"</button>
    }.into_any()));
    let rating = (matches!(phase, Phase::Done | Phase::Closed) && status.rating.is_none()).then(|| form("Rate how we handled it", view! {
        <fieldset class="options rating">
            <legend>"How did we handle it? (1 poor – 5 excellent)"</legend>
            {(1..=5).map(|n| {
                let id = format!("score-{n}");
                view! {
                    <div class="radio">
                        <input type="radio" id=id.clone() name="score" value=n.to_string()/>
                        <label for=id>{n.to_string()}</label>
                    </div>
                }
            }).collect_view()}
        </fieldset>
        <div class="field">
            <label for="rate-comment">"Comment (optional)"</label>
            <input id="rate-comment" name="body" type="text" maxlength="2000" value=comment/>
        </div>
        <button type="submit" name="action" value="rate" class="button" data-test="rate">"Send rating"</button>
    }.into_any()));
    let reopen = (phase == Phase::Closed).then(|| form("Reopen", view! {
        <h3>"Not fixed after all?"</h3>
        <div class="field">
            <label for="reopen-reason">"What is wrong"</label>
            <input id="reopen-reason" name="reason" type="text" maxlength="2000" value=reason.clone()/>
        </div>
        <button type="submit" name="action" value="reopen" class="button">"Reopen"</button>
    }.into_any()));
    view! {
        <section class="reporter-actions" aria-labelledby="reporter-actions-title">
            <h2 id="reporter-actions-title">"What you can do"</h2>
            {resolution}
            {conversation}
            {escalation}
            {rating}
            {reopen}
        </section>
    }
}

fn done_words(action: &str) -> &'static str {
    match action {
        "add_information" => "Thank you: your information was added to the ticket.",
        "ask_for_update" => "We have your question and will answer it soon.",
        "escalate" => "Your escalation was recorded and passed to the incident managers.",
        "confirm" => "Thank you for confirming: the ticket is closed.",
        "reject" => "Sorry it is not fixed yet: the ticket is back with the service desk.",
        "rate" => "Thank you for your rating.",
        "reopen" => "The ticket is open again.",
        _ => "Saved.",
    }
}
