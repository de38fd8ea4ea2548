//! The security baseline, proved through the real router: who may call what,
//! nobody reads someone else's ticket or the agents' notes, cross-site requests
//! change nothing, every page carries a strict Content-Security-Policy, and what
//! people type never becomes markup.

use crate::helpers::{form_fields, location, nonce_of, Response, Session, TestPortal, PASSWORD};
use axum::http::Method;
use std::collections::BTreeSet;

/// Who may call a server function or open a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Allowed {
    /// Everyone, signed in or not.
    Public,
    /// Any signed-in account (its own data only).
    SignedIn,
    /// Only the account that owns the ticket in the arguments; everyone else,
    /// the same "not found" as for a ticket that does not exist.
    Owner,
    /// A change by the owner of the ticket; the sample's version is stale, so the
    /// owner gets the conflict (past every check), everyone else "not found".
    OwnerWrite,
    /// Agents and admins (who see internal notes); end users are refused.
    Staff,
    /// A change by agents and admins, with a stale version: they get the conflict.
    StaffWrite,
    Admin,
}

/// Every server function: its path, sample arguments, and who may call it. A
/// server function missing here fails `every_server_function_checks_its_caller`.
const SERVER_FUNCTIONS: &[(&str, &str, Allowed)] = &[
    ("/api/search", "query=vpn&limit=5", Allowed::Public),
    ("/api/article", "slug=no-such-article", Allowed::Public),
    ("/api/home", "", Allowed::Public),
    ("/api/report_form", "", Allowed::Public),
    (
        "/api/status_by_link",
        "token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        Allowed::Public,
    ),
    ("/api/active_notices", "", Allowed::Public),
    ("/api/service_status", "", Allowed::Public),
    ("/api/registration_open", "", Allowed::Public),
    ("/api/my_account", "", Allowed::SignedIn),
    ("/api/my_mail_choices", "", Allowed::SignedIn),
    ("/api/my_time_zone", "", Allowed::SignedIn),
    (
        "/api/email_verification",
        "token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        Allowed::SignedIn,
    ),
    ("/api/my_tickets", "", Allowed::SignedIn),
    ("/api/my_ticket", "number=INC0001001", Allowed::Owner),
    (
        "/api/act_on_my_ticket",
        "number=INC0001001&version=0&action=ask_for_update",
        Allowed::OwnerWrite,
    ),
    (
        "/api/work_ticket",
        "number=INC0001001&version=0&action=note&body=x",
        Allowed::StaffWrite,
    ),
    (
        "/api/agent_queue",
        "group=&assignee=&state=&service=&priority=&sla=&after=&page=",
        Allowed::Staff,
    ),
    ("/api/desk_ticket", "number=INC0001001", Allowed::Staff),
    ("/api/admin_accounts", "", Allowed::Admin),
    ("/api/admin_outbox", "", Allowed::Admin),
    ("/api/admin_audit", "", Allowed::Admin),
    ("/api/admin_notices", "", Allowed::Admin),
    ("/api/admin_notice", "id=1", Allowed::Admin),
    ("/api/admin_priorities", "", Allowed::Admin),
    ("/api/admin_attachment_rules", "", Allowed::Admin),
    ("/api/admin_services", "", Allowed::Admin),
    ("/api/admin_groups", "", Allowed::Admin),
    ("/api/admin_calendars", "", Allowed::Admin),
    ("/api/admin_models", "", Allowed::Admin),
    // Writing knowledge: admins, and agents given the right (the cast's agent has
    // not been given it, so is refused like an end user).
    ("/api/knowledge_articles", "", Allowed::Admin),
    ("/api/article_editor", "kind=faq", Allowed::Admin),
];

