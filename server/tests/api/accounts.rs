//! Accounts through the real router: registration, sign-in and out, sessions,
//! passwords, resets, verification, admin changes, "My tickets", the audit log.

use crate::helpers::{location, without_nonces, Session, TestPortal, PASSWORD};

fn cookie_attributes(response: &crate::helpers::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.contains("portal_session=") && !v.contains("Max-Age=0"))
        .unwrap_or_default()
        .to_string()
}

async fn audit_actions(portal: &TestPortal) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM audit_events ORDER BY id")
        .fetch_all(&portal.state.db.reader)
        .await
        .expect("audit log")
}

#[tokio::test]
async fn an_end_user_registers_signs_in_sees_the_account_and_signs_out() {
    let portal = TestPortal::start().await;
    let response = portal
        .register("Grace Hopper", "grace@example.com", PASSWORD)
        .await;
    assert_eq!(response.status(), 200);
    // The next step is on the page: the sign-in form, the address filled in.
    let html = response.text();
    assert!(html.contains("Your account is ready: sign in below"));
    assert!(
        html.contains(r#"<form method="post" action="/sign-in""#),
        "{html}"
    );
    assert!(html.contains(r#"value="grace@example.com""#), "{html}");

    let response = portal
        .try_sign_in("grace@example.com", PASSWORD, None)
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/my-tickets");
    let attributes = cookie_attributes(&response);
    for part in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(attributes.contains(part), "{attributes}");
    }
    assert!(!attributes.contains("Domain"), "{attributes}");
    let session = Session::from_response(&response).unwrap();

    let page = portal.get_as(Some(&session), "/account").await;
    assert_eq!(page.status(), 200);
    assert!(page.text().contains("grace@example.com"));
    assert_eq!(
        page.headers().get("cache-control").unwrap(),
        "private, no-store"
    );

    let response = portal
        .post_as(Some(&session), "/sign-out", &[("x", "")])
        .await;
    assert_eq!(response.status(), 303);
    let cleared = response
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let page = portal.get_as(Some(&session), "/account").await;
    assert_eq!(
        page.status(),
        401,
        "the old cookie must not work after sign-out"
    );
    assert!(page.text().contains("Please sign in"));
    assert!(audit_actions(&portal)
        .await
        .contains(&"signed_out".to_string()));
}

#[tokio::test]
async fn over_https_the_cookie_is_host_prefixed_and_secure_and_hsts_is_sent() {
    let portal = TestPortal::start_https().await;
    portal
        .register("Grace", "grace@example.com", PASSWORD)
        .await;
    let response = portal
        .try_sign_in("grace@example.com", PASSWORD, None)
        .await;
    let attributes = cookie_attributes(&response);
    assert!(
        attributes.starts_with("__Host-portal_session="),
        "{attributes}"
    );
    assert!(attributes.contains("; Secure"), "{attributes}");
    let session = Session::from_response(&response).unwrap();
    let page = portal.get_as(Some(&session), "/account").await;
    assert_eq!(page.status(), 200);
    assert!(page
        .headers()
        .get("strict-transport-security")
        .is_some_and(|v| v.to_str().unwrap().contains("max-age=31536000")));
    // The bare name is not accepted in place of the prefixed one.
    let bare = Session {
        cookie: session.cookie.replace("__Host-", ""),
    };
    assert_eq!(portal.get_as(Some(&bare), "/account").await.status(), 401);
}

#[tokio::test]
async fn the_session_id_changes_at_every_sign_in_and_the_old_one_dies() {
    let portal = TestPortal::start().await;
    let first = portal.end_user("Grace", "grace@example.com").await;
    let response = portal
        .try_sign_in("grace@example.com", PASSWORD, Some(&first))
        .await;
    let second = Session::from_response(&response).unwrap();
    assert_ne!(first.cookie, second.cookie);
    assert_eq!(portal.get_as(Some(&first), "/account").await.status(), 401);
    assert_eq!(portal.get_as(Some(&second), "/account").await.status(), 200);
}

#[tokio::test]
async fn unknown_accounts_wrong_passwords_and_deactivated_accounts_get_one_answer() {
    let portal = TestPortal::start().await;
    let admin = portal.admin("admin@example.com").await;
    portal.end_user("Grace", "grace@example.com").await;
    let _agent = portal.agent(&admin, "Alan", "alan@example.com").await;
    let agent_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'alan@example.com'")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    let response = portal
        .post_as(
            Some(&admin),
            &format!("/admin/users/{agent_id}"),
            &[("role", "agent"), ("groups", "1")],
        )
        .await;
    assert_eq!(response.status(), 303, "deactivation: {}", response.text());

    let mut answers = Vec::new();
    for (email, password) in [
        ("nobody@example.com", PASSWORD),
        ("grace@example.com", "wrong password here"),
        ("alan@example.com", PASSWORD),
    ] {
        let response = portal.try_sign_in(email, password, None).await;
        assert_eq!(response.status(), 401, "{email}");
        assert!(response.headers().get("set-cookie").is_none());
        answers.push(without_nonces(&response.text()).replace(email, "EMAIL"));
    }
    assert!(answers[0].contains("do not match an account"));
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0], answers[2]);
    let failures = audit_actions(&portal)
        .await
        .iter()
        .filter(|a| *a == "sign_in_failed")
        .count();
    assert_eq!(failures, 3);
}

