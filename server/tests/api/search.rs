//! Knowledge search through the search server function and the home page.

use crate::helpers::TestPortal;

async fn portal_with_articles() -> TestPortal {
    let portal = TestPortal::start().await;
    portal.add_service("vpn", "VPN", &["Connecting"]).await;
    portal
        .add_service("printing", "Printing", &["Printers"])
        .await;
    portal
        .add_faq(
            "vpn-connect",
            "vpn",
            "Connecting to the VPN from home",
            "Open the client, choose your region and sign in with your password.",
        )
        .await;
    portal
        .add_faq(
            "printer-offline",
            "printing",
            "Printer shows offline",
            "If the printer is offline, restart it and check the network cable. A password is not needed.",
        )
        .await;
    portal
        .add_known_error(
            "vpn-error-809",
            "vpn",
            "VPN error 809 on hotel networks",
            "The connection fails with error 809 when the hotel network blocks the tunnel.",
        )
        .await;
    portal
        .add_faq(
            "reset-password",
            "vpn",
            "Reset a forgotten password",
            "Use the self-service page to choose a new password.",
        )
        .await;
    portal
}

#[tokio::test]
async fn a_title_match_ranks_above_a_body_match() {
    let portal = portal_with_articles().await;
    // "password" is in the title of reset-password and only in the bodies of others.
    let slugs = portal.search_slugs("password").await;
    assert_eq!(
        slugs.first().map(String::as_str),
        Some("reset-password"),
        "{slugs:?}"
    );
    assert!(slugs.contains(&"vpn-connect".to_string()), "{slugs:?}");
    assert!(slugs.contains(&"printer-offline".to_string()), "{slugs:?}");
}

#[tokio::test]
async fn one_typo_is_forgiven_in_words_of_four_letters_or_more() {
    let portal = portal_with_articles().await;
    // Four letters: "eror" is "error", and the known error ranks first.
    let results = portal.search("vpn eror", &[]).await;
    assert_eq!(results.hits[0].slug, "vpn-error-809");
    assert_eq!(
        results.corrections,
        vec![("eror".to_string(), "error".to_string())]
    );
    let results = portal.search("pasword", &[]).await;
    assert_eq!(results.hits[0].slug, "reset-password");
    assert_eq!(
        results.corrections,
        vec![("pasword".to_string(), "password".to_string())]
    );
    // A transposition counts as one edit.
    assert_eq!(
        portal.search_slugs("pirnter offline").await[0],
        "printer-offline"
    );
}

#[tokio::test]
async fn two_typos_are_forgiven_only_from_nine_letters() {
    let portal = portal_with_articles().await;
    portal.add_service("apps", "Apps", &["General"]).await;
    portal
        .add_faq(
            "calendars",
            "apps",
            "Shared calendar permissions",
            "Grant access to others.",
        )
        .await;
    // "permissions" has 11 letters: two edits are allowed.
    assert_eq!(portal.search_slugs("permisions").await, vec!["calendars"]);
    assert_eq!(portal.search_slugs("premisions").await, vec!["calendars"]);
    // "shared" has 6 letters: two edits are too many.
    assert!(portal
        .search_slugs("shraed calendar")
        .await
        .contains(&"calendars".to_string()));
    assert!(portal.search_slugs("sharxx ").await.is_empty());
}

#[tokio::test]
async fn short_words_are_not_corrected() {
    let portal = portal_with_articles().await;
    // "vnp" is three letters: no correction, and so no results.
    let results = portal.search("vnp ", &[]).await;
    assert!(results.hits.is_empty());
    assert!(results.corrections.is_empty());
}

#[tokio::test]
async fn the_last_word_matches_as_a_prefix_while_typing() {
    let portal = portal_with_articles().await;
    assert_eq!(
        portal.search_slugs("printer offl").await[0],
        "printer-offline"
    );
    assert_eq!(portal.search_slugs("passw").await[0], "reset-password");
    // Once a space follows, the word is complete and must match whole.
    assert!(portal.search_slugs("offl ").await.is_empty());
}

#[tokio::test]
async fn filters_restrict_by_type_and_by_service() {
    let portal = portal_with_articles().await;
    let known_errors = portal.search("vpn", &[("kind", "known_error")]).await;
    let slugs: Vec<_> = known_errors.hits.iter().map(|h| h.slug.as_str()).collect();
    assert_eq!(slugs, vec!["vpn-error-809"]);

    let printing = portal.search("password", &[("service", "printing")]).await;
    let slugs: Vec<_> = printing.hits.iter().map(|h| h.slug.as_str()).collect();
    assert_eq!(slugs, vec!["printer-offline"]);

    // A filter alone lists everything it allows.
    let all_vpn = portal.search("", &[("service", "vpn")]).await;
    assert_eq!(all_vpn.total, 3);
}

