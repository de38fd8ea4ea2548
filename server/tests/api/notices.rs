//! Service-failure notices: publishing, updating and resolving them through the
//! admin's forms, the banner on every page (and to whom), the status page, the
//! Atom feed, server push to open pages, and the offer of a notice's major
//! incident when logging.

use crate::helpers::{html_escaped, location, next_event, open_stream, Session, TestPortal};
use crate::work::Desk;
use app::domain::{Audience, NoticeChange, NoticeDraft, NoticeId, Severity};
use app::server::notices;
use chrono::{Duration, Utc};

fn draft(title: &str, starts_in_minutes: i64) -> NoticeDraft {
    NoticeDraft {
        title: title.into(),
        severity: Severity::Major,
        experience: "Messages to outside addresses are delayed.".into(),
        service_slugs: vec!["email".into()],
        audience: Audience::Everyone,
        starts_at: Utc::now() + Duration::minutes(starts_in_minutes),
        expected_restoration_at: Some(Utc::now() + Duration::hours(2)),
        major: None,
        updates: vec![(Utc::now(), "We are working with the supplier.".into())],
    }
}

async fn publish(portal: &TestPortal, draft: &NoticeDraft) -> NoticeId {
    notices::publish(
        &portal.state.db,
        &portal.state.changes,
        draft,
        "Test",
        Utc::now(),
    )
    .await
    .expect("published")
}

/// The fields of a good "publish a notice" form.
pub(crate) fn publish_form(title: &str) -> Vec<(&'static str, String)> {
    vec![
        ("title", title.into()),
        ("severity", "critical".into()),
        ("services", "email".into()),
        (
            "experience",
            "Outlook cannot send or receive any message.".into(),
        ),
        ("audience", "everyone".into()),
        ("starts_at", String::new()),
        (
            "restoration",
            (Utc::now() + Duration::hours(3))
                .format("%Y-%m-%dT%H:%M")
                .to_string(),
        ),
        ("major", String::new()),
    ]
}

fn banner_of(html: &str) -> &str {
    let start = html
        .find("id=\"notice-banner\"")
        .expect("the banner's live part");
    let end = html[start..]
        .find("</main>")
        .map_or(html.len(), |e| start + e);
    &html[start..end]
}

#[tokio::test]
async fn an_active_notice_shows_as_a_banner_on_every_page() {
    let portal = TestPortal::start().await;
    portal.add_service("email", "E-mail", &["Sending"]).await;
    publish(&portal, &draft("Mail delayed", -10)).await;
    for path in [
        "/",
        "/report",
        "/report/incident",
        "/status",
        "/notices",
        "/no-such-page",
    ] {
        let (_, html) = portal.get_html(path).await;
        assert!(
            html.contains("data-test=\"notice-banner\""),
            "no banner on {path}"
        );
        assert!(html.contains("Mail delayed"), "no notice on {path}");
    }
}

/// The banner visitors see is kept in memory between renders: a notice
/// published or resolved here shows on the very next page; one that starts
/// later, or is written by another instance sharing the database (which this
/// instance's hub does not hear), shows once the kept copy is a second old.
#[tokio::test]
async fn the_kept_banner_follows_every_change_at_once_and_the_clock_within_a_second() {
    use app::server::web::shown::FRESH_FOR;
    let portal = TestPortal::start().await;
    portal.add_service("email", "E-mail", &["Sending"]).await;
    let admin = portal.admin("admin@example.com").await;
    let (_, home) = portal.get_html("/").await;
    assert!(!home.contains("data-test=\"notice-banner\""));

    let published = portal
        .post_as(
            Some(&admin),
            "/admin/notices",
            &publish_form("Mail is down"),
        )
        .await;
    assert_eq!(published.status(), 303, "{}", published.text());
    let (_, home) = portal.get_html("/").await;
    assert!(banner_of(&home).contains("Mail is down"), "at once");
    let notice: i64 = location(&published)
        .trim_start_matches("/admin/notices/")
        .split('?')
        .next()
        .and_then(|id| id.parse().ok())
        .expect("the notice's id");
    let resolved = portal
        .post_as(
            Some(&admin),
            &format!("/admin/notices/{notice}"),
            &[("action", "resolve"), ("body", "Mail flows again.")],
        )
        .await;
    assert_eq!(resolved.status(), 303, "{}", resolved.text());
    let (_, home) = portal.get_html("/").await;
    assert!(!home.contains("Mail is down"), "resolved: gone at once");

    // Starts in a moment: not yet, then within a second of its start.
    let mut planned = draft("Planned relay restart", 0);
    planned.starts_at = Utc::now() + Duration::milliseconds(300);
    let mut quiet = planned.clone();
    quiet.title = "Written by another instance".into();
    publish(&portal, &planned).await;
    let (_, home) = portal.get_html("/").await;
    assert!(!home.contains("Planned relay restart"), "not started yet");
    // Another instance's notice: in the database, never told to this hub.
    notices::publish(
        &portal.state.db,
        &app::server::hub::Changes::default(),
        &quiet,
        "Test",
        Utc::now(),
    )
    .await
    .expect("published elsewhere");
    tokio::time::sleep(FRESH_FOR + std::time::Duration::from_millis(400)).await;
    let (_, home) = portal.get_html("/").await;
    assert!(
        banner_of(&home).contains("Planned relay restart"),
        "started"
    );
    assert!(banner_of(&home).contains("Written by another instance"));
}

