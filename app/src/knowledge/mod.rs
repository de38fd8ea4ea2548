//! Finding answers: the home page with its live search, and article pages.

mod article;
mod authoring;
mod search_box;

pub use article::ArticlePage;
pub use authoring::{ArticleRow, EditArticlePage, EditorData, KnowledgePage, NewArticlePage};
pub use search_box::{ResultList, SearchBox, SearchState};

use crate::domain::{Article, SearchResults};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Most hits a search returns.
pub const MAX_HITS: u32 = 20;

/// Searches the knowledge articles. Any text is accepted: it is read leniently and
/// cut to a sane length, so the worst a query can get is an empty answer. A GET:
/// searching changes nothing.
#[server(prefix = "/api", endpoint = "search", input = server_fn::codec::GetUrl)]
pub async fn search_articles(
    query: String,
    kind: Option<String>,
    service: Option<String>,
    limit: Option<u32>,
) -> Result<SearchResults, AppError> {
    let reader =
        crate::domain::ArticleVisibility::of_viewer(&crate::server::web::context::viewer());
    crate::server::web::context::serve(|state| async move {
        let limit = limit.unwrap_or(10).clamp(1, MAX_HITS) as usize;
        let results = run_search(&state, &query, kind, service, limit, reader).await?;
        Ok(results.unwrap_or_default())
    })
    .await
}

/// The hits for `query` narrowed by the filters, among the articles readable at
/// `reader`'s level, or `None` when there is nothing to search for.
#[cfg(feature = "ssr")]
async fn run_search(
    state: &crate::server::web::state::AppState,
    query: &str,
    kind: Option<String>,
    service: Option<String>,
    limit: usize,
    reader: crate::domain::ArticleVisibility,
) -> Result<Option<SearchResults>, AppError> {
    let request = crate::domain::SearchRequest::new(query, kind.as_deref(), service.as_deref())
        .read_at(reader);
    if request.is_empty() {
        return Ok(None);
    }
    let results = state.search.search(request, limit).await;
    results.map(Some).map_err(AppError::internal)
}

/// One article, rendered for display: a published one its reader may read, or for
/// agents and admins any article (a draft or an archived one is marked as such).
#[server(prefix = "/api", endpoint = "article")]
pub async fn get_article(slug: String) -> Result<Article, AppError> {
    use crate::domain::StaffView;
    let viewer = crate::server::web::context::viewer();
    crate::server::web::context::serve(|state| async move {
        let mut conn = state.db.reader.acquire().await?;
        let mut article = crate::server::knowledge::readable(&mut conn, &slug, &viewer).await?;
        if let Some(staff) = viewer.account().filter(|a| a.role.is_staff()) {
            article.staff = Some(StaffView {
                can_edit: staff.may_author(),
                incidents: crate::server::store::knowledge::linked_incidents(&mut conn, article.id)
                    .await?,
            });
        }
        Ok(article)
    })
    .await
}

/// What the home page shows: the services to filter by and browse, and the results
/// of the search in its address, if any.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HomePageData {
    /// (slug, name) of every service.
    pub services: Vec<(String, String)>,
    pub results: Option<SearchResults>,
}

/// Everything the home page needs, in one call.
#[server(prefix = "/api", endpoint = "home", input = server_fn::codec::GetUrl)]
pub async fn home_content(
    query: String,
    kind: Option<String>,
    service: Option<String>,
) -> Result<HomePageData, AppError> {
    let reader =
        crate::domain::ArticleVisibility::of_viewer(&crate::server::web::context::viewer());
    crate::server::web::context::serve(|state| async move {
        // Withdrawn services are not browsed or filtered by; their articles are
        // still found.
        let services = state.shown.services(&state.db, &state.changes).await?;
        let results = run_search(&state, &query, kind, service, MAX_HITS as usize, reader).await?;
        Ok(HomePageData { services, results })
    })
    .await
}

/// The home page: one search box, answers while typing.
#[component]
pub fn HomePage() -> impl IntoView {
    let query = use_query_map();
    let initial = move || {
        let q = query.read();
        (
            q.get("q").unwrap_or_default(),
            q.get("kind").filter(|k| !k.is_empty()),
            q.get("service").filter(|s| !s.is_empty()),
        )
    };
    let data = Resource::new(initial, |(q, kind, service)| async move {
        let content = home_content(q.clone(), kind.clone(), service.clone()).await?;
        Ok::<_, AppError>((
            SearchState {
                query: q,
                kind,
                service,
            },
            content.results,
            content.services,
        ))
    });
    view! {
        <Title text=""/>
        <div class="wrap page home">
            <h1 class="home-title">"How can we help?"</h1>
            <p class="lead">"Search the answers to common questions and known problems. If nothing fits, "
                <a href="/report">"report an issue"</a>" and we will take it from there."</p>
            <Suspense>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok((state, results, services)) => {
                            let browse = results.is_none().then(|| view! { <BrowseServices services=services.clone()/> });
                            view! {
                                <SearchBox initial=state services>
                                    {results.map(|results| view! { <ResultList results/> })}
                                </SearchBox>
                                {browse}
                            }.into_any()
                        }
                        Err(error) => view! { <crate::components::LoadError error/> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

/// Shown before anything is searched: every service, as a way in for people who
/// would rather browse than type.
#[component]
fn BrowseServices(services: Vec<(String, String)>) -> impl IntoView {
    view! {
        <section class="browse" aria-labelledby="browse-title">
            <h2 id="browse-title">"Browse by service"</h2>
            <ul class="service-list">
                {services.into_iter().map(|(slug, name)| view! {
                    <li><a href=format!("/?service={slug}")>{name}</a></li>
                }).collect_view()}
            </ul>
        </section>
    }
}