#[tokio::test]
async fn sign_in_attempts_are_slowed_per_account_with_the_same_answer_for_unknown_ones() {
    let portal = TestPortal::start().await;
    portal
        .register("Grace", "grace@example.com", PASSWORD)
        .await;
    for email in ["grace@example.com", "nobody@example.com"] {
        for attempt in 0..10 {
            let response = portal.try_sign_in(email, "not the password", None).await;
            assert_eq!(response.status(), 401, "attempt {attempt} for {email}");
        }
        let response = portal.try_sign_in(email, "not the password", None).await;
        assert_eq!(response.status(), 429, "{email}");
        assert!(response.text().contains("Too many attempts"));
    }
    // Even the right password waits for the bucket to refill: no guessing race.
    let response = portal
        .try_sign_in("grace@example.com", PASSWORD, None)
        .await;
    assert_eq!(response.status(), 429);
    // Other accounts from the same address are not locked out.
    portal.register("Alan", "alan@example.com", PASSWORD).await;
    portal.sign_in("alan@example.com", PASSWORD).await;
}

#[tokio::test]
async fn passwords_follow_the_rules_and_are_never_truncated() {
    let portal = TestPortal::start().await;
    for (password, expected) in [
        ("short", "at least 8"),
        (&"x".repeat(129)[..], "at most 128"),
        ("baseball", "most common"),
        ("Password1", "most common"),
    ] {
        let response = portal
            .register("Grace", "grace@example.com", password)
            .await;
        assert_eq!(response.status(), 422, "{password}");
        assert!(
            response.text().contains(expected),
            "{password}: {}",
            response.text()
        );
        assert!(!response.text().contains(&format!("value=\"{password}\"")));
    }
    let long = "ñ😀".repeat(64);
    let response = portal.register("Grace", "grace@example.com", &long).await;
    assert_eq!(response.status(), 200);
    let shorter: String = long.chars().take(127).collect();
    assert_eq!(
        portal
            .try_sign_in("grace@example.com", &shorter, None)
            .await
            .status(),
        401
    );
    let longer = format!("{long}x");
    assert_eq!(
        portal
            .try_sign_in("grace@example.com", &longer, None)
            .await
            .status(),
        401
    );
    portal.sign_in("grace@example.com", &long).await;
    let stored: String = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    assert!(
        stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{stored}"
    );
}

