//! The admin's posts on the delivery log (`/admin/outbox`): a test message, and
//! another attempt now at a message that is retrying or failed. Each is audited
//! and committed before the delivery worker is woken.

use crate::domain::{FormOutcome, TestMessageForm};
use crate::error::AppError;
use crate::server::store::outbox;
use crate::server::web::answer::answer;
use crate::server::web::caller::Admin;
use crate::server::web::page::FormPage;
use crate::server::web::state::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;
use chrono::Utc;

/// What an admin is told when asking for delivery while none is configured.
const NOT_SENDING: &str = "E-mail is not being sent: PORTAL_SMTP_URL is not set, so this \
    message would only wait in the outbox. Set it and restart the portal.";

/// `POST /admin/outbox`: queues a test message to the address typed.
pub async fn test_message(
    State(state): State<AppState>,
    admin: Admin,
    page: FormPage,
    Form(form): Form<TestMessageForm>,
) -> Response {
    let sent = send_test(&state, &admin, &form).await;
    let typed = FormOutcome {
        values: vec![(crate::domain::Field::Email, form.email.clone())],
        ..FormOutcome::default()
    };
    answer(&state, page, sent, typed).await
}

async fn send_test(
    state: &AppState,
    admin: &Admin,
    form: &TestMessageForm,
) -> Result<String, AppError> {
    let to = form.parse().map_err(AppError::Invalid)?;
    if state.mailer.is_none() {
        return Err(AppError::Refused(NOT_SENDING.into()));
    }
    let origin = &state.settings.origin;
    let body = format!(
        "Hello,\n\nThis is a test message from the IT help portal at {origin}, sent by {} \
         from the delivery log ({origin}/admin/outbox) to check that its e-mail arrives.\n\n\
         Nothing needs to be done.",
        admin.admin.name
    );
    let mut tx = state.db.writer.begin().await?;
    let message = outbox::NewMessage {
        recipient: &to,
        subject: "Test message from the IT help portal",
        body: &body,
        link: None,
        thread: None,
    };
    let id = outbox::queue(&mut tx, &message, Utc::now()).await?;
    admin
        .record(
            &mut tx,
            "test_message_sent",
            &format!("message {id} to {to}"),
        )
        .await?;
    tx.commit().await?;
    state.mail_queued();
    Ok("/admin/outbox?done=test".into())
}

/// `POST /admin/outbox/{id}`: tries a retrying or failed message again now.
pub async fn send_again(
    State(state): State<AppState>,
    admin: Admin,
    page: FormPage,
    Path(id): Path<i64>,
) -> Response {
    let done = again(&state, &admin, id).await;
    answer(&state, page, done, FormOutcome::default()).await
}

async fn again(state: &AppState, admin: &Admin, id: i64) -> Result<String, AppError> {
    if state.mailer.is_none() {
        return Err(AppError::Refused(NOT_SENDING.into()));
    }
    let mut tx = state.db.writer.begin().await?;
    if !outbox::send_again(&mut tx, id, Utc::now()).await? {
        return Err(if outbox::exists(&mut tx, id).await? {
            AppError::Conflict(
                "This message is not waiting for another attempt: it was sent, or it is \
                 being sent now. The log below shows where it stands."
                    .into(),
            )
        } else {
            AppError::NotFound
        });
    }
    admin
        .record(&mut tx, "message_sent_again", &format!("message {id}"))
        .await?;
    tx.commit().await?;
    state.mail_queued();
    Ok("/admin/outbox?done=again".into())
}
