//! The desk's mailbox, read over IMAP (`async-imap` on tokio): every unread
//! message is fetched without marking it, landed (`super::land::ingest`),
//! and only then marked read (`\Seen`). A message whose landing failed stays
//! unread and is read again on the next round; one landed twice (the mark was
//! lost in a crash) is recognised by its Message-ID. Between rounds the reader
//! waits in IDLE when the server offers it (a new message wakes it at once),
//! else it looks again after `PORTAL_IMAP_POLL_SECONDS`.
//!
//! `PORTAL_IMAP_URL`: `imaps://user@host:993/INBOX` (TLS from the first byte),
//! `imap://user@host:143/INBOX` (STARTTLS, required), or
//! `imap://user@127.0.0.1:1143/INBOX?tls=none` (no TLS: for a server on this
//! machine only). The password is read from `PORTAL_IMAP_PASSWORD_FILE`.

use super::land::{ingest, Desk, Landed};
use crate::server::hub::Changes;
use async_imap::extensions::idle::IdleResponse;
use async_imap::Client;
use futures::TryStreamExt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// How mail reaches the desk: the mailbox it reads, and how often it answers
/// one sender.
#[derive(Clone, Debug, Default)]
pub struct InboundSettings {
    pub imap: ImapSettings,
    /// Automatic answers (ticket logged, refusals) to one sender in a day.
    pub answers_a_day: u32,
    /// What a reply from someone who is neither reporter nor follower does.
    pub strangers: super::land::Strangers,
    /// Where other mail is logged (`PORTAL_MAIL_CATEGORY`).
    pub category: Option<(String, String)>,
}

/// The settings of the mailbox, as given.
#[derive(Clone, Debug, Default)]
pub struct ImapSettings {
    pub url: String,
    pub password_file: Option<PathBuf>,
    /// How long to wait between looks when the server has no IDLE (and at most
    /// in IDLE before looking anyway).
    pub poll: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum ImapSetupError {
    #[error("PORTAL_IMAP_URL cannot be used: {0}")]
    Url(String),
    #[error(
        "PORTAL_IMAP_URL must not carry the password: put it in a file and name the file \
         in PORTAL_IMAP_PASSWORD_FILE"
    )]
    PasswordInUrl,
    #[error("PORTAL_IMAP_PASSWORD_FILE is required with PORTAL_IMAP_URL")]
    NoPassword,
    #[error("PORTAL_IMAP_PASSWORD_FILE cannot be read ({path}): {error}")]
    PasswordFile { path: String, error: std::io::Error },
    #[error("PORTAL_IMAP_URL names no user: write it as imaps://user@host:993/INBOX")]
    NoUser,
    #[error("PORTAL_IMAP_URL: ?tls=none is only for a server on this machine (127.0.0.1, ::1, localhost)")]
    PlainRemote,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tls {
    /// `imaps://`: TLS from the first byte.
    Implicit,
    /// `imap://`: STARTTLS, required.
    StartTls,
    /// `imap://…?tls=none`: plain text, loopback only.
    None,
}

/// The desk's mailbox, ready to be read.
#[derive(Clone)]
pub struct Mailbox {
    host: String,
    port: u16,
    tls: Tls,
    user: String,
    password: Arc<String>,
    folder: String,
    poll: Duration,
}

impl std::fmt::Debug for Mailbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.description())
    }
}

