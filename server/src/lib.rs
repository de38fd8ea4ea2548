//! Boots the portal: opens the data directory, builds the router, serves.
//!
//! [`build`] is what both `main` and the integration tests call, so tests run the
//! real application on a real database file and index.

// The views of the portal are deeply nested types.
#![recursion_limit = "256"]

mod headers;
mod static_files;

use app::domain::AttachmentRules;
use app::server::attachments::download;
use app::server::attachments::scan::{self, Scanner};
use app::server::hub::Changes;
use app::server::inbox::imap::{ImapSetupError, InboundSettings, Mailbox};
use app::server::inbox::land::Desk;
use app::server::mail::{self, MailSettings, MailSetupError, Mailer};
use app::server::search::{self, SearchIndex};
use app::server::store::attachments;
use app::server::store::db::Db;
use app::server::store::files::FileStore;
use app::server::web::deployment::{ForwardedHeader, PortalSettings, SettingsError};
use app::server::web::limits::Limits;
use app::server::web::page::page_context;
use app::server::web::session;
use app::server::web::state::{AppState, Current, Pages, Parts};
use app::server::{live, notices};
use app::{shell, App};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post, MethodRouter};
use axum::{Json, Router};
use leptos::prelude::{IntoAny, LeptosOptions};
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::path::PathBuf;
use std::sync::{Arc, LazyLock};
use std::time::Duration;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::trace::TraceLayer;

/// Largest request body accepted: a full logging form with a 10,000-character
/// description fits several times over.
const MAX_BODY_BYTES: usize = 256 * 1024;
/// No request may take longer than this.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The form posts that take files, with a body as large as all the files one
/// ticket may hold (an admin setting) and its text, and time to send them on a
/// slow line.
pub const FILE_POSTS: &[&str] = &[
    "/report/incident",
    "/report/request",
    "/status/{token}",
    "/my-tickets/{number}",
    "/agent/tickets/{number}",
    "/knowledge/new",
    "/knowledge/articles/{slug}",
];
/// What a file form's body may carry besides the files: its text and the
/// framing of each part.
const UPLOAD_TEXT_BYTES: u64 = 1024 * 1024;
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// How often SLA milestones and automatic closing are looked at; the first look
/// is at start-up, so nothing that fell due while the server was down waits.
const SLA_CLOCK_EVERY: Duration = Duration::from_secs(30);

/// Everything the portal needs to start.
#[derive(Clone, Debug)]
pub struct Config {
    /// Holds the database file and the search index.
    pub data_dir: PathBuf,
    /// Load the demo content into an empty database.
    pub load_demo: bool,
    /// Where users reach the portal, for absolute links; without it, links use
    /// the listening address (`leptos_options.site_addr`). See [`PortalSettings`].
    pub public_url: Option<String>,
    /// Reverse proxies (addresses or networks) whose forwarding header names the
    /// client; see [`PortalSettings`].
    pub trusted_proxies: Vec<String>,
    /// The header those proxies write the client into.
    pub forwarded_header: ForwardedHeader,
    /// The zone times are shown in when the reader chose none and their browser
    /// has not said its own: an IANA name (`PORTAL_TIME_ZONE`).
    pub time_zone: String,
    /// A ClamAV daemon's socket: every attached file is scanned, and handed out
    /// only once found clean.
    pub clamd_socket: Option<PathBuf>,
    /// The SMTP server messages are sent through; without it, messages wait in
    /// the outbox for admins to read.
    pub mail: Option<MailSettings>,
    /// The desk's mailbox, read over IMAP: replies land on their tickets, other
    /// mail logs tickets. Without it, mail reaches the desk only through
    /// `server ingest-mail`.
    pub inbound: Option<InboundSettings>,
    /// Where the compiled site (WASM, JS, CSS) is, its name, and the address.
    pub leptos_options: LeptosOptions,
}

