//! Logging an issue and following it: triage, the logging form, and status pages.

mod live;
mod report;
mod report_form;
mod status;
mod ticket_view;
mod triage;

pub use live::LiveTicket;
pub use report::{ReportIncidentPage, ReportRequestPage};
pub use report_form::ReportForm;
pub use status::{StatusLookupPage, StatusPage};
pub use ticket_view::TicketStatusView;
pub use triage::TriagePage;

pub use crate::domain::{LookupForm, ReporterProblem, StatusLookup, SubmittedTicket};
use crate::domain::{PriorityTable, Service, TicketStatus};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

impl ReporterProblem {
    /// From the render's context (a form that came back) or the address
    /// (`?done=` after one that worked).
    pub fn current(query: &leptos_router::params::ParamsMap) -> ReporterProblem {
        use_context::<ReporterProblem>().unwrap_or_else(|| ReporterProblem {
            done: query.get("done"),
            ..ReporterProblem::default()
        })
    }
}

/// How the reporter reached their ticket; the live view asks again the same way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TicketAccess {
    /// Through the private link's token.
    Link(String),
    /// As the signed-in owner, by number.
    Owner(String),
}

/// What the logging form needs: the catalogue and the priority rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportFormContent {
    pub services: Vec<Service>,
    pub priorities: PriorityTable,
    /// Ongoing major incidents, for "this is my problem too".
    pub majors: Vec<crate::domain::OngoingMajor>,
}

#[server(prefix = "/api", endpoint = "report_form")]
pub async fn report_form_data() -> Result<ReportFormContent, AppError> {
    crate::server::web::context::serve(|state| async move {
        use crate::server::store::priorities;
        let mut conn = state.db.reader.acquire().await?;
        let mut table = priorities::priority_table(&mut conn).await?;
        priorities::with_working_hours(&mut conn, &mut table.rules).await?;
        Ok(ReportFormContent {
            services: Service::offered_only(
                crate::server::store::catalog::list_services(&mut conn).await?,
            ),
            priorities: table,
            majors: crate::server::store::tickets::log::ongoing_majors(&mut conn).await?,
        })
    })
    .await
}

/// A ticket's status and the absolute address of its private link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedStatus {
    pub status: TicketStatus,
    pub link: String,
    /// The link follows a major incident ("this is my problem too"): it reads
    /// the incident but does not act on it.
    pub following: bool,
}

/// The status of a ticket, for the holder of its private link.
#[server(prefix = "/api", endpoint = "status_by_link")]
pub async fn status_by_link(token: String) -> Result<LinkedStatus, AppError> {
    crate::server::web::context::serve(|state| {
        let origin = state.settings.origin.clone();
        async move {
            let mut conn = state.db.reader.acquire().await?;
            let linked =
                crate::server::store::tickets::reporter::ticket_by_token(&mut conn, &token)
                    .await?
                    .ok_or(AppError::NotFound)?;
            let status = if linked.following {
                crate::server::store::tickets::reporter::status_for_follower(&mut conn, linked.id)
                    .await?
            } else {
                crate::server::store::tickets::reporter::status_of(&mut conn, linked.id).await?
            }
            .ok_or(AppError::NotFound)?;
            Ok(LinkedStatus {
                status,
                link: format!("{origin}/status/{token}"),
                following: linked.following,
            })
        }
    })
    .await
}
