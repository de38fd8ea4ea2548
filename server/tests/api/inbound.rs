//! Mail into the desk: the corpus under `mail-corpus/` (replies from the common
//! clients with their quoting, forwards, reply-all, encodings, HTML-only mail,
//! automatic replies, bounces, forgeries), each landed through
//! `server::mail::inbound::ingest` on a real database, and what the portal then
//! sent read from a real SMTP server (aiosmtpd, see `smtp_sink.rs`).
//!
//! Corpus files carry placeholders the tests fill: `{{REPORTER}}`,
//! `{{NUMBER}}`, `{{IN_REPLY_TO}}`/`{{REFERENCES}}` (the Message-ID of a message
//! we sent), `{{THREAD}}` (a ticket's unsigned thread id), `{{FORGED}}`,
//! `{{AGENT}}` and `{{AGENT_IN_REPLY_TO}}`.

use crate::attachments::number_of_last_ticket;
use crate::helpers::{Session, TestPortal};
use crate::mail::{agent_by_mail, desk, mail_to, subjects_to};
use crate::smtp_sink::SmtpSink;
use app::domain::{Backoff, TicketNumber};
use app::server::inbox::land::{ingest, Desk, Landed, Strangers};
use app::server::store::{attachments, outbox};
use std::time::Duration;

/// A corpus file as received, its placeholders filled.
pub(crate) fn corpus(name: &str, fill: &[(&str, &str)]) -> Vec<u8> {
    let path = format!(
        "{}/tests/api/mail-corpus/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut raw = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    for (name, value) in fill {
        let from = format!("{{{{{name}}}}}");
        raw = replace(&raw, from.as_bytes(), value.as_bytes());
    }
    raw
}

fn replace(raw: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut at = 0;
    while at < raw.len() {
        if raw[at..].starts_with(from) {
            out.extend_from_slice(to);
            at += from.len();
        } else {
            out.push(raw[at]);
            at += 1;
        }
    }
    out
}

/// A desk with one ticket from Rita, taken by an agent who replied to it.
struct Scene {
    sink: SmtpSink,
    portal: TestPortal,
    desk: Desk,
    agent: Session,
    /// The web form Rita's ticket was logged with.
    form: app::domain::TicketForm,
    number: String,
    /// The Message-ID (with brackets) of the reply Rita received.
    reply_id: String,
}

const RITA: &str = "rita@example.org";
const AGENT: &str = "agent@example.com";

async fn scene() -> Scene {
    let sink = SmtpSink::start();
    let portal = TestPortal::start_mailing(&sink.url(), Backoff::default()).await;
    let admin = portal.admin("admin@example.com").await;
    let agent = agent_by_mail(&portal, &sink, &admin, AGENT).await;
    let mut form = portal.with_email_service().await;
    form.name = "Rita Reporter".into();
    form.email = RITA.into();
    assert_eq!(portal.submit("incident", &form).await.status(), 303);
    let number = number_of_last_ticket(&portal).await;
    desk(&portal, &agent, &number, &[("action", "take")]).await;
    desk(
        &portal,
        &agent,
        &number,
        &[("action", "reply"), ("body", "Please restart Outlook.")],
    )
    .await;
    let reply = mail_to(&sink, RITA, "New reply").await;
    let signing = {
        let mut conn = portal.state.db.writer.acquire().await.unwrap();
        outbox::signing_key(&mut conn).await.unwrap()
    };
    let desk = Desk {
        db: portal.state.db.clone(),
        changes: portal.state.changes.clone(),
        files: portal.state.files.clone(),
        scanner: None,
        signing,
        own_addresses: vec!["help@portal.test".into()],
        answers_a_day: 3,
        strangers: Strangers::Hold,
        category: None,
    };
    Scene {
        reply_id: format!("<{}>", reply.message_id()),
        sink,
        portal,
        desk,
        agent,
        form,
        number,
    }
}

