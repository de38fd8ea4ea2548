//! `/agent`: the queue of open tickets, most urgent first, with filters; rows
//! follow changes live.

use super::agent_queue;
use crate::components::{format_time, LiveRegion, LoadError};
use crate::domain::{QueueFilter, QueuePage as Queue, QueueRow, TargetView, TicketState};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::domain::{QUEUE_COUNT_CAP, QUEUE_PAGE_SIZE as QUEUE_PAGE};

/// The states the state filter offers, in lifecycle order.
const STATES: [TicketState; 8] = [
    TicketState::New,
    TicketState::InProgress,
    TicketState::OnHold,
    TicketState::Submitted,
    TicketState::Approved,
    TicketState::Resolved,
    TicketState::Fulfilled,
    TicketState::Closed,
];

#[component]
pub fn QueuePage() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        let q = query.read();
        let get = |key: &str| q.get(key).unwrap_or_default();
        QueueFilter {
            group: get("group"),
            assignee: get("assignee"),
            state: get("state"),
            service: get("service"),
            priority: get("priority"),
            sla: get("sla"),
            after: get("after"),
            page: get("page"),
        }
    };
    let queue = Resource::new(filter, |f| {
        agent_queue(
            f.group, f.assignee, f.state, f.service, f.priority, f.sla, f.after, f.page,
        )
    });
    view! {
        <Title text="Desk: queue"/>
        <div class="wrap page wide">
            <h1>"Queue"</h1>
            <Suspense>
                {move || {
                    let filter = filter();
                    Suspend::new(async move {
                        match queue.await {
                            Ok(page) => view! {
                                <Filters filter=filter.clone() page=page.clone()/>
                                <LiveQueue page filter=filter.clone()/>
                            }.into_any(),
                            Err(error) => view! { <LoadError error/> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </div>
    }
}

/// The filters: a plain GET form, so a filtered queue is a link to share.
#[component]
fn Filters(filter: QueueFilter, page: Queue) -> impl IntoView {
    let option = |value: String, label: String, current: &str| {
        let selected = value == current;
        view! { <option value=value selected=selected>{label}</option> }
    };
    view! {
        <form class="queue-filters" method="get" action="/agent" aria-label="Filter the queue">
            <div class="field">
                <label for="f-group">"Group"</label>
                <select id="f-group" name="group">
                    <option value="">"Any group"</option>
                    {page.groups.iter().map(|g| option(g.id.to_string(), g.name.clone(), &filter.group)).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-assignee">"Assignee"</label>
                <select id="f-assignee" name="assignee">
                    {option(String::new(), "Anyone".into(), &filter.assignee)}
                    {option("me".into(), "Mine".into(), &filter.assignee)}
                    {option("none".into(), "Unassigned".into(), &filter.assignee)}
                </select>
            </div>
            <div class="field">
                <label for="f-state">"State"</label>
                <select id="f-state" name="state">
                    <option value="">"Any open state"</option>
                    {STATES.iter().map(|s| option(s.as_str().into(), s.label().into(), &filter.state)).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-service">"Service"</label>
                <select id="f-service" name="service">
                    <option value="">"Any service"</option>
                    {page.services.iter().map(|(slug, name)| option(slug.clone(), name.clone(), &filter.service)).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-priority">"Priority"</label>
                <select id="f-priority" name="priority">
                    <option value="">"Any priority"</option>
                    {(1..=5).map(|p| option(p.to_string(), format!("P{p}"), &filter.priority)).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-sla">"SLA"</label>
                <select id="f-sla" name="sla">
                    {option(String::new(), "Any".into(), &filter.sla)}
                    {option("at_risk".into(), "At risk or breached".into(), &filter.sla)}
                    {option("breached".into(), "Breached".into(), &filter.sla)}
                </select>
            </div>
            <button type="submit" class="button">"Filter"</button>
        </form>
    }
}

/// The queue's table, in a live region: fetched again whenever a ticket changes.
#[component]
fn LiveQueue(page: Queue, filter: QueueFilter) -> impl IntoView {
    let first = (filter.page_number() - 1) * QUEUE_PAGE + 1;
    let last = first + page.rows.len().saturating_sub(1);
    let count = match (page.total, page.rows.len()) {
        (0, _) => "No tickets match".to_string(),
        (1, _) => "1 ticket matches".to_string(),
        (total, shown) if shown as i64 == total => format!("{total} tickets match"),
        (total, _) if total > QUEUE_COUNT_CAP as i64 => format!(
            "More than {} tickets match · showing {first}–{last}",
            thousands(QUEUE_COUNT_CAP)
        ),
        (total, _) => format!("{total} tickets match · showing {first}–{last}"),
    };
    let filters = filter.query();
    let href = |extra: String| {
        let query = [filters.clone(), extra]
            .into_iter()
            .filter(|q| !q.is_empty())
            .collect::<Vec<_>>()
            .join("&");
        if query.is_empty() {
            "/agent".to_string()
        } else {
            format!("/agent?{query}")
        }
    };
    let first_page = (filter.page_number() > 1).then(|| href(String::new()));
    let next_page = page
        .next
        .clone()
        .map(|after| href(format!("after={after}&page={}", filter.page_number() + 1)));
    let pager = (first_page.is_some() || next_page.is_some()).then(|| view! {
        <nav class="pager" aria-label="Pages of the queue">
            {first_page.map(|href| view! { <a href=href>"First page"</a> })}
            {next_page.map(|href| view! { <a href=href rel="next" data-test="next-page">{format!("Next {QUEUE_PAGE} tickets")}</a> })}
        </nav>
    });
    let table = if page.rows.is_empty() {
        view! { <p data-test="queue-empty">"No tickets match these filters."</p> }.into_any()
    } else {
        view! {
            // On a phone the table scrolls inside its own box, never the page.
            <div class="table-box" role="region" aria-label="The queue's tickets" tabindex="0">
            <table class="data-table queue-table" data-test="queue">
                <caption class="visually-hidden">"Open tickets, most urgent first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Ticket"</th>
                        <th scope="col">"Priority"</th>
                        <th scope="col">"State"</th>
                        <th scope="col">"Service"</th>
                        <th scope="col">"Group · assignee"</th>
                        <th scope="col">"Response"</th>
                        <th scope="col">"Resolution"</th>
                    </tr>
                </thead>
                <tbody>
                    {page.rows.into_iter().map(|row| view! { <Row row/> }).collect_view()}
                </tbody>
            </table>
            </div>
        }
        .into_any()
    };
    view! {
        <LiveRegion topic="queue".to_string() class="queue".to_string()>
            <p id="queue-count" data-live class="queue-count" role="status" aria-live="polite" data-test="queue-count">{count}</p>
            <div id="queue-rows" data-live>
                {table}
                {pager}
            </div>
        </LiveRegion>
    }
}

#[component]
fn Row(row: QueueRow) -> impl IntoView {
    let number = row.number.to_string();
    let flags = [
        row.major.then_some("Major incident"),
        row.escalated.then_some("Escalated"),
    ];
    view! {
        <tr data-test="queue-row" data-number=number.clone()>
            <td>
                <a href=format!("/agent/tickets/{number}")>{number.clone()}</a>
                <br/><span>{row.summary}</span>
                {flags.into_iter().flatten().map(|f| view! { " " <span class="tag warn">{f}</span> }).collect_view()}
            </td>
            <td>{format!("P{}", row.priority)}</td>
            <td data-test="queue-state">{row.state.label()}</td>
            <td>{row.service}</td>
            <td>{row.group.unwrap_or_else(|| "–".into())} " · " {row.assignee.unwrap_or_else(|| "unassigned".into())}</td>
            <td><Target target=row.response/></td>
            <td><Target target=row.resolution/></td>
        </tr>
    }
}

/// A target's time left, with its standing in words (never by colour alone).
#[component]
pub fn Target(target: TargetView) -> impl IntoView {
    let class = format!("sla sla-{}", target.standing.as_str());
    let standing = match target.standing {
        crate::domain::Standing::AtRisk => Some("At risk: "),
        crate::domain::Standing::Breached => Some("Breached: "),
        _ => None,
    };
    view! {
        <span class=class data-standing=target.standing.as_str()>
            {standing.map(|s| view! { <strong>{s}</strong> })}
            {target.left}
            <br/><time class="hint" datetime=crate::domain::machine_time(target.due_at)>{format_time(target.due_at)}</time>
        </span>
    }
}

/// 1000 as "1,000".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