/// Every page route, with a sample address and who may open it. A route missing
/// here fails `every_page_checks_its_viewer`.
const PAGES: &[(&str, &str, Allowed)] = &[
    ("/", "/", Allowed::Public),
    (
        "/articles/{slug}",
        "/articles/no-such-article",
        Allowed::Public,
    ),
    ("/report", "/report", Allowed::Public),
    ("/report/incident", "/report/incident", Allowed::Public),
    ("/report/request", "/report/request", Allowed::Public),
    ("/status", "/status", Allowed::Public),
    (
        "/status/{token}",
        "/status/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        Allowed::Public,
    ),
    ("/notices", "/notices", Allowed::Public),
    ("/sign-in", "/sign-in", Allowed::Public),
    ("/register", "/register", Allowed::Public),
    ("/forgot-password", "/forgot-password", Allowed::Public),
    (
        "/reset-password/{token}",
        "/reset-password/x",
        Allowed::Public,
    ),
    ("/welcome/{token}", "/welcome/x", Allowed::Public),
    // Confirming an address takes the account's session as well as the link.
    (
        "/verify-email/{token}",
        "/verify-email/x",
        Allowed::SignedIn,
    ),
    ("/account", "/account", Allowed::SignedIn),
    ("/my-tickets", "/my-tickets", Allowed::SignedIn),
    (
        "/my-tickets/{number}",
        "/my-tickets/INC0001001",
        Allowed::Owner,
    ),
    ("/agent", "/agent", Allowed::Staff),
    (
        "/agent/tickets/{number}",
        "/agent/tickets/INC0001001",
        Allowed::Staff,
    ),
    ("/admin/users", "/admin/users", Allowed::Admin),
    ("/admin/outbox", "/admin/outbox", Allowed::Admin),
    ("/admin/audit", "/admin/audit", Allowed::Admin),
    ("/admin/notices", "/admin/notices", Allowed::Admin),
    ("/admin/notices/{id}", "/admin/notices/1", Allowed::Admin),
    ("/admin/priorities", "/admin/priorities", Allowed::Admin),
    ("/admin/services", "/admin/services", Allowed::Admin),
    ("/admin/groups", "/admin/groups", Allowed::Admin),
    ("/admin/calendars", "/admin/calendars", Allowed::Admin),
    ("/admin/models", "/admin/models", Allowed::Admin),
    ("/admin/attachments", "/admin/attachments", Allowed::Admin),
    ("/knowledge", "/knowledge", Allowed::Admin),
    (
        "/knowledge/new",
        "/knowledge/new?kind=known_error",
        Allowed::Admin,
    ),
    (
        "/knowledge/articles/{slug}",
        "/knowledge/articles/cast-faq",
        Allowed::Admin,
    ),
];

/// Every form post that changes state, from the router's own table, each with a
/// sample address: a new post is in the checks below without being listed here.
fn form_posts() -> Vec<String> {
    server::form_posts()
        .into_iter()
        .map(|(pattern, _)| sample(pattern))
        .collect()
}

