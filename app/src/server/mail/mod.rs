//! E-mail out: the SMTP server the portal hands its messages to, read from the
//! settings, and the delivery worker (`deliver`) that empties the outbox into it.
//! What a message looks like on the wire is `compose`.
//!
//! Without an SMTP server configured, nothing here runs: messages wait in the
//! outbox, which admins read at `/admin/outbox`.

pub mod compose;
pub mod deliver;
pub mod token;

use crate::domain::Backoff;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, Tokio1Executor};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use token::SigningKey;
use tokio::sync::Notify;

/// How mail leaves the portal, as configured.
#[derive(Clone, Debug, Default)]
pub struct MailSettings {
    /// `PORTAL_SMTP_URL`: `smtp://user@host:port` (with `?tls=required` or
    /// `?tls=opportunistic`), or `smtps://` for TLS from the first byte.
    pub smtp_url: String,
    /// `PORTAL_SMTP_PASSWORD_FILE`: the file holding the SMTP password, so no
    /// password sits in the environment or the URL.
    pub password_file: Option<PathBuf>,
    /// `PORTAL_MAIL_FROM`: `IT Help <help@example.com>`.
    pub from: String,
    /// When a message that failed for the moment is tried again.
    pub backoff: Backoff,
}

/// A setting that cannot be used; each names the setting, never the password.
#[derive(Debug, thiserror::Error)]
pub enum MailSetupError {
    #[error("PORTAL_SMTP_URL cannot be used: {0}")]
    Url(String),
    #[error(
        "PORTAL_SMTP_URL must not carry the password: put it in a file and name the file \
         in PORTAL_SMTP_PASSWORD_FILE"
    )]
    PasswordInUrl,
    #[error("PORTAL_SMTP_PASSWORD_FILE cannot be read ({path}): {error}")]
    PasswordFile { path: String, error: std::io::Error },
    #[error(
        "PORTAL_SMTP_PASSWORD_FILE is set but PORTAL_SMTP_URL names no user \
         (smtp://user@host:port)"
    )]
    NoUser,
    #[error("PORTAL_MAIL_FROM is required when PORTAL_SMTP_URL is set, as in IT Help <help@example.com>")]
    NoSender,
    #[error("PORTAL_MAIL_FROM cannot be used ({0}): write it as IT Help <help@example.com>")]
    Sender(String),
}

/// The SMTP server messages are handed to, and the sender they come from.
/// Cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The server and sender in words, without the password.
    description: String,
    backoff: Arc<Backoff>,
    wake: Arc<Notify>,
    signing: Arc<SigningKey>,
}

/// How long one SMTP conversation may take before it counts as a temporary
/// failure.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

impl Mailer {
    /// Reads the settings; a malformed one is an error naming it.
    pub fn open(settings: &MailSettings) -> Result<Mailer, MailSetupError> {
        let url = url::Url::parse(&settings.smtp_url).map_err(|e| {
            MailSetupError::Url(format!(
                "{e}; write it as smtp://user@host:587?tls=required"
            ))
        })?;
        if url.password().is_some() {
            return Err(MailSetupError::PasswordInUrl);
        }
        let user = percent_decode(url.username())?;
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.smtp_url)
            .map_err(|e| MailSetupError::Url(e.to_string()))?
            .timeout(Some(SMTP_TIMEOUT))
            .pool_config(
                PoolConfig::new()
                    .max_size(4)
                    .idle_timeout(Duration::from_secs(30)),
            );
        if let Some(path) = &settings.password_file {
            if user.is_empty() {
                return Err(MailSetupError::NoUser);
            }
            let password =
                std::fs::read_to_string(path).map_err(|error| MailSetupError::PasswordFile {
                    path: path.display().to_string(),
                    error,
                })?;
            let password = password.trim_end_matches(['\r', '\n']).to_string();
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        if settings.from.trim().is_empty() {
            return Err(MailSetupError::NoSender);
        }
        let from: Mailbox = settings
            .from
            .trim()
            .parse()
            .map_err(|e: lettre::address::AddressError| MailSetupError::Sender(e.to_string()))?;
        let host = url.host_str().unwrap_or_default();
        let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
        let who = if user.is_empty() {
            String::new()
        } else {
            format!("{user}@")
        };
        let tls = match (url.scheme(), url.query_pairs().find(|(k, _)| k == "tls")) {
            ("smtps", _) => " (TLS)",
            (_, Some((_, v))) if v == "required" => " (STARTTLS required)",
            (_, Some(_)) => " (STARTTLS when offered)",
            _ => " (no TLS)",
        };
        Ok(Mailer {
            transport: builder.build(),
            description: format!("{}://{who}{host}{port}{tls} as {from}", url.scheme()),
            from,
            backoff: Arc::new(settings.backoff.clone()),
            wake: Arc::new(Notify::new()),
            // Replaced by the stored key at start (`signing_with`); until then
            // a random one, under which no reply finds its ticket.
            signing: Arc::new(SigningKey::new(rand_key())),
        })
    }

    /// The server and sender in words, for the delivery log; never the password.
    pub fn description(&self) -> &str {
        &self.description
    }

    pub fn from(&self) -> &Mailbox {
        &self.from
    }

    pub fn backoff(&self) -> &Backoff {
        &self.backoff
    }

    /// Tells the delivery worker to look for due messages now (after a commit
    /// that queued one), instead of at its next round.
    /// Signs Message-IDs with `key` (the portal's, from the database).
    pub fn signing_with(mut self, key: SigningKey) -> Mailer {
        self.signing = Arc::new(key);
        self
    }

    pub fn signing(&self) -> &SigningKey {
        &self.signing
    }

    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Whether the SMTP server answers now.
    pub async fn reachable(&self) -> Result<(), lettre::transport::smtp::Error> {
        self.transport.test_connection().await.map(drop)
    }
}

fn rand_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    // Without the system's randomness the key is all zeros: replies then find
    // no ticket until the stored key is set, nothing worse.
    let _ = getrandom::fill(&mut key);
    key
}

fn percent_decode(raw: &str) -> Result<String, MailSetupError> {
    percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| MailSetupError::Url("the user name is not UTF-8".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(url: &str, from: &str) -> Result<Mailer, MailSetupError> {
        Mailer::open(&MailSettings {
            smtp_url: url.into(),
            from: from.into(),
            ..MailSettings::default()
        })
    }

    /// (A runtime, because the SMTP connection pool lives on one.)
    #[tokio::test]
    async fn settings_are_read_and_each_bad_one_is_named() {
        let mailer = open(
            "smtp://desk@mail.example.com:587?tls=required",
            "IT Help <help@example.com>",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            mailer.description(),
            "smtp://desk@mail.example.com:587 (STARTTLS required) as IT Help <help@example.com>"
        );
        let named = |url: &str, from: &str| {
            open(url, from)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert!(named("mail.example.com", "a@example.com").starts_with("PORTAL_SMTP_URL"));
        assert!(named("ftp://mail.example.com", "a@example.com").starts_with("PORTAL_SMTP_URL"));
        let leaked = named("smtp://desk:hunter2@mail.example.com", "a@example.com");
        assert!(leaked.contains("PORTAL_SMTP_PASSWORD_FILE") && !leaked.contains("hunter2"));
        assert!(named("smtp://mail.example.com", "").starts_with("PORTAL_MAIL_FROM"));
        assert!(named("smtp://mail.example.com", "IT Help").starts_with("PORTAL_MAIL_FROM"));
    }
}