impl Scene {
    fn fill<'a>(&'a self, reply_id: &'a str) -> Vec<(&'a str, &'a str)> {
        vec![
            ("REPORTER", RITA),
            ("NUMBER", self.number.as_str()),
            ("IN_REPLY_TO", reply_id),
            ("REFERENCES", reply_id),
            ("AGENT", AGENT),
        ]
    }

    async fn land(&self, name: &str, extra: &[(&str, &str)]) -> Landed {
        let mut fill = self.fill(&self.reply_id);
        fill.extend_from_slice(extra);
        let raw = corpus(name, &fill);
        ingest(&self.desk, &raw, chrono::Utc::now())
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    async fn desk_page(&self, number: &str) -> String {
        let page = self
            .portal
            .get_as(Some(&self.agent), &format!("/agent/tickets/{number}"))
            .await;
        assert_eq!(page.status(), 200);
        page.text()
    }

    fn ticket(&self) -> TicketNumber {
        TicketNumber::parse(&self.number).unwrap()
    }
}

#[tokio::test]
async fn replies_from_every_common_client_land_on_their_ticket_without_quotes_or_signatures() {
    let s = scene().await;
    // (file, what it adds, what it quoted or signed that must not be added)
    let cases: &[(&str, &[&str], &[&str])] = &[
        (
            "01-gmail-reply.eml",
            &["It still fails after the restart — same error as before."],
            &["gmail_quote", "wrote:"],
        ),
        (
            "02-outlook-reply-windows-1252-base64.eml",
            &["Thanks – the", "button works again, 20 € well spent."],
            &["Sent: Tuesday"],
        ),
        (
            "03-outlook-web-reply.eml",
            &["Third floor, room 12."],
            &["Sent: 01 December"],
        ),
        (
            "04-thunderbird-reply-flowed.eml",
            &["The error code is 0x800CCC0E"],
            &["Which error code?"],
        ),
        (
            "05-apple-mail-reply.eml",
            &["Yes, from my phone too."],
            &["Sent from my iPhone"],
        ),
        (
            "06-inline-answers.eml",
            &["Second floor.", "The one by the kitchen."],
            &["Which printer?"],
        ),
        (
            "07-iso-8859-1-quoted-printable.eml",
            &["Ça ne marche toujours pas, désolé. Grüße aus München."],
            &["a écrit"],
        ),
        (
            "08-html-only-reply.eml",
            &["PC LOAD LETTER"],
            &["alert(", "tracker.example", "color: red"],
        ),
        (
            "28-german-outlook-reply.eml",
            &["Jetzt geht es wieder, danke!"],
            &["Gesendet: Dienstag", "hat geantwortet"],
        ),
        (
            "29-reply-with-attachment.eml",
            &["The screenshot of the error is attached.", "error.pdf"],
            &["JVBERi0"],
        ),
        (
            "32-signature-logo-and-a-refused-file.eml",
            &[
                "Here is the tool the vendor sent me.",
                "Not attached: fixtool.exe cannot be attached",
            ],
            &["image001.png"],
        ),
    ];
    for (file, added, cut) in cases {
        assert_eq!(s.land(file, &[]).await, Landed::Added(s.ticket()), "{file}");
        let page = s.desk_page(&s.number).await;
        for text in *added {
            assert!(page.contains(text), "{file}: {text:?} not on the ticket");
        }
        for text in *cut {
            assert!(!page.contains(text), "{file}: {text:?} was added");
        }
    }
    // The agent heard of each, as of information added on the web.
    mail_to(&s.sink, AGENT, "The reporter added information").await;
    // Nothing was answered to Rita: her own doing.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(subjects_to(&s.sink, RITA).len(), 2, "logged, the reply");

    // The agent answers by mail: a public reply, which reaches Rita, signature cut.
    let told = mail_to(&s.sink, AGENT, "The reporter added information").await;
    let agent_reply_to = format!("<{}>", told.message_id());
    assert_eq!(
        s.land(
            "10-agent-replies-by-mail.eml",
            &[("AGENT_IN_REPLY_TO", &agent_reply_to)]
        )
        .await,
        Landed::Replied(s.ticket())
    );
    let reply = mail_saying(&s.sink, RITA, "Please try the web version meanwhile").await;
    assert!(reply.subject().contains("New reply"));
    assert!(!reply.text().contains("Alan Agent, Service desk"));
}

