//! Pieces of UI shared by every feature.

mod form;
mod time;

pub use form::{described_by, error_id, ErrorSummary, FieldHint};
pub use time::{format_time, DueIn};

use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

/// Escapes text for an HTML text node, for the few places that write raw HTML.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[component]
pub fn SiteHeader() -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">"Skip to main content"</a>
        <header class="site-header">
            <div class="wrap header-row">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">"?"</span>
                    " IT Help"
                </a>
                <nav aria-label="Main">
                    <ul class="nav-list">
                        <li><a href="/">"Search help"</a></li>
                        <li><a href="/report">"Report an issue"</a></li>
                        <li><a href="/status">"Check a ticket"</a></li>
                        <li><a href="/notices">"Service notices"</a></li>
                    </ul>
                </nav>
            </div>
        </header>
    }
}

#[component]
pub fn SiteFooter() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <div class="wrap">
                <p>"Service desk: ext. 4357 · Monday to Friday, 08:00–18:00"</p>
            </div>
        </footer>
    }
}

/// The page for an address that leads nowhere; answered with 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::respond_with_status(404);
    view! {
        <Title text="Page not found"/>
        <div class="wrap page">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. It may have moved, or the link may be mistyped."</p>
            <p><a href="/">"Search the help articles"</a>" or "<a href="/report">"report an issue"</a>"."</p>
        </div>
    }
}

/// What a page shows when its data could not be loaded.
#[component]
pub fn LoadError(error: AppError) -> impl IntoView {
    let (title, text) = match &error {
        AppError::NotFound => (
            "Not found",
            "We could not find what you were looking for. The link may be mistyped or out of date.",
        ),
        _ => (
            "Something went wrong",
            "We could not load this page. Please try again in a moment.",
        ),
    };
    view! {
        <Title text=title/>
        <div class="wrap page">
            <h1>{title}</h1>
            <p>{text}</p>
            <p><a href="/">"Go to the help home page"</a></p>
        </div>
    }
}
