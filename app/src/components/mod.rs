//! Pieces of UI shared by every feature.

mod copy;
mod files;
mod form;
mod live;
mod time;

pub use copy::CopyLink;
pub use files::{AttachedFiles, FilePicker, FilesField};
pub use form::{
    described_by, error_id, CheckboxList, ErrorSummary, FieldHint, FormMessages, FormOutcome,
    InputField, LabelledField, LabelledSelect,
};
pub use live::{on_server_change, LiveRegion};
#[cfg(feature = "hydrate")]
pub use time::follow_browser_zone;
pub use time::{format_time, DueIn};

use crate::domain::{Role, Viewer};
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

/// Who the page is rendered for; pages are rendered on the server, so the browser
/// never needs to know.
pub fn current_viewer() -> Viewer {
    #[cfg(feature = "ssr")]
    return crate::server::web::context::viewer();
    #[cfg(not(feature = "ssr"))]
    Viewer::Anonymous
}

#[component]
pub fn SiteHeader() -> impl IntoView {
    let viewer = current_viewer();
    view! {
        <a class="skip-link" href="#main">"Skip to main content"</a>
        <header class="site-header">
            <div class="wrap header-row">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">"?"</span>
                    " IT Help"
                </a>
                // On a phone the menus fold behind one button, so a page starts
                // with its own content; a checkbox does it without JavaScript.
                <input type="checkbox" id="menu-toggle" class="menu-toggle"/>
                <label for="menu-toggle" class="menu-button">"Menu"</label>
                <div class="menus">
                    <nav aria-label="Main">
                        <ul class="nav-list">
                            <li><a href="/">"Search help"</a></li>
                            <li><a href="/report">"Report an issue"</a></li>
                            <li><a href="/status">"Check a ticket"</a></li>
                            <li><a href="/notices">"Service notices"</a></li>
                        </ul>
                    </nav>
                    <AccountMenu viewer/>
                </div>
            </div>
        </header>
    }
}

/// Sign in, or the signed-in person's links and the sign-out button.
#[component]
fn AccountMenu(viewer: Viewer) -> impl IntoView {
    match viewer {
        Viewer::Anonymous => view! {
            <nav aria-label="Account" class="account-menu">
                <ul class="nav-list">
                    <li><a href="/sign-in">"Sign in"</a></li>
                </ul>
            </nav>
        }
        .into_any(),
        Viewer::SignedIn(account) => {
            let admin = account.role == Role::Admin;
            let staff = account.role.is_staff();
            let author = account.may_author();
            view! {
                <nav aria-label="Account" class="account-menu">
                    <ul class="nav-list">
                        {staff.then(|| view! { <li><a href="/agent">"Desk"</a></li> })}
                        {author.then(|| view! { <li><a href="/knowledge">"Knowledge"</a></li> })}
                        <li><a href="/my-tickets">"My tickets"</a></li>
                        {admin.then(|| view! { <li><a href="/admin/users">"Admin"</a></li> })}
                        <li><a href="/account" data-test="account-name">{account.name}</a></li>
                        <li>
                            <form method="post" action="/sign-out" class="inline-form">
                                <button type="submit" class="link-button">"Sign out"</button>
                            </form>
                        </li>
                    </ul>
                </nav>
            }
            .into_any()
        }
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
    crate::error::respond_with_status(404);
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
    if error == AppError::SignInRequired {
        return view! { <SignInRequired/> }.into_any();
    }
    let (title, text) = match &error {
        AppError::NotFound => (
            "Not found",
            "We could not find what you were looking for. The link may be mistyped or out of date.",
        ),
        AppError::Forbidden => (
            "No access",
            "Your account does not give access to this page. If you need it, ask the service desk.",
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
    .into_any()
}

/// The answer to a page that needs a signed-in account, with a way to sign in and
/// come back.
#[component]
fn SignInRequired() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let next = if location.search.get_untracked().is_empty() {
        location.pathname.get_untracked()
    } else {
        format!(
            "{}?{}",
            location.pathname.get_untracked(),
            location.search.get_untracked()
        )
    };
    view! {
        <Title text="Sign in"/>
        <div class="wrap page">
            <h1>"Please sign in"</h1>
            <p>"This page belongs to your account."</p>
            <p><a class="button primary" href=format!("/sign-in?next={}", encode_query_value(&next))>"Sign in"</a></p>
        </div>
    }
}

pub use crate::domain::encode_query_value;
