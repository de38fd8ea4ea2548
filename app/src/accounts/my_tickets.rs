//! "My tickets": the signed-in account's tickets, and one of them in full.

use super::{my_ticket, my_tickets};
use crate::components::{format_time, FilePicker, LoadError};
use crate::tickets::{LiveTicket, ReporterProblem, TicketAccess};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/my-tickets`: newest first, with state and priority.
#[component]
pub fn MyTicketsPage() -> impl IntoView {
    let tickets = Resource::new(|| (), |_| my_tickets());
    let verified = use_query_map().read_untracked().get("verified").is_some();
    view! {
        <Title text="My tickets"/>
        <div class="wrap page">
            <h1>"My tickets"</h1>
            {verified.then(|| view! {
                <div class="confirmation" role="status"><p data-test="form-done">
                    "Your e-mail address is confirmed. Tickets you logged earlier with it are listed here."
                </p></div>
            })}
            <Suspense>
                {move || Suspend::new(async move {
                    match tickets.await {
                        Ok(tickets) if tickets.is_empty() => view! {
                            <p data-test="no-tickets">"You have no tickets yet. "
                                <a href="/report">"Report an issue"</a>" when something needs fixing."</p>
                        }.into_any(),
                        Ok(tickets) => view! {
                            <div class="table-box" role="region" aria-label="Your tickets" tabindex="0">
                            <table class="data-table" data-test="my-tickets">
                                <caption class="visually-hidden">"Your tickets, newest first"</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"Number"</th>
                                        <th scope="col">"Summary"</th>
                                        <th scope="col">"State"</th>
                                        <th scope="col">"Priority"</th>
                                        <th scope="col">"Logged"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {tickets.into_iter().map(|t| {
                                        let number = t.number.to_string();
                                        view! {
                                            <tr>
                                                <td><a href=format!("/my-tickets/{number}")>{number.clone()}</a></td>
                                                <td>{t.summary}</td>
                                                <td>{t.state.label()}</td>
                                                <td>{format!("P{} {}", t.priority.level(), t.priority_label)}</td>
                                                <td><time datetime=crate::domain::machine_time(t.created_at)>{format_time(t.created_at)}</time></td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            </div>
                        }.into_any(),
                        Err(error) => view! { <LoadError error/> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

/// `/my-tickets/{number}`: one of the account's tickets.
#[component]
pub fn MyTicketPage() -> impl IntoView {
    let params = use_params_map();
    let number = move || params.read().get("number").unwrap_or_default();
    let query = use_query_map();
    let ticket = Resource::new(number, my_ticket);
    let problem = ReporterProblem::current(&query.read_untracked());
    view! {
        <Suspense>
            {move || {
                let problem = problem.clone();
                Suspend::new(async move {
                    match ticket.await {
                        Ok(status) => {
                            let access = TicketAccess::Owner(status.number.to_string());
                            view! {
                                <Title text=format!("{}: {}", status.number, status.summary)/>
                                <div class="wrap page">
                                    <p><a href="/my-tickets">"All my tickets"</a></p>
                                    <LiveTicket status access can_act=true problem/>
                                    <FilePicker/>
                                </div>
                            }.into_any()
                        }
                        Err(error) => view! { <LoadError error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