/// An address for a route pattern, naming a record the cast has.
fn sample(pattern: &str) -> String {
    pattern
        .split('/')
        .map(|segment| match segment {
            "{token}" => "A".repeat(43),
            "{number}" => "INC0001001".to_string(),
            "{id}" => "1".to_string(),
            "{slug}" if pattern.starts_with("/admin/services") => "email".to_string(),
            "{slug}" => "cast-faq".to_string(),
            other if other.starts_with('{') => panic!("no sample for {other} in {pattern}"),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

const INTERNAL_MARKER: &str = "INTERNAL-NOTE-7f3a9c";
const OTHER_REPORTER_MARKER: &str = "other.reporter.5d1e@example.com";

/// The cast: anonymous, end users A and B, an agent and an admin. A owns
/// INC0001001, which carries an internal note; another reporter owns INC0001002.
struct Cast {
    portal: TestPortal,
    a: Session,
    b: Session,
    agent: Session,
    admin: Session,
    /// The private status link of A's ticket.
    a_link: String,
}

impl Cast {
    async fn new() -> Cast {
        let portal = TestPortal::start().await;
        let admin = portal.admin("admin@example.com").await;
        let agent = portal
            .agent(&admin, "Alan Agent", "agent@example.com")
            .await;
        let a = portal.end_user("Amy", "amy@example.com").await;
        let b = portal.end_user("Bob", "bob@example.com").await;
        let mut form = portal.with_email_service().await;
        portal
            .add_faq("cast-faq", "email", "Cast FAQ", "Sign in again.")
            .await;
        form.email = "amy@example.com".into();
        let response = portal
            .post_as(Some(&a), "/report/incident", &form_fields(&form))
            .await;
        assert_eq!(response.status(), 303);
        let a_link = location(&response).replace("?new=1", "");
        form.email = OTHER_REPORTER_MARKER.into();
        form.phone = "+44 20 7946 0000".into();
        assert_eq!(portal.submit("incident", &form).await.status(), 303);
        sqlx::query(
            "INSERT INTO ticket_events (ticket_id, at, actor, kind, visibility, body)
             SELECT id, created_at, 'Alan Agent', 'note', 'internal', ? FROM tickets WHERE number = 'INC0001001'",
        )
        .bind(format!("{INTERNAL_MARKER}: reporter seems to use a personal laptop"))
        .execute(&portal.state.db.writer)
        .await
        .expect("an internal note");
        app::server::notices::publish(
            &portal.state.db,
            &portal.state.changes,
            &app::domain::NoticeForm {
                title: "Mail delayed".into(),
                severity: "minor".into(),
                services: vec!["email".into()],
                experience: "Messages to outside addresses are delayed.".into(),
                ..Default::default()
            }
            .parse(chrono::Utc::now())
            .expect("a valid notice"),
            "Ada Admin",
            chrono::Utc::now(),
        )
        .await
        .expect("notice 1");
        Cast {
            portal,
            a,
            b,
            agent,
            admin,
            a_link,
        }
    }

    fn everyone(&self) -> [(&'static str, Option<&Session>); 5] {
        [
            ("anonymous", None),
            ("end user A", Some(&self.a)),
            ("end user B", Some(&self.b)),
            ("agent", Some(&self.agent)),
            ("admin", Some(&self.admin)),
        ]
    }

    async fn call(
        &self,
        who: Option<&Session>,
        method: &Method,
        path: &str,
        args: &str,
    ) -> Response {
        if *method == Method::GET {
            let url = if args.is_empty() {
                path.to_string()
            } else {
                format!("{path}?{args}")
            };
            self.portal.get_as(who, &url).await
        } else {
            let mut headers = vec![("sec-fetch-site", "same-origin")];
            if let Some(session) = who {
                headers.push(("cookie", session.cookie.as_str()));
            }
            self.portal
                .post_raw(
                    path,
                    "application/x-www-form-urlencoded",
                    args.into(),
                    &headers,
                )
                .await
        }
    }
}

/// Whether `who` (by its label) may see what `allowed` guards; for `Owner`, A.
fn expected_status(allowed: Allowed, who: &str) -> Option<u16> {
    match (allowed, who) {
        (Allowed::Public, _) => None,
        (_, "anonymous") => Some(401),
        (Allowed::SignedIn, _) => Some(200),
        (Allowed::Owner, "end user A") => Some(200),
        (Allowed::Owner, _) => Some(404),
        (Allowed::OwnerWrite, "end user A") => Some(409),
        (Allowed::OwnerWrite, _) => Some(404),
        (Allowed::Staff, "agent" | "admin") => Some(200),
        (Allowed::Staff, _) => Some(403),
        (Allowed::StaffWrite, "agent" | "admin") => Some(409),
        (Allowed::StaffWrite, _) => Some(403),
        (Allowed::Admin, "admin") => Some(200),
        (Allowed::Admin, _) => Some(403),
    }
}

fn assert_no_leak(response: &Response, context: &str) {
    let body = response.text();
    assert!(
        !body.contains(INTERNAL_MARKER),
        "internal note leaked: {context}"
    );
    assert!(
        !body.contains(OTHER_REPORTER_MARKER),
        "another reporter leaked: {context}"
    );
}

#[tokio::test]
async fn every_server_function_checks_its_caller() {
    let cast = Cast::new().await;
    let registered: BTreeSet<(String, Method)> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, method)| (path.to_string(), method))
        .collect();
    let listed: BTreeSet<&str> = SERVER_FUNCTIONS.iter().map(|(p, _, _)| *p).collect();
    for (path, _) in &registered {
        assert!(
            listed.contains(path.as_str()),
            "{path} is missing from the matrix"
        );
    }
    assert_eq!(
        listed.len(),
        registered.len(),
        "the matrix lists functions that do not exist"
    );

    let mut checked = 0;
    for (path, method) in &registered {
        let (_, args, allowed) = SERVER_FUNCTIONS.iter().find(|(p, _, _)| p == path).unwrap();
        for (who, session) in cast.everyone() {
            let response = cast.call(session, method, path, args).await;
            let status = response.status();
            match expected_status(*allowed, who) {
                Some(expected) => assert_eq!(status, expected, "{who} calling {path}"),
                None => assert!(
                    status != 401 && status != 403 && status < 500,
                    "{who} calling public {path}: {status}"
                ),
            }
            let desk_reading = *allowed == Allowed::Staff && matches!(who, "agent" | "admin");
            if !desk_reading {
                assert_no_leak(&response, &format!("{who} calling {path}"));
            }
            checked += 1;
        }
    }
    assert!(checked >= SERVER_FUNCTIONS.len() * 5);
}

#[tokio::test]
async fn every_page_checks_its_viewer() {
    let cast = Cast::new().await;
    let routes: BTreeSet<String> = server::page_routes()
        .iter()
        .map(|r| r.path().to_string())
        .collect();
    for route in &routes {
        assert!(
            PAGES.iter().any(|(p, _, _)| p == route),
            "page {route} is missing from the matrix"
        );
    }
    for (route, sample, allowed) in PAGES {
        assert!(routes.contains(*route), "{route} is not a page any more");
        for (who, session) in cast.everyone() {
            let response = cast.portal.get_as(session, sample).await;
            let status = response.status();
            match expected_status(*allowed, who) {
                Some(expected) => assert_eq!(status, expected, "{who} opening {sample}"),
                None => assert!(
                    status != 401 && status != 403 && status < 500,
                    "{who} opening {sample}: {status}"
                ),
            }
            // The desk's pages show internal notes and every reporter, to the desk.
            let desk_reading = *allowed == Allowed::Staff && matches!(who, "agent" | "admin");
            if !desk_reading {
                assert_no_leak(&response, &format!("{who} opening {sample}"));
            }
        }
    }
}

#[tokio::test]
async fn admin_form_posts_refuse_everyone_but_admins() {
    let cast = Cast::new().await;
    let users_before: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&cast.portal.state.db.reader)
        .await
        .unwrap();
    for (who, session) in cast.everyone() {
        if who == "admin" {
            continue;
        }
        for (path, fields) in [
            (
                "/admin/users",
                vec![
                    ("name", "Eve"),
                    ("email", "eve@example.com"),
                    ("role", "admin"),
                ],
            ),
            ("/admin/users/4", vec![("role", "admin"), ("active", "on")]),
            ("/admin/registration", vec![("open", "off")]),
            (
                "/admin/groups",
                vec![("name", "Eve's group"), ("level", "1")],
            ),
            (
                "/admin/groups/1",
                vec![("name", "Eve's group"), ("level", "1")],
            ),
            (
                "/admin/calendars",
                vec![
                    ("name", "Eve's hours"),
                    ("time_zone", "UTC"),
                    ("mon_opens", "0:00"),
                    ("mon_closes", "24:00"),
                ],
            ),
            (
                "/admin/calendars/2",
                vec![
                    ("name", "Eve's hours"),
                    ("time_zone", "UTC"),
                    ("mon_opens", "0:00"),
                    ("mon_closes", "24:00"),
                ],
            ),
            (
                "/admin/calendars/priorities",
                vec![
                    ("p1_calendar", "2"),
                    ("p2_calendar", "2"),
                    ("p3_calendar", "2"),
                    ("p4_calendar", "2"),
                    ("p5_calendar", "2"),
                ],
            ),
            (
                "/admin/models",
                vec![
                    ("name", "Eve's model"),
                    ("category", "1"),
                    ("impact", "low"),
                    ("urgency", "low"),
                    ("steps", "x"),
                ],
            ),
            (
                "/admin/attachments",
                vec![
                    ("per_file_mb", "100"),
                    ("per_ticket_mb", "1000"),
                    ("kind", "zip"),
                ],
            ),
            ("/admin/outbox", vec![("email", "eve@example.com")]),
            ("/admin/outbox/1", vec![]),
        ] {
            let response = cast.portal.post_as(session, path, &fields).await;
            let expected = if session.is_some() { 403 } else { 401 };
            assert_eq!(response.status(), expected, "{who} posting {path}");
        }
    }
    let users_after: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&cast.portal.state.db.reader)
        .await
        .unwrap();
    assert_eq!(users_before, users_after);
    let roles: Vec<String> = sqlx::query_scalar("SELECT role FROM users ORDER BY id")
        .fetch_all(&cast.portal.state.db.reader)
        .await
        .unwrap();
    assert_eq!(roles, ["admin", "agent", "end_user", "end_user"]);
    for (table, rows) in [
        ("assignment_groups WHERE name LIKE 'Eve%'", 0),
        ("calendars WHERE name LIKE 'Eve%'", 0),
        ("incident_models", 0),
        ("outbox WHERE recipient = 'eve@example.com'", 0),
        ("priorities WHERE calendar_id = 1", 1),
        (
            "audit_events WHERE action IN ('group_added', 'group_changed', 'calendar_added',
             'calendar_changed', 'priority_calendars_changed', 'model_added')",
            0,
        ),
    ] {
        let count: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(&cast.portal.state.db.reader)
            .await
            .unwrap();
        assert_eq!(count, rows, "{table}");
    }
    assert!(cast
        .portal
        .get("/register")
        .await
        .text()
        .contains("Create account"));
}

