//! Working tickets through the real router: the desk's actions and the reporter's,
//! one history entry per change, no lost update between two agents, and SLA
//! milestones recorded from stored times across a restart.

use crate::helpers::{form_fields, Response, Session, TestPortal};
use chrono::{DateTime, Duration, Utc};

/// Who acts, the form's fields, and the state the ticket should be in after.
type Step<'a> = (&'a Session, &'a [(&'a str, &'a str)], &'a str);

/// A portal with an admin, an agent and an end user who has logged one incident.
pub(crate) struct Desk {
    pub portal: TestPortal,
    pub admin: Session,
    pub agent: Session,
    pub user: Session,
    pub number: String,
    /// The private status link's path, `/status/{token}`.
    pub link: String,
}

impl Desk {
    pub(crate) async fn new() -> Desk {
        let portal = TestPortal::start().await;
        let admin = portal.admin("admin@example.com").await;
        let agent = portal
            .agent(&admin, "Alan Agent", "agent@example.com")
            .await;
        let user = portal.end_user("Uma User", "uma@example.com").await;
        let mut form = portal.with_email_service().await;
        form.email = "uma@example.com".into();
        let response = portal
            .post_as(Some(&user), "/report/incident", &form_fields(&form))
            .await;
        assert_eq!(response.status(), 303);
        let link = crate::helpers::location(&response)
            .split('?')
            .next()
            .unwrap_or_default()
            .to_string();
        let number: String = sqlx::query_scalar("SELECT number FROM tickets")
            .fetch_one(&portal.state.db.reader)
            .await
            .unwrap();
        Desk {
            portal,
            admin,
            agent,
            user,
            number,
            link,
        }
    }

    pub(crate) async fn version(&self) -> i64 {
        self.column("version").await.parse().unwrap()
    }

    pub(crate) async fn column(&self, column: &str) -> String {
        sqlx::query_scalar(&format!(
            "SELECT coalesce(CAST({column} AS TEXT), '') FROM tickets WHERE number = ?"
        ))
        .bind(&self.number)
        .fetch_one(&self.portal.state.db.reader)
        .await
        .unwrap()
    }

    pub(crate) async fn events(&self) -> Vec<(String, String, String)> {
        sqlx::query_as(
            "SELECT e.kind, e.visibility, e.body FROM ticket_events e
             JOIN tickets t ON t.id = e.ticket_id WHERE t.number = ? ORDER BY e.id",
        )
        .bind(&self.number)
        .fetch_all(&self.portal.state.db.reader)
        .await
        .unwrap()
    }

    /// The desk's action at the version the ticket has now.
    pub(crate) async fn work(&self, who: &Session, fields: &[(&str, &str)]) -> Response {
        let version = self.version().await.to_string();
        self.work_at(who, &version, fields).await
    }

    pub(crate) async fn work_at(
        &self,
        who: &Session,
        version: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        let mut all = vec![("number", self.number.as_str()), ("version", version)];
        all.extend_from_slice(fields);
        self.portal
            .post_as(Some(who), "/api/work_ticket", &all)
            .await
    }

    /// The reporter's own action at the current version.
    pub(crate) async fn act(&self, fields: &[(&str, &str)]) -> Response {
        let version = self.version().await.to_string();
        let mut all = vec![
            ("number", self.number.as_str()),
            ("version", version.as_str()),
        ];
        all.extend_from_slice(fields);
        self.portal
            .post_as(Some(&self.user), "/api/act_on_my_ticket", &all)
            .await
    }
}

