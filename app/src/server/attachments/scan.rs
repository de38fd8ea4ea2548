//! Virus scanning through a ClamAV daemon (`clamd`), when its socket is
//! configured (`PORTAL_CLAMD_SOCKET`).
//!
//! A file is scanned while it is received, before it is stored: a file the
//! scanner finds a threat in is refused by name and never stored. When clamd
//! cannot be reached, the file is stored as *pending* and not handed out; a
//! worker ([`spawn_scanning`]) scans waiting files until each has a verdict.
//! The verdict belongs to the content, so a file attached twice is scanned once.
//!
//! The protocol is clamd's `INSTREAM`: `zINSTREAM\0`, then chunks each led by
//! its length as four big-endian bytes, then a chunk of length zero; clamd
//! answers `stream: OK\0`, `stream: <name> FOUND\0` or `… ERROR\0`.

use crate::domain::Scan;
use crate::server::store::attachments;
use crate::server::store::db::Db;
use crate::server::store::files::{ContentHash, FileStore};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;

/// The longest a scan may take, from connecting to the verdict.
const SCAN_TIMEOUT: Duration = Duration::from_secs(120);
/// How much of a file is sent to clamd at a time.
const CHUNK: usize = 256 * 1024;
/// How often the worker looks for files waiting for a scan.
const LOOK_EVERY: Duration = Duration::from_secs(5);
/// How many waiting files the worker takes at a time.
const BATCH: i64 = 20;

/// A ClamAV daemon, reached through its unix socket.
#[derive(Clone, Debug)]
pub struct Scanner {
    socket: PathBuf,
}

/// What the scanner said about a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Clean,
    /// It found a threat, by the name of its signature.
    Infected(String),
}

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("cannot reach clamd: {0}")]
    Unreachable(#[from] std::io::Error),
    #[error("clamd did not answer within {} s", SCAN_TIMEOUT.as_secs())]
    Timeout,
    /// clamd answered with an error (for a file larger than its
    /// `StreamMaxLength`, "INSTREAM size limit exceeded").
    #[error("clamd could not scan the file: {0}")]
    Failed(String),
}

impl Scanner {
    pub fn new(socket: impl Into<PathBuf>) -> Scanner {
        Scanner {
            socket: socket.into(),
        }
    }

    /// Whether clamd answers at all.
    pub async fn ping(&self) -> Result<(), ScanError> {
        let answer = self.ask(b"zPING\0", None).await?;
        if answer == "PONG" {
            Ok(())
        } else {
            Err(ScanError::Failed(answer))
        }
    }

    /// Scans the file at `path`.
    pub async fn scan(&self, path: &Path) -> Result<Verdict, ScanError> {
        let answer = self.ask(b"zINSTREAM\0", Some(path)).await?;
        verdict(&answer)
    }

    async fn ask(&self, command: &[u8], file: Option<&Path>) -> Result<String, ScanError> {
        let exchange = async {
            let mut stream = UnixStream::connect(&self.socket).await?;
            stream.write_all(command).await?;
            if let Some(path) = file {
                // clamd closes the connection when a stream is over its limit;
                // its answer still waits to be read.
                if let Err(error) = send_file(&mut stream, path).await {
                    if error.kind() != std::io::ErrorKind::BrokenPipe
                        && error.kind() != std::io::ErrorKind::ConnectionReset
                    {
                        return Err(error);
                    }
                }
            }
            let mut answer = Vec::new();
            stream.read_to_end(&mut answer).await?;
            Ok::<_, std::io::Error>(answer)
        };
        let answer = tokio::time::timeout(SCAN_TIMEOUT, exchange)
            .await
            .map_err(|_| ScanError::Timeout)??;
        let answer = answer.split(|b| *b == 0).next().unwrap_or_default();
        Ok(String::from_utf8_lossy(answer).trim().to_string())
    }
}

async fn send_file(stream: &mut UnixStream, path: &Path) -> std::io::Result<()> {
    let mut file = tokio::fs::File::open(path).await?;
    let mut buffer = vec![0u8; CHUNK];
    loop {
        let read = file.read(&mut buffer).await?;
        let length = u32::try_from(read).map_err(std::io::Error::other)?;
        stream.write_all(&length.to_be_bytes()).await?;
        if read == 0 {
            return stream.flush().await;
        }
        stream.write_all(&buffer[..read]).await?;
    }
}

