//! The admin's form posts for the service catalogue: add a service with its
//! categories (`POST /admin/services`), change a service's name and description
//! or add categories to it (`POST /admin/services/{slug}`). Each change is one
//! transaction with its audit entry; a renamed service's articles are indexed
//! again so search shows the new name.

use super::account_forms::{page_again, refuse};
use super::accounts::audit::{self, Actor};
use super::catalog::{self, NewService};
use super::forms::Caller;
use super::{authorize, knowledge, Access, AppState};
use crate::domain::{form_value, parse_service, NamedErrors};
use crate::error::AppError;
use crate::settings::SettingsOutcome;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;

/// `POST /admin/services`.
pub async fn add(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let admin = match authorize(&caller.viewer, Access::Admin) {
        Ok(admin) => admin,
        Err(error) => return refuse(error),
    };
    let result = match parse_service(&fields, true) {
        Err(errors) => Err(errors),
        Ok(service) => {
            let saved: Result<Result<(), NamedErrors>, sqlx::Error> = async {
                let mut tx = state.db.writer.begin().await?;
                if catalog::service_id(&mut tx, &service.slug).await?.is_some() {
                    let mut errors = NamedErrors::default();
                    errors.add("slug", format!("A service called \u{201c}{}\u{201d} exists already: choose another address name.", service.slug));
                    return Ok(Err(errors));
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
                audit::record(
                    &mut tx,
                    Utc::now(),
                    &Actor::account(&admin),
                    "service_added",
                    None,
                    &format!("{} ({}): {}", service.name, service.slug, service.categories.join(", ")),
                    Some(&caller.address),
                )
                .await?;
                tx.commit().await?;
                Ok(Ok(()))
            }
            .await;
            match saved {
                Ok(result) => result,
                Err(error) => return unavailable(&state, headers, caller, fields, error).await,
            }
        }
    };
    match result {
        Ok(()) => Redirect::to("/admin/services?done=added").into_response(),
        Err(errors) => again(&state, headers, caller, "new", errors, fields).await,
    }
}

/// `POST /admin/services/{slug}`: `action` is `edit` (name, description) or
/// `add_categories` (categories, one per line).
pub async fn change(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let admin = match authorize(&caller.viewer, Access::Admin) {
        Ok(admin) => admin,
        Err(error) => return refuse(error),
    };
    let action = form_value(&fields, "action").to_string();
    let saved: Result<Result<bool, NamedErrors>, sqlx::Error> = async {
        let mut tx = state.db.writer.begin().await?;
        let Some(service) = catalog::service_id(&mut tx, &slug).await? else {
            return Ok(Ok(false));
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
                    Err(errors) => return Ok(Err(errors)),
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
                        let mut errors = NamedErrors::default();
                        errors.add("categories", "Give at least one category, one per line.");
                        return Ok(Err(errors));
                    }
                    Err(errors) => return Ok(Err(errors)),
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
                        let mut errors = NamedErrors::default();
                        errors.add(
                            "categories",
                            format!(
                                "\u{201c}{name}\u{201d} is a category of this service already."
                            ),
                        );
                        return Ok(Err(errors));
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
            _ => {
                let mut errors = NamedErrors::default();
                errors.add("name", "Choose what to change.");
                return Ok(Err(errors));
            }
        };
        audit::record(
            &mut tx,
            Utc::now(),
            &Actor::account(&admin),
            "service_changed",
            None,
            &detail,
            Some(&caller.address),
        )
        .await?;
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
        Ok(Ok(true))
    }
    .await;
    match saved {
        Ok(Ok(true)) => {
            Redirect::to(&format!("/admin/services?done={action}#service-{slug}")).into_response()
        }
        Ok(Ok(false)) => refuse(AppError::NotFound),
        Ok(Err(errors)) => again(&state, headers, caller, &slug, errors, fields).await,
        Err(error) => unavailable(&state, headers, caller, fields, error).await,
    }
}

/// The services page again, the messages in the form `form` ("new" or a slug).
async fn again(
    state: &AppState,
    headers: HeaderMap,
    caller: Caller,
    form: &str,
    errors: NamedErrors,
    values: Vec<(String, String)>,
) -> Response {
    let outcome = SettingsOutcome {
        form: Some(form.to_string()),
        errors,
        values,
        problem: None,
    };
    services_page(
        state,
        headers,
        caller,
        StatusCode::UNPROCESSABLE_ENTITY,
        outcome,
    )
    .await
}

async fn unavailable(
    state: &AppState,
    headers: HeaderMap,
    caller: Caller,
    values: Vec<(String, String)>,
    error: sqlx::Error,
) -> Response {
    tracing::error!(%error, "service not saved");
    let outcome = SettingsOutcome {
        problem: Some(AppError::Internal.to_string()),
        values,
        ..SettingsOutcome::default()
    };
    services_page(
        state,
        headers,
        caller,
        StatusCode::SERVICE_UNAVAILABLE,
        outcome,
    )
    .await
}

async fn services_page(
    state: &AppState,
    headers: HeaderMap,
    caller: Caller,
    status: StatusCode,
    outcome: SettingsOutcome,
) -> Response {
    let uri: Uri = "/admin/services".parse().expect("a valid path");
    page_again(state, uri, headers, caller.viewer, status, outcome).await
}