#[tokio::test]
async fn an_agent_works_an_incident_and_the_reporter_confirms_the_resolution() {
    let desk = Desk::new().await;
    let mut expected_events = desk.events().await.len();
    let steps: [Step; 4] = [
        (&desk.agent, &[("action", "take")], "in_progress"),
        (
            &desk.agent,
            &[("action", "reply"), ("body", "Which dock do you use?")],
            "in_progress",
        ),
        (
            &desk.agent,
            &[
                ("action", "hold"),
                ("hold", "awaiting_user"),
                ("body", "Please tell us the dock model"),
            ],
            "on_hold",
        ),
        (
            &desk.agent,
            &[("action", "note"), ("body", "Probably firmware")],
            "on_hold",
        ),
    ];
    for (who, fields, state) in steps {
        let response = desk.work(who, fields).await;
        assert_eq!(response.status(), 200, "{fields:?}: {}", response.text());
        expected_events += 1;
        assert_eq!(desk.column("state").await, state, "{fields:?}");
        assert_eq!(desk.events().await.len(), expected_events, "{fields:?}");
    }
    assert!(!desk.column("responded_at").await.is_empty());
    assert!(
        !desk.column("paused_since").await.is_empty(),
        "waiting on the user pauses the clock"
    );

    let response = desk
        .act(&[("action", "add_information"), ("body", "A Dell WD19")])
        .await;
    assert_eq!(response.status(), 200, "{}", response.text());
    assert_eq!(desk.column("state").await, "in_progress");
    assert!(desk.column("paused_since").await.is_empty());

    let response = desk
        .work(
            &desk.agent,
            &[
                ("action", "resolve"),
                ("code", "fixed"),
                ("body", "Updated the dock firmware"),
            ],
        )
        .await;
    assert_eq!(response.status(), 200, "{}", response.text());
    assert_eq!(desk.column("state").await, "resolved");
    assert!(
        desk.column("sla_next_at").await.is_empty(),
        "nothing left to count once resolved"
    );

    // The reporter sees the reply and the resolution, never the internal note.
    let page = desk
        .portal
        .get_as(
            Some(&desk.user),
            &format!("/api/my_ticket?number={}", desk.number),
        )
        .await
        .text();
    assert!(page.contains("Which dock do you use?"), "{page}");
    assert!(page.contains("Updated the dock firmware"));
    assert!(!page.contains("Probably firmware"));

    let response = desk.act(&[("action", "confirm")]).await;
    assert_eq!(response.status(), 200, "{}", response.text());
    assert_eq!(desk.column("state").await, "closed");
    let response = desk
        .act(&[
            ("action", "rate"),
            ("score", "5"),
            ("body", "Quick and kind"),
        ])
        .await;
    assert_eq!(response.status(), 200, "{}", response.text());
    assert_eq!(desk.column("rating").await, "5");
    assert_eq!(desk.events().await.len(), expected_events + 4);
}

#[tokio::test]
async fn a_second_agent_with_an_old_version_gets_a_conflict_and_changes_nothing() {
    let desk = Desk::new().await;
    let seen = desk.version().await.to_string();
    let first = desk
        .work_at(
            &desk.agent,
            &seen,
            &[("action", "note"), ("body", "First agent's note")],
        )
        .await;
    assert_eq!(first.status(), 200, "{}", first.text());
    let events = desk.events().await.len();
    let second = desk
        .work_at(
            &desk.admin,
            &seen,
            &[
                ("action", "resolve"),
                ("code", "fixed"),
                ("body", "Second agent"),
            ],
        )
        .await;
    assert_eq!(second.status(), 409);
    assert!(
        second
            .text()
            .contains("Someone else changed this ticket meanwhile: it is now new"),
        "{}",
        second.text()
    );
    assert_eq!(desk.events().await.len(), events, "nothing written");
    assert_eq!(desk.column("state").await, "new");
}

#[tokio::test]
async fn two_agents_at_once_never_both_win() {
    let desk = Desk::new().await;
    let seen = desk.version().await.to_string();
    let (a, b) = tokio::join!(
        desk.work_at(&desk.agent, &seen, &[("action", "take")]),
        desk.work_at(&desk.admin, &seen, &[("action", "take")]),
    );
    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(statuses, [200, 409]);
    let assigned =
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM ticket_events WHERE kind = 'assigned'")
            .fetch_one(&desk.portal.state.db.reader)
            .await
            .unwrap();
    assert_eq!(assigned, 1);
}

#[tokio::test]
async fn invalid_transitions_are_refused_with_a_reason() {
    let desk = Desk::new().await;
    let close = desk.work(&desk.agent, &[("action", "close")]).await;
    assert_eq!(close.status(), 422);
    assert!(
        close.text().contains("while the ticket is new"),
        "{}",
        close.text()
    );
    let empty = desk
        .work(&desk.agent, &[("action", "reply"), ("body", "   ")])
        .await;
    assert_eq!(empty.status(), 422);
    assert!(empty.text().contains("Write the reply"));
    let down = desk
        .work(
            &desk.agent,
            &[
                ("action", "escalate"),
                ("group", "1"),
                ("reason", "Back down"),
            ],
        )
        .await;
    assert_eq!(down.status(), 422);
    let confirm = desk.act(&[("action", "confirm")]).await;
    assert_eq!(confirm.status(), 422);
    let staff_only = desk.act(&[("action", "note"), ("body", "sneaky")]).await;
    assert_eq!(staff_only.status(), 422);
    assert_eq!(desk.events().await.len(), 1, "only the logging entry");
}

