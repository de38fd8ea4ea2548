//! `/admin/priorities`: the impact × urgency matrix, each priority's name and
//! targets, the priority of service requests, and the reopening and closing
//! periods — one plain form, checked as a whole (`PrioritySettings::parse`).

mod attachments;
mod calendars;
mod groups;
mod models;
mod services;

pub use attachments::{admin_attachment_rules, AttachmentsPage};
pub use calendars::{admin_calendars, CalendarsPage};
pub use groups::{admin_groups, GroupsPage};
pub use models::{admin_models, ModelsPage};
pub use services::ServicesPage;

use crate::accounts::AdminNav;
use crate::components::{ErrorSummary, LabelledField, LoadError};
pub use crate::domain::SettingsOutcome;
use crate::domain::{
    cell_name, duration_in_words, rule_name, Impact, NamedErrors, PrioritySettings, Urgency,
};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// What one form of a settings page shows: when that form came back, its values
/// as typed and its messages; else what is saved.
#[derive(Clone, Debug, Default)]
pub(crate) struct Shown {
    values: Vec<(String, String)>,
    errors: NamedErrors,
    /// The form came back with problems.
    pub came_back: bool,
    /// Prefixes input ids, so that many forms on one page have unique ids.
    pub prefix: String,
}

impl Shown {
    pub fn new(outcome: &SettingsOutcome, form: &str, saved: Vec<(String, String)>) -> Shown {
        let came_back = outcome.form.as_deref() == Some(form);
        Shown {
            values: if came_back {
                outcome.values.clone()
            } else {
                saved
            },
            errors: if came_back {
                outcome.errors.clone()
            } else {
                NamedErrors::default()
            },
            came_back,
            prefix: form.to_string(),
        }
    }

    /// The input id of the form's input `name`.
    pub fn id(&self, name: &str) -> String {
        format!("{}-{name}", self.prefix)
    }

    pub fn value(&self, name: &str) -> String {
        crate::domain::form_value(&self.values, name).to_string()
    }

