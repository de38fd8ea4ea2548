//! The admin's rules for attachments: how large a file and a ticket's files may
//! be, and which kinds of file are accepted (`POST /admin/attachments`). A save
//! is one transaction with its audit entry; the portal's copy in memory
//! ([`AppState::attachment_rules`]) is replaced once it commits, so the next
//! upload is held to the new rules. Files attached before stay as they are.

use crate::domain::{Account, AttachmentRules, SettingsOutcome};
use crate::error::AppError;
use crate::server::store::attachments;
use crate::server::store::audit::{self, Actor};
use crate::server::web::answer::answer;
use crate::server::web::caller::Admin;
use crate::server::web::page::FormPage;
use crate::server::web::state::AppState;
use axum::extract::State;
use axum::response::Response;
use axum::Form;
use chrono::{DateTime, Utc};

pub use crate::server::store::attachments::rules as load;

/// Saves `rules`, records what changed in the audit log, and puts them in force.
pub async fn save(
    state: &AppState,
    rules: &AttachmentRules,
    admin: &Account,
    address: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let mut tx = state.db.writer.begin().await?;
    let before = load(&mut tx).await?;
    attachments::save_rules(&mut tx, rules).await?;
    let changes = rules.changes_from(&before);
    if !changes.is_empty() {
        audit::record(
            &mut tx,
            now,
            &Actor::account(admin),
            "attachment_rules_changed",
            None,
            &changes.join("; "),
            Some(address),
        )
        .await?;
    }
    tx.commit().await?;
    state.attachment_rules.set(*rules);
    Ok(())
}

/// `POST /admin/attachments`.
pub async fn post(
    State(state): State<AppState>,
    Admin { admin, .. }: Admin,
    page: FormPage,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let saved = match AttachmentRules::parse(&fields) {
        Ok(rules) => save(&state, &rules, &admin, &page.caller.address, Utc::now())
            .await
            .map(|()| "/admin/attachments?done=saved".to_string())
            .map_err(AppError::internal),
        Err(errors) => Err(AppError::InvalidInputs(errors)),
    };
    let outcome = SettingsOutcome {
        form: Some("attachments".into()),
        values: fields,
        ..SettingsOutcome::default()
    };
    answer(&state, page, saved, outcome).await
}
