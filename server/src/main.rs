//! `server`: runs the incident portal.

// The views of the portal are deeply nested types.
#![recursion_limit = "256"]

use app::domain::Backoff;
use app::server::mail::MailSettings;
use clap::Parser;
use leptos::prelude::LeptosOptions;
use std::net::SocketAddr;
use std::path::PathBuf;
use tracing_subscriber::EnvFilter;

/// The self-service incident portal.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Folder for the database and the search index (created if missing).
    #[arg(long, env = "PORTAL_DATA_DIR", default_value = "data")]
    data_dir: PathBuf,

    /// Address to listen on.
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
    addr: SocketAddr,

    /// Load demo content when the database is empty.
    #[arg(long, env = "PORTAL_DEMO", default_value_t = true, action = clap::ArgAction::Set)]
    demo: bool,

    /// The address users reach the portal at (e.g. https://help.example.com), for
    /// the links in messages and the feed; without it, the listening address.
    #[arg(long, env = "PORTAL_PUBLIC_URL")]
    public_url: Option<String>,

    /// Reverse proxies whose Forwarded / X-Forwarded-For headers name the client,
    /// as addresses or networks, comma-separated (e.g. 127.0.0.1,10.0.0.0/8).
    #[arg(long, env = "PORTAL_TRUSTED_PROXIES", value_delimiter = ',')]
    trusted_proxies: Vec<String>,

    /// The header the trusted proxies write the client's address into:
    /// "x-forwarded-for" or "forwarded" (RFC 7239). Only this one is read.
    #[arg(long, env = "PORTAL_FORWARDED_HEADER", default_value = "x-forwarded-for",
          value_parser = ["x-forwarded-for", "forwarded"])]
    forwarded_header: String,

    /// The unix socket of a ClamAV daemon (clamd) to scan every attached file
    /// with (e.g. /run/clamav/clamd.ctl); without it, files are not scanned.
    #[arg(long, env = "PORTAL_CLAMD_SOCKET")]
    clamd_socket: Option<PathBuf>,

    /// The SMTP server messages are sent through: smtp://user@host:587?tls=required
    /// (STARTTLS; ?tls=opportunistic to use it when offered), smtps://user@host:465
    /// (TLS from the first byte). Without it, no e-mail is sent and messages wait
    /// in the outbox.
    #[arg(long, env = "PORTAL_SMTP_URL")]
    smtp_url: Option<String>,

    /// A file holding the SMTP password (never in the URL or the environment).
    #[arg(long, env = "PORTAL_SMTP_PASSWORD_FILE")]
    smtp_password_file: Option<PathBuf>,

    /// The sender of every message, e.g. "IT Help <help@example.com>".
    #[arg(long, env = "PORTAL_MAIL_FROM", default_value = "")]
    mail_from: String,

    /// What to log, as tracing filter directives (e.g. "info", "server=debug").
    #[arg(long, env = "PORTAL_LOG", default_value = "info,tantivy=warn")]
    log: String,

    /// Log format: "text" for people, "json" for log collectors.
    #[arg(long, env = "PORTAL_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    log_format: String,

    /// Folder of the compiled site (WASM, JS, CSS), as cargo-leptos writes it.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    site_root: String,

    /// Name of the compiled WASM/JS/CSS bundle.
    #[arg(long, env = "LEPTOS_OUTPUT_NAME", default_value = "portal")]
    output_name: String,

    /// Folder inside the site root holding the bundle.
    #[arg(long, env = "LEPTOS_SITE_PKG_DIR", default_value = "pkg")]
    site_pkg_dir: String,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(clap::Subcommand, Debug)]
enum Command {
    /// Serve the portal (what happens without a command).
    Serve,
    /// Create an admin account; the password is read from standard input.
    ///
    /// Example: `printf '%s' "$PASSWORD" | server create-admin --email it@example.com --name "IT Admin"`
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
}

