//! Stored and reflected XSS: a corpus of payloads (shared with the Chromium test in
//! `end2end/tests/xss.spec.ts`) goes into every field people can write, and every
//! view that shows them is rendered and checked: no payload survives as markup.

use crate::helpers::{form_fields, html_escaped, nonce_of, TestPortal};

const CORPUS: &str = include_str!("../../../end2end/tests/xss-payloads.json");

fn payloads() -> Vec<String> {
    serde_json::from_str(CORPUS).expect("the corpus is a JSON list of strings")
}

/// Every problem found in one rendered page.
fn markup_problems(html: &str, payloads: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    for payload in payloads {
        if payload.contains('<') && html.contains(payload.as_str()) {
            problems.push(format!("payload rendered as markup: {payload}"));
        }
    }
    let nonce = nonce_of(html).unwrap_or_default();
    let scripts = html.matches("<script").count();
    let nonced = html.matches(&format!("nonce=\"{nonce}\"")).count();
    if scripts > nonced {
        problems.push(format!("{scripts} scripts but {nonced} carry the nonce"));
    }
    let lower = html.to_ascii_lowercase();
    // Real tags only start where the page itself wrote a `<`: user text has its `<`
    // escaped. None of our tags has an inline event handler or a script URL.
    for tag in lower.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or("");
        if !tag.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        for (name, value) in attributes(tag) {
            if name.len() > 2 && name.starts_with("on") {
                problems.push(format!("an event handler attribute in <{tag}>"));
            }
            let value = value.trim_start();
            let url = matches!(
                name.as_str(),
                "href" | "src" | "action" | "formaction" | "xlink:href" | "poster" | "data"
            );
            if url && (value.starts_with("javascript:") || value.starts_with("data:")) {
                problems.push(format!("a {name} leads to {value}"));
            }
        }
    }
    problems
}

/// Fails with the first few problems if any page has any.
fn assert_no_markup_in(pages: &[String], payloads: &[String]) {
    let mut problems = Vec::new();
    for (n, page) in pages.iter().enumerate() {
        for problem in markup_problems(page, payloads) {
            problems.push(format!("view {n}: {problem}"));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems, first: {:?}",
        problems.len(),
        &problems[..problems.len().min(5)]
    );
}

/// The attributes (name, value) of a tag (its text between `<` and `>`), honouring
/// quotes.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut chars = tag.chars().peekable();
    // The tag name.
    while chars.peek().is_some_and(|c| !c.is_whitespace()) {
        chars.next();
    }
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == '/') {
            chars.next();
        }
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() || c == '=' || c == '/' {
                break;
            }
            name.push(c);
            chars.next();
        }
        if name.is_empty() && chars.peek().is_none() {
            return found;
        }
        let mut value = String::new();
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek() == Some(&'=') {
            chars.next();
            while chars.peek().is_some_and(|c| c.is_whitespace()) {
                chars.next();
            }
            match chars.peek().copied() {
                Some(quote @ ('"' | '\'')) => {
                    chars.next();
                    for c in chars.by_ref() {
                        if c == quote {
                            break;
                        }
                        value.push(c);
                    }
                }
                _ => {
                    while let Some(c) = chars.peek().copied().filter(|c| !c.is_whitespace()) {
                        value.push(c);
                        chars.next();
                    }
                }
            }
        }
        if !name.is_empty() {
            found.push((name, value));
        }
    }
}