/// The built application: its router and its state.
pub struct Portal {
    pub router: Router,
    pub state: AppState,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot create the data directory {0}: {1}")]
    DataDir(PathBuf, std::io::Error),
    #[error("cannot open the database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("cannot load the demo content: {0}")]
    Demo(#[from] app::server::demo::DemoError),
    #[error("cannot open the search index: {0}")]
    Search(#[from] search::SearchError),
    #[error("a setting cannot be used: {0}")]
    Settings(#[from] SettingsError),
    #[error("cannot open the folder of attached files: {0}")]
    Files(std::io::Error),
    #[error("{0}")]
    Mail(#[from] MailSetupError),
    #[error("{0}")]
    Mailbox(#[from] ImapSetupError),
}

/// How long an upload may wait for the form that carries it to succeed.
const UNCLAIMED_UPLOADS_KEPT: chrono::TimeDelta = chrono::TimeDelta::days(1);

/// How often the folder of attached files is tidied while serving.
const TIDY_FILES_EVERY: Duration = Duration::from_secs(6 * 3600);

/// Opens the folder of attached files and tidies it before anything is served.
async fn open_files(data_dir: &std::path::Path, db: &Db) -> Result<FileStore, StartError> {
    let files = FileStore::open(data_dir).map_err(StartError::Files)?;
    tidy_files(db, &files, None)
        .await
        .map_err(|e| StartError::Files(std::io::Error::other(e)))?;
    Ok(files)
}

/// Forgets uploads no form claimed within a day, then removes the files no row
/// names (an upload cut off half-way, a forgotten one) — while serving, only
/// those last written before `written_before`.
async fn tidy_files(
    db: &Db,
    files: &FileStore,
    written_before: Option<std::time::SystemTime>,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut conn = db.writer.acquire().await?;
    let known =
        attachments::forget_unclaimed(&mut conn, chrono::Utc::now() - UNCLAIMED_UPLOADS_KEPT)
            .await?;
    drop(conn);
    let sweep = files.clone();
    let removed =
        tokio::task::spawn_blocking(move || sweep.sweep(&known, written_before)).await??;
    if removed > 0 {
        tracing::info!(removed, "removed files that no attachment names");
    }
    Ok(())
}

/// The virus scanner, when one is configured, and the stored verdicts fitted
/// to it: with a scanner, files never scanned wait for it; without, files that
/// waited are handed out as every file then is. An unreachable scanner does not
/// stop the start: files wait until it answers.
async fn open_scanner(
    socket: Option<&std::path::Path>,
    db: &Db,
) -> Result<Option<Scanner>, StartError> {
    let scanner = socket.map(Scanner::new);
    let mut conn = db.writer.acquire().await?;
    let changed = attachments::fit_scans_to(&mut conn, scanner.is_some()).await?;
    match (&scanner, socket) {
        (Some(scanner), Some(socket)) => {
            match scanner.ping().await {
                Ok(()) => tracing::info!(socket = %socket.display(), "files are scanned for viruses"),
                Err(error) => tracing::error!(
                    %error,
                    "PORTAL_CLAMD_SOCKET is set but clamd does not answer: attached files wait, \
                     unserved, until it does"
                ),
            }
            if changed > 0 {
                tracing::info!(files = changed, "stored files wait for their first virus scan");
            }
        }
        _ if changed > 0 => tracing::warn!(
            files = changed,
            "files that waited for a virus scan are handed out unscanned: PORTAL_CLAMD_SOCKET is not set"
        ),
        _ => {}
    }
    Ok(scanner)
}

/// The SMTP server, when one is configured. A malformed setting stops the
/// start; a server that does not answer does not: messages wait and are tried
/// again on the schedule.
fn open_mailer(settings: Option<&MailSettings>) -> Result<Option<Mailer>, StartError> {
    let Some(settings) = settings else {
        tracing::warn!(
            "PORTAL_SMTP_URL is not set: no e-mail is sent; messages wait in the outbox"
        );
        return Ok(None);
    };
    let mailer = Mailer::open(settings)?;
    tracing::info!(through = mailer.description(), "e-mail is sent");
    let probe = mailer.clone();
    tokio::spawn(async move {
        if let Err(error) = probe.reachable().await {
            tracing::error!(%error, "the SMTP server does not answer: messages wait and are tried again");
        }
    });
    Ok(Some(mailer))
}

/// Tidies the files every few hours, for as long as the portal runs.
fn spawn_file_tidying(db: Db, files: FileStore) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(TIDY_FILES_EVERY);
        tick.tick().await; // The first tidying was at start.
        loop {
            tick.tick().await;
            let an_hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
            if let Err(error) = tidy_files(&db, &files, Some(an_hour_ago)).await {
                tracing::error!(%error, "cannot tidy the attached files");
            }
        }
    });
}

/// The database file in a data directory.
pub fn database_path(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("portal.sqlite3")
}

/// Opens the data directory (database, demo content, search index) and builds the
/// router.
pub async fn build(config: Config) -> Result<Portal, StartError> {
    let mut settings = PortalSettings::new(
        config.public_url.as_deref(),
        config.leptos_options.site_addr,
        &config.trusted_proxies,
    )?
    .with_time_zone(&config.time_zone)?;
    settings.forwarded_header = config.forwarded_header;
    // Every link that leaves a page (messages, the feed) is built from this one
    // address, never from a request's Host header.
    if PortalSettings::public_url_set(config.public_url.as_deref()) {
        tracing::info!(links = %settings.origin, "links in messages and the feed use the public address");
    } else {
        tracing::warn!(
            links = %settings.origin,
            "PORTAL_PUBLIC_URL is not set: links in messages and the feed use the listening \
             address; set it to the address users reach the portal at"
        );
    }
    std::fs::create_dir_all(&config.data_dir)
        .map_err(|e| StartError::DataDir(config.data_dir.clone(), e))?;
    let db = Db::open(&database_path(&config.data_dir)).await?;
    let files = open_files(&config.data_dir, &db).await?;
    let attachment_rules = {
        let mut conn = db.reader.acquire().await?;
        Current::new(attachments::rules(&mut conn).await?)
    };
    let scanner = open_scanner(config.clamd_socket.as_deref(), &db).await?;
    let signing = {
        let mut conn = db.writer.acquire().await?;
        app::server::store::outbox::signing_key(&mut conn).await?
    };
    let mailer = open_mailer(config.mail.as_ref())?.map(|m| m.signing_with(signing.clone()));
    let mailbox = config
        .inbound
        .as_ref()
        .map(|inbound| Mailbox::open(&inbound.imap))
        .transpose()?;
    if config.load_demo && app::server::demo::load_if_empty(&db, chrono::Utc::now()).await? {
        tracing::info!("loaded the demo content into the new database");
    }
    {
        // Ticket messages are written only while someone sends them.
        let mut conn = db.writer.acquire().await?;
        app::server::store::outbox::set_sending(&mut conn, mailer.is_some()).await?;
    }
    let (search, rebuilt) =
        SearchIndex::open_or_rebuild(&search::index_dir(&config.data_dir), &db).await?;
    tracing::info!(
        articles = search.document_count(),
        rebuilt,
        "search index ready"
    );
    let state = AppState::new(Parts {
        db,
        files,
        scanner,
        mailer,
        inbox: mailbox.as_ref().map(Mailbox::description),
        search,
        leptos_options: config.leptos_options.clone(),
        changes: Changes::default(),
        settings: Arc::new(settings),
        pages: Pages::new(|options| app::shell(options).into_any()),
        limits: Arc::new(Limits::default()),
        attachment_rules,
        shown: Arc::default(),
    });
    forget_idle_limits(&state);
    spawn_file_tidying(state.db.clone(), state.files.clone());
    if let Some(scanner) = &state.scanner {
        scan::spawn_scanning(state.db.clone(), state.files.clone(), scanner.clone());
    }
    if let (Some(mailbox), Some(inbound)) = (mailbox, &config.inbound) {
        tracing::info!(mailbox = %mailbox.description(), "the desk's mailbox is read");
        let own_addresses = state
            .mailer
            .iter()
            .map(|m| m.from().email.to_string().to_lowercase())
            .chain(mailbox.address())
            .collect();
        let desk = Desk {
            db: state.db.clone(),
            changes: state.changes.clone(),
            files: state.files.clone(),
            scanner: state.scanner.clone(),
            signing,
            own_addresses,
            answers_a_day: inbound.answers_a_day,
            strangers: inbound.strangers,
            category: inbound.category.clone(),
        };
        app::server::inbox::imap::spawn_reading(desk, mailbox, state.changes.clone());
    } else {
        tracing::info!("PORTAL_IMAP_URL is not set: the desk reads no mailbox");
    }
    if let Some(mailer) = &state.mailer {
        mail::deliver::spawn_delivery(
            state.db.clone(),
            mailer.clone(),
            state.settings.origin.clone(),
            state.changes.clone(),
        );
    }
    app::server::store::tickets::clock::spawn_clock(
        state.db.clone(),
        state.changes.clone(),
        SLA_CLOCK_EVERY,
    );
    Ok(Portal {
        router: router(state.clone()),
        state,
    })
}

/// The portal's pages, listed once per process.
///
/// Listing renders the app with resource loading switched off by a
/// process-wide flag (leptos_server's `SuppressResourceLoad`); a resource first
/// polled by a page render on another thread meanwhile waits forever
/// (leptos-rs/leptos#4773). Listing once, before anything can render, keeps
/// every render clear of that window, however many portals a process builds
/// (the integration tests build one per test, concurrently).
pub fn page_routes() -> &'static [AxumRouteListing] {
    static ROUTES: LazyLock<Vec<AxumRouteListing>> = LazyLock::new(|| generate_route_list(App));
    &ROUTES
}

/// Every download of an attached file, each under the page that lists it and
/// authorised as that page is. The router serves exactly these, and the
/// security matrix checks each for every actor (`server/tests/api/security.rs`).
pub fn downloads() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        (
            "/status/{token}/files/{id}",
            get(download::by_link::<false>),
        ),
        (
            "/status/{token}/files/{id}/thumbnail",
            get(download::by_link::<true>),
        ),
        (
            "/my-tickets/{number}/files/{id}",
            get(download::by_owner::<false>),
        ),
        (
            "/my-tickets/{number}/files/{id}/thumbnail",
            get(download::by_owner::<true>),
        ),
        (
            "/agent/tickets/{number}/files/{id}",
            get(download::by_desk::<false>),
        ),
        (
            "/agent/tickets/{number}/files/{id}/thumbnail",
            get(download::by_desk::<true>),
        ),
        (
            "/agent/mail/{id}",
            get(app::server::inbox::original::original),
        ),
        (
            "/articles/{slug}/files/{id}",
            get(download::by_article::<false>),
        ),
        (
            "/articles/{slug}/files/{id}/thumbnail",
            get(download::by_article::<true>),
        ),
    ]
}

