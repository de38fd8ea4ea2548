//! Logging tickets and looking up their status, through the form posts a browser
//! without JavaScript makes.

use crate::helpers::{form_fields, html_escaped, location, TestPortal};
use app::domain::{Field, TicketForm};

#[tokio::test]
async fn a_logged_incident_redirects_to_its_confirmation_with_number_and_private_link() {
    let portal = TestPortal::start().await;
    let form = portal.with_email_service().await;
    let response = portal.submit("incident", &form).await;
    assert_eq!(response.status(), 303);
    let confirmation = location(&response);
    assert!(confirmation.starts_with("/status/") && confirmation.ends_with("?new=1"));

    let (status, html) = portal.get_html(&confirmation).await;
    assert_eq!(status, 200);
    assert!(html.contains("INC0001001"));
    assert!(html.contains("P4 – Low"));
    // P4 counts office hours: the promise says so, in the hours the dates count.
    assert!(html.contains(
        "We aim to respond within 8 working hours and resolve within 72 working hours \
         (Mon–Fri 08:00–18:00 London time)."
    ));
    let link = confirmation.trim_end_matches("?new=1");
    assert!(
        html.contains(&format!("http://{}{link}", TestPortal::HOST)),
        "private link shown"
    );
    assert!(html.contains("Outlook will not send mail"));
}

#[tokio::test]
async fn the_ticket_and_its_first_history_entry_are_written_together() {
    let portal = TestPortal::start().await;
    let form = portal.with_email_service().await;
    portal.submit("incident", &form).await;
    let (tickets, events): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM tickets), (SELECT COUNT(*) FROM ticket_events)",
    )
    .fetch_one(&portal.state.db.reader)
    .await
    .unwrap();
    assert_eq!((tickets, events), (1, 1));
    let hash: Vec<u8> = sqlx::query_scalar("SELECT status_token_hash FROM tickets")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    assert_eq!(hash.len(), 32, "only the token's SHA-256 is stored");

    // When the history entry cannot be written, neither is the ticket, nor is its
    // number used up: both are one transaction.
    sqlx::query(
        "CREATE TRIGGER refuse_history BEFORE INSERT ON ticket_events
         BEGIN SELECT RAISE(ABORT, 'history refused'); END",
    )
    .execute(&portal.state.db.writer)
    .await
    .unwrap();
    let refused = portal.submit("incident", &form).await;
    assert_eq!(refused.status(), 503, "{}", refused.text());
    assert!(refused.text().contains("Nothing was logged"));
    let counts: (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM tickets), (SELECT COUNT(*) FROM ticket_events)",
    )
    .fetch_one(&portal.state.db.reader)
    .await
    .unwrap();
    assert_eq!(
        counts,
        (1, 1),
        "the ticket was not written without its entry"
    );
    sqlx::query("DROP TRIGGER refuse_history")
        .execute(&portal.state.db.writer)
        .await
        .unwrap();
    assert_eq!(portal.submit("incident", &form).await.status(), 303);
    let numbers: Vec<String> = sqlx::query_scalar("SELECT number FROM tickets ORDER BY id")
        .fetch_all(&portal.state.db.reader)
        .await
        .unwrap();
    assert_eq!(numbers, ["INC0001001", "INC0001002"], "no number was lost");
}

#[tokio::test]
async fn history_entries_can_be_neither_changed_nor_removed() {
    let portal = TestPortal::start().await;
    let form = portal.with_email_service().await;
    portal.submit("incident", &form).await;
    let update = sqlx::query("UPDATE ticket_events SET body = 'rewritten'")
        .execute(&portal.state.db.writer)
        .await;
    let refused = |result: Result<_, sqlx::Error>| result.expect_err("refused").to_string();
    assert!(
        refused(update).contains("ticket history is append-only"),
        "the trigger refuses the change"
    );
    let delete = sqlx::query("DELETE FROM ticket_events")
        .execute(&portal.state.db.writer)
        .await;
    assert!(refused(delete).contains("ticket history is append-only"));
}

