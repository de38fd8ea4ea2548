//! The incident portal: pages, islands and server functions, compiled twice — with
//! `ssr` into the server, with `hydrate` into the WebAssembly that brings the
//! interactive islands (live search, the logging form) to life.
//!
//! The portal uses Leptos islands: pages are rendered on the server and stay plain
//! HTML; only components marked `#[island]` are hydrated. Everything works without
//! JavaScript, and the browser downloads code only for what is interactive.

#![recursion_limit = "256"]

pub mod accounts;
pub mod agent;
pub mod components;
pub mod domain;
pub mod error;
pub mod knowledge;
pub mod notices;
#[cfg(feature = "ssr")]
pub mod server;
pub mod settings;
pub mod tickets;

use components::{NotFound, SiteFooter, SiteHeader};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

/// The HTML document around every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    server::web::context::content_security_policy();
    // The zone the page's times are shown in, and whether the reader chose it:
    // a script shows them in the browser's own zone otherwise (components::time).
    #[cfg(feature = "ssr")]
    let (zone, chosen) = (
        server::web::zone::reader_zone().name(),
        server::web::context::viewer()
            .account()
            .is_some_and(|a| a.time_zone.is_some()),
    );
    #[cfg(not(feature = "ssr"))]
    let (zone, chosen) = ("UTC", false);
    view! {
        <!DOCTYPE html>
        <html lang="en" data-zone=zone data-zone-chosen=chosen.then_some("true")>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="stylesheet" href="/pkg/portal.css"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <meta name="description" content="IT Help: answers to common IT problems, service notices, and the service desk: report an incident or ask for something, then follow it."/>
                // Every page shows the notice banner: feed readers find the notices from any.
                <link rel="alternate" type="application/atom+xml" href="/notices.atom" title="Service notices"/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The portal: one layout, every page.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        // leptos_meta 0.8 writes the title into the page unescaped, so it is escaped
        // here: an article or ticket title must never be able to end the <title>.
        <Title formatter=|page: String| {
            let title = if page.is_empty() { "IT Help".to_string() } else { format!("{page} · IT Help") };
            components::escape_text(&title)
        }/>
        <Router>
            <SiteHeader/>
            <notices::NoticeBanner/>
            <main id="main" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=knowledge::HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/articles/:slug") view=knowledge::ArticlePage ssr=SsrMode::Async/>
                    <Route path=path!("/knowledge") view=knowledge::KnowledgePage ssr=SsrMode::Async/>
                    <Route path=path!("/knowledge/new") view=knowledge::NewArticlePage ssr=SsrMode::Async/>
                    <Route path=path!("/knowledge/articles/:slug") view=knowledge::EditArticlePage ssr=SsrMode::Async/>
                    <Route path=path!("/report") view=tickets::TriagePage ssr=SsrMode::Async/>
                    <Route path=path!("/report/incident") view=tickets::ReportIncidentPage ssr=SsrMode::Async/>
                    <Route path=path!("/report/request") view=tickets::ReportRequestPage ssr=SsrMode::Async/>
                    <Route path=path!("/status") view=tickets::StatusLookupPage ssr=SsrMode::Async/>
                    <Route path=path!("/status/:token") view=tickets::StatusPage ssr=SsrMode::Async/>
                    <Route path=path!("/notices") view=notices::NoticesPage ssr=SsrMode::Async/>
                    <Route path=path!("/sign-in") view=accounts::SignInPage ssr=SsrMode::Async/>
                    <Route path=path!("/register") view=accounts::RegisterPage ssr=SsrMode::Async/>
                    <Route path=path!("/forgot-password") view=accounts::ForgotPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/reset-password/:token") view=accounts::ResetPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/welcome/:token") view=accounts::WelcomePage ssr=SsrMode::Async/>
                    <Route path=path!("/verify-email/:token") view=accounts::VerifyEmailPage ssr=SsrMode::Async/>
                    <Route path=path!("/account") view=accounts::AccountPage ssr=SsrMode::Async/>
                    <Route path=path!("/my-tickets") view=accounts::MyTicketsPage ssr=SsrMode::Async/>
                    <Route path=path!("/my-tickets/:number") view=accounts::MyTicketPage ssr=SsrMode::Async/>
                    <Route path=path!("/agent") view=agent::QueuePage ssr=SsrMode::Async/>
                    <Route path=path!("/agent/tickets/:number") view=agent::DeskTicketPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users") view=accounts::AdminUsersPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/outbox") view=accounts::AdminOutboxPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/audit") view=accounts::AdminAuditPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/notices") view=notices::AdminNoticesPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/priorities") view=settings::PrioritiesPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/services") view=settings::ServicesPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/groups") view=settings::GroupsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/calendars") view=settings::CalendarsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/models") view=settings::ModelsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/attachments") view=settings::AttachmentsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/notices/:id") view=notices::AdminNoticePage ssr=SsrMode::Async/>
                </Routes>
            </main>
            <SiteFooter/>
        </Router>
    }
}

/// Called by the WebAssembly entry point: wakes up every island on the page.
#[cfg(feature = "hydrate")]
pub fn hydrate_islands() {
    leptos::mount::hydrate_islands();
}
