//! The admin's form posts for the service catalogue: add a service with its
//! categories (`POST /admin/services`), change a service's name and description
//! or add categories to it (`POST /admin/services/{slug}`). Each change is one
//! transaction with its audit entry; a renamed service's articles are indexed
//! again so search shows the new name.

use super::catalog::{self, NewService};
use super::config::{answer, AdminPost, Saved};
use super::{knowledge, AppState};
use crate::domain::{form_value, parse_service};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Form;

const PAGE: &str = "/admin/services";

/// `POST /admin/services`.
pub async fn add(
    State(state): State<AppState>,
    post: AdminPost,
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
                Ok(Saved::Done(format!("{PAGE}?done=added")))
            }
            .await
        }
    };
    answer(&state, post, headers, PAGE, "new", fields, saved).await
}

/// `POST /admin/services/{slug}`: `action` is `edit` (name, description) or
/// `add_categories` (categories, one per line).
pub async fn change(
    State(state): State<AppState>,
    post: AdminPost,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let action = form_value(&fields, "action").to_string();
    let saved = async {
        let mut tx = state.db.writer.begin().await?;
        let Some(service) = catalog::service_id(&mut tx, &slug).await? else {
            return Ok(Saved::NotFound);
        };
        let current: (String, String) =
            sqlx::query_as("SELECT name, description FROM services WHERE id = ?")
                .bind(service.0)
                .fetch_one(&mut *tx)
                .await?;
        let detail = match action.as_str() {
            "edit" => {
                let changed = match parse_service(&fields, false) {
                    Ok(changed) => changed,
                    Err(errors) => return Ok(Saved::Refused(errors)),
                };
                sqlx::query("UPDATE services SET name = ?, description = ? WHERE id = ?")
                    .bind(&changed.name)
                    .bind(&changed.description)
                    .bind(service.0)
                    .execute(&mut *tx)
                    .await?;
                format!(
                    "{slug}: name {} → {}; description {} → {}",
                    current.0, changed.name, current.1, changed.description
                )
            }
            "add_categories" => {
                let mut with_name = fields.clone();
                with_name.push(("name".into(), current.0.clone()));
                let added = match parse_service(&with_name, false) {
                    Ok(added) if !added.categories.is_empty() => added.categories,
                    Ok(_) => {
                        return Ok(Saved::refused(
                            "categories",
                            "Give at least one category, one per line.",
                        ))
                    }
                    Err(errors) => return Ok(Saved::Refused(errors)),
                };
                for name in &added {
                    let exists: Option<i64> = sqlx::query_scalar(
                        "SELECT id FROM categories WHERE service_id = ? AND lower(name) = lower(?)",
                    )
                    .bind(service.0)
                    .bind(name)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if exists.is_some() {
                        return Ok(Saved::refused(
                            "categories",
                            format!(
                                "\u{201c}{name}\u{201d} is a category of this service already."
                            ),
                        ));
                    }
                    sqlx::query(
                        "INSERT INTO categories (service_id, name, position)
                         VALUES (?1, ?2, (SELECT count(*) FROM categories WHERE service_id = ?1))",
                    )
                    .bind(service.0)
                    .bind(name)
                    .execute(&mut *tx)
                    .await?;
                }
                format!("{slug}: categories added: {}", added.join(", "))
            }
            _ => return Ok(Saved::refused("name", "Choose what to change.")),
        };
        post.record(&mut tx, "service_changed", &detail).await?;
        tx.commit().await?;
        // The index keeps each article's service name: index them again.
        if action == "edit" {
            let mut conn = state.db.reader.acquire().await?;
            let docs = knowledge::index_docs_of_service(&mut conn, service).await?;
            drop(conn);
            if let Err(error) = state
                .search
                .apply(
                    docs.into_iter()
                        .map(super::search::IndexOp::Upsert)
                        .collect(),
                    true,
                )
                .await
            {
                tracing::error!(%error, "articles of a renamed service not indexed again");
            }
        }
        Ok(Saved::Done(format!("{PAGE}?done={action}#service-{slug}")))
    }
    .await;
    let form = format!("service-{slug}");
    answer(&state, post, headers, PAGE, &form, fields, saved).await
}
