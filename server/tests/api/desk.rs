//! The agent workspace through the real router: the queue (order, filters, who
//! may see it), the ticket page and its plain form posts (conflicts shown with
//! the ticket as it is now and nothing typed lost), the reporter's forms, links
//! and major incidents ("this is my problem too", updates reaching every linked
//! reporter), incident models with checklists, and server push.

use crate::helpers::{
    form_fields, html_escaped, location, next_event, open_stream, Response, Session,
};
use crate::work::Desk;
use std::time::Duration;

impl Desk {
    /// Posts one of the ticket page's forms, at the version the ticket has now.
    async fn form(&self, who: &Session, fields: &[(&str, &str)]) -> Response {
        let version = self.version().await.to_string();
        self.form_at(who, &version, fields).await
    }

    async fn form_at(&self, who: &Session, version: &str, fields: &[(&str, &str)]) -> Response {
        let mut all = vec![("version", version)];
        all.extend_from_slice(fields);
        self.portal
            .post_as(Some(who), &format!("/agent/tickets/{}", self.number), &all)
            .await
    }

    /// Posts one of the reporter's forms through the private link, at the version
    /// the ticket has now.
    async fn reporter_form(&self, fields: &[(&str, &str)]) -> Response {
        let version = self.version().await.to_string();
        let mut all = vec![("version", version.as_str())];
        all.extend_from_slice(fields);
        self.portal.post_as(None, &self.link, &all).await
    }

    /// Logs another incident as the same user; answers its number.
    async fn another(&self, summary: &str) -> String {
        let mut form = self.portal.incident_form("email").await;
        form.summary = summary.into();
        let response = self
            .portal
            .post_as(Some(&self.user), "/report/incident", &form_fields(&form))
            .await;
        assert_eq!(response.status(), 303, "{}", response.text());
        sqlx::query_scalar("SELECT number FROM tickets ORDER BY id DESC LIMIT 1")
            .fetch_one(&self.portal.state.db.reader)
            .await
            .unwrap()
    }

    /// The desk's page of this ticket, as `who` sees it.
    async fn desk_page(&self, who: &Session) -> String {
        self.portal
            .get_as(Some(who), &format!("/agent/tickets/{}", self.number))
            .await
            .text()
    }

    async fn sql(&self, sql: &str) {
        sqlx::query(sql)
            .execute(&self.portal.state.db.writer)
            .await
            .unwrap();
    }
}

/// The queue says how many tickets match, not how many a page holds, and pages
/// through them with links that keep the filters.
#[tokio::test]
async fn the_queue_counts_every_match_and_pages_through_them() {
    let desk = Desk::new().await;
    // 59 copies of the ticket: 60 open tickets in all.
    desk.sql(
        "WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < 60)
         INSERT INTO tickets (number, kind, state, impact, urgency, priority, service_id,
                              category_id, summary, description, reporter_name, reporter_email,
                              status_token_hash, response_due_at, resolution_due_at,
                              created_at, updated_at, version)
         SELECT printf('INC%07d', 1000 + i), kind, state, impact, urgency, priority, service_id,
                category_id, 'Copy ' || i, description, reporter_name, reporter_email,
                randomblob(32), response_due_at, resolution_due_at, created_at, updated_at, 1
         FROM tickets, n WHERE tickets.id = 1",
    )
    .await;
    let html = desk
        .portal
        .get_as(Some(&desk.agent), "/agent?service=email")
        .await
        .text();
    assert!(html.contains("60 tickets match · showing 1–50"), "{html}");
    assert_eq!(html.matches("data-test=\"queue-row\"").count(), 50);
    let start = html
        .find("data-test=\"next-page\"")
        .expect("a next page link");
    let link = &html[..start];
    let href = &link[link.rfind("href=\"").expect("its address") + 6..];
    let href = href[..href.find('"').unwrap()].replace("&amp;", "&");
    assert!(
        href.starts_with("/agent?service=email&after=INC") && href.ends_with("&page=2"),
        "{href}"
    );

    let html = desk.portal.get_as(Some(&desk.agent), &href).await.text();
    assert!(html.contains("60 tickets match · showing 51–60"), "{html}");
    assert_eq!(html.matches("data-test=\"queue-row\"").count(), 10);
    assert!(html.contains(">First page</a>"));
    assert!(!html.contains("data-test=\"next-page\""));
}

