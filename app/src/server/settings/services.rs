//! The admin's form posts for the service catalogue: add a service with its
//! categories (`POST /admin/services`), change a service's name, description and
//! whether the logging form offers it, or rename, withdraw, offer again and add
//! its categories (`POST /admin/services/{slug}`). Nothing is deleted: tickets,
//! articles and notices keep their service and category. Each change is one
//! transaction with its audit entry; a renamed service's articles are indexed
//! again so search shows the new name.

use super::{answer, Saved};
use crate::domain::{form_value, parse_categories, parse_service, ServiceId};
use crate::server::search::IndexOp;
use crate::server::store::catalog::{self, NewService};
use crate::server::store::knowledge;
use crate::server::web::caller::Admin;
use crate::server::web::state::AppState;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Form;
use sqlx::{Sqlite, Transaction};

const PAGE: &str = "/admin/services";

/// `POST /admin/services`.
pub async fn add(
    State(state): State<AppState>,
    post: Admin,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let saved = match parse_service(&fields, true) {
        Err(errors) => Ok(Saved::Refused(errors)),
        Ok(service) => {
            async {
                let mut tx = state.db.writer.begin().await?;
                if catalog::service_id(&mut tx, &service.slug).await?.is_some() {
                    return Ok(Saved::refused("slug", format!("A service called \u{201c}{}\u{201d} exists already: choose another address name.", service.slug)));
                }
                catalog::insert_service(
                    &mut tx,
                    NewService {
                        slug: &service.slug,
                        name: &service.name,
                        description: &service.description,
                        categories: &service.categories,
                    },
                )
                .await?;
                post.record(
                    &mut tx,
                    "service_added",
                    &format!("{} ({}): {}", service.name, service.slug, service.categories.join(", ")),
                )
                .await?;
                tx.commit().await?;
                state.changes.services_changed();
                Ok(Saved::Done(format!("{PAGE}?done=added")))
            }
            .await
        }
    };
    answer(&state, post, headers, PAGE, "new", fields, saved).await
}

/// `POST /admin/services/{slug}`: `action` is `edit` (name, description, whether
/// the logging form offers it) or `categories` (rename, withdraw or offer again,
/// add).
pub async fn change(
    State(state): State<AppState>,
    post: Admin,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let action = form_value(&fields, "action");
    let form = match action {
        "categories" => format!("categories-{slug}"),
        _ => format!("service-{slug}"),
    };
    let saved = async {
        let mut tx = state.db.writer.begin().await?;
        let Some(service) = catalog::service_id(&mut tx, &slug).await? else {
            return Ok(Saved::NotFound);
        };
        match action {
            "edit" => edit(&state, &post, tx, service, &slug, &fields).await,
            "categories" => change_categories(&post, tx, service, &slug, &fields).await,
            _ => Ok(Saved::refused("name", "Choose what to change.")),
        }
    }
    .await;
    answer(&state, post, headers, PAGE, &form, fields, saved).await
}

/// A service's name, description and offer, saved in `tx`.
async fn edit(
    state: &AppState,
    post: &Admin,
    mut tx: Transaction<'static, Sqlite>,
    service: ServiceId,
    slug: &str,
    fields: &[(String, String)],
) -> Result<Saved, sqlx::Error> {
    let changed = match parse_service(fields, false) {
        Ok(changed) => changed,
        Err(errors) => return Ok(Saved::Refused(errors)),
    };
    let (name, description, offered) = catalog::service_text(&mut tx, service).await?;
    let offer = changed.offered.unwrap_or(offered);
    if offered && !offer && catalog::other_offered_services(&mut tx, service).await? == 0 {
        return Ok(Saved::refused(
            "offered",
            "This is the only service offered: users could not log an issue. Offer another service first.",
        ));
    }
    if !offered
        && offer
        && !catalog::categories_of(&mut tx, service)
            .await?
            .iter()
            .any(|c| c.offered)
    {
        return Ok(Saved::refused(
            "offered",
            "None of its categories is offered: offer one of them first, below.",
        ));
    }
    catalog::update_service(&mut tx, service, &changed.name, &changed.description, offer).await?;
    let mut detail = vec![
        super::change("name", &name, &changed.name),
        super::change("description", &description, &changed.description),
    ];
    if offer != offered {
        detail.push(Some(
            if offer {
                "offered again"
            } else {
                "withdrawn from the logging form"
            }
            .to_string(),
        ));
    }
    let detail: Vec<String> = detail.into_iter().flatten().collect();
    if !detail.is_empty() {
        post.record(
            &mut tx,
            "service_changed",
            &format!("{slug}: {}", detail.join("; ")),
        )
        .await?;
    }
    tx.commit().await?;
    state.changes.services_changed();
    // The index keeps each article's service name: index them again.
    if name != changed.name {
        let mut conn = state.db.reader.acquire().await?;
        let docs = knowledge::index_docs_of_service(&mut conn, service).await?;
        drop(conn);
        let ops = docs.into_iter().map(IndexOp::Upsert).collect();
        if let Err(error) = state.search.apply(ops, true).await {
            tracing::error!(%error, "articles of a renamed service not indexed again");
        }
    }
    Ok(Saved::Done(format!("{PAGE}?done=edit#service-{slug}")))
}

/// A service's categories, renamed, withdrawn or offered again, added, saved in
/// `tx`.
async fn change_categories(
    post: &Admin,
    mut tx: Transaction<'static, Sqlite>,
    service: ServiceId,
    slug: &str,
    fields: &[(String, String)],
) -> Result<Saved, sqlx::Error> {
    let offered = catalog::service_text(&mut tx, service).await?.2;
    let existing = catalog::categories_of(&mut tx, service).await?;
    let changes = match parse_categories(fields, &existing, offered) {
        Ok(changes) => changes,
        Err(errors) => return Ok(Saved::Refused(errors)),
    };
    if changes.detail.is_empty() {
        return Ok(Saved::refused(
            "categories",
            "Nothing to save: rename a category, tick or untick one, or add new ones.",
        ));
    }
    catalog::save_categories(&mut tx, service, &changes).await?;
    post.record(
        &mut tx,
        "service_changed",
        &format!("{slug}: categories: {}", changes.detail.join("; ")),
    )
    .await?;
    tx.commit().await?;
    Ok(Saved::Done(format!(
        "{PAGE}?done=categories#service-{slug}"
    )))
}