    /// Every value of a repeated input (ticked checkboxes).
    pub fn values(&self, name: &str) -> Vec<String> {
        self.values
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn error(&self, name: &str) -> Option<String> {
        self.errors.get(name).map(str::to_string)
    }

    /// The summary at the top of a form that came back: each message linked to
    /// its input.
    pub fn summary(&self) -> impl IntoView {
        let items = self
            .errors
            .0
            .iter()
            .map(|(name, message)| (self.id(name), message.clone()))
            .collect();
        self.came_back.then(|| view! { <ErrorSummary items/> })
    }
}

/// The top of a settings page: the admin menu, the heading and lead, what was
/// just done, or the problem that stopped it.
#[component]
pub(crate) fn SettingsHeading(
    title: &'static str,
    lead: &'static str,
    done: Option<&'static str>,
    problem: Option<String>,
) -> impl IntoView {
    view! {
        <AdminNav/>
        <h1>{title}</h1>
        <p class="lead">{lead}</p>
        {done.map(|d| view! { <div class="confirmation" role="status"><p data-test="form-done">{d}</p></div> })}
        {problem.map(|p| view! {
            <div class="error-summary" role="alert"><p data-test="form-problem">{p}</p></div>
        })}
    }
}

/// The confirmation for `?done=…` among `messages` (done, message).
pub(crate) fn done_message(messages: &[(&str, &'static str)]) -> Option<&'static str> {
    let query = use_query_map();
    let done = query.read_untracked().get("done");
    messages
        .iter()
        .find(|(key, _)| done.as_deref() == Some(*key))
        .map(|(_, message)| *message)
}

#[server(prefix = "/api", endpoint = "admin_priorities")]
pub async fn admin_priorities() -> Result<PrioritySettings, AppError> {
    use crate::server::web::caller::Access;
    use crate::server::web::context::serve_as;
    serve_as(Access::Admin, |state, _| async move {
        let mut conn = state.db.reader.acquire().await?;
        Ok(crate::server::settings::priorities::load(&mut conn).await?)
    })
    .await
}

#[component]
pub fn PrioritiesPage() -> impl IntoView {
    let settings = Resource::new(|| (), |_| admin_priorities());
    let outcome = use_context::<SettingsOutcome>().unwrap_or_default();
    let saved = use_query_map().read_untracked().get("done").as_deref() == Some("saved");
    view! {
        <Title text="Priorities and targets"/>
        <Suspense>
            {move || {
                let outcome = outcome.clone();
                Suspend::new(async move {
                    match settings.await {
                        Ok(settings) => {
                            // A form that came back shows what was typed; else what is saved.
                            let values = if outcome.values.is_empty() { settings.fields() } else { outcome.values.clone() };
                            view! {
                                <div class="wrap page">
                                    <AdminNav/>
                                    <h1>"Priorities and targets"</h1>
                                    <p class="lead">"Tickets logged from now on follow the new settings; an open ticket's deadlines are worked out again when it resumes after waiting on its reporter or its priority changes. Each save is recorded in the audit log."</p>
                                    {saved.then(|| view! {
                                        <div class="confirmation" role="status"><p data-test="form-done">"The settings are saved."</p></div>
                                    })}
                                    <Problems outcome=outcome.clone()/>
                                    <SettingsForm values errors=outcome.errors/>
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

#[component]
fn Problems(outcome: SettingsOutcome) -> impl IntoView {
    view! {
        {outcome.problem.map(|p| view! {
            <div class="error-summary" role="alert"><p data-test="form-problem">{p}</p></div>
        })}
        <ErrorSummary items=outcome.errors.0/>
    }
}

#[component]
fn SettingsForm(values: Vec<(String, String)>, errors: NamedErrors) -> impl IntoView {
    let value = move |name: &str| {
        values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let error = |name: &str| {
        errors.get(name).map(|m| {
            let id = format!("{name}-error");
            (id.clone(), view! {
                <p class="field-error" id=id><span class="visually-hidden">"Error: "</span>{m.to_string()}</p>
            })
        })
    };
    let priority_select = |name: String, label: String, label_shown: bool| {
        let chosen = value(&name);
        let problem = error(&name);
        let described = problem.as_ref().map(|(id, _)| id.clone());
        view! {
            <label class=(!label_shown).then_some("visually-hidden") for=name.clone()>{label}</label>
            {problem.map(|(_, v)| v)}
            <select id=name.clone() name=name aria-describedby=described>
                {(1..=5).map(|p| {
                    let p = p.to_string();
                    view! { <option value=p.clone() selected=p == chosen>{format!("P{p}")}</option> }
                }).collect_view()}
            </select>
        }
    };
    let number = |name: String, label: &'static str, hint: Option<String>| {
        let value = value(&name);
        let error = errors.get(&name).map(str::to_string);
        match hint {
            Some(hint) => view! {
                <LabelledField id=name.clone() name label value error hint numeric=true/>
            }
            .into_any(),
            None => view! { <LabelledField id=name.clone() name label value error numeric=true/> }
                .into_any(),
        }
    };
    let rules = (1..=5u8).map(|level| {
        let label_name = rule_name(level, "label");
        let minutes_hint = |part: &str| {
            value(&rule_name(level, part))
                .parse::<u32>()
                .ok()
                .filter(|m| *m > 0)
                .map(|m| format!("Now {}.", duration_in_words(m)))
        };
        view! {
            <fieldset class="priority-rule" data-test="priority-rule">
                <legend>{format!("P{level}")}</legend>
                <LabelledField id=label_name.clone() name=label_name.clone() label="Name" value=value(&label_name)
                    error=errors.get(&label_name).map(str::to_string) maxlength=40/>
                {number(rule_name(level, "response"), "Respond within (minutes)", minutes_hint("response"))}
                {number(rule_name(level, "resolution"), "Resolve within (minutes)", minutes_hint("resolution"))}
            </fieldset>
        }
    }).collect_view();
    view! {
        <form method="post" action="/admin/priorities" novalidate data-test="priorities-form">
            <h2 id="matrix-title">"Impact × urgency → priority"</h2>
            <table class="data-table priority-matrix" aria-labelledby="matrix-title">
                <thead>
                    <tr>
                        <td></td>
                        {Urgency::ALL.into_iter().map(|u| view! { <th scope="col">{format!("Urgency: {}", u.as_str())}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {Impact::ALL.into_iter().rev().map(|impact| view! {
                        <tr>
                            <th scope="row">{format!("Impact: {}", impact.as_str())}</th>
                            {Urgency::ALL.into_iter().map(|urgency| view! {
                                <td>{priority_select(
                                    cell_name(impact, urgency),
                                    format!("Priority for impact {} and urgency {}", impact.as_str(), urgency.as_str()),
                                    false,
                                )}</td>
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <h2>"Targets"</h2>
            <p>"A higher priority never has a longer target than a lower one; resolution is never sooner than response. Targets count the working hours of each priority's "<a href="/admin/calendars">"business calendar"</a>"."</p>
            {rules}
            <h2>"Other rules"</h2>
            <div class="field">
                {priority_select("request_priority".into(), "Priority of service requests (they are not triaged by impact and urgency)".into(), true)}
            </div>
            {number("auto_close_days".into(), "A resolved ticket closes by itself after (days)", None)}
            {number("reopen_days".into(), "A closed ticket can be reopened for (days)", None)}
            <button type="submit" class="button primary" data-test="save-priorities">"Save the settings"</button>
        </form>
    }
}
