//! E-mail out, through a real SMTP server: a throwaway aiosmtpd
//! (`smtp_sink.py`, run by Debian's /usr/bin/python3) listening on a free port
//! and storing what it accepts in a Maildir of a temporary folder. The tests read
//! what was delivered from that Maildir, as a mail client would, never from the
//! portal's database.

use crate::attachments::{number_of_last_ticket, version_of};
use crate::helpers::{form_fields, location, Session, TestPortal};
use crate::smtp_sink::{Mail, SmtpSink};
use app::domain::Backoff;
use app::server::store::outbox::{self, NewMessage};
use chrono::TimeDelta;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// A schedule fast enough for a test: the steps of the real one, in
/// milliseconds instead of minutes.
fn quick_backoff(give_up_after: Duration) -> Backoff {
    Backoff {
        steps: vec![TimeDelta::milliseconds(200), TimeDelta::milliseconds(500)],
        give_up_after: TimeDelta::from_std(give_up_after).unwrap(),
        claim: TimeDelta::seconds(60),
    }
}

/// Where each message of the delivery log stands, by recipient.
async fn states(portal: &TestPortal) -> HashMap<String, (String, u32, Option<String>)> {
    let rows: Vec<(String, String, u32, Option<String>)> =
        sqlx::query_as("SELECT recipient, state, attempts, last_error FROM outbox")
            .fetch_all(&portal.state.db.reader)
            .await
            .unwrap();
    rows.into_iter()
        .map(|(to, state, attempts, error)| (to, (state, attempts, error)))
        .collect()
}

