//! `/admin/notices`: publishing service-failure notices, posting updates,
//! changing the expected restoration, linking a major incident, resolving.
//!
//! Plain POST forms (`server::notices`); a form with problems comes back
//! with its messages and everything typed.

use super::NoticeCard;
use crate::accounts::AdminNav;
use crate::components::{
    described_by, format_time, FieldHint, FormMessages, FormOutcome, InputField, LabelledField,
    LoadError,
};
use crate::domain::{Audience, Field, Notice, Severity};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The admin's list of notices and what the publishing form offers.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct NoticesOverview {
    pub notices: Vec<Notice>,
    /// The services a new notice may name (the offered ones), as (slug, name).
    pub services: Vec<(String, String)>,
}

#[server(prefix = "/api", endpoint = "admin_notices")]
pub async fn admin_notices() -> Result<NoticesOverview, AppError> {
    use crate::server::web::caller::Access;
    use crate::server::web::context::serve_as;
    serve_as(Access::Admin, |state, _| async move {
        let mut conn = state.db.reader.acquire().await?;
        let services = crate::server::store::catalog::service_choices(&mut conn, None).await?;
        Ok(NoticesOverview {
            notices: crate::server::store::notices::all_for_staff(&mut conn).await?,
            services,
        })
    })
    .await
}

#[server(prefix = "/api", endpoint = "admin_notice")]
pub async fn admin_notice(id: i64) -> Result<Notice, AppError> {
    use crate::server::web::caller::Access;
    use crate::server::web::context::serve_as;
    serve_as(Access::Admin, |state, _| async move {
        let mut conn = state.db.reader.acquire().await?;
        crate::server::store::notices::one_for_staff(&mut conn, crate::domain::NoticeId(id))
            .await?
            .ok_or(AppError::NotFound)
    })
    .await
}

/// The outcome of the form that led here: from the render's context (a form
/// that came back) or the address (`?done=` after one that worked).
fn outcome_here() -> FormOutcome {
    let mut outcome = FormOutcome::current();
    if outcome.done.is_none() && outcome.problem.is_none() && outcome.errors.is_empty() {
        let query = use_query_map();
        outcome.done = match query.read_untracked().get("done").as_deref() {
            Some("published") => Some(
                "The notice is published: its banner is on every page now (or from its start)."
                    .into(),
            ),
            Some("update") => Some("The update is published.".into()),
            Some("link") => Some("The notice is linked to the major incident.".into()),
            Some("resolve") => Some("The notice is resolved: its banner is gone.".into()),
            _ => None,
        };
    }
    outcome
}