#[tokio::test]
async fn a_sweep_of_a_thousand_ticket_numbers_discloses_nothing() {
    let cast = Cast::new().await;
    let mut disclosures = Vec::new();
    for kind in ["INC", "REQ"] {
        for n in 1001..1501 {
            let number = format!("{kind}{n:07}");
            for (who, session) in [("B", Some(&cast.b)), ("anonymous", None)] {
                let page = cast
                    .portal
                    .get_as(session, &format!("/my-tickets/{number}"))
                    .await;
                let api = cast
                    .portal
                    .get_as(session, &format!("/api/my_ticket?number={number}"))
                    .await;
                for response in [&page, &api] {
                    if response.status() == 200 || response.text().contains("Outlook will not send")
                    {
                        disclosures.push(format!("{who} {number}"));
                    }
                    assert_no_leak(response, &number);
                }
            }
        }
    }
    assert!(disclosures.is_empty(), "{disclosures:?}");
    // Guessing private links discloses nothing either.
    for n in 0..200 {
        let token = format!("{n:0>43}");
        let response = cast.portal.get(&format!("/status/{token}")).await;
        assert_eq!(response.status(), 404);
    }
    // And A still sees their own.
    assert_eq!(
        cast.portal
            .get_as(Some(&cast.a), "/my-tickets/INC0001001")
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn internal_notes_never_reach_the_reporter() {
    let cast = Cast::new().await;
    let token = cast.a_link.trim_start_matches("/status/").to_string();
    let mut responses = vec![
        cast.portal.get_as(Some(&cast.a), "/my-tickets").await,
        cast.portal
            .get_as(Some(&cast.a), "/my-tickets/INC0001001")
            .await,
        cast.portal.get_as(Some(&cast.a), "/api/my_tickets").await,
        cast.portal
            .get_as(Some(&cast.a), "/api/my_ticket?number=INC0001001")
            .await,
        cast.portal.get_as(Some(&cast.a), &cast.a_link).await,
        cast.portal.get(&format!("{}?new=1", cast.a_link)).await,
    ];
    responses.push(
        cast.portal
            .post_as(None, "/api/status_by_link", &[("token", token.as_str())])
            .await,
    );
    responses.push(
        cast.portal
            .post_as(
                None,
                "/status",
                &[("number", "INC0001001"), ("email", "amy@example.com")],
            )
            .await,
    );
    for (n, response) in responses.iter().enumerate() {
        assert_eq!(response.status(), 200, "response {n}: {}", response.text());
        assert!(
            response.text().contains("Outlook will not send"),
            "response {n} shows the ticket"
        );
        assert_no_leak(response, &format!("response {n}"));
    }
}

#[tokio::test]
async fn cross_site_requests_with_the_victims_cookie_change_nothing() {
    let cast = Cast::new().await;
    let portal = &cast.portal;
    let mut posts = form_posts();
    let form_post_count = posts.len();
    posts.extend(leptos::server_fn::axum::server_fn_paths().map(|(p, _)| p.to_string()));
    let bodies = [
        ("application/x-www-form-urlencoded", "role=admin&open=off&new_password=pwned+pwned+pwned&confirm_password=pwned+pwned+pwned&current_password=correct+horse+battery+staple&name=Eve&email=eve%40example.com"),
        ("application/json", r#"{"role":"admin","open":"off","name":"Eve","email":"eve@example.com"}"#),
        ("text/plain", "role=admin&open=off&name=Eve&email=eve@example.com"),
    ];
    let attacks: [&[(&str, &str)]; 3] = [
        &[
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://evil.example"),
        ],
        &[("origin", "https://evil.example")],
        &[
            ("sec-fetch-site", "same-site"),
            ("origin", "https://sub.portal.test"),
        ],
    ];
    let mut attempts = 0;
    for victim in [&cast.a, &cast.admin] {
        for path in &posts {
            for (content_type, body) in bodies {
                for attack in attacks {
                    let mut headers = attack.to_vec();
                    headers.push(("cookie", victim.cookie.as_str()));
                    let response = portal
                        .post_raw(path, content_type, body.into(), &headers)
                        .await;
                    assert_eq!(
                        response.status(),
                        403,
                        "{path} as {content_type} with {attack:?}"
                    );
                    attempts += 1;
                }
            }
        }
    }
    assert!(form_post_count >= 30, "the router serves every form post");
    assert!(attempts >= 2 * (form_post_count + 14) * 9);
    // Nothing changed: both sessions live, no account, role, setting or ticket added.
    assert_eq!(portal.get_as(Some(&cast.a), "/account").await.status(), 200);
    assert_eq!(
        portal
            .get_as(Some(&cast.admin), "/admin/users")
            .await
            .status(),
        200
    );
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    assert_eq!(users, 4);
    let tickets: i64 = sqlx::query_scalar("SELECT count(*) FROM tickets")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    assert_eq!(tickets, 2);
    assert!(portal
        .get("/register")
        .await
        .text()
        .contains("Create account"));
    portal.sign_in("amy@example.com", PASSWORD).await;
}

#[tokio::test]
async fn nothing_changes_state_on_get() {
    let cast = Cast::new().await;
    let before: (i64, i64, i64) = counts(&cast.portal).await;
    for path in form_posts() {
        for session in [Some(&cast.a), Some(&cast.admin), None] {
            let response = cast
                .portal
                .get_as(
                    session,
                    &format!("{path}?role=admin&open=off&name=Eve&email=eve%40example.com"),
                )
                .await;
            assert!(response.status() < 500, "GET {path}");
        }
    }
    assert_eq!(counts(&cast.portal).await, before);
    assert_eq!(
        cast.portal.get_as(Some(&cast.a), "/account").await.status(),
        200
    );
    assert!(cast
        .portal
        .get("/register")
        .await
        .text()
        .contains("Create account"));
}

async fn counts(portal: &TestPortal) -> (i64, i64, i64) {
    let q = |sql: &'static str| {
        let pool = portal.state.db.reader.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    (
        q("SELECT count(*) FROM users").await,
        q("SELECT count(*) FROM tickets").await,
        q("SELECT count(*) FROM sessions").await,
    )
}

#[tokio::test]
async fn every_page_carries_a_strict_policy_with_its_own_nonce() {
    let cast = Cast::new().await;
    let mut nonces = BTreeSet::new();
    for (_, sample, _) in PAGES {
        for (who, session) in cast.everyone() {
            let response = cast.portal.get_as(session, sample).await;
            let policy = response
                .headers()
                .get("content-security-policy")
                .unwrap_or_else(|| panic!("{sample} for {who} has no policy"))
                .to_str()
                .unwrap()
                .to_string();
            let html = response.text();
            let nonce = nonce_of(&html).unwrap_or_else(|| panic!("{sample}: no script nonce"));
            assert!(
                policy.contains(&format!("'nonce-{nonce}'")),
                "{sample}: {policy}"
            );
            for directive in [
                "object-src 'none'",
                "base-uri 'none'",
                "frame-ancestors 'none'",
            ] {
                assert!(policy.contains(directive), "{sample}: {policy}");
            }
            assert!(!policy.contains("unsafe-inline"), "{sample}: {policy}");
            let scripts = html.matches("<script").count();
            let nonced = html.matches(&format!("nonce=\"{nonce}\"")).count();
            assert!(
                scripts > 0 && scripts <= nonced,
                "{sample}: {scripts} scripts, {nonced} nonces"
            );
            for header in ["x-content-type-options", "referrer-policy"] {
                assert!(
                    response.headers().get(header).is_some(),
                    "{sample}: {header}"
                );
            }
            nonces.insert(nonce);
        }
    }
    assert_eq!(
        nonces.len(),
        PAGES.len() * 5,
        "every response has its own nonce"
    );
    let api = cast.portal.get("/api/home").await;
    assert!(api
        .headers()
        .get("content-security-policy")
        .is_some_and(|p| p.to_str().unwrap().contains("default-src 'none'")));
}

/// What each actor gets from a download address: (anonymous, end user A, end
/// user B, agent, admin).
type Answers = [u16; 5];

#[tokio::test]
async fn every_download_answers_each_actor_exactly_as_the_page_that_lists_it() {
    let cast = Cast::new().await;
    let portal = &cast.portal;
    let image = crate::attachments::png(40, 30);
    // A reply with an image and an internal note with a log, on A's ticket.
    let desk = "/agent/tickets/INC0001001";
    for (action, name, bytes) in [
        ("reply", "fix.png", image.as_slice()),
        ("note", "trace.log", crate::attachments::LOG),
    ] {
        let version = crate::attachments::version_of(portal, "INC0001001").await;
        let posted = portal
            .post_multipart(
                Some(&cast.agent),
                desk,
                &[
                    ("version", version.as_str()),
                    ("action", action),
                    ("body", "See the file"),
                ],
                &[(name, bytes)],
            )
            .await;
        assert_eq!(posted.status(), 303, "{}", posted.text());
    }
    // A draft article and one for signed-in readers, each with an image.
    for (slug, visibility, intent) in [
        ("cast-draft", "public", "save"),
        ("cast-members", "signed_in", "publish"),
    ] {
        let posted = portal
            .post_multipart(
                Some(&cast.admin),
                "/knowledge/new",
                &[
                    ("kind", "faq"),
                    ("revision", "0"),
                    ("title", slug),
                    ("slug", slug),
                    ("service", "email"),
                    ("visibility", visibility),
                    ("answer", "See the picture."),
                    ("intent", intent),
                ],
                &[("picture.png", &image)],
            )
            .await;
        assert_eq!(posted.status(), 303, "{}", posted.text());
    }
    let id_of = |name: &'static str, article: Option<&'static str>| async move {
        let query = match article {
            None => "SELECT public_id FROM attachments WHERE name = ? AND ticket_id IS NOT NULL",
            Some(_) => {
                "SELECT a.public_id FROM attachments a JOIN articles r ON r.id = a.article_id
                 WHERE a.name = ? AND r.slug = ?"
            }
        };
        let id: String = sqlx::query_scalar(query)
            .bind(name)
            .bind(article.unwrap_or_default())
            .fetch_one(&portal.state.db.reader)
            .await
            .unwrap();
        id
    };
    let reply = id_of("fix.png", None).await;
    let note = id_of("trace.log", None).await;
    let draft = id_of("picture.png", Some("cast-draft")).await;
    let members = id_of("picture.png", Some("cast-members")).await;
    // A message the desk received, kept whole.
    let mail: i64 = sqlx::query_scalar(
        "INSERT INTO inbound_mail (received_at, sender, subject, size, raw, outcome)
         VALUES (?, 'rita@example.org', 'Printer', 9, 'Subject: x', 'unreadable') RETURNING id",
    )
    .bind(chrono::Utc::now())
    .fetch_one(&portal.state.db.writer)
    .await
    .unwrap();
    let link = &cast.a_link;
    const ANYONE: Answers = [200, 200, 200, 200, 200];
    const NOBODY: Answers = [404, 404, 404, 404, 404];
    const OWNER: Answers = [401, 200, 404, 404, 404];
    const NOT_EVEN_OWNER: Answers = [401, 404, 404, 404, 404];
    const STAFF: Answers = [401, 403, 403, 200, 200];
    const STAFF_ONLY_ARTICLE: Answers = [404, 404, 404, 200, 200];
    const SIGNED_IN: Answers = [401, 200, 200, 200, 200];
    let cases: Vec<(&str, String, Answers)> = vec![
        (
            "/status/{token}/files/{id}",
            format!("{link}/files/{reply}"),
            ANYONE,
        ),
        (
            "/status/{token}/files/{id}",
            format!("{link}/files/{note}"),
            NOBODY,
        ),
        (
            "/status/{token}/files/{id}/thumbnail",
            format!("{link}/files/{reply}/thumbnail"),
            ANYONE,
        ),
        (
            "/my-tickets/{number}/files/{id}",
            format!("/my-tickets/INC0001001/files/{reply}"),
            OWNER,
        ),
        (
            "/my-tickets/{number}/files/{id}",
            format!("/my-tickets/INC0001001/files/{note}"),
            NOT_EVEN_OWNER,
        ),
        (
            "/my-tickets/{number}/files/{id}/thumbnail",
            format!("/my-tickets/INC0001001/files/{reply}/thumbnail"),
            OWNER,
        ),
        (
            "/agent/tickets/{number}/files/{id}",
            format!("{desk}/files/{reply}"),
            STAFF,
        ),
        (
            "/agent/tickets/{number}/files/{id}",
            format!("{desk}/files/{note}"),
            STAFF,
        ),
        (
            "/agent/tickets/{number}/files/{id}/thumbnail",
            format!("{desk}/files/{reply}/thumbnail"),
            STAFF,
        ),
        (
            "/articles/{slug}/files/{id}",
            format!("/articles/cast-draft/files/{draft}"),
            STAFF_ONLY_ARTICLE,
        ),
        ("/agent/mail/{id}", format!("/agent/mail/{mail}"), STAFF),
        (
            "/agent/mail/{id}",
            "/agent/mail/999999".to_string(),
            [401, 403, 403, 404, 404],
        ),
        (
            "/articles/{slug}/files/{id}",
            format!("/articles/cast-members/files/{members}"),
            SIGNED_IN,
        ),
        (
            "/articles/{slug}/files/{id}",
            format!("/articles/cast-members/files/{draft}"),
            [401, 404, 404, 404, 404],
        ),
        (
            "/articles/{slug}/files/{id}/thumbnail",
            format!("/articles/cast-members/files/{members}/thumbnail"),
            SIGNED_IN,
        ),
    ];
    let routes: BTreeSet<&str> = server::downloads().into_iter().map(|(p, _)| p).collect();
    let covered: BTreeSet<&str> = cases.iter().map(|(p, _, _)| *p).collect();
    assert_eq!(routes, covered, "every download route is in the matrix");
    for (_, address, answers) in &cases {
        for ((who, session), expected) in cast.everyone().into_iter().zip(answers) {
            let response = portal.get_as(session, address).await;
            assert_eq!(response.status(), *expected, "{who} downloading {address}");
            if response.status() == 200 {
                assert_eq!(
                    response.headers().get("content-security-policy").unwrap(),
                    "default-src 'none'; sandbox"
                );
            } else {
                assert_no_leak(&response, &format!("{who} downloading {address}"));
            }
        }
    }
}
