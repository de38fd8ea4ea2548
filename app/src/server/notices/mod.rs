//! Service-failure notices: publishing and changing them (each committed change
//! is told to every open page), the admin's plain form posts, and the public
//! Atom feed (`feed`).
//!
//! A form that worked answers with a redirect (303) to the notice; one with
//! problems answers with its page again, the messages beside the fields and
//! everything typed kept.

pub mod feed;

use crate::domain::{
    FieldErrors, FormOutcome, NoticeChange, NoticeChangeForm, NoticeDraft, NoticeForm, NoticeId,
    NoticeNews,
};
use crate::error::AppError;
use crate::server::hub::Changes;
use crate::server::store::db::Db;
use crate::server::store::notice_mail;
use crate::server::store::notices::{self, NoticeError};
use crate::server::web::answer::answer;
use crate::server::web::caller::Admin;
use crate::server::web::page::FormPage;
use crate::server::web::state::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;
use chrono::{DateTime, Utc};

/// Publishes a notice in its own transaction (its news queued for mail in the
/// same one) and tells every open page.
pub async fn publish(
    db: &Db,
    hub: &Changes,
    draft: &NoticeDraft,
    author: &str,
    now: DateTime<Utc>,
) -> Result<NoticeId, NoticeError> {
    let mut tx = db.writer.begin().await?;
    let id = notices::insert(&mut tx, draft, author, now).await?;
    notice_mail::queue_news(&mut tx, id, NoticeNews::Published, "", now).await?;
    tx.commit().await?;
    hub.publish_notices();
    Ok(id)
}

/// Applies an admin's change to a notice and tells every open page.
pub async fn change(
    db: &Db,
    hub: &Changes,
    id: NoticeId,
    change: &NoticeChange,
    author: &str,
    now: DateTime<Utc>,
) -> Result<(), NoticeError> {
    let mut tx = db.writer.begin().await?;
    if let Some((news, said)) = notices::apply_change(&mut tx, id, change, author, now).await? {
        notice_mail::queue_news(&mut tx, id, news, &said, now).await?;
    }
    tx.commit().await?;
    hub.publish_notices();
    Ok(())
}

/// `POST /admin/notices`: publish a notice.
pub async fn publish_post(
    State(state): State<AppState>,
    Admin { admin, .. }: Admin,
    page: FormPage,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let form = NoticeForm::from_fields(&fields);
    let now = Utc::now();
    let result = match form.parse(now) {
        Ok(draft) => publish(&state.db, &state.changes, &draft, &admin.name, now)
            .await
            .map(|id| format!("/admin/notices/{id}?done=published"))
            .map_err(AppError::from),
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    let outcome = FormOutcome {
        values: form.values(),
        ..FormOutcome::default()
    };
    answer(&state, page, result, outcome).await
}

/// `POST /admin/notices/{id}`: post an update, change the expected restoration,
/// link a major incident, or resolve.
pub async fn change_post(
    State(state): State<AppState>,
    Admin { admin, .. }: Admin,
    page: FormPage,
    Path(id): Path<i64>,
    Form(mut form): Form<NoticeChangeForm>,
) -> Response {
    if form.unknown == "on" {
        form.restoration = "unknown".into();
    }
    let result = match form.parse() {
        Ok(wanted) => {
            let now = Utc::now();
            change(
                &state.db,
                &state.changes,
                NoticeId(id),
                &wanted,
                &admin.name,
                now,
            )
            .await
            .map(|()| format!("/admin/notices/{id}?done={}", form.action))
            .map_err(AppError::from)
        }
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    let outcome = FormOutcome {
        values: form.values(),
        ..FormOutcome::default()
    };
    answer(&state, page, result, outcome).await
}

impl From<NoticeError> for AppError {
    fn from(error: NoticeError) -> Self {
        match error {
            NoticeError::Fields(errors) => AppError::Invalid(errors),
            NoticeError::Invalid(field, message) => {
                let mut errors = FieldErrors::default();
                errors.add(field, message);
                AppError::Invalid(errors)
            }
            NoticeError::Resolved => {
                AppError::Conflict("This notice is resolved already: nothing was changed.".into())
            }
            NoticeError::NotFound => AppError::NotFound,
            NoticeError::Database(error) => AppError::internal(error),
        }
    }
}
