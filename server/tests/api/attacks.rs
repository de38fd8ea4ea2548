//! The attacks an outside review found, each replayed through the real router:
//! links poisoned through the `Host` header, tickets taken over by registering
//! someone's address, floods of guesses and tickets, what timing, logs, the
//! outbox and caches give away, streams that outlive their session, and a link
//! that writes into a form's action. (Corrections from unreadable articles are in
//! `authoring.rs`, major-incident followers in `desk.rs`, the memory held after
//! bursts of password work in `process.rs`.)

use crate::helpers::{form_fields, location, open_stream, TestPortal, PASSWORD};
use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tempfile::TempDir;

/// A form post from one of the portal's pages, with extra headers.
fn form_post(path: &str, fields: &[(&str, &str)], headers: &[(&str, &str)]) -> Request<Body> {
    let mut request = Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin");
    if !headers.iter().any(|(name, _)| *name == "host") {
        request = request.header("host", TestPortal::HOST);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let body = serde_urlencoded::to_string(fields).expect("form encoding");
    request.body(Body::from(body)).expect("request")
}

async fn outbox_bodies(portal: &TestPortal) -> Vec<String> {
    sqlx::query_scalar("SELECT body FROM outbox ORDER BY id")
        .fetch_all(&portal.state.db.reader)
        .await
        .unwrap()
}

#[tokio::test]
async fn links_that_leave_the_page_never_come_from_the_host_header() {
    // No public address configured: links use the address the server listens on.
    let portal = TestPortal::start_with(TempDir::new().unwrap(), false, None, Vec::new()).await;
    let admin = portal.admin("admin@example.com").await;
    let evil = ("host", "evil.example");
    let reset = portal
        .send(form_post(
            "/forgot-password",
            &[("email", "admin@example.com")],
            &[evil],
        ))
        .await;
    assert_eq!(reset.status(), 200, "{}", reset.text());
    let registered = portal
        .send(form_post(
            "/register",
            &[
                ("name", "Grace"),
                ("email", "grace@example.com"),
                ("password", PASSWORD),
                ("confirm_password", PASSWORD),
            ],
            &[evil],
        ))
        .await;
    assert_eq!(registered.status(), 200, "{}", registered.text());
    let invited = portal
        .send(form_post(
            "/admin/users",
            &[
                ("name", "Alan"),
                ("email", "alan@example.com"),
                ("role", "agent"),
                ("groups", "1"),
            ],
            &[evil, ("cookie", &admin.cookie)],
        ))
        .await;
    assert_eq!(invited.status(), 303, "{}", invited.text());
    let bodies = outbox_bodies(&portal).await;
    assert_eq!(bodies.len(), 3, "{bodies:?}");
    for body in &bodies {
        assert!(!body.contains("evil.example"), "{body}");
        assert!(body.contains("http://127.0.0.1:3000/"), "{body}");
    }

    let form = portal.with_email_service().await;
    let fields = form_fields(&form);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let logged = portal
        .send(form_post("/report/incident", &fields, &[evil]))
        .await;
    assert_eq!(logged.status(), 303);
    let confirmation = portal.get_with(&location(&logged), &[evil]).await.text();
    assert!(confirmation.contains("http://127.0.0.1:3000/status/"));
    assert!(!confirmation.contains("evil.example"));

    let feed = portal.get_with("/notices.atom", &[evil]).await.text();
    assert!(feed.contains("http://127.0.0.1:3000"), "{feed}");
    assert!(!feed.contains("evil.example"), "{feed}");
}

#[tokio::test]
async fn registering_someone_elses_address_does_not_hand_over_their_tickets() {
    let portal = TestPortal::start().await;
    let mut form = portal.with_email_service().await;
    form.email = "vera@example.com".into();
    form.summary = "VICTIM-TICKET laptop stolen".into();
    assert_eq!(portal.submit("incident", &form).await.status(), 303);

    // Mallory registers Vera's address and signs in before it is confirmed.
    let mallory = portal.end_user("Mallory", "vera@example.com").await;
    let own = portal.get_as(Some(&mallory), "/my-tickets").await.text();
    assert!(
        !own.contains("VICTIM-TICKET"),
        "nothing before confirmation"
    );
    let theirs = portal
        .get_as(Some(&mallory), "/my-tickets/INC0001001")
        .await;
    assert_eq!(theirs.status(), 404);

    // The confirmation reaches Vera's mailbox. Opened without signing in, it
    // offers no button, and a crafted post confirms nothing.
    let link = portal
        .link_in_outbox("vera@example.com", "/verify-email/")
        .await;
    let page = portal.get(&link).await;
    assert_eq!(page.status(), 401);
    assert!(page.text().contains("sign in to the account"));
    assert!(!page.text().contains(&format!("action=\"{link}\"")));
    let crafted = portal.post_as(None, &link, &[("x", "")]).await;
    assert_eq!(crafted.status(), 401, "{}", crafted.text());

    // Someone signed in to another account cannot use it either.
    let bob = portal.end_user("Bob", "bob@example.com").await;
    let page = portal.get_as(Some(&bob), &link).await.text();
    assert!(page.contains("confirms the address of another account"));
    let pressed = portal.post_as(Some(&bob), &link, &[("x", "")]).await;
    assert_eq!(pressed.status(), 403, "{}", pressed.text());

    let owner: Option<i64> =
        sqlx::query_scalar("SELECT user_id FROM tickets WHERE number = 'INC0001001'")
            .fetch_one(&portal.state.db.reader)
            .await
            .unwrap();
    assert_eq!(owner, None, "nobody got Vera's ticket");
    let unused: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM account_tokens WHERE purpose = 'verify_email' AND used_at IS NULL",
    )
    .fetch_one(&portal.state.db.reader)
    .await
    .unwrap();
    assert_eq!(unused, 2, "the links still work for their own accounts");

    // The page names the account it would confirm, for that account only.
    let page = portal.get_as(Some(&mallory), &link).await.text();
    assert!(page.contains("vera@example.com") && page.contains("Mallory"));
}

