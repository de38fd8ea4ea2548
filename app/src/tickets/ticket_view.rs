//! Everything the reporter may see of a ticket, as the status pages and the live
//! ticket show it.

use crate::components::{format_time, AttachedFiles};
use crate::domain::{PriorityRule, Standing, TargetView, TicketStatus};
use leptos::prelude::*;

/// Everything the reporter may see of a ticket. `files_base` is the page's own
/// address, under which its files are downloaded; without it (a ticket looked
/// up by number and e-mail) files are only named.
#[component]
pub fn TicketStatusView(
    status: TicketStatus,
    #[prop(optional, into)] files_base: Option<String>,
) -> impl IntoView {
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
                <div><dt>"Logged"</dt><dd><time datetime=crate::domain::machine_time(status.created_at)>{format_time(status.created_at)}</time></dd></div>
                <div><dt>"First response"</dt><dd data-test="response-target">{target_words("respond", &rule, rule.response_minutes, &status.response)}</dd></div>
                <div><dt>"Resolution"</dt><dd data-test="resolution-target">{target_words("resolve this", &rule, rule.resolution_minutes, &status.resolution_target)}</dd></div>
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
            // The desk's messages and the reporter's own look unlike what happened
            // to the ticket, as on the desk's page.
            <ol class="conversation" data-test="timeline">
                {status.timeline.into_iter().map(|entry| view! {
                    <li class=format!("entry voice-{}", entry.voice.as_str())>
                        <p class="entry-meta"><strong>{entry.actor}</strong> " · "
                            <time datetime=crate::domain::machine_time(entry.at)>{format_time(entry.at)}</time></p>
                        <p class="entry-text">{entry.text}</p>
                        <AttachedFiles files=entry.files base=files_base.clone()/>
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}

/// A target in plain words: "We aim to resolve this by Tue 24 Nov 2026, 14:00 GMT
/// (within 8 working hours, Mon–Fri 08:00–18:00 London time).", "Paused: waiting
/// for your reply.", "Done.".
fn target_words(what: &str, rule: &PriorityRule, minutes: u32, target: &TargetView) -> String {
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
            rule.span_with_hours(minutes)
        ),
    }
}
