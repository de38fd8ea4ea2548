//! The admin's configuration pages that list records and change them one form at
//! a time: assignment groups, business calendars and incident models. Each kind
//! of record says how its form is read and saved ([`Configured`]); [`add`] and
//! [`edit`] serve the form posts of every kind. Every handler takes an
//! [`Admin`] (anyone else is refused before it runs), saves in one
//! transaction with its audit entry, and ends in [`answer`].

pub mod calendars;
pub mod groups;
pub mod models;
pub mod priorities;
pub mod services;

use crate::server::web::caller::Admin;

use crate::domain::NamedErrors;
use crate::domain::SettingsOutcome;
use crate::error::AppError;
use crate::server::web::answer;
use crate::server::web::page::FormPage;
use crate::server::web::state::AppState;
use crate::server::web::status::refuse;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use axum::Form;
use sqlx::SqliteConnection;
use std::future::Future;

/// A kind of record configured on its own page, one form per record.
pub trait Configured {
    /// The page its forms are on.
    const PAGE: &'static str;
    /// The table of its records.
    const TABLE: Table;
    /// The form, checked.
    type Fields: Send + Sync;
    /// Reads the form, or names each problem at its input.
    fn parse(fields: &[(String, String)]) -> Result<Self::Fields, NamedErrors>;
    /// Adds the record (`id` none) or changes it, with its audit entry, in one
    /// transaction.
    fn save(
        state: &AppState,
        post: &Admin,
        id: Option<i64>,
        fields: &Self::Fields,
    ) -> impl Future<Output = Result<Saved, sqlx::Error>> + Send;
}

/// `POST {PAGE}`: a new record.
pub async fn add<T: Configured>(
    State(state): State<AppState>,
    post: Admin,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let saved = match T::parse(&fields) {
        Err(errors) => Ok(Saved::Refused(errors)),
        Ok(record) => T::save(&state, &post, None, &record).await,
    };
    answer(&state, post, headers, T::PAGE, "new", fields, saved).await
}

/// `POST {PAGE}/{id}`: a record changed.
pub async fn edit<T: Configured>(
    State(state): State<AppState>,
    post: Admin,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    // An unknown record is "not found" whatever was posted for it.
    let saved = match exists(&state, T::TABLE, id).await {
        Ok(false) => Ok(Saved::NotFound),
        Err(error) => Err(error),
        Ok(true) => match T::parse(&fields) {
            Err(errors) => Ok(Saved::Refused(errors)),
            Ok(record) => T::save(&state, &post, Some(id), &record).await,
        },
    };
    answer(
        &state,
        post,
        headers,
        T::PAGE,
        &id.to_string(),
        fields,
        saved,
    )
    .await
}

/// How a configuration form post ended.
pub enum Saved {
    /// Saved: go to this address.
    Done(String),
    /// Not saved: the messages, by input.
    Refused(NamedErrors),
    /// The record the form is about does not exist.
    NotFound,
}

impl Saved {
    /// Refused with one message at one input.
    pub fn refused(input: &str, message: impl Into<String>) -> Saved {
        let mut errors = NamedErrors::default();
        errors.add(input, message);
        Saved::Refused(errors)
    }
}

/// The answer to a configuration post: a redirect once saved; else the page at
/// `page` again, with the form `form`'s messages and every value as typed
/// ([`answer::answer`] gives each failure its status).
pub async fn answer(
    state: &AppState,
    post: Admin,
    headers: HeaderMap,
    page: &str,
    form: &str,
    values: Vec<(String, String)>,
    saved: Result<Saved, sqlx::Error>,
) -> Response {
    let result = match saved {
        Ok(Saved::Done(to)) => Ok(to),
        Ok(Saved::NotFound) => Err(AppError::NotFound),
        Ok(Saved::Refused(errors)) => Err(AppError::InvalidInputs(errors)),
        Err(error) => Err(AppError::internal(error)),
    };
    let outcome = SettingsOutcome {
        form: Some(form.to_string()),
        values,
        ..SettingsOutcome::default()
    };
    let Ok(uri) = page.parse::<Uri>() else {
        return refuse(AppError::NotFound);
    };
    let page = FormPage {
        caller: post.caller,
        uri,
        headers,
    };
    answer::answer(state, page, result, outcome).await
}

/// Whether record `id` of `table` exists.
async fn exists(state: &AppState, table: Table, id: i64) -> Result<bool, sqlx::Error> {
    let sql = format!("SELECT count(*) FROM {} WHERE id = ?", table.as_str());
    let count: i64 = sqlx::query_scalar(&sql)
        .bind(id)
        .fetch_one(&state.db.reader)
        .await?;
    Ok(count > 0)
}

/// Whether another record of `table` than `except` has `name` (letter case aside).
pub async fn name_taken(
    conn: &mut SqliteConnection,
    table: Table,
    name: &str,
    except: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "SELECT count(*) FROM {} WHERE lower(name) = lower(?) AND id IS NOT ?",
        table.as_str()
    );
    let count: i64 = sqlx::query_scalar(&sql)
        .bind(name)
        .bind(except)
        .fetch_one(conn)
        .await?;
    Ok(count > 0)
}

/// The tables whose records have unique names.
#[derive(Clone, Copy)]
pub enum Table {
    Groups,
    Calendars,
    Models,
}

impl Table {
    fn as_str(self) -> &'static str {
        match self {
            Table::Groups => "assignment_groups",
            Table::Calendars => "calendars",
            Table::Models => "incident_models",
        }
    }
}

/// "a → b" for the audit log when a value changed.
pub fn change<T: PartialEq + std::fmt::Display>(what: &str, before: T, after: T) -> Option<String> {
    (before != after).then(|| format!("{what}: {before} → {after}"))
}