/// Large blocks (over 1 MiB) are mapped from the system and returned to it when
/// freed. glibc otherwise raises that threshold after the first such block is
/// freed, and then keeps each later one in its heaps: a burst of password hashes
/// (19 MiB each) left 200 MiB resident for good (measured; 38 MiB with this).
fn return_large_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tuning parameter of the allocator; it is
    // called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

fn main() -> std::process::ExitCode {
    return_large_blocks_to_the_system();
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(run()),
        Err(error) => {
            eprintln!("cannot start the runtime: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> std::process::ExitCode {
    let args = Args::parse();
    let filter = EnvFilter::try_new(&args.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter);
    if args.log_format == "json" {
        logs.json().init();
    } else {
        logs.init();
    }

    let options = |addr: SocketAddr| {
        LeptosOptions::builder()
            .output_name(args.output_name.as_str())
            .site_root(args.site_root.as_str())
            .site_pkg_dir(args.site_pkg_dir.as_str())
            .site_addr(addr)
            .build()
    };
    let config = |addr: SocketAddr| server::Config {
        data_dir: args.data_dir.clone(),
        load_demo: args.demo,
        public_url: args.public_url.clone(),
        trusted_proxies: args.trusted_proxies.clone(),
        forwarded_header: app::server::web::deployment::ForwardedHeader::parse(
            &args.forwarded_header,
        )
        .unwrap_or_default(),
        clamd_socket: args.clamd_socket.clone(),
        mail: args.smtp_url.as_ref().map(|url| MailSettings {
            smtp_url: url.clone(),
            password_file: args.smtp_password_file.clone(),
            from: args.mail_from.clone(),
            backoff: Backoff::default(),
        }),
        leptos_options: options(addr),
    };
    if let Some(Command::CreateAdmin { email, name }) = &args.command {
        return create_admin(config(args.addr), email, name).await;
    }
    // Listen first: with port 0 the system picks one, and links (without a
    // public address) must name the port actually listened on.
    let listener = match tokio::net::TcpListener::bind(args.addr).await {
        Ok(listener) => listener,
        Err(error) => {
            tracing::error!(%error, addr = %args.addr, "cannot listen");
            return std::process::ExitCode::FAILURE;
        }
    };
    let addr = listener.local_addr().unwrap_or(args.addr);
    let portal = match server::build(config(addr)).await {
        Ok(portal) => portal,
        Err(error) => {
            tracing::error!(%error, "the portal could not start");
            return std::process::ExitCode::FAILURE;
        }
    };
    tracing::info!(
        %addr,
        data_dir = %args.data_dir.display(),
        "portal listening on http://{addr}"
    );
    match server::serve(listener, portal).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "server stopped with an error");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `server create-admin`: the first admin is made here, never by a default password.
async fn create_admin(config: server::Config, email: &str, name: &str) -> std::process::ExitCode {
    use std::io::BufRead;
    let mut password = String::new();
    if let Err(error) = std::io::stdin().lock().read_line(&mut password) {
        eprintln!("cannot read the password from standard input: {error}");
        return std::process::ExitCode::FAILURE;
    }
    // Only the line break is removed: spaces are part of a password.
    let password = password.trim_end_matches(['\n', '\r']);
    if let Err(error) = std::fs::create_dir_all(&config.data_dir) {
        eprintln!("cannot create the data directory: {error}");
        return std::process::ExitCode::FAILURE;
    }
    let db = match app::server::store::db::Db::open(&server::database_path(&config.data_dir)).await
    {
        Ok(db) => db,
        Err(error) => {
            eprintln!("the database could not be opened: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match app::server::accounts::create_admin(&db, name, email, password, chrono::Utc::now()).await
    {
        Ok(id) => {
            println!("Admin account {id} created for {email}. Sign in at /sign-in.");
            std::process::ExitCode::SUCCESS
        }
        Err(app::server::accounts::AccountError::Invalid(errors)) => {
            for error in errors.0 {
                eprintln!("{}: {}", error.field.name(), error.message);
            }
            std::process::ExitCode::from(2)
        }
        Err(error) => {
            eprintln!("the admin could not be created: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