#[tokio::test]
async fn planned_and_resolved_notices_are_listed_but_not_bannered() {
    let portal = TestPortal::start().await;
    portal.add_service("email", "E-mail", &["Sending"]).await;
    portal.add_service("vpn", "VPN", &["Connecting"]).await;
    publish(&portal, &draft("Planned mail upgrade", 60 * 24)).await;
    let resolved = publish(&portal, &draft("Yesterday's outage", -120)).await;
    notices::change(
        &portal.state.db,
        &portal.state.changes,
        resolved,
        &NoticeChange::Resolve {
            body: "The supplier fixed the relay.".into(),
        },
        "Test",
        Utc::now(),
    )
    .await
    .unwrap();

    let (_, home) = portal.get_html("/").await;
    assert!(!home.contains("data-test=\"notice-banner\""));

    let (status, page) = portal.get_html("/notices").await;
    assert_eq!(status, 200);
    assert!(page.contains("Planned mail upgrade"));
    assert!(page.contains("Planned"));
    assert!(
        page.contains(&html_escaped("Yesterday's outage"))
            || page.contains("Yesterday&#x27;s outage")
    );
    assert!(page.contains("Resolved: The supplier fixed the relay."));
    assert!(page.contains("We are working with the supplier."));
    // Every service with its state: nothing is in force now.
    assert_eq!(page.matches("data-test=\"service-state\"").count(), 2);
    assert!(!page.contains("Major disruption</span>"));
}

#[tokio::test]
async fn the_status_page_gives_each_service_the_state_of_its_worst_notice() {
    let portal = TestPortal::start().await;
    portal.add_service("email", "E-mail", &["Sending"]).await;
    portal.add_service("vpn", "VPN", &["Connecting"]).await;
    portal.add_service("wifi", "Wi-Fi", &["Staff"]).await;
    publish(&portal, &draft("Mail slow", -30)).await;
    publish(
        &portal,
        &NoticeDraft {
            severity: Severity::Critical,
            ..draft("Mail down", -5)
        },
    )
    .await;
    publish(
        &portal,
        &NoticeDraft {
            severity: Severity::Maintenance,
            service_slugs: vec!["vpn".into()],
            ..draft("VPN upgrade tonight", 60 * 6)
        },
    )
    .await;
    let (_, page) = portal.get_html("/notices").await;
    let row = |service: &str| {
        let at = page
            .find(&format!("<th scope=\"row\">{service}</th>"))
            .expect(service);
        page[at..at + 200].to_string()
    };
    assert!(row("E-mail").contains("Outage"), "{}", row("E-mail"));
    // Planned maintenance has not started: the VPN works.
    assert!(row("VPN").contains("Operational"), "{}", row("VPN"));
    assert!(row("Wi-Fi").contains("Operational"));
}

