//! Service-failure notices: the banner on every page and the notices page.

use crate::components::format_time;
use crate::domain::Notice;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

/// How far back the notices page looks for resolved notices.
pub const RECENT_DAYS: i64 = 30;

/// Notices that are in force now.
#[server(prefix = "/api", endpoint = "active_notices")]
pub async fn active_notices() -> Result<Vec<Notice>, AppError> {
    crate::server::serve(|state| async move {
        let mut conn = state.db.reader.acquire().await?;
        Ok(crate::server::notices::active(&mut conn, chrono::Utc::now()).await?)
    })
    .await
}

/// Active, planned and recently resolved notices.
#[server(prefix = "/api", endpoint = "recent_notices")]
pub async fn recent_notices() -> Result<Vec<Notice>, AppError> {
    crate::server::serve(|state| async move {
        let mut conn = state.db.reader.acquire().await?;
        Ok(crate::server::notices::recent(&mut conn, chrono::Utc::now(), RECENT_DAYS).await?)
    })
    .await
}

/// The banner of active notices, shown above every page.
#[component]
pub fn NoticeBanner() -> impl IntoView {
    let notices = Resource::new(|| (), |_| active_notices());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let notices = notices.await.unwrap_or_default();
                (!notices.is_empty()).then(|| view! {
                    <section class="notice-banner" aria-label="Service notices" data-test="notice-banner">
                        <div class="wrap">
                            {notices.into_iter().map(|n| view! {
                                <div class=format!("banner-item severity-{}", n.severity.as_str())>
                                    <p>
                                        <strong>{n.severity.label()} ": " {n.title.clone()}</strong>
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
                })
            })}
        </Suspense>
    }
}

#[component]
pub fn NoticesPage() -> impl IntoView {
    let notices = Resource::new(|| (), |_| recent_notices());
    view! {
        <Title text="Service notices"/>
        <div class="wrap page">
            <h1>"Service notices"</h1>
            <p class="lead">"Outages and planned maintenance we know about. If your problem is listed here, there is no need to report it."</p>
            <Suspense>
                {move || Suspend::new(async move {
                    match notices.await {
                        Ok(notices) => {
                            let now = chrono::Utc::now();
                            let (current, past): (Vec<_>, Vec<_>) =
                                notices.into_iter().partition(|n| n.resolved_at.is_none());
                            view! {
                                <h2>"Current and planned"</h2>
                                {if current.is_empty() {
                                    view! { <p>"All services are running normally."</p> }.into_any()
                                } else {
                                    current.into_iter().map(|n| view! { <NoticeCard notice=n now/> }).collect_view().into_any()
                                }}
                                <h2>"Resolved in the last " {RECENT_DAYS} " days"</h2>
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

#[component]
fn NoticeCard(notice: Notice, now: chrono::DateTime<chrono::Utc>) -> impl IntoView {
    let state = if notice.resolved_at.is_some() {
        "Resolved"
    } else if notice.is_active(now) {
        "Ongoing"
    } else {
        "Planned"
    };
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
                            <p class="timeline-meta"><time datetime=u.at.to_rfc3339()>{format_time(u.at)}</time></p>
                            <p>{u.body}</p>
                        </li>
                    }).collect_view()}
                </ol>
            })}
        </article>
    }
}