#[tokio::test]
async fn no_payload_in_any_field_becomes_markup_in_any_view() {
    let portal = TestPortal::start().await;
    let payloads = payloads();
    assert!(
        payloads.len() >= 100,
        "the corpus has {} payloads",
        payloads.len()
    );
    let admin = portal.admin("admin@example.com").await;
    let reporter = portal.end_user("Rita Reporter", "rita@example.com").await;
    let mut form = portal.with_email_service().await;
    form.email = "rita@example.com".into();

    let mut pages = Vec::new();
    for (n, payload) in payloads.iter().enumerate() {
        form.name = payload.chars().take(100).collect();
        form.summary = format!("XSS {payload}").chars().take(150).collect();
        form.description = format!("Steps: {payload}");
        // Each from its own address, as many people would: one client is limited.
        let response = portal
            .post_as_from(
                &format!("10.0.0.{}", n % 250),
                Some(&reporter),
                "/report/incident",
                &form_fields(&form),
            )
            .await;
        assert_eq!(
            response.status(),
            303,
            "ticket with {payload}: {}",
            response.text()
        );
        let status_link = crate::helpers::location(&response);
        pages.push(portal.get(&status_link).await.text());
        pages.push(
            portal
                .get_as(Some(&reporter), &format!("/my-tickets/INC{:07}", 1001 + n))
                .await
                .text(),
        );

        let invited = portal
            .post_as(
                Some(&admin),
                "/admin/users",
                &[
                    (
                        "name",
                        payload.chars().take(100).collect::<String>().as_str(),
                    ),
                    ("email", format!("xss{n}@example.com").as_str()),
                    ("role", "end_user"),
                ],
            )
            .await;
        assert_eq!(
            invited.status(),
            303,
            "invitation of {payload}: {}",
            invited.text()
        );

        // Reflected: search, and forms answered with what was typed.
        let query = serde_urlencoded::to_string([("q", payload)]).unwrap();
        pages.push(portal.get(&format!("/?{query}")).await.text());
        if n < 20 {
            let sign_in = portal
                .post_as(
                    None,
                    "/sign-in",
                    &[
                        ("email", payload.as_str()),
                        ("password", "x"),
                        ("next", payload.as_str()),
                    ],
                )
                .await;
            pages.push(sign_in.text());
            let lookup = portal
                .post_as(
                    None,
                    "/status",
                    &[("number", payload.as_str()), ("email", payload.as_str())],
                )
                .await;
            pages.push(lookup.text());
            let mut bad = form.clone();
            bad.category = String::new();
            let fields = form_fields(&bad);
            pages.push(
                portal
                    .post_as(None, "/report/incident", &fields)
                    .await
                    .text(),
            );
        }
    }
    // (Server-function answers are JSON, served as such with `nosniff`: never HTML.)
    pages.push(portal.get_as(Some(&reporter), "/my-tickets").await.text());
    for path in ["/admin/users", "/admin/outbox", "/admin/audit"] {
        pages.push(portal.get_as(Some(&admin), path).await.text());
    }

    assert_no_markup_in(&pages, &payloads);
    // The payloads are there, as text.
    let list = &pages[pages.len() - 4];
    assert!(list.contains(&html_escaped("XSS <script>alert(1)</script>")));
}

#[test]
fn the_checker_finds_what_it_looks_for() {
    let payloads = vec!["<img src=x onerror=alert(1)>".to_string()];
    let page = "<html><script nonce=\"n\">ok</script><p><img src=x onerror=alert(1)></p><a href=\"javascript:x\">";
    let problems = markup_problems(page, &payloads);
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(markup_problems("<p>&lt;img src=x onerror=alert(1)&gt;</p>", &payloads).is_empty());
    let quoted = "<input value=\"&lt;img src=x onerror=alert(1)&gt;\" title='a onclick=b'>";
    assert!(markup_problems(quoted, &payloads).is_empty());
    let names: Vec<String> = attributes("input a=\"x y\" onclick=go() b")
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names, ["a", "onclick", "b"]);
}

/// Markdown's own ways to smuggle markup: links and images with script or data
/// addresses, reference links, autolinks, raw HTML blocks and inline HTML.
const MARKDOWN_PAYLOADS: &[&str] = &[
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click]( javascript:alert(1) )",
    "[click](javascript&#58;alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml,<svg onload=alert(1)>)",
    "[ref][1]\n\n[1]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "[x](vbscript:msgbox(1))",
    "<div onclick=\"alert(1)\">\n\n**bold**\n\n</div>",
    "<p style=\"background:url(javascript:alert(1))\">x</p>",
    "Text <span onmouseover=alert(1)>hover</span> more",
    "```html\n<script>alert(1)</script>\n```",
    "| a | b |\n|---|---|\n| <img src=x onerror=alert(1)> | [x](javascript:alert(1)) |",
];