/// Every form post of the portal: the plain HTML forms that change something.
/// The router serves exactly these, and the security matrix checks each one
/// (`server/tests/api/security.rs`), so a new post cannot be left out of it.
pub fn form_posts() -> Vec<(&'static str, MethodRouter<AppState>)> {
    use accounts::{forms as account, my_tickets};
    use app::domain::PrioritySettings;
    use app::server::settings::{
        self, calendars, calendars::Calendars, groups::Groups, models::Models, services,
    };
    use app::server::{
        accounts, agent,
        knowledge::{authoring, feedback},
        tickets,
    };
    vec![
        ("/report/incident", post(tickets::submit_incident)),
        ("/report/request", post(tickets::submit_request)),
        ("/status", post(tickets::look_up_status)),
        ("/status/{token}", post(tickets::reporter::link_post)),
        ("/my-tickets/{number}", post(my_tickets::owner_post)),
        ("/agent/tickets/{number}", post(agent::desk_post)),
        ("/admin/notices", post(notices::publish_post)),
        ("/admin/notices/{id}", post(notices::change_post)),
        (
            "/admin/priorities",
            post(settings::post_whole::<PrioritySettings>),
        ),
        ("/admin/groups", post(settings::add::<Groups>)),
        ("/admin/groups/{id}", post(settings::edit::<Groups>)),
        ("/admin/calendars", post(settings::add::<Calendars>)),
        ("/admin/calendars/priorities", post(calendars::priorities)),
        ("/admin/calendars/{id}", post(settings::edit::<Calendars>)),
        ("/admin/models", post(settings::add::<Models>)),
        ("/admin/models/{id}", post(settings::edit::<Models>)),
        (
            "/admin/attachments",
            post(settings::post_whole::<AttachmentRules>),
        ),
        ("/knowledge/new", post(authoring::create)),
        ("/knowledge/articles/{slug}", post(authoring::change)),
        ("/articles/{slug}/feedback", post(feedback::record)),
        ("/admin/services", post(services::add)),
        ("/admin/services/{slug}", post(services::change)),
        ("/sign-in", post(account::sign_in)),
        ("/sign-out", post(account::sign_out)),
        ("/register", post(account::register)),
        ("/account/password", post(account::change_password)),
        ("/account/mail", post(account::save_mail_choices)),
        ("/account/time-zone", post(account::save_time_zone)),
        ("/forgot-password", post(account::forgot_password)),
        ("/reset-password/{token}", post(account::reset_password)),
        ("/welcome/{token}", post(account::welcome)),
        ("/verify-email/{token}", post(account::verify_email)),
        ("/admin/users", post(account::invite)),
        ("/admin/users/{id}", post(account::change_account)),
        ("/admin/registration", post(account::set_registration)),
        ("/admin/outbox", post(accounts::outbox::test_message)),
        ("/admin/outbox/{id}", post(accounts::outbox::send_again)),
    ]
}

