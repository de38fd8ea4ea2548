//! The admin's configuration pages that list records and change them one form at
//! a time: assignment groups, business calendars and incident models. Each kind
//! of record says how its form is read and saved ([`Configured`]); [`add`] and
//! [`edit`] serve the form posts of every kind. Every handler takes an
//! [`Admin`] (anyone else is refused before it runs), saves in one
//! transaction with its audit entry, and ends in [`answer`].

pub mod attachments;
pub mod calendars;
pub mod groups;
pub mod models;
pub mod priorities;
pub mod services;

use crate::server::web::caller::Admin;

use crate::domain::NamedErrors;
use crate::domain::SettingsOutcome;
use crate::error::AppError;
pub use crate::server::store::names::{name_taken, Table};
use crate::server::web::answer;
use crate::server::web::page::FormPage;
use crate::server::web::state::AppState;
use crate::server::web::status::refuse;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use axum::Form;
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
    let found = match state.db.reader.acquire().await {
        Ok(mut conn) => crate::server::store::names::exists(&mut conn, T::TABLE, id).await,
        Err(error) => Err(error),
    };
    let saved = match found {
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

/// Settings saved as one form, a whole page's worth (priorities and targets,
/// the attachment rules): [`save_whole`] and [`post_whole`] serve each.
pub trait WholeSettings: Sized + Send + Sync {
    /// The page its form is on, and the audit log's name for a change.
    const PAGE: &'static str;
    const CHANGED: &'static str;
    /// The form's name on its page, when the page tells its forms apart.
    const FORM: Option<&'static str> = None;
    /// Reads the form, or names each problem at its input.
    fn parse(fields: &[(String, String)]) -> Result<Self, NamedErrors>;
    /// What changed from `before`, in words, for the audit log.
    fn changes_from(&self, before: &Self) -> Vec<String>;
    fn load(
        conn: &mut sqlx::SqliteConnection,
    ) -> impl Future<Output = Result<Self, sqlx::Error>> + Send;
    fn store(
        &self,
        conn: &mut sqlx::SqliteConnection,
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
    /// Puts the saved settings in force, once committed (for those the portal
    /// holds in memory).
    fn in_force(&self, _state: &AppState) {}
}

/// Saves `settings` with what changed, by whom, in the audit log, in one
/// transaction, and puts them in force.
pub async fn save_whole<T: WholeSettings>(
    state: &AppState,
    settings: &T,
    admin: &crate::domain::Account,
    address: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), sqlx::Error> {
    use crate::server::store::audit::{self, Actor};
    let mut tx = state.db.writer.begin().await?;
    let before = T::load(&mut tx).await?;
    settings.store(&mut tx).await?;
    let changes = settings.changes_from(&before);
    if !changes.is_empty() {
        audit::record(
            &mut tx,
            now,
            &Actor::account(admin),
            T::CHANGED,
            None,
            &changes.join("; "),
            Some(address),
        )
        .await?;
    }
    tx.commit().await?;
    settings.in_force(state);
    Ok(())
}

/// `POST {PAGE}` of a [`WholeSettings`].
pub async fn post_whole<T: WholeSettings>(
    State(state): State<AppState>,
    Admin { admin, .. }: Admin,
    page: FormPage,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let saved = match T::parse(&fields) {
        Ok(settings) => save_whole(
            &state,
            &settings,
            &admin,
            &page.caller.address,
            chrono::Utc::now(),
        )
        .await
        .map(|()| format!("{}?done=saved", T::PAGE))
        .map_err(AppError::internal),
        Err(errors) => Err(AppError::InvalidInputs(errors)),
    };
    let outcome = SettingsOutcome {
        form: T::FORM.map(str::to_string),
        values: fields,
        ..SettingsOutcome::default()
    };
    answer::answer(&state, page, saved, outcome).await
}

/// "a → b" for the audit log when a value changed.
pub fn change<T: PartialEq + std::fmt::Display>(what: &str, before: T, after: T) -> Option<String> {
    (before != after).then(|| format!("{what}: {before} → {after}"))
}
