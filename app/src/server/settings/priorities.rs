//! The admin's "priorities and targets" settings: reading and saving them, and
//! the form post `POST /admin/priorities`. Every save is one transaction with its
//! entry in the audit log (who, when, what changed); new values apply to tickets
//! logged and resolved from then on.

use crate::domain::SettingsOutcome;
use crate::domain::{Account, PrioritySettings};
use crate::error::AppError;
use crate::server::store::audit::{self, Actor};
use crate::server::store::priorities;
use crate::server::web::answer::answer;
use crate::server::web::caller::Admin;
use crate::server::web::page::FormPage;
use crate::server::web::state::AppState;
use axum::extract::State;
use axum::response::Response;
use axum::Form;
use chrono::{DateTime, Utc};

pub use crate::server::store::priorities::load;

/// Saves `settings` and records what changed, by whom, in the audit log.
pub async fn save(
    state: &AppState,
    settings: &PrioritySettings,
    admin: &Account,
    address: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let mut tx = state.db.writer.begin().await?;
    let before = load(&mut tx).await?;
    priorities::save(&mut tx, settings).await?;
    let changes = settings.changes_from(&before);
    if !changes.is_empty() {
        audit::record(
            &mut tx,
            now,
            &Actor::account(admin),
            "priorities_changed",
            None,
            &changes.join("; "),
            Some(address),
        )
        .await?;
    }
    tx.commit().await
}

/// `POST /admin/priorities`.
pub async fn post(
    State(state): State<AppState>,
    Admin { admin, .. }: Admin,
    page: FormPage,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let saved = match PrioritySettings::parse(&fields) {
        Ok(settings) => save(&state, &settings, &admin, &page.caller.address, Utc::now())
            .await
            .map(|()| "/admin/priorities?done=saved".to_string())
            .map_err(AppError::internal),
        Err(errors) => Err(AppError::InvalidInputs(errors)),
    };
    let outcome = SettingsOutcome {
        values: fields,
        ..SettingsOutcome::default()
    };
    answer(&state, page, saved, outcome).await
}
