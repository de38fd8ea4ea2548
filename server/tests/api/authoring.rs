//! Writing the knowledge base through the real router: drafts, publishing, editing
//! and archiving reach search before the author's answer; who may read an article
//! decides what each role finds and opens (and which words search corrects to);
//! only admins and agents given the right may write; problems come back at their
//! inputs with everything kept; a known error starts from a resolved incident.

use crate::helpers::{location, Session, TestPortal};
use crate::work::Desk;

/// The article form as a browser posts it.
fn form<'a>(pairs: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    pairs.to_vec()
}

/// Posts a new FAQ; returns the response.
async fn new_faq(
    portal: &TestPortal,
    who: &Session,
    title: &str,
    answer: &str,
    visibility: &str,
    intent: &str,
) -> crate::helpers::Response {
    portal
        .post_as(
            Some(who),
            "/knowledge/new",
            &form(&[
                ("kind", "faq"),
                ("revision", "0"),
                ("title", title),
                ("service", "email"),
                ("visibility", visibility),
                ("keywords", ""),
                ("answer", answer),
                ("intent", intent),
            ]),
        )
        .await
}

/// Posts the editor form of an existing FAQ.
#[allow(clippy::too_many_arguments)]
async fn edit_faq(
    portal: &TestPortal,
    who: &Session,
    slug: &str,
    revision: &str,
    title: &str,
    answer: &str,
    visibility: &str,
    intent: &str,
) -> crate::helpers::Response {
    portal
        .post_as(
            Some(who),
            &format!("/knowledge/articles/{slug}"),
            &form(&[
                ("kind", "faq"),
                ("revision", revision),
                ("title", title),
                ("service", "email"),
                ("visibility", visibility),
                ("answer", answer),
                ("intent", intent),
            ]),
        )
        .await
}

async fn portal_with_email() -> TestPortal {
    let portal = TestPortal::start().await;
    portal
        .add_service("email", "E-mail", &["Sending", "Receiving"])
        .await;
    portal
}

async fn scalar(portal: &TestPortal, sql: &str) -> String {
    sqlx::query_scalar(sql)
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap()
}

