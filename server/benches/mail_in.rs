//! Inbound mail benchmark: `cargo bench -p server --bench mail_in [-- REPLIES]`.
//!
//! Builds the real portal (SQLite file on disk) reading the desk's mailbox on a
//! throwaway Dovecot on loopback (`server/tests/api/imap_server.rs`; IDLE), logs
//! a ticket, then delivers REPLIES (default 30) replies from its reporter to
//! the mailbox one at a time with IMAP APPEND, each timed from the APPEND until
//! the portal tells open pages of the ticket's change (what makes the agent's
//! open page show it) and the reply is in the ticket's history.
//!
//! This is a measurement, not a test: it asserts nothing about time.

#![recursion_limit = "256"]

#[path = "../tests/api/imap_server.rs"]
#[allow(dead_code)]
mod imap_server;

use app::domain::{CategoryId, Impact, NewTicket, Reporter, TicketKind, Urgency};
use app::server::inbox::imap::{ImapSettings, InboundSettings};
use app::server::store::outbox;
use app::server::store::tickets::log;
use imap_server::ImapServer;
use leptos::prelude::LeptosOptions;
use std::time::{Duration, Instant};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let replies: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(30);
    let imap = ImapServer::start();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("pkg")).expect("site folder");
    let portal = server::build(server::Config {
        data_dir: dir.path().join("data"),
        load_demo: false,
        public_url: Some("http://portal.test".into()),
        trusted_proxies: Vec::new(),
        forwarded_header: Default::default(),
        time_zone: "UTC".into(),
        clamd_socket: None,
        mail: None,
        inbound: Some(InboundSettings {
            imap: ImapSettings {
                url: imap.url(),
                password_file: Some(imap.password_file()),
                poll: Duration::from_secs(60),
            },
            answers_a_day: 10,
            strangers: Default::default(),
            category: None,
        }),
        leptos_options: LeptosOptions::builder()
            .output_name("portal")
            .site_root(site.to_string_lossy().to_string())
            .build(),
    })
    .await
    .expect("the portal starts");
    let state = portal.state.clone();

    // A ticket, and a message of ours about it that the replies answer.
    let category: i64 = {
        let mut conn = state.db.writer.acquire().await.unwrap();
        let service: i64 = sqlx::query_scalar(
            "INSERT INTO services (slug, name) VALUES ('email', 'E-mail') RETURNING id",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        sqlx::query_scalar(
            "INSERT INTO categories (service_id, name) VALUES (?, 'Sending') RETURNING id",
        )
        .bind(service)
        .fetch_one(&mut *conn)
        .await
        .unwrap()
    };
    let ticket = NewTicket {
        kind: TicketKind::Incident,
        reporter: Reporter {
            name: "Rita Reporter".into(),
            email: "rita@example.org".into(),
            phone: None,
        },
        service_slug: "email".into(),
        category_id: CategoryId(category),
        summary: "Outlook will not send mail".into(),
        description: "Every message stays in the outbox.".into(),
        triage: Some((Impact::Low, Urgency::Medium)),
    };
    let created = log::create(
        &state.db,
        &state.changes,
        ticket,
        None,
        &app::server::store::attachments::Files::none(),
        chrono::Utc::now(),
    )
    .await
    .expect("a ticket");
    let number = created.number.to_string();
    let reply_to = {
        let mut conn = state.db.writer.acquire().await.unwrap();
        let key: String = sqlx::query_scalar(
            "INSERT INTO outbox (recipient, subject, body, created_at, message_key, thread)
             VALUES ('rita@example.org', 'New reply', 'x', ?, lower(hex(randomblob(16))), ?)
             RETURNING message_key",
        )
        .bind(chrono::Utc::now())
        .bind(&number)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        let signing = outbox::signing_key(&mut conn).await.unwrap();
        format!("<{}@portal.test>", signing.id_left(&key))
    };
    // The reader is connected and idling once the first message lands.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let mut times = Vec::with_capacity(replies);
    for n in 0..replies {
        let text = format!("Reply number {n}: still broken.");
        let raw = format!(
            "From: Rita Reporter <rita@example.org>\r\nTo: help@portal.test\r\n\
             Subject: Re: [{number}] New reply\r\nMessage-ID: <bench-{n}@example.org>\r\n\
             In-Reply-To: {reply_to}\r\nReferences: {reply_to}\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n"
        );
        let mut heard = state.changes.listen();
        let start = Instant::now();
        imap.deliver(raw.as_bytes()).await;
        loop {
            let told = tokio::time::timeout(Duration::from_secs(30), heard.recv()).await;
            assert!(told.is_ok(), "reply {n} did not land within 30 s");
            let shown: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
                 WHERE t.number = ? AND e.body = ?",
            )
            .bind(&number)
            .bind(&text)
            .fetch_one(&state.db.reader)
            .await
            .unwrap();
            if shown == 1 {
                break;
            }
        }
        times.push(start.elapsed());
    }
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1];
    let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
    println!("| Measure | Replies | p50 | p95 | max |");
    println!("|---|---:|---:|---:|---:|");
    println!(
        "| reply APPENDed to the desk's mailbox (Dovecot, IDLE) → on the ticket, open pages told | {} | {} | {} | {} |",
        times.len(),
        ms(at(0.5)),
        ms(at(0.95)),
        ms(*times.last().unwrap())
    );
}