#[tokio::test]
async fn the_queue_orders_by_priority_then_due_time_and_filters() {
    let desk = Desk::new().await;
    let second = desk.another("Second ticket, lower priority").await;
    let urgent = desk.another("Third ticket, the critical one").await;
    desk.sql(&format!(
        "UPDATE tickets SET priority = 1 WHERE number = '{urgent}'"
    ))
    .await;
    // The first ticket falls due before the second at the same priority.
    desk.sql(&format!(
        "UPDATE tickets SET response_due_at = '2000-01-01 00:00:00+00:00' WHERE number = '{}'",
        desk.number
    ))
    .await;
    let queue = desk.portal.get_as(Some(&desk.agent), "/agent").await;
    assert_eq!(queue.status(), 200);
    let html = queue.text();
    let at = |n: &str| html.find(&format!("data-number=\"{n}\"")).expect(n);
    assert!(at(&urgent) < at(&desk.number), "priority 1 first");
    assert!(at(&desk.number) < at(&second), "then the earliest due");
    assert!(html.contains("Breached"), "the overdue target says so");

    let breached = desk
        .portal
        .get_as(Some(&desk.agent), "/agent?sla=breached")
        .await
        .text();
    assert!(breached.contains(&desk.number) && !breached.contains(&second));
    // Responding meets the response target: no longer breached.
    let take = desk.form(&desk.agent, &[("action", "take")]).await;
    assert_eq!(take.status(), 303, "{}", take.text());
    let mine = desk
        .portal
        .get_as(Some(&desk.agent), "/agent?assignee=me")
        .await
        .text();
    assert!(mine.contains(&desk.number) && !mine.contains(&second) && !mine.contains(&urgent));
    let p1 = desk
        .portal
        .get_as(Some(&desk.agent), "/agent?priority=1")
        .await
        .text();
    assert!(p1.contains(&urgent) && !p1.contains(&second));
    let breached = desk
        .portal
        .get_as(Some(&desk.agent), "/agent?sla=breached")
        .await
        .text();
    assert!(!breached.contains(&format!("data-number=\"{}\"", desk.number)));
    let state = desk
        .portal
        .get_as(Some(&desk.agent), "/agent?state=new")
        .await
        .text();
    assert!(
        !state.contains(&format!("data-number=\"{}\"", desk.number)) && state.contains(&second)
    );
    let other_service = desk
        .portal
        .get_as(Some(&desk.agent), "/agent?service=nothing")
        .await
        .text();
    assert!(other_service.contains("No tickets match"));
    // Hostile filter values are just filters that match nothing.
    let odd = desk
        .portal
        .get_as(
            Some(&desk.agent),
            "/agent?group=%27%3B--&priority=9&sla=%3Cx%3E&state=%00",
        )
        .await;
    assert_eq!(odd.status(), 200);

    // The queue is the desk's: an end user is refused, anonymous asked to sign in.
    let user = desk.portal.get_as(Some(&desk.user), "/agent").await;
    assert_eq!(user.status(), 403);
    assert!(!user.text().contains(&desk.number));
    let anonymous = desk
        .portal
        .get("/api/agent_queue?group=&assignee=&state=&service=&priority=&sla=&after=&page=")
        .await;
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn the_ticket_page_shows_the_reporter_and_the_whole_history_to_the_desk_only() {
    let desk = Desk::new().await;
    for (action, body) in [
        ("note", "Checked the mail gateway"),
        ("reply", "Could you restart Outlook?"),
    ] {
        let response = desk
            .form(&desk.agent, &[("action", action), ("body", body)])
            .await;
        assert_eq!(response.status(), 303, "{}", response.text());
        assert_eq!(
            location(&response),
            format!("/agent/tickets/{}?done={action}", desk.number)
        );
    }
    let page = desk
        .portal
        .get_as(
            Some(&desk.agent),
            &format!("/agent/tickets/{}", desk.number),
        )
        .await;
    assert_eq!(page.status(), 200);
    let html = page.text();
    for expected in [
        "uma@example.com",
        "Checked the mail gateway",
        "Internal note",
        "Could you restart Outlook?",
        "Alan Agent",
        "Service desk (1st level)",
    ] {
        assert!(html.contains(&html_escaped(expected)), "{expected}");
    }
    // The reporter's own page has the reply but never the note.
    let mine = desk
        .portal
        .get_as(Some(&desk.user), &format!("/my-tickets/{}", desk.number))
        .await
        .text();
    assert!(mine.contains(&html_escaped("Could you restart Outlook?")));
    assert!(!mine.contains("Checked the mail gateway"));
    for who in [Some(&desk.user), None] {
        let page = desk
            .portal
            .get_as(who, &format!("/agent/tickets/{}", desk.number))
            .await;
        assert!([401, 403].contains(&page.status()), "{}", page.status());
        assert!(!page.text().contains("Checked the mail gateway"));
    }
    let missing = desk
        .portal
        .get_as(Some(&desk.agent), "/agent/tickets/INC0999999")
        .await;
    assert_eq!(missing.status(), 404);
}

/// The page is a workspace: the conversation oldest first, each voice marked,
/// the reply box under it, properties and actions beside it; the lists offer
/// what fits and choose nothing for the agent.
#[tokio::test]
async fn the_ticket_page_puts_the_conversation_first_and_the_reply_box_under_it() {
    let desk = Desk::new().await;
    let (mail, calendar) = {
        let ids = desk.portal.category_ids("email").await;
        (ids[0], ids[1])
    };
    desk.sql(&format!(
        "INSERT INTO incident_models (id, name, category_id, impact, urgency)
         VALUES (7, 'Another category model', {calendar}, 'low', 'low'),
                (8, 'The fitting model', {mail}, 'high', 'high')"
    ))
    .await;
    let added = desk
        .reporter_form(&[
            ("action", "add_information"),
            ("body", "First from the reporter"),
        ])
        .await;
    assert_eq!(added.status(), 303, "{}", added.text());
    for (action, body) in [
        ("reply", "Second from the desk"),
        ("note", "Third on the desk"),
    ] {
        let response = desk
            .form(&desk.agent, &[("action", action), ("body", body)])
            .await;
        assert_eq!(response.status(), 303, "{}", response.text());
    }
    let html = desk.desk_page(&desk.agent).await;
    let at = |needle: &str| {
        html.find(needle)
            .unwrap_or_else(|| panic!("{needle} is not on the page"))
    };
    let order = [
        at("data-kind=\"description\" class=\"entry voice-reporter\""),
        at("data-kind=\"user_information\" class=\"entry voice-reporter\""),
        at("First from the reporter"),
        at("data-kind=\"reply\" class=\"entry voice-desk\""),
        at("Second from the desk"),
        at("data-kind=\"note\" class=\"entry voice-note\""),
        at("Third on the desk"),
        at("class=\"desk-form reply-box\""),
        at("<aside"),
        at("data-test=\"desk-state\""),
    ];
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    // Each group of actions folds, without JavaScript too.
    assert!(html.contains("<details id=\"act-escalate\" class=\"action-group\">"));
    // The group's name says its level once; the models of the ticket's category
    // come first; no model is chosen for the agent.
    assert!(html.contains(">Technical support (2nd level)</option>"));
    assert!(!html.contains("(level 2)"));
    assert!(at(">The fitting model<") < at(">Another category model<"));
    assert!(html.contains("<option value=\"\">Choose a model</option>"));
    assert!(!html.contains("<option value=\"8\" selected"));
    // Times are machine-readable to the second, as HTML allows.
    let stamps: Vec<&str> = html
        .split("datetime=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap_or(0)])
        .collect();
    assert!(stamps.len() >= 4, "{stamps:?}");
    for stamp in stamps {
        assert!(
            stamp.len() == 20 && stamp.ends_with('Z') && !stamp.contains('.'),
            "{stamp}"
        );
    }
}

#[tokio::test]
async fn a_stale_form_comes_back_with_the_new_state_and_everything_typed() {
    let desk = Desk::new().await;
    let seen = desk.version().await.to_string();
    let other = desk.form(&desk.admin, &[("action", "take")]).await;
    assert_eq!(other.status(), 303);
    let late = desk
        .form_at(
            &desk.agent,
            &seen,
            &[("action", "reply"), ("body", "My long <careful> answer")],
        )
        .await;
    assert_eq!(late.status(), 409);
    let html = late.text();
    assert!(html.contains("Someone else changed this ticket meanwhile: it is now in progress"));
    assert!(
        html.contains("My long &lt;careful&gt; answer"),
        "what was typed is kept"
    );
    assert!(
        html.contains("data-test=\"desk-assignee\">Ada Admin"),
        "the ticket as it is now"
    );
    assert!(!desk
        .events()
        .await
        .iter()
        .any(|(_, _, body)| body.contains("careful")));

    // A refusal also keeps the text, with the reason.
    let refused = desk
        .form(
            &desk.agent,
            &[("action", "resolve"), ("code", "fixed"), ("body", "")],
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert!(refused
        .text()
        .contains("Describe the resolution or the workaround."));
    // A form without a version is refused, not guessed.
    let unversioned = desk
        .portal
        .post_as(
            Some(&desk.agent),
            &format!("/agent/tickets/{}", desk.number),
            &[("action", "note"), ("body", "x")],
        )
        .await;
    assert_eq!(unversioned.status(), 422);
    // Only the desk posts these forms.
    let user = desk
        .portal
        .post_as(
            Some(&desk.user),
            &format!("/agent/tickets/{}", desk.number),
            &[("version", "1"), ("action", "take")],
        )
        .await;
    assert_eq!(user.status(), 403);
}

#[tokio::test]
async fn the_reporter_works_their_ticket_through_the_private_link_and_my_tickets() {
    let desk = Desk::new().await;
    let hold = desk
        .form(
            &desk.agent,
            &[
                ("action", "hold"),
                ("hold", "awaiting_user"),
                ("body", "Which laptop?"),
            ],
        )
        .await;
    assert_eq!(hold.status(), 303);
    let page = desk.portal.get(&desk.link).await.text();
    assert!(
        page.contains("Paused: waiting for your reply."),
        "the SLA in plain words"
    );
    assert!(
        page.contains("Service desk (1st level)"),
        "the group working on it"
    );

    let version = desk.version().await.to_string();
    let added = desk
        .portal
        .post_as(
            None,
            &desk.link,
            &[
                ("version", version.as_str()),
                ("action", "add_information"),
                ("body", "A ThinkPad T14"),
            ],
        )
        .await;
    assert_eq!(added.status(), 303, "{}", added.text());
    assert_eq!(
        location(&added),
        format!("{}?done=add_information", desk.link)
    );
    assert_eq!(
        desk.column("state").await,
        "in_progress",
        "information takes it off hold"
    );
    let page = desk.portal.get(&desk.link).await.text();
    assert!(page.contains("We aim to resolve this by"), "{page}");

    let version = desk.version().await.to_string();
    let asked = desk
        .portal
        .post_as(
            Some(&desk.user),
            &format!("/my-tickets/{}", desk.number),
            &[
                ("version", version.as_str()),
                ("action", "ask_for_update"),
                ("body", "Any news?"),
            ],
        )
        .await;
    assert_eq!(asked.status(), 303);
    let inquiry = desk.desk_page(&desk.agent).await;
    assert!(inquiry.contains("Status inquiry") && inquiry.contains("Any news?"));

    // Escalating without a reason comes back with the reason asked for.
    let version = desk.version().await.to_string();
    let empty = desk
        .portal
        .post_as(
            None,
            &desk.link,
            &[
                ("version", version.as_str()),
                ("action", "escalate"),
                ("reason", " "),
            ],
        )
        .await;
    assert_eq!(empty.status(), 422);
    assert!(empty
        .text()
        .contains("Tell us why this needs more urgency."));
    let escalated = desk
        .portal
        .post_as(
            None,
            &desk.link,
            &[
                ("version", version.as_str()),
                ("action", "escalate"),
                ("reason", "Payroll run tonight"),
            ],
        )
        .await;
    assert_eq!(escalated.status(), 303);
    assert_eq!(desk.column("escalated").await, "1");

    let resolved = desk
        .form(
            &desk.agent,
            &[
                ("action", "resolve"),
                ("code", "fixed"),
                ("body", "Replaced the profile"),
            ],
        )
        .await;
    assert_eq!(resolved.status(), 303);
    let version = desk.version().await.to_string();
    let confirmed = desk
        .portal
        .post_as(
            None,
            &desk.link,
            &[("version", version.as_str()), ("action", "confirm")],
        )
        .await;
    assert_eq!(confirmed.status(), 303);
    assert_eq!(desk.column("state").await, "closed");

    // Someone else's ticket, or a made-up link, is not found.
    let stranger = desk
        .portal
        .end_user("Sam Stranger", "sam@example.com")
        .await;
    let theirs = desk
        .portal
        .post_as(
            Some(&stranger),
            &format!("/my-tickets/{}", desk.number),
            &[("version", "1"), ("action", "reopen"), ("reason", "x")],
        )
        .await;
    assert_eq!(theirs.status(), 404);
    let made_up = desk
        .portal
        .post_as(
            None,
            "/status/not-a-real-token-at-all-0000000000",
            &[("version", "1"), ("action", "confirm")],
        )
        .await;
    assert_eq!(made_up.status(), 404);
}

#[tokio::test]
async fn links_and_major_incidents_reach_every_affected_person() {
    let desk = Desk::new().await;
    desk.portal
        .add_known_error(
            "ke-outbox",
            "email",
            "Mail stuck in the outbox",
            "Messages stay in the outbox",
        )
        .await;
    let linked = desk
        .form(
            &desk.agent,
            &[
                ("action", "link"),
                ("link_kind", "known_error"),
                ("link_target", "https://portal.test/articles/ke-outbox"),
            ],
        )
        .await;
    assert_eq!(linked.status(), 303, "{}", linked.text());
    let again = desk
        .form(
            &desk.agent,
            &[
                ("action", "link"),
                ("link_kind", "known_error"),
                ("link_target", "ke-outbox"),
            ],
        )
        .await;
    assert_eq!(again.status(), 422, "a link is recorded once");
    let reporter_view = desk.portal.get(&desk.link).await.text();
    assert!(
        reporter_view.contains("/articles/ke-outbox"),
        "the reporter sees the known error"
    );

    // A second report of the same outage; the first becomes the major incident.
    let second = desk.another("Nobody can send mail").await;
    let not_major = desk
        .portal
        .post_as(
            Some(&desk.agent),
            &format!("/agent/tickets/{second}"),
            &[
                ("version", "1"),
                ("action", "link"),
                ("link_kind", "major_incident"),
                ("link_target", desk.number.as_str()),
            ],
        )
        .await;
    assert_eq!(not_major.status(), 422);
    assert!(not_major.text().contains("not a major incident"));
    let declared = desk
        .form(
            &desk.agent,
            &[
                ("action", "declare_major"),
                ("reason", "Whole company affected"),
            ],
        )
        .await;
    assert_eq!(declared.status(), 303);
    let part_of = desk
        .portal
        .post_as(
            Some(&desk.agent),
            &format!("/agent/tickets/{second}"),
            &[
                ("version", "1"),
                ("action", "link"),
                ("link_kind", "major_incident"),
                ("link_target", desk.number.as_str()),
            ],
        )
        .await;
    assert_eq!(part_of.status(), 303, "{}", part_of.text());

    // "This is my problem too" from the logging form: no new ticket, a follower.
    let tickets_before: i64 = sqlx::query_scalar("SELECT count(*) FROM tickets")
        .fetch_one(&desk.portal.state.db.reader)
        .await
        .unwrap();
    let logging = desk.portal.get("/report/incident").await.text();
    assert!(
        logging.contains("This is my problem too"),
        "the logging form offers the major incident"
    );
    let mut form = desk.portal.incident_form("email").await;
    form.name = "Fay Follower".into();
    form.email = "fay@example.com".into();
    form.summary = String::new();
    form.join = desk.number.clone();
    let joined = desk.portal.submit("incident", &form).await;
    assert_eq!(joined.status(), 303, "{}", joined.text());
    let follow_link = location(&joined);
    assert!(follow_link.ends_with("?joined=1"));
    let tickets_after: i64 = sqlx::query_scalar("SELECT count(*) FROM tickets")
        .fetch_one(&desk.portal.state.db.reader)
        .await
        .unwrap();
    assert_eq!(tickets_after, tickets_before, "no duplicate ticket");
    let follower_page = desk.portal.get(&follow_link).await.text();
    assert!(follower_page.contains(&desk.number) && follower_page.contains("You are following"));
    // Following without a name is refused with the field named; joining nothing too.
    form.name = String::new();
    let nameless = desk.portal.submit("incident", &form).await;
    assert_eq!(nameless.status(), 422);
    form.name = "Fay".into();
    form.join = "INC0999999".into();
    assert_eq!(desk.portal.submit("incident", &form).await.status(), 422);

    // An update on the major incident reaches the linked reporter's ticket and the
    // follower's page.
    let update = desk
        .form(
            &desk.agent,
            &[
                ("action", "reply"),
                ("body", "Mail is flowing again for most people"),
            ],
        )
        .await;
    assert_eq!(update.status(), 303);
    let second_events: Vec<(String, String)> = sqlx::query_as(
        "SELECT e.kind, e.body FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
         WHERE t.number = ? AND e.visibility = 'public'",
    )
    .bind(&second)
    .fetch_all(&desk.portal.state.db.reader)
    .await
    .unwrap();
    assert!(second_events.contains(&(
        "major_update".into(),
        "Mail is flowing again for most people".into()
    )));
    let follow_path = follow_link.split('?').next().unwrap().to_string();
    let follower_page = desk.portal.get(&follow_path).await.text();
    assert!(follower_page.contains("Mail is flowing again for most people"));
    // A follower reads; they do not act on the major incident.
    let version = desk.version().await.to_string();
    let acted = desk
        .portal
        .post_as(
            None,
            &follow_path,
            &[
                ("version", version.as_str()),
                ("action", "escalate"),
                ("reason", "Hurry"),
            ],
        )
        .await;
    assert_eq!(acted.status(), 422);

    let major_page = desk.desk_page(&desk.agent).await;
    assert!(
        major_page.contains("1 linked tickets and 1 people"),
        "affected count shown"
    );
    assert!(major_page.contains(&second));
}

#[tokio::test]
async fn an_incident_model_sets_category_triage_and_a_checklist_to_tick_off() {
    let desk = Desk::new().await;
    let calendar = desk.portal.category_ids("email").await[1];
    desk.sql(&format!(
        "INSERT INTO incident_models (id, name, category_id, impact, urgency)
         VALUES (7, 'Calendar sync broken', {calendar}, 'medium', 'high');
         INSERT INTO incident_model_steps (model_id, position, text) VALUES
           (7, 1, 'Check the sync status'), (7, 2, 'Re-add the account')"
    ))
    .await;
    let applied = desk
        .form(&desk.agent, &[("action", "apply_model"), ("model", "7")])
        .await;
    assert_eq!(applied.status(), 303, "{}", applied.text());
    assert_eq!(desk.column("category_id").await, calendar.to_string());
    assert_eq!(
        desk.column("priority").await,
        "2",
        "medium impact, high urgency"
    );
    let ticked = desk
        .form(
            &desk.agent,
            &[("action", "tick"), ("step", "2"), ("done", "on")],
        )
        .await;
    assert_eq!(ticked.status(), 303);
    let steps: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT k.text, k.done_by FROM ticket_checklist k JOIN tickets t ON t.id = k.ticket_id
         WHERE t.number = ? ORDER BY k.position",
    )
    .bind(&desk.number)
    .fetch_all(&desk.portal.state.db.reader)
    .await
    .unwrap();
    assert_eq!(
        steps,
        vec![
            ("Check the sync status".into(), None),
            ("Re-add the account".into(), Some("Alan Agent".into())),
        ]
    );
    let page = desk.desk_page(&desk.agent).await;
    assert!(
        page.contains("Done: Re-add the account") && page.contains("To do: Check the sync status")
    );
    let missing = desk
        .form(&desk.agent, &[("action", "tick"), ("step", "9")])
        .await;
    assert_eq!(missing.status(), 422);
    let recategorised = desk
        .form(
            &desk.agent,
            &[
                ("action", "recategorise"),
                (
                    "category",
                    &desk.portal.category_ids("email").await[0].to_string(),
                ),
            ],
        )
        .await;
    assert_eq!(recategorised.status(), 303);
    assert_ne!(desk.column("category_id").await, calendar.to_string());
}

/// The next server-sent event of a stream, if one comes within `wait`.
#[tokio::test]
async fn open_pages_hear_about_changes_they_may_see() {
    let desk = Desk::new().await;
    let (status, mut reporter) = open_stream(
        &desk.portal,
        None,
        &format!("/events?topic={}", &desk.link[1..]),
    )
    .await;
    assert_eq!(status, 200);
    let (status, mut queue) =
        open_stream(&desk.portal, Some(&desk.agent), "/events?topic=queue").await;
    assert_eq!(status, 200);

    // An internal note is the desk's business: the queue hears it, the reporter not.
    let note = desk
        .form(&desk.agent, &[("action", "note"), ("body", "Looking")])
        .await;
    assert_eq!(note.status(), 303);
    let heard = next_event(&mut queue, Duration::from_secs(5))
        .await
        .expect("the queue hears it");
    assert!(
        heard.contains("event: changed") && heard.contains(&desk.number),
        "{heard}"
    );
    assert_eq!(
        next_event(&mut reporter, Duration::from_millis(300)).await,
        None
    );

    let reply = desk
        .form(&desk.agent, &[("action", "reply"), ("body", "On it")])
        .await;
    assert_eq!(reply.status(), 303);
    let heard = next_event(&mut reporter, Duration::from_secs(5))
        .await
        .expect("the reporter hears the reply");
    assert!(heard.contains(&desk.number));

    // A new ticket reaches the queue.
    let another = desk.another("A brand new problem").await;
    let mut seen = String::new();
    while !seen.contains(&another) {
        seen = next_event(&mut queue, Duration::from_secs(5))
            .await
            .expect("the new ticket");
    }

    // Who may listen: the queue is the desk's; a ticket's stream its reporter's.
    let (status, _) = open_stream(&desk.portal, Some(&desk.user), "/events?topic=queue").await;
    assert_eq!(status, 403);
    let (status, _) = open_stream(&desk.portal, None, "/events?topic=queue").await;
    assert_eq!(status, 401);
    let stranger = desk
        .portal
        .end_user("Sam Stranger", "sam@example.com")
        .await;
    let (status, _) = open_stream(
        &desk.portal,
        Some(&stranger),
        &format!("/events?topic=my-tickets/{}", desk.number),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = open_stream(
        &desk.portal,
        None,
        "/events?topic=status/made-up-token-0000000000000000",
    )
    .await;
    assert_eq!(status, 404);

    // Stopping the portal ends every stream, so shutdown is never held up.
    desk.portal.state.changes.stop();
    assert_eq!(next_event(&mut queue, Duration::from_secs(5)).await, None);
}

/// Someone who says "this is my problem too" reads the major incident's state,
/// its notice and the updates for everyone affected — never its reporter's name,
/// what the reporter wrote, or what the desk wrote to them.
#[tokio::test]
async fn a_follower_of_a_major_incident_never_reads_its_reporters_conversation() {
    let desk = Desk::new().await;
    let added = desk
        .reporter_form(&[
            ("action", "add_information"),
            ("body", "REPORTER-PRIVATE my home address is 1 Elm Street"),
        ])
        .await;
    assert_eq!(added.status(), 303, "{}", added.text());
    let reply = desk
        .form(
            &desk.agent,
            &[
                ("action", "reply"),
                ("body", "TO-REPORTER-ONLY Uma, is your VPN on?"),
            ],
        )
        .await;
    assert_eq!(reply.status(), 303);
    let escalated = desk
        .reporter_form(&[
            ("action", "escalate"),
            ("reason", "REPORTER-ESCALATION my manager is waiting"),
        ])
        .await;
    assert_eq!(escalated.status(), 303, "{}", escalated.text());
    let declared = desk
        .form(
            &desk.agent,
            &[
                ("action", "declare_major"),
                ("reason", "Whole company affected"),
            ],
        )
        .await;
    assert_eq!(declared.status(), 303);
    app::server::notices::publish(
        &desk.portal.state.db,
        &desk.portal.state.changes,
        &app::domain::NoticeForm {
            title: "E-mail is down for everyone".into(),
            severity: "major".into(),
            services: vec!["email".into()],
            experience: "Nobody can send mail.".into(),
            major: desk.number.clone(),
            ..Default::default()
        }
        .parse(chrono::Utc::now())
        .expect("a valid notice"),
        "Ada Admin",
        chrono::Utc::now(),
    )
    .await
    .expect("notice published");

    let mut form = desk.portal.incident_form("email").await;
    form.name = "Fay Follower".into();
    form.email = "fay@example.com".into();
    form.summary = String::new();
    form.join = desk.number.clone();
    let joined = desk.portal.submit("incident", &form).await;
    assert_eq!(joined.status(), 303, "{}", joined.text());
    let follow_path = location(&joined).split('?').next().unwrap().to_string();
    let update = desk
        .form(
            &desk.agent,
            &[
                ("action", "reply"),
                ("body", "FOR-EVERYONE mail servers restarting"),
            ],
        )
        .await;
    assert_eq!(update.status(), 303);

    let page = desk.portal.get(&follow_path).await;
    assert_eq!(page.status(), 200);
    let html = page.text();
    assert!(
        html.contains("FOR-EVERYONE mail servers restarting"),
        "the update"
    );
    assert!(html.contains("E-mail is down for everyone"), "the notice");
    assert!(html.contains("Declared a major incident"), "its state");
    for private in [
        "REPORTER-PRIVATE",
        "TO-REPORTER-ONLY",
        "REPORTER-ESCALATION",
        "Uma User",
    ] {
        assert!(!html.contains(private), "the follower read {private:?}");
    }
    let reporter = desk.portal.get(&desk.link).await.text();
    assert!(
        reporter.contains("REPORTER-PRIVATE") && reporter.contains("TO-REPORTER-ONLY"),
        "the reporter still reads their whole conversation"
    );
}
