//! E-mail delivery benchmark: `cargo bench -p server --bench mail [-- MESSAGES]`.
//!
//! Builds the real portal (SQLite file on disk) sending through a throwaway SMTP
//! server on loopback (`server/tests/api/smtp_sink.py`: Debian's aiosmtpd, which
//! fsyncs every message it stores), then measures:
//!
//! - enqueue to accepted: 100 messages, one at a time, each committed to the
//!   outbox and the worker woken (as a ticket change or an admin's post does),
//!   timed until the SMTP server has stored it; and the same without the wake
//!   (the worker finds it on its next round, within a second);
//! - sustained delivery: MESSAGES (default 3,000) committed at once, timed until
//!   the last is stored, as messages per minute.
//!
//! This is a measurement, not a test: it asserts nothing about time.

#![recursion_limit = "256"]

#[path = "../tests/api/smtp_sink.rs"]
#[allow(dead_code)]
mod smtp_sink;

use app::domain::Backoff;
use app::server::mail::MailSettings;
use app::server::store::outbox::{self, NewMessage};
use leptos::prelude::LeptosOptions;
use smtp_sink::SmtpSink;
use std::time::{Duration, Instant};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let messages: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(3_000);
    let sink = SmtpSink::start();
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
        inbound: None,
        mail: Some(MailSettings {
            smtp_url: sink.url(),
            password_file: None,
            from: "IT Help <help@portal.test>".into(),
            backoff: Backoff::default(),
        }),
        leptos_options: LeptosOptions::builder()
            .output_name("portal")
            .site_root(site.to_string_lossy().to_string())
            .build(),
    })
    .await
    .expect("the portal starts");
    let mailer = portal.state.mailer.clone().expect("a mailer");
    let db = portal.state.db.clone();
    let queue = |count: usize, tag: &'static str| {
        let db = db.clone();
        async move {
            let mut tx = db.writer.begin().await.expect("a transaction");
            for n in 0..count {
                let to = format!("{tag}{n}@example.org");
                let body = format!("Hello,\n\nThis is message {n} of the benchmark.\n");
                let message = NewMessage {
                    recipient: &to,
                    subject: "Benchmark message",
                    body: &body,
                    link: None,
                    thread: Some("INC0000001"),
                };
                outbox::queue(&mut tx, &message, chrono::Utc::now())
                    .await
                    .expect("queued");
            }
            tx.commit().await.expect("committed");
        }
    };

    println!("| measure | n | p50 | p95 | max |");
    println!("|---|---|---|---|---|");
    for (woken, tag) in [(true, "woken"), (false, "found")] {
        let mut times = Vec::new();
        for _ in 0..100 {
            let before = sink.delivered_count();
            let start = Instant::now();
            queue(1, tag).await;
            if woken {
                mailer.wake();
            }
            while sink.delivered_count() == before {
                tokio::time::sleep(Duration::from_micros(500)).await;
            }
            times.push(start.elapsed());
        }
        times.sort();
        let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
        println!(
            "| enqueue to accepted, {} | {} | {:.1} ms | {:.1} ms | {:.1} ms |",
            if woken { "worker woken" } else { "next round" },
            times.len(),
            ms(at(0.5)),
            ms(at(0.95)),
            ms(at(1.0)),
        );
    }

    let before = sink.delivered_count();
    let start = Instant::now();
    queue(messages, "bulk").await;
    mailer.wake();
    while sink.delivered_count() < before + messages {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let took = start.elapsed();
    println!(
        "\nsustained: {messages} messages in {:.1} s = {:.0} messages/minute",
        took.as_secs_f64(),
        messages as f64 / took.as_secs_f64() * 60.0
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
