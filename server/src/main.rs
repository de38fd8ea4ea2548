//! `server`: runs the incident portal.

// The views of the portal are deeply nested types.
#![recursion_limit = "256"]

use app::domain::Backoff;
use app::server::inbox::imap::{ImapSettings, InboundSettings};
use app::server::inbox::land::{parse_category, Strangers};
use app::server::mail::MailSettings;
use clap::Parser;
use leptos::prelude::LeptosOptions;
use std::net::SocketAddr;
use std::path::PathBuf;
use tracing_subscriber::EnvFilter;

/// mimalloc rather than glibc's malloc: rendering a page allocates many small
/// strings on both workers at once, and glibc's arena locks made them wait on
/// each other (issue 20, `docs/BENCHMARKS.md`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

    /// The time zone times are shown in to someone who chose none on their account
    /// page and whose browser has not said its own: an IANA name such as
    /// Europe/London. Times always name their zone.
    #[arg(long, env = "PORTAL_TIME_ZONE", default_value = "UTC")]
    time_zone: String,

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

    /// The desk's mailbox, read over IMAP: imaps://user@host:993/INBOX (TLS),
    /// imap://user@host:143/INBOX (STARTTLS), imap://user@127.0.0.1:1143/INBOX?tls=none
    /// (no TLS, this machine only). Replies land on their tickets, other mail
    /// logs tickets; read messages are marked read, never deleted.
    #[arg(long, env = "PORTAL_IMAP_URL")]
    imap_url: Option<String>,

    /// A file holding the IMAP password (never in the URL or the environment).
    #[arg(long, env = "PORTAL_IMAP_PASSWORD_FILE")]
    imap_password_file: Option<PathBuf>,

    /// Seconds between looks at the mailbox when its server has no IDLE.
    #[arg(long, env = "PORTAL_IMAP_POLL_SECONDS", default_value_t = 60)]
    imap_poll_seconds: u64,

    /// Automatic answers (ticket logged, refusals) to one sender of mail in a day,
    /// at most: a mail loop ends there.
    #[arg(long, env = "PORTAL_MAIL_ANSWERS_A_DAY", default_value_t = 10)]
    mail_answers_a_day: u32,

    /// What a reply on a ticket from someone who is neither its reporter, a
    /// follower nor an agent does: "hold" (on the ticket for the desk, unseen by
    /// the reporter) or "new-ticket" (a ticket of their own).
    #[arg(long, env = "PORTAL_MAIL_STRANGERS", default_value = "hold",
          value_parser = ["hold", "new-ticket"])]
    mail_strangers: String,

    /// Where mail that is not a reply is logged, as service-slug/Category name
    /// (e.g. "email/Sending"); without it, in the first offered category.
    #[arg(long, env = "PORTAL_MAIL_CATEGORY", value_parser = parse_category)]
    mail_category: Option<(String, String)>,

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
    /// Read one e-mail from standard input and land it at the desk, as mail read
    /// from the mailbox does: a reply on its ticket, anything else a new ticket.
    /// Exits 75 (try again later) when the database cannot be written, so a
    /// mail server piping messages in keeps the message and tries again.
    ///
    /// Example (Postfix alias): `help: "|/usr/local/bin/server ingest-mail --data-dir /var/lib/portal"`
    IngestMail,
}

/// Memory freed is handed back to the system at once. mimalloc waits a while
/// first, and only looks again when something allocates: an idle server kept
/// what start-up (the demo content, the index) and the last burst of work had
/// freed — 56 MiB idle instead of 39 (measured, issue 20).
fn return_freed_memory_at_once() {
    /// `mi_option_purge_delay` in mimalloc.h (v2 and v3 alike); the sys crate
    /// names no constant for it.
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: sets one of mimalloc's options (a number it reads when it purges);
    // called before any other thread exists.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
    }
}

