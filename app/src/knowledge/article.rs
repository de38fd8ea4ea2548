//! The page of one FAQ or known error.

use super::get_article;
use crate::components::{format_time, AttachedFiles, LoadError};
use crate::domain::{
    Article, ArticleBody, ArticleKind, ArticleState, ArticleVisibility, StaffView,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ArticlePage() -> impl IntoView {
    let params = use_params_map();
    let article = Resource::new(
        move || params.read().get("slug").unwrap_or_default(),
        get_article,
    );
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match article.await {
                    Ok(article) => view! { <ArticleView article/> }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ArticleView(article: Article) -> impl IntoView {
    let report_link = format!("/report/incident?service={}", article.service_slug);
    let badge = match article.kind {
        ArticleKind::Faq => "badge faq",
        ArticleKind::KnownError => "badge known-error",
    };
    view! {
        <Title text=article.title.clone()/>
        <div class="wrap page article">
            <nav aria-label="Breadcrumb" class="breadcrumb">
                <ol>
                    <li><a href="/">"Help"</a></li>
                    <li><a href=format!("/?service={}", article.service_slug)>{article.service_name.clone()}</a></li>
                </ol>
            </nav>
            <article>
                <header>
                    <p class="article-meta">
                        <span class=badge>{article.kind.label()}</span>
                        " · " {article.service_name.clone()}
                    </p>
                    <h1>{article.title.clone()}</h1>
                </header>
                {article.staff.clone().map(|staff| view! {
                    <StaffNotes staff slug=article.slug.clone() state=article.state visibility=article.visibility/>
                })}
                {match article.body {
                    ArticleBody::Faq { answer_html } => view! {
                        <div class="prose" inner_html=answer_html></div>
                    }.into_any(),
                    ArticleBody::KnownError { status, symptoms_html, workaround_html, cause_html } => view! {
                        <p class="status-line">"Status: " <strong class=format!("ke-status ke-{}", status.as_str())>{status.label()}</strong></p>
                        <section aria-labelledby="symptoms">
                            <h2 id="symptoms">"Symptoms"</h2>
                            <div class="prose" inner_html=symptoms_html></div>
                        </section>
                        <section aria-labelledby="workaround">
                            <h2 id="workaround">"Workaround"</h2>
                            <div class="prose" inner_html=workaround_html></div>
                        </section>
                        {cause_html.map(|cause| view! {
                            <section aria-labelledby="cause">
                                <h2 id="cause">"Cause"</h2>
                                <div class="prose" inner_html=cause></div>
                            </section>
                        })}
                    }.into_any(),
                }}
                {(!article.files.is_empty()).then(|| view! {
                    <section aria-labelledby="article-files">
                        <h2 id="article-files">"Files"</h2>
                        <AttachedFiles files=article.files.clone() base=Some(format!("/articles/{}", article.slug))/>
                    </section>
                })}
                <footer class="article-footer">
                    <p>"Last updated " <time datetime=crate::domain::machine_time(article.updated_at)>{format_time(article.updated_at)}</time></p>
                </footer>
            </article>
            <ArticleFeedback slug=article.slug.clone()/>
            <aside class="next-step" aria-labelledby="next-step-title">
                <h2 id="next-step-title">"Did this not solve it?"</h2>
                <p><a class="button" href=report_link>"Report an issue with " {article.service_name}</a></p>
            </aside>
        </div>
    }
}

/// "Did this answer your question?": two buttons of a plain form (no account, no
/// JavaScript needed), and a thank-you once answered.
#[component]
fn ArticleFeedback(slug: String) -> impl IntoView {
    let answered = leptos_router::hooks::use_query_map()
        .read_untracked()
        .get("answered");
    let body = match answered.as_deref() {
        Some("yes") => view! {
            <p role="status" data-test="feedback-thanks">"Thank you: we are glad it helped."</p>
        }
        .into_any(),
        Some(_) => view! {
            <p role="status" data-test="feedback-thanks">"Thank you for telling us: the authors will see it and improve the article."</p>
        }
        .into_any(),
        None => view! {
            <form method="post" action=format!("/articles/{slug}/feedback") class="feedback-form">
                <button type="submit" name="answer" value="yes" class="button">"Yes"</button>
                <button type="submit" name="answer" value="no" class="button">"No"</button>
            </form>
        }
        .into_any(),
    };
    view! {
        <section id="feedback" class="feedback" aria-labelledby="feedback-title">
            <h2 id="feedback-title">"Did this answer your question?"</h2>
            {body}
        </section>
    }
}

/// What agents and admins see above an article: who may read it, whether users can
/// see it at all, the way to edit it and the incidents linked to a known error.
#[component]
fn StaffNotes(
    staff: StaffView,
    slug: String,
    state: ArticleState,
    visibility: ArticleVisibility,
) -> impl IntoView {
    let note = match state {
        ArticleState::Draft => {
            Some("This is a draft: users cannot see it and search does not find it.")
        }
        ArticleState::Archived => {
            Some("This article is archived: users cannot see it and search does not find it.")
        }
        ArticleState::Published => None,
    };
    let incidents = staff.incidents;
    view! {
        <aside class="panel staff-notes" aria-label="For the service desk" data-test="staff-notes">
            <p>
                <span class="badge">{state.label()}</span>
                " · Readers: " {visibility.label()}
                {staff.can_edit.then(|| view! {
                    " · " <a href=format!("/knowledge/articles/{slug}")>"Edit this article"</a>
                })}
            </p>
            {note.map(|n| view! { <p class="hint">{n}</p> })}
            {(!incidents.is_empty()).then(|| view! {
                <h2 class="small-heading">"Linked incidents"</h2>
                <ul data-test="linked-incidents">
                    {incidents.into_iter().map(|(number, summary)| view! {
                        <li><a href=format!("/agent/tickets/{number}")>{number.clone()}</a> " " {summary}</li>
                    }).collect_view()}
                </ul>
            })}
        </aside>
    }
}
