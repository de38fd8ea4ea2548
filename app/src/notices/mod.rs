//! Service-failure notices: the live banner on every page, the public status page,
//! and (in `admin`) publishing them.

use crate::components::{format_time, LiveRegion};
pub use crate::domain::RECENT_DAYS;
use crate::domain::{Notice, Severity};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

mod admin;

pub use admin::{AdminNoticePage, AdminNoticesPage};

/// Notices in force now, as the banner shows them to the person asking: a
/// notice for the users of some services only is shown to a signed-in end user
/// only if they use one of them.
#[server(prefix = "/api", endpoint = "active_notices")]
pub async fn active_notices() -> Result<Vec<Notice>, AppError> {
    let viewer = crate::server::web::context::viewer();
    crate::server::web::context::serve(|state| async move {
        let end_user = viewer
            .account()
            .filter(|a| !a.role.is_staff())
            .map(|a| a.id);
        let Some(end_user) = end_user else {
            return Ok(state.shown.notices(&state.db, &state.changes).await?);
        };
        let mut conn = state.db.reader.acquire().await?;
        let now = chrono::Utc::now();
        Ok(crate::server::store::notices::active(&mut conn, now, Some(end_user)).await?)
    })
    .await
}

/// The status page: every service's state now, and the notices of the last
/// [`RECENT_DAYS`] days.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct StatusOverview {
    /// Each service with the severity of the worst notice in force for it.
    pub services: Vec<(String, Option<Severity>)>,
    pub notices: Vec<Notice>,
}

#[server(prefix = "/api", endpoint = "service_status")]
pub async fn service_status() -> Result<StatusOverview, AppError> {
    crate::server::web::context::serve(|state| async move {
        let now = chrono::Utc::now();
        let mut conn = state.db.reader.acquire().await?;
        Ok(StatusOverview {
            services: crate::server::store::notices::service_states(&mut conn, now).await?,
            notices: crate::server::store::notices::recent(&mut conn, now, RECENT_DAYS).await?,
        })
    })
    .await
}

/// The banner of active notices, shown above every page and kept current
/// without a reload: a notice published, updated or resolved reaches every open
/// page.
#[component]
pub fn NoticeBanner() -> impl IntoView {
    let notices = Resource::new(|| (), |_| active_notices());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let notices = notices.await.unwrap_or_default();
                view! {
                    <LiveRegion topic="notices".to_string() class="notices-live".to_string()>
                        <div id="notice-banner" data-live aria-live="polite">
                            {(!notices.is_empty()).then(|| view! { <Banner notices/> })}
                        </div>
                    </LiveRegion>
                }
            })}
        </Suspense>
    }
}

#[component]
fn Banner(notices: Vec<Notice>) -> impl IntoView {
    view! {
        <section class="notice-banner" aria-label="Service notices" data-test="notice-banner">
            <div class="wrap">
                {notices.into_iter().map(|n| view! {
                    <div class=format!("banner-item severity-{}", n.severity.as_str())>
                        <p>
                            <strong>{format!("{}: {}", n.severity.label(), n.title)}</strong>
                            {(!n.service_names.is_empty()).then(|| format!(" · {}", n.service_names.join(", ")))}
                        </p>
                        <p>
                            {n.expected_restoration_at.map(|at| format!("Expected back by {}. ", format_time(at)))}
                            <a href=format!("/notices#notice-{}", n.id)>"Details and updates"</a>
                        </p>
                    </div>
                }).collect_view()}
            </div>
        </section>
    }
}

/// `/notices`: the public status page — every service's state, then current and
/// planned notices, then those resolved in the last 90 days.
#[component]
pub fn NoticesPage() -> impl IntoView {
    let status = Resource::new(|| (), |_| service_status());
    view! {
        <Title text="Service status"/>
        <div class="wrap page">
            <h1>"Service status"</h1>
            <p class="lead">"Outages and planned maintenance we know about. If your problem is listed here, there is no need to report it. "
                <a href="/notices.atom">"Subscribe in a feed reader"</a> "."</p>
            <Suspense>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(StatusOverview { services, notices }) => {
                            let now = chrono::Utc::now();
                            let (current, past): (Vec<_>, Vec<_>) =
                                notices.into_iter().partition(|n| n.resolved_at.is_none());
                            view! {
                                <table class="data-table service-states" data-test="service-states">
                                    <caption class="visually-hidden">"Every service and its state now"</caption>
                                    <thead><tr><th scope="col">"Service"</th><th scope="col">"State"</th></tr></thead>
                                    <tbody>
                                        {services.into_iter().map(|(name, severity)| {
                                            let (class, state) = match severity {
                                                Some(s) => (format!("service-state severity-{}", s.as_str()), s.service_state()),
                                                None => ("service-state operational".to_string(), "Operational"),
                                            };
                                            view! {
                                                <tr data-test="service-state">
                                                    <th scope="row">{name}</th>
                                                    <td><span class=class>{state}</span></td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                <h2>"Current and planned"</h2>
                                {if current.is_empty() {
                                    view! { <p>"All services are running normally."</p> }.into_any()
                                } else {
                                    current.into_iter().map(|n| view! { <NoticeCard notice=n now/> }).collect_view().into_any()
                                }}
                                <h2>{format!("Resolved in the last {RECENT_DAYS} days")}</h2>
                                {if past.is_empty() {
                                    view! { <p>"None."</p> }.into_any()
                                } else {
                                    past.into_iter().map(|n| view! { <NoticeCard notice=n now/> }).collect_view().into_any()
                                }}
                            }.into_any()
                        }
                        Err(error) => view! { <crate::components::LoadError error/> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

/// A notice with its timeline, as the status page and the admin show it.
#[component]
pub fn NoticeCard(notice: Notice, now: chrono::DateTime<chrono::Utc>) -> impl IntoView {
    let state = notice.state_label(now);
    let heading_id = format!("notice-{}-title", notice.id);
    let labelled_by = heading_id.clone();
    view! {
        <article class=format!("notice-card severity-{}", notice.severity.as_str())
            id=format!("notice-{}", notice.id) aria-labelledby=labelled_by>
            <h3 id=heading_id>{notice.title.clone()}</h3>
            <p class="notice-meta">
                <span class="badge">{state}</span> " " {notice.severity.label()}
                {(!notice.service_names.is_empty()).then(|| format!(" · {}", notice.service_names.join(", ")))}
            </p>
            <p>{notice.experience.clone()}</p>
            <dl class="facts">
                <div><dt>"Started"</dt><dd>{format_time(notice.starts_at)}</dd></div>
                {notice.expected_restoration_at.map(|at| view! {
                    <div><dt>"Expected restoration"</dt><dd>{format_time(at)}</dd></div>
                })}
                {notice.resolved_at.map(|at| view! {
                    <div><dt>"Resolved"</dt><dd>{format_time(at)}</dd></div>
                })}
            </dl>
            {(!notice.updates.is_empty()).then(|| view! {
                <h4>"Updates"</h4>
                <ol class="timeline">
                    {notice.updates.into_iter().map(|u| view! {
                        <li>
                            <p class="timeline-meta"><time datetime=crate::domain::machine_time(u.at)>{format_time(u.at)}</time></p>
                            <p>{u.body}</p>
                        </li>
                    }).collect_view()}
                </ol>
            })}
        </article>
    }
}