#[tokio::test]
async fn made_up_reset_links_are_refused_unhashed_and_limited_per_client() {
    let portal = TestPortal::start().await;
    let made_up = format!("/reset-password/{}", "A".repeat(43));
    // The link is looked up before the passwords are even read: passwords that
    // do not match are not what the answer is about.
    let mismatched = portal
        .post_as(
            None,
            &made_up,
            &[
                ("new_password", PASSWORD),
                ("confirm_password", "another one"),
            ],
        )
        .await;
    assert_eq!(mismatched.status(), 403, "{}", mismatched.text());
    assert!(mismatched.text().contains("does not work any more"));
    let fields = [("new_password", PASSWORD), ("confirm_password", PASSWORD)];
    let mut statuses = Vec::new();
    for _ in 0..20 {
        statuses.push(portal.post_as(None, &made_up, &fields).await.status());
    }
    assert!(statuses[..19].iter().all(|s| *s == 403), "{statuses:?}");
    assert_eq!(statuses[19], 429, "{statuses:?}");
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_limit_and_nobody_picks_one() {
    let portal = TestPortal::start_with(
        TempDir::new().unwrap(),
        false,
        Some(format!("http://{}", TestPortal::HOST)),
        vec!["127.0.0.1".into()],
    )
    .await;
    let lookup = |n: usize, forwarded_for: Option<&str>| {
        let number = format!("INC{:07}", 2000 + n);
        let email = format!("p{n}@example.com");
        let headers: Vec<(&str, &str)> = forwarded_for
            .map(|client| vec![("x-forwarded-for", client)])
            .unwrap_or_default();
        form_post(
            "/status",
            &[("number", &number), ("email", &email)],
            &headers,
        )
    };
    // One client behind the proxy is slowed after 30 lookups; another is not.
    for n in 0..30 {
        let answer = portal
            .send_from("127.0.0.1", lookup(n, Some("198.51.100.1")))
            .await;
        assert_eq!(answer.status(), 404, "lookup {n}");
    }
    let slowed = portal
        .send_from("127.0.0.1", lookup(30, Some("6.6.6.6, 198.51.100.1")))
        .await;
    assert_eq!(
        slowed.status(),
        429,
        "a header the client wrote changes nothing"
    );
    let other = portal
        .send_from("127.0.0.1", lookup(31, Some("198.51.100.2")))
        .await;
    assert_eq!(other.status(), 404);
    // A `Forwarded` header the proxy passed through is the client's own words.
    let mut injected = lookup(32, Some("198.51.100.1"));
    injected
        .headers_mut()
        .insert("forwarded", "for=6.6.6.7".parse().unwrap());
    let injected = portal.send_from("127.0.0.1", injected).await;
    assert_eq!(
        injected.status(),
        429,
        "a Forwarded header picks no address"
    );
    // The proxy seen through a dual-stack listener is the same proxy.
    let mapped = portal
        .send_from("::ffff:127.0.0.1", lookup(33, Some("198.51.100.3")))
        .await;
    assert_eq!(mapped.status(), 404);
    let mapped_again = portal
        .send_from("::ffff:127.0.0.1", lookup(34, Some("198.51.100.1")))
        .await;
    assert_eq!(mapped_again.status(), 429);

    // A peer that is not a trusted proxy cannot pick its address.
    for n in 0..30 {
        let client = format!("192.0.2.{n}");
        portal
            .send_from("203.0.113.5", lookup(100 + n, Some(&client)))
            .await;
    }
    let spoofing = portal
        .send_from("203.0.113.5", lookup(200, Some("192.0.2.250")))
        .await;
    assert_eq!(spoofing.status(), 429);

    // Rotating addresses inside one IPv6 /64 is one client.
    for n in 0..30 {
        portal
            .send_from(&format!("2001:db8:1:2::{:x}", n + 1), lookup(300 + n, None))
            .await;
    }
    let rotated = portal
        .send_from("2001:db8:1:2:ffff::1", lookup(400, None))
        .await;
    assert_eq!(rotated.status(), 429);

    // Guesses at one ticket number are slowed whoever sends them.
    let same_ticket = |n: usize| {
        let email = format!("guess{n}@example.com");
        form_post(
            "/status",
            &[("number", "INC0009999"), ("email", &email)],
            &[],
        )
    };
    for n in 0..10 {
        let answer = portal
            .send_from(&format!("198.51.100.{}", 50 + n), same_ticket(n))
            .await;
        assert_eq!(answer.status(), 404, "guess {n}");
    }
    let guess = portal.send_from("198.51.100.99", same_ticket(10)).await;
    assert_eq!(guess.status(), 429);
}

#[tokio::test]
async fn one_client_cannot_flood_the_queue_and_keeps_what_it_typed_when_slowed() {
    let portal = TestPortal::start().await;
    let mut form = portal.with_email_service().await;
    for n in 0..30 {
        form.summary = format!("Flood ticket {n}");
        let answer = portal.submit("incident", &form).await;
        assert_eq!(answer.status(), 303, "ticket {n}");
    }
    form.summary = "TYPED-SUMMARY-KEPT".into();
    let slowed = portal.submit("incident", &form).await;
    assert_eq!(slowed.status(), 429);
    let page = slowed.text();
    assert!(page.contains("TYPED-SUMMARY-KEPT") && page.contains("wait a minute"));

    // "This is my problem too" counts against the same limit.
    sqlx::query("UPDATE tickets SET major = 1 WHERE number = 'INC0001001'")
        .execute(&portal.state.db.writer)
        .await
        .unwrap();
    form.join = "INC0001001".into();
    let joined = portal.submit("incident", &form).await;
    assert_eq!(joined.status(), 429);
    let (tickets, followers): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM major_followers)",
    )
    .fetch_one(&portal.state.db.reader)
    .await
    .unwrap();
    assert_eq!((tickets, followers), (30, 0));
}

