//! Admin pages: accounts and roles, the outbox, the audit log.

use super::{admin_accounts, admin_audit, admin_outbox, AccountsOverview};
use crate::components::{
    format_time, CheckboxList, FormMessages, FormOutcome, InputField, LoadError,
};
use crate::domain::{
    AssignmentGroup, Delivery, Field, OutboxMessage, OutboxOverview, Role, UserRow,
};
use crate::domain::{GroupId, UserId};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AdminNav() -> impl IntoView {
    view! {
        <nav aria-label="Administration" class="sub-nav">
            <ul class="nav-list">
                <li><a href="/admin/users">"Accounts"</a></li>
                <li><a href="/admin/notices">"Notices"</a></li>
                <li><a href="/admin/priorities">"Priorities and targets"</a></li>
                <li><a href="/admin/services">"Services"</a></li>
                <li><a href="/admin/groups">"Groups"</a></li>
                <li><a href="/admin/calendars">"Calendars"</a></li>
                <li><a href="/admin/models">"Incident models"</a></li>
                <li><a href="/admin/attachments">"Attachments"</a></li>
                <li><a href="/admin/outbox">"Outbox"</a></li>
                <li><a href="/admin/audit">"Audit log"</a></li>
            </ul>
        </nav>
    }
}

/// `/admin/users`: invite people, change roles and groups, deactivate accounts,
/// and switch self-registration.
#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| admin_accounts());
    let query = use_query_map();
    let mut outcome = FormOutcome::current();
    if outcome.done.is_none() && outcome.problem.is_none() && outcome.errors.is_empty() {
        outcome.done = match query.read_untracked().get("done").as_deref() {
            Some("invited") => {
                Some("The account is created and its invitation is in the outbox.".into())
            }
            Some("saved") => Some("The account is saved.".into()),
            Some("registration") => Some("Self-registration is updated.".into()),
            _ => None,
        };
    }
    view! {
        <Title text="Accounts"/>
        <Suspense>
            {move || {
                let outcome = outcome.clone();
                Suspend::new(async move {
                    match overview.await {
                        Ok(overview) => view! { <AccountsAdmin overview outcome/> }.into_any(),
                        Err(error) => view! { <LoadError error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn AccountsAdmin(overview: AccountsOverview, outcome: FormOutcome) -> impl IntoView {
    let AccountsOverview {
        users,
        groups,
        self_registration,
        me,
    } = overview;
    let invite_role = outcome.value(Field::Role);
    view! {
        <div class="wrap page">
            <AdminNav/>
            <h1>"Accounts"</h1>
            <FormMessages outcome=outcome.clone()/>
            <section aria-labelledby="invite-title" class="panel">
                <h2 id="invite-title">"Add an account"</h2>
                <p>"They receive a link to choose their own password (see the outbox)."</p>
                <form method="post" action="/admin/users" novalidate>
                    <InputField field=Field::Name label="Name" kind="text" autocomplete="off"
                        maxlength="100" outcome=outcome.clone()/>
                    <InputField field=Field::Email label="E-mail address" kind="email" autocomplete="off"
                        maxlength="254" outcome=outcome.clone()/>
                    <div class="field">
                        <label for="role">"Role"</label>
                        <RoleSelect id="role".into() selected=Role::parse(&invite_role).unwrap_or(Role::Agent)/>
                    </div>
                    <GroupChoices legend="Assignment groups (agents and admins)".into() prefix="invite".into()
                        groups=groups.clone() chosen=Vec::new()/>
                    <button type="submit" class="button primary">"Add account"</button>
                </form>
            </section>
            <section aria-labelledby="registration-title" class="panel">
                <h2 id="registration-title">"Self-registration"</h2>
                <form method="post" action="/admin/registration">
                    <p>{if self_registration {
                        "Anyone can create an end-user account."
                    } else {
                        "Only admins can create accounts."
                    }}</p>
                    <input type="hidden" name="open" value=if self_registration { "off" } else { "on" }/>
                    <button type="submit" class="button">
                        {if self_registration { "Turn self-registration off" } else { "Turn self-registration on" }}
                    </button>
                </form>
            </section>
            <h2>"All accounts"</h2>
            <ul class="account-list" data-test="accounts">
                {users.into_iter().map(|user| view! {
                    <AccountEditor user groups=groups.clone() me/>
                }).collect_view()}
            </ul>
        </div>
    }
}

#[component]
fn RoleSelect(id: String, selected: Role) -> impl IntoView {
    view! {
        <select id=id.clone() name="role">
            {Role::ALL.into_iter().map(|role| view! {
                <option value=role.as_str() selected=role == selected>{role.label()}</option>
            }).collect_view()}
        </select>
    }
}

#[component]
fn GroupChoices(
    legend: String,
    prefix: String,
    groups: Vec<AssignmentGroup>,
    chosen: Vec<GroupId>,
) -> impl IntoView {
    let options = groups
        .into_iter()
        .map(|group| (group.id.to_string(), group.name))
        .collect();
    let chosen = chosen.iter().map(GroupId::to_string).collect();
    view! { <CheckboxList id=format!("{prefix}-group") name="groups" legend options chosen error=None/> }
}

#[component]
fn AccountEditor(user: UserRow, groups: Vec<AssignmentGroup>, me: UserId) -> impl IntoView {
    let prefix = format!("user-{}", user.id);
    let title_id = format!("{prefix}-title");
    view! {
        <li class="account" data-test="account">
            <h3 id=title_id.clone()>{user.name.clone()} <span class="account-email">" · " {user.email.clone()}</span></h3>
            <p class="account-meta">
                {user.role.label()}
                {(user.role == Role::Agent && user.can_author).then_some(" · writes knowledge articles")}
                {(!user.active).then_some(" · deactivated")}
                {(!user.verified).then_some(" · e-mail not confirmed")}
                {(user.id == me).then_some(" · you")}
            </p>
            <form method="post" action=format!("/admin/users/{}", user.id)>
                <div class="field">
                    <label for=format!("{prefix}-role")>"Role"</label>
                    <RoleSelect id=format!("{prefix}-role") selected=user.role/>
                </div>
                <GroupChoices legend="Assignment groups".into() prefix=prefix.clone()
                    groups chosen=user.groups.clone()/>
                <div class="checkbox">
                    <input type="checkbox" id=format!("{prefix}-author") name="can_author" value="on" checked=user.can_author/>
                    <label for=format!("{prefix}-author")>"Writes knowledge articles (agents; admins always may)"</label>
                </div>
                <div class="checkbox">
                    <input type="checkbox" id=format!("{prefix}-active") name="active" value="on" checked=user.active/>
                    <label for=format!("{prefix}-active")>"Active (can sign in)"</label>
                </div>
                <button type="submit" class="button">"Save " <span class="visually-hidden">{user.name}</span></button>
            </form>
        </li>
    }
}

/// `/admin/outbox`: the delivery log. Whether and how mail is sent, a test
/// message, and every message with where it stands; one that is retrying or
/// failed can be sent again now.
#[component]
pub fn AdminOutboxPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| admin_outbox());
    let query = use_query_map();
    let mut outcome = FormOutcome::current();
    if outcome.done.is_none() && outcome.problem.is_none() && outcome.errors.is_empty() {
        outcome.done = match query.read_untracked().get("done").as_deref() {
            Some("test") => Some(
                "The test message is queued. It shows below as Sent once the mail server has \
                 taken it."
                    .into(),
            ),
            Some("again") => Some("The message is queued for another attempt now.".into()),
            _ => None,
        };
    }
    view! {
        <Title text="Outbox and delivery log"/>
        <Suspense>
            {move || {
                let outcome = outcome.clone();
                Suspend::new(async move {
                    match overview.await {
                        Ok(overview) => view! { <DeliveryLog overview outcome/> }.into_any(),
                        Err(error) => view! { <LoadError error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn DeliveryLog(overview: OutboxOverview, outcome: FormOutcome) -> impl IntoView {
    let sending = overview.sending.is_some();
    view! {
        <div class="wrap page">
            <AdminNav/>
            <h1>"Outbox and delivery log"</h1>
            <FormMessages outcome=outcome.clone()/>
            {match overview.sending {
                Some(through) => view! {
                    <p class="lead" data-test="mail-status">"E-mail is sent through "
                        <code>{through}</code>". "{overview.schedule}</p>
                }.into_any(),
                None => view! {
                    <div class="warning-box" data-test="mail-status">
                        <p><strong>"E-mail is not being sent."</strong>" PORTAL_SMTP_URL is not \
                            set, so messages wait here: you can read them, and hand an \
                            invitation's link over yourself."</p>
                    </div>
                }.into_any(),
            }}
            <form method="post" action="/admin/outbox" data-test="test-message" novalidate>
                <InputField field=Field::Email label="Send a test message to" kind="email"
                    autocomplete="email" maxlength="254" outcome=outcome.clone()
                    hint="It shows below, and arrives within seconds if mail works."/>
                <button type="submit" class="button" disabled=!sending>"Send test message"</button>
            </form>
            {overview.messages.is_empty().then(|| view! { <p>"No messages yet."</p> })}
            <ol class="outbox" data-test="outbox">
                {overview.messages.into_iter().map(|m| view! { <OutboxEntry m sending/> }).collect_view()}
            </ol>
            <h2 id="received">"Mail received"</h2>
            <p data-test="mail-reading">{match overview.reading {
                Some(mailbox) => format!("The desk reads {mailbox}; mail piped to `server ingest-mail` lands here too."),
                None => "PORTAL_IMAP_URL is not set: mail reaches the desk only when a mail server pipes it to `server ingest-mail`.".into(),
            }}</p>
            {overview.received.is_empty().then(|| view! { <p>"None yet."</p> })}
            <ol class="outbox" data-test="received">
                {overview.received.into_iter().map(|m| view! {
                    <li class="message" data-test="received-message">
                        <h3 class="message-subject">{if m.subject.is_empty() { "(no subject)".to_string() } else { m.subject.clone() }}</h3>
                        <p class="message-meta">"From " {if m.sender.is_empty() { "(no sender)".to_string() } else { m.sender.clone() }}
                            " · received " <time datetime=crate::domain::machine_time(m.received_at)>{format_time(m.received_at)}</time>
                            " · " <span data-test="received-outcome">{m.outcome.clone()}</span> " · "
                            <a href=format!("/agent/mail/{}", m.id) download="">"the original message"</a></p>
                    </li>
                }).collect_view()}
            </ol>
        </div>
    }
}

#[component]
fn OutboxEntry(m: OutboxMessage, sending: bool) -> impl IntoView {
    let state = m.delivery;
    let attempts = match m.attempts {
        0 => String::new(),
        1 => " · 1 attempt".to_string(),
        n => format!(" · {n} attempts"),
    };
    view! {
        <li class="message" data-test="message" data-state=state.as_str()>
            <h2 class="message-subject">{m.subject.clone()}</h2>
            <p class="message-meta">
                <span class=format!("badge delivery delivery-{}", state.as_str()) data-test="delivery">{state.label()}</span>
                " To " <span data-test="recipient">{m.recipient}</span> " · written "
                <time datetime=crate::domain::machine_time(m.created_at)>{format_time(m.created_at)}</time>
                {attempts}
                {m.sent_at.map(|at| view! { " · sent " <time datetime=crate::domain::machine_time(at)>{format_time(at)}</time> })}
                {m.next_attempt_at.filter(|_| state == Delivery::Retrying).map(|at| view! {
                    " · next attempt " <time datetime=crate::domain::machine_time(at)>{format_time(at)}</time>
                })}
            </p>
            {m.last_error.map(|e| view! { <p class="delivery-error" data-test="last-error">"Last error: "{e}</p> })}
            {(sending && state.may_send_again()).then(|| view! {
                <form method="post" action=format!("/admin/outbox/{}", m.id) class="inline-form">
                    <button type="submit" class="button secondary" data-test="send-again">"Send again now"
                        <span class="visually-hidden">": "{m.subject}</span></button>
                </form>
            })}
            // While mail is sent, the log is about delivery: the text is one click
            // away. While it is not, admins read messages here (and hand
            // invitations over), so they are open.
            <details class="message-text" open=!sending>
                <summary>"The message"</summary>
                <pre class="message-body" data-test="message-body">{m.body}</pre>
            </details>
        </li>
    }
}

/// `/admin/audit`: sign-ins, failed sign-ins and account changes, newest first.
#[component]
pub fn AdminAuditPage() -> impl IntoView {
    let entries = Resource::new(|| (), |_| admin_audit());
    view! {
        <Title text="Audit log"/>
        <Suspense>
            {move || Suspend::new(async move {
                match entries.await {
                    Ok(entries) => view! {
                        <div class="wrap page">
                            <AdminNav/>
                            <h1>"Audit log"</h1>
                            <div class="table-box" role="region" aria-label="Account events" tabindex="0">
                                <table class="data-table" data-test="audit">
                                    <caption class="visually-hidden">"Account events, newest first"</caption>
                                    <thead>
                                        <tr>
                                            <th scope="col">"When"</th>
                                            <th scope="col">"Who"</th>
                                            <th scope="col">"What"</th>
                                            <th scope="col">"Account"</th>
                                            <th scope="col">"Details"</th>
                                            <th scope="col">"From"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {entries.into_iter().map(|e| view! {
                                            <tr>
                                                <td><time datetime=crate::domain::machine_time(e.at)>{format_time(e.at)}</time></td>
                                                <td>{e.actor}</td>
                                                <td>{e.action.replace('_', " ")}</td>
                                                <td>{e.subject.unwrap_or_default()}</td>
                                                <td>{e.detail}</td>
                                                <td>{e.address.unwrap_or_default()}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        </div>
                    }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
