//! The logging pages for incidents and service requests.

use super::{report_form_data, ReportForm, SubmittedTicket};
use crate::components::{FilePicker, LoadError};
use crate::domain::TicketKind;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ReportIncidentPage() -> impl IntoView {
    view! { <ReportPage kind=TicketKind::Incident/> }
}

#[component]
pub fn ReportRequestPage() -> impl IntoView {
    view! { <ReportPage kind=TicketKind::Request/> }
}

#[component]
fn ReportPage(kind: TicketKind) -> impl IntoView {
    let submitted = use_context::<SubmittedTicket>();
    let query = use_query_map();
    let data = Resource::new(|| (), |_| report_form_data());
    let (title, lead) = match kind {
        TicketKind::Incident => (
            "Report something that is broken",
            "Tell us what is wrong. Two quick questions decide how urgently we act.",
        ),
        TicketKind::Request => (
            "Ask for something new or changed",
            "Tell us what you need and we will get it to you.",
        ),
    };
    view! {
        <Title text=title/>
        <div class="wrap page">
            <h1>{title}</h1>
            <p class="lead">{lead}</p>
            <Suspense>
                {move || {
                    let submitted = submitted.clone();
                    let preselected = query.read_untracked().get("service").unwrap_or_default();
                    let viewer = crate::components::current_viewer();
                    Suspend::new(async move {
                        match data.await {
                            Ok(data) => {
                                let fresh = submitted.is_none();
                                let SubmittedTicket { mut form, errors, problem, kept } = submitted.unwrap_or_default();
                                if form.service.is_empty() {
                                    form.service = preselected;
                                }
                                // Someone signed in is not asked who they are.
                                if let (true, Some(account)) = (fresh, viewer.account()) {
                                    form.name = account.name.clone();
                                    form.email = account.email.clone();
                                }
                                view! {
                                    <ReportForm kind services=data.services priorities=data.priorities majors=data.majors form errors problem kept/>
                                    <FilePicker/>
                                }.into_any()
                            }
                            Err(error) => view! { <LoadError error/> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </div>
    }
}