#[tokio::test]
async fn authored_markdown_never_becomes_markup_in_any_view() {
    let portal = TestPortal::start().await;
    portal.add_service("email", "E-mail", &["Sending"]).await;
    let admin = portal.admin("admin@example.com").await;
    let mut all = payloads();
    all.extend(MARKDOWN_PAYLOADS.iter().map(|p| p.to_string()));
    for (i, payload) in all.iter().enumerate() {
        let slug = format!("payload-{i}");
        let title = format!("Payload {i} {payload}");
        let title: String = title.chars().take(200).collect();
        let symptoms = format!("{payload}\n\n1. {payload}\n2. *{payload}*");
        let response = portal
            .post_as(
                Some(&admin),
                "/knowledge/new",
                &[
                    ("kind", "known_error"),
                    ("slug", slug.as_str()),
                    ("title", title.as_str()),
                    ("service", "email"),
                    ("visibility", "public"),
                    ("keywords", "payload"),
                    ("symptoms", symptoms.as_str()),
                    ("workaround", payload.as_str()),
                    ("cause", payload.as_str()),
                    ("status", "investigating"),
                    ("intent", "publish"),
                ],
            )
            .await;
        assert_eq!(response.status(), 303, "{payload}: {}", response.text());
        for (who, path) in [
            (None, format!("/articles/{slug}")),
            (Some(&admin), format!("/articles/{slug}")),
            (Some(&admin), format!("/knowledge/articles/{slug}")),
        ] {
            let page = portal.get_as(who, &path).await;
            assert_eq!(page.status(), 200, "{path}");
            let problems = markup_problems(&page.text(), &all);
            assert!(problems.is_empty(), "{path} with {payload:?}: {problems:?}");
        }
    }
    for (who, path) in [
        (None, "/?q=payload".to_string()),
        (Some(&admin), "/knowledge".to_string()),
    ] {
        let page = portal.get_as(who, &path).await;
        assert_eq!(page.status(), 200);
        let problems = markup_problems(&page.text(), &all);
        assert!(problems.is_empty(), "{path}: {problems:?}");
    }
}

#[tokio::test]
async fn configuration_names_and_steps_never_become_markup_in_any_view() {
    let portal = TestPortal::start().await;
    let admin = portal.admin("admin@example.com").await;
    let agent = portal
        .agent(&admin, "Alan Agent", "agent@example.com")
        .await;
    let form = portal.with_email_service().await;
    assert_eq!(portal.submit("incident", &form).await.status(), 303);
    let category = portal.category_ids("email").await[0].to_string();
    let payloads = payloads();
    let mut pages = Vec::new();
    for (n, payload) in payloads.iter().enumerate() {
        let line: String = payload
            .replace(['\r', '\n'], " ")
            .chars()
            .take(90)
            .collect();
        let name = format!("{n} {line}");
        let holiday = format!("2027-01-01 {line}");
        for (path, fields) in [
            (
                "/admin/groups",
                vec![("name", name.as_str()), ("level", "2")],
            ),
            (
                "/admin/models",
                vec![
                    ("name", name.as_str()),
                    ("category", category.as_str()),
                    ("impact", "low"),
                    ("urgency", "low"),
                    ("active", "on"),
                    ("steps", payload.as_str()),
                ],
            ),
            (
                "/admin/calendars",
                vec![
                    ("name", name.as_str()),
                    ("time_zone", "UTC"),
                    ("mon_opens", "09:00"),
                    ("mon_closes", "17:00"),
                    ("holidays", holiday.as_str()),
                ],
            ),
        ] {
            let response = portal.post_as(Some(&admin), path, &fields).await;
            assert_eq!(
                response.status(),
                303,
                "{path} with {payload}: {}",
                response.text()
            );
        }
        // Reflected: a refused form shows what was typed.
        if n < 20 {
            let refused = portal
                .post_as(
                    Some(&admin),
                    "/admin/calendars",
                    &[
                        ("name", payload.as_str()),
                        ("time_zone", payload.as_str()),
                        ("holidays", payload.as_str()),
                    ],
                )
                .await;
            assert_eq!(refused.status(), 422);
            pages.push(refused.text());
        }
    }
    // Every model applied to the ticket: its steps are the ticket's checklist.
    let models: Vec<i64> = sqlx::query_scalar("SELECT id FROM incident_models")
        .fetch_all(&portal.state.db.reader)
        .await
        .unwrap();
    for model in models {
        let applied = portal.apply_model(&agent, "INC0001001", model).await;
        assert_eq!(applied.status(), 303, "{}", applied.text());
    }
    for path in [
        "/admin/groups",
        "/admin/calendars",
        "/admin/models",
        "/admin/audit",
        "/admin/users",
    ] {
        pages.push(portal.get_as(Some(&admin), path).await.text());
    }
    pages.push(
        portal
            .get_as(Some(&agent), "/agent/tickets/INC0001001")
            .await
            .text(),
    );
    pages.push(portal.get_as(Some(&agent), "/agent").await.text());
    assert_no_markup_in(&pages, &payloads);
    let desk = &pages[pages.len() - 2];
    assert!(
        desk.contains(&html_escaped("<script>alert(1)</script>")),
        "the steps are there, as text"
    );
}