#[tokio::test]
async fn a_reset_request_does_the_same_work_whether_or_not_the_address_has_an_account() {
    let portal = TestPortal::start().await;
    portal.end_user("Grace", "grace@example.com").await;
    for email in ["grace@example.com", "nobody.here@example.com"] {
        let answer = portal
            .post_as(None, "/forgot-password", &[("email", email)])
            .await;
        assert_eq!(answer.status(), 200);
        assert!(answer.text().contains("If an account uses that address"));
    }
    // Both wrote and committed an entry; the unknown one keeps nothing typed.
    let entries: Vec<(Option<i64>, String)> = sqlx::query_as(
        "SELECT subject_id, detail FROM audit_events
         WHERE action = 'password_reset_requested' ORDER BY id",
    )
    .fetch_all(&portal.state.db.reader)
    .await
    .unwrap();
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert!(entries[0].0.is_some() && entries[1].0.is_none());
    assert!(!entries[1].1.contains("nobody.here"));
}

#[tokio::test]
async fn used_links_leave_the_outbox_and_admins_read_only_the_invitations_they_hand_over() {
    let portal = TestPortal::start().await;
    let admin = portal.admin("admin@example.com").await;
    portal.end_user("Grace", "grace@example.com").await;
    let asked = portal
        .post_as(None, "/forgot-password", &[("email", "grace@example.com")])
        .await;
    assert_eq!(asked.status(), 200);
    let invited = portal
        .post_as(
            Some(&admin),
            "/admin/users",
            &[
                ("name", "Alan"),
                ("email", "alan@example.com"),
                ("role", "agent"),
                ("groups", "1"),
            ],
        )
        .await;
    assert_eq!(invited.status(), 303);
    let reset = portal
        .link_in_outbox("grace@example.com", "/reset-password/")
        .await;
    let confirm = portal
        .link_in_outbox("grace@example.com", "/verify-email/")
        .await;
    let invitation = portal.link_in_outbox("alan@example.com", "/welcome/").await;
    let outbox = portal.get_as(Some(&admin), "/admin/outbox").await.text();
    assert!(
        outbox.contains(&invitation),
        "the admin hands invitations over"
    );
    assert!(!outbox.contains(&reset), "a reset link is its recipient's");
    assert!(
        !outbox.contains(&confirm),
        "a confirmation link is its recipient's"
    );
    assert!(outbox.contains("link hidden"));

    let used = portal
        .post_as(
            None,
            &reset,
            &[("new_password", PASSWORD), ("confirm_password", PASSWORD)],
        )
        .await;
    assert_eq!(used.status(), 303, "{}", used.text());
    let token = reset.trim_start_matches("/reset-password/");
    let bodies = outbox_bodies(&portal).await;
    assert!(
        bodies.iter().all(|body| !body.contains(token)),
        "a used link is struck from the stored message"
    );
    assert!(bodies
        .iter()
        .any(|body| body.contains("[link used and removed]")));
}