#[tokio::test]
async fn a_password_change_ends_every_other_session() {
    let portal = TestPortal::start().await;
    let here = portal.end_user("Grace", "grace@example.com").await;
    let elsewhere = portal.sign_in("grace@example.com", PASSWORD).await;
    let wrong = portal
        .post_as(
            Some(&here),
            "/account/password",
            &[
                ("current_password", "not it at all"),
                ("new_password", "a brand new passphrase"),
                ("confirm_password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), 422);
    assert!(wrong.text().contains("not your current password"));
    let response = portal
        .post_as(
            Some(&here),
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a brand new passphrase"),
                ("confirm_password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303, "{}", response.text());
    let renewed = Session::from_response(&response).unwrap();
    assert_eq!(portal.get_as(Some(&here), "/account").await.status(), 401);
    assert_eq!(
        portal.get_as(Some(&elsewhere), "/account").await.status(),
        401
    );
    assert_eq!(
        portal.get_as(Some(&renewed), "/account").await.status(),
        200
    );
    assert_eq!(
        portal
            .try_sign_in("grace@example.com", PASSWORD, None)
            .await
            .status(),
        401
    );
    portal
        .sign_in("grace@example.com", "a brand new passphrase")
        .await;
}

#[tokio::test]
async fn reset_requests_answer_alike_and_the_link_works_once_within_its_hour() {
    let portal = TestPortal::start().await;
    let session = portal.end_user("Grace", "grace@example.com").await;
    let outbox_before: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    let known = portal
        .post_as(None, "/forgot-password", &[("email", "grace@example.com")])
        .await;
    let unknown = portal
        .post_as(None, "/forgot-password", &[("email", "nobody@example.com")])
        .await;
    assert_eq!(known.status(), 200);
    assert_eq!(unknown.status(), 200);
    assert_eq!(
        without_nonces(&known.text()).replace("grace@example.com", "EMAIL"),
        without_nonces(&unknown.text()).replace("nobody@example.com", "EMAIL"),
    );
    let outbox_after: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    assert_eq!(
        outbox_after,
        outbox_before + 1,
        "only the real account gets a message"
    );

    let link = portal
        .link_in_outbox("grace@example.com", "/reset-password/")
        .await;
    let page = portal.get(&link).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().contains("no-referrer"));
    let new_password = [
        ("new_password", "another good phrase"),
        ("confirm_password", "another good phrase"),
    ];
    let response = portal.post_as(None, &link, &new_password).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/sign-in?reset=1");
    assert_eq!(
        portal.get_as(Some(&session), "/account").await.status(),
        401,
        "old sessions end"
    );
    let again = portal.post_as(None, &link, &new_password).await;
    assert_eq!(again.status(), 403);
    assert!(again.text().contains("does not work any more"));
    portal
        .sign_in("grace@example.com", "another good phrase")
        .await;

    // An expired link does not work either.
    portal
        .post_as(None, "/forgot-password", &[("email", "grace@example.com")])
        .await;
    let link = portal
        .link_in_outbox("grace@example.com", "/reset-password/")
        .await;
    sqlx::query(
        "UPDATE account_tokens SET expires_at = '2000-01-01T00:00:00Z' WHERE used_at IS NULL",
    )
    .execute(&portal.state.db.writer)
    .await
    .unwrap();
    assert_eq!(
        portal.post_as(None, &link, &new_password).await.status(),
        403
    );
}

#[tokio::test]
async fn registering_a_taken_address_answers_as_for_a_new_one_and_changes_nothing() {
    let portal = TestPortal::start().await;
    let first = portal
        .register("Grace", "grace@example.com", PASSWORD)
        .await;
    let second = portal
        .register("Mallory", "Grace@Example.com", "mallory's own pass")
        .await;
    assert_eq!(second.status(), 200);
    assert_eq!(
        without_nonces(&first.text()),
        without_nonces(&second.text())
    );
    assert_eq!(
        portal
            .try_sign_in("grace@example.com", "mallory's own pass", None)
            .await
            .status(),
        401
    );
    portal.sign_in("grace@example.com", PASSWORD).await;
}

#[tokio::test]
async fn tickets_logged_signed_in_belong_to_the_account_and_earlier_ones_join_on_verification() {
    let portal = TestPortal::start().await;
    let mut form = portal.with_email_service().await;
    form.email = "grace@example.com".into();
    form.summary = "Logged before I had an account".into();
    assert_eq!(portal.submit("incident", &form).await.status(), 303);

    let grace = portal.end_user("Grace", "grace@example.com").await;
    form.summary = "Logged while signed in".into();
    let fields = crate::helpers::form_fields(&form);
    let response = portal
        .post_as(Some(&grace), "/report/incident", &fields)
        .await;
    assert_eq!(response.status(), 303);

    let list = portal.get_as(Some(&grace), "/my-tickets").await.text();
    assert!(list.contains("Logged while signed in"));
    assert!(
        !list.contains("Logged before I had an account"),
        "not before verification"
    );

    let link = portal
        .link_in_outbox("grace@example.com", "/verify-email/")
        .await;
    assert_eq!(
        portal.get_as(Some(&grace), &link).await.status(),
        200,
        "opening the link changes nothing"
    );
    let list = portal.get_as(Some(&grace), "/my-tickets").await.text();
    assert!(!list.contains("Logged before I had an account"));
    let response = portal.post_as(Some(&grace), &link, &[("x", "")]).await;
    assert_eq!(response.status(), 303, "{}", response.text());
    let list = portal.get_as(Some(&grace), "/my-tickets").await.text();
    let newer = list.find("Logged while signed in").unwrap();
    let older = list.find("Logged before I had an account").unwrap();
    assert!(newer < older, "newest first");
    assert!(list.contains("INC0001001") && list.contains("INC0001002"));
    let page = portal.get_as(Some(&grace), "/my-tickets/INC0001001").await;
    assert_eq!(page.status(), 200);
    assert!(page.text().contains("Logged before I had an account"));
    let history: Vec<String> = sqlx::query_scalar(
        "SELECT e.kind FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
         WHERE t.number = 'INC0001001' ORDER BY e.id",
    )
    .fetch_all(&portal.state.db.reader)
    .await
    .unwrap();
    assert_eq!(
        history,
        ["logged", "linked_to_account"],
        "the link is in the history"
    );
}

#[tokio::test]
async fn sessions_end_after_two_idle_hours_or_twelve_hours_in_all() {
    let portal = TestPortal::start().await;
    let idle = portal.end_user("Grace", "grace@example.com").await;
    let old = portal.sign_in("grace@example.com", PASSWORD).await;
    let fresh = portal.sign_in("grace@example.com", PASSWORD).await;
    let hash = |session: &Session| {
        let token = session.cookie.split_once('=').unwrap().1;
        app::server::secrets::hash_token(token).to_vec()
    };
    let now = chrono::Utc::now();
    sqlx::query("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?")
        .bind(now - chrono::Duration::minutes(121))
        .bind(hash(&idle))
        .execute(&portal.state.db.writer)
        .await
        .unwrap();
    sqlx::query("UPDATE sessions SET created_at = ?, last_seen_at = ? WHERE id_hash = ?")
        .bind(now - chrono::Duration::hours(12) - chrono::Duration::minutes(1))
        .bind(now - chrono::Duration::minutes(5))
        .bind(hash(&old))
        .execute(&portal.state.db.writer)
        .await
        .unwrap();
    let response = portal.get_as(Some(&idle), "/account").await;
    assert_eq!(response.status(), 401, "idle for more than two hours");
    let cleared = response
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        cleared.contains("Max-Age=0"),
        "the dead cookie is cleared: {cleared}"
    );
    assert_eq!(
        portal.get_as(Some(&old), "/account").await.status(),
        401,
        "older than twelve hours"
    );
    assert_eq!(portal.get_as(Some(&fresh), "/account").await.status(), 200);
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    assert_eq!(left, 1, "expired sessions are deleted");
}

#[tokio::test]
async fn someone_elses_ticket_and_a_missing_one_are_the_same_not_found() {
    let portal = TestPortal::start().await;
    let form = portal.with_email_service().await;
    let grace = portal.end_user("Grace", "grace@example.com").await;
    let bob = portal.end_user("Bob", "bob@example.com").await;
    let fields = crate::helpers::form_fields(&form);
    portal
        .post_as(Some(&grace), "/report/incident", &fields)
        .await;

    let theirs = portal.get_as(Some(&bob), "/my-tickets/INC0001001").await;
    let missing = portal.get_as(Some(&bob), "/my-tickets/INC0009999").await;
    assert_eq!(theirs.status(), 404);
    assert_eq!(missing.status(), 404);
    assert_eq!(
        without_nonces(&theirs.text()).replace("INC0001001", "N"),
        without_nonces(&missing.text()).replace("INC0009999", "N")
    );
    let api = portal
        .get_as(Some(&bob), "/api/my_ticket?number=INC0001001")
        .await;
    assert_eq!(api.status(), 404);
    assert!(!api.text().contains(&form.summary));
    assert_eq!(
        portal
            .get_as(Some(&grace), "/my-tickets/INC0001001")
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn admins_change_roles_and_deactivate_and_the_sessions_end() {
    let portal = TestPortal::start().await;
    let admin = portal.admin("admin@example.com").await;
    let grace = portal.end_user("Grace", "grace@example.com").await;
    let grace_id: i64 =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'grace@example.com'")
            .fetch_one(&portal.state.db.reader)
            .await
            .unwrap();
    assert_eq!(
        portal.get_as(Some(&grace), "/admin/users").await.status(),
        403
    );

    let response = portal
        .post_as(
            Some(&admin),
            &format!("/admin/users/{grace_id}"),
            &[("role", "agent"), ("groups", "2"), ("active", "on")],
        )
        .await;
    assert_eq!(response.status(), 303, "{}", response.text());
    assert_eq!(
        portal.get_as(Some(&grace), "/account").await.status(),
        401,
        "role change ends sessions"
    );
    let grace = portal.sign_in("grace@example.com", PASSWORD).await;
    assert!(portal
        .get_as(Some(&grace), "/account")
        .await
        .text()
        .contains("Agent"));

    let response = portal
        .post_as(
            Some(&admin),
            &format!("/admin/users/{grace_id}"),
            &[("role", "agent"), ("groups", "2")],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        portal.get_as(Some(&grace), "/account").await.status(),
        401,
        "deactivation ends sessions"
    );
    assert_eq!(
        portal
            .try_sign_in("grace@example.com", PASSWORD, None)
            .await
            .status(),
        401
    );

    let actions = audit_actions(&portal).await;
    for action in [
        "account_created",
        "registered",
        "signed_in",
        "role_changed",
        "deactivated",
    ] {
        assert!(
            actions.contains(&action.to_string()),
            "{action} in {actions:?}"
        );
    }
    let audit = portal.get_as(Some(&admin), "/admin/audit").await.text();
    assert!(audit.contains("role changed") && audit.contains("end_user to agent"));
}

#[tokio::test]
async fn the_last_admin_cannot_be_demoted_or_deactivated() {
    let portal = TestPortal::start().await;
    let admin = portal.admin("admin@example.com").await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM users")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    for fields in [
        vec![("role", "agent"), ("active", "on")],
        vec![("role", "admin")],
    ] {
        let response = portal
            .post_as(Some(&admin), &format!("/admin/users/{id}"), &fields)
            .await;
        assert_eq!(response.status(), 403);
        assert!(response.text().contains("last active admin"));
    }
    assert_eq!(
        portal.get_as(Some(&admin), "/admin/users").await.status(),
        200
    );
}

#[tokio::test]
async fn admins_can_close_self_registration() {
    let portal = TestPortal::start().await;
    let admin = portal.admin("admin@example.com").await;
    let response = portal
        .post_as(Some(&admin), "/admin/registration", &[("open", "off")])
        .await;
    assert_eq!(response.status(), 303);
    assert!(portal
        .get("/register")
        .await
        .text()
        .contains("created by the service desk"));
    let response = portal
        .register("Grace", "grace@example.com", PASSWORD)
        .await;
    assert_eq!(response.status(), 403);
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    assert_eq!(users, 1);
}

#[tokio::test]
async fn an_invited_agent_chooses_a_password_and_the_admin_reads_the_outbox() {
    let portal = TestPortal::start().await;
    let admin = portal.admin("admin@example.com").await;
    let agent = portal
        .agent(&admin, "Alan Turing", "alan@example.com")
        .await;
    let account = portal.get_as(Some(&agent), "/account").await.text();
    assert!(account.contains("Alan Turing") && account.contains("Agent"));
    let outbox = portal.get_as(Some(&admin), "/admin/outbox").await;
    assert_eq!(outbox.status(), 200);
    assert!(outbox.text().contains("You are invited to IT Help"));
    assert!(outbox.text().contains("alan@example.com"));
    let groups: Vec<i64> = sqlx::query_scalar(
        "SELECT group_id FROM group_members m JOIN users u ON u.id = m.user_id WHERE u.email = 'alan@example.com'",
    )
    .fetch_all(&portal.state.db.reader)
    .await
    .unwrap();
    assert_eq!(groups, vec![1]);
}

#[tokio::test]
async fn the_audit_log_refuses_edits_and_deletions() {
    let portal = TestPortal::start().await;
    portal.end_user("Grace", "grace@example.com").await;
    for statement in [
        "UPDATE audit_events SET actor = 'someone else'",
        "DELETE FROM audit_events",
    ] {
        let error = sqlx::query(statement)
            .execute(&portal.state.db.writer)
            .await
            .expect_err(statement);
        assert!(error.to_string().contains("append-only"), "{error}");
    }
}

#[tokio::test]
async fn create_admin_refuses_common_passwords_and_taken_addresses() {
    let portal = TestPortal::start().await;
    let now = chrono::Utc::now();
    let state = &portal.state.db;
    let refused = |error| match error {
        app::server::accounts::AccountError::Invalid(errors) => errors,
        other => panic!("{other:?}"),
    };
    let common =
        app::server::accounts::create_admin(state, "Ada", "ada@example.com", "password1", now)
            .await
            .expect_err("a common password");
    assert!(refused(common)
        .get(app::domain::Field::Password)
        .is_some_and(|m| m.contains("most common")));
    app::server::accounts::create_admin(state, "Ada", "ada@example.com", PASSWORD, now)
        .await
        .expect("a good password");
    let taken = app::server::accounts::create_admin(state, "Ada", "ADA@example.com", PASSWORD, now)
        .await
        .expect_err("a taken address");
    assert_eq!(
        refused(taken).get(app::domain::Field::Email),
        Some("An account with this e-mail address already exists.")
    );
}

/// Each lands where their day starts: people on their tickets, agents on the
/// queue, admins on the accounts they look after.
#[tokio::test]
async fn signing_in_lands_each_role_where_their_work_is() {
    let portal = TestPortal::start().await;
    let admin = portal.admin("ada@example.com").await;
    portal.agent(&admin, "Alan Agent", "alan@example.com").await;
    portal
        .register("Grace", "grace@example.com", PASSWORD)
        .await;
    for (email, home) in [
        ("grace@example.com", "/my-tickets"),
        ("alan@example.com", "/agent"),
        ("ada@example.com", "/admin/users"),
    ] {
        let response = portal.try_sign_in(email, PASSWORD, None).await;
        assert_eq!(location(&response), home, "{email}");
    }
}

#[tokio::test]
async fn after_sign_in_only_local_paths_are_followed() {
    let portal = TestPortal::start().await;
    portal
        .register("Grace", "grace@example.com", PASSWORD)
        .await;
    for (next, expected) in [
        ("/account", "/account"),
        ("https://evil.example/", "/my-tickets"),
        ("//evil.example/", "/my-tickets"),
    ] {
        let response = portal
            .post_as(
                None,
                "/sign-in",
                &[
                    ("email", "grace@example.com"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(location(&response), expected, "{next}");
    }
}

/// Someone signed in is not asked who they are: the logging forms come filled in
/// with their name and address (and a form that came back keeps what was typed).
#[tokio::test]
async fn the_logging_form_knows_who_is_signed_in() {
    let portal = TestPortal::start().await;
    let grace = portal.end_user("Grace Hopper", "grace@example.com").await;
    for path in ["/report/incident", "/report/request"] {
        let html = portal.get_as(Some(&grace), path).await.text();
        assert!(html.contains("value=\"Grace Hopper\""), "{path}");
        assert!(html.contains("value=\"grace@example.com\""), "{path}");
    }
    let anonymous = portal.get("/report/incident").await.text();
    assert!(!anonymous.contains("Grace Hopper"));
}

/// The zone a page says its times are written in.
fn zone_of_logged_time(html: &str) -> &str {
    let at = html.find("data-zone=\"").expect("the page names its zone") + 11;
    &html[at..at + html[at..].find('"').unwrap()]
}

#[tokio::test]
async fn times_are_shown_in_the_readers_zone_and_name_it() {
    let portal = TestPortal::start().await;
    let form = portal.with_email_service().await;
    let link = location(&portal.submit("incident", &form).await);

    // Nobody said a zone: the portal's own (UTC in tests).
    let html = portal.get(&link).await.text();
    assert_eq!(zone_of_logged_time(&html), "UTC");
    assert!(html.contains(" UTC</time>"), "{html}");

    // The browser's script said its zone: later pages are written in it.
    let browser = [("cookie", "tz=Asia/Tokyo")];
    let html = portal.get_with(&link, &browser).await.text();
    assert_eq!(zone_of_logged_time(&html), "Asia/Tokyo");
    assert!(html.contains(" JST</time>"), "{html}");
    assert!(!html.contains(" UTC</time>"));
    // A zone that is not one is passed over.
    let html = portal
        .get_with(&link, &[("cookie", "tz=Mars/Olympus")])
        .await
        .text();
    assert!(html.contains(" UTC</time>"));

    // A choice on the account page comes before the browser's zone.
    let ada = portal.end_user("Ada", "ada@example.com").await;
    let with_browser = Session {
        cookie: format!("{}; tz=Asia/Tokyo", ada.cookie),
    };
    let saved = portal
        .post_as(
            Some(&ada),
            "/account/time-zone",
            &[("time_zone", "Asia/Kolkata")],
        )
        .await;
    assert_eq!(saved.status(), 303);
    assert_eq!(location(&saved), "/account?zone=saved#zone");
    let html = portal.get_as(Some(&with_browser), &link).await.text();
    assert_eq!(zone_of_logged_time(&html), "Asia/Kolkata");
    assert!(html.contains("data-zone-chosen=\"true\""));
    assert!(html.contains(" IST</time>"), "{html}");
    let account = portal
        .get_as(Some(&ada), "/account?zone=saved")
        .await
        .text();
    assert!(account.contains("Your time zone is saved."));
    assert!(account.contains("Times are shown in Asia/Kolkata, as you chose."));
    assert!(
        account.contains(r#"<option value="Asia/Kolkata" selected"#),
        "{account}"
    );

    // Not a zone: refused beside its field, the choice kept as it was.
    let refused = portal
        .post_as(
            Some(&ada),
            "/account/time-zone",
            &[("time_zone", "Mars/Olympus")],
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert!(refused
        .text()
        .contains("Choose a time zone from the list, or your browser"));
    let html = portal.get_as(Some(&ada), &link).await.text();
    assert_eq!(zone_of_logged_time(&html), "Asia/Kolkata");

    // Blank: the browser's zone again.
    let back = portal
        .post_as(Some(&ada), "/account/time-zone", &[("time_zone", "")])
        .await;
    assert_eq!(back.status(), 303);
    let html = portal.get_as(Some(&with_browser), &link).await.text();
    assert_eq!(zone_of_logged_time(&html), "Asia/Tokyo");
    assert!(!html.contains("data-zone-chosen"));
}

#[tokio::test]
async fn an_invitation_opens_a_welcome_and_starts_the_person_signed_in() {
    let portal = TestPortal::start().await;
    let admin = portal.admin("esme@example.com").await;
    portal
        .invite_agent(&admin, "Alan Agent", "alan@example.com")
        .await;
    let link = portal.link_in_outbox("alan@example.com", "/welcome/").await;

    let page = portal.get(&link).await;
    assert_eq!(page.status(), 200);
    let html = page.text();
    assert!(html.contains("Welcome to IT Help"), "{html}");
    assert!(html.contains("Choose your password to start"));
    assert!(html.contains(&format!(r#"action="{link}""#)));
    assert!(!html.contains("Choose a new password"));

    let started = portal
        .post_as(
            None,
            &link,
            &[("new_password", PASSWORD), ("confirm_password", PASSWORD)],
        )
        .await;
    assert_eq!(started.status(), 303, "{}", started.text());
    assert_eq!(location(&started), "/agent", "an agent starts at the queue");
    let alan = Session::from_response(&started).expect("signed in");
    assert_eq!(portal.get_as(Some(&alan), "/agent").await.status(), 200);

    // Used once: the same link sets nothing again.
    let again = portal
        .post_as(
            None,
            &link,
            &[
                ("new_password", "another good phrase"),
                ("confirm_password", "another good phrase"),
            ],
        )
        .await;
    assert_ne!(again.status(), 303);
    assert!(Session::from_response(&again).is_none());
    portal.sign_in("alan@example.com", PASSWORD).await;
}
