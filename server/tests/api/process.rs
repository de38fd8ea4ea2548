//! The real server binary, started as an operator starts it, for what only a
//! whole process shows: how much memory it holds, how it stops, and what a
//! kill in the middle of an upload leaves behind.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A server process on a port of its own choosing, stopped when dropped.
struct Running {
    child: Child,
    addr: String,
    dir: TempDir,
}

impl Running {
    fn start() -> Running {
        Running::start_in(TempDir::new().expect("temporary directory"))
    }

    /// A server on the data in `dir` (its `data` folder).
    fn start_in(dir: TempDir) -> Running {
        let site = dir.path().join("site");
        std::fs::create_dir_all(site.join("pkg")).expect("site folder");
        let style = "main { margin: 0 auto; }\n".repeat(800);
        std::fs::write(site.join("pkg/portal.css"), style).expect("a style sheet");
        let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .arg("--site-root")
            .arg(&site)
            .args(["--addr", "127.0.0.1:0", "--demo", "false", "--log", "info"])
            .env_remove("PORTAL_PUBLIC_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server starts");
        let stdout = child.stdout.take().expect("its output");
        let mut lines = BufReader::new(stdout).lines();
        let addr = loop {
            let line = lines
                .next()
                .expect("the server says where it listens")
                .expect("a line of output");
            if let Some((_, rest)) = line.split_once("portal listening on http://") {
                break rest
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_string();
            }
        };
        // Keep reading, so that the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Running { child, addr, dir }
    }

    /// Kills the process at once (SIGKILL: nothing is tidied); answers its
    /// folder, to start it again on.
    fn kill(mut self) -> TempDir {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let spare = TempDir::new().expect("temporary directory");
        std::mem::replace(&mut self.dir, spare)
    }

    /// The resident memory of the process, in MiB.
    fn resident_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the process status");
        let kib: f64 = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .expect("VmRSS");
        kib / 1024.0
    }

    /// Posts a form over a connection of its own; answers the status code.
    async fn post(&self, path: &str, body: &str) -> u16 {
        let mut stream = tokio::net::TcpStream::connect(&self.addr)
            .await
            .expect("a connection");
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nSec-Fetch-Site: same-origin\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        stream.write_all(request.as_bytes()).await.expect("sent");
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.expect("an answer");
        String::from_utf8_lossy(&answer)
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or(0)
    }
}

/// Reads one HTTP/1.1 response (headers and a `Content-Length` body) from a
/// kept-alive connection; answers its status code.
async fn read_response(stream: &mut tokio::io::BufReader<tokio::net::TcpStream>) -> u16 {
    use tokio::io::AsyncBufReadExt;
    let mut status_line = String::new();
    stream
        .read_line(&mut status_line)
        .await
        .expect("a status line");
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        stream.read_line(&mut line).await.expect("a header");
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().expect("a length");
            }
        }
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await.expect("the body");
    status_line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}