/// The first message to `to` whose text says `text` (waits at most 30 s).
async fn mail_saying(sink: &SmtpSink, to: &str, text: &str) -> crate::smtp_sink::Mail {
    let start = std::time::Instant::now();
    loop {
        let found = sink
            .delivered()
            .into_iter()
            .find(|m| m.to() == to && m.text().contains(text));
        match found {
            Some(mail) => return mail,
            None if start.elapsed() > Duration::from_secs(30) => {
                panic!("no message to {to} saying {text:?}")
            }
            None => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// The ticket's page as its reporter sees it, through the link of the last
/// message they received.
async fn reporter_page(s: &Scene) -> String {
    let mail = mail_to(&s.sink, RITA, "New reply").await;
    let link = crate::mail::link_in(&mail, "/status/");
    s.portal.get(&link).await.text()
}

#[tokio::test]
async fn strangers_forgeries_and_bare_ticket_numbers_never_reach_the_reporter() {
    let s = scene().await;
    // Someone on Cc replies to all: held on the ticket for the desk only.
    assert_eq!(
        s.land("09-reply-all-from-cc.eml", &[]).await,
        Landed::Held(s.ticket())
    );
    let page = s.desk_page(&s.number).await;
    assert!(page.contains("Mine does the same since yesterday."));
    assert!(page.contains("colin@example.org"));
    assert!(!reporter_page(&s).await.contains("Mine does the same"));

    // A made-up signature, or the ticket's unsigned thread id, leads nowhere:
    // each logs a ticket of its own.
    let forged = format!("<{}.{}@portal.test>", "a".repeat(32), "0".repeat(32));
    let thread = format!("<{}@portal.test>", s.number.to_lowercase());
    for (file, fill) in [
        ("11-forged-token.eml", ("FORGED", forged.as_str())),
        ("12-bare-ticket-number.eml", ("THREAD", thread.as_str())),
    ] {
        match s.land(file, &[fill]).await {
            Landed::Logged { number, .. } => assert_ne!(number, s.ticket(), "{file}"),
            other => panic!("{file}: {other:?}"),
        }
    }
    let page = s.desk_page(&s.number).await;
    assert!(!page.contains("Please close this ticket"));
    assert!(!page.contains("Only the ticket number names it"));
    assert_ne!(number_of_last_ticket(&s.portal).await, s.number);

    // Configured so, a stranger's reply logs a ticket of their own.
    let desk = Desk {
        strangers: Strangers::NewTicket,
        ..s.desk.clone()
    };
    let fill = s.fill(&s.reply_id);
    let raw = corpus("09-reply-all-from-cc.eml", &fill);
    let raw = replace(&raw, b"<replyall09@", b"<replyall09-again@");
    match ingest(&desk, &raw, chrono::Utc::now()).await.unwrap() {
        Landed::Logged { number, answered } => {
            assert_ne!(number, s.ticket());
            assert!(answered);
            mail_to(&s.sink, "colin@example.org", "Logged").await;
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn machines_are_never_answered_and_a_bounce_marks_our_message_failed_on_the_ticket() {
    let s = scene().await;
    for file in [
        "13-out-of-office-auto-replied.eml",
        "14-exchange-automatic-reply.eml",
        "15-out-of-office-no-thread.eml",
        "24-from-our-own-address.eml",
    ] {
        assert!(
            matches!(s.land(file, &[]).await, Landed::Ignored(_)),
            "{file}"
        );
    }
    for file in [
        "21-mailing-list.eml",
        "22-monitoring-alert.eml",
        "23-empty-return-path.eml",
    ] {
        match s.land(file, &[]).await {
            Landed::Logged { answered, .. } => assert!(!answered, "{file} was answered"),
            other => panic!("{file}: {other:?}"),
        }
    }
    assert!(matches!(
        s.land("17-dsn-delayed.eml", &[]).await,
        Landed::Bounce(None)
    ));
    let page = s.desk_page(&s.number).await;
    assert!(!page.contains("mail-troubles"), "a delay is not a failure");
    assert!(matches!(
        s.land("16-dsn-bounce.eml", &[]).await,
        Landed::Bounce(Some(_))
    ));
    let page = s.desk_page(&s.number).await;
    let troubles = &page[page.find("data-test=\"mail-troubles\"").expect("the box")..];
    assert!(troubles.contains("550 5.1.1"), "{troubles}");
    assert!(troubles.contains(&format!("to {RITA}")));
    assert!(
        !page.contains("out of the office"),
        "no auto-reply was added"
    );

    tokio::time::sleep(Duration::from_millis(1500)).await;
    for machine in [
        "otto@example.org",
        "news@lists.example.com",
        "nagios@monitor.example.org",
        "printer@example.org",
        "mailer-daemon@mx.example.org",
        "help@portal.test",
    ] {
        assert!(
            subjects_to(&s.sink, machine).is_empty(),
            "{machine} was answered"
        );
    }
    assert_eq!(subjects_to(&s.sink, RITA).len(), 2, "logged, the reply");
}

#[tokio::test]
async fn other_mail_logs_a_ticket_and_its_sender_hears_of_it_a_few_times_a_day_at_most() {
    let s = scene().await;
    let logged = |landed: Landed| match landed {
        Landed::Logged { number, answered } => (number.to_string(), answered),
        other => panic!("{other:?}"),
    };
    let (vpn, answered) = logged(s.land("18-new-issue.eml", &[]).await);
    assert!(answered);
    let told = mail_to(&s.sink, "nina@example.org", "Logged").await;
    assert_eq!(
        told.subject(),
        format!("[{vpn}] Logged: VPN drops every ten minutes")
    );
    let page = s.desk_page(&vpn).await;
    assert!(page.contains("Since this morning the VPN disconnects every ten minutes."));
    assert!(page.contains("Nina New"));
    assert_eq!(
        s.land("18-new-issue.eml", &[]).await,
        Landed::Duplicate,
        "read twice, logged once"
    );

    let (screen, _) = logged(s.land("19-new-issue-html-only.eml", &[]).await);
    let page = s.desk_page(&screen).await;
    assert!(page.contains("flickers"));
    assert!(!page.contains("document.cookie"));
    let (phish, _) = logged(s.land("20-forward.eml", &[]).await);
    let page = s.desk_page(&phish).await;
    assert!(page.contains("Is this real or phishing?"));
    assert!(
        page.contains("Click here to keep your mailbox"),
        "a forward keeps what it forwards"
    );
    assert!(page.contains("Your mailbox is almost full"));
    let (badge, _) = logged(s.land("25-no-subject.eml", &[]).await);
    assert!(s.desk_page(&badge).await.contains("(no subject)"));
    let (printer, _) = logged(s.land("26-encoded-words-base64-utf8.eml", &[]).await);
    let page = s.desk_page(&printer).await;
    assert!(page.contains("Drucker druckt nicht — Ärger"));
    assert!(page.contains("Jörg Jäger"));
    assert!(page.contains("Grüße, Jörg"));

    assert_eq!(s.land("27-unparseable.eml", &[]).await, Landed::Unreadable);
    let kept: (String, i64) =
        sqlx::query_as("SELECT outcome, size FROM inbound_mail WHERE outcome = 'unreadable'")
            .fetch_one(&s.portal.state.db.reader)
            .await
            .unwrap();
    assert_eq!(kept.0, "unreadable", "kept for an admin");

    // Three answers a day to one sender (as configured here), then silence.
    let mut answers = Vec::new();
    for n in 0..4 {
        let raw = corpus("18-new-issue.eml", &[])
            .iter()
            .copied()
            .collect::<Vec<u8>>();
        let raw = replace(
            &raw,
            b"<newissue18@example.org>",
            format!("<again{n}@example.org>").as_bytes(),
        );
        let raw = replace(&raw, b"nina@", b"nora@");
        let landed = ingest(&s.desk, &raw, chrono::Utc::now()).await.unwrap();
        answers.push(logged(landed).1);
    }
    assert_eq!(answers, [true, true, true, false]);

    // Logged where PORTAL_MAIL_CATEGORY says, while that category is offered.
    let desk = Desk {
        category: Some(("email".into(), "Calendar".into())),
        ..s.desk.clone()
    };
    let raw = replace(
        &corpus("25-no-subject.eml", &[]),
        b"<nosubject25@",
        b"<calendar25@",
    );
    let (calendar, _) = logged(ingest(&desk, &raw, chrono::Utc::now()).await.unwrap());
    let category: String = sqlx::query_scalar(
        "SELECT c.name FROM tickets t JOIN categories c ON c.id = t.category_id WHERE t.number = ?",
    )
    .bind(&calendar)
    .fetch_one(&s.portal.state.db.reader)
    .await
    .unwrap();
    assert_eq!(category, "Calendar");

    // Too large (over what a ticket's files may total, 1 MB here): refused,
    // politely, with nothing logged.
    {
        let mut conn = s.portal.state.db.writer.acquire().await.unwrap();
        let mut rules = attachments::rules(&mut conn).await.unwrap();
        rules.per_ticket = 1024 * 1024;
        attachments::save_rules(&mut conn, &rules).await.unwrap();
    }
    let before = number_of_last_ticket(&s.portal).await;
    let mut big = corpus("18-new-issue.eml", &[]);
    big = replace(&big, b"<newissue18@example.org>", b"<big@example.org>");
    big.extend(std::iter::repeat_n(b'A', 3 * 1024 * 1024));
    assert_eq!(
        ingest(&s.desk, &big, chrono::Utc::now()).await.unwrap(),
        Landed::Refused { answered: true }
    );
    mail_to(&s.sink, "nina@example.org", "Not logged: VPN drops").await;
    assert_eq!(number_of_last_ticket(&s.portal).await, before);
}

#[tokio::test]
async fn a_reply_to_a_closed_ticket_logs_a_new_one_and_a_followers_reply_reaches_the_desk() {
    let s = scene().await;
    desk(
        &s.portal,
        &s.agent,
        &s.number,
        &[
            ("action", "resolve"),
            ("code", "fixed"),
            ("body", "Restarted"),
        ],
    )
    .await;
    desk(&s.portal, &s.agent, &s.number, &[("action", "close")]).await;
    match s.land("30-reply-to-closed-ticket.eml", &[]).await {
        Landed::Logged { number, answered } => {
            assert_ne!(number, s.ticket());
            assert!(answered);
            let page = s.desk_page(&number.to_string()).await;
            assert!(page.contains("It is broken again since this morning."));
        }
        other => panic!("{other:?}"),
    }

    // A major incident, followed by Fay, who answers its update by mail.
    let mut form = s.form.clone();
    form.email = "mia@example.org".into();
    assert_eq!(s.portal.submit("incident", &form).await.status(), 303);
    let major = number_of_last_ticket(&s.portal).await;
    desk(
        &s.portal,
        &s.agent,
        &major,
        &[("action", "declare_major"), ("reason", "Everyone")],
    )
    .await;
    form.name = "Fay Follower".into();
    form.email = "fay@example.com".into();
    form.join = major.clone();
    assert_eq!(s.portal.submit("incident", &form).await.status(), 303);
    desk(
        &s.portal,
        &s.agent,
        &major,
        &[("action", "reply"), ("body", "Working on it.")],
    )
    .await;
    let update = mail_to(&s.sink, "fay@example.com", "Update on the major incident").await;
    let id = format!("<{}>", update.message_id());
    let raw = corpus(
        "31-follower-replies.eml",
        &[
            ("IN_REPLY_TO", &id),
            ("REFERENCES", &id),
            ("NUMBER", &major),
        ],
    );
    assert_eq!(
        ingest(&s.desk, &raw, chrono::Utc::now()).await.unwrap(),
        Landed::Follower(TicketNumber::parse(&major).unwrap())
    );
    let page = s.desk_page(&major).await;
    assert!(page.contains("Still down for our whole team in Leeds."));
    assert!(!page.contains("An update on the major incident."));
}
