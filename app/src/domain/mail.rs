//! E-mail delivery as people read it: where a message of the outbox stands, the
//! schedule of retries, and the admin's test message.

use super::ticket_form::{parse_email, FieldErrors};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// Where a message of the outbox stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Delivery {
    /// Written, not tried yet (or mail is not being sent).
    Queued,
    /// Claimed by the delivery worker, being handed to the SMTP server.
    Sending,
    /// The SMTP server accepted it.
    Sent,
    /// A temporary failure: it is tried again later.
    Retrying,
    /// Refused for good, or not sent in time: it is not tried again unless an
    /// admin asks.
    Failed,
}

impl Delivery {
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Queued => "queued",
            Delivery::Sending => "sending",
            Delivery::Sent => "sent",
            Delivery::Retrying => "retrying",
            Delivery::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<Delivery> {
        [
            Delivery::Queued,
            Delivery::Sending,
            Delivery::Sent,
            Delivery::Retrying,
            Delivery::Failed,
        ]
        .into_iter()
        .find(|d| d.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            Delivery::Queued => "Queued",
            Delivery::Sending => "Sending",
            Delivery::Sent => "Sent",
            Delivery::Retrying => "Retrying",
            Delivery::Failed => "Failed",
        }
    }

    /// An admin may ask for another attempt now.
    pub fn may_send_again(self) -> bool {
        matches!(self, Delivery::Retrying | Delivery::Failed)
    }
}

/// When a message that failed for the moment is tried again: after each step in
/// turn, then every last step, until `give_up_after` has passed since it was
/// written. A claim lasts `claim`: a message whose worker died while sending is
/// tried again once its claim runs out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub steps: Vec<TimeDelta>,
    pub give_up_after: TimeDelta,
    pub claim: TimeDelta,
}

impl Default for Backoff {
    /// About 1 min, 5 min, 15 min, 1 h, then every 4 h, giving up after 48 h.
    fn default() -> Backoff {
        Backoff {
            steps: vec![
                TimeDelta::minutes(1),
                TimeDelta::minutes(5),
                TimeDelta::minutes(15),
                TimeDelta::hours(1),
                TimeDelta::hours(4),
            ],
            give_up_after: TimeDelta::hours(48),
            claim: TimeDelta::minutes(10),
        }
    }
}

impl Backoff {
    /// The next attempt after `attempts` failed ones (at least one), or `None`
    /// when that would be past the time to give up on a message written at
    /// `written`.
    pub fn next_attempt(
        &self,
        attempts: u32,
        written: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let index = usize::try_from(attempts.max(1) - 1).unwrap_or(usize::MAX);
        let wait = self
            .steps
            .get(index)
            .or(self.steps.last())
            .copied()
            .unwrap_or(TimeDelta::minutes(1));
        let next = now + wait;
        (next <= written + self.give_up_after).then_some(next)
    }

    /// The schedule in words, for the delivery log.
    pub fn in_words(&self) -> String {
        let steps: Vec<String> = self.steps.iter().map(|s| delta_in_words(*s)).collect();
        format!(
            "A message the mail server cannot take for the moment is tried again after {}, \
             then every {}, and given up {} after it was written.",
            steps.join(", "),
            steps.last().map_or("minute", String::as_str),
            delta_in_words(self.give_up_after)
        )
    }
}

/// "1 min", "4 h", "48 h", "30 s".
fn delta_in_words(delta: TimeDelta) -> String {
    let seconds = delta.num_seconds();
    if seconds % 3600 == 0 && seconds >= 3600 {
        format!("{} h", seconds / 3600)
    } else if seconds % 60 == 0 && seconds >= 60 {
        format!("{} min", seconds / 60)
    } else {
        format!("{seconds} s")
    }
}

/// A message in the outbox as an admin reads it in the delivery log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub delivery: Delivery,
    pub attempts: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// A message about a ticket that has not reached its recipient (yet): shown on