/// Reads clamd's answer to `INSTREAM`.
fn verdict(answer: &str) -> Result<Verdict, ScanError> {
    let answer = answer.strip_prefix("stream:").unwrap_or(answer).trim();
    if answer == "OK" {
        Ok(Verdict::Clean)
    } else if let Some(found) = answer.strip_suffix(" FOUND") {
        Ok(Verdict::Infected(found.trim().to_string()))
    } else {
        Err(ScanError::Failed(answer.to_string()))
    }
}

/// Scans a file as it is received: its verdict, or `Pending` when the scanner
/// cannot give one now (the worker tries again). Without a scanner, every
/// file is `Unscanned`.
pub async fn while_receiving(scanner: Option<&Scanner>, path: &Path) -> Result<Scan, String> {
    let Some(scanner) = scanner else {
        return Ok(Scan::Unscanned);
    };
    match scanner.scan(path).await {
        Ok(Verdict::Clean) => Ok(Scan::Clean),
        Ok(Verdict::Infected(found)) => {
            tracing::warn!(%found, "the virus scanner refused an upload");
            Err(found)
        }
        Err(error) => {
            tracing::warn!(%error, "a file waits for the virus scanner");
            Ok(Scan::Pending)
        }
    }
}

/// Scans the files waiting for a verdict, every few seconds, for as long as
/// the portal runs.
pub fn spawn_scanning(db: Db, files: FileStore, scanner: Scanner) {
    tokio::spawn(async move {
        let mut reachable = true;
        loop {
            match scan_waiting(&db, &files, &scanner).await {
                Ok(_) => {
                    if !reachable {
                        tracing::info!("the virus scanner answers again");
                    }
                    reachable = true;
                }
                Err(WorkerError::Scan(error)) => {
                    if reachable {
                        tracing::error!(%error, "files wait: the virus scanner cannot scan them");
                    }
                    reachable = false;
                }
                Err(WorkerError::Database(error)) => {
                    tracing::error!(%error, "cannot look for files waiting for a scan");
                }
            }
            tokio::time::sleep(LOOK_EVERY).await;
        }
    });
}

#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error(transparent)]
    Scan(#[from] ScanError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Scans every file waiting for a verdict and records each; answers how many
/// were settled. Stops when the scanner cannot be reached; a file it cannot
/// scan (larger than clamd's `StreamMaxLength`) is named in the log and waits.
pub async fn scan_waiting(
    db: &Db,
    files: &FileStore,
    scanner: &Scanner,
) -> Result<usize, WorkerError> {
    let mut settled = 0;
    let mut after = String::new();
    loop {
        let waiting = {
            let mut conn = db.reader.acquire().await?;
            attachments::waiting_for_scan(&mut conn, &after, BATCH).await?
        };
        let Some(last) = waiting.last() else {
            return Ok(settled);
        };
        after = last.clone();
        for sha256 in &waiting {
            let Some(hash) = ContentHash::parse(sha256) else {
                continue;
            };
            let (scan, found) = match scanner.scan(&files.path(&hash)).await {
                Ok(Verdict::Clean) => (Scan::Clean, None),
                Ok(Verdict::Infected(found)) => {
                    tracing::warn!(%found, "the virus scanner found a threat in a stored file");
                    (Scan::Infected, Some(found))
                }
                Err(ScanError::Failed(why)) => {
                    tracing::error!(file = %sha256, %why, "clamd cannot scan a stored file; it waits");
                    continue;
                }
                Err(error) => return Err(error.into()),
            };
            let mut conn = db.writer.acquire().await?;
            attachments::record_verdict(&mut conn, sha256, scan, found.as_deref()).await?;
            settled += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamds_answers_are_read_as_verdicts() {
        assert_eq!(verdict("stream: OK").unwrap(), Verdict::Clean);
        assert_eq!(
            verdict("stream: Eicar-Test-Signature.UNOFFICIAL FOUND").unwrap(),
            Verdict::Infected("Eicar-Test-Signature.UNOFFICIAL".into())
        );
        assert!(matches!(
            verdict("INSTREAM size limit exceeded. ERROR"),
            Err(ScanError::Failed(_))
        ));
    }
}