impl Mailbox {
    /// Checks the settings (a problem names the setting, never the password).
    pub fn open(settings: &ImapSettings) -> Result<Mailbox, ImapSetupError> {
        let url = url::Url::parse(&settings.url).map_err(|e| {
            ImapSetupError::Url(format!("{e}; write it as imaps://user@host:993/INBOX"))
        })?;
        if url.password().is_some() {
            return Err(ImapSetupError::PasswordInUrl);
        }
        let plain = url.query_pairs().any(|(k, v)| k == "tls" && v == "none");
        let (tls, default_port) = match (url.scheme(), plain) {
            ("imaps", false) => (Tls::Implicit, 993),
            ("imap", false) => (Tls::StartTls, 143),
            ("imap", true) => (Tls::None, 143),
            ("imaps", true) => {
                return Err(ImapSetupError::Url(
                    "imaps:// is TLS: leave out ?tls=none".into(),
                ))
            }
            (other, _) => {
                return Err(ImapSetupError::Url(format!(
                    "the scheme is {other}; use imaps:// or imap://"
                )))
            }
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| ImapSetupError::Url("it names no host".into()))?
            .trim_matches(['[', ']'])
            .to_string();
        if tls == Tls::None && !["127.0.0.1", "::1", "localhost"].contains(&host.as_str()) {
            return Err(ImapSetupError::PlainRemote);
        }
        let user = percent_encoding::percent_decode_str(url.username())
            .decode_utf8()
            .map_err(|_| ImapSetupError::Url("the user name is not UTF-8".into()))?
            .into_owned();
        if user.is_empty() {
            return Err(ImapSetupError::NoUser);
        }
        let path = settings
            .password_file
            .as_ref()
            .ok_or(ImapSetupError::NoPassword)?;
        let password =
            std::fs::read_to_string(path).map_err(|error| ImapSetupError::PasswordFile {
                path: path.display().to_string(),
                error,
            })?;
        let folder = percent_encoding::percent_decode_str(url.path().trim_start_matches('/'))
            .decode_utf8()
            .map_err(|_| ImapSetupError::Url("the folder is not UTF-8".into()))?
            .into_owned();
        Ok(Mailbox {
            host,
            port: url.port().unwrap_or(default_port),
            tls,
            user,
            password: Arc::new(password.trim_end_matches(['\r', '\n']).to_string()),
            folder: if folder.is_empty() {
                "INBOX".into()
            } else {
                folder
            },
            poll: if settings.poll.is_zero() {
                Duration::from_secs(60)
            } else {
                settings.poll
            },
        })
    }

    /// "imaps://desk@mail.example.com:993/INBOX", for the log.
    pub fn description(&self) -> String {
        let scheme = if self.tls == Tls::Implicit {
            "imaps"
        } else {
            "imap"
        };
        let plain = if self.tls == Tls::None {
            " (no TLS)"
        } else {
            ""
        };
        format!(
            "{scheme}://{}@{}:{}/{}{plain}",
            self.user, self.host, self.port, self.folder
        )
    }

    /// The mailbox's own address, when its user name is one.
    pub fn address(&self) -> Option<String> {
        self.user.contains('@').then(|| self.user.to_lowercase())
    }
}

/// A connection, with or without TLS.
trait Io: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug> Io for T {}
type Session = async_imap::Session<Box<dyn Io>>;

