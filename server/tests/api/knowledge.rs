//! Article pages.

use crate::helpers::TestPortal;
use app::server::store::knowledge::{ArticleDraft, DraftContent};

#[tokio::test]
async fn a_faq_page_shows_its_answer_with_steps() {
    let portal = TestPortal::start().await;
    portal
        .add_service("vpn", "VPN and remote access", &["Connecting"])
        .await;
    portal
        .add_faq(
            "vpn-install",
            "vpn",
            "How do I install the VPN client?",
            "Install it from the software centre.\n\n1. Open **Software Hub**.\n2. Choose *Install*.",
        )
        .await;
    let (status, html) = portal.get_html("/articles/vpn-install").await;
    assert_eq!(status, 200);
    assert!(html.contains("<h1>How do I install the VPN client?</h1>"));
    assert!(html.contains("<ol>"));
    assert!(html.contains("<strong>Software Hub</strong>"));
    assert!(html.contains("VPN and remote access"));
    assert!(html.contains("<title>How do I install the VPN client? · IT Help</title>"));
}

#[tokio::test]
async fn a_known_error_page_shows_symptoms_workaround_status_and_cause() {
    let portal = TestPortal::start().await;
    portal.add_service("email", "E-mail", &["Sending"]).await;
    portal
        .publish(ArticleDraft {
            slug: "outlook-trying-to-connect".into(),
            service_slug: "email".into(),
            title: "Outlook stuck on Trying to connect".into(),
            keywords: vec!["outlook".into()],
            visibility: Default::default(),
            content: DraftContent::KnownError {
                status: app::domain::KnownErrorStatus::FixScheduled,
                symptoms_md: "The status bar says `Trying to connect…`.".into(),
                workaround_md: "1. Use Outlook on the web.".into(),
                cause_md: Some("An expired certificate on the mail gateway.".into()),
            },
        })
        .await;
    let (status, html) = portal.get_html("/articles/outlook-trying-to-connect").await;
    assert_eq!(status, 200);
    for expected in [
        ">Symptoms</h2>",
        ">Workaround</h2>",
        ">Cause</h2>",
        "Fix scheduled",
        "<code>Trying to connect…</code>",
        "Use Outlook on the web.",
        "An expired certificate",
        "href=\"/report/incident?service=email\"",
    ] {
        assert!(html.contains(expected), "missing {expected}");
    }
}

#[tokio::test]
async fn article_text_cannot_inject_markup() {
    let portal = TestPortal::start().await;
    portal.add_service("s", "S", &["c"]).await;
    portal
        .add_faq(
            "tricky",
            "s",
            "<script>alert(1)</script> title",
            "<img src=x onerror=alert(1)> [click](javascript:alert(2))",
        )
        .await;
    let (_, html) = portal.get_html("/articles/tricky").await;
    assert!(!html.contains("<script>alert(1)"));
    assert!(!html.contains("<img src=x"));
    assert!(!html.contains("javascript:alert"));
    let (_, html) = portal.get_html("/?q=tricky+title").await;
    assert!(!html.contains("<script>alert(1)"));
}

#[tokio::test]
async fn an_unknown_article_is_a_404_page() {
    let portal = TestPortal::start().await;
    let (status, html) = portal.get_html("/articles/no-such-article").await;
    assert_eq!(status, 404);
    assert!(html.contains("Not found"));
}