#[tokio::test]
async fn priority_comes_from_the_matrix_for_all_nine_cells() {
    let portal = TestPortal::start().await;
    let form = portal.with_email_service().await;
    // P1 runs around the clock; the others count office hours, and say so.
    let office = " (Mon–Fri 08:00–18:00 London time)";
    let expected = [
        ("high", "high", "P1 – Critical", "15 minutes", "4 hours", ""),
        (
            "high",
            "medium",
            "P2 – High",
            "30 working minutes",
            "8 working hours",
            office,
        ),
        (
            "high",
            "low",
            "P3 – Moderate",
            "2 working hours",
            "24 working hours",
            office,
        ),
        (
            "medium",
            "high",
            "P2 – High",
            "30 working minutes",
            "8 working hours",
            office,
        ),
        (
            "medium",
            "medium",
            "P3 – Moderate",
            "2 working hours",
            "24 working hours",
            office,
        ),
        (
            "medium",
            "low",
            "P4 – Low",
            "8 working hours",
            "72 working hours",
            office,
        ),
        (
            "low",
            "high",
            "P3 – Moderate",
            "2 working hours",
            "24 working hours",
            office,
        ),
        (
            "low",
            "medium",
            "P4 – Low",
            "8 working hours",
            "72 working hours",
            office,
        ),
        (
            "low",
            "low",
            "P5 – Planning",
            "24 working hours",
            "120 working hours",
            office,
        ),
    ];
    for (impact, urgency, priority, respond, resolve, hours) in expected {
        let form = TicketForm {
            impact: impact.into(),
            urgency: urgency.into(),
            ..form.clone()
        };
        let response = portal.submit("incident", &form).await;
        assert_eq!(response.status(), 303);
        let (_, html) = portal.get_html(&location(&response)).await;
        assert!(
            html.contains(priority),
            "{impact}×{urgency} should be {priority}"
        );
        let sentence =
            format!("We aim to respond within {respond} and resolve within {resolve}{hours}.");
        assert!(html.contains(&sentence), "{impact}×{urgency}: {sentence}");
    }
}

#[tokio::test]
async fn the_matrix_is_read_from_the_database() {
    let portal = TestPortal::start().await;
    let form = portal.with_email_service().await;
    sqlx::query("UPDATE priority_matrix SET priority = 1 WHERE impact = 'low' AND urgency = 'low'")
        .execute(&portal.state.db.writer)
        .await
        .unwrap();
    let form = TicketForm {
        impact: "low".into(),
        urgency: "low".into(),
        ..form
    };
    let response = portal.submit("incident", &form).await;
    let (_, html) = portal.get_html(&location(&response)).await;
    assert!(html.contains("P1 – Critical"));
}

#[tokio::test]
async fn service_requests_get_their_own_numbers_and_no_triage() {
    let portal = TestPortal::start().await;
    let form = portal.with_email_service().await;
    let request = TicketForm {
        impact: String::new(),
        urgency: String::new(),
        ..form.clone()
    };
    let response = portal.submit("request", &request).await;
    assert_eq!(response.status(), 303);
    let (_, html) = portal.get_html(&location(&response)).await;
    assert!(html.contains("REQ0001001"));
    assert!(html.contains("Service request"));
    assert!(html.contains("Submitted"));

    let response = portal.submit("incident", &form).await;
    let (_, html) = portal.get_html(&location(&response)).await;
    assert!(html.contains("INC0001001"));
}

