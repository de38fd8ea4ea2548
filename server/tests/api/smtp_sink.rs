//! A throwaway SMTP server for the tests and benchmarks: `smtp_sink.py` (Debian's
//! aiosmtpd, run by /usr/bin/python3) on a free port, storing what it accepts in
//! a Maildir of a temporary folder; and a delivered message, read by a real MIME
//! parser. Included by the benchmarks with `#[path]`.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

const PYTHON: &str = "/usr/bin/python3";

/// An SMTP server of its own, stopped when dropped. Recipients starting with
/// "refused" are answered 550, with "busy" 451.
pub struct SmtpSink {
    dir: TempDir,
    child: Option<Child>,
    pub port: u16,
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        let dir = tempfile::Builder::new().prefix("smtp").tempdir().unwrap();
        let mut sink = SmtpSink {
            dir,
            child: None,
            port: 0,
        };
        sink.run();
        sink
    }

    fn maildir(&self) -> PathBuf {
        self.dir.path().join("Maildir")
    }

    /// Starts the server, on the port it had before if it had one.
    fn run(&mut self) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/smtp_sink.py");
        let mut child = Command::new(PYTHON)
            .arg(script)
            .arg(self.maildir())
            .arg(self.port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {PYTHON} (scripts/setup.sh --test): {e}"));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        self.port = line.trim().parse().unwrap_or_else(|_| {
            panic!("the SMTP sink did not start (python3-aiosmtpd missing?): {line:?}")
        });
        self.child = Some(child);
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Kills the server at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, with the same Maildir.
    pub fn restart(&mut self) {
        self.kill();
        self.run();
    }

    /// How many messages were delivered so far (without reading them).
    pub fn delivered_count(&self) -> usize {
        std::fs::read_dir(self.maildir().join("new")).map_or(0, |dir| dir.count())
    }

    /// Every message delivered so far.
    pub fn delivered(&self) -> Vec<Mail> {
        let mut files: Vec<_> = std::fs::read_dir(self.maildir().join("new"))
            .map(|dir| dir.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        files
            .into_iter()
            .filter_map(|path| std::fs::read(path).ok())
            .map(|raw| Mail { raw })
            .collect()
    }

    /// Waits until at least `count` messages were delivered (at most 30 s).
    pub async fn wait_for(&self, count: usize) -> Vec<Mail> {
        let start = Instant::now();
        loop {
            if self.delivered_count() >= count || start.elapsed() > Duration::from_secs(30) {
                return self.delivered();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A delivered message, read by a real MIME parser.
pub struct Mail {
    raw: Vec<u8>,
}

impl Mail {
    fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(&self.raw)
            .expect("a parseable message")
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.parsed().header_raw(name).map(|v| v.trim().to_string())
    }

    pub fn to(&self) -> String {
        self.header("X-Envelope-To").unwrap_or_default()
    }

    pub fn subject(&self) -> String {
        self.parsed().subject().unwrap_or_default().to_string()
    }

    pub fn message_id(&self) -> String {
        self.parsed().message_id().unwrap_or_default().to_string()
    }

    pub fn text(&self) -> String {
        self.parsed().body_text(0).unwrap_or_default().into_owned()
    }

    pub fn html(&self) -> String {
        self.parsed().body_html(0).unwrap_or_default().into_owned()
    }
}