#[tokio::test]
async fn a_password_typed_as_the_address_is_not_kept_in_the_audit_log() {
    let portal = TestPortal::start().await;
    let answer = portal
        .try_sign_in("hunter2-TYPED-SECRET", "hunter2", None)
        .await;
    assert_eq!(answer.status(), 401);
    let details: Vec<String> = sqlx::query_scalar("SELECT detail FROM audit_events")
        .fetch_all(&portal.state.db.reader)
        .await
        .unwrap();
    assert!(!details.is_empty(), "the failure is recorded");
    assert!(
        details.iter().all(|d| !d.contains("hunter2")),
        "{details:?}"
    );
}

/// Log lines written while the guard lives (on this thread), for reading back.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    fn capture(&self) -> tracing::subscriber::DefaultGuard {
        let logs = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_writer(move || logs.clone())
            .finish();
        tracing::subscriber::set_default(subscriber)
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).to_string()
    }
}

#[tokio::test]
async fn a_refused_cross_site_write_logs_the_route_never_the_links_secret() {
    let portal = TestPortal::start().await;
    let logs = Logs::default();
    let _guard = logs.capture();
    let token = "B".repeat(43);
    let refused = portal
        .post_form_with(
            &format!("/reset-password/{token}"),
            &[("new_password", "x")],
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(refused.status(), 403);
    let written = logs.text();
    assert!(written.contains("refused a cross-site write"), "{written}");
    assert!(written.contains("/reset-password/{token}"), "{written}");
    assert!(!written.contains(&token), "{written}");
}

#[tokio::test]
async fn open_streams_end_when_the_accounts_sessions_end() {
    let portal = TestPortal::start().await;
    let admin = portal.admin("admin@example.com").await;
    let grace = portal.end_user("Grace", "grace@example.com").await;
    let bob = portal.end_user("Bob", "bob@example.com").await;

    // Sign-out ends Grace's stream.
    let (status, mut stream) = open_stream(&portal, Some(&grace), "/events?topic=notices").await;
    assert_eq!(status, 200);
    let signed_out = portal
        .post_as(Some(&grace), "/sign-out", &[("x", "")])
        .await;
    assert_eq!(signed_out.status(), 303);
    let end = tokio::time::timeout(Duration::from_secs(2), stream.frame()).await;
    assert!(
        matches!(end, Ok(None)),
        "the stream ends at sign-out: {:?}",
        end.map(|f| f.map(|f| f.is_ok()))
    );

    // Deactivation by an admin ends Bob's; Grace's new stream is not touched.
    let grace = portal.sign_in("grace@example.com", PASSWORD).await;
    let (_, mut graces) = open_stream(&portal, Some(&grace), "/events?topic=notices").await;
    let (_, mut bobs) = open_stream(&portal, Some(&bob), "/events?topic=notices").await;
    let bob_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'bob@example.com'")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    let deactivated = portal
        .post_as(
            Some(&admin),
            &format!("/admin/users/{bob_id}"),
            &[("role", "end_user")],
        )
        .await;
    assert_eq!(deactivated.status(), 303, "{}", deactivated.text());
    let end = tokio::time::timeout(Duration::from_secs(2), bobs.frame()).await;
    assert!(matches!(end, Ok(None)), "the stream ends at deactivation");
    let still = tokio::time::timeout(Duration::from_millis(300), graces.frame()).await;
    assert!(still.is_err(), "another account's stream goes on");
}

#[tokio::test]
async fn a_link_that_is_not_ours_never_writes_into_a_forms_action() {
    let portal = TestPortal::start().await;
    let grace = portal.end_user("Grace", "grace@example.com").await;
    for path in [
        "/verify-email/..%2F..%2Fsign-out",
        "/reset-password/..%2F..%2Fsign-out",
    ] {
        for who in [None, Some(&grace)] {
            let html = portal.get_as(who, path).await.text();
            assert!(!html.contains("../"), "{path}: {html}");
            assert!(!html.contains("action=\"/verify-email/"), "{path}");
            assert!(!html.contains("action=\"/reset-password/"), "{path}");
        }
    }
}

#[tokio::test]
async fn pages_whose_address_or_content_is_a_secret_are_never_stored() {
    let portal = TestPortal::start().await;
    let form = portal.with_email_service().await;
    let logged = portal.submit("incident", &form).await;
    let status_link = location(&logged);
    let token = "A".repeat(43);
    for path in [
        status_link,
        format!("/reset-password/{token}"),
        format!("/verify-email/{token}"),
    ] {
        let page = portal.get(&path).await;
        let cache = page
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(cache.contains("no-store"), "{path}: {cache:?}");
    }
    let looked_up = portal
        .post_as(
            None,
            "/status",
            &[("number", "INC0001001"), ("email", form.email.as_str())],
        )
        .await;
    assert_eq!(looked_up.status(), 200);
    let cache = looked_up.headers().get("cache-control").unwrap();
    assert!(cache.to_str().unwrap().contains("no-store"));
}