/// Each broken field gets its own message beside it, and every value typed comes back.
#[tokio::test]
async fn every_validation_error_is_shown_beside_its_field_with_the_input_kept() {
    let portal = TestPortal::start().await;
    let valid = portal.with_email_service().await;
    let cases: Vec<(Field, TicketForm, &str)> = vec![
        (
            Field::Name,
            TicketForm {
                name: " ".into(),
                ..valid.clone()
            },
            "Enter your name.",
        ),
        (
            Field::Name,
            TicketForm {
                name: "x".repeat(101),
                ..valid.clone()
            },
            "100 characters or fewer",
        ),
        (
            Field::Email,
            TicketForm {
                email: String::new(),
                ..valid.clone()
            },
            "Enter your e-mail address.",
        ),
        (
            Field::Email,
            TicketForm {
                email: "ada@".into(),
                ..valid.clone()
            },
            "name@example.com",
        ),
        (
            Field::Phone,
            TicketForm {
                phone: "call me maybe".into(),
                ..valid.clone()
            },
            "Enter a phone number",
        ),
        (
            Field::Phone,
            TicketForm {
                phone: "1".repeat(41),
                ..valid.clone()
            },
            "40 characters or fewer",
        ),
        (
            Field::Service,
            TicketForm {
                service: String::new(),
                ..valid.clone()
            },
            "Choose the service",
        ),
        (
            Field::Service,
            TicketForm {
                service: "nope".into(),
                ..valid.clone()
            },
            "Choose one of the services",
        ),
        (
            Field::Category,
            TicketForm {
                category: String::new(),
                ..valid.clone()
            },
            "Choose a category.",
        ),
        (
            Field::Category,
            TicketForm {
                category: "999".into(),
                ..valid.clone()
            },
            "belongs to the service",
        ),
        (
            Field::Summary,
            TicketForm {
                summary: String::new(),
                ..valid.clone()
            },
            "Describe the issue in a few words.",
        ),
        (
            Field::Summary,
            TicketForm {
                summary: "Hi".into(),
                ..valid.clone()
            },
            "too short",
        ),
        (
            Field::Summary,
            TicketForm {
                summary: "s".repeat(151),
                ..valid.clone()
            },
            "at most 150",
        ),
        (
            Field::Description,
            TicketForm {
                description: String::new(),
                ..valid.clone()
            },
            "Tell us what happened",
        ),
        (
            Field::Description,
            TicketForm {
                description: "short".into(),
                ..valid.clone()
            },
            "too short",
        ),
        (
            Field::Description,
            TicketForm {
                description: "d".repeat(10_001),
                ..valid.clone()
            },
            "at most 10000",
        ),
        (
            Field::Impact,
            TicketForm {
                impact: String::new(),
                ..valid.clone()
            },
            "Choose who is affected.",
        ),
        (
            Field::Impact,
            TicketForm {
                impact: "enormous".into(),
                ..valid.clone()
            },
            "Choose who is affected.",
        ),
        (
            Field::Urgency,
            TicketForm {
                urgency: String::new(),
                ..valid.clone()
            },
            "Choose how this affects your work.",
        ),
    ];
    for (field, form, message) in cases {
        let response = portal.submit("incident", &form).await;
        assert_eq!(response.status(), 422, "{field:?} / {message}");
        let html = response.text();
        let error_paragraph = format!("id=\"{}-error\"", field.name());
        let at = html
            .find(&error_paragraph)
            .unwrap_or_else(|| panic!("no message for {field:?}"));
        let paragraph = &html[at..html[at..]
            .find("</p>")
            .map(|e| at + e)
            .unwrap_or(html.len())];
        assert!(
            paragraph.contains(&html_escaped(message)),
            "{field:?}: {paragraph}"
        );
        assert!(
            html.contains("There is a problem"),
            "error summary for {field:?}"
        );
        // Everything typed is still there.
        for typed in [&form.name, &form.email, &form.summary, &form.phone] {
            if !typed.trim().is_empty() && typed.len() < 200 {
                assert!(
                    html.contains(&html_escaped(typed)),
                    "{field:?}: lost {typed}"
                );
            }
        }
        if form.description.len() > 5 && form.description.len() < 1000 {
            assert!(html.contains(&html_escaped(&form.description)));
        }
    }
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    assert_eq!(count, 0, "no invalid ticket was stored");
}