#[derive(Debug, thiserror::Error)]
enum ReadError {
    #[error("cannot connect: {0}")]
    Connect(#[from] std::io::Error),
    #[error("the server said: {0}")]
    Imap(#[from] async_imap::error::Error),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("the server closed the connection")]
    Closed,
}

/// Starts reading the mailbox; it stops when the hub stops. Each failure is
/// logged and the connection made again after a pause (5 s, growing to 2 min).
pub fn spawn_reading(desk: Desk, mailbox: Mailbox, changes: Changes) {
    tokio::spawn(async move {
        let mut stopping = changes.stopping();
        let mut pause = Duration::from_secs(5);
        loop {
            let outcome = tokio::select! {
                outcome = read(&desk, &mailbox) => outcome,
                _ = stopping.changed() => return,
            };
            if let Err(error) = outcome {
                tracing::warn!(mailbox = %mailbox.description(), %error, retry_in = ?pause,
                    "cannot read the desk's mailbox");
            }
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = stopping.changed() => return,
            }
            pause = (pause * 2).min(Duration::from_secs(120));
        }
    });
}

/// One connection: rounds of reading until something fails.
async fn read(desk: &Desk, mailbox: &Mailbox) -> Result<(), ReadError> {
    let mut session = connect(mailbox).await?;
    let idle = session.capabilities().await?.has_str("IDLE");
    session.select(&mailbox.folder).await?;
    tracing::info!(mailbox = %mailbox.description(), idle, "reading the desk's mailbox");
    loop {
        read_unseen(desk, &mut session).await?;
        if idle {
            let mut waiting = session.idle();
            waiting.init().await?;
            let (heard, _stop) =
                waiting.wait_with_timeout(mailbox.poll.min(Duration::from_secs(25 * 60)));
            let heard = heard.await?;
            if let IdleResponse::NewData(_) = heard {
                tracing::debug!("the mailbox changed");
            }
            session = waiting.done().await?;
        } else {
            tokio::time::sleep(mailbox.poll).await;
            session.noop().await?;
        }
    }
}

/// Lands every unread message, oldest first, and marks each read once landed.
async fn read_unseen(desk: &Desk, session: &mut Session) -> Result<(), ReadError> {
    let mut unseen: Vec<u32> = session.uid_search("UNSEEN").await?.into_iter().collect();
    unseen.sort_unstable();
    for uid in unseen {
        let raw = {
            let fetched: Vec<_> = session
                .uid_fetch(uid.to_string(), "BODY.PEEK[]")
                .await?
                .try_collect()
                .await?;
            fetched.iter().find_map(|f| f.body().map(<[u8]>::to_vec))
        };
        let Some(raw) = raw else {
            continue;
        };
        match ingest(desk, &raw, chrono::Utc::now()).await {
            Ok(landed) => {
                log_landed(uid, &landed);
                let marked: Vec<_> = session
                    .uid_store(uid.to_string(), "+FLAGS (\\Seen)")
                    .await?
                    .try_collect()
                    .await?;
                drop(marked);
            }
            Err(error) => {
                // Left unread: read again on the next round.
                tracing::error!(uid, %error, "mail not landed; it stays in the mailbox");
            }
        }
    }
    Ok(())
}

fn log_landed(uid: u32, landed: &Landed) {
    tracing::info!(uid, %landed, "mail read from the desk's mailbox");
}

async fn connect(mailbox: &Mailbox) -> Result<Session, ReadError> {
    let tcp = TcpStream::connect((mailbox.host.as_str(), mailbox.port)).await?;
    let stream: Box<dyn Io> = match mailbox.tls {
        Tls::Implicit => Box::new(tls(&mailbox.host, tcp).await?),
        Tls::None => Box::new(tcp),
        Tls::StartTls => {
            let mut client = Client::new(tcp);
            client.read_response().await?.ok_or(ReadError::Closed)?;
            client.run_command_and_check_ok("STARTTLS", None).await?;
            Box::new(tls(&mailbox.host, client.into_inner()).await?)
        }
    };
    let mut client = Client::new(stream);
    if mailbox.tls != Tls::StartTls {
        client.read_response().await?.ok_or(ReadError::Closed)?;
    }
    client
        .login(&mailbox.user, mailbox.password.as_str())
        .await
        .map_err(|(error, _)| ReadError::Imap(error))
}

async fn tls(
    host: &str,
    tcp: TcpStream,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, ReadError> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| ReadError::Tls(e.to_string()))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from(host.to_string())
        .map_err(|e| ReadError::Tls(e.to_string()))?;
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(ReadError::Connect)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(url: &str, password: Option<&str>) -> Result<Mailbox, ImapSetupError> {
        let dir = tempfile::TempDir::new().unwrap();
        let file = dir.path().join("password");
        if let Some(password) = password {
            std::fs::write(&file, format!("{password}\n")).unwrap();
        }
        Mailbox::open(&ImapSettings {
            url: url.into(),
            password_file: Some(file),
            poll: Duration::ZERO,
        })
    }

    #[test]
    fn the_mailbox_setting_is_read_or_refused_naming_the_setting() {
        let ok = open(
            "imaps://desk%40example.com@mail.example.com/Help%20desk",
            Some("pw"),
        )
        .unwrap();
        assert_eq!(
            ok.description(),
            "imaps://desk@example.com@mail.example.com:993/Help desk"
        );
        assert_eq!(ok.address().as_deref(), Some("desk@example.com"));
        assert_eq!(
            ok.password.as_str(),
            "pw",
            "the line break is not part of it"
        );
        assert_eq!(
            open("imap://desk@mail.example.com", Some("pw"))
                .unwrap()
                .port,
            143
        );
        assert_eq!(
            open("imap://desk@127.0.0.1:1143/INBOX?tls=none", Some("pw"))
                .unwrap()
                .description(),
            "imap://desk@127.0.0.1:1143/INBOX (no TLS)"
        );
        for (url, said) in [
            (
                "imap://desk:secret@mail.example.com",
                "must not carry the password",
            ),
            ("imap://mail.example.com", "names no user"),
            ("pop3://desk@mail.example.com", "use imaps:// or imap://"),
            (
                "imap://desk@mail.example.com?tls=none",
                "only for a server on this machine",
            ),
            ("not a url", "PORTAL_IMAP_URL"),
        ] {
            let error = open(url, Some("pw")).unwrap_err().to_string();
            assert!(error.contains(said), "{url}: {error}");
            assert!(!error.contains("secret"), "{error}");
        }
        let missing = open("imaps://desk@mail.example.com", None).unwrap_err();
        assert!(missing.to_string().contains("PORTAL_IMAP_PASSWORD_FILE"));
    }
}