#[tokio::test]
async fn hits_carry_type_service_and_a_highlighted_snippet() {
    let portal = portal_with_articles().await;
    let results = portal.search("hotel tunnel", &[]).await;
    let hit = &results.hits[0];
    assert_eq!(hit.slug, "vpn-error-809");
    assert_eq!(hit.kind, app::domain::ArticleKind::KnownError);
    assert_eq!(hit.service_name, "VPN");
    let marked: Vec<_> = hit
        .snippet
        .iter()
        .filter(|p| p.hit)
        .map(|p| p.text.as_str())
        .collect();
    assert!(marked.contains(&"hotel"), "{marked:?}");
    assert!(marked.contains(&"tunnel"), "{marked:?}");
}

#[tokio::test]
async fn equal_scores_are_ordered_by_article_id() {
    let portal = TestPortal::start().await;
    portal.add_service("s", "S", &["c"]).await;
    for n in 0..12 {
        portal
            .add_faq(
                &format!("same-{n:02}"),
                "s",
                "Identical title",
                "Identical body.",
            )
            .await;
    }
    let slugs = portal.search_slugs("identical").await;
    let expected: Vec<String> = (0..12).map(|n| format!("same-{n:02}")).collect();
    assert_eq!(slugs, expected);
}

#[tokio::test]
async fn hostile_queries_get_an_answer_never_an_error() {
    let portal = portal_with_articles().await;
    let long = "a".repeat(10_000);
    let words = "printer ".repeat(2_000);
    let hostile = [
        "\"",
        "\"unbalanced",
        "title:",
        "a:(^",
        "(((",
        ")",
        "[1 TO",
        "{*}",
        "- *",
        "*",
        "?",
        "+-!~",
        "\\",
        "NOT AND OR",
        "😀🔥 vpn",
        "\u{0}",
        "%00",
        "'; DROP TABLE articles; --",
        "<script>alert(1)</script>",
        "ﬁ ß İ ǅ",
        "\u{202e}reverse",
        long.as_str(),
        words.as_str(),
    ];
    for query in hostile {
        let results = portal.search(query, &[]).await;
        assert!(results.hits.len() <= 20);
        let (status, _) = portal.get_html(&format!("/?q={}", urlencode(query))).await;
        assert_eq!(
            status,
            200,
            "home page failed for {:?}",
            &query[..query.len().min(20)]
        );
    }
    let results = portal.search(&words, &[]).await;
    assert!(results
        .message
        .unwrap_or_default()
        .contains("only its beginning"));
    let results = portal.search(&long, &[]).await;
    assert!(results
        .message
        .unwrap_or_default()
        .contains("Try a few specific words"));
}

#[tokio::test]
async fn nonsense_filters_and_malformed_calls_are_client_errors() {
    let portal = portal_with_articles().await;
    let results = portal
        .search("vpn", &[("kind", "<b>"), ("service", "no-such-service")])
        .await;
    assert!(results.hits.is_empty());
    let response = portal.get("/api/search?limit=notanumber").await;
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn the_home_page_renders_results_without_javascript() {
    let portal = portal_with_articles().await;
    let (status, html) = portal.get_html("/?q=hotel+tunnel").await;
    assert_eq!(status, 200);
    assert!(html.contains("VPN error 809 on hotel networks"));
    assert!(html.contains("<mark>hotel</mark>"));
    assert!(html.contains("href=\"/articles/vpn-error-809\""));
    // The results travel once, as HTML: not a second time as the search box's data.
    assert_eq!(html.matches("VPN error 809 on hotel networks").count(), 1);
    assert_eq!(html.matches("vpn-error-809").count(), 1);

    let (_, html) = portal.get_html("/?q=zzzzqqq").await;
    assert!(html.contains("No matching articles"));
    assert!(
        html.contains("href=\"/report\""),
        "no results must offer the way to report"
    );
}

#[tokio::test]
async fn the_index_is_rebuilt_when_its_folder_is_deleted() {
    let portal = portal_with_articles().await;
    let index_dir = app::server::search::index_dir(&portal.data_dir());
    let dir = portal.stop().await;
    std::fs::remove_dir_all(&index_dir).unwrap();

    let portal = TestPortal::start_in(dir, false).await;
    assert!(index_dir.exists());
    assert_eq!(portal.search_slugs("hotel").await, vec!["vpn-error-809"]);
}

#[tokio::test]
async fn the_index_is_rebuilt_when_corrupt_or_from_another_schema() {
    let portal = portal_with_articles().await;
    let index_dir = app::server::search::index_dir(&portal.data_dir());
    let dir = portal.stop().await;
    // Garbage in every file of the index.
    for entry in std::fs::read_dir(&index_dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap() != "portal-schema-version" {
            std::fs::write(&path, b"garbage").unwrap();
        }
    }
    let portal = TestPortal::start_in(dir, false).await;
    assert_eq!(portal.search_slugs("hotel").await, vec!["vpn-error-809"]);

    let dir = portal.stop().await;
    std::fs::write(index_dir.join("portal-schema-version"), "0").unwrap();
    let portal = TestPortal::start_in(dir, false).await;
    assert_eq!(
        portal.search_slugs("offline").await,
        vec!["printer-offline"]
    );
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn the_page_says_which_words_were_corrected() {
    let portal = portal_with_articles().await;
    let (_, html) = portal.get_html("/?q=pasword+reset").await;
    assert!(html.contains("Including results for "));
    assert!(html.contains("“password” (you typed “pasword”)"));
}