/// A response written as headers and body in two pieces once waited for the
/// client's delayed acknowledgement (40 ms on Linux) on every kept-alive
/// connection: 20 files took 800 ms. With `TCP_NODELAY` they take a few.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_files_over_one_kept_alive_connection_never_wait_for_delayed_acks() {
    let server = Running::start();
    let stream = tokio::net::TcpStream::connect(&server.addr)
        .await
        .expect("a connection");
    let mut stream = tokio::io::BufReader::new(stream);
    let request = format!(
        "GET /pkg/portal.css HTTP/1.1\r\nHost: {}\r\nAccept-Encoding: identity\r\n\r\n",
        server.addr
    );
    // One request first, so that start-up work does not count.
    stream
        .get_mut()
        .write_all(request.as_bytes())
        .await
        .unwrap();
    assert_eq!(read_response(&mut stream).await, 200);
    let mut took = Vec::new();
    for _ in 0..20 {
        let started = std::time::Instant::now();
        let sent = stream.get_mut().write_all(request.as_bytes()).await;
        sent.expect("sent");
        assert_eq!(read_response(&mut stream).await, 200);
        took.push(started.elapsed());
    }
    // A stall is one delayed acknowledgement (40 ms); without TCP_NODELAY at
    // least every other request stalls. A busy machine may slow one or two.
    let stalled = took
        .iter()
        .filter(|t| **t >= Duration::from_millis(35))
        .count();
    assert!(
        stalled < 4,
        "{stalled} of 20 kept-alive requests stalled: {took:?}"
    );
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Anonymous bursts of password work — made-up reset links and sign-ins to
/// accounts that do not exist, 40 at once, three times — once took the server
/// from 31 MiB to 2 GiB, and it kept most of that while idle. Links are looked
/// up before anything is hashed, limits refuse most of the rest, and the hashes
/// that do run (about 30 sign-ins) run on a fixed set of threads, so the memory
/// stays small.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bursts_of_anonymous_password_work_leave_the_server_under_250_mib() {
    let server = Running::start();
    let made_up = format!("/reset-password/{}", "A".repeat(43));
    let password =
        "new_password=correct+horse+battery+staple&confirm_password=correct+horse+battery+staple";
    let mut answers = Vec::new();
    for burst in 0..3 {
        let resets = (0..40).map(|_| server.post(&made_up, password));
        answers.extend(futures::future::join_all(resets).await);
        let sign_ins = (0..40).map(|n| {
            let body = format!("email=nobody{burst}x{n}%40example.com&password=guess&next=");
            let server = &server;
            async move { server.post("/sign-in", &body).await }
        });
        answers.extend(futures::future::join_all(sign_ins).await);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let resident = server.resident_mib();
    assert!(
        answers
            .iter()
            .all(|code| [401, 403, 429, 503].contains(code)),
        "every attempt refused: {answers:?}"
    );
    assert!(
        resident < 250.0,
        "{resident:.0} MiB resident after the bursts"
    );
}

