//! The portal as a whole: start-up, demo content, health, headers, pages.

use crate::helpers::TestPortal;

#[tokio::test]
async fn a_new_portal_loads_the_demo_content_once() {
    let portal = TestPortal::start_with_demo().await;
    let count = |sql: &'static str| {
        let pool = portal.state.db.reader.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert!(count("SELECT COUNT(*) FROM articles WHERE kind = 'faq'").await >= 30);
    assert!(count("SELECT COUNT(*) FROM articles WHERE kind = 'known_error'").await >= 10);
    assert!(count("SELECT COUNT(DISTINCT service_id) FROM articles").await >= 6);
    assert_eq!(
        count("SELECT COUNT(*) FROM notices WHERE resolved_at IS NULL").await,
        1
    );
    let articles = count("SELECT COUNT(*) FROM articles").await;
    assert_eq!(portal.state.search.document_count() as i64, articles);

    let dir = portal.stop().await;
    let portal = TestPortal::start_in(dir, true).await;
    let again: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM articles")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    assert_eq!(again, articles, "demo content is not loaded twice");
}

#[tokio::test]
async fn the_demo_content_answers_natural_and_misspelt_questions() {
    #[derive(serde::Deserialize)]
    struct Probes {
        natural: Vec<Probe>,
        misspelt: Vec<Probe>,
    }
    #[derive(serde::Deserialize)]
    struct Probe {
        query: String,
        expect: Vec<String>,
    }
    let probes: Probes =
        toml::from_str(include_str!("../../../app/src/server/demo/queries.toml")).unwrap();
    let portal = TestPortal::start_with_demo().await;
    let mut misses = Vec::new();
    for probe in probes.natural.iter().chain(&probes.misspelt) {
        let top: Vec<String> = portal
            .search_slugs(&probe.query)
            .await
            .into_iter()
            .take(5)
            .collect();
        if !probe.expect.iter().any(|e| top.contains(e)) {
            misses.push(format!("{:?} → {:?}", probe.query, top));
        }
    }
    assert!(
        misses.is_empty(),
        "expected answer not in the top 5:\n{}",
        misses.join("\n")
    );
}

#[tokio::test]
async fn health_is_reported_at_healthz() {
    let portal = TestPortal::start().await;
    let response = portal.get("/healthz").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json();
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn every_page_renders_with_its_landmarks_and_strict_headers() {
    let portal = TestPortal::start().await;
    for path in [
        "/",
        "/report",
        "/report/incident",
        "/report/request",
        "/status",
        "/notices",
    ] {
        let response = portal.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        let headers = response.headers().clone();
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["x-frame-options"], "DENY");
        let html = response.text();
        assert!(html.starts_with("<!DOCTYPE html>"), "{path}");
        assert!(html.contains("<html lang=\"en\""));
        assert!(html.contains("<main id=\"main\""));
        assert!(html.contains("<nav aria-label=\"Main\">"));
        // Found and described by search engines; the notices found by feed readers.
        assert!(
            html.contains("<meta name=\"description\" content=\""),
            "{path}"
        );
        assert!(
            html.contains(
                "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"/notices.atom\""
            ),
            "{path}"
        );
    }
    let (status, _) = portal.get_html("/no/such/page").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_triage_page_explains_incident_and_request() {
    let portal = TestPortal::start().await;
    let (_, html) = portal.get_html("/report").await;
    assert!(html.contains("Something is broken or worse than usual"));
    assert!(html.contains("href=\"/report/incident\""));
    assert!(html.contains("I need something new or changed"));
    assert!(html.contains("href=\"/report/request\""));
}

#[tokio::test]
async fn a_form_posted_from_another_site_is_refused() {
    let portal = TestPortal::start().await;
    let form = portal.with_email_service().await;
    let fields = crate::helpers::form_fields(&form);
    for (name, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let response = portal
            .post_form_with("/report/incident", &fields, &[(name, value)])
            .await;
        assert_eq!(response.status(), 403, "{name}: {value}");
    }
    let origin = format!("http://{}", TestPortal::HOST);
    let same_site = portal
        .post_form_with("/report/incident", &fields, &[("origin", origin.as_str())])
        .await;
    assert_eq!(same_site.status(), 303);
}

#[tokio::test]
async fn the_report_form_offers_every_service_and_category() {
    let portal = TestPortal::start().await;
    portal.with_email_service().await;
    let (_, html) = portal.get_html("/report/incident?service=email").await;
    assert!(html.contains("<option value=\"email\" selected"));
    assert!(html.contains("<optgroup label=\"E-mail\""));
    assert!(html.contains(">Calendar</option>"));
    assert!(html.contains("Who is affected?"));
    assert!(html.contains("How does it affect your work?"));
}

#[tokio::test]
async fn the_home_page_offers_every_service_to_browse() {
    let portal = TestPortal::start().await;
    portal
        .add_service("vpn", "VPN and remote access", &["Connecting"])
        .await;
    portal
        .add_service("printing", "Printing", &["Printers"])
        .await;
    let (_, html) = portal.get_html("/").await;
    assert!(html.contains("Browse by service"));
    assert!(html.contains("href=\"/?service=vpn\""));
    assert!(html.contains("href=\"/?service=printing\""));
    let (_, html) = portal.get_html("/?q=anything").await;
    assert!(
        !html.contains("Browse by service"),
        "results replace the list"
    );
}

/// Pages load their data through server functions; under concurrent load each page
/// must still get its own data and status. (A bug where a server function looked up
/// the Leptos context after an await showed only under wrk over real HTTP; the
/// `serve` helper now hands the state in before anything awaits.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pages_render_correctly_under_concurrent_load() {
    let portal = std::sync::Arc::new(TestPortal::start_with_demo().await);
    let form = app::domain::TicketForm {
        name: "Ada".into(),
        email: "ada@example.com".into(),
        service: "email".into(),
        category: portal.category_ids("email").await[0].to_string(),
        summary: "Mail stuck in the outbox".into(),
        description: "Nothing leaves the outbox since this morning.".into(),
        impact: "low".into(),
        urgency: "low".into(),
        ..Default::default()
    };
    let link = crate::helpers::location(&portal.submit("incident", &form).await);
    let requests = (0..300).map(|n| {
        let portal = portal.clone();
        let path = match n % 3 {
            0 => "/?q=vpn+eror+809".to_string(),
            1 => link.clone(),
            _ => "/articles/no-such-article".to_string(),
        };
        tokio::spawn(async move {
            let (status, html) = portal.get_html(&path).await;
            (path, status, html)
        })
    });
    for result in futures::future::join_all(requests).await {
        let (path, status, html) = result.expect("request task");
        assert!(!html.contains("Something went wrong"), "{path} failed");
        match path.as_str() {
            "/articles/no-such-article" => assert_eq!(status, 404),
            p if p.starts_with("/status/") => {
                assert_eq!(status, 200);
                assert!(html.contains("Mail stuck in the outbox"));
            }
            _ => {
                assert_eq!(status, 200);
                assert!(html.contains("data-test=\"search-hit\""));
            }
        }
    }
}