/// Waits until `done` holds of the log (at most 30 s).
async fn wait_until(
    portal: &TestPortal,
    done: impl Fn(&HashMap<String, (String, u32, Option<String>)>) -> bool,
) -> HashMap<String, (String, u32, Option<String>)> {
    let start = Instant::now();
    loop {
        let now = states(portal).await;
        if done(&now) || start.elapsed() > Duration::from_secs(30) {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Queues `count` messages at once, as the changes that cause them do.
async fn queue_many(portal: &TestPortal, count: usize) {
    let mut tx = portal.state.db.writer.begin().await.unwrap();
    for n in 0..count {
        let to = format!("person{n}@example.org");
        let body = format!("Message number {n}.");
        let message = NewMessage {
            recipient: &to,
            subject: &format!("Message {n}"),
            body: &body,
            link: None,
            thread: None,
        };
        outbox::queue(&mut tx, &message, chrono::Utc::now())
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_test_message_arrives_with_its_headers_and_a_plain_and_html_part() {
    let sink = SmtpSink::start();
    let portal = TestPortal::start_mailing(&sink.url(), Backoff::default()).await;
    let admin = portal.admin("ada@example.org").await;

    let page = portal.get_as(Some(&admin), "/admin/outbox").await.text();
    assert!(
        page.contains(&format!("smtp://127.0.0.1:{}", sink.port)),
        "{page}"
    );
    assert!(page.contains("tried again after 1 min, 5 min, 15 min, 1 h, 4 h"));

    let wrong = portal
        .post_as(
            Some(&admin),
            "/admin/outbox",
            &[("email", "not an address")],
        )
        .await;
    assert_eq!(wrong.status(), 422);
    assert!(wrong.text().contains("name@example.com"));
    assert!(
        wrong.text().contains("not an address"),
        "what was typed stays"
    );

    let sent = portal
        .post_as(
            Some(&admin),
            "/admin/outbox",
            &[("email", "ann@example.org")],
        )
        .await;
    assert_eq!(sent.status(), 303, "{}", sent.text());
    assert_eq!(location(&sent), "/admin/outbox?done=test");

    let mail = sink.wait_for(1).await;
    assert_eq!(mail.len(), 1);
    let mail = &mail[0];
    assert_eq!(mail.to(), "ann@example.org");
    assert_eq!(mail.subject(), "Test message from the IT help portal");
    assert_eq!(
        mail.header("From").as_deref(),
        Some("\"IT Help\" <help@portal.test>")
    );
    assert_eq!(
        mail.header("Auto-Submitted").as_deref(),
        Some("auto-generated")
    );
    let id = mail.message_id();
    assert!(id.ends_with("@portal.test") && id.len() > 30, "{id}");
    assert!(mail.text().contains("sent by Ada Admin"), "{}", mail.text());
    assert!(mail.html().contains(
        "<a href=\"http://portal.test/admin/outbox\">http://portal.test/admin/outbox</a>"
    ));

    let log = wait_until(&portal, |s| s["ann@example.org"].0 == "sent").await;
    assert_eq!(log["ann@example.org"], ("sent".into(), 1, None));
    let page = portal.get_as(Some(&admin), "/admin/outbox").await.text();
    assert!(page.contains("data-state=\"sent\""), "{page}");
}

#[tokio::test]
async fn a_password_reset_arrives_by_mail_and_its_link_is_struck_once_sent() {
    let sink = SmtpSink::start();
    let portal = TestPortal::start_mailing(&sink.url(), Backoff::default()).await;
    portal.end_user("Grace", "grace@example.com").await;
    let asked = portal
        .post_as(None, "/forgot-password", &[("email", "grace@example.com")])
        .await;
    assert!(
        asked.status() == 303 || asked.status() == 200,
        "{}",
        asked.status()
    );

    wait_until(&portal, |s| s.values().all(|(state, ..)| state == "sent")).await;
    let mail = sink.delivered();
    let reset = mail
        .iter()
        .find(|m| m.text().contains("/reset-password/"))
        .expect("the reset message arrives");
    let text = reset.text();
    let start = text.find("http://portal.test/reset-password/").unwrap();
    let link = text[start + "http://portal.test".len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let stored: Vec<String> = sqlx::query_scalar("SELECT body FROM outbox")
        .fetch_all(&portal.state.db.reader)
        .await
        .unwrap();
    let token = link.rsplit('/').next().unwrap();
    assert!(stored.iter().all(|b| !b.contains(token)), "{stored:?}");
    assert!(stored
        .iter()
        .any(|b| b.contains("[link sent by e-mail and removed here]")));
    // The link in the mail works.
    let page = portal.get(&link).await;
    assert_eq!(page.status(), 200);
}

#[tokio::test]
async fn without_smtp_the_log_says_so_and_a_test_message_is_refused() {
    let portal = TestPortal::start().await;
    let admin = portal.admin("ada@example.org").await;
    let page = portal.get_as(Some(&admin), "/admin/outbox").await.text();
    assert!(page.contains("E-mail is not being sent."), "{page}");
    let refused = portal
        .post_as(
            Some(&admin),
            "/admin/outbox",
            &[("email", "ann@example.org")],
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().contains("PORTAL_SMTP_URL is not set"));
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    assert_eq!(count, 0, "nothing is queued");
}

#[tokio::test]
async fn a_refused_recipient_fails_alone_and_a_busy_one_is_retried_then_given_up() {
    let sink = SmtpSink::start();
    let backoff = quick_backoff(Duration::from_secs(2));
    let portal = TestPortal::start_mailing(&sink.url(), backoff).await;
    let admin = portal.admin("ada@example.org").await;
    for to in ["refused@example.org", "busy@example.org", "ann@example.org"] {
        let sent = portal
            .post_as(Some(&admin), "/admin/outbox", &[("email", to)])
            .await;
        assert_eq!(sent.status(), 303);
    }
    let log = wait_until(&portal, |s| {
        s["ann@example.org"].0 == "sent"
            && s["refused@example.org"].0 == "failed"
            && s["busy@example.org"].0 == "retrying"
    })
    .await;
    assert_eq!(log["ann@example.org"].0, "sent");
    let (state, attempts, error) = &log["refused@example.org"];
    assert_eq!(
        (state.as_str(), *attempts),
        ("failed", 1),
        "refused for good at once"
    );
    assert!(
        error.as_deref().unwrap_or_default().contains("550"),
        "{error:?}"
    );
    assert_eq!(log["busy@example.org"].0, "retrying");
    let delivered: Vec<String> = sink.delivered().iter().map(Mail::to).collect();
    assert_eq!(delivered, ["ann@example.org"]);

    // The busy one is tried on the schedule, then given up.
    let log = wait_until(&portal, |s| s["busy@example.org"].0 == "failed").await;
    let (state, attempts, error) = &log["busy@example.org"];
    assert_eq!(state, "failed");
    assert!(*attempts >= 3, "tried again before giving up: {attempts}");
    assert!(
        error.as_deref().unwrap_or_default().contains("451"),
        "{error:?}"
    );

    // The log shows it, and an admin can send it again now.
    let page = portal.get_as(Some(&admin), "/admin/outbox").await.text();
    assert!(page.contains("Last error: "), "{page}");
    let id: i64 = sqlx::query_scalar("SELECT id FROM outbox WHERE recipient = 'busy@example.org'")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    let again = portal
        .post_as(
            Some(&admin),
            &format!("/admin/outbox/{id}"),
            &[] as &[(&str, &str)],
        )
        .await;
    assert_eq!(again.status(), 303);
    let log = wait_until(&portal, |s| s["busy@example.org"].1 > *attempts).await;
    assert!(
        log["busy@example.org"].1 > *attempts,
        "another attempt was made"
    );

    // A sent message is not sent again; a missing one is not found.
    let sent_id: i64 =
        sqlx::query_scalar("SELECT id FROM outbox WHERE recipient = 'ann@example.org'")
            .fetch_one(&portal.state.db.reader)
            .await
            .unwrap();
    let none: &[(&str, &str)] = &[];
    let twice = portal
        .post_as(Some(&admin), &format!("/admin/outbox/{sent_id}"), none)
        .await;
    assert_eq!(twice.status(), 409);
    let missing = portal
        .post_as(Some(&admin), "/admin/outbox/999999", none)
        .await;
    assert_eq!(missing.status(), 404);
    assert_eq!(sink.delivered().len(), 1, "nothing was sent twice");
}

#[tokio::test]
async fn two_hundred_messages_queued_while_the_smtp_server_is_down_all_arrive_once() {
    let mut sink = SmtpSink::start();
    sink.kill();
    // A minute of the real schedule is 200 ms here: the server stays down for
    // several attempts of every message.
    let portal =
        TestPortal::start_mailing(&sink.url(), quick_backoff(Duration::from_secs(120))).await;
    queue_many(&portal, 200).await;
    let retrying = wait_until(&portal, |s| {
        s.values()
            .all(|(state, attempts, _)| state == "retrying" && *attempts >= 2)
    })
    .await;
    assert!(
        retrying
            .values()
            .all(|(state, attempts, _)| state == "retrying" && *attempts >= 2),
        "every message was tried and is waiting: {retrying:?}"
    );

    sink.restart();
    let mail = sink.wait_for(200).await;
    wait_until(&portal, |s| s.values().all(|(state, ..)| state == "sent")).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mail_now = sink.delivered();
    assert_eq!(mail_now.len(), 200, "all arrive, none twice");
    let recipients: HashSet<String> = mail.iter().map(Mail::to).collect();
    assert_eq!(recipients.len(), 200);
    let ids: HashSet<String> = mail.iter().map(Mail::message_id).collect();
    assert_eq!(ids.len(), 200, "each has its own Message-ID");
}

#[tokio::test]
async fn the_smtp_server_killed_while_sending_loses_nothing() {
    let mut sink = SmtpSink::start();
    let portal =
        TestPortal::start_mailing(&sink.url(), quick_backoff(Duration::from_secs(120))).await;
    queue_many(&portal, 300).await;
    // Killed as soon as some have arrived: others are in the middle of being sent.
    let start = Instant::now();
    while sink.delivered().len() < 20 && start.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    sink.kill();
    let before = sink.delivered().len();
    assert!(
        before < 300,
        "the kill came while sending ({before} delivered)"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    sink.restart();
    wait_until(&portal, |s| s.values().all(|(state, ..)| state == "sent")).await;
    let mail = sink.delivered();
    let mut by_id: HashMap<String, HashSet<String>> = HashMap::new();
    for m in &mail {
        by_id.entry(m.message_id()).or_default().insert(m.to());
    }
    assert_eq!(by_id.len(), 300, "every message arrived");
    assert!(
        by_id.values().all(|to| to.len() == 1),
        "a duplicate, if any, has the same Message-ID and recipient"
    );
    assert!(
        mail.len() - 300 <= 4,
        "at most the messages in flight came twice"
    );
}

#[tokio::test]
async fn bad_mail_settings_stop_the_start_and_name_the_setting_but_never_the_password() {
    for (url, from, named) in [
        ("not a url", "help@portal.test", "PORTAL_SMTP_URL"),
        (
            "smtp://desk:hunter2@127.0.0.1:25",
            "help@portal.test",
            "PORTAL_SMTP_PASSWORD_FILE",
        ),
        ("smtp://127.0.0.1:25", "IT Help", "PORTAL_MAIL_FROM"),
    ] {
        let dir = TempDir::new().unwrap();
        let site = dir.path().join("site");
        std::fs::create_dir_all(site.join("pkg")).unwrap();
        let config = server::Config {
            data_dir: dir.path().join("data"),
            load_demo: false,
            public_url: None,
            trusted_proxies: Vec::new(),
            forwarded_header: Default::default(),
            time_zone: "UTC".into(),
            clamd_socket: None,
            inbound: None,
            mail: Some(app::server::mail::MailSettings {
                smtp_url: url.into(),
                password_file: None,
                from: from.into(),
                backoff: Backoff::default(),
            }),
            leptos_options: leptos::prelude::LeptosOptions::builder()
                .output_name("portal")
                .site_root(site.to_string_lossy().to_string())
                .build(),
        };
        let error = match server::build(config).await {
            Ok(_) => panic!("{url} / {from} was accepted"),
            Err(error) => error.to_string(),
        };
        assert!(error.contains(named), "{error}");
        assert!(!error.contains("hunter2"), "{error}");
    }
}

/// Waits for the one message to `to` whose subject contains `subject`.
pub(crate) async fn mail_to(sink: &SmtpSink, to: &str, subject: &str) -> Mail {
    let start = Instant::now();
    loop {
        let found = sink
            .delivered()
            .into_iter()
            .find(|m| m.to() == to && m.subject().contains(subject));
        match found {
            Some(mail) => return mail,
            None if start.elapsed() > Duration::from_secs(30) => {
                let seen: Vec<(String, String)> = sink
                    .delivered()
                    .iter()
                    .map(|m| (m.to(), m.subject()))
                    .collect();
                panic!("no {subject:?} to {to}; delivered: {seen:?}")
            }
            None => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// The first link into the portal in a message's text, as a path.
pub(crate) fn link_in(mail: &Mail, prefix: &str) -> String {
    let text = mail.text();
    let at = text
        .find(&format!("http://portal.test{prefix}"))
        .unwrap_or_else(|| panic!("no {prefix} link in {text}"));
    text[at + "http://portal.test".len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

/// Subjects delivered to `to` so far.
pub(crate) fn subjects_to(sink: &SmtpSink, to: &str) -> Vec<String> {
    sink.delivered()
        .iter()
        .filter(|m| m.to() == to)
        .map(Mail::subject)
        .collect()
}

/// An agent in the 1st-level group, invited by `admin`, with the password
/// chosen through the link of the invitation as delivered.
pub(crate) async fn agent_by_mail(
    portal: &TestPortal,
    sink: &SmtpSink,
    admin: &Session,
    email: &str,
) -> Session {
    portal.invite_agent(admin, "Alan Agent", email).await;
    let link = link_in(&mail_to(sink, email, "invited").await, "/welcome/");
    portal.accept_invitation(&link, email).await
}

pub(crate) async fn desk(
    portal: &TestPortal,
    who: &Session,
    number: &str,
    fields: &[(&str, &str)],
) {
    let version = version_of(portal, number).await;
    let mut all = vec![("version", version.as_str())];
    all.extend_from_slice(fields);
    let done = portal
        .post_as(Some(who), &format!("/agent/tickets/{number}"), &all)
        .await;
    assert_eq!(done.status(), 303, "{fields:?}: {}", done.text());
}

#[tokio::test]
async fn a_tickets_changes_reach_its_reporter_and_agents_by_mail_and_nobody_else() {
    let sink = SmtpSink::start();
    let portal = TestPortal::start_mailing(&sink.url(), Backoff::default()).await;
    let admin = portal.admin("admin@example.com").await;
    let agent = agent_by_mail(&portal, &sink, &admin, "agent@example.com").await;
    let mut form = portal.with_email_service().await;
    form.name = "Rita".into();
    form.email = "rita@example.org".into();
    form.summary = "Printer <b>on fire</b>".into();
    let logged = portal
        .post_as(None, "/report/incident", &form_fields(&form))
        .await;
    assert_eq!(logged.status(), 303);
    let number = number_of_last_ticket(&portal).await;
    let thread = format!("<{}@portal.test>", number.to_lowercase());

    // The reporter: the ticket, what happens next, the private link; escaped.
    let mail = mail_to(&sink, "rita@example.org", "Logged").await;
    assert_eq!(
        mail.subject(),
        format!("[{number}] Logged: Printer <b>on fire</b>")
    );
    assert_eq!(mail.header("In-Reply-To").as_deref(), Some(thread.as_str()));
    assert_eq!(mail.header("References").as_deref(), Some(thread.as_str()));
    assert!(mail.text().contains("What happens next"));
    assert!(mail.html().contains("Printer &lt;b&gt;on fire&lt;/b&gt;"));
    assert!(!mail.html().contains("<b>on fire"));
    assert!(mail
        .text()
        .contains("You receive this because you reported this ticket."));
    let private = link_in(&mail, "/status/");
    let page = portal.get(&private).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().contains(&number));
    // The group hears of the new ticket.
    let new = mail_to(&sink, "agent@example.com", "New ticket").await;
    assert_eq!(link_in(&new, "/agent/"), format!("/agent/tickets/{number}"));

    // Taking it tells nobody; a reply reaches the reporter with a link of its own.
    desk(&portal, &agent, &number, &[("action", "take")]).await;
    desk(
        &portal,
        &agent,
        &number,
        &[("action", "reply"), ("body", "Unplug it <now>")],
    )
    .await;
    let reply = mail_to(&sink, "rita@example.org", "New reply").await;
    assert!(reply.text().contains("Alan Agent replied"));
    assert!(reply.text().contains("    Unplug it <now>"));
    assert!(reply.html().contains("Unplug it &lt;now&gt;"));
    assert_eq!(
        reply.header("In-Reply-To").as_deref(),
        Some(thread.as_str())
    );
    let mailed = link_in(&reply, "/status/");
    assert_ne!(
        mailed, private,
        "each message to an anonymous reporter has its own link"
    );
    assert_eq!(
        portal.get(&mailed).await.status(),
        200,
        "and it opens the ticket"
    );

    desk(
        &portal,
        &agent,
        &number,
        &[
            ("action", "hold"),
            ("hold", "awaiting_user"),
            ("body", "Which floor?"),
        ],
    )
    .await;
    let waiting = mail_to(&sink, "rita@example.org", "Waiting for your answer").await;
    assert!(waiting.text().contains("Which floor?"));

    // The reporter answers through the mailed link; the assignee hears of it.
    let version = version_of(&portal, &number).await;
    let added = portal
        .post_as(
            None,
            &mailed,
            &[
                ("version", version.as_str()),
                ("action", "add_information"),
                ("body", "Third floor"),
            ],
        )
        .await;
    assert_eq!(added.status(), 303, "{}", added.text());
    let told = mail_to(&sink, "agent@example.com", "added information").await;
    assert!(told.text().contains("Third floor"));

    desk(
        &portal,
        &agent,
        &number,
        &[("action", "escalate_to_managers"), ("reason", "Fire!")],
    )
    .await;
    let escalated = mail_to(&sink, "admin@example.com", "Escalated").await;
    assert!(escalated.text().contains("incident manager"));

    desk(
        &portal,
        &agent,
        &number,
        &[
            ("action", "resolve"),
            ("code", "fixed"),
            ("body", "Replaced"),
        ],
    )
    .await;
    let resolved = mail_to(&sink, "rita@example.org", "Resolved").await;
    assert!(resolved.text().contains("confirm that it is fixed"));

    // Nothing else: no message about one's own doing, none of internal steps.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut to_rita = subjects_to(&sink, "rita@example.org");
    to_rita.sort();
    let expected = ["Logged", "New reply", "Resolved", "Waiting for your answer"]
        .map(|s| format!("[{number}] {s}: Printer <b>on fire</b>"));
    assert_eq!(to_rita, expected);
    assert_eq!(
        subjects_to(&sink, "agent@example.com").len(),
        3,
        "invitation, new, information"
    );
    assert_eq!(
        subjects_to(&sink, "admin@example.com").len(),
        1,
        "the escalation only"
    );
}

#[tokio::test]
async fn an_account_holder_chooses_what_they_hear_of_on_their_account_page() {
    let sink = SmtpSink::start();
    let portal = TestPortal::start_mailing(&sink.url(), Backoff::default()).await;
    let admin = portal.admin("admin@example.com").await;
    let agent = agent_by_mail(&portal, &sink, &admin, "agent@example.com").await;
    let uma = portal.end_user("Uma User", "uma@example.com").await;

    let page = portal.get_as(Some(&uma), "/account").await.text();
    assert!(page.contains("name=\"topic\""));
    assert!(page.contains("value=\"my_tickets\""));
    assert!(
        !page.contains("value=\"assigned\""),
        "agents' topics are not offered to end users"
    );
    let none: &[(&str, &str)] = &[];
    let saved = portal.post_as(Some(&uma), "/account/mail", none).await;
    assert_eq!(saved.status(), 303);
    assert_eq!(location(&saved), "/account?mail=saved#mail");
    let page = portal
        .get_as(Some(&uma), "/account?mail=saved")
        .await
        .text();
    assert!(page.contains("Your choices are saved."));
    assert!(!page.contains("checked"), "nothing ticked any more");

    let mut form = portal.with_email_service().await;
    form.email = "uma@example.com".into();
    let logged = portal
        .post_as(Some(&uma), "/report/incident", &form_fields(&form))
        .await;
    assert_eq!(logged.status(), 303);
    let number = number_of_last_ticket(&portal).await;
    mail_to(&sink, "agent@example.com", "New ticket").await;

    let saved = portal
        .post_as(
            Some(&uma),
            "/account/mail",
            &[("topic", "my_tickets"), ("topic", "assigned")],
        )
        .await;
    assert_eq!(saved.status(), 303);
    desk(
        &portal,
        &agent,
        &number,
        &[("action", "reply"), ("body", "On it")],
    )
    .await;
    let reply = mail_to(&sink, "uma@example.com", "New reply").await;
    assert_eq!(
        link_in(&reply, "/my-tickets/"),
        format!("/my-tickets/{number}")
    );
    assert!(reply.text().contains("http://portal.test/account#mail"));
    let to_uma = subjects_to(&sink, "uma@example.com");
    assert!(
        to_uma.iter().all(|s| !s.contains("Logged")),
        "nothing while opted out: {to_uma:?}"
    );
    let choices: Vec<(String, bool)> =
        sqlx::query_as("SELECT topic, wanted FROM mail_preferences ORDER BY topic")
            .fetch_all(&portal.state.db.reader)
            .await
            .unwrap();
    let expected = [
        ("following", false),
        ("my_tickets", true),
        ("service_notices", false),
    ]
    .map(|(t, w)| (t.to_string(), w));
    assert_eq!(choices, expected, "only offered topics are kept");
}

#[tokio::test]
async fn a_group_hears_of_new_tickets_only_while_its_admin_wants_it_to() {
    let sink = SmtpSink::start();
    let portal = TestPortal::start_mailing(&sink.url(), Backoff::default()).await;
    let admin = portal.admin("admin@example.com").await;
    agent_by_mail(&portal, &sink, &admin, "agent@example.com").await;
    let agent_id: i64 =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'agent@example.com'")
            .fetch_one(&portal.state.db.reader)
            .await
            .unwrap();
    let page = portal.get_as(Some(&admin), "/admin/groups").await.text();
    assert!(page.contains("E-mail the members about each new ticket in this group"));
    let member = agent_id.to_string();
    let off = portal
        .post_as(
            Some(&admin),
            "/admin/groups/1",
            &[
                ("name", "Service desk (1st level)"),
                ("level", "1"),
                ("member", member.as_str()),
            ],
        )
        .await;
    assert_eq!(off.status(), 303, "{}", off.text());
    let audit: String = sqlx::query_scalar(
        "SELECT detail FROM audit_events WHERE action = 'group_changed' ORDER BY id DESC",
    )
    .fetch_one(&portal.state.db.reader)
    .await
    .unwrap();
    assert!(audit.contains("new-ticket e-mail"), "{audit}");

    let mut form = portal.with_email_service().await;
    form.summary = "First, unannounced".into();
    assert_eq!(
        portal
            .post_as(None, "/report/incident", &form_fields(&form))
            .await
            .status(),
        303
    );
    mail_to(&sink, "ada@example.com", "First, unannounced").await;

    let on = portal
        .post_as(
            Some(&admin),
            "/admin/groups/1",
            &[
                ("name", "Service desk (1st level)"),
                ("level", "1"),
                ("member", member.as_str()),
                ("mail_new_tickets", "on"),
            ],
        )
        .await;
    assert_eq!(on.status(), 303);
    form.summary = "Second, announced".into();
    assert_eq!(
        portal
            .post_as(None, "/report/incident", &form_fields(&form))
            .await
            .status(),
        303
    );
    mail_to(&sink, "agent@example.com", "Second, announced").await;
    let to_agent = subjects_to(&sink, "agent@example.com");
    assert!(
        to_agent.iter().all(|s| !s.contains("First")),
        "{to_agent:?}"
    );
}

#[tokio::test]
async fn assignments_the_reporters_answers_closing_reopening_and_targets_reach_who_they_concern() {
    let sink = SmtpSink::start();
    let portal = TestPortal::start_mailing(&sink.url(), Backoff::default()).await;
    let admin = portal.admin("admin@example.com").await;
    let agent = agent_by_mail(&portal, &sink, &admin, "agent@example.com").await;
    let agent_id: i64 =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'agent@example.com'")
            .fetch_one(&portal.state.db.reader)
            .await
            .unwrap();
    let mut form = portal.with_email_service().await;
    form.email = "rita@example.org".into();
    form.summary = "Scanner jammed".into();
    assert_eq!(
        portal
            .post_as(None, "/report/incident", &form_fields(&form))
            .await
            .status(),
        303
    );
    let number = number_of_last_ticket(&portal).await;
    let link = link_in(
        &mail_to(&sink, "rita@example.org", "Logged").await,
        "/status/",
    );
    let reporter = |fields: Vec<(&'static str, String)>| {
        let (portal, number, link) = (&portal, number.clone(), link.clone());
        async move {
            let version = version_of(portal, &number).await;
            let mut all = vec![("version", version)];
            all.extend(fields);
            let done = portal.post_as(None, &link, &all).await;
            assert_eq!(done.status(), 303, "{all:?}: {}", done.text());
        }
    };

    // The admin assigns it: the agent hears; the admin (who did it) does not.
    let assignee = agent_id.to_string();
    desk(
        &portal,
        &admin,
        &number,
        &[("action", "assign"), ("assignee", assignee.as_str())],
    )
    .await;
    let assigned = mail_to(&sink, "agent@example.com", "Assigned to you").await;
    assert!(assigned.text().contains("Ada Admin assigned ticket"));

    reporter(vec![
        ("action", "escalate".into()),
        ("reason", "Deadline today".into()),
    ])
    .await;
    mail_to(&sink, "agent@example.com", "asks for more urgency").await;

    desk(
        &portal,
        &agent,
        &number,
        &[
            ("action", "resolve"),
            ("code", "fixed"),
            ("body", "Cleared"),
        ],
    )
    .await;
    mail_to(&sink, "rita@example.org", "Resolved").await;
    reporter(vec![
        ("action", "reject".into()),
        ("reason", "Jams again".into()),
    ])
    .await;
    let rejected = mail_to(&sink, "agent@example.com", "Not fixed").await;
    assert!(rejected.text().contains("Jams again"));

    desk(
        &portal,
        &agent,
        &number,
        &[
            ("action", "resolve"),
            ("code", "fixed"),
            ("body", "New roller"),
        ],
    )
    .await;
    desk(&portal, &agent, &number, &[("action", "close")]).await;
    mail_to(&sink, "rita@example.org", "Closed").await;
    reporter(vec![
        ("action", "reopen".into()),
        ("reason", "Jammed once more".into()),
    ])
    .await;
    mail_to(&sink, "agent@example.com", "Reopened by the reporter").await;

    // Targets: the incident managers hear of them (on a ticket nobody answered).
    form.summary = "Toner low".into();
    assert_eq!(
        portal
            .post_as(None, "/report/incident", &form_fields(&form))
            .await
            .status(),
        303
    );
    let past = chrono::Utc::now() - chrono::TimeDelta::hours(1);
    sqlx::query(
        "UPDATE tickets SET response_risk_at = ?1, response_due_at = ?1, sla_next_at = ?1
         WHERE summary = 'Toner low'",
    )
    .bind(past)
    .execute(&portal.state.db.writer)
    .await
    .unwrap();
    app::server::store::tickets::clock::record_due_milestones(
        &portal.state.db,
        &portal.state.changes,
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let breached = mail_to(&sink, "admin@example.com", "Target breached: Toner low").await;
    assert!(breached.text().contains("incident manager"));

    tokio::time::sleep(Duration::from_millis(1500)).await;
    let to_rita = subjects_to(&sink, "rita@example.org");
    assert!(
        to_rita.iter().all(|s| !s.contains("Reopened")),
        "reopening was the reporter's own doing: {to_rita:?}"
    );
    let to_admin = subjects_to(&sink, "admin@example.com");
    assert!(
        to_admin.iter().all(|s| s.contains("Target")),
        "{to_admin:?}"
    );
}

#[tokio::test]
async fn followers_of_a_major_incident_hear_of_its_updates_and_resolution_through_a_reading_link() {
    let sink = SmtpSink::start();
    let portal = TestPortal::start_mailing(&sink.url(), Backoff::default()).await;
    let admin = portal.admin("admin@example.com").await;
    let agent = agent_by_mail(&portal, &sink, &admin, "agent@example.com").await;
    let form = portal.with_email_service().await;
    assert_eq!(portal.submit("incident", &form).await.status(), 303);
    let major = number_of_last_ticket(&portal).await;
    desk(
        &portal,
        &agent,
        &major,
        &[("action", "declare_major"), ("reason", "Everyone")],
    )
    .await;
    let mut follow = form.clone();
    follow.name = "Fay Follower".into();
    follow.email = "fay@example.com".into();
    follow.join = major.clone();
    assert_eq!(portal.submit("incident", &follow).await.status(), 303);
    // A signed-in follower who switched the topic off hears nothing.
    let quiet = portal.end_user("Quinn Quiet", "quinn@example.com").await;
    let saved = portal
        .post_as(Some(&quiet), "/account/mail", &[("topic", "my_tickets")])
        .await;
    assert_eq!(saved.status(), 303);
    let mut muted = follow.clone();
    muted.name = "Quinn Quiet".into();
    muted.email = "quinn@example.com".into();
    let joined = portal
        .post_as(Some(&quiet), "/report/incident", &form_fields(&muted))
        .await;
    assert_eq!(joined.status(), 303, "{}", joined.text());

    desk(
        &portal,
        &agent,
        &major,
        &[
            ("action", "note"),
            ("body", "Internal: relay 3 is the culprit"),
        ],
    )
    .await;
    desk(
        &portal,
        &agent,
        &major,
        &[("action", "reply"), ("body", "The relay is restarting.")],
    )
    .await;
    let update = mail_to(&sink, "fay@example.com", "Update on the major incident").await;
    assert_eq!(
        update.subject(),
        format!("[{major}] Update on the major incident: Outlook will not send mail")
    );
    assert!(update.text().contains("    The relay is restarting."));
    assert!(update.text().contains("your problem too"));
    let link = link_in(&update, "/status/");
    let page = portal.get(&link).await.text();
    assert!(page.contains("The relay is restarting."), "{page}");
    assert!(
        !page.contains("relay 3 is the culprit"),
        "no internal notes"
    );
    assert!(
        !page.contains("name=\"action\""),
        "a follower's link reads the incident, it does not act on it"
    );

    desk(
        &portal,
        &agent,
        &major,
        &[
            ("action", "resolve"),
            ("code", "fixed"),
            ("body", "Relay replaced"),
        ],
    )
    .await;
    let resolved = mail_to(&sink, "fay@example.com", "Major incident resolved").await;
    assert!(resolved.text().contains("Relay replaced"));
    assert_ne!(link_in(&resolved, "/status/"), link, "a link of its own");

    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        subjects_to(&sink, "fay@example.com").len(),
        2,
        "no note, nothing else"
    );
    assert!(
        subjects_to(&sink, "quinn@example.com")
            .iter()
            .all(|s| !s.contains(&major)),
        "the topic switched off"
    );
}

#[tokio::test]
async fn service_notices_reach_only_those_who_chose_them_and_whom_they_concern() {
    let sink = SmtpSink::start();
    let portal = TestPortal::start_mailing(&sink.url(), Backoff::default()).await;
    let admin = portal.admin("admin@example.com").await;
    let form = portal.with_email_service().await;
    portal.add_service("vpn", "VPN", &["Connecting"]).await;
    let choose = |who: Session| {
        let portal = &portal;
        async move {
            let saved = portal
                .post_as(
                    Some(&who),
                    "/account/mail",
                    &[("topic", "my_tickets"), ("topic", "service_notices")],
                )
                .await;
            assert_eq!(saved.status(), 303);
            who
        }
    };
    // Uses e-mail (has logged a ticket for it) and chose notices; chose them
    // but uses nothing; uses e-mail but never chose.
    let uma = choose(portal.end_user("Uma User", "uma@example.com").await).await;
    choose(portal.end_user("Nia Nothing", "nia@example.com").await).await;
    let ola = portal.end_user("Ola Optout", "ola@example.com").await;
    for (who, email) in [(&uma, "uma@example.com"), (&ola, "ola@example.com")] {
        let mut mine = form.clone();
        mine.email = email.into();
        let logged = portal
            .post_as(Some(who), "/report/incident", &form_fields(&mine))
            .await;
        assert_eq!(logged.status(), 303);
    }
    let page = portal.get_as(Some(&ola), "/account").await.text();
    assert!(
        page.contains("value=\"service_notices\""),
        "offered to everyone"
    );

    // For everyone: both who chose it hear of it.
    let published = portal
        .post_as(
            Some(&admin),
            "/admin/notices",
            &crate::notices::publish_form("E-mail is down"),
        )
        .await;
    assert_eq!(published.status(), 303, "{}", published.text());
    let notice = location(&published)
        .trim_start_matches("/admin/notices/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let mail = mail_to(&sink, "uma@example.com", "[Critical outage] E-mail is down").await;
    assert!(mail.text().contains("Services: E-mail"));
    assert!(mail
        .text()
        .contains("Outlook cannot send or receive any message."));
    assert!(mail.text().contains("http://portal.test/notices"));
    assert!(mail.text().contains("http://portal.test/account#mail"));
    assert_eq!(
        mail.header("In-Reply-To"),
        Some(format!("<notice-{notice}@portal.test>"))
    );
    mail_to(&sink, "nia@example.com", "E-mail is down").await;

    // Its update and resolution follow, in the same thread.
    let action = format!("/admin/notices/{notice}");
    for fields in [
        [("action", "update"), ("body", "Relay restarting")],
        [("action", "resolve"), ("body", "Relay replaced")],
    ] {
        let changed = portal.post_as(Some(&admin), &action, &fields).await;
        assert_eq!(changed.status(), 303, "{}", changed.text());
    }
    let update = mail_to(&sink, "uma@example.com", "Update: E-mail is down").await;
    assert!(update.text().contains("    Relay restarting"));
    let resolved = mail_to(&sink, "uma@example.com", "[Resolved] E-mail is down").await;
    assert!(resolved.text().contains("Relay replaced"));

    // For the affected only: the one who uses e-mail.
    let mut affected = crate::notices::publish_form("E-mail is slow");
    for field in affected.iter_mut() {
        if field.0 == "audience" {
            field.1 = "affected".into();
        }
    }
    let published = portal
        .post_as(Some(&admin), "/admin/notices", &affected)
        .await;
    assert_eq!(published.status(), 303, "{}", published.text());
    mail_to(&sink, "uma@example.com", "E-mail is slow").await;

    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        subjects_to(&sink, "nia@example.com")
            .iter()
            .filter(|s| s.contains("E-mail is"))
            .count(),
        3,
        "not the affected-only one"
    );
    assert!(subjects_to(&sink, "ola@example.com")
        .iter()
        .all(|s| !s.contains("E-mail is")));
    assert_eq!(
        subjects_to(&sink, "uma@example.com")
            .iter()
            .filter(|s| s.contains("E-mail is"))
            .count(),
        4
    );
}

#[tokio::test]
async fn mail_that_did_not_arrive_shows_on_the_agents_page_of_its_ticket() {
    let sink = SmtpSink::start();
    let portal = TestPortal::start_mailing(&sink.url(), Backoff::default()).await;
    let admin = portal.admin("admin@example.com").await;
    let agent = agent_by_mail(&portal, &sink, &admin, "agent@example.com").await;
    let mut form = portal.with_email_service().await;
    form.email = "refused-rita@example.org".into();
    assert_eq!(portal.submit("incident", &form).await.status(), 303);
    let number = number_of_last_ticket(&portal).await;
    wait_until(&portal, |s| {
        s.get("refused-rita@example.org")
            .is_some_and(|m| m.0 == "failed")
    })
    .await;
    let page = portal
        .get_as(Some(&agent), &format!("/agent/tickets/{number}"))
        .await
        .text();
    let box_at = page.find("data-test=\"mail-troubles\"").expect(&page);
    let troubles = &page[box_at..];
    assert!(troubles.contains("E-mail that did not arrive"));
    assert!(troubles.contains("to refused-rita@example.org"));
    assert!(troubles.contains("Logged"));
    assert!(troubles.contains("Last error: "));
    assert!(troubles.contains("550"), "{troubles}");

    // A ticket whose mail arrived shows nothing of the kind.
    form.email = "rita@example.org".into();
    assert_eq!(portal.submit("incident", &form).await.status(), 303);
    let fine = number_of_last_ticket(&portal).await;
    mail_to(&sink, "rita@example.org", "Logged").await;
    let page = portal
        .get_as(Some(&agent), &format!("/agent/tickets/{fine}"))
        .await
        .text();
    assert!(!page.contains("mail-troubles"));
}
