//! "My tickets": the signed-in owner's action on one of their tickets. The
//! ticket must be theirs (another person's number is not found); the change
//! itself is the reporter's (`tickets::reporter`).

use crate::domain::{Actor, TicketNumber, WorkForm};
use crate::error::AppError;
use crate::server::attachments::upload::WithFiles;
use crate::server::store::tickets::reporter;
use crate::server::tickets::reporter::{reporter_act, reporter_answer};
use crate::server::web::caller::SignedIn;
use crate::server::web::page::FormPage;
use crate::server::web::state::AppState;
use axum::extract::{Path, State};
use axum::response::Response;

/// `POST /my-tickets/{number}`: the signed-in owner's action.
pub async fn owner_post(
    State(state): State<AppState>,
    SignedIn { account, .. }: SignedIn,
    page: FormPage,
    Path(number): Path<String>,
    WithFiles { form, files }: WithFiles<WorkForm>,
) -> Response {
    let result = async {
        let number = TicketNumber::parse(&number).ok_or(AppError::NotFound)?;
        let mut conn = state.db.reader.acquire().await?;
        reporter::ticket_id_of_owner(&mut conn, number, account.id)
            .await?
            .ok_or(AppError::NotFound)?;
        drop(conn);
        let actor = Actor::Reporter { name: account.name };
        reporter_act(&state, number, &actor, &form, &files).await
    }
    .await;
    reporter_answer(&state, page, form, files, result).await
}