#[tokio::test]
async fn attached_file_names_never_become_markup_in_any_view_or_header() {
    let portal = TestPortal::start().await;
    let payloads = payloads();
    let form = portal.with_email_service().await;
    let logged = portal.submit("incident", &form).await;
    let link = crate::helpers::location(&logged);
    let link = link.trim_end_matches("?new=1");
    let admin = portal.admin("admin@example.com").await;
    let agent = portal.agent(&admin, "Alex Agent", "alex@example.com").await;
    let desk = "/agent/tickets/INC0001001";
    let names: Vec<String> = payloads.iter().map(|p| format!("{p}.log")).collect();
    let mut pages = Vec::new();
    for batch in names.chunks(10) {
        let files: Vec<(&str, &[u8])> = batch
            .iter()
            .map(|n| (n.as_str(), b"a line of a log\n".as_slice()))
            .collect();
        // Sent with a form that comes back: the names are listed as kept.
        let mut bad = form.clone();
        bad.summary = String::new();
        let came_back = portal
            .post_multipart(None, "/report/incident", &form_fields(&bad), &files)
            .await;
        assert_eq!(came_back.status(), 422);
        pages.push(came_back.text());
        // Sent with a reply: on the desk's page and the reporter's.
        let version: i64 =
            sqlx::query_scalar("SELECT version FROM tickets WHERE number = 'INC0001001'")
                .fetch_one(&portal.state.db.reader)
                .await
                .unwrap();
        let reply = portal
            .post_multipart(
                Some(&agent),
                desk,
                &[
                    ("version", version.to_string().as_str()),
                    ("action", "reply"),
                    ("body", "Files"),
                ],
                &files,
            )
            .await;
        assert_eq!(reply.status(), 303, "{}", reply.text());
    }
    pages.push(portal.get_as(Some(&agent), desk).await.text());
    let status = portal.get(link).await.text();
    pages.push(status.clone());
    assert_no_markup_in(&pages, &payloads);
    // Every download names its file in one well-formed header.
    let downloads: Vec<&str> = status
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|href| href.contains("/files/"))
        .collect();
    assert_eq!(downloads.len(), payloads.len());
    for href in downloads.iter().take(30) {
        let response = portal.get(href).await;
        let disposition = response.headers().get("content-disposition").unwrap();
        let text = disposition.to_str().expect("an ASCII header");
        assert!(text.starts_with("attachment; filename=\""), "{text}");
        assert_eq!(text.matches('"').count(), 2, "{text}");
    }
}
