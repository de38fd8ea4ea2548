//! Virus scanning with a real ClamAV daemon: a throwaway `clamd` started in a
//! temporary folder with one local signature (the EICAR test file), listening
//! on a unix socket there. No signatures are downloaded and no system service
//! is used; `scripts/setup.sh --test` installs Debian's `clamav-daemon`.

use crate::attachments::{file_links, logged_with, number_of_last_ticket, staff, LOG};
use crate::helpers::TestPortal;
use app::server::attachments::scan::{scan_waiting, Scanner, Verdict};
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

const CLAMD: &str = "/usr/sbin/clamd";

/// The EICAR anti-virus test file, put together here so that this source file
/// does not itself look like it.
fn eicar() -> Vec<u8> {
    [
        "X5O!P%@AP[4\\PZX54(P^)7CC)7}$",
        "EICAR-STANDARD-ANTIVIRUS-",
        "TEST-FILE!$H+H*",
    ]
    .concat()
    .into_bytes()
}

/// A clamd of its own, stopped when dropped.
pub struct Clamd {
    dir: TempDir,
    child: Child,
}

impl Clamd {
    pub fn start() -> Clamd {
        Clamd::start_in(tempfile::Builder::new().prefix("clamd").tempdir().unwrap())
    }

    /// Starts clamd in `dir` and waits until it answers.
    pub fn start_in(dir: TempDir) -> Clamd {
        assert!(
            Path::new(CLAMD).exists(),
            "{CLAMD} is missing: run scripts/setup.sh --test"
        );
        let root = dir.path();
        std::fs::create_dir_all(root.join("db")).unwrap();
        std::fs::create_dir_all(root.join("tmp")).unwrap();
        let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
        // Any file with the string anywhere (type 0), and HTML as clamd
        // normalises it, in lower case (type 3).
        std::fs::write(
            root.join("db/eicar.ndb"),
            format!(
                "Eicar-Test-Signature:0:*:{}\nEicar-Test-Signature:3:*:{}\n",
                hex(&eicar()),
                hex(&eicar().to_ascii_lowercase())
            ),
        )
        .unwrap();
        let conf = root.join("clamd.conf");
        std::fs::write(
            &conf,
            format!(
                "Foreground yes\nLocalSocket {root}/clamd.sock\nLocalSocketMode 600\n\
                 FixStaleSocket yes\nPidFile {root}/clamd.pid\nDatabaseDirectory {root}/db\n\
                 TemporaryDirectory {root}/tmp\nLogFile {root}/clamd.log\nLogSyslog no\n\
                 SelfCheck 0\nMaxThreads 2\nStreamMaxLength 30M\nMaxFileSize 30M\n\
                 MaxScanSize 100M\n",
                root = root.display()
            ),
        )
        .unwrap();
        let child = Command::new(CLAMD)
            .arg("-c")
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("clamd starts");
        let mut clamd = Clamd { dir, child };
        let started = Instant::now();
        while !clamd.answers() {
            if let Ok(Some(status)) = clamd.child.try_wait() {
                let log = std::fs::read_to_string(clamd.dir.path().join("clamd.log"));
                panic!("clamd stopped ({status}): {log:?}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "clamd did not answer"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        clamd
    }

    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("clamd.sock")
    }

    fn answers(&self) -> bool {
        let Ok(mut stream) = UnixStream::connect(self.socket()) else {
            return false;
        };
        let mut answer = Vec::new();
        stream.write_all(b"zPING\0").is_ok()
            && stream.read_to_end(&mut answer).is_ok()
            && answer == b"PONG\0"
    }

    /// Stops clamd; answers its folder, to start it again in.
    pub fn stop(mut self) -> TempDir {
        self.kill();
        let dir = tempfile::Builder::new().prefix("clamd").tempdir().unwrap();
        std::mem::replace(&mut self.dir, dir)
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Clamd {
    fn drop(&mut self) {
        self.kill();
    }
}

#[tokio::test]
async fn the_scanner_tells_clean_from_infected_even_inside_other_text() {
    let clamd = Clamd::start();
    let scanner = Scanner::new(clamd.socket());
    scanner.ping().await.unwrap();
    let dir = TempDir::new().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let clean = write("clean.log", LOG);
    let alone = write("eicar.txt", &eicar());
    let inside = write("inside.log", &[LOG, &eicar(), LOG].concat());
    assert_eq!(scanner.scan(&clean).await.unwrap(), Verdict::Clean);
    for path in [alone, inside] {
        match scanner.scan(&path).await.unwrap() {
            Verdict::Infected(found) => assert!(found.starts_with("Eicar-Test-Signature")),
            Verdict::Clean => panic!("{} was found clean", path.display()),
        }
    }
}

#[tokio::test]
async fn an_infected_file_is_refused_by_name_and_a_clean_one_is_attached() {
    let clamd = Clamd::start();
    let portal = TestPortal::start_scanning(TempDir::new().unwrap(), &clamd.socket()).await;
    let form = portal.with_email_service().await;
    let eicar = eicar();
    let response = portal
        .post_multipart(
            None,
            "/report/incident",
            &crate::helpers::form_fields(&form),
            &[("invoice.txt", &eicar), ("vpn.log", LOG)],
        )
        .await;
    assert_eq!(response.status(), 422);
    let page = response.text();
    assert!(
        page.contains("invoice.txt was not attached: the virus scanner found a threat in it"),
        "{page}"
    );
    let stored: Vec<String> = sqlx::query_scalar("SELECT scan FROM stored_files")
        .fetch_all(&portal.state.db.reader)
        .await
        .unwrap();
    assert_eq!(stored, vec!["clean"], "only the clean log is kept");
    // The clean file, kept with the form, is attached and can be opened.
    let link = logged_with(&portal, &form, &[("vpn.log", LOG)]).await;
    let links = file_links(&portal.get(&link).await.text());
    assert_eq!(links.len(), 1);
    assert_eq!(portal.get(&links[0]).await.body_bytes(), LOG);
}

#[tokio::test]
async fn while_clamd_is_down_files_wait_unserved_and_are_settled_when_it_answers() {
    let clamd = Clamd::start();
    let socket = clamd.socket();
    let portal = TestPortal::start_scanning(TempDir::new().unwrap(), &socket).await;
    let form = portal.with_email_service().await;
    let folder = clamd.stop();
    let eicar = eicar();
    let link = logged_with(&portal, &form, &[("vpn.log", LOG), ("notes.txt", &eicar)]).await;
    let number = number_of_last_ticket(&portal).await;
    let agent = staff(&portal).await;
    let desk = format!("/agent/tickets/{number}");
    for page in [
        portal.get(&link).await.text(),
        portal.get_as(Some(&agent), &desk).await.text(),
    ] {
        assert!(file_links(&page).is_empty(), "nothing is linked: {page}");
        assert_eq!(
            page.matches("waiting for the virus scan; it can be opened once it is found clean")
                .count(),
            2
        );
    }
    // Not by guessing the address either.
    let ids: Vec<String> = sqlx::query_scalar("SELECT public_id FROM attachments")
        .fetch_all(&portal.state.db.reader)
        .await
        .unwrap();
    for id in &ids {
        let as_reporter = portal.get(&format!("{link}/files/{id}")).await;
        assert_eq!(as_reporter.status(), 404);
        let at_desk = portal
            .get_as(Some(&agent), &format!("{desk}/files/{id}"))
            .await;
        assert_eq!(at_desk.status(), 404);
    }
    // clamd answers again: the log is clean, the notes are not.
    let clamd = Clamd::start_in(folder);
    assert_eq!(clamd.socket(), socket);
    let settled = scan_waiting(
        &portal.state.db,
        &portal.state.files,
        portal.state.scanner.as_ref().unwrap(),
    )
    .await
    .unwrap();
    assert!(settled <= 2, "the worker may have settled some first");
    let page = portal.get(&link).await.text();
    let links = file_links(&page);
    assert_eq!(links.len(), 1, "{page}");
    assert_eq!(portal.get(&links[0]).await.body_bytes(), LOG);
    assert!(page.contains(
        "notes.txt (text, 68 bytes): the virus scanner found a threat in it, so it cannot be opened."
    ));
    let infected = ids
        .iter()
        .map(|id| format!("{link}/files/{id}"))
        .find(|l| *l != links[0])
        .unwrap();
    assert_eq!(portal.get(&infected).await.status(), 404);
}
