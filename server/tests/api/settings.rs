//! The admin's priorities and targets: saved as a whole through the form, applied
//! to tickets logged afterwards, recorded in the audit log, refused with every
//! problem at its input and nothing changed.

use crate::helpers::{location, TestPortal};
use app::domain::PrioritySettings;

/// The form as the page fills it in, with `changes` made.
async fn form_with(portal: &TestPortal, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut conn = portal.state.db.reader.acquire().await.unwrap();
    let mut fields = app::server::settings::load(&mut conn)
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
    app::server::settings::load(&mut conn).await.unwrap()
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
    assert!(status.contains("20 minutes"), "the new target is shown");

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
