//! The real server binary, started as an operator starts it, for what only a
//! whole process shows: how much memory it holds.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A server process on a port of its own choosing, stopped when dropped.
struct Running {
    child: Child,
    addr: String,
    _dir: TempDir,
}

impl Running {
    fn start() -> Running {
        let dir = TempDir::new().expect("temporary directory");
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
        Running {
            child,
            addr,
            _dir: dir,
        }
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