#[tokio::test]
async fn escalations_reach_the_incident_managers() {
    let desk = Desk::new().await;
    let second: String =
        sqlx::query_scalar("SELECT CAST(id AS TEXT) FROM assignment_groups WHERE level = 2")
            .fetch_one(&desk.portal.state.db.reader)
            .await
            .unwrap();
    let functional = desk
        .work(
            &desk.agent,
            &[
                ("action", "escalate"),
                ("group", &second),
                ("reason", "Needs the network team"),
            ],
        )
        .await;
    assert_eq!(functional.status(), 200, "{}", functional.text());
    assert_eq!(desk.column("group_id").await, second);
    let by_user = desk
        .act(&[
            ("action", "escalate"),
            ("reason", "The whole team is blocked"),
        ])
        .await;
    assert_eq!(by_user.status(), 200, "{}", by_user.text());
    let hierarchical = desk
        .work(
            &desk.agent,
            &[
                ("action", "escalate_to_managers"),
                ("reason", "Board meeting at 3"),
            ],
        )
        .await;
    assert_eq!(hierarchical.status(), 200);
    assert_eq!(desk.column("escalated").await, "1");
    let told: Vec<String> = sqlx::query_scalar(
        "SELECT n.body FROM notifications n JOIN users u ON u.id = n.user_id
         WHERE u.email = 'admin@example.com' ORDER BY n.id",
    )
    .fetch_all(&desk.portal.state.db.reader)
    .await
    .unwrap();
    assert_eq!(told.len(), 2, "{told:?}");
    assert!(told[0].contains("The whole team is blocked"));
    assert!(told[1].contains("Board meeting at 3"));
}

#[tokio::test]
async fn breaches_that_fall_while_the_portal_is_down_are_recorded_at_their_time() {
    let desk = Desk::new().await;
    let number = desk.number.clone();
    let dir = desk.portal.stop().await;
    // While it is down, every deadline of the ticket passes.
    let path = server::database_path(&crate::helpers::data_dir(dir.path()));
    let due: Vec<DateTime<Utc>> = (1..=4)
        .map(|h| Utc::now() - Duration::hours(5 - h))
        .collect();
    {
        use sqlx::ConnectOptions;
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .connect()
            .await
            .unwrap();
        sqlx::query(
            "UPDATE tickets SET response_risk_at = ?, response_due_at = ?, resolution_risk_at = ?,
                    resolution_due_at = ?, sla_next_at = ? WHERE number = ?",
        )
        .bind(due[0])
        .bind(due[1])
        .bind(due[2])
        .bind(due[3])
        .bind(due[0])
        .bind(&number)
        .execute(&mut conn)
        .await
        .unwrap();
    }
    let portal = TestPortal::start_in(dir, false).await;
    let mut recorded: Vec<(String, String, DateTime<Utc>)> = Vec::new();
    for _ in 0..200 {
        recorded =
            sqlx::query_as("SELECT target, milestone, due_at FROM sla_events ORDER BY due_at")
                .fetch_all(&portal.state.db.reader)
                .await
                .unwrap();
        if recorded.len() == 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let expected = [
        ("response", "at_risk"),
        ("response", "breached"),
        ("resolution", "at_risk"),
        ("resolution", "breached"),
    ];
    assert_eq!(recorded.len(), 4, "{recorded:?}");
    for ((target, milestone, at), (want_target, want_milestone, want_at)) in recorded
        .iter()
        .zip(expected.iter().zip(&due).map(|((t, m), at)| (t, m, at)))
    {
        assert_eq!(
            (target.as_str(), milestone.as_str()),
            (*want_target, *want_milestone)
        );
        assert_eq!(at, want_at);
    }
    let history: Vec<(String, DateTime<Utc>)> =
        sqlx::query_as("SELECT kind, at FROM ticket_events WHERE kind LIKE 'sla_%' ORDER BY at")
            .fetch_all(&portal.state.db.reader)
            .await
            .unwrap();
    assert_eq!(history.iter().map(|(_, at)| *at).collect::<Vec<_>>(), due);
    let informed: i64 = sqlx::query_scalar("SELECT count(*) FROM notifications")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    assert_eq!(informed, 4, "the one admin hears of each milestone");
    let pending: Option<String> = sqlx::query_scalar("SELECT sla_next_at FROM tickets")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    assert_eq!(pending, None, "each milestone is recorded once");
}
