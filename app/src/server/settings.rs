//! The admin's "priorities and targets" settings: reading and saving them, and
//! the form post `POST /admin/priorities`. Every save is one transaction with its
//! entry in the audit log (who, when, what changed); new values apply to tickets
//! logged and resolved from then on.

use super::account_forms::page_again;
use super::accounts::audit::{self, Actor};
use super::config::AdminPost;
use super::{tickets, work, AppState};
use crate::domain::{Account, PrioritySettings};
use crate::settings::SettingsOutcome;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

/// The settings as configured now.
pub async fn load(conn: &mut SqliteConnection) -> Result<PrioritySettings, sqlx::Error> {
    Ok(PrioritySettings {
        table: tickets::priority_table(&mut *conn).await?,
        lifecycle: work::lifecycle_rules(conn).await?,
    })
}

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
    for (impact, urgency, priority) in &settings.table.cells {
        sqlx::query("UPDATE priority_matrix SET priority = ? WHERE impact = ? AND urgency = ?")
            .bind(i64::from(priority.level()))
            .bind(impact.as_str())
            .bind(urgency.as_str())
            .execute(&mut *tx)
            .await?;
    }
    for rule in &settings.table.rules {
        sqlx::query(
            "UPDATE priorities SET label = ?, response_minutes = ?, resolution_minutes = ?
             WHERE priority = ?",
        )
        .bind(&rule.label)
        .bind(rule.response_minutes)
        .bind(rule.resolution_minutes)
        .bind(i64::from(rule.priority.level()))
        .execute(&mut *tx)
        .await?;
    }
    for (key, value) in [
        (
            "request_priority",
            settings.table.request_priority.level().to_string(),
        ),
        (
            "auto_close_days",
            settings.lifecycle.auto_close_days.to_string(),
        ),
        ("reopen_days", settings.lifecycle.reopen_days.to_string()),
    ] {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES (?, ?)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&mut *tx)
        .await?;
    }
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
    AdminPost { admin, caller }: AdminPost,
    uri: Uri,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let (status, outcome) = match PrioritySettings::parse(&fields) {
        Ok(settings) => match save(&state, &settings, &admin, &caller.address, Utc::now()).await {
            Ok(()) => return Redirect::to("/admin/priorities?done=saved").into_response(),
            Err(error) => {
                tracing::error!(%error, "settings not saved");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    SettingsOutcome {
                        problem: Some(crate::error::AppError::Internal.to_string()),
                        values: fields,
                        ..SettingsOutcome::default()
                    },
                )
            }
        },
        Err(errors) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            SettingsOutcome {
                errors,
                values: fields,
                ..SettingsOutcome::default()
            },
        ),
    };
    page_again(&state, uri, headers, caller.viewer, status, outcome).await
}