/// Makes the agent with this e-mail an author, through the accounts page.
async fn give_authoring_right(portal: &TestPortal, admin: &Session, email: &str) {
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = ?")
        .bind(email)
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    let response = portal
        .post_as(
            Some(admin),
            &format!("/admin/users/{id}"),
            &[
                ("role", "agent"),
                ("groups", "1"),
                ("active", "on"),
                ("can_author", "on"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303, "{}", response.text());
}

/// The search server function as `who` calls it, optionally within a service.
async fn search_as(
    portal: &TestPortal,
    who: Option<&Session>,
    query: &str,
    service: &str,
) -> app::domain::SearchResults {
    let mut pairs = vec![("query", query)];
    if !service.is_empty() {
        pairs.push(("service", service));
    }
    let path = format!(
        "/api/search?{}",
        serde_urlencoded::to_string(pairs).unwrap()
    );
    let response = portal.get_as(who, &path).await;
    assert_eq!(response.status(), 200);
    response.json()
}

async fn finds(
    portal: &TestPortal,
    who: Option<&Session>,
    query: &str,
) -> app::domain::SearchResults {
    search_as(portal, who, query, "").await
}

async fn status_of(portal: &TestPortal, who: Option<&Session>, path: String) -> u16 {
    portal.get_as(who, &path).await.status()
}

#[tokio::test]
async fn drafts_publishing_edits_and_archiving_reach_search_at_once() {
    let portal = portal_with_email().await;
    let admin = portal.admin("admin@example.com").await;

    let response = new_faq(
        &portal,
        &admin,
        "Zanzibar mailbox quota",
        "1. Open **Settings**\n2. Empty the *Deleted items* folder",
        "public",
        "save",
    )
    .await;
    assert_eq!(response.status(), 303, "{}", response.text());
    assert_eq!(
        location(&response),
        "/knowledge/articles/zanzibar-mailbox-quota?done=saved"
    );
    assert!(
        portal.search_slugs("zanzibar").await.is_empty(),
        "a draft is not searchable"
    );
    assert_eq!(
        portal
            .get("/articles/zanzibar-mailbox-quota")
            .await
            .status(),
        404
    );
    let page = portal
        .get_as(Some(&admin), "/articles/zanzibar-mailbox-quota")
        .await;
    assert_eq!(page.status(), 200);
    assert!(page.text().contains("This is a draft"));

    let response = edit_faq(
        &portal,
        &admin,
        "zanzibar-mailbox-quota",
        "1",
        "Zanzibar mailbox quota",
        "1. Open **Settings**\n2. Empty the *Deleted items* folder",
        "public",
        "publish",
    )
    .await;
    assert_eq!(response.status(), 303, "{}", response.text());
    assert_eq!(
        portal.search_slugs("zanzibar").await,
        ["zanzibar-mailbox-quota"],
        "searchable as soon as the author is answered"
    );
    let page = portal.get("/articles/zanzibar-mailbox-quota").await;
    assert_eq!(page.status(), 200);
    assert!(page.text().contains("<strong>Settings</strong>"));

    // An edit of the published article: the new title is found, the old one not.
    let response = edit_faq(
        &portal,
        &admin,
        "zanzibar-mailbox-quota",
        "2",
        "Quixotic mailbox quota",
        "Empty the folder.",
        "public",
        "publish",
    )
    .await;
    assert_eq!(response.status(), 303, "{}", response.text());
    assert_eq!(
        portal.search_slugs("quixotic").await,
        ["zanzibar-mailbox-quota"]
    );
    assert!(portal.search_slugs("zanzibar").await.is_empty());

    let response = edit_faq(
        &portal,
        &admin,
        "zanzibar-mailbox-quota",
        "3",
        "Quixotic mailbox quota",
        "Empty the folder.",
        "public",
        "archive",
    )
    .await;
    assert_eq!(response.status(), 303, "{}", response.text());
    assert!(
        portal.search_slugs("quixotic").await.is_empty(),
        "archived: gone from search"
    );
    assert_eq!(
        portal
            .get("/articles/zanzibar-mailbox-quota")
            .await
            .status(),
        404
    );
    assert_eq!(portal.state.search.document_count(), 0);

    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_events WHERE action LIKE 'article_%' ORDER BY id",
    )
    .fetch_all(&portal.state.db.reader)
    .await
    .unwrap();
    assert_eq!(
        actions,
        [
            "article_created",
            "article_published",
            "article_published",
            "article_archived"
        ]
    );

    // The index is derived from published articles only: a rebuild agrees.
    let dir = portal.stop().await;
    std::fs::remove_dir_all(crate::helpers::data_dir(dir.path()).join("search-index")).unwrap();
    let portal = TestPortal::start_in(dir, false).await;
    assert_eq!(portal.state.search.document_count(), 0);
}

#[tokio::test]
async fn who_may_read_an_article_decides_what_each_role_finds_and_opens() {
    let portal = portal_with_email().await;
    let admin = portal.admin("admin@example.com").await;
    let agent = portal
        .agent(&admin, "Alan Agent", "agent@example.com")
        .await;
    let user = portal.end_user("Uma User", "uma@example.com").await;
    for (title, visibility) in [
        ("Pelican webmail settings", "public"),
        ("Kestrel mailbox for members", "signed_in"),
        ("Quokkaserver relay internals", "agents"),
    ] {
        let response = new_faq(
            &portal,
            &admin,
            title,
            "Steps for the desk.",
            visibility,
            "publish",
        )
        .await;
        assert_eq!(response.status(), 303, "{}", response.text());
    }

    // Visitors: public only.
    assert_eq!(finds(&portal, None, "pelican").await.hits.len(), 1);
    assert!(finds(&portal, None, "kestrel").await.hits.is_empty());
    assert!(finds(&portal, None, "quokkaserver").await.hits.is_empty());
    // The words of an article one may not read are not offered either.
    let misspelt = finds(&portal, None, "quokkaservr").await;
    assert!(
        misspelt.hits.is_empty() && misspelt.corrections.is_empty(),
        "{misspelt:?}"
    );
    assert!(
        finds(&portal, None, "quokkas").await.hits.is_empty(),
        "no completion from agents' words"
    );
    // Signed-in end users: also theirs.
    assert_eq!(finds(&portal, Some(&user), "kestrel").await.hits.len(), 1);
    assert!(finds(&portal, Some(&user), "quokkaservr")
        .await
        .corrections
        .is_empty());
    assert!(finds(&portal, Some(&user), "quokkaserver")
        .await
        .hits
        .is_empty());
    // Agents: everything, corrections included.
    assert_eq!(
        finds(&portal, Some(&agent), "quokkaserver")
            .await
            .hits
            .len(),
        1
    );
    assert_eq!(
        finds(&portal, Some(&agent), "quokkaservr").await.hits.len(),
        1
    );
    assert_eq!(finds(&portal, Some(&agent), "kestrel").await.hits.len(), 1);
    // Browsing a service without words follows the same rule.
    let browse = |results: app::domain::SearchResults| results.total;
    assert_eq!(browse(search_as(&portal, None, "", "email").await), 1);
    assert_eq!(
        browse(search_as(&portal, Some(&user), "", "email").await),
        2
    );
    assert_eq!(
        browse(search_as(&portal, Some(&agent), "", "email").await),
        3
    );

    // Pages: the same rules, and the home page's results too.
    let page = |who, slug: &str| status_of(&portal, who, format!("/articles/{slug}"));
    assert_eq!(page(None, "kestrel-mailbox-for-members").await, 401);
    assert_eq!(page(None, "quokkaserver-relay-internals").await, 404);
    assert_eq!(page(Some(&user), "kestrel-mailbox-for-members").await, 200);
    assert_eq!(page(Some(&user), "quokkaserver-relay-internals").await, 404);
    assert_eq!(
        page(Some(&agent), "quokkaserver-relay-internals").await,
        200
    );
    let home = portal
        .get_as(Some(&user), "/?q=mailbox+relay+webmail")
        .await
        .text();
    assert!(home.contains("Kestrel mailbox") && home.contains("Pelican webmail"));
    assert!(
        !home.to_lowercase().contains("quokkaserver"),
        "agents-only title in a user's page"
    );
}

#[tokio::test]
async fn only_admins_and_agents_given_the_right_write_articles() {
    let portal = portal_with_email().await;
    let admin = portal.admin("admin@example.com").await;
    let agent = portal
        .agent(&admin, "Alan Agent", "agent@example.com")
        .await;
    let user = portal.end_user("Uma User", "uma@example.com").await;

    let anonymous = portal
        .post_as(
            None,
            "/knowledge/new",
            &[("kind", "faq"), ("title", "Nope"), ("intent", "publish")],
        )
        .await;
    assert_eq!(anonymous.status(), 401);
    for who in [&user, &agent] {
        let response = new_faq(
            &portal,
            who,
            "Not mine to write",
            "Text.",
            "public",
            "publish",
        )
        .await;
        assert_eq!(response.status(), 403);
        assert_eq!(portal.get_as(Some(who), "/knowledge").await.status(), 403);
        assert_eq!(
            portal
                .get_as(Some(who), "/knowledge/new?kind=faq")
                .await
                .status(),
            403
        );
    }
    assert_eq!(portal.get("/knowledge").await.status(), 401);
    assert_eq!(
        scalar(&portal, "SELECT CAST(count(*) AS TEXT) FROM articles").await,
        "0"
    );

    give_authoring_right(&portal, &admin, "agent@example.com").await;
    let page = portal.get_as(Some(&agent), "/knowledge").await;
    assert_eq!(page.status(), 200);
    assert!(page.text().contains("Write an FAQ"));
    let response = new_faq(
        &portal,
        &agent,
        "Written by an agent",
        "Text.",
        "public",
        "publish",
    )
    .await;
    assert_eq!(response.status(), 303, "{}", response.text());
    assert_eq!(
        scalar(&portal, "SELECT CAST(created_by AS TEXT) FROM articles").await,
        scalar(
            &portal,
            "SELECT CAST(id AS TEXT) FROM users WHERE email = 'agent@example.com'"
        )
        .await
    );
    assert_eq!(
        scalar(
            &portal,
            "SELECT detail FROM audit_events WHERE action = 'authoring_right_set'"
        )
        .await,
        "on"
    );
}

#[tokio::test]
async fn problems_come_back_at_their_inputs_with_everything_kept() {
    let portal = portal_with_email().await;
    let admin = portal.admin("admin@example.com").await;

    let response = portal
        .post_as(
            Some(&admin),
            "/knowledge/new",
            &[
                ("kind", "known_error"),
                ("title", "ab"),
                ("service", ""),
                ("visibility", "public"),
                ("symptoms", ""),
                ("workaround", "Use <webmail> meanwhile"),
                ("status", "investigating"),
                ("intent", "publish"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text();
    for message in [
        "Write a title of at least 3 characters.",
        "Choose the service this article is about.",
        "Describe the symptoms",
    ] {
        assert!(html.contains(message), "{message}");
    }
    assert!(
        html.contains("Use &lt;webmail&gt; meanwhile"),
        "typed text kept, escaped"
    );
    assert!(
        html.contains("href=\"#article-title\""),
        "the summary links to the input"
    );

    let response = portal
        .post_as(
            Some(&admin),
            "/knowledge/new",
            &[
                ("kind", "faq"),
                ("title", "Unknown service"),
                ("service", "nope"),
                ("visibility", "public"),
                ("answer", "Text."),
                ("intent", "publish"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert!(response
        .text()
        .contains("Choose one of the services in the list."));
    assert_eq!(
        scalar(&portal, "SELECT CAST(count(*) AS TEXT) FROM articles").await,
        "0"
    );

    let first = new_faq(&portal, &admin, "Same title", "One.", "public", "publish").await;
    assert_eq!(first.status(), 303);
    let again = new_faq(&portal, &admin, "Same title", "Two.", "public", "publish").await;
    assert_eq!(again.status(), 422);
    assert!(again
        .text()
        .contains("Another article has this address name already"));

    // Two authors at once: the second, at the old revision, is told and keeps
    // their text; saving again from the page that came back wins.
    let response = edit_faq(
        &portal,
        &admin,
        "same-title",
        "1",
        "Same title",
        "First edit.",
        "public",
        "publish",
    )
    .await;
    assert_eq!(response.status(), 303);
    let stale = edit_faq(
        &portal,
        &admin,
        "same-title",
        "1",
        "Same title",
        "My late edit.",
        "public",
        "publish",
    )
    .await;
    assert_eq!(stale.status(), 409);
    let html = stale.text();
    assert!(html.contains("Someone else saved this article"));
    assert!(html.contains("My late edit."));
    assert!(
        html.contains("name=\"revision\" value=\"2\""),
        "the page holds the current revision"
    );
    assert_eq!(
        scalar(&portal, "SELECT answer_md FROM articles").await,
        "First edit.",
        "nothing of the stale edit saved"
    );
    let response = edit_faq(
        &portal,
        &admin,
        "same-title",
        "2",
        "Same title",
        "My late edit.",
        "public",
        "publish",
    )
    .await;
    assert_eq!(response.status(), 303);
    assert_eq!(portal.search_slugs("late").await, ["same-title"]);
}

#[tokio::test]
async fn a_known_error_starts_from_a_resolved_incident_and_links_to_it() {
    let desk = Desk::new().await;
    let portal = &desk.portal;
    // Not resolved yet: the editor says so and starts empty.
    let page = portal
        .get_as(
            Some(&desk.admin),
            &format!("/knowledge/new?kind=known_error&from={}", desk.number),
        )
        .await;
    assert_eq!(page.status(), 200);
    assert!(page.text().contains("only from a resolved incident"));

    for fields in [
        vec![("action", "take")],
        vec![
            ("action", "resolve"),
            ("code", "workaround"),
            ("body", "Restart the dock, then sign in again"),
        ],
    ] {
        let response = desk.work(&desk.agent, &fields).await;
        assert_eq!(response.status(), 200, "{}", response.text());
    }
    // The desk offers the draft to those who may write it.
    let offer = "data-test=\"start-known-error\"";
    let path = format!("/agent/tickets/{}", desk.number);
    assert!(portal
        .get_as(Some(&desk.admin), &path)
        .await
        .text()
        .contains(offer));
    assert!(!portal
        .get_as(Some(&desk.agent), &path)
        .await
        .text()
        .contains(offer));
    let summary = desk.column("summary").await;
    let page = portal
        .get_as(
            Some(&desk.admin),
            &format!("/knowledge/new?kind=known_error&from={}", desk.number),
        )
        .await
        .text();
    assert!(
        page.contains(&crate::helpers::html_escaped(&summary)),
        "title from the summary"
    );
    assert!(
        page.contains("Restart the dock, then sign in again"),
        "workaround from the resolution"
    );
    assert!(page.contains(&format!("name=\"from\" value=\"{}\"", desk.number)));

    let response = portal
        .post_as(
            Some(&desk.admin),
            "/knowledge/new",
            &[
                ("kind", "known_error"),
                ("from", desk.number.as_str()),
                ("title", "Docked laptops lose the network"),
                ("service", "email"),
                ("visibility", "public"),
                ("symptoms", "The network drops when docked."),
                ("workaround", "Restart the dock, then sign in again"),
                ("status", "workaround_available"),
                ("intent", "publish"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303, "{}", response.text());
    let slug = "docked-laptops-lose-the-network";
    // Agents see the incidents linked to the known error; users do not.
    let staff_page = portal
        .get_as(Some(&desk.agent), &format!("/articles/{slug}"))
        .await
        .text();
    assert!(
        staff_page.contains(&desk.number),
        "linked incident shown to agents"
    );
    let user_page = portal
        .get_as(Some(&desk.user), &format!("/articles/{slug}"))
        .await
        .text();
    assert!(!user_page.contains(&desk.number));
    // The incident shows its known error at the desk.
    let ticket = portal
        .get_as(
            Some(&desk.agent),
            &format!("/agent/tickets/{}", desk.number),
        )
        .await
        .text();
    assert!(ticket.contains("Docked laptops lose the network"));

    // From something that is not a resolved incident, nothing is written.
    let response = portal
        .post_as(
            Some(&desk.admin),
            "/knowledge/new",
            &[
                ("kind", "known_error"),
                ("from", "REQ0001001"),
                ("title", "Another one"),
                ("service", "email"),
                ("visibility", "public"),
                ("symptoms", "Something."),
                ("status", "investigating"),
                ("intent", "save"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(
        scalar(portal, "SELECT CAST(count(*) AS TEXT) FROM articles").await,
        "1"
    );
}

/// A public article with a rare word is restricted (or archived, or edited so
/// the word goes): the word stays in its segment's dictionary, counted by the
/// deleted document, until the segment is merged away. A visitor's near miss and
/// prefix must never be answered with it.
#[tokio::test]
async fn corrections_never_offer_a_word_only_articles_one_may_not_read_hold() {
    for (case, visibility, answer, intent) in [
        (
            "made agents-only",
            "agents",
            "Quorvexium cables fail.",
            "publish",
        ),
        ("archived", "public", "Quorvexium cables fail.", "archive"),
        ("edited", "public", "Copper cables fail.", "publish"),
    ] {
        let portal = portal_with_email().await;
        let admin = portal.admin("admin@example.com").await;
        for (title, text) in [
            ("Cables that fail", "Quorvexium cables fail."),
            ("Printers that jam", "Paper jams in the printer."),
        ] {
            let response = new_faq(&portal, &admin, title, text, "public", "publish").await;
            assert_eq!(response.status(), 303, "{case}: {}", response.text());
        }
        // Rebuilt from the database, both articles share one segment: deleting
        // one then leaves the segment, and its dictionary, in place.
        let dir = portal.stop().await;
        let index = app::server::search::index_dir(&crate::helpers::data_dir(dir.path()));
        std::fs::remove_dir_all(index).unwrap();
        let portal = TestPortal::start_in(dir, false).await;
        let before = finds(&portal, None, "quorvexiun").await;
        assert_eq!(
            before.corrections,
            [("quorvexiun".to_string(), "quorvexium".to_string())],
            "{case}: the word is offered while the article is public"
        );
        let response = edit_faq(
            &portal,
            &admin,
            "cables-that-fail",
            "1",
            "Cables that fail",
            answer,
            visibility,
            intent,
        )
        .await;
        assert_eq!(response.status(), 303, "{case}: {}", response.text());
        for query in ["quorvexiun", "quorvexiu", "quorvexium cabels"] {
            let path = format!(
                "/api/search?{}",
                serde_urlencoded::to_string([("query", query)]).unwrap()
            );
            let answer = portal.get(&path).await.text();
            assert!(
                !answer.to_lowercase().contains("quorvexium"),
                "{case}: {query:?} answered with the word: {answer}"
            );
        }
        if visibility == "agents" {
            let agent_view = finds(&portal, Some(&admin), "quorvexiun").await;
            assert_eq!(
                agent_view.corrections.len(),
                1,
                "{case}: agents still read it"
            );
        }
    }
}

#[tokio::test]
async fn readers_say_whether_an_article_answered_them_once_per_browser_session() {
    let portal = portal_with_email().await;
    portal
        .add_faq(
            "outlook-crash",
            "email",
            "Outlook crashes on start",
            "Start it in safe mode.",
        )
        .await;
    let page = portal.get("/articles/outlook-crash").await.text();
    assert!(page.contains("Did this answer your question?"));
    assert!(page.contains(r#"action="/articles/outlook-crash/feedback""#));

    let yes = portal
        .post_as(
            None,
            "/articles/outlook-crash/feedback",
            &[("answer", "yes")],
        )
        .await;
    assert_eq!(yes.status(), 303);
    assert_eq!(
        location(&yes),
        "/articles/outlook-crash?answered=yes#feedback"
    );
    let cookie = yes
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("the browser session remembers the answer")
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && !cookie.contains("Max-Age"),
        "{cookie}"
    );
    let answered = cookie.split(';').next().unwrap().to_string();

    // The same browser session again: not counted twice.
    let again = portal
        .post_form_with(
            "/articles/outlook-crash/feedback",
            &[("answer", "no")],
            &[
                ("sec-fetch-site", "same-origin"),
                ("cookie", answered.as_str()),
            ],
        )
        .await;
    assert_eq!(again.status(), 303);
    // Another browser says no.
    portal
        .post_as(
            None,
            "/articles/outlook-crash/feedback",
            &[("answer", "no")],
        )
        .await;
    let counts = scalar(
        &portal,
        "SELECT helpful || '/' || unhelpful FROM article_feedback",
    )
    .await;
    assert_eq!(counts, "1/1");

    let thanks = portal
        .get("/articles/outlook-crash?answered=yes")
        .await
        .text();
    assert!(thanks.contains("Thank you: we are glad it helped."));
    assert!(!thanks.contains(r#"action="/articles/outlook-crash/feedback""#));

    // Neither yes nor no, and an article that is not there, change nothing.
    let odd = portal
        .post_as(
            None,
            "/articles/outlook-crash/feedback",
            &[("answer", "maybe")],
        )
        .await;
    assert_eq!(odd.status(), 400);
    let missing = portal
        .post_as(
            None,
            "/articles/no-such-article/feedback",
            &[("answer", "yes")],
        )
        .await;
    assert_eq!(missing.status(), 404);

    // Authors see the answers per article.
    let admin = portal.admin("esme@example.com").await;
    let list = portal.get_as(Some(&admin), "/knowledge").await.text();
    assert!(list.contains("1 yes, 1 no (50 %)"), "{list}");

    // A client that drops its cookie to answer again and again is thanked, but
    // soon no longer counted.
    for _ in 0..40 {
        let flood = portal
            .post_as(
                None,
                "/articles/outlook-crash/feedback",
                &[("answer", "yes")],
            )
            .await;
        assert_eq!(flood.status(), 303);
    }
    let helpful: i64 = sqlx::query_scalar("SELECT helpful FROM article_feedback")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    assert!(helpful < 25, "{helpful} answers counted from one client");
}
