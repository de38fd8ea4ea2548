//! `/admin/models`: incident models — templates an agent applies to an incident
//! to set its category, impact and urgency and add a checklist of steps. A model
//! can be withdrawn (no longer offered) but not removed: tickets name theirs.

use super::{done_message, SettingsHeading, SettingsOutcome, Shown};
use crate::components::{LabelledField, LabelledSelect, LoadError};
use crate::domain::{counted, Impact, ModelConfig, ModelsOverview, Urgency};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

#[server(prefix = "/api", endpoint = "admin_models")]
pub async fn admin_models() -> Result<ModelsOverview, AppError> {
    use crate::server::web::caller::Access;
    use crate::server::web::context::serve_as;
    serve_as(Access::Admin, |state, _| async move {
        let mut conn = state.db.reader.acquire().await?;
        Ok(crate::server::settings::models::overview(&mut conn).await?)
    })
    .await
}

#[component]
pub fn ModelsPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| admin_models());
    let outcome = use_context::<SettingsOutcome>().unwrap_or_default();
    let done = done_message(&[
        (
            "added",
            "The model is added: agents can apply it to incidents.",
        ),
        ("saved", "The model is saved."),
    ]);
    view! {
        <Title text="Incident models"/>
        <Suspense>
            {move || {
                let outcome = outcome.clone();
                Suspend::new(async move {
                    match overview.await {
                        Ok(ModelsOverview { models, services }) => {
                            let categories: Vec<(String, String)> = services
                                .iter()
                                .flat_map(|s| s.categories.iter().map(move |c| (c.id.0.to_string(), format!("{} – {}{}", s.name, c.name,
                                    if s.offered && c.offered { "" } else { " (withdrawn)" }))))
                                .collect();
                            let fresh = vec![
                                ("impact".to_string(), "medium".to_string()),
                                ("urgency".to_string(), "medium".to_string()),
                                ("active".to_string(), "on".to_string()),
                            ];
                            view! {
                                <div class="wrap page">
                                    <SettingsHeading title="Incident models" done problem=outcome.problem.clone()
                                        lead="An agent applies a model to an incident: it sets the category, impact and urgency and adds the checklist. Tickets keep the checklist they were given when a model changes."/>
                                    <section class="panel" aria-labelledby="add-model-title">
                                        <h2 id="add-model-title">"Add a model"</h2>
                                        <ModelForm form=Shown::new(&outcome, "new", fresh) action="/admin/models".into()
                                            categories=categories.clone() name=None/>
                                    </section>
                                    {models.into_iter().map(|model| view! {
                                        <ModelEditor model categories=categories.clone() outcome=outcome.clone()/>
                                    }).collect_view()}
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
fn ModelEditor(
    model: ModelConfig,
    categories: Vec<(String, String)>,
    outcome: SettingsOutcome,
) -> impl IntoView {
    let form = Shown::new(&outcome, &model.id.to_string(), model.fields());
    let title_id = format!("model-{}-title", model.id);
    let labelled_by = title_id.clone();
    let state = if model.active {
        "Offered to agents"
    } else {
        "Withdrawn: not offered to agents"
    };
    view! {
        <section class="panel" id=format!("model-{}", model.id) aria-labelledby=labelled_by data-test="model">
            <h2 id=title_id>{model.name.clone()}</h2>
            <p class="hint">{format!("{state} · {}", counted(model.steps.len(), "step", "steps"))}</p>
            <ModelForm form action=format!("/admin/models/{}", model.id) categories name=Some(model.name)/>
        </section>
    }
}

/// The fields of a model: `name` is the saved name of the model being edited.
#[component]
fn ModelForm(
    form: Shown,
    action: String,
    categories: Vec<(String, String)>,
    name: Option<String>,
) -> impl IntoView {
    let levels = |all: Vec<&'static str>| {
        all.into_iter()
            .map(|l| (l.to_string(), l.to_string()))
            .collect::<Vec<_>>()
    };
    let impacts = levels(Impact::ALL.iter().map(|i| i.as_str()).collect());
    let urgencies = levels(Urgency::ALL.iter().map(|u| u.as_str()).collect());
    let mut category_options = vec![(String::new(), "Choose a category".to_string())];
    category_options.extend(categories);
    let active_id = form.id("active");
    let button = match &name {
        Some(name) => {
            view! { "Save " <span class="visually-hidden">{name.clone()}</span> }.into_any()
        }
        None => view! { "Add the model" }.into_any(),
    };
    view! {
        {form.summary()}
        <form method="post" action=action novalidate>
            <LabelledField id=form.id("name") name="name" label="Name" value=form.value("name")
                error=form.error("name") maxlength=100/>
            <LabelledSelect id=form.id("category") name="category" label="Category it sets" options=category_options
                selected=form.value("category") error=form.error("category")/>
            <LabelledSelect id=form.id("impact") name="impact" label="Impact it sets" options=impacts
                selected=form.value("impact") error=form.error("impact")/>
            <LabelledSelect id=form.id("urgency") name="urgency" label="Urgency it sets" options=urgencies
                selected=form.value("urgency") error=form.error("urgency")/>
            <LabelledField id=form.id("steps") name="steps" label="Checklist, one step per line" value=form.value("steps")
                error=form.error("steps") hint="In the order agents should work through them; at most 30 steps of 300 characters." lines=6/>
            <div class="checkbox">
                <input type="checkbox" id=active_id.clone() name="active" value="on" checked=form.value("active") == "on"/>
                <label for=active_id>"Offered to agents"</label>
            </div>
            <button type="submit" class=if name.is_some() { "button" } else { "button primary" }>{button}</button>
        </form>
    }
}
