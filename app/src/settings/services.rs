//! `/admin/services`: the service catalogue — add a service with its categories,
//! rename or describe a service, add categories. (Removing or renaming a category
//! is not offered: tickets keep theirs.)

use super::SettingsOutcome;
use crate::accounts::AdminNav;
use crate::components::{LabelledField, LoadError};
use crate::domain::Service;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[server(prefix = "/api", endpoint = "admin_services")]
pub async fn admin_services() -> Result<Vec<Service>, AppError> {
    use crate::server::{serve_as, Access};
    serve_as(Access::Admin, |state, _| async move {
        let mut conn = state.db.reader.acquire().await?;
        Ok(crate::server::catalog::list_services(&mut conn).await?)
    })
    .await
}

#[component]
pub fn ServicesPage() -> impl IntoView {
    let services = Resource::new(|| (), |_| admin_services());
    let outcome = use_context::<SettingsOutcome>().unwrap_or_default();
    let done = match use_query_map().read_untracked().get("done").as_deref() {
        Some("added") => Some("The service is added: users can choose it when they log an issue."),
        Some("edit") => Some("The service is saved."),
        Some("add_categories") => Some("The categories are added."),
        _ => None,
    };
    view! {
        <Title text="Services and categories"/>
        <Suspense>
            {move || {
                let outcome = outcome.clone();
                Suspend::new(async move {
                    match services.await {
                        Ok(services) => view! {
                            <div class="wrap page">
                                <AdminNav/>
                                <h1>"Services and categories"</h1>
                                {done.map(|d| view! { <div class="confirmation" role="status"><p data-test="form-done">{d}</p></div> })}
                                {outcome.problem.clone().map(|p| view! {
                                    <div class="error-summary" role="alert"><p data-test="form-problem">{p}</p></div>
                                })}
                                <AddService outcome=outcome.clone()/>
                                {services.into_iter().map(|service| view! {
                                    <ServiceEditor service outcome=outcome.clone()/>
                                }).collect_view()}
                            </div>
                        }.into_any(),
                        Err(error) => view! { <LoadError error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// What the form `form` showed when it came back: its messages and values.
fn came_back(outcome: &SettingsOutcome, form: &str) -> Option<SettingsOutcome> {
    (outcome.form.as_deref() == Some(form)).then(|| outcome.clone())
}

fn typed(outcome: &Option<SettingsOutcome>, name: &str, otherwise: &str) -> String {
    outcome
        .as_ref()
        .and_then(|o| {
            o.values
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        })
        .unwrap_or_else(|| otherwise.to_string())
}

fn message(outcome: &Option<SettingsOutcome>, name: &str) -> Option<String> {
    outcome
        .as_ref()
        .and_then(|o| o.errors.get(name).map(str::to_string))
}

#[component]
fn AddService(outcome: SettingsOutcome) -> impl IntoView {
    let mine = came_back(&outcome, "new");
    view! {
        <section class="panel" aria-labelledby="add-service-title">
            <h2 id="add-service-title">"Add a service"</h2>
            {mine.as_ref().map(|_| view! {
                <div class="error-summary" role="alert"><p>"The service was not added: see the messages below."</p></div>
            })}
            <form method="post" action="/admin/services" novalidate data-test="add-service">
                <LabelledField id="new-name" name="name" label="Name" value=typed(&mine, "name", "") error=message(&mine, "name")/>
                <LabelledField id="new-slug" name="slug" label="Address name (optional)" value=typed(&mine, "slug", "")
                    error=message(&mine, "slug") hint="Lower-case letters, digits and hyphens; made from the name when empty. It cannot change later."/>
                <LabelledField id="new-description" name="description" label="Description (optional)"
                    value=typed(&mine, "description", "") error=message(&mine, "description")/>
                <LabelledField id="new-categories" name="categories" label="Categories, one per line"
                    value=typed(&mine, "categories", "") error=message(&mine, "categories") lines=4/>
                <button type="submit" class="button primary" data-test="add-service-button">"Add the service"</button>
            </form>
        </section>
    }
}

#[component]
fn ServiceEditor(service: Service, outcome: SettingsOutcome) -> impl IntoView {
    let slug = service.slug.clone();
    let mine = came_back(&outcome, &slug);
    let action = format!("/admin/services/{slug}");
    let title_id = format!("service-{slug}-title");
    let labelled_by = title_id.clone();
    view! {
        <section class="panel" id=format!("service-{slug}") aria-labelledby=labelled_by data-test="service">
            <h2 id=title_id>{service.name.clone()} <span class="hint">{format!(" · {slug}")}</span></h2>
            {mine.as_ref().map(|_| view! {
                <div class="error-summary" role="alert"><p>"Nothing was saved: see the messages below."</p></div>
            })}
            <form method="post" action=action.clone() novalidate>
                <LabelledField id=format!("{slug}-name") name="name" label="Name" value=typed(&mine, "name", &service.name)
                    error=message(&mine, "name")/>
                <LabelledField id=format!("{slug}-description") name="description" label="Description"
                    value=typed(&mine, "description", &service.description) error=message(&mine, "description")/>
                <button type="submit" name="action" value="edit" class="button">"Save " <span class="visually-hidden">{service.name.clone()}</span></button>
            </form>
            <p>"Categories: " {service.categories.iter().map(|c| c.name.clone()).collect::<Vec<_>>().join(", ")}</p>
            <form method="post" action=action novalidate>
                <LabelledField id=format!("{slug}-categories") name="categories" label="New categories, one per line"
                    value=typed(&mine, "categories", "") error=message(&mine, "categories") lines=2/>
                <button type="submit" name="action" value="add_categories" class="button">"Add categories " <span class="visually-hidden">{format!("to {}", service.name)}</span></button>
            </form>
        </section>
    }
}
