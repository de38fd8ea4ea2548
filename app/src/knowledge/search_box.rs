//! The search box island: a plain GET form that, once hydrated, searches as you type.

use super::{search_articles, MAX_HITS};
use crate::domain::{ArticleKind, Highlighted, SearchHit, SearchResults};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// How long typing must pause before a search is sent.
const DEBOUNCE: Duration = Duration::from_millis(150);

/// What the search box holds when the page is first rendered. The page's
/// results are not part of it: they come rendered, as the island's children.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchState {
    pub query: String,
    pub kind: Option<String>,
    pub service: Option<String>,
}

/// The fewest letters a search is run for while typing.
const MIN_QUERY_CHARS: usize = 3;

/// The search form and its results. `children` are the results the server
/// rendered with the page (or nothing): they reach the browser once, as HTML,
/// not a second time as the island's data, and give way to the island's own
/// list at the first search made here.
#[island]
pub fn SearchBox(
    initial: SearchState,
    services: Vec<(String, String)>,
    children: Children,
) -> impl IntoView {
    let query = RwSignal::new(initial.query.clone());
    let kind = RwSignal::new(initial.kind.clone().unwrap_or_default());
    let service = RwSignal::new(initial.service.clone().unwrap_or_default());
    let results = RwSignal::new(None::<SearchResults>);
    let from_server = NodeRef::<leptos::html::Div>::new();
    // The island's own list takes over: the server's results, its children,
    // which an island never renders again, are taken out of the page.
    let show = move |found: Option<SearchResults>| {
        if let Some(first) = from_server.get_untracked() {
            first.remove();
        }
        results.set(found);
    };
    // Set once the island runs in the browser; tests wait for it before typing.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let latest = StoredValue::new(0u64);
    let pending = StoredValue::new(None::<TimeoutHandle>);

    let run_search = move || {
        let (q, k, s) = (
            query.get_untracked(),
            kind.get_untracked(),
            service.get_untracked(),
        );
        let sequence = latest.get_value() + 1;
        latest.set_value(sequence);
        replace_address(&q, &k, &s);
        if q.trim().is_empty() && k.is_empty() && s.is_empty() {
            show(None);
            return;
        }
        // One or two letters begin too many words to mean anything yet: what is
        // shown stays until a third, rather than flashing "No matching articles".
        if (1..MIN_QUERY_CHARS).contains(&q.trim().chars().count()) {
            return;
        }
        leptos::task::spawn_local(async move {
            let answer = search_articles(
                q,
                (!k.is_empty()).then_some(k),
                (!s.is_empty()).then_some(s),
                Some(MAX_HITS),
            )
            .await;
            // Only the answer to the newest question is shown.
            if latest.get_value() == sequence {
                if let Ok(answer) = answer {
                    show(Some(answer));
                }
            }
        });
    };
    let schedule = move || {
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        pending.set_value(set_timeout_with_handle(run_search, DEBOUNCE).ok());
    };

    view! {
        <form class="search-form" role="search" method="get" action="/"
            data-hydrated=move || hydrated.get().then_some("true")>
            <label for="q" class="search-label">"Search the help articles"</label>
            <div class="search-row">
                <input id="q" name="q" type="search" autocomplete="off" spellcheck="false"
                    maxlength="500"
                    placeholder="e.g. vpn error 809, reset password, printer offline"
                    prop:value=move || query.get()
                    value=initial.query
                    on:input=move |ev| { query.set(event_target_value(&ev)); schedule(); }/>
                <button type="submit" class="button primary">"Search"</button>
            </div>
            <div class="filters">
                <div class="filter">
                    <label for="kind">"Type"</label>
                    <select id="kind" name="kind"
                        on:change=move |ev| { kind.set(event_target_value(&ev)); run_search(); }>
                        <option value="" selected=initial.kind.is_none()>"All types"</option>
                        {ArticleKind::ALL.into_iter().map(|k| view! {
                            <option value=k.as_str() selected=initial.kind.as_deref() == Some(k.as_str())>
                                {match k { ArticleKind::Faq => "FAQs", ArticleKind::KnownError => "Known errors" }}
                            </option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="filter">
                    <label for="service">"Service"</label>
                    <select id="service" name="service"
                        on:change=move |ev| { service.set(event_target_value(&ev)); run_search(); }>
                        <option value="" selected=initial.service.is_none()>"All services"</option>
                        {services.into_iter().map(|(slug, name)| {
                            let selected = initial.service.as_deref() == Some(slug.as_str());
                            view! { <option value=slug selected=selected>{name}</option> }
                        }).collect_view()}
                    </select>
                </div>
            </div>
        </form>
        <section class="results" aria-label="Search results">
            <div aria-live="polite" aria-atomic="false">
                <div node_ref=from_server>{children()}</div>
                {move || results.get().map(|r| view! { <ResultList results=r/> })}
            </div>
        </section>
    }
}

/// Keeps the address bar in step with the search, so a result page can be shared
/// and the back button returns to it.
fn replace_address(q: &str, kind: &str, service: &str) {
    #[cfg(feature = "hydrate")]
    {
        let mut params = Vec::new();
        for (name, value) in [("q", q), ("kind", kind), ("service", service)] {
            if !value.is_empty() {
                params.push(format!("{name}={}", js_sys_encode(value)));
            }
        }
        let url = if params.is_empty() {
            "/".to_string()
        } else {
            format!("/?{}", params.join("&"))
        };
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (q, kind, service);
}

#[cfg(feature = "hydrate")]
fn js_sys_encode(value: &str) -> String {
    String::from(web_sys::js_sys::encode_uri_component(value))
}

/// The hits of a search, or the way forward when there are none.
#[component]
pub fn ResultList(results: SearchResults) -> impl IntoView {
    let count = results.total;
    let heading = match count {
        _ if results.total_capped => format!(
            "More than {count} matching articles, best {} shown",
            results.hits.len()
        ),
        0 => "No matching articles".to_string(),
        1 => "1 matching article".to_string(),
        n if n > results.hits.len() => {
            format!("{n} matching articles, best {} shown", results.hits.len())
        }
        n => format!("{n} matching articles"),
    };
    let corrections = (!results.corrections.is_empty()).then(|| {
        let words = results
            .corrections
            .iter()
            .map(|(typed, searched)| format!("“{searched}” (you typed “{typed}”)"))
            .collect::<Vec<_>>()
            .join(", ");
        view! { <p class="corrections" data-test="corrections">"Including results for " {words} "."</p> }
    });
    view! {
        <h2 id="results-heading" class="results-heading">{heading}</h2>
        {results.message.map(|m| view! { <p class="search-message">{m}</p> })}
        {corrections}
        {if results.hits.is_empty() {
            view! {
                <div class="no-results">
                    <p>"Try fewer or different words, or remove a filter."</p>
                    <p>"Still stuck? "<a href="/report" class="button">"Report an issue"</a></p>
                </div>
            }.into_any()
        } else {
            view! {
                <ol class="hit-list">
                    {results.hits.into_iter().map(|hit| view! { <Hit hit/> }).collect_view()}
                </ol>
            }.into_any()
        }}
    }
}

#[component]
fn Hit(hit: SearchHit) -> impl IntoView {
    let badge = match hit.kind {
        ArticleKind::Faq => "badge faq",
        ArticleKind::KnownError => "badge known-error",
    };
    view! {
        <li class="hit" data-test="search-hit">
            <a class="hit-title" href=format!("/articles/{}", hit.slug)>{hit.title}</a>
            <p class="hit-meta">
                <span class=badge>{hit.kind.label()}</span>
                " · " <span>{hit.service_name}</span>
            </p>
            <p class="snippet"><Snippet parts=hit.snippet/></p>
        </li>
    }
}

/// Snippet text with the matched words marked. Every piece is text, never HTML.
#[component]
pub fn Snippet(parts: Vec<Highlighted>) -> impl IntoView {
    parts
        .into_iter()
        .map(|p| {
            if p.hit {
                view! { <mark>{p.text}</mark> }.into_any()
            } else {
                p.text.into_any()
            }
        })
        .collect_view()
}
