//! The admin's configuration of assignment groups, business calendars and
//! incident models, through the real router: each change saved and recorded in
//! the audit log, followed by the desk and the SLA clock, and refused with every
//! problem at its input, what was typed kept and nothing changed.

use crate::helpers::{location, Session, TestPortal};
use chrono::{DateTime, Duration, Utc};

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

fn text_pairs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

async fn count(portal: &TestPortal, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap()
}

async fn audit(portal: &TestPortal, admin: &Session) -> String {
    portal.get_as(Some(admin), "/admin/audit").await.text()
}

#[tokio::test]
async fn an_admin_adds_a_group_changes_its_level_and_members_and_the_desk_follows() {
    let portal = TestPortal::start().await;
    let admin = portal.admin("admin@example.com").await;
    let agent = portal
        .agent(&admin, "Alan Agent", "agent@example.com")
        .await;
    let agent_id = count(
        &portal,
        "SELECT id FROM users WHERE email = 'agent@example.com'",
    )
    .await;
    let end_user = portal.end_user("Uma", "uma@example.com").await;
    let end_user_id = count(
        &portal,
        "SELECT id FROM users WHERE email = 'uma@example.com'",
    )
    .await;
    let _ = end_user;

    let page = portal.get_as(Some(&admin), "/admin/groups").await;
    assert_eq!(page.status(), 200);
    assert!(page.text().contains("Service desk (1st level)"));

    let agent_id = agent_id.to_string();
    let added = portal
        .post_as(
            Some(&admin),
            "/admin/groups",
            &[
                ("name", "Network team"),
                ("level", "2"),
                ("member", &agent_id),
            ],
        )
        .await;
    assert_eq!(added.status(), 303, "{}", added.text());
    let id = count(
        &portal,
        "SELECT id FROM assignment_groups WHERE name = 'Network team'",
    )
    .await;
    assert_eq!(
        location(&added),
        format!("/admin/groups?done=added#group-{id}")
    );
    assert_eq!(
        count(
            &portal,
            &format!("SELECT count(*) FROM group_members WHERE group_id = {id}")
        )
        .await,
        1
    );
    // Agents can now hand tickets to it.
    let form = portal.with_email_service().await;
    let logged = portal.submit("incident", &form).await;
    assert_eq!(logged.status(), 303);
    let desk = portal
        .get_as(Some(&agent), "/agent/tickets/INC0001001")
        .await
        .text();
    assert!(desk.contains("Network team"), "offered on the desk");
    // The accounts page shows the membership too.
    let accounts = portal.get_as(Some(&admin), "/admin/users").await.text();
    assert!(
        accounts.contains(&format!(r#"value="{id}" checked"#)),
        "{accounts}"
    );

    // Renamed, moved to 3rd level, and its member removed.
    let changed = portal
        .post_as(
            Some(&admin),
            &format!("/admin/groups/{id}"),
            &[("name", "Networks"), ("level", "3")],
        )
        .await;
    assert_eq!(changed.status(), 303, "{}", changed.text());
    let (name, level): (String, i64) =
        sqlx::query_as("SELECT name, level FROM assignment_groups WHERE id = ?")
            .bind(id)
            .fetch_one(&portal.state.db.reader)
            .await
            .unwrap();
    assert_eq!((name.as_str(), level), ("Networks", 3));
    assert_eq!(
        count(
            &portal,
            &format!("SELECT count(*) FROM group_members WHERE group_id = {id}")
        )
        .await,
        0
    );
    let log = audit(&portal, &admin).await;
    assert!(log.contains("group added"), "{log}");
    assert!(
        log.contains("Network team (level 2); joined: Alan Agent"),
        "{log}"
    );
    assert!(
        log.contains("name: Network team → Networks; level: 2 → 3; left: Alan Agent"),
        "{log}"
    );

    // Refused, with the message at its input and what was typed kept.
    let groups_before = count(&portal, "SELECT count(*) FROM assignment_groups").await;
    let end_user_id = end_user_id.to_string();
    for (path, fields, input, message) in [
        (
            "/admin/groups".to_string(),
            vec![("name", "networks"), ("level", "2")],
            "new-name",
            "A group called “networks” exists already.",
        ),
        (
            "/admin/groups".to_string(),
            vec![
                ("name", "Suppliers & partners"),
                ("level", "2"),
                ("member", end_user_id.as_str()),
            ],
            "new-members",
            "Only agents and admins can be members",
        ),
        (
            "/admin/groups".to_string(),
            vec![("name", ""), ("level", "9")],
            "new-level",
            "level of support: 1st, 2nd or 3rd",
        ),
        (
            "/admin/groups/1".to_string(),
            vec![("name", "Service desk (1st level)"), ("level", "2")],
            "1-level",
            "keep this one at 1st level",
        ),
    ] {
        let response = portal.post_as(Some(&admin), &path, &fields).await;
        assert_eq!(response.status(), 422, "{path} {fields:?}");
        let page = response.text();
        assert!(page.contains(message), "{message}: {page}");
        assert!(
            page.contains(&format!(r##"href="#{input}""##)),
            "{input} linked from the summary"
        );
        let name = fields[0].1.replace('&', "&amp;");
        assert!(page.contains(&format!(r#"value="{name}""#)), "{name} kept");
    }
    assert_eq!(
        count(&portal, "SELECT count(*) FROM assignment_groups").await,
        groups_before
    );
    assert_eq!(
        count(&portal, "SELECT level FROM assignment_groups WHERE id = 1").await,
        1
    );
    // An unknown group is "not found", whether or not the form is right.
    for fields in [
        [("name", "Ghosts"), ("level", "2")],
        [("name", ""), ("level", "9")],
    ] {
        let missing = portal
            .post_as(Some(&admin), "/admin/groups/999", &fields)
            .await;
        assert_eq!(missing.status(), 404);
    }
}

/// The office-hours calendar's form as the page fills it in, with `changes`.
async fn office_hours_form(
    portal: &TestPortal,
    changes: &[(String, String)],
) -> Vec<(String, String)> {
    let mut conn = portal.state.db.reader.acquire().await.unwrap();
    let overview = app::server::settings::calendars::overview(&mut conn)
        .await
        .unwrap();
    let office = overview
        .calendars
        .iter()
        .find(|c| c.name == "Office hours")
        .expect("the office-hours calendar");
    let mut fields = office.fields();
    for (name, value) in changes {
        fields.retain(|(n, _)| n != name);
        fields.push((name.clone(), value.clone()));
    }
    fields
}

/// Logs the portal's standard incident (low impact, medium urgency: P4, whose
/// response target is 480 minutes) and answers when it was logged and is due.
async fn log_p4(portal: &TestPortal) -> (DateTime<Utc>, DateTime<Utc>) {
    let form = portal.incident_form("email").await;
    let logged = portal.submit("incident", &form).await;
    assert_eq!(logged.status(), 303, "{}", logged.text());
    sqlx::query_as("SELECT created_at, response_due_at FROM tickets ORDER BY id DESC LIMIT 1")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_business_calendar_decides_when_new_tickets_fall_due() {
    let portal = TestPortal::start().await;
    let admin = portal.admin("admin@example.com").await;
    portal.with_email_service().await;
    let page = portal.get_as(Some(&admin), "/admin/calendars").await;
    assert_eq!(page.status(), 200);
    assert!(page
        .text()
        .contains("Targets of P2, P3, P4, P5 count in it."));

    // Office hours become every hour of every day in UTC, with the next seven
    // days off: a P4 ticket logged now is first worked on the eighth day.
    let today = Utc::now().date_naive();
    let holidays = (0..7)
        .map(|d| format!("{} Closed for the move", today + Duration::days(d)))
        .collect::<Vec<_>>()
        .join("\n");
    let mut changes = text_pairs(&[("time_zone", "UTC"), ("holidays", &holidays)]);
    for (day, _) in app::domain::WEEKDAYS {
        changes.push((format!("{day}_opens"), "0:00".into()));
        changes.push((format!("{day}_closes"), "24:00".into()));
    }
    let fields = office_hours_form(&portal, &changes).await;
    let saved = portal
        .post_as(Some(&admin), "/admin/calendars/2", &pairs(&fields))
        .await;
    assert_eq!(saved.status(), 303, "{}", saved.text());
    assert_eq!(location(&saved), "/admin/calendars?done=saved#calendar-2");
    let (_, due) = log_p4(&portal).await;
    let reopens = (today + Duration::days(7))
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    assert_eq!(due, reopens + Duration::minutes(480));
    // A holiday renamed is logged as renamed, not as removed and added.
    let renamed = format!("{today} Moving day");
    let mut holidays: Vec<&str> = vec![&renamed];
    let rest = (1..7)
        .map(|d| format!("{} Closed for the move", today + Duration::days(d)))
        .collect::<Vec<_>>();
    holidays.extend(rest.iter().map(String::as_str));
    let mut again = fields.clone();
    again.retain(|(n, _)| n != "holidays");
    again.push(("holidays".into(), holidays.join("\n")));
    let saved = portal
        .post_as(Some(&admin), "/admin/calendars/2", &pairs(&again))
        .await;
    assert_eq!(saved.status(), 303, "{}", saved.text());

    // P4 now counts around the clock: due exactly 480 minutes after logging.
    let choices = [
        ("p1_calendar", "1"),
        ("p2_calendar", "2"),
        ("p3_calendar", "2"),
        ("p4_calendar", "1"),
        ("p5_calendar", "2"),
    ];
    let saved = portal
        .post_as(Some(&admin), "/admin/calendars/priorities", &choices)
        .await;
    assert_eq!(saved.status(), 303, "{}", saved.text());
    let (created, due) = log_p4(&portal).await;
    assert_eq!(due, created + Duration::minutes(480));

    // A new calendar, then chosen for P5.
    let mut new_calendar = text_pairs(&[
        ("name", "Tokyo support"),
        ("time_zone", "Asia/Tokyo"),
        ("holidays", "2027-01-01 New Year"),
    ]);
    for day in ["mon", "tue", "wed", "thu", "fri"] {
        new_calendar.push((format!("{day}_opens"), "09:00".into()));
        new_calendar.push((format!("{day}_closes"), "17:30".into()));
    }
    let added = portal
        .post_as(Some(&admin), "/admin/calendars", &pairs(&new_calendar))
        .await;
    assert_eq!(added.status(), 303, "{}", added.text());
    let tokyo = count(
        &portal,
        "SELECT id FROM calendars WHERE name = 'Tokyo support'",
    )
    .await;
    assert_eq!(
        count(
            &portal,
            &format!("SELECT count(*) FROM calendar_hours WHERE calendar_id = {tokyo}")
        )
        .await,
        5
    );
    let tokyo_id = tokyo.to_string();
    let mut choices = choices.to_vec();
    choices[4] = ("p5_calendar", tokyo_id.as_str());
    let saved = portal
        .post_as(Some(&admin), "/admin/calendars/priorities", &choices)
        .await;
    assert_eq!(saved.status(), 303);
    let page = portal.get_as(Some(&admin), "/admin/calendars").await.text();
    assert!(
        page.contains("Asia/Tokyo · Targets of P5 count in it."),
        "{page}"
    );
    let log = audit(&portal, &admin).await;
    assert!(log.contains("calendar changed"), "{log}");
    assert!(log.contains("time zone: Europe/London → UTC"), "{log}");
    assert!(
        log.contains(&format!(
            "holidays renamed: {today} Closed for the move → Moving day"
        )) && !log.contains("holidays removed"),
        "{log}"
    );
    assert!(log.contains("hours: Sat closed → Sat 00:00–24:00"), "{log}");
    assert!(log.contains("P4: Office hours → Around the clock"), "{log}");
    assert!(log.contains("P5: Office hours → Tokyo support"), "{log}");

    // Refused: every problem at its input, what was typed kept, nothing saved.
    let hours_before = count(&portal, "SELECT count(*) FROM calendar_hours").await;
    let bad = office_hours_form(
        &portal,
        &text_pairs(&[
            ("time_zone", "Mars/Olympus"),
            ("wed_opens", "18:00"),
            ("wed_closes", "09:00"),
            ("holidays", "25/12/2026 Christmas"),
        ]),
    )
    .await;
    let refused = portal
        .post_as(Some(&admin), "/admin/calendars/2", &pairs(&bad))
        .await;
    assert_eq!(refused.status(), 422);
    let page = refused.text();
    for (input, message) in [
        ("2-time_zone", "Give a time zone by its IANA name"),
        ("2-wed_closes", "Wednesday must close after it opens."),
        (
            "2-holidays",
            "start each line with a date such as 2026-12-25",
        ),
    ] {
        assert!(page.contains(message), "{message}");
        assert!(page.contains(&format!(r##"href="#{input}""##)), "{input}");
    }
    assert!(page.contains(r#"value="Mars/Olympus""#));
    assert_eq!(
        count(&portal, "SELECT count(*) FROM calendar_hours").await,
        hours_before
    );
    assert_eq!(
        count(
            &portal,
            "SELECT count(*) FROM calendars WHERE time_zone = 'Mars/Olympus'"
        )
        .await,
        0
    );
    let unknown = portal
        .post_as(
            Some(&admin),
            "/admin/calendars/priorities",
            &[
                ("p1_calendar", "1"),
                ("p2_calendar", "99"),
                ("p3_calendar", "2"),
                ("p4_calendar", "2"),
                ("p5_calendar", "2"),
            ],
        )
        .await;
    assert_eq!(unknown.status(), 422);
    assert!(unknown
        .text()
        .contains("Choose one of the calendars for P2."));
    assert_eq!(
        count(
            &portal,
            "SELECT calendar_id FROM priorities WHERE priority = 2"
        )
        .await,
        2
    );
}

/// The number and version of the newest ticket.
async fn newest_ticket(portal: &TestPortal) -> (String, i64) {
    sqlx::query_as("SELECT number, version FROM tickets ORDER BY id DESC LIMIT 1")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap()
}

async fn apply_model(portal: &TestPortal, agent: &Session, model: i64) -> crate::helpers::Response {
    let (number, _) = newest_ticket(portal).await;
    portal.apply_model(agent, &number, model).await
}

async fn checklist(portal: &TestPortal) -> Vec<String> {
    let (number, _) = newest_ticket(portal).await;
    sqlx::query_scalar(
        "SELECT k.text FROM ticket_checklist k JOIN tickets t ON t.id = k.ticket_id
         WHERE t.number = ? ORDER BY k.position",
    )
    .bind(number)
    .fetch_all(&portal.state.db.reader)
    .await
    .unwrap()
}

#[tokio::test]
async fn incident_models_are_added_changed_and_withdrawn_and_agents_apply_them() {
    let portal = TestPortal::start().await;
    let admin = portal.admin("admin@example.com").await;
    let agent = portal
        .agent(&admin, "Alan Agent", "agent@example.com")
        .await;
    let form = portal.with_email_service().await;
    assert_eq!(portal.submit("incident", &form).await.status(), 303);
    let calendar_category = portal.category_ids("email").await[1].to_string();

    let added = portal
        .post_as(
            Some(&admin),
            "/admin/models",
            &[
                ("name", "Calendar sync broken"),
                ("category", calendar_category.as_str()),
                ("impact", "medium"),
                ("urgency", "high"),
                ("active", "on"),
                ("steps", "Check the sync status\n\nRe-add the account\n"),
            ],
        )
        .await;
    assert_eq!(added.status(), 303, "{}", added.text());
    let id = count(
        &portal,
        "SELECT id FROM incident_models WHERE name = 'Calendar sync broken'",
    )
    .await;
    assert_eq!(
        location(&added),
        format!("/admin/models?done=added#model-{id}")
    );
    let page = portal.get_as(Some(&admin), "/admin/models").await.text();
    assert!(page.contains("Offered to agents · 2 steps"), "{page}");

    let desk = portal
        .get_as(Some(&agent), "/agent/tickets/INC0001001")
        .await
        .text();
    assert!(desk.contains("Calendar sync broken"), "offered on the desk");
    let applied = apply_model(&portal, &agent, id).await;
    assert_eq!(applied.status(), 303, "{}", applied.text());
    assert_eq!(
        checklist(&portal).await,
        ["Check the sync status", "Re-add the account"]
    );
    assert_eq!(
        count(
            &portal,
            "SELECT priority FROM tickets WHERE number = 'INC0001001'"
        )
        .await,
        2
    );

    // Changed: new steps for tickets from now on; the applied checklist stays.
    let changed = portal
        .post_as(
            Some(&admin),
            &format!("/admin/models/{id}"),
            &[
                ("name", "Calendar sync broken"),
                ("category", calendar_category.as_str()),
                ("impact", "low"),
                ("urgency", "high"),
                ("active", "on"),
                (
                    "steps",
                    "Ask for the device\nCheck the sync status\nRe-add the account",
                ),
            ],
        )
        .await;
    assert_eq!(changed.status(), 303, "{}", changed.text());
    assert_eq!(
        checklist(&portal).await,
        ["Check the sync status", "Re-add the account"]
    );
    assert_eq!(portal.submit("incident", &form).await.status(), 303);
    assert_eq!(apply_model(&portal, &agent, id).await.status(), 303);
    assert_eq!(
        checklist(&portal).await,
        [
            "Ask for the device",
            "Check the sync status",
            "Re-add the account"
        ]
    );

    // Withdrawn: no longer offered, and a crafted post is refused.
    let withdrawn = portal
        .post_as(
            Some(&admin),
            &format!("/admin/models/{id}"),
            &[
                ("name", "Calendar sync broken"),
                ("category", calendar_category.as_str()),
                ("impact", "low"),
                ("urgency", "high"),
                ("steps", "Ask for the device"),
            ],
        )
        .await;
    assert_eq!(withdrawn.status(), 303);
    assert_eq!(portal.submit("incident", &form).await.status(), 303);
    let (number, _) = newest_ticket(&portal).await;
    let desk = portal
        .get_as(Some(&agent), &format!("/agent/tickets/{number}"))
        .await
        .text();
    assert!(
        !desk.contains("Calendar sync broken"),
        "withdrawn models are not offered"
    );
    assert_eq!(apply_model(&portal, &agent, id).await.status(), 422);
    let page = portal.get_as(Some(&admin), "/admin/models").await.text();
    assert!(
        page.contains("Withdrawn: not offered to agents · 1 step"),
        "{page}"
    );
    let log = audit(&portal, &admin).await;
    assert!(log.contains("model added"), "{log}");
    assert!(log.contains("impact: medium → low; steps: 2 → 3"), "{log}");
    assert!(log.contains("agents: offered → withdrawn"), "{log}");

    // Refused: each problem at its input, what was typed kept, nothing written.
    let models_before = count(&portal, "SELECT count(*) FROM incident_models").await;
    for (fields, expected) in [
        (
            [
                ("name", "calendar SYNC broken"),
                ("impact", "medium"),
                ("urgency", "medium"),
            ],
            vec![
                "A model called “calendar SYNC broken” exists already.",
                "One &lt;script&gt;alert(1)&lt;/script&gt;",
            ],
        ),
        (
            [("name", "Printer"), ("impact", "x"), ("urgency", "")],
            vec![r##"href="#new-impact""##, r##"href="#new-urgency""##],
        ),
        (
            [("name", "Printer"), ("impact", "low"), ("urgency", "low")],
            vec!["Choose one of the categories in the list."],
        ),
    ] {
        let mut fields = fields.to_vec();
        fields.extend([
            ("category", "999"),
            ("steps", "One <script>alert(1)</script>"),
        ]);
        let refused = portal.post_as(Some(&admin), "/admin/models", &fields).await;
        assert_eq!(refused.status(), 422);
        let page = refused.text();
        for text in expected {
            assert!(page.contains(text), "{text}: {page}");
        }
    }
    assert_eq!(
        count(&portal, "SELECT count(*) FROM incident_models").await,
        models_before
    );
}
