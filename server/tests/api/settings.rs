//! The admin's priorities and targets: saved as a whole through the form, applied
//! to tickets logged afterwards, recorded in the audit log, refused with every
//! problem at its input and nothing changed.

use crate::helpers::{location, TestPortal};
use app::domain::PrioritySettings;

/// The form as the page fills it in, with `changes` made.
async fn form_with(portal: &TestPortal, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut conn = portal.state.db.reader.acquire().await.unwrap();
    let mut fields = app::server::settings::priorities::load(&mut conn)
        .await
        .unwrap()
        .fields();
    for (name, value) in changes {
        fields.retain(|(n, _)| n != name);
        fields.push((name.to_string(), value.to_string()));
    }
    fields
}

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

async fn saved(portal: &TestPortal) -> PrioritySettings {
    let mut conn = portal.state.db.reader.acquire().await.unwrap();
    app::server::settings::priorities::load(&mut conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_admin_changes_the_matrix_and_targets_and_new_tickets_follow() {
    let portal = TestPortal::start().await;
    let admin = portal.admin("admin@example.com").await;
    let page = portal.get_as(Some(&admin), "/admin/priorities").await;
    assert_eq!(page.status(), 200);
    assert!(page.text().contains("Impact × urgency → priority"));

    // Low impact, medium urgency becomes P2; P2 is answered within 20 minutes.
    let fields = form_with(
        &portal,
        &[
            ("cell_low_medium", "2"),
            ("p2_label", "Urgent"),
            ("p2_response", "20"),
            ("auto_close_days", "7"),
        ],
    )
    .await;
    let response = portal
        .post_as(Some(&admin), "/admin/priorities", &pairs(&fields))
        .await;
    assert_eq!(response.status(), 303, "{}", response.text());
    assert_eq!(location(&response), "/admin/priorities?done=saved");
    let now = saved(&portal).await;
    assert_eq!(now.lifecycle.auto_close_days, 7);
    assert_eq!(now.table.rules[1].label, "Urgent");

    let form = portal.with_email_service().await;
    assert_eq!(
        (form.impact.as_str(), form.urgency.as_str()),
        ("low", "medium")
    );
    let logged = portal.submit("incident", &form).await;
    assert_eq!(logged.status(), 303);
    let priority: i64 = sqlx::query_scalar("SELECT priority FROM tickets")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    assert_eq!(priority, 2);
    let status = portal.get(&location(&logged)).await.text();
    // P2 counts office hours: the new target is shown as working time.
    assert!(
        status.contains("20 working minutes"),
        "the new target is shown"
    );

    // The audit log says who changed what.
    let audit = portal.get_as(Some(&admin), "/admin/audit").await.text();
    assert!(audit.contains("priorities changed"), "{audit}");
    assert!(audit.contains("cell_low_medium: 4 → 2"));
    assert!(audit.contains("p2_response: 30 → 20"));
    assert!(audit.contains("Ada Admin"));
}

#[tokio::test]
async fn settings_with_problems_come_back_with_every_message_and_change_nothing() {
    let portal = TestPortal::start().await;
    let admin = portal.admin("admin@example.com").await;
    let before = saved(&portal).await;
    let fields = form_with(
        &portal,
        &[
            ("cell_high_high", "9"),
            ("p1_response", "0"),
            ("p3_resolution", "60"),
            ("p2_label", "<script>alert(1)</script>"),
            ("auto_close_days", "0"),
        ],
    )
    .await;
    let response = portal
        .post_as(Some(&admin), "/admin/priorities", &pairs(&fields))
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text();
    for message in [
        "Choose P1 to P5 for impact",
        "Give P1's response target in whole minutes",
        "P3's resolution target cannot be shorter than its response target.",
        "Give the days before a resolved ticket closes by itself",
        "There are 4 problems",
    ] {
        assert!(html.contains(message), "{message}");
    }
    assert!(
        html.contains("value=\"&lt;script&gt;alert(1)&lt;/script&gt;\"")
            || html.contains("&lt;script&gt;alert(1)")
    );
    assert!(!html.contains("<script>alert(1)"));
    assert!(
        html.contains("href=\"#p1_response\""),
        "the summary links to the input"
    );
    assert_eq!(saved(&portal).await, before);

    // A form without the matrix at all is refused, not half-applied.
    let response = portal
        .post_as(
            Some(&admin),
            "/admin/priorities",
            &[("p1_label", "Critical")],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(saved(&portal).await, before);
}

#[tokio::test]
async fn only_admins_change_priorities() {
    let portal = TestPortal::start().await;
    let admin = portal.admin("admin@example.com").await;
    let agent = portal
        .agent(&admin, "Alan Agent", "agent@example.com")
        .await;
    let user = portal.end_user("Uma User", "uma@example.com").await;
    let before = saved(&portal).await;
    let fields = form_with(&portal, &[("cell_low_low", "1")]).await;
    for (who, expected) in [(Some(&user), 403), (Some(&agent), 403), (None, 401)] {
        assert_eq!(
            portal
                .post_as(who, "/admin/priorities", &pairs(&fields))
                .await
                .status(),
            expected
        );
        assert_eq!(
            portal.get_as(who, "/admin/priorities").await.status(),
            expected
        );
    }
    assert_eq!(saved(&portal).await, before);
}

#[tokio::test]
async fn an_admin_adds_a_service_that_users_can_then_choose() {
    let portal = TestPortal::start().await;
    let admin = portal.admin("admin@example.com").await;
    let added = portal
        .post_as(
            Some(&admin),
            "/admin/services",
            &[
                ("name", "Video calls & chat"),
                ("slug", ""),
                ("description", "Teams meetings and chat"),
                ("categories", "Meetings\nChat"),
            ],
        )
        .await;
    assert_eq!(added.status(), 303, "{}", added.text());
    let logging = portal.get("/report/incident").await.text();
    assert!(logging.contains("Video calls &amp; chat") || logging.contains("Video calls & chat"));
    assert!(logging.contains("\"video-calls-chat\""));
    assert!(logging.contains("Meetings"));
    let audit = portal.get_as(Some(&admin), "/admin/audit").await.text();
    assert!(audit.contains("service added"), "{audit}");

    // The same address name again is refused at its input, with everything kept.
    let again = portal
        .post_as(
            Some(&admin),
            "/admin/services",
            &[
                ("name", "Video calls"),
                ("slug", "video-calls-chat"),
                ("categories", "<b>Calls</b>"),
            ],
        )
        .await;
    assert_eq!(again.status(), 422);
    let html = again.text();
    assert!(html.contains("exists already"));
    assert!(
        html.contains("&lt;b&gt;Calls&lt;/b&gt;"),
        "the categories are kept, escaped"
    );
    let bad = portal
        .post_as(
            Some(&admin),
            "/admin/services",
            &[("name", ""), ("slug", "No Spaces")],
        )
        .await;
    assert_eq!(bad.status(), 422);
    for message in [
        "Give the service a name",
        "lower-case letters",
        "Give at least one category",
    ] {
        assert!(bad.text().contains(message), "{message}");
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM services")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn renaming_a_service_reaches_search_and_categories_are_added_once() {
    let portal = TestPortal::start().await;
    let admin = portal.admin("admin@example.com").await;
    portal.add_service("email", "E-mail", &["Sending"]).await;
    portal
        .add_faq(
            "outbox",
            "email",
            "Messages stuck in the outbox",
            "Restart Outlook.",
        )
        .await;
    let renamed = portal
        .post_as(
            Some(&admin),
            "/admin/services/email",
            &[
                ("action", "edit"),
                ("name", "E-mail and calendar"),
                ("description", "Outlook"),
            ],
        )
        .await;
    assert_eq!(renamed.status(), 303, "{}", renamed.text());
    let results = portal.search("outbox", &[]).await;
    assert_eq!(results.hits[0].service_name, "E-mail and calendar");

    let added = portal
        .post_as(
            Some(&admin),
            "/admin/services/email",
            &[
                ("action", "categories"),
                ("categories", "Calendar\nShared mailboxes"),
            ],
        )
        .await;
    assert_eq!(added.status(), 303);
    assert_eq!(portal.category_ids("email").await.len(), 3);
    let twice = portal
        .post_as(
            Some(&admin),
            "/admin/services/email",
            &[("action", "categories"), ("categories", "calendar")],
        )
        .await;
    assert_eq!(twice.status(), 422);
    assert!(twice
        .text()
        .contains("is a category of this service already"));
    assert_eq!(portal.category_ids("email").await.len(), 3);

    let missing = portal
        .post_as(
            Some(&admin),
            "/admin/services/nope",
            &[("action", "edit"), ("name", "X")],
        )
        .await;
    assert_eq!(missing.status(), 404);
    let user = portal.end_user("Uma User", "uma@example.com").await;
    let refused = portal
        .post_as(
            Some(&user),
            "/admin/services/email",
            &[("action", "edit"), ("name", "Hacked")],
        )
        .await;
    assert_eq!(refused.status(), 403);
    let refused = portal
        .post_as(
            None,
            "/admin/services",
            &[("name", "Hacked"), ("categories", "A")],
        )
        .await;
    assert_eq!(refused.status(), 401);
    assert_eq!(
        portal.get_as(Some(&user), "/admin/services").await.status(),
        403
    );
}

/// The categories form as the page fills it in for `service`, with `names` typed
/// over the saved ones and only `ticked` offered.
async fn categories_form(
    portal: &TestPortal,
    service: &str,
    names: &[&str],
    ticked: &[bool],
) -> Vec<(String, String)> {
    let mut fields = vec![("action".to_string(), "categories".to_string())];
    for ((id, name), offered) in portal
        .category_ids(service)
        .await
        .into_iter()
        .zip(names)
        .zip(ticked)
    {
        fields.push((format!("category-{id}"), name.to_string()));
        if *offered {
            fields.push(("offered".into(), id.to_string()));
        }
    }
    fields
}

#[tokio::test]
async fn withdrawn_services_and_categories_leave_the_logging_form_and_tickets_keep_theirs() {
    let portal = TestPortal::start().await;
    let admin = portal.admin("admin@example.com").await;
    let agent = portal
        .agent(&admin, "Alan Agent", "agent@example.com")
        .await;
    let mut form = portal.with_email_service().await;
    portal.add_service("vpn", "VPN", &["Connecting"]).await;
    let calendar = portal.category_ids("email").await[1];
    form.category = calendar.to_string();
    let logged = portal.submit("incident", &form).await;
    assert_eq!(logged.status(), 303);
    let number: String = sqlx::query_scalar("SELECT number FROM tickets")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();

    // Calendar is withdrawn and Sending renamed, in one form.
    let fields = categories_form(
        &portal,
        "email",
        &["Sending mail", "Calendar"],
        &[true, false],
    )
    .await;
    let saved = portal
        .post_as(Some(&admin), "/admin/services/email", &pairs(&fields))
        .await;
    assert_eq!(saved.status(), 303, "{}", saved.text());
    assert_eq!(
        location(&saved),
        "/admin/services?done=categories#service-email"
    );
    let logging = portal.get("/report/incident").await.text();
    assert!(logging.contains("Sending mail"));
    assert!(
        !logging.contains(">Calendar<"),
        "a withdrawn category is not offered"
    );
    let refused = portal.submit("incident", &form).await;
    assert_eq!(refused.status(), 422);
    assert!(refused
        .text()
        .contains("Choose a category that belongs to the service you picked."));
    // The ticket keeps its category, and the desk may not move a ticket into it.
    let desk = portal
        .get_as(Some(&agent), &format!("/agent/tickets/{number}"))
        .await
        .text();
    assert!(desk.contains("Calendar"), "the ticket keeps its category");
    let version: i64 = sqlx::query_scalar("SELECT version FROM tickets")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    let moved = portal
        .post_as(
            Some(&agent),
            &format!("/agent/tickets/{number}"),
            &[
                ("version", version.to_string().as_str()),
                ("action", "recategorise"),
                ("category", calendar.to_string().as_str()),
            ],
        )
        .await;
    assert_eq!(moved.status(), 422);
    assert!(moved
        .text()
        .contains("That category is no longer offered: choose another."));
    let audit = portal.get_as(Some(&admin), "/admin/audit").await.text();
    assert!(
        audit.contains("email: categories: Sending renamed Sending mail; Calendar withdrawn"),
        "{audit}"
    );

    // Two categories may swap names; none may be left offered while the service is.
    let swapped = categories_form(
        &portal,
        "email",
        &["Calendar", "Sending mail"],
        &[true, false],
    )
    .await;
    let saved = portal
        .post_as(Some(&admin), "/admin/services/email", &pairs(&swapped))
        .await;
    assert_eq!(saved.status(), 303, "{}", saved.text());
    let none = categories_form(
        &portal,
        "email",
        &["Calendar", "Sending mail"],
        &[false, false],
    )
    .await;
    let refused = portal
        .post_as(Some(&admin), "/admin/services/email", &pairs(&none))
        .await;
    assert_eq!(refused.status(), 422);
    assert!(refused
        .text()
        .contains("Keep at least one category offered"));
    let unchanged = portal
        .post_as(Some(&admin), "/admin/services/email", &pairs(&swapped))
        .await;
    assert_eq!(unchanged.status(), 422);
    assert!(unchanged.text().contains("Nothing to save"));

    // The service is withdrawn: gone from the logging form and the status page.
    let withdraw = [
        ("action", "edit"),
        ("name", "E-mail"),
        ("description", ""),
        ("offered", "no"),
    ];
    let saved = portal
        .post_as(Some(&admin), "/admin/services/email", &withdraw)
        .await;
    assert_eq!(saved.status(), 303, "{}", saved.text());
    assert!(!portal
        .get("/report/incident")
        .await
        .text()
        .contains("value=\"email\""));
    assert!(!portal.get("/notices").await.text().contains("E-mail"));
    form.category = portal.category_ids("email").await[0].to_string();
    let refused = portal.submit("incident", &form).await;
    assert_eq!(refused.status(), 422);
    assert!(refused
        .text()
        .contains("Choose one of the services in the list."));
    let page = portal.get_as(Some(&admin), "/admin/services").await.text();
    assert!(page.contains("Withdrawn"));

    // The last service offered cannot be withdrawn; a withdrawn one comes back.
    let last = portal
        .post_as(
            Some(&admin),
            "/admin/services/vpn",
            &[("action", "edit"), ("name", "VPN"), ("offered", "no")],
        )
        .await;
    assert_eq!(last.status(), 422);
    assert!(last.text().contains("This is the only service offered"));
    let again = portal
        .post_as(
            Some(&admin),
            "/admin/services/email",
            &[("action", "edit"), ("name", "E-mail"), ("offered", "yes")],
        )
        .await;
    assert_eq!(again.status(), 303, "{}", again.text());
    assert!(portal
        .get("/report/incident")
        .await
        .text()
        .contains("value=\"email\""));
    let audit = portal.get_as(Some(&admin), "/admin/audit").await.text();
    assert!(
        audit.contains("email: withdrawn from the logging form"),
        "{audit}"
    );
    assert!(audit.contains("email: offered again"), "{audit}");
}

/// A withdrawn service is no longer browsed or filtered by on the home page,
/// written for, or named by a new notice; its articles are still found, and an
/// article written for it keeps it when edited.
#[tokio::test]
async fn a_withdrawn_service_leaves_the_home_page_the_editor_and_new_notices() {
    let portal = TestPortal::start().await;
    let admin = portal.admin("admin@example.com").await;
    portal.with_email_service().await;
    portal.add_service("vpn", "VPN", &["Connecting"]).await;
    portal
        .add_faq(
            "vpn-reconnect",
            "vpn",
            "The VPN drops every hour",
            "Reconnect, then update the client.",
        )
        .await;
    let home = portal.get("/").await.text();
    assert!(home.contains("href=\"/?service=vpn\""), "offered: browsed");
    let withdrawn = portal
        .post_as(
            Some(&admin),
            "/admin/services/vpn",
            &[("action", "edit"), ("name", "VPN"), ("offered", "no")],
        )
        .await;
    assert_eq!(withdrawn.status(), 303, "{}", withdrawn.text());

    let home = portal.get("/").await.text();
    assert!(home.contains("href=\"/?service=email\""));
    assert!(
        !home.contains("service=vpn"),
        "neither browsed nor a filter"
    );
    assert!(!home.contains("value=\"vpn\""), "not a filter");
    assert!(portal
        .search_slugs("vpn drops")
        .await
        .contains(&"vpn-reconnect".to_string()));

    let editor = portal
        .get_as(Some(&admin), "/knowledge/new?kind=faq")
        .await
        .text();
    assert!(editor.contains("value=\"email\""));
    assert!(
        !editor.contains("value=\"vpn\""),
        "not offered to new articles"
    );
    let refused = portal
        .post_as(
            Some(&admin),
            "/knowledge/new",
            &[
                ("kind", "faq"),
                ("revision", "0"),
                ("title", "Install the VPN client"),
                ("service", "vpn"),
                ("visibility", "public"),
                ("keywords", ""),
                ("answer", "Open the software centre."),
                ("intent", "publish"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let page = refused.text();
    assert!(page.contains("Choose one of the services in the list."));
    assert!(
        page.contains("Install the VPN client"),
        "what was typed is kept"
    );
    let both = portal
        .post_as(
            Some(&admin),
            "/knowledge/new",
            &[
                ("kind", "faq"),
                ("title", ""),
                ("service", "vpn"),
                ("visibility", "public"),
                ("answer", "Open the software centre."),
                ("intent", "save"),
            ],
        )
        .await;
    assert_eq!(both.status(), 422);
    let page = both.text();
    assert!(
        page.contains("Give the article a title."),
        "every problem at once"
    );
    assert!(page.contains("Choose one of the services in the list."));
    let articles: i64 = sqlx::query_scalar("SELECT count(*) FROM articles")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    assert_eq!(articles, 1, "nothing saved");

    let editor = portal
        .get_as(Some(&admin), "/knowledge/articles/vpn-reconnect")
        .await
        .text();
    assert!(
        editor.contains("value=\"vpn\""),
        "the article keeps its service"
    );
    let revision: i64 = sqlx::query_scalar("SELECT revision FROM articles WHERE slug = ?")
        .bind("vpn-reconnect")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    let edited = portal
        .post_as(
            Some(&admin),
            "/knowledge/articles/vpn-reconnect",
            &[
                ("kind", "faq"),
                ("revision", revision.to_string().as_str()),
                ("title", "The VPN drops every hour"),
                ("service", "vpn"),
                ("visibility", "public"),
                ("keywords", "tunnel"),
                ("answer", "Reconnect, then update the client to 5.2."),
                ("intent", "save"),
            ],
        )
        .await;
    assert_eq!(edited.status(), 303, "{}", edited.text());

    let notices = portal.get_as(Some(&admin), "/admin/notices").await.text();
    assert!(notices.contains("value=\"email\""));
    assert!(
        !notices.contains("value=\"vpn\""),
        "not offered to new notices"
    );
    let mut form = crate::notices::publish_form("The VPN is down");
    form[2].1 = "vpn".into();
    let refused = portal.post_as(Some(&admin), "/admin/notices", &form).await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().contains("is not offered any more"));
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM notices")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    assert_eq!(count, 0);
}