fn main() -> std::process::ExitCode {
    return_freed_memory_at_once();
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
    // A command's own answer is its standard output; its log goes beside it.
    let to_stderr = matches!(args.command, Some(Command::IngestMail));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(move || -> Box<dyn std::io::Write> {
            if to_stderr {
                Box::new(std::io::stderr())
            } else {
                Box::new(std::io::stdout())
            }
        });
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
        time_zone: args.time_zone.clone(),
        clamd_socket: args.clamd_socket.clone(),
        mail: args.smtp_url.as_ref().map(|url| MailSettings {
            smtp_url: url.clone(),
            password_file: args.smtp_password_file.clone(),
            from: args.mail_from.clone(),
            backoff: Backoff::default(),
        }),
        inbound: args.imap_url.as_ref().map(|url| InboundSettings {
            imap: ImapSettings {
                url: url.clone(),
                password_file: args.imap_password_file.clone(),
                poll: std::time::Duration::from_secs(args.imap_poll_seconds.max(1)),
            },
            answers_a_day: args.mail_answers_a_day,
            strangers: Strangers::parse(&args.mail_strangers).unwrap_or_default(),
            category: args.mail_category.clone(),
        }),
        leptos_options: options(addr),
    };
    if let Some(Command::CreateAdmin { email, name }) = &args.command {
        return create_admin(config(args.addr), email, name).await;
    }
    if let Some(Command::IngestMail) = &args.command {
        let strangers = Strangers::parse(&args.mail_strangers).unwrap_or_default();
        return ingest_mail(
            config(args.addr),
            &args.mail_from,
            args.mail_answers_a_day,
            strangers,
            args.mail_category.clone(),
        )
        .await;
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

/// `server ingest-mail`: one message from standard input, landed at the desk.
async fn ingest_mail(
    config: server::Config,
    from: &str,
    answers_a_day: u32,
    strangers: Strangers,
    category: Option<(String, String)>,
) -> std::process::ExitCode {
    use app::server::inbox::land::{ingest, Desk};
    use std::io::Read;
    /// sysexits' EX_TEMPFAIL: the mail server keeps the message and tries again.
    const TRY_AGAIN: u8 = 75;
    let mut raw = Vec::new();
    if let Err(error) = std::io::stdin().lock().read_to_end(&mut raw) {
        eprintln!("cannot read the message from standard input: {error}");
        return std::process::ExitCode::from(TRY_AGAIN);
    }
    let db = match app::server::store::db::Db::open(&server::database_path(&config.data_dir)).await
    {
        Ok(db) => db,
        Err(error) => {
            eprintln!("the database could not be opened: {error}");
            return std::process::ExitCode::from(TRY_AGAIN);
        }
    };
    let signing = match db.writer.acquire().await {
        Ok(mut conn) => app::server::store::outbox::signing_key(&mut conn).await,
        Err(error) => Err(error),
    };
    let signing = match signing {
        Ok(key) => key,
        Err(error) => {
            eprintln!("the signing key could not be read: {error}");
            return std::process::ExitCode::from(TRY_AGAIN);
        }
    };
    // "IT Help <help@example.com>": the address between the angle brackets.
    let own = from
        .rsplit('<')
        .next()
        .unwrap_or(from)
        .trim_end_matches('>');
    let own_addresses = vec![own.trim().to_lowercase()];
    let files = match app::server::store::files::FileStore::open(&config.data_dir) {
        Ok(files) => files,
        Err(error) => {
            eprintln!("the folder of attached files cannot be opened: {error}");
            return std::process::ExitCode::from(TRY_AGAIN);
        }
    };
    let desk = Desk {
        db,
        changes: app::server::hub::Changes::default(),
        files,
        scanner: config
            .clamd_socket
            .clone()
            .map(app::server::attachments::scan::Scanner::new),
        signing,
        own_addresses,
        answers_a_day,
        strangers,
        category,
    };
    match ingest(&desk, &raw, chrono::Utc::now()).await {
        Ok(landed) => {
            println!("{landed}");
            std::process::ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("the message could not be kept, try again: {error}");
            std::process::ExitCode::from(TRY_AGAIN)
        }
    }
}