#[tokio::test]
async fn an_admin_publishes_updates_and_resolves_a_notice_while_open_pages_are_told() {
    let portal = TestPortal::start().await;
    portal.add_service("email", "E-mail", &["Sending"]).await;
    let admin = portal.admin("admin@example.com").await;
    let (status, mut page) = open_stream(&portal, None, "/events?topic=notices").await;
    assert_eq!(status, 200);

    let published = portal
        .post_as(
            Some(&admin),
            "/admin/notices",
            &publish_form("E-mail is down"),
        )
        .await;
    assert_eq!(published.status(), 303, "{}", published.text());
    let to = location(&published);
    assert!(to.ends_with("?done=published"), "{to}");
    let heard = next_event(&mut page, std::time::Duration::from_secs(5))
        .await
        .expect("open pages hear of the new notice");
    assert!(heard.contains("data: notices"), "{heard}");
    let (_, home) = portal.get_html("/").await;
    assert!(banner_of(&home).contains("Critical outage: E-mail is down"));
    assert!(banner_of(&home).contains("Expected back by"));

    let admin_page = portal.get_as(Some(&admin), &to).await;
    assert_eq!(admin_page.status(), 200);
    assert!(admin_page.text().contains("The notice is published"));
    let notice = to
        .trim_start_matches("/admin/notices/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let action = format!("/admin/notices/{notice}");

    // An update with a new expected restoration.
    let update = portal
        .post_as(
            Some(&admin),
            &action,
            &[
                ("action", "update"),
                ("body", "The mail relay is being restarted."),
                ("restoration", "2030-01-01T10:00"),
            ],
        )
        .await;
    assert_eq!(update.status(), 303, "{}", update.text());
    next_event(&mut page, std::time::Duration::from_secs(5))
        .await
        .expect("open pages hear of the update");
    let (_, status_page) = portal.get_html("/notices").await;
    assert!(status_page.contains("The mail relay is being restarted."));
    assert!(status_page.contains("Expected restoration is now Tue 1 Jan 2030, 10:00 UTC."));

    // Nobody knows any more when it will be back.
    let unknown = portal
        .post_as(
            Some(&admin),
            &action,
            &[("action", "update"), ("body", ""), ("unknown", "on")],
        )
        .await;
    assert_eq!(unknown.status(), 303, "{}", unknown.text());
    let (_, home) = portal.get_html("/").await;
    assert!(!banner_of(&home).contains("Expected back by"));

    // An empty update is refused at its field.
    let empty = portal
        .post_as(
            Some(&admin),
            &action,
            &[("action", "update"), ("body", " ")],
        )
        .await;
    assert_eq!(empty.status(), 422);
    assert!(empty.text().contains("Write the update"));

    let resolved = portal
        .post_as(
            Some(&admin),
            &action,
            &[("action", "resolve"), ("body", "Mail flows again.")],
        )
        .await;
    assert_eq!(resolved.status(), 303);
    next_event(&mut page, std::time::Duration::from_secs(5))
        .await
        .expect("open pages hear of the resolution");
    let (_, home) = portal.get_html("/").await;
    assert!(!home.contains("data-test=\"notice-banner\""));
    let (_, status_page) = portal.get_html("/notices").await;
    assert!(status_page.contains("Resolved: Mail flows again."));

    // A resolved notice takes no more changes, and says so.
    let late = portal
        .post_as(
            Some(&admin),
            &action,
            &[("action", "update"), ("body", "One more thing")],
        )
        .await;
    assert_eq!(late.status(), 409);
    assert!(late.text().contains("resolved already"));
    assert!(late.text().contains("One more thing"), "the text is kept");
    let missing = portal
        .post_as(
            Some(&admin),
            "/admin/notices/999999",
            &[("action", "update"), ("body", "Hello")],
        )
        .await;
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn a_notice_form_with_problems_comes_back_with_messages_and_everything_typed() {
    let portal = TestPortal::start().await;
    portal.add_service("email", "E-mail", &["Sending"]).await;
    let admin = portal.admin("admin@example.com").await;
    let bad = portal
        .post_as(
            Some(&admin),
            "/admin/notices",
            &[
                ("title", "<b>"),
                ("severity", "doom"),
                ("experience", "Slow <script>alert(1)</script>"),
                ("starts_at", "next tuesday"),
                ("restoration", ""),
                ("major", "INC42"),
            ],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let html = bad.text();
    for message in [
        "The title is too short",
        "Choose how severe it is.",
        "Choose at least one affected service.",
        "Enter the date and time in UTC",
        "Enter a major incident",
    ] {
        assert!(html.contains(message), "{message}");
    }
    let title = &html[html.find("id=\"title\"").expect("the title field")..];
    assert!(!title[..200].contains("\"<b>\""), "{}", &title[..200]);
    assert!(
        title[..200].contains("&lt;b"),
        "the title is kept, escaped: {}",
        &title[..200]
    );
    assert!(html.contains("Slow &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script>alert(1)"));

    // What only the database can tell: an unknown service, a ticket that is not
    // an ongoing major incident. Nothing is published.
    let mut form = publish_form("Mail is down");
    form[2].1 = "no-such-service".into();
    let unknown = portal.post_as(Some(&admin), "/admin/notices", &form).await;
    assert_eq!(unknown.status(), 422);
    assert!(unknown.text().contains("is not offered any more"));
    let mut form = publish_form("Mail is down");
    form[7].1 = "INC0001001".into();
    let not_major = portal.post_as(Some(&admin), "/admin/notices", &form).await;
    assert_eq!(not_major.status(), 422);
    assert!(not_major
        .text()
        .contains("INC0001001 is not an ongoing major incident."));
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM notices")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    assert_eq!(count, 0);
}

#[tokio::test]
async fn only_admins_publish_or_change_notices() {
    let desk = Desk::new().await;
    let id = publish(&desk.portal, &draft("Mail delayed", -10)).await;
    let change = format!("/admin/notices/{id}");
    for (who, expected) in [
        (Some(&desk.user), 403),
        (Some(&desk.agent), 403),
        (None, 401),
    ] {
        let publish = desk
            .portal
            .post_as(who, "/admin/notices", &publish_form("Sneaky notice"))
            .await;
        assert_eq!(publish.status(), expected);
        let resolve = desk
            .portal
            .post_as(who, &change, &[("action", "resolve"), ("body", "")])
            .await;
        assert_eq!(resolve.status(), expected);
        for page in ["/admin/notices", change.as_str()] {
            assert_eq!(
                desk.portal.get_as(who, page).await.status(),
                expected,
                "{page}"
            );
        }
    }
    let count: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM notices WHERE title = 'Sneaky notice' OR resolved_at IS NOT NULL",
    )
    .fetch_one(&desk.portal.state.db.reader)
    .await
    .unwrap();
    assert_eq!(count, 0);
}

#[tokio::test]
async fn a_notice_for_the_users_of_a_service_reaches_only_them_when_they_are_known() {
    let desk = Desk::new().await;
    desk.portal.add_service("vpn", "VPN", &["Connecting"]).await;
    publish(
        &desk.portal,
        &NoticeDraft {
            audience: Audience::Affected,
            service_slugs: vec!["vpn".into()],
            ..draft("VPN gateway overloaded", -5)
        },
    )
    .await;
    async fn sees(portal: &TestPortal, who: Option<&Session>) -> bool {
        let home = portal.get_as(who, "/").await.text();
        home.contains("VPN gateway overloaded")
    }
    // Uma logged a ticket for e-mail only; visitors and staff always see it.
    assert!(!sees(&desk.portal, Some(&desk.user)).await);
    assert!(sees(&desk.portal, None).await);
    assert!(sees(&desk.portal, Some(&desk.agent)).await);
    let vpn_user = desk
        .portal
        .end_user("Victor VPN", "victor@example.com")
        .await;
    assert!(!sees(&desk.portal, Some(&vpn_user)).await);
    let mut form = desk.portal.incident_form("vpn").await;
    form.email = "victor@example.com".into();
    let logged = desk
        .portal
        .post_as(
            Some(&vpn_user),
            "/report/incident",
            &crate::helpers::form_fields(&form),
        )
        .await;
    assert_eq!(logged.status(), 303, "{}", logged.text());
    assert!(sees(&desk.portal, Some(&vpn_user)).await);
    // The status page is public: everyone finds every notice there.
    assert!(desk
        .portal
        .get_as(Some(&desk.user), "/notices")
        .await
        .text()
        .contains("VPN gateway overloaded"));
}

#[tokio::test]
async fn a_notice_about_a_major_incident_is_offered_when_logging_and_counts_who_joins() {
    let desk = Desk::new().await;
    desk.portal.add_service("vpn", "VPN", &["Connecting"]).await;
    let declared = desk
        .portal
        .post_as(
            Some(&desk.agent),
            &format!("/agent/tickets/{}", desk.number),
            &[
                ("version", desk.version().await.to_string().as_str()),
                ("action", "declare_major"),
                ("reason", "Everyone is affected"),
            ],
        )
        .await;
    assert_eq!(declared.status(), 303, "{}", declared.text());
    let mut form = publish_form("E-mail and VPN unavailable");
    form.push(("services", "vpn".into()));
    let published = desk
        .portal
        .post_as(Some(&desk.admin), "/admin/notices", &form)
        .await;
    assert_eq!(published.status(), 303, "{}", published.text());
    let admin_page = location(&published);
    let notice = admin_page
        .trim_start_matches("/admin/notices/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let link = desk
        .portal
        .post_as(
            Some(&desk.admin),
            &format!("/admin/notices/{notice}"),
            &[("action", "link"), ("major", desk.number.as_str())],
        )
        .await;
    assert_eq!(link.status(), 303, "{}", link.text());

    // The logging form offers it under the notice's title, for both services.
    let logging = desk.portal.get("/report/incident").await.text();
    assert!(logging.contains("E-mail and VPN unavailable"));
    assert!(logging.contains("Outlook cannot send or receive any message."));
    assert!(
        logging.contains("\"vpn\""),
        "offered for the notice's services too"
    );

    let mut join = desk.portal.incident_form("vpn").await;
    join.name = "Fay Follower".into();
    join.email = "fay@example.com".into();
    join.join = desk.number.clone();
    let joined = desk.portal.submit("incident", &join).await;
    assert_eq!(joined.status(), 303, "{}", joined.text());

    // Agents and admins see how many people it affects: the reporter and Fay.
    let page = desk
        .portal
        .get_as(Some(&desk.admin), &format!("/admin/notices/{notice}"))
        .await
        .text();
    assert!(page.contains("2 people affected"), "{page}");
    let list = desk
        .portal
        .get_as(Some(&desk.admin), "/admin/notices")
        .await
        .text();
    assert!(list.contains(&format!("{} · 2 affected", desk.number)));
    // The public status page does not.
    assert!(!desk
        .portal
        .get("/notices")
        .await
        .text()
        .contains("affected</"));
}

#[tokio::test]
async fn the_atom_feed_is_valid_atom_with_every_recent_notice() {
    let portal = TestPortal::start().await;
    portal.add_service("email", "E-mail", &["Sending"]).await;
    publish(
        &portal,
        &draft("Mail <script>alert(1)</script> delayed", -10),
    )
    .await;
    let resolved = publish(&portal, &draft("Calendar sync broken", -300)).await;
    notices::change(
        &portal.state.db,
        &portal.state.changes,
        resolved,
        &NoticeChange::Resolve {
            body: String::new(),
        },
        "Test",
        Utc::now(),
    )
    .await
    .unwrap();
    let response = portal.get("/notices.atom").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/atom+xml; charset=utf-8"
    );
    let xml = response.text();
    assert!(!xml.contains("<script>"), "titles are escaped in the XML");
    let feed = feed_rs::parser::parse(xml.as_bytes()).expect("a feed a reader can parse");
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
    assert_eq!(feed.title.unwrap().content, "IT Help: service notices");
    let titles: Vec<String> = feed
        .entries
        .iter()
        .map(|e| e.title.clone().unwrap().content)
        .collect();
    assert_eq!(
        titles,
        vec![
            "[Ongoing] Mail <script>alert(1)</script> delayed".to_string(),
            "[Resolved] Calendar sync broken".to_string(),
        ]
    );
    let entry = &feed.entries[1];
    assert!(entry.links[0]
        .href
        .ends_with(&format!("/notices#notice-{resolved}")));
    let body = entry.content.as_ref().unwrap().body.clone().unwrap();
    assert!(
        body.contains("Resolved: the service is working normally again."),
        "{body}"
    );
    assert!(entry.updated.is_some() && entry.published.is_some());
    // The status page points readers at it.
    assert!(portal
        .get("/notices")
        .await
        .text()
        .contains("href=\"/notices.atom\""));
}

#[tokio::test]
async fn one_stream_per_page_names_its_topics_and_is_refused_any_it_may_not_hear() {
    let desk = Desk::new().await;
    let both = format!("/events?topic=notices&topic={}", &desk.link[1..]);
    let (status, mut page) = open_stream(&desk.portal, None, &both).await;
    assert_eq!(status, 200);
    publish(&desk.portal, &draft("Mail delayed", -1)).await;
    let heard = next_event(&mut page, std::time::Duration::from_secs(5))
        .await
        .unwrap();
    assert!(heard.contains("data: notices"), "{heard}");
    let reply = desk
        .portal
        .post_as(
            Some(&desk.agent),
            &format!("/agent/tickets/{}", desk.number),
            &[
                ("version", desk.version().await.to_string().as_str()),
                ("action", "reply"),
                ("body", "Looking into it"),
            ],
        )
        .await;
    assert_eq!(reply.status(), 303);
    let heard = next_event(&mut page, std::time::Duration::from_secs(5))
        .await
        .unwrap();
    assert!(
        heard.contains(&format!("data: {} {}", &desk.link[1..], desk.number)),
        "{heard}"
    );

    for (path, who, expected) in [
        ("/events", None, 400),
        ("/events?topic=nonsense", None, 404),
        ("/events?topic=desk/INC0001001", Some(&desk.user), 403),
        ("/events?topic=notices&topic=queue", None, 401),
        (
            "/events?topic=notices&topic=notices&topic=notices&topic=notices&topic=notices",
            None,
            400,
        ),
    ] {
        let (status, _) = open_stream(&desk.portal, who, path).await;
        assert_eq!(status, expected, "{path}");
    }
}