/// The site's files are answered from memory: in the smallest form the browser
/// takes, with an entity tag per form; a browser that already has a file asks
/// whether it changed and hears "not modified", not the "page not found" page.
#[tokio::test]
async fn site_files_come_compressed_and_answer_conditional_requests() {
    let dir = tempfile::TempDir::new().expect("temporary directory");
    let style = ".banner { color: #333; } ".repeat(200);
    std::fs::create_dir_all(dir.path().join("site/pkg")).expect("site folder");
    std::fs::write(dir.path().join("site/pkg/portal.css"), &style).expect("a style sheet");
    let icon = "<svg xmlns=\"http://www.w3.org/2000/svg\"/>";
    std::fs::write(dir.path().join("site/favicon.svg"), icon).expect("a favicon");
    let portal = TestPortal::start_from(dir, |_| {}).await;

    let plain = portal
        .get_with("/pkg/portal.css", &[("accept-encoding", "identity")])
        .await;
    assert_eq!(plain.status(), 200);
    assert_eq!(plain.text(), style);
    assert_eq!(plain.headers()["content-type"], "text/css");
    assert_eq!(plain.headers()["cache-control"], "no-cache");
    // The compressed forms are made in the background at start-up (until then
    // the identity form is compressed per request).
    let mut gzipped = None;
    for _ in 0..100 {
        let answer = portal
            .get_with("/pkg/portal.css", &[("accept-encoding", "gzip")])
            .await;
        let etag = answer.headers().get("etag").and_then(|v| v.to_str().ok());
        if etag.is_some_and(|tag| tag.ends_with("-gzip\"")) {
            gzipped = Some(answer);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let gzipped = gzipped.expect("a gzipped form within five seconds");
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    assert_eq!(gzipped.headers()["vary"], "accept-encoding");
    let mut unzipped = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(&gzipped.body_bytes()[..]),
        &mut unzipped,
    )
    .expect("gzip");
    assert_eq!(unzipped, style);
    let brotli = portal
        .get_with(
            "/pkg/portal.css",
            &[("accept-encoding", "gzip, deflate, br")],
        )
        .await;
    assert_eq!(brotli.headers()["content-encoding"], "br");
    assert!(brotli.body_bytes().len() < gzipped.body_bytes().len());
    let tag = brotli.headers()["etag"].to_str().unwrap().to_string();
    assert_ne!(tag, gzipped.headers()["etag"]);
    let again = portal
        .get_with(
            "/pkg/portal.css",
            &[("accept-encoding", "br"), ("if-none-match", &tag)],
        )
        .await;
    assert_eq!(again.status(), 304);
    assert!(again.text().is_empty());
    // Another form's tag is not this one.
    let other = portal
        .get_with(
            "/pkg/portal.css",
            &[("accept-encoding", "identity"), ("if-none-match", &tag)],
        )
        .await;
    assert_eq!(other.status(), 200);
    assert_eq!(portal.get("/pkg/nothing.css").await.status(), 404);

    let first = portal.get("/favicon.svg").await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.text(), icon);
    assert_eq!(first.headers()["content-type"], "image/svg+xml");
    let modified = first
        .headers()
        .get("last-modified")
        .and_then(|v| v.to_str().ok())
        .expect("a Last-Modified header")
        .to_string();
    let again = portal
        .get_with("/favicon.svg", &[("if-modified-since", &modified)])
        .await;
    assert_eq!(again.status(), 304, "{}", again.text());
    assert!(again.text().is_empty());
    let earlier = portal
        .get_with(
            "/favicon.svg",
            &[("if-modified-since", "Mon, 01 Jan 2001 00:00:00 GMT")],
        )
        .await;
    assert_eq!(earlier.status(), 200);
    // A file that is not there is still the portal's own page.
    assert_eq!(portal.get("/nothing-here.svg").await.status(), 404);
}