#[tokio::test]
async fn a_category_of_another_service_is_refused() {
    let portal = TestPortal::start().await;
    let form = portal.with_email_service().await;
    portal.add_service("vpn", "VPN", &["Connecting"]).await;
    let vpn_category = portal.category_ids("vpn").await[0];
    let response = portal
        .submit(
            "incident",
            &TicketForm {
                category: vpn_category.to_string(),
                ..form.clone()
            },
        )
        .await;
    assert_eq!(response.status(), 422);
    assert!(response
        .text()
        .contains("belongs to the service you picked"));

    // With other problems too, it is reported at the first submit, and the
    // summary lists the problems in the order of the form.
    let response = portal
        .submit(
            "incident",
            &TicketForm {
                category: vpn_category.to_string(),
                name: String::new(),
                summary: String::new(),
                impact: String::new(),
                ..form
            },
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text();
    let summary = &html[html.find("error-summary").expect("an error summary")..];
    let at = |text: &str| {
        summary
            .find(text)
            .unwrap_or_else(|| panic!("{text} not listed"))
    };
    let listed = [
        at("Choose who is affected."),
        at("belongs to the service you picked"),
        at("Describe the issue in a few words."),
        at("Enter your name."),
    ];
    assert!(listed.windows(2).all(|w| w[0] < w[1]), "{listed:?}");
    assert!(html.contains("There are 4 problems"));
}

#[tokio::test]
async fn markup_typed_into_the_form_comes_back_as_text() {
    let portal = TestPortal::start().await;
    let form = portal.with_email_service().await;
    let payload = "\"><script>alert(1)</script>";
    let bad = TicketForm {
        name: payload.into(),
        summary: payload.into(),
        email: "not-an-email".into(),
        ..form.clone()
    };
    let html = portal.submit("incident", &bad).await.text();
    assert!(!html.contains("<script>alert(1)"));

    let good = TicketForm {
        summary: format!("Broken {payload}"),
        ..form
    };
    let response = portal.submit("incident", &good).await;
    let (_, html) = portal.get_html(&location(&response)).await;
    assert!(!html.contains("<script>alert(1)"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[tokio::test]
async fn two_hundred_concurrent_submissions_get_two_hundred_distinct_numbers() {
    let portal = TestPortal::start().await;
    let form = portal.with_email_service().await;
    let fields = form_fields(&form);
    // Each submission runs on its own task, so they really are concurrent.
    let portal = std::sync::Arc::new(portal);
    // Two hundred people, each from their own address.
    let submissions = (0..200).map(|n| {
        let portal = portal.clone();
        let fields = fields.clone();
        tokio::spawn(async move {
            let peer = format!("10.0.1.{n}");
            let response = portal
                .post_as_from(&peer, None, "/report/incident", &fields)
                .await;
            assert_eq!(response.status(), 303);
            location(&response)
        })
    });
    let links: Vec<String> = futures::future::join_all(submissions)
        .await
        .into_iter()
        .map(|r| r.expect("submission task"))
        .collect();
    let distinct: std::collections::HashSet<_> = links.iter().collect();
    assert_eq!(distinct.len(), 200, "every ticket has its own private link");

    let mut numbers: Vec<String> = sqlx::query_scalar("SELECT number FROM tickets")
        .fetch_all(&portal.state.db.reader)
        .await
        .unwrap();
    numbers.sort();
    let expected: Vec<String> = (1001..=1200).map(|n| format!("INC{n:07}")).collect();
    assert_eq!(numbers, expected);
}

async fn lookup(portal: &TestPortal, number: &str, email: &str) -> (u16, String) {
    let response = portal
        .post_form("/status", &[("number", number), ("email", email)])
        .await;
    (response.status(), response.text())
}

#[tokio::test]
async fn status_by_number_and_email_needs_both_to_match() {
    let portal = TestPortal::start().await;
    let form = portal.with_email_service().await;
    portal.submit("incident", &form).await;

    let (status, html) = lookup(&portal, "inc0001001", "ADA@example.com").await;
    assert_eq!(status, 200);
    assert!(html.contains("Outlook will not send mail"));
    assert!(html.contains("data-test=\"ticket-state\">New<"));

    let (wrong_status, wrong_email) = lookup(&portal, "INC0001001", "eve@example.com").await;
    let (unknown_status, unknown_number) = lookup(&portal, "INC0009999", "eve@example.com").await;
    assert_eq!(wrong_status, 404);
    assert_eq!(unknown_status, 404);
    assert!(!wrong_email.contains("Outlook will not send mail"));
    // The only difference is the number echoed back into the form.
    let main = |html: &str, number: &str| {
        let start = html.find("<main").unwrap();
        let end = html.find("</main>").unwrap();
        html[start..end].replace(&format!("value=\"{number}\""), "value=\"X\"")
    };
    assert_eq!(
        main(&wrong_email, "INC0001001"),
        main(&unknown_number, "INC0009999")
    );

    let (status, html) = lookup(&portal, "", "").await;
    assert_eq!(status, 422);
    assert!(html.contains("Enter a ticket number like INC0001001"));
    let (status, _) = lookup(&portal, "INC0001001", "").await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn guessing_numbers_and_addresses_is_slowed_down() {
    let portal = TestPortal::start().await;
    let form = portal.with_email_service().await;
    portal.submit("incident", &form).await;
    for n in 0..30 {
        let (status, _) = lookup(
            &portal,
            &format!("INC{:07}", 2000 + n),
            &format!("eve{n}@example.com"),
        )
        .await;
        assert_eq!(status, 404, "guess {n}");
    }
    let (status, html) = lookup(&portal, "INC0001001", "ada@example.com").await;
    assert_eq!(
        status, 429,
        "even a right guess waits once the bucket is empty"
    );
    assert!(html.contains("wait a minute"));
    assert!(!html.contains("Outlook will not send mail"));
}

#[tokio::test]
async fn the_private_link_shows_the_ticket_and_a_wrong_one_shows_nothing() {
    let portal = TestPortal::start().await;
    let form = portal.with_email_service().await;
    let response = portal.submit("incident", &form).await;
    let link = location(&response).replace("?new=1", "");

    let (status, html) = portal.get_html(&link).await;
    assert_eq!(status, 200);
    assert!(html.contains("INC0001001"));
    assert!(
        !html.contains("Thank you"),
        "the confirmation shows only right after logging"
    );
    assert!(html.contains("<meta name=\"referrer\" content=\"no-referrer\""));

    let token = link.trim_start_matches("/status/");
    let mut tampered = token.to_string();
    tampered.replace_range(0..1, if token.starts_with('A') { "B" } else { "A" });
    for wrong in [tampered.as_str(), "short", "%3Cscript%3E", &"A".repeat(43)] {
        let (status, html) = portal.get_html(&format!("/status/{wrong}")).await;
        assert_eq!(status, 404, "{wrong}");
        assert!(!html.contains("INC0001001"));
    }
}

#[tokio::test]
async fn the_public_timeline_shows_the_logging_entry() {
    let portal = TestPortal::start().await;
    let form = portal.with_email_service().await;
    let response = portal.submit("incident", &form).await;
    let (_, html) = portal.get_html(&location(&response)).await;
    assert!(
        html.contains("Incident logged through the self-service portal with priority P4 – Low.")
    );
    assert!(html.contains("Ada Lovelace"));
}

#[tokio::test]
async fn a_failed_save_keeps_everything_typed_and_says_nothing_was_logged() {
    let portal = TestPortal::start().await;
    let form = portal.with_email_service().await;
    // Make every insert fail, as a full disk would.
    sqlx::query(
        "CREATE TRIGGER simulated_failure BEFORE INSERT ON tickets
         BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    )
    .execute(&portal.state.db.writer)
    .await
    .unwrap();
    let response = portal.submit("incident", &form).await;
    assert_eq!(response.status(), 503);
    let html = response.text();
    assert!(html.contains("Nothing was logged"));
    assert!(!html.contains("disk full"), "no internals in the answer");
    assert!(html.contains(&html_escaped(&form.summary)));
    assert!(html.contains(&html_escaped(&form.description)));
    assert!(html.contains(&html_escaped(&form.email)));
    // The failed transaction took no number with it.
    sqlx::query("DROP TRIGGER simulated_failure")
        .execute(&portal.state.db.writer)
        .await
        .unwrap();
    let response = portal.submit("incident", &form).await;
    let (_, html) = portal.get_html(&location(&response)).await;
    assert!(html.contains("INC0001001"));
}
