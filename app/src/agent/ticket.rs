//! `/agent/tickets/{number}`: a ticket in full for the desk, and the forms to work
//! it. Every form is a plain POST to the same address carrying the version the
//! agent saw; a refused or conflicting change brings the page back with the
//! reason, the ticket as it is now, and what was typed.

use super::queue::Target;
use super::ticket_for_desk;
use crate::components::{
    escape_text, format_time, AttachedFiles, FilePicker, FilesField, LiveRegion, LoadError,
};
pub use crate::domain::DeskOutcome;
use crate::domain::{
    Delivery, DeskTicket, FileView, HistoryEntry, HoldReason, Impact, LinkKind, LinkView,
    MailTrouble, Phase, ReceivedMail, ResolutionCode, TicketKind, Urgency, Voice, WorkForm,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn DeskTicketPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let number = move || params.read().get("number").unwrap_or_default();
    let ticket = Resource::new(number, ticket_for_desk);
    let outcome = use_context::<DeskOutcome>();
    let done = query.read_untracked().get("done");
    view! {
        <Suspense>
            {move || {
                let outcome = outcome.clone();
                let done = done.clone();
                Suspend::new(async move {
                    match ticket.await {
                        Ok(ticket) => view! { <TicketView ticket outcome done/><FilePicker/> }.into_any(),
                        Err(error) => view! { <LoadError error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn TicketView(
    ticket: DeskTicket,
    outcome: Option<DeskOutcome>,
    done: Option<String>,
) -> impl IntoView {
    let number = ticket.number.to_string();
    let phase = Phase::of(ticket.state);
    let typed = outcome.as_ref().map(|o| o.form.clone()).unwrap_or_default();
    let kept = outcome.as_ref().map(|o| o.kept.clone()).unwrap_or_default();
    let message = outcome.map(|o| o.message);
    provide_context(FormCtx {
        number: number.clone(),
        version: ticket.version,
        typed,
        kept,
    });
    // The page's parts marked `data-live` follow the ticket: when someone else
    // changes it, each part nobody is working in is fetched again (what the
    // agent is typing stays; a form sent from before the change comes back as a
    // conflict with the text kept).
    view! {
        <Title text=format!("{number}: {}", ticket.summary)/>
        <LiveRegion topic=format!("desk/{number}") class="wrap page wide desk-ticket".to_string()>
            <p><a href="/agent">"Queue"</a></p>
            {message.map(|m| view! {
                <div class="error-summary" role="alert" data-test="desk-problem"><p>{m}</p></div>
            })}
            {done.map(|d| view! {
                <div class="confirmation" role="status" data-test="desk-done"><p>{done_words(&d)}</p></div>
            })}
            <h1 id="desk-title" data-live>
                <span data-test="desk-number">{number.clone()}</span> ": " {ticket.summary.clone()}
                {ticket.major.then(|| view! { " " <span class="tag warn" data-test="major-tag">"Major incident"</span> })}
                {ticket.escalated.then(|| view! { " " <span class="tag warn">"Escalated"</span> })}
            </h1>
            <div class="workspace">
                <div class="workspace-main">
                    <div id="desk-conversation" data-live aria-live="polite">
                        <MailTroubles troubles=ticket.mail_troubles.clone()/>
                        <ConversationHistory ticket=ticket.clone()/>
                    </div>
                    <div id="desk-reply" data-live>
                        <ReplyBox closed=phase == Phase::Closed/>
                    </div>
                    <MailReceived mail=ticket.mail_received.clone()/>
                </div>
                <aside class="workspace-side" aria-label="The ticket's properties and actions">
                    <div id="desk-facts" data-live>
                        <Properties ticket=ticket.clone()/>
                    </div>
                    <div id="desk-actions" data-live>
                        <Links ticket=ticket.clone()/>
                        <Checklist ticket=ticket.clone()/>
                        {match phase {
                            Phase::Closed => view! { <Reopen/> }.into_any(),
                            Phase::Done => view! { <Reopen/><Close/> }.into_any(),
                            _ => view! { <OpenActions ticket=ticket.clone()/> }.into_any(),
                        }}
                    </div>
                </aside>
            </div>
        </LiveRegion>
    }
}

/// The ticket's properties: where it stands, who has it, who reported it.
#[component]
fn Properties(ticket: DeskTicket) -> impl IntoView {
    let state_words = match ticket.hold {
        Some(reason) => format!("{} ({})", ticket.state.label(), hold_words(reason)),
        None => ticket.state.label().to_string(),
    };
    view! {
        <section class="properties" aria-labelledby="properties-title">
            <h2 id="properties-title">"Properties"</h2>
            <dl class="facts">
                <div><dt>"State"</dt><dd><strong data-test="desk-state">{state_words}</strong></dd></div>
                <div><dt>"Type"</dt><dd>{ticket.kind.label()}</dd></div>
                <div><dt>"Priority"</dt><dd data-test="desk-priority">{ticket.priority_rule.title()}
                    {ticket.impact.zip(ticket.urgency).map(|(i, u)| format!(" (impact {}, urgency {})", i.as_str(), u.as_str()))}
                    <span class="hint" data-test="desk-targets">{ticket.priority_rule.targets_sentence()}</span></dd></div>
                <div><dt>"Response"</dt><dd><Target target=ticket.response.clone()/></dd></div>
                <div><dt>"Resolution"</dt><dd><Target target=ticket.resolution_target.clone()/></dd></div>
                <div><dt>"Service"</dt><dd>{ticket.service.clone()} " · " {ticket.category.clone()}</dd></div>
                <div><dt>"Group"</dt><dd data-test="desk-group">{ticket.group.as_ref().map(|g| g.name.clone()).unwrap_or_else(|| "none".into())}</dd></div>
                <div><dt>"Assignee"</dt><dd data-test="desk-assignee">{ticket.assignee.as_ref().map(|a| a.name.clone()).unwrap_or_else(|| "unassigned".into())}</dd></div>
                <div><dt>"Reporter"</dt><dd>
                    {ticket.reporter.name.clone()} <br/>
                    <a href=format!("mailto:{}", ticket.reporter.email)>{ticket.reporter.email.clone()}</a>
                    {ticket.reporter.phone.clone().map(|p| view! { <br/>{p} })}
                    {(!ticket.reporter.has_account).then_some(" (no account)")}
                </dd></div>
                <div><dt>"Logged"</dt><dd><time datetime=crate::domain::machine_time(ticket.created_at)>{format_time(ticket.created_at)}</time></dd></div>
                {ticket.resolution.clone().map(|(code, text)| view! {
                    <div><dt>"Resolved as"</dt><dd>{code.label()} ": " {text}</dd></div>
                })}
                {ticket.rating.map(|r| view! { <div><dt>"Rating"</dt><dd>{format!("{r} of 5")}</dd></div> })}
            </dl>
        </section>
    }
}

/// The conversation, oldest first: the description as the reporter wrote it,
/// then every entry, each marked by whose voice it is.
#[component]
fn ConversationHistory(ticket: DeskTicket) -> impl IntoView {
    let base = Some(format!("/agent/tickets/{}", ticket.number));
    let entry = move |e: HistoryEntry| {
        let voice = e.voice();
        let class = format!("entry voice-{}", voice.as_str());
        let label = e.kind_label();
        view! {
            <li class=class data-kind=e.kind.clone()>
                <p class="entry-meta">
                    {(voice == Voice::Note).then(|| view! { <span class="tag note-tag">"Internal"</span> " " })}
                    <strong>{e.actor.clone()}</strong> " · " {label} " · "
                    <time datetime=crate::domain::machine_time(e.at)>{format_time(e.at)}</time>
                    {(e.internal && voice != Voice::Note).then_some(" · internal")}
                </p>
                <p class="entry-text">{e.text}</p>
                <AttachedFiles files=e.files base=base.clone()/>
            </li>
        }
    };
    view! {
        <section aria-labelledby="conversation-title">
            <h2 id="conversation-title">"Conversation"</h2>
            <ol class="conversation" data-test="history">
                <li class="entry voice-reporter" data-kind="description">
                    <p class="entry-meta">
                        <strong>{ticket.reporter.name.clone()}</strong> " · Description · "
                        <time datetime=crate::domain::machine_time(ticket.created_at)>{format_time(ticket.created_at)}</time>
                    </p>
                    <p class="entry-text description">{ticket.description.clone()}</p>
                </li>
                {ticket.history.into_iter().map(entry).collect_view()}
            </ol>
        </section>
    }
}

/// One group of the side's actions: folded unless `open`; without JavaScript too.
#[component]
fn ActionGroup(
    id: &'static str,
    title: &'static str,
    #[prop(optional)] open: bool,
    children: Children,
) -> impl IntoView {
    view! {
        <details class="action-group" id=id open=open>
            <summary>{title}</summary>
            <div class="action-body">{children()}</div>
        </details>
    }
}

/// What every form of the page needs, provided as context by the page: where it
/// posts, the version, and what was typed if the page came back with a problem.
#[derive(Clone, Default)]
struct FormCtx {
    number: String,
    version: i64,
    typed: WorkForm,
    /// Files a form that came back carried.
    kept: Vec<FileView>,
}

fn form_ctx() -> FormCtx {
    use_context::<FormCtx>().unwrap_or_default()
}

/// What was typed into `field` of a form for one of `actions`.
fn typed(actions: &[&str], field: fn(&WorkForm) -> &Option<String>) -> String {
    form_ctx().typed.typed_for(actions, field)
}

/// A form of the page: posts to the ticket with its version.
#[component]
fn DeskForm(
    label: &'static str,
    #[prop(default = "desk-form")] class: &'static str,
    children: Children,
) -> impl IntoView {
    let f = form_ctx();
    view! {
        <form method="post" action=format!("/agent/tickets/{}", f.number) class=class aria-label=label
            enctype="multipart/form-data">
            <input type="hidden" name="version" value=f.version.to_string()/>
            {children()}
        </form>
    }
}

/// The reply box, under the conversation: a reply to the reporter or a note for
/// the desk.
#[component]
fn ReplyBox(closed: bool) -> impl IntoView {
    if closed {
        return ().into_any();
    }
    let body = typed(&["reply", "note"], |w| &w.body);
    view! {
        <DeskForm label="Reply or add a note" class="desk-form reply-box">
            <h2>"Reply or add a note"</h2>
            <div class="field">
                <label for="desk-body">"Message"</label>
                <p class="hint" id="desk-body-hint">"A reply goes to the reporter; an internal note stays on the desk."</p>
                <textarea id="desk-body" name="body" rows="5" maxlength="10000" aria-describedby="desk-body-hint"
                    inner_html=escape_text(&body)></textarea>
            </div>
            <FilesField id="desk-files" kept=form_ctx().kept error=None/>
            <p class="hint">"Files go with the message: a reply's files reach the reporter, a note's stay on the desk."</p>
            <div class="button-row">
                <button type="submit" name="action" value="reply" class="button primary" data-test="reply">"Send reply"</button>
                <button type="submit" name="action" value="note" class="button" data-test="note">"Add internal note"</button>
            </div>
        </DeskForm>
    }
    .into_any()
}

#[component]
fn OpenActions(ticket: DeskTicket) -> impl IntoView {
    let phase = Phase::of(ticket.state);
    let level = ticket.group_level.unwrap_or(1);
    let higher: Vec<_> = ticket
        .choices
        .groups
        .iter()
        .filter(|(_, l)| *l > level)
        .map(|(g, _)| g.clone())
        .collect();
    let incident = ticket.kind == TicketKind::Incident;
    let typed_hold = typed(&["hold"], |w| &w.body);
    let typed_escalate = typed(&["escalate", "escalate_to_managers"], |w| &w.reason);
    let typed_major = typed(&["declare_major"], |w| &w.reason);
    let typed_triage = typed(&["change_triage"], |w| &w.reason);
    let typed_link = typed(&["link"], |w| &w.link_target);
    let typed_resolve = typed(&["resolve"], |w| &w.body);
    // A form that came back with a problem opens its group.
    let returned = form_ctx().typed.action;
    let came_back = |actions: &[&str]| actions.contains(&returned.as_str());
    let (fitting, others) = ticket.choices.models.split_at(
        ticket
            .choices
            .fitting_models
            .min(ticket.choices.models.len()),
    );
    let model_options = |models: &[crate::domain::Choice]| {
        models
            .iter()
            .map(|m| view! { <option value=m.id.to_string()>{m.name.clone()}</option> })
            .collect_view()
    };
    let models = (incident && !ticket.choices.models.is_empty()).then(|| {
        let for_category = format!("For {}", ticket.category);
        view! {
            <div class="field">
                <label for="model">"Incident model"</label>
                <select id="model" name="model" data-test="model">
                    <option value="">"Choose a model"</option>
                    {(!fitting.is_empty()).then(|| view! { <optgroup label=for_category>{model_options(fitting)}</optgroup> })}
                    {(!others.is_empty()).then(|| view! { <optgroup label="Other categories">{model_options(others)}</optgroup> })}
                </select>
            </div>
            <button type="submit" name="action" value="apply_model" class="button" data-test="apply-model">"Apply the model"</button>
        }
    });
    view! {
        <ActionGroup id="act-assign" title="Assignment" open=true>
            <DeskForm label="Assignment">
                <div class="button-row">
                    <button type="submit" name="action" value="take" class="button" data-test="take">"Take it"</button>
                    {(phase == Phase::Open).then(|| view! {
                        <button type="submit" name="action" value="start" class="button">
                            {if incident { "Start work" } else { "Approve" }}
                        </button>
                    })}
                </div>
                <div class="field">
                    <label for="assign-group">"Group"</label>
                    <select id="assign-group" name="group">
                        <option value="">"Keep the group"</option>
                        {ticket.choices.groups.iter().map(|(g, _)| view! { <option value=g.id.to_string()>{g.name.clone()}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="assign-person">"Person"</label>
                    <select id="assign-person" name="assignee">
                        <option value="">"Nobody yet"</option>
                        {ticket.choices.staff.iter().map(|p| view! { <option value=p.id.to_string()>{p.name.clone()}</option> }).collect_view()}
                    </select>
                </div>
                <button type="submit" name="action" value="assign" class="button">"Assign"</button>
            </DeskForm>
        </ActionGroup>

        <ActionGroup id="act-resolve" title="Resolve" open=true>
            <DeskForm label="Resolve">
                <div class="field">
                    <label for="resolve-code">"Resolution code"</label>
                    <select id="resolve-code" name="code">
                        {ResolutionCode::ALL.into_iter().map(|c| view! { <option value=c.as_str()>{c.label()}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="resolve-text">"Resolution or workaround (sent to the reporter)"</label>
                    <textarea id="resolve-text" name="body" rows="3" maxlength="10000"
                        inner_html=escape_text(&typed_resolve)></textarea>
                </div>
                <button type="submit" name="action" value="resolve" class="button primary" data-test="resolve">"Resolve"</button>
            </DeskForm>
        </ActionGroup>

        {match phase {
            Phase::Held => view! {
                <ActionGroup id="act-hold" title="On hold" open=true>
                    <DeskForm label="Resume">
                        <button type="submit" name="action" value="resume" class="button">"Resume work"</button>
                    </DeskForm>
                </ActionGroup>
            }.into_any(),
            _ => view! {
                <ActionGroup id="act-hold" title="Put on hold" open=came_back(&["hold"])>
                    <DeskForm label="Put on hold">
                        <fieldset class="options">
                            <legend>"Waiting for"</legend>
                            {HoldReason::ALL.into_iter().map(|r| {
                                let id = format!("hold-{}", r.as_str());
                                view! {
                                    <div class="radio">
                                        <input type="radio" id=id.clone() name="hold" value=r.as_str()/>
                                        <label for=id>{hold_words(r)}</label>
                                    </div>
                                }
                            }).collect_view()}
                        </fieldset>
                        <div class="field">
                            <label for="hold-note">"What is needed (sent to the reporter)"</label>
                            <input id="hold-note" name="body" type="text" maxlength="2000" value=typed_hold.clone()/>
                        </div>
                        <button type="submit" name="action" value="hold" class="button">"Put on hold"</button>
                    </DeskForm>
                </ActionGroup>
            }.into_any(),
        }}

        <ActionGroup id="act-escalate" title="Escalate" open=came_back(&["escalate", "escalate_to_managers"])>
            <DeskForm label="Escalate">
                {(!higher.is_empty()).then(|| view! {
                    <div class="field">
                        <label for="escalate-group">"To the group"</label>
                        <select id="escalate-group" name="group" data-test="escalate-group">
                            {higher.iter().map(|g| view! {
                                <option value=g.id.to_string()>{g.name.clone()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                })}
                <div class="field">
                    <label for="escalate-reason">"Why"</label>
                    <input id="escalate-reason" name="reason" type="text" maxlength="2000"
                        value=typed_escalate/>
                </div>
                <div class="button-row">
                    {(!higher.is_empty()).then(|| view! {
                        <button type="submit" name="action" value="escalate" class="button" data-test="escalate">"Escalate to the group"</button>
                    })}
                    <button type="submit" name="action" value="escalate_to_managers" class="button">"Tell the incident managers"</button>
                </div>
            </DeskForm>
        </ActionGroup>

        {(incident && !ticket.major).then(|| view! {
            <ActionGroup id="act-major" title="Major incident" open=came_back(&["declare_major"])>
                <DeskForm label="Declare a major incident">
                    <div class="field">
                        <label for="major-reason">"Why it is a major incident"</label>
                        <input id="major-reason" name="reason" type="text" maxlength="2000" value=typed_major/>
                    </div>
                    <button type="submit" name="action" value="declare_major" class="button" data-test="declare-major">"Declare a major incident"</button>
                </DeskForm>
            </ActionGroup>
        })}

        {incident.then(|| view! {
            <ActionGroup id="act-priority" title="Impact and urgency" open=came_back(&["change_triage"])>
                <DeskForm label="Impact and urgency">
                    <div class="field">
                        <label for="triage-impact">"Impact"</label>
                        <select id="triage-impact" name="impact">
                            {Impact::ALL.into_iter().map(|i| view! {
                                <option value=i.as_str() selected=ticket.impact == Some(i)>{i.as_str()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="triage-urgency">"Urgency"</label>
                        <select id="triage-urgency" name="urgency">
                            {Urgency::ALL.into_iter().map(|u| view! {
                                <option value=u.as_str() selected=ticket.urgency == Some(u)>{u.as_str()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="triage-reason">"Why it changed"</label>
                        <input id="triage-reason" name="reason" type="text" maxlength="2000" value=typed_triage.clone()/>
                    </div>
                    <button type="submit" name="action" value="change_triage" class="button">"Change priority"</button>
                </DeskForm>
            </ActionGroup>
        })}

        <ActionGroup id="act-category" title="Category and model" open=came_back(&["recategorise", "apply_model"])>
            <DeskForm label="Category">
                <div class="field">
                    <label for="recat-category">"Category"</label>
                    <select id="recat-category" name="category">
                        {ticket.choices.categories.iter().map(|c| view! {
                            <option value=c.id.to_string() selected=c.id == ticket.category_id.0>{c.name.clone()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" name="action" value="recategorise" class="button">"Re-categorise"</button>
            </DeskForm>
            {models.map(|m| view! { <DeskForm label="Incident model">{m}</DeskForm> })}
        </ActionGroup>

        <ActionGroup id="act-link" title="Link to a record" open=came_back(&["link"])>
            <DeskForm label="Link">
                <div class="field">
                    <label for="link-kind">"Link to"</label>
                    <select id="link-kind" name="link_kind">
                        {LinkKind::ALL.into_iter().map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="link-target">"Incident number, or the known error's address"</label>
                    <input id="link-target" name="link_target" type="text" maxlength="300" value=typed_link/>
                </div>
                <button type="submit" name="action" value="link" class="button" data-test="link">"Link"</button>
            </DeskForm>
        </ActionGroup>
    }
}

#[component]
fn Reopen() -> impl IntoView {
    view! {
        <ActionGroup id="act-reopen" title="Reopen" open=true>
            <DeskForm label="Reopen">
                <div class="field">
                    <label for="reopen-reason">"Why"</label>
                    <input id="reopen-reason" name="reason" type="text" maxlength="2000" value=typed(&["reopen"], |w| &w.reason)/>
                </div>
                <button type="submit" name="action" value="reopen" class="button">"Reopen"</button>
            </DeskForm>
        </ActionGroup>
    }
}

#[component]
fn Close() -> impl IntoView {
    view! {
        <ActionGroup id="act-close" title="Close" open=true>
            <DeskForm label="Close">
                <button type="submit" name="action" value="close" class="button">"Close now"</button>
            </DeskForm>
        </ActionGroup>
    }
}

/// Messages about the ticket that did not reach their recipient: whoever works
/// the ticket knows not to wait for an answer to them.
#[component]
fn MailTroubles(troubles: Vec<MailTrouble>) -> impl IntoView {
    if troubles.is_empty() {
        return ().into_any();
    }
    let trouble = |t: MailTrouble| {
        let (state, what) = match (t.delivery, t.next_attempt_at) {
            (Delivery::Retrying, Some(at)) => (
                "delivery-retrying",
                format!("not delivered yet, tried again {}", format_time(at)),
            ),
            _ => ("delivery-failed", "not delivered".to_string()),
        };
        let attempts = match t.attempts {
            1 => "1 attempt".to_string(),
            n => format!("{n} attempts"),
        };
        view! {
            <li data-test="mail-trouble">
                <span class=format!("badge delivery {state}")>{what}</span> " "
                {format!("to {} · {} · {attempts}", t.recipient, t.subject)}
                {t.last_error.map(|e| view! { <br/><span class="delivery-error">"Last error: "{e}</span> })}
            </li>
        }
    };
    view! {
        <div class="warning-box" data-test="mail-troubles">
            <h2>"E-mail that did not arrive"</h2>
            <p>"The people below may not know what the ticket's messages told them: reach them another way if it matters."</p>
            <ul>{troubles.into_iter().map(trouble).collect_view()}</ul>
        </div>
    }
    .into_any()
}

/// The messages received about the ticket, each downloadable whole (what the
/// history shows of them is cut of quotes and signatures).
#[component]
fn MailReceived(mail: Vec<ReceivedMail>) -> impl IntoView {
    if mail.is_empty() {
        return ().into_any();
    }
    let one = |m: ReceivedMail| {
        view! {
            <li data-test="mail-received">
                <time datetime=crate::domain::machine_time(m.received_at)>{format_time(m.received_at)}</time>
                {format!(" · from {} · “{}” · {} · ", m.sender, m.subject, m.outcome)}
                <a href=format!("/agent/mail/{}", m.id) download="">"the original message"</a>
            </li>
        }
    };
    view! {
        <h2>"E-mail received"</h2>
        <ul class="links">{mail.into_iter().map(one).collect_view()}</ul>
    }
    .into_any()
}

#[component]
fn Links(ticket: DeskTicket) -> impl IntoView {
    let link = |l: LinkView| {
        view! { <li><span class="tag">{l.kind.label()}</span> " " <a href=l.href>{l.label}</a></li> }
    };
    let none = ticket.links.is_empty() && ticket.linked_tickets.is_empty();
    let known_error = ticket
        .offer_known_error
        .then(|| format!("/knowledge/new?kind=known_error&from={}", ticket.number));
    view! {
        <ActionGroup id="desk-links" title="Linked records" open=!none || known_error.is_some()>
            {none.then(|| view! { <p>"None yet."</p> })}
            {known_error.map(|href| view! {
                <p><a class="button" href=href data-test="start-known-error">"Start a known-error draft from this incident"</a></p>
            })}
            <ul class="links" data-test="links">
                {ticket.links.into_iter().map(link).collect_view()}
            </ul>
            {ticket.major.then(|| view! {
                <p data-test="affected">{format!(
                    "{} linked tickets and {} people who said “this is my problem too”.",
                    ticket.linked_tickets.len(), ticket.followers
                )}</p>
            })}
            <ul class="links" data-test="linked-tickets">
                {ticket.linked_tickets.into_iter().map(|l| view! { <li><a href=l.href>{l.label}</a></li> }).collect_view()}
            </ul>
        </ActionGroup>
    }
}

#[component]
fn Checklist(ticket: DeskTicket) -> impl IntoView {
    if ticket.checklist.is_empty() {
        return ().into_any();
    }
    let open = !matches!(Phase::of(ticket.state), Phase::Done | Phase::Closed);
    view! {
        <ActionGroup id="desk-checklist" title="Checklist" open=true>
        <ol class="checklist" data-test="checklist">
            {ticket.checklist.into_iter().map(|step| {
                let done = step.done.is_some();
                view! {
                    <li data-done=done.to_string()>
                        <span>{format!("{}{}", if done { "Done: " } else { "To do: " }, step.text)}</span>
                        {step.done.map(|(at, by)| view! { <span class="hint">{format!(" ({by}, {})", format_time(at))}</span> })}
                        {open.then(|| view! {
                            <DeskForm label="Checklist step">
                                <input type="hidden" name="step" value=step.position.to_string()/>
                                {(!done).then(|| view! { <input type="hidden" name="done" value="on"/> })}
                                <button type="submit" name="action" value="tick" class="link-button">
                                    {if done { "Mark as not done" } else { "Mark as done" }}
                                    <span class="visually-hidden">{format!(": {}", step.text)}</span>
                                </button>
                            </DeskForm>
                        })}
                    </li>
                }
            }).collect_view()}
        </ol>
        </ActionGroup>
    }
    .into_any()
}

fn hold_words(reason: HoldReason) -> &'static str {
    match reason {
        HoldReason::AwaitingUser => "waiting for the reporter",
        HoldReason::AwaitingSupplier => "waiting for a supplier",
    }
}

/// What a successful form did, in words.
fn done_words(action: &str) -> &'static str {
    match action {
        "reply" => "Your reply was sent to the reporter.",
        "note" => "Your internal note was added.",
        "take" | "assign" => "The ticket was assigned.",
        "escalate" => "The ticket was escalated.",
        "escalate_to_managers" => "The incident managers were told.",
        "declare_major" => "The ticket is now a major incident.",
        "resolve" => "The ticket was resolved; the reporter was asked to confirm.",
        "link" => "The link was added.",
        "apply_model" => "The incident model was applied.",
        _ => "Saved.",
    }
}