/// the agent's page of the ticket, so nobody waits for an answer to mail that
/// never arrived.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailTrouble {
    pub recipient: String,
    pub subject: String,
    pub delivery: Delivery,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
}

/// A message the desk received about a ticket, as the desk lists it: the
/// original stays downloadable whole (`/agent/mail/{id}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedMail {
    pub id: i64,
    pub received_at: DateTime<Utc>,
    pub sender: String,
    pub subject: String,
    /// What became of it, in words.
    pub outcome: String,
}

/// What became of a received message, in words (`inbound_mail.outcome`).
pub fn received_outcome_words(outcome: &str) -> &'static str {
    match outcome {
        "added" => "added as information from the reporter",
        "replied" => "added as a reply by an agent",
        "follower" => "added as a follower's message",
        "held" => "held for the desk (not from the reporter)",
        "logged" => "logged as a new ticket",
        "bounce" => "a bounce of one of our messages",
        "ignored" => "ignored (automatic, or from our own address)",
        "refused" => "refused (too large)",
        _ => "kept for an admin (it could not be read or landed)",
    }
}

/// The delivery log: how mail leaves the portal, if it does, and the newest
/// messages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxOverview {
    /// The SMTP server and sender ("smtp://mail.example.com:587 as IT Help
    /// <help@example.com>"), or `None` when mail is not being sent.
    pub sending: Option<String>,
    /// The retry schedule in words.
    pub schedule: String,
    pub messages: Vec<OutboxMessage>,
    /// The desk's mailbox as read, or `None` when none is.
    #[serde(default)]
    pub reading: Option<String>,
    /// The newest mail received, whatever became of it.
    #[serde(default)]
    pub received: Vec<ReceivedMail>,
}

/// The admin's "send a test message" form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestMessageForm {
    #[serde(default)]
    pub email: String,
}

impl TestMessageForm {
    /// The address to send to, or the problem with it.
    pub fn parse(&self) -> Result<String, FieldErrors> {
        let mut errors = FieldErrors::default();
        let email = parse_email(&mut errors, &self.email);
        if errors.is_empty() {
            Ok(email)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap() + TimeDelta::minutes(minutes)
    }

    #[test]
    fn retries_back_off_and_give_up_after_two_days() {
        let backoff = Backoff::default();
        let written = at(0);
        let waits: Vec<i64> = (1..=6)
            .map(|n| (backoff.next_attempt(n, written, at(10)).unwrap() - at(10)).num_minutes())
            .collect();
        assert_eq!(waits, [1, 5, 15, 60, 240, 240]);
        // Two days after writing, no further attempt.
        assert_eq!(backoff.next_attempt(9, written, at(47 * 60)), None);
        assert!(backoff.next_attempt(9, written, at(43 * 60)).is_some());
    }

    #[test]
    fn states_read_back_and_only_failures_may_be_sent_again() {
        for state in ["queued", "sending", "sent", "retrying", "failed"] {
            assert_eq!(Delivery::parse(state).unwrap().as_str(), state);
        }
        assert_eq!(Delivery::parse("lost"), None);
        assert!(Delivery::Failed.may_send_again() && Delivery::Retrying.may_send_again());
        assert!(!Delivery::Sent.may_send_again() && !Delivery::Queued.may_send_again());
    }

    #[test]
    fn the_schedule_reads_as_configured() {
        assert_eq!(
            Backoff::default().in_words(),
            "A message the mail server cannot take for the moment is tried again after 1 min, \
             5 min, 15 min, 1 h, 4 h, then every 4 h, and given up 48 h after it was written."
        );
    }

    #[test]
    fn a_test_message_needs_an_address() {
        assert_eq!(
            TestMessageForm {
                email: " ann@example.org ".into()
            }
            .parse(),
            Ok("ann@example.org".into())
        );
        assert!(TestMessageForm {
            email: "nobody".into()
        }
        .parse()
        .is_err());
        assert!(TestMessageForm::default().parse().is_err());
    }
}