/// A page listening for changes must not hold a shutdown up: at SIGTERM the
/// event hub stops, every open stream ends, and the process exits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_shutdown_open_streams_end_and_the_process_exits_within_a_second() {
    let mut server = Running::start();
    let stream = tokio::net::TcpStream::connect(&server.addr)
        .await
        .expect("a connection");
    let mut stream = tokio::io::BufReader::new(stream);
    let request = format!(
        "GET /events?topic=notices HTTP/1.1\r\nHost: {}\r\n\r\n",
        server.addr
    );
    stream
        .get_mut()
        .write_all(request.as_bytes())
        .await
        .unwrap();
    let mut status_line = String::new();
    tokio::io::AsyncBufReadExt::read_line(&mut stream, &mut status_line)
        .await
        .unwrap();
    assert!(status_line.contains(" 200 "), "{status_line}");

    let stopped = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(stopped.success());
    let started = std::time::Instant::now();
    let mut rest = Vec::new();
    let ended = tokio::time::timeout(Duration::from_secs(1), stream.read_to_end(&mut rest)).await;
    assert!(
        ended.is_ok(),
        "the stream is still open a second after SIGTERM"
    );
    let exited = loop {
        if let Some(status) = server.child.try_wait().expect("the process") {
            break Some(status);
        }
        if started.elapsed() > Duration::from_secs(1) {
            break None;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(
        exited.is_some_and(|status| status.success()),
        "the server had not exited cleanly a second after SIGTERM: {exited:?}"
    );
}

/// Every file under `folder`, recursively.
fn files_under(folder: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(folder).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

/// A server killed while a large file is half-way through its upload keeps
/// every file it acknowledged, and after the restart no row names a missing
/// file and no file lacks its row: the half-written upload is gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_in_the_middle_of_an_upload_leaves_no_row_without_its_file_nor_a_file_without_its_row(
) {
    let server = Running::start();
    let boundary = "cut-here-7d3f";
    let part = |name: &str, size: usize| {
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"summary\"\r\n\r\nVPN down\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n\
             Content-Type: text/plain\r\n\r\n{}\r\n--{boundary}--\r\n",
            "x".repeat(size)
        )
    };
    let request = |body_length: usize| {
        format!(
            "POST /report/incident HTTP/1.1\r\nHost: {}\r\nSec-Fetch-Site: same-origin\r\n\
             Content-Type: multipart/form-data; boundary={boundary}\r\n\
             Content-Length: {body_length}\r\nConnection: close\r\n\r\n",
            server.addr
        )
    };
    // One upload that completes: the form has problems (no service), and its
    // file is kept for the next submit — acknowledged, so it must survive.
    let whole = part("kept.log", 1024 * 1024);
    let mut stream = tokio::net::TcpStream::connect(&server.addr).await.unwrap();
    stream
        .write_all(request(whole.len()).as_bytes())
        .await
        .unwrap();
    stream.write_all(whole.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.starts_with("HTTP/1.1 422"),
        "{}",
        &answer[..200.min(answer.len())]
    );
    assert!(answer.contains("Already sent with this form"));

    // Half of a 20 MB file, then the kill while the server is writing it.
    let large = part("large.log", 20 * 1024 * 1024);
    let mut stream = tokio::net::TcpStream::connect(&server.addr).await.unwrap();
    stream
        .write_all(request(large.len()).as_bytes())
        .await
        .unwrap();
    stream
        .write_all(&large.as_bytes()[..large.len() / 2])
        .await
        .unwrap();
    let data = server.dir.path().join("data");
    let receiving = data.join("files/tmp");
    let started = std::time::Instant::now();
    while files_under(&receiving)
        .iter()
        .all(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0) < 5 * 1024 * 1024)
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the upload is being written"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let dir = server.kill();
    assert!(
        !files_under(&receiving).is_empty(),
        "killed half-way, a temporary file is left"
    );

    let server = Running::start_in(dir);
    let dir = server.kill();
    let data = dir.path().join("data");
    assert!(
        files_under(&data.join("files/tmp")).is_empty(),
        "no temporary file"
    );
    let db = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}?mode=ro",
        data.join("portal.sqlite3").display()
    ))
    .await
    .unwrap();
    let rows: Vec<(String, i64)> = sqlx::query_as("SELECT sha256, size FROM stored_files")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "the acknowledged upload, and only it");
    assert_eq!(rows[0].1, 1024 * 1024);
    let stored: Vec<std::path::PathBuf> = files_under(&data.join("files"));
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert!(stored[0].ends_with(format!("{}/{}", &rows[0].0[..2], rows[0].0)));
    assert_eq!(std::fs::metadata(&stored[0]).unwrap().len(), 1024 * 1024);
}

/// `server ingest-mail`, as a mail server pipes a message in: it lands (here,
/// with no service to log it in, it is kept for an admin) and the command says
/// so; a database that cannot be opened answers 75, so the mail server keeps
/// the message and tries again.
#[test]
fn ingest_mail_lands_a_piped_message_or_asks_the_mail_server_to_try_again() {
    let running = Running::start();
    let message = format!(
        "{}/tests/api/mail-corpus/18-new-issue.eml",
        env!("CARGO_MANIFEST_DIR")
    );
    let ingest = |data_dir: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_server"))
            .arg("--data-dir")
            .arg(data_dir)
            .args(["--mail-from", "IT Help <help@portal.test>", "ingest-mail"])
            .stdin(std::fs::File::open(&message).expect("the corpus message"))
            .output()
            .expect("the command runs")
    };
    let landed = ingest(&running.dir.path().join("data"));
    assert!(landed.status.success(), "{landed:?}");
    assert_eq!(
        String::from_utf8_lossy(&landed.stdout).trim(),
        "kept for an admin: it could not be read or landed"
    );

    let blocked = running.dir.path().join("not-a-directory");
    std::fs::write(&blocked, "a file where the data directory should be").unwrap();
    let failed = ingest(&blocked.join("data"));
    assert_eq!(failed.status.code(), Some(75), "{failed:?}");
}