fn router(state: AppState) -> Router {
    let options = state.leptos_options.clone();
    let site = static_files::Site::load(
        std::path::Path::new(options.site_root.as_ref()),
        &options.site_pkg_dir,
    );
    let mut pages = Router::new();
    for (path, handler) in form_posts().into_iter().chain(downloads()) {
        pages = pages.route(path, handler);
    }
    let pages = pages
        .leptos_routes_with_context(&state, page_routes().to_vec(), page_context(&state), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .route("/events", get(live::events))
        .route("/notices.atom", get(notices::feed::feed))
        .route("/healthz", get(healthz))
        .fallback({
            let site = site.clone();
            move |state, request| static_files::fallback(site, state, request)
        })
        .with_state(state.clone());
    let pkg = format!("/{}/{{*file}}", options.site_pkg_dir.trim_matches('/'));
    Router::new()
        .route(&pkg, get(static_files::pkg).with_state(site))
        .merge(pages)
        .layer(axum::middleware::from_fn(headers::same_origin_writes))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            headers::security_headers,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::resolve_viewer,
        ))
        // Pages are compressed per request, so at brotli's quality 1: a home page
        // of 7 KB comes to 3.0 KB instead of 2.4 KB at quality 5, and is served
        // three times as fast (5,850/s against 1,906/s; BENCHMARKS, issue 20).
        // Site files come precompressed at quality 11 (`static_files`).
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(1)))
        // Bodies are limited below, per route; axum's own 2 MB default is off.
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn_with_state(
            state.attachment_rules.clone(),
            |State(rules): State<Current<AttachmentRules>>, request: Request, next| async move {
                let bytes = if takes_files(&request) {
                    usize::try_from(rules.get().per_ticket + UPLOAD_TEXT_BYTES)
                        .unwrap_or(usize::MAX)
                } else {
                    MAX_BODY_BYTES
                };
                headers::limit_body(bytes, request, next).await
            },
        ))
        .layer(axum::middleware::from_fn(
            |request: Request, next| async move {
                let time = if takes_files(&request) {
                    UPLOAD_TIMEOUT
                } else {
                    REQUEST_TIMEOUT
                };
                headers::time_limit(time, request, next).await
            },
        ))
        .layer(TraceLayer::new_for_http().make_span_with(
            |request: &axum::http::Request<axum::body::Body>| {
                // The path, never the query, and never a link's secret.
                tracing::debug_span!(
                    "request",
                    method = %request.method(),
                    path = %headers::loggable_path(request.uri().path()),
                )
            },
        ))
}

