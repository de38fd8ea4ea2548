//! A throwaway IMAP server for the tests: Debian's Dovecot (installed by
//! `scripts/setup.sh --test`), run in the foreground from a temporary folder
//! with its own configuration, one user (`desk`, password in a file) and a
//! Maildir, listening on a free port of 127.0.0.1 without TLS. Messages are put
//! in with APPEND and read back over IMAP, as a mail client would.

use async_imap::Client;
use futures::TryStreamExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;
use tokio::net::TcpStream;

pub const USER: &str = "desk";
const PASSWORD: &str = "desk-password";

pub struct ImapServer {
    child: Child,
    pub port: u16,
    dir: TempDir,
}

impl ImapServer {
    pub fn start() -> ImapServer {
        let dir = TempDir::new().expect("temporary directory");
        let root = dir.path();
        let owner = |what: &str| -> u32 {
            let out = Command::new("id")
                .args([what, "dovecot"])
                .output()
                .expect("id runs");
            String::from_utf8_lossy(&out.stdout)
                .trim()
                .parse()
                .expect("Dovecot's user exists (scripts/setup.sh --test installs it)")
        };
        let (uid, gid) = (owner("-u"), owner("-g"));
        for folder in ["run/state", "mail"] {
            std::fs::create_dir_all(root.join(folder)).unwrap();
        }
        std::os::unix::fs::chown(root.join("mail"), Some(uid), Some(gid)).unwrap();
        std::fs::write(root.join("users"), format!("{USER}:{{PLAIN}}{PASSWORD}\n")).unwrap();
        let port = free_port();
        let r = root.display();
        // Dovecot notices new mail in IDLE by inotify, and otherwise looks every
        // `mailbox_idle_check_interval` (30 s by default): a message delivered
        // just before the reader entered IDLE once waited that long here.
        let conf = format!(
            "base_dir = {r}/run\nstate_dir = {r}/run/state\nlog_path = {r}/dovecot.log\n\
             listen = 127.0.0.1\nprotocols = imap\nssl = no\ndisable_plaintext_auth = no\n\
             auth_mechanisms = plain login\nfirst_valid_uid = 1\n\
             mail_location = maildir:{r}/mail/%u\n\
             mailbox_idle_check_interval = 1 secs\n\
             default_internal_user = dovecot\ndefault_login_user = dovenull\n\
             service imap-login {{\n  chroot =\n  inet_listener imap {{\n    \
             address = 127.0.0.1\n    port = {port}\n  }}\n  inet_listener imaps {{\n    \
             port = 0\n  }}\n}}\nservice anvil {{\n  chroot =\n}}\n\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {r}/users\n}}\n\
             userdb {{\n  driver = static\n  args = uid={uid} gid={gid} home={r}/mail/%u\n}}\n"
        );
        std::fs::write(root.join("dovecot.conf"), conf).unwrap();
        let child = Command::new("/usr/sbin/dovecot")
            .arg("-F")
            .arg("-c")
            .arg(root.join("dovecot.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Dovecot starts (scripts/setup.sh --test installs dovecot-imapd)");
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "Dovecot did not listen: {}",
                std::fs::read_to_string(root.join("dovecot.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        ImapServer { child, port, dir }
    }

    /// What the portal is configured with.
    pub fn url(&self) -> String {
        format!("imap://{USER}@127.0.0.1:{}/INBOX?tls=none", self.port)
    }

    /// A file holding the password, for `PORTAL_IMAP_PASSWORD_FILE`.
    pub fn password_file(&self) -> std::path::PathBuf {
        let file = self.dir.path().join("password");
        std::fs::write(&file, format!("{PASSWORD}\n")).unwrap();
        file
    }

    async fn session(&self) -> async_imap::Session<TcpStream> {
        let tcp = TcpStream::connect(("127.0.0.1", self.port)).await.unwrap();
        let mut client = Client::new(tcp);
        client.read_response().await.unwrap();
        let mut session = client.login(USER, PASSWORD).await.map_err(|e| e.0).unwrap();
        session.select("INBOX").await.unwrap();
        session
    }

    /// Delivers `raw` to the desk's mailbox, unread.
    pub async fn deliver(&self, raw: &[u8]) {
        let mut session = self.session().await;
        session
            .append("INBOX", None, None, raw)
            .await
            .expect("APPEND");
        session.logout().await.ok();
    }

    /// How many messages of the mailbox are still unread.
    pub async fn unseen(&self) -> usize {
        let mut session = self.session().await;
        let found = session.uid_search("UNSEEN").await.unwrap().len();
        session.logout().await.ok();
        found
    }

    /// How many messages the mailbox holds, read or not.
    pub async fn count(&self) -> usize {
        let mut session = self.session().await;
        let all: Vec<_> = session
            .uid_fetch("1:*", "FLAGS")
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap_or_default();
        session.logout().await.ok();
        all.len()
    }
}

impl Drop for ImapServer {
    fn drop(&mut self) {
        // SIGTERM: Dovecot's master then stops the processes it started.
        if let Ok(pid) = i32::try_from(self.child.id()) {
            // SAFETY: sends a signal to our own child process.
            unsafe {
                libc::kill(pid, libc::SIGTERM);
            }
        }
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