/// `/admin/notices`: publish a notice; every notice, unresolved first.
#[component]
pub fn AdminNoticesPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| admin_notices());
    let outcome = outcome_here();
    view! {
        <Title text="Service notices: admin"/>
        <Suspense>
            {move || {
                let outcome = outcome.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(NoticesOverview { notices, services }) => view! {
                            <div class="wrap page">
                                <AdminNav/>
                                <h1>"Service notices"</h1>
                                <FormMessages outcome=outcome.clone()/>
                                <PublishForm services outcome/>
                                <NoticeList notices/>
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
fn PublishForm(services: Vec<(String, String)>, outcome: FormOutcome) -> impl IntoView {
    let errors = outcome.errors.clone();
    let severity = outcome.value(Field::Severity);
    let chosen_services = outcome.value(Field::Services);
    let chosen: Vec<&str> = chosen_services.split(',').collect();
    let audience = match outcome.value(Field::Audience).as_str() {
        "affected" => Audience::Affected,
        _ => Audience::Everyone,
    };
    let experience = outcome.value(Field::Experience);
    view! {
        <section class="panel" aria-labelledby="publish-title">
            <h2 id="publish-title">"Publish a notice"</h2>
            <p>"Tell users about an outage before they have to ask. For planned maintenance, give a start in the future."</p>
            <form method="post" action="/admin/notices" novalidate data-test="publish-notice">
                <InputField field=Field::Title label="Title" kind="text" autocomplete="off" maxlength="150"
                    outcome=outcome.clone() hint="What users will recognise, e.g. \"VPN unavailable from home\"."/>
                <div class="field">
                    <label for="severity">"Severity"</label>
                    <FieldHint field=Field::Severity error=errors.get(Field::Severity).map(str::to_string)/>
                    <select id="severity" name="severity" aria-describedby=described_by(Field::Severity, false, &errors)>
                        {Severity::ALL.into_iter().map(|s| view! {
                            <option value=s.as_str() selected=s.as_str() == severity>{s.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <fieldset class="checkboxes" id="services" aria-describedby=described_by(Field::Services, false, &errors)>
                    <legend>"Affected services"</legend>
                    <FieldHint field=Field::Services error=errors.get(Field::Services).map(str::to_string)/>
                    {services.into_iter().map(|(slug, name)| {
                        let id = format!("service-{slug}");
                        let checked = chosen.contains(&slug.as_str());
                        view! {
                            <div class="checkbox">
                                <input type="checkbox" id=id.clone() name="services" value=slug checked=checked/>
                                <label for=id>{name}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <LabelledField id="experience" name="experience" label="What users experience" lines=4 maxlength=2000
                    value=experience error=errors.get(Field::Experience).map(str::to_string)
                    hint="In the users' words, e.g. \"The VPN client says 'connection failed' at home.\""/>
                <fieldset class="options" id="audience">
                    <legend>"Who sees the banner"</legend>
                    <FieldHint field=Field::Audience error=errors.get(Field::Audience).map(str::to_string)/>
                    <div class="radio">
                        <input type="radio" id="audience-everyone" name="audience" value="everyone" checked=audience == Audience::Everyone/>
                        <label for="audience-everyone">"Everyone, on every page"</label>
                    </div>
                    <div class="radio">
                        <input type="radio" id="audience-affected" name="audience" value="affected" checked=audience == Audience::Affected/>
                        <label for="audience-affected">"Only users of the affected services (when we know who they are)"</label>
                    </div>
                </fieldset>
                <InputField field=Field::StartsAt label="Start (UTC)" kind="datetime-local" autocomplete="off" maxlength="19"
                    outcome=outcome.clone() hint="Leave empty for now; a future start makes it planned maintenance."/>
                <InputField field=Field::Restoration label="Expected restoration (UTC, optional)" kind="datetime-local"
                    autocomplete="off" maxlength="19" outcome=outcome.clone()/>
                <InputField field=Field::Major label="Major incident (optional)" kind="text" autocomplete="off" maxlength="20"
                    outcome=outcome.clone() hint="Its number, e.g. INC0001001: users logging an issue for these services can attach themselves to it."/>
                <button type="submit" class="button primary" data-test="publish">"Publish the notice"</button>
            </form>
        </section>
    }
}

#[component]
fn NoticeList(notices: Vec<Notice>) -> impl IntoView {
    let now = chrono::Utc::now();
    view! {
        <h2>"All notices"</h2>
        {notices.is_empty().then(|| view! { <p>"No notices yet."</p> })}
        <div class="table-box" role="region" aria-label="Notices" tabindex="0">
            <table class="data-table" data-test="admin-notices">
                <caption class="visually-hidden">"Notices, unresolved first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Notice"</th>
                        <th scope="col">"State"</th>
                        <th scope="col">"Services"</th>
                        <th scope="col">"Major incident · affected"</th>
                    </tr>
                </thead>
                <tbody>
                    {notices.into_iter().map(|n| view! {
                        <tr data-test="admin-notice">
                            <td><a href=format!("/admin/notices/{}", n.id)>{n.title.clone()}</a>
                                <br/><span class="hint">{n.severity.label()}</span></td>
                            <td>{state_words(&n, now)}</td>
                            <td>{n.service_names.join(", ")}</td>
                            <td>{major_words(&n)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

fn state_words(notice: &Notice, now: chrono::DateTime<chrono::Utc>) -> String {
    let state = notice.state_label(now);
    match (notice.resolved_at, notice.is_active(now)) {
        (Some(at), _) => format!("{state} {}", format_time(at)),
        (None, true) => state.into(),
        (None, false) => format!("{state} from {}", format_time(notice.starts_at)),
    }
}

fn major_words(notice: &Notice) -> String {
    match (notice.major, notice.affected) {
        (Some(major), Some(affected)) => format!("{major} · {affected} affected"),
        (Some(major), None) => major.to_string(),
        _ => "–".into(),
    }
}

/// `/admin/notices/{id}`: one notice, its timeline, and what can be done to it.
#[component]
pub fn AdminNoticePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let notice = Resource::new(id, admin_notice);
    let outcome = outcome_here();
    view! {
        <Suspense>
            {move || {
                let outcome = outcome.clone();
                Suspend::new(async move {
                    match notice.await {
                        Ok(notice) => view! {
                            <Title text=format!("Notice: {}", notice.title)/>
                            <div class="wrap page">
                                <AdminNav/>
                                <p><a href="/admin/notices">"All notices"</a></p>
                                <FormMessages outcome=outcome.clone()/>
                                <NoticeAdmin notice outcome/>
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
fn NoticeAdmin(notice: Notice, outcome: FormOutcome) -> impl IntoView {
    let now = chrono::Utc::now();
    let action = format!("/admin/notices/{}", notice.id);
    let errors = outcome.errors.clone();
    let typed_body = outcome.value(Field::Body);
    let facts = view! {
        <dl class="facts" data-test="notice-facts">
            <div><dt>"State"</dt><dd data-test="notice-state">{state_words(&notice, now)}</dd></div>
            <div><dt>"Banner shown to"</dt><dd>{match notice.audience {
                Audience::Everyone => "Everyone",
                Audience::Affected => "Users of the affected services",
            }}</dd></div>
            <div><dt>"Major incident"</dt><dd data-test="notice-major">{notice.major.map(|m| view! {
                <a href=format!("/agent/tickets/{m}")>{m.to_string()}</a>
                {notice.affected.map(|n| format!(" · {n} people affected"))}
            }.into_any()).unwrap_or_else(|| "None".into_any())}</dd></div>
        </dl>
    };
    let open = notice.resolved_at.is_none();
    let forms = open.then(|| {
        let field_error = |field: Field| errors.get(field).map(str::to_string);
        view! {
            <section class="panel" aria-labelledby="update-title">
                <h2 id="update-title">"Post an update"</h2>
                <form method="post" action=action.clone() novalidate data-test="notice-update">
                    <LabelledField id="body" name="body" label="Update" lines=4 maxlength=2000
                        value=typed_body.clone() error=field_error(Field::Body)/>
                    <div class="field">
                        <label for="restoration">"New expected restoration (UTC, optional)"</label>
                        <FieldHint field=Field::Restoration error=field_error(Field::Restoration)/>
                        <input id="restoration" name="restoration" type="datetime-local"
                            value=outcome.value(Field::Restoration).replace("unknown", "")
                            aria-describedby=described_by(Field::Restoration, false, &errors)/>
                    </div>
                    <div class="checkbox">
                        <input type="checkbox" id="unknown" name="unknown" value="on"/>
                        <label for="unknown">"We no longer know when it will be back"</label>
                    </div>
                    <button type="submit" name="action" value="update" class="button primary" data-test="post-update">"Publish the update"</button>
                </form>
            </section>
            <section class="panel" aria-labelledby="link-title">
                <h2 id="link-title">"Link a major incident"</h2>
                <form method="post" action=action.clone() novalidate>
                    <LabelledField id="major" name="major" label="Major incident number" maxlength=20
                        value=outcome.value(Field::Major) error=field_error(Field::Major)
                        hint="Users logging an issue for the affected services can then attach themselves to it."/>
                    <button type="submit" name="action" value="link" class="button">"Link"</button>
                </form>
            </section>
            <section class="panel" aria-labelledby="resolve-title">
                <h2 id="resolve-title">"Resolve"</h2>
                <form method="post" action=action.clone()>
                    <div class="field">
                        <label for="resolve-body">"Last word (optional)"</label>
                        <textarea id="resolve-body" name="body" rows="2" maxlength="2000"></textarea>
                    </div>
                    <button type="submit" name="action" value="resolve" class="button" data-test="resolve-notice">"Resolve the notice"</button>
                </form>
            </section>
        }
    });
    // A change sent to a notice resolved meanwhile: what was typed stays on screen.
    let unsaved = (!open && !typed_body.is_empty()).then(|| {
        view! {
            <div class="panel" data-test="unsaved">
                <h2>"What you wrote (not saved)"</h2>
                <p class="description">{typed_body.clone()}</p>
            </div>
        }
    });
    view! {
        <h1>{notice.title.clone()}</h1>
        {facts}
        {unsaved}
        {forms}
        <NoticeCard notice now/>
    }
}