/// Whether `request` posts one of the forms that take files.
fn takes_files(request: &Request) -> bool {
    request.method() == axum::http::Method::POST
        && headers::matches_route(FILE_POSTS, request.uri().path())
}

/// `GET /healthz`: the database answers and the index is open.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.db.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(serde_json::json!({
                "status": "ok",
                "articles": state.search.document_count(),
            })),
        ),
        Err(error) => {
            tracing::error!(%error, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "unavailable" })),
            )
        }
    }
}

/// Rate-limit buckets that have refilled are dropped every few minutes.
fn forget_idle_limits(state: &AppState) {
    let limits = Arc::downgrade(&state.limits);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(300));
        loop {
            tick.tick().await;
            match limits.upgrade() {
                Some(limits) => limits.forget_idle(),
                None => break,
            }
        }
    });
}

/// Serves until Ctrl-C or SIGTERM, finishing requests in flight. Each request
/// knows its client's address (for rate limits and the audit log). At the
/// signal the event hub stops, which ends every open event stream: a page
/// listening for changes never holds the shutdown up.
///
/// Every connection is `TCP_NODELAY`: a response written as headers and body in
/// two pieces would otherwise wait for the client's delayed acknowledgement
/// (40 ms on Linux) on every kept-alive connection.
pub async fn serve(listener: tokio::net::TcpListener, portal: Portal) -> std::io::Result<()> {
    let Portal { router, state } = portal;
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|connection| {
        if let Err(error) = connection.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY on a connection");
        }
    });
    let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            state.changes.stop();
        })
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
