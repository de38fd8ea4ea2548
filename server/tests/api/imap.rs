//! The desk's mailbox over IMAP: a throwaway Dovecot (`imap_server.rs`), the
//! portal reading it as configured, and what it then sent read from the
//! throwaway SMTP server.

use crate::helpers::TestPortal;
use crate::imap_server::ImapServer;
use crate::inbound::corpus;
use crate::mail::mail_to;
use crate::smtp_sink::SmtpSink;
use std::time::{Duration, Instant};

async fn tickets(portal: &TestPortal) -> Vec<String> {
    sqlx::query_scalar("SELECT summary FROM tickets ORDER BY id")
        .fetch_all(&portal.state.db.reader)
        .await
        .unwrap()
}

#[tokio::test]
async fn mail_in_the_desks_mailbox_becomes_a_ticket_and_is_marked_read_never_deleted() {
    let sink = SmtpSink::start();
    let imap = ImapServer::start();
    let portal = TestPortal::start_reading(&sink.url(), &imap.url(), imap.password_file()).await;
    portal.with_email_service().await;

    imap.deliver(&corpus("18-new-issue.eml", &[])).await;
    imap.deliver(&corpus("22-monitoring-alert.eml", &[])).await;
    let start = Instant::now();
    while tickets(&portal).await.len() < 2 {
        assert!(start.elapsed() < Duration::from_secs(30), "nothing landed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        tickets(&portal).await,
        ["VPN drops every ten minutes", "PROBLEM: mail01 is DOWN"]
    );
    mail_to(&sink, "nina@example.org", "Logged").await;
    let start = Instant::now();
    while imap.unseen().await > 0 {
        assert!(start.elapsed() < Duration::from_secs(10), "not marked read");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(imap.count().await, 2, "kept in the mailbox");

    // The same message again (delivered twice by a mail server): read, not
    // logged twice.
    imap.deliver(&corpus("18-new-issue.eml", &[])).await;
    let start = Instant::now();
    while imap.unseen().await > 0 {
        assert!(start.elapsed() < Duration::from_secs(30), "not read");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(tickets(&portal).await.len(), 2);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        crate::mail::subjects_to(&sink, "nagios@monitor.example.org").is_empty(),
        "machines are not answered"
    );
}
