//! Service-failure notices: the banner on every page and the notices page.

use crate::helpers::TestPortal;
use app::domain::Severity;
use app::server::notices::{self, NoticeDraft};
use chrono::{Duration, Utc};

async fn publish(
    portal: &TestPortal,
    title: &str,
    starts_in_minutes: i64,
) -> app::domain::NoticeId {
    let mut tx = portal.state.db.writer.begin().await.unwrap();
    let id = notices::insert(
        &mut tx,
        &NoticeDraft {
            title: title.into(),
            severity: Severity::Major,
            experience: "Messages to outside addresses are delayed.".into(),
            service_slugs: vec!["email".into()],
            starts_at: Utc::now() + Duration::minutes(starts_in_minutes),
            expected_restoration_at: Some(Utc::now() + Duration::hours(2)),
            updates: vec![(Utc::now(), "We are working with the supplier.".into())],
        },
        Utc::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

#[tokio::test]
async fn an_active_notice_shows_as_a_banner_on_every_page() {
    let portal = TestPortal::start().await;
    portal.add_service("email", "E-mail", &["Sending"]).await;
    publish(&portal, "Mail delayed", -10).await;
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

#[tokio::test]
async fn planned_and_resolved_notices_are_listed_but_not_bannered() {
    let portal = TestPortal::start().await;
    portal.add_service("email", "E-mail", &["Sending"]).await;
    publish(&portal, "Planned mail upgrade", 60 * 24).await;
    let resolved = publish(&portal, "Yesterday's outage", -120).await;
    let mut conn = portal.state.db.writer.acquire().await.unwrap();
    notices::resolve(&mut conn, resolved, Utc::now())
        .await
        .unwrap();
    drop(conn);

    let (_, home) = portal.get_html("/").await;
    assert!(!home.contains("data-test=\"notice-banner\""));

    let (status, page) = portal.get_html("/notices").await;
    assert_eq!(status, 200);
    assert!(page.contains("Planned mail upgrade"));
    assert!(page.contains("Planned"));
    assert!(page.contains("Yesterday&#x27;s outage") || page.contains("Yesterday's outage"));
    assert!(page.contains("Resolved"));
    assert!(page.contains("We are working with the supplier."));
}
