//! Agent queue benchmark: `cargo bench -p server --bench queue [-- TICKETS]`.
//!
//! Builds the real portal (demo catalogue, SQLite file on disk) with TICKETS
//! generated tickets (default 100,000: a fifth still open, the rest closed;
//! priorities, groups, assignees, services and due times spread at random), signs
//! an agent in, then renders the queue's first page through the real router 1,000
//! times one after the other (after a warm-up) — unfiltered and with the common
//! filters — and reports p50/p99 per page. The full path is timed: session
//! lookup, the server function, the SQL, the HTML render.
//!
//! This is a measurement, not a test: it asserts nothing about time.

// The portal's views are deep types: rendering them needs more than the default.
#![recursion_limit = "256"]

use axum::body::Body;
use axum::http::Request;
use chrono::{Duration, Utc};
use leptos::prelude::LeptosOptions;
use std::time::Instant;
use tower::ServiceExt;

/// The server's allocator (`server/src/main.rs`), so the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

const PASSWORD: &str = "benchmark passphrase for the queue";

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let tickets: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("pkg")).expect("site folder");
    let portal = server::build(server::Config {
        data_dir: dir.path().join("data"),
        load_demo: true,
        public_url: None,
        trusted_proxies: Vec::new(),
        forwarded_header: Default::default(),
        time_zone: "UTC".into(),
        clamd_socket: None,
        inbound: None,
        mail: None,
        leptos_options: LeptosOptions::builder()
            .output_name("portal")
            .site_root(site.to_string_lossy().to_string())
            .build(),
    })
    .await
    .expect("the portal starts");
    let db = &portal.state.db;
    let now = Utc::now();
    for n in 0..5 {
        app::server::accounts::create_admin(
            db,
            &format!("Agent {n}"),
            &format!("agent{n}@example.com"),
            PASSWORD,
            now,
        )
        .await
        .expect("an agent");
    }
    let started = Instant::now();
    generate(db, tickets, now).await;
    eprintln!("generated {tickets} tickets in {:?}", started.elapsed());

    let cookie = sign_in(&portal.router).await;
    println!("| page | tickets | p50 | p99 | rows |");
    println!("|---|---|---|---|---|");
    for path in [
        "/agent",
        "/agent?assignee=me",
        "/agent?sla=at_risk",
        "/agent?service=vpn&priority=3",
        "/agent?group=2&state=in_progress",
    ] {
        let (p50, p99, rows) = measure(&portal.router, &cookie, path).await;
        println!("| `{path}` | {tickets} | {p50:.2} ms | {p99:.2} ms | {rows} |");
    }
    // A late page: after the 10,000th open ticket in the queue's order (keyset
    // paging should make it cost what the first page does).
    let deep: Option<String> = sqlx::query_scalar(
        "SELECT number FROM tickets WHERE state NOT IN ('resolved', 'fulfilled', 'closed')
         ORDER BY priority,
                  (CASE WHEN responded_at IS NULL THEN response_due_at ELSE resolution_due_at END),
                  id
         LIMIT 1 OFFSET 9999",
    )
    .fetch_optional(&db.reader)
    .await
    .expect("a late ticket");
    if let Some(after) = deep {
        let path = format!("/agent?after={after}&page=201");
        let (p50, p99, rows) = measure(&portal.router, &cookie, &path).await;
        println!("| `/agent?after=…&page=201` (page 201) | {tickets} | {p50:.2} ms | {p99:.2} ms | {rows} |");
    }
}

/// Inserts `count` tickets in one transaction, with their first history entry.
async fn generate(db: &app::server::store::db::Db, count: u64, now: chrono::DateTime<Utc>) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let categories: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, service_id FROM categories ORDER BY id")
            .fetch_all(&db.reader)
            .await
            .expect("categories");
    let mut tx = db.writer.begin().await.expect("a transaction");
    for n in 0..count {
        let open = rng.below(5) == 0;
        let (category, service) = categories[rng.below(categories.len() as u64) as usize];
        let created = now - Duration::minutes(rng.below(60 * 24 * 60) as i64);
        let response_due = created + Duration::minutes(30 + rng.below(60 * 24) as i64);
        let resolution_due = response_due + Duration::minutes(rng.below(60 * 24 * 5) as i64);
        let state = if open {
            ["new", "in_progress", "on_hold"][rng.below(3) as usize]
        } else {
            "closed"
        };
        let responded = (state != "new").then_some(created + Duration::minutes(20));
        let risk = |due: chrono::DateTime<Utc>| created + (due - created) * 3 / 4;
        sqlx::query(
            "INSERT INTO tickets (number, kind, state, impact, urgency, priority, service_id,
                category_id, summary, description, reporter_name, reporter_email,
                status_token_hash, response_due_at, resolution_due_at, created_at, updated_at,
                group_id, assignee_id, responded_at, response_risk_at, resolution_risk_at,
                hold_reason, closed_at)
             VALUES (?, 'incident', ?, 'low', 'medium', ?, ?, ?, ?, 'Generated for the benchmark.',
                'Bench User', 'bench@example.com', randomblob(32), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(format!("INC{:07}", 2_000_000 + n))
        .bind(state)
        .bind(1 + rng.below(5) as i64)
        .bind(service)
        .bind(category)
        .bind(format!("Generated incident number {n}"))
        .bind(response_due)
        .bind(resolution_due)
        .bind(created)
        .bind(created)
        .bind(1 + rng.below(3) as i64)
        .bind((rng.below(3) > 0).then(|| 1 + rng.below(5) as i64))
        .bind(responded)
        .bind(risk(response_due))
        .bind(risk(resolution_due))
        .bind((state == "on_hold").then_some("awaiting_supplier"))
        .bind((state == "closed").then_some(resolution_due))
        .execute(&mut *tx)
        .await
        .expect("a ticket");
    }
    tx.commit().await.expect("commit");
    sqlx::query("ANALYZE")
        .execute(&db.writer)
        .await
        .expect("analyze");
}

async fn sign_in(router: &axum::Router) -> String {
    let body = format!(
        "email=agent0%40example.com&password={}&next=",
        PASSWORD.replace(' ', "+")
    );
    let request = Request::post("/sign-in")
        .header("host", "bench.test")
        .header("sec-fetch-site", "same-origin")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .expect("request");
    let response = router.clone().oneshot(request).await.expect("an answer");
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|pair| pair.starts_with("portal_session=") && !pair.ends_with('='))
        .expect("a session")
        .to_string()
}

/// Renders `path` 1,000 times after 100 warm-ups; answers p50, p99 (ms) and the
/// rows on the page.
async fn measure(router: &axum::Router, cookie: &str, path: &str) -> (f64, f64, usize) {
    let mut times = Vec::with_capacity(1000);
    let mut rows = 0;
    for round in 0..1100 {
        let request = Request::get(path)
            .header("host", "bench.test")
            .header("cookie", cookie)
            .body(Body::empty())
            .expect("request");
        let start = Instant::now();
        let response = router.clone().oneshot(request).await.expect("an answer");
        assert_eq!(response.status(), 200, "{path}");
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("a body");
        let elapsed = start.elapsed();
        if round >= 100 {
            times.push(elapsed.as_secs_f64() * 1000.0);
        }
        rows = String::from_utf8_lossy(&body)
            .matches("data-test=\"queue-row\"")
            .count();
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], times[times.len() * 99 / 100], rows)
}
