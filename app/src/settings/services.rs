//! `/admin/services`: the service catalogue — add a service with its categories,
//! rename, describe or withdraw a service, rename, withdraw or add categories.
//! Nothing is deleted: tickets keep their service and category.

use super::{done_message, SettingsHeading, SettingsOutcome, Shown};
use crate::components::{LabelledField, LabelledSelect, LoadError};
use crate::domain::{category_input, Service};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

#[server(prefix = "/api", endpoint = "admin_services")]
pub async fn admin_services() -> Result<Vec<Service>, AppError> {
    use crate::server::web::caller::Access;
    use crate::server::web::context::serve_as;
    serve_as(Access::Admin, |state, _| async move {
        let mut conn = state.db.reader.acquire().await?;
        Ok(crate::server::store::catalog::list_services(&mut conn).await?)
    })
    .await
}

#[component]
pub fn ServicesPage() -> impl IntoView {
    let services = Resource::new(|| (), |_| admin_services());
    let outcome = use_context::<SettingsOutcome>().unwrap_or_default();
    let done = done_message(&[
        (
            "added",
            "The service is added: users can choose it when they log an issue.",
        ),
        ("edit", "The service is saved."),
        ("categories", "The categories are saved."),
    ]);
    view! {
        <Title text="Services and categories"/>
        <Suspense>
            {move || {
                let outcome = outcome.clone();
                Suspend::new(async move {
                    match services.await {
                        Ok(services) => view! {
                            <div class="wrap page">
                                <SettingsHeading title="Services and categories" done problem=outcome.problem.clone()
                                    lead="Users choose a service and a category when they log an issue; search shows each article's service."/>
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

#[component]
fn AddService(outcome: SettingsOutcome) -> impl IntoView {
    let form = Shown::new(&outcome, "new", Vec::new());
    view! {
        <section class="panel" aria-labelledby="add-service-title">
            <h2 id="add-service-title">"Add a service"</h2>
            {form.came_back.then(|| view! {
                <div class="error-summary" role="alert"><p>"The service was not added: see the messages below."</p></div>
            })}
            <form method="post" action="/admin/services" novalidate data-test="add-service">
                <LabelledField id="new-name" name="name" label="Name" value=form.value("name") error=form.error("name")/>
                <LabelledField id="new-slug" name="slug" label="Address name (optional)" value=form.value("slug")
                    error=form.error("slug") hint="Lower-case letters, digits and hyphens; made from the name when empty. It cannot change later."/>
                <LabelledField id="new-description" name="description" label="Description (optional)"
                    value=form.value("description") error=form.error("description")/>
                <LabelledField id="new-categories" name="categories" label="Categories, one per line"
                    value=form.value("categories") error=form.error("categories") lines=4/>
                <button type="submit" class="button primary" data-test="add-service-button">"Add the service"</button>
            </form>
        </section>
    }
}

#[component]
fn ServiceEditor(service: Service, outcome: SettingsOutcome) -> impl IntoView {
    let slug = service.slug.clone();
    let offered = if service.offered { "yes" } else { "no" };
    let saved = vec![
        ("name".to_string(), service.name.clone()),
        ("description".to_string(), service.description.clone()),
        ("offered".to_string(), offered.to_string()),
    ];
    // "service-…", so that a service called "new" is not the "add" form.
    let form = Shown::new(&outcome, &format!("service-{slug}"), saved);
    let action = format!("/admin/services/{slug}");
    let title_id = format!("service-{slug}-title");
    let labelled_by = title_id.clone();
    let offer_choices = vec![
        ("yes".to_string(), "Offered".to_string()),
        (
            "no".to_string(),
            "Withdrawn: kept for its tickets, articles and notices".to_string(),
        ),
    ];
    view! {
        <section class="panel" id=format!("service-{slug}") aria-labelledby=labelled_by data-test="service">
            <h2 id=title_id>
                {service.name.clone()} <span class="hint">{format!(" · {slug}")}</span>
                {(!service.offered).then(|| view! { <span class="badge">"Withdrawn"</span> })}
            </h2>
            {form.came_back.then(|| view! {
                <div class="error-summary" role="alert"><p>"Nothing was saved: see the messages below."</p></div>
            })}
            <form method="post" action=action.clone() novalidate>
                <LabelledField id=form.id("name") name="name" label="Name" value=form.value("name")
                    error=form.error("name")/>
                <LabelledField id=form.id("description") name="description" label="Description"
                    value=form.value("description") error=form.error("description")/>
                <LabelledSelect id=form.id("offered") name="offered" label="On the logging form"
                    options=offer_choices selected=form.value("offered") error=form.error("offered")/>
                <button type="submit" name="action" value="edit" class="button">"Save " <span class="visually-hidden">{service.name.clone()}</span></button>
            </form>
            <CategoriesEditor service outcome/>
        </section>
    }
}

/// The categories of a service: each one's name and whether it is offered, and
/// new ones, in one form.
#[component]
fn CategoriesEditor(service: Service, outcome: SettingsOutcome) -> impl IntoView {
    let mut saved: Vec<(String, String)> = service
        .categories
        .iter()
        .map(|c| (category_input(c.id), c.name.clone()))
        .collect();
    saved.extend(
        service
            .categories
            .iter()
            .filter(|c| c.offered)
            .map(|c| ("offered".to_string(), c.id.0.to_string())),
    );
    let form = Shown::new(&outcome, &format!("categories-{}", service.slug), saved);
    let ticked = form.values("offered");
    view! {
        <form method="post" action=format!("/admin/services/{}", service.slug) novalidate data-test="categories">
            {form.came_back.then(|| view! {
                <div class="error-summary" role="alert"><p>"The categories were not saved: see the messages below."</p></div>
            })}
            <fieldset class="categories">
                <legend>"Categories"</legend>
                <p class="hint">"Untick a category to stop offering it on the logging form; its tickets keep it."</p>
                {service.categories.iter().map(|c| {
                    let input = category_input(c.id);
                    let offered_id = form.id(&format!("offered-{}", c.id.0));
                    let value = c.id.0.to_string();
                    let checked = ticked.contains(&value);
                    view! {
                        <div class="category-row">
                            <LabelledField id=form.id(&input) name=input.clone() label=c.name.clone()
                                value=form.value(&input) error=form.error(&input)/>
                            <div class="checkbox">
                                <input type="checkbox" id=offered_id.clone() name="offered" value=value checked=checked/>
                                <label for=offered_id>"Offered" <span class="visually-hidden">{format!(": {}", c.name)}</span></label>
                            </div>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <LabelledField id=form.id("categories") name="categories" label="New categories, one per line"
                value=form.value("categories") error=form.error("categories") lines=2/>
            <button type="submit" name="action" value="categories" class="button">"Save the categories " <span class="visually-hidden">{format!("of {}", service.name)}</span></button>
        </form>
    }
}
