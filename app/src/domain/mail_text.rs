//! What the portal's e-mails about tickets say, and the topics people choose
//! from on their account page. Pure words: the store decides who receives what.
//!
//! Bodies are plain text. Links in them start with [`PORTAL`], replaced by the
//! portal's public address when the message is sent (the store does not know
//! it); user-written text is copied as typed and escaped where it becomes HTML.

use super::account::Role;
use super::{format_time, Notice};
use serde::{Deserialize, Serialize};

/// Stands for the portal's public address in a stored message.
pub const PORTAL: &str = "{portal}";

/// A kind of message a person may choose not to receive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MailTopic {
    /// The reporter's own tickets: logged, replies, waiting for an answer,
    /// resolved, closed, reopened, major incident updates.
    MyTickets,
    /// A ticket assigned to me.
    Assigned,
    /// A new ticket in one of my groups.
    GroupQueue,
    /// The reporter of a ticket I work added information, asked for urgency or
    /// said it is not fixed.
    ReporterActivity,
    /// Targets at risk or breached.
    SlaWarnings,
    /// Major incidents declared, escalations to the incident managers.
    Escalations,
    /// Updates of a major incident I said is my problem too.
    Following,
    /// Service-failure and maintenance notices that concern me, as the banner
    /// shows them. Off until chosen: the only topic not about my own work.
    ServiceNotices,
}

impl MailTopic {
    pub const ALL: [MailTopic; 8] = [
        MailTopic::MyTickets,
        MailTopic::Following,
        MailTopic::ServiceNotices,
        MailTopic::Assigned,
        MailTopic::GroupQueue,
        MailTopic::ReporterActivity,
        MailTopic::SlaWarnings,
        MailTopic::Escalations,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MailTopic::MyTickets => "my_tickets",
            MailTopic::Assigned => "assigned",
            MailTopic::GroupQueue => "group_queue",
            MailTopic::ReporterActivity => "reporter_activity",
            MailTopic::SlaWarnings => "sla_warnings",
            MailTopic::Escalations => "escalations",
            MailTopic::Following => "following",
            MailTopic::ServiceNotices => "service_notices",
        }
    }

    pub fn parse(raw: &str) -> Option<MailTopic> {
        MailTopic::ALL.into_iter().find(|t| t.as_str() == raw)
    }

    /// Whether someone who never chose receives this topic.
    pub fn default_on(self) -> bool {
        self != MailTopic::ServiceNotices
    }

    /// The choice on the account page.
    pub fn label(self) -> &'static str {
        match self {
            MailTopic::MyTickets => {
                "My tickets: logged, replies, waiting for my answer, resolved, closed, reopened"
            }
            MailTopic::Assigned => "A ticket is assigned to me",
            MailTopic::GroupQueue => "A new ticket arrives in one of my groups",
            MailTopic::ReporterActivity => {
                "The reporter of a ticket I work on adds information, asks for urgency, says it \
                 is not fixed or reopens it"
            }
            MailTopic::SlaWarnings => "A response or resolution target is at risk or breached",
            MailTopic::Escalations => {
                "A major incident is declared, or a ticket is escalated to the incident managers"
            }
            MailTopic::Following => {
                "A major incident I said is my problem too is updated or resolved"
            }
            MailTopic::ServiceNotices => {
                "Service failures and planned maintenance: each notice that concerns me, when it \
                 is published, updated and resolved"
            }
        }
    }

    /// Why a message was sent, at its foot.
    pub fn reason(self) -> &'static str {
        match self {
            MailTopic::MyTickets => "You receive this because you reported this ticket.",
            MailTopic::Assigned => "You receive this because the ticket is assigned to you.",
            MailTopic::GroupQueue => {
                "You receive this because you are in the group the ticket is assigned to."
            }
            MailTopic::ReporterActivity => {
                "You receive this because you work on this ticket, or are in its group."
            }
            MailTopic::SlaWarnings | MailTopic::Escalations => {
                "You receive this because you are an incident manager (an admin)."
            }
            MailTopic::Following => {
                "You receive this because you said this major incident is your problem too."
            }
            MailTopic::ServiceNotices => {
                "You receive this because you asked to hear of service failures that concern you."
            }
        }
    }

    /// Whether someone of `role` can receive this kind of message.
    pub fn offered_to(self, role: Role) -> bool {
        match self {
            MailTopic::MyTickets | MailTopic::Following | MailTopic::ServiceNotices => true,
            MailTopic::Assigned | MailTopic::GroupQueue | MailTopic::ReporterActivity => {
                role != Role::EndUser
            }
            MailTopic::SlaWarnings | MailTopic::Escalations => role == Role::Admin,
        }
    }
}

/// The choices on someone's account page: each topic offered to them, and
/// whether they receive it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailChoices {
    pub topics: Vec<(MailTopic, bool)>,
}

/// A ticket as its messages name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailTicket {
    pub number: String,
    pub summary: String,
    pub reporter_name: String,
    pub group: String,
}

/// A message, written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    pub subject: String,
    pub body: String,
}

/// What a ticket's message is about: the kind of its history entry (or
/// `waiting` for a hold that waits on the reporter), who did it and what they
/// wrote.
#[derive(Clone, Copy, Debug)]
pub struct Happened<'a> {
    pub kind: &'a str,
    pub actor: &'a str,
    pub body: &'a str,
}

/// Said by a hold that waits for the reporter, in place of its entry's kind.
pub const WAITING_FOR_REPORTER: &str = "waiting_for_reporter";

/// The message about `what` to someone receiving it as `topic`, with `link` to
/// the ticket's page for them and, for account holders, the account page;
/// `None` when this topic says nothing of it.
pub fn ticket_message(
    topic: MailTopic,
    ticket: &MailTicket,
    what: Happened<'_>,
    link: &str,
    account: bool,
) -> Option<Written> {
    let n = &ticket.number;
    let (headline, text) = match (topic, what.kind) {
        (MailTopic::MyTickets, "logged") => (
            "Logged",
            format!(
                "Hello {},\n\nWe have logged your ticket {n}: {}.\n\nWhat happens next: the \
                 service desk looks at it and writes to you when there is news, or when they \
                 need something from you. You can add information and follow it at any time \
                 on its page (keep this link to yourself):\n\n{link}",
                ticket.reporter_name, ticket.summary
            ),
        ),
        (MailTopic::MyTickets, "reply") => (
            "New reply",
            format!(
                "{} replied on your ticket {n}:\n\n{}\n\nAnswer on the ticket's page:\n\n{link}",
                what.actor,
                quoted(what.body)
            ),
        ),
        (MailTopic::MyTickets, WAITING_FOR_REPORTER) => (
            "Waiting for your answer",
            format!(
                "The service desk needs something from you to go on with ticket {n}:\n\n{}\n\n\
                 Answer on the ticket's page; the clock of its targets waits for you \
                 meanwhile:\n\n{link}",
                quoted(what.body)
            ),
        ),
        (MailTopic::MyTickets, "resolved") => (
            "Resolved",
            format!(
                "{} resolved your ticket {n}:\n\n{}\n\nOn the ticket's page, confirm that it is \
                 fixed, or tell us it is not and it goes back to the service desk:\n\n{link}",
                what.actor,
                quoted(what.body)
            ),
        ),
        (MailTopic::MyTickets, "closed") => (
            "Closed",
            format!("Your ticket {n} is closed.\n\nIts history stays on its page:\n\n{link}"),
        ),
        (MailTopic::MyTickets, "reopened") => (
            "Reopened",
            format!(
                "Your ticket {n} is open again:\n\n{}\n\nFollow it on its page:\n\n{link}",
                quoted(what.body)
            ),
        ),
        (MailTopic::MyTickets, "major_update") => (
            "Update on the major incident",
            format!(
                "An update on the major incident that affects your ticket {n}:\n\n{}\n\nFollow \
                 it on your ticket's page:\n\n{link}",
                quoted(what.body)
            ),
        ),
        (MailTopic::Following, "reply") => (
            "Update on the major incident",
            format!(
                "An update on the major incident {n}, which you said is your problem too:\n\n{}\n\n\
                 Follow it on its page (keep this link to yourself):\n\n{link}",
                quoted(what.body)
            ),
        ),
        (MailTopic::Following, "resolved") => (
            "Major incident resolved",
            format!(
                "The major incident {n}, which you said is your problem too, is resolved:\n\n{}\n\n\
                 If it still troubles you, tell the service desk: {PORTAL}/report\n\n\
                 Its history stays on its page:\n\n{link}",
                quoted(what.body)
            ),
        ),
        (MailTopic::Assigned, "assigned") => (
            "Assigned to you",
            format!(
                "{} assigned ticket {n} to you.\n\nOpen it:\n\n{link}",
                what.actor
            ),
        ),
        (MailTopic::GroupQueue, "logged") => (
            "New ticket",
            format!(
                "{} logged ticket {n} in {}: {}.\n\nOpen it:\n\n{link}",
                ticket.reporter_name, ticket.group, ticket.summary
            ),
        ),
        (MailTopic::ReporterActivity, "user_information") => (
            "The reporter added information",
            format!(
                "{} added information to ticket {n}:\n\n{}\n\nOpen it:\n\n{link}",
                what.actor,
                quoted(what.body)
            ),
        ),
        (MailTopic::ReporterActivity, "user_escalation") => (
            "The reporter asks for more urgency",
            format!(
                "{} asks for more urgency on ticket {n}:\n\n{}\n\nOpen it:\n\n{link}",
                what.actor,
                quoted(what.body)
            ),
        ),
        (MailTopic::ReporterActivity, "resolution_rejected") => (
            "Not fixed, says the reporter",
            format!(
                "{} says ticket {n} is not fixed:\n\n{}\n\nIt is open again:\n\n{link}",
                what.actor,
                quoted(what.body)
            ),
        ),
        (MailTopic::ReporterActivity, "reopened_by_reporter") => (
            "Reopened by the reporter",
            format!(
                "{} reopened ticket {n}:\n\n{}\n\nOpen it:\n\n{link}",
                what.actor,
                quoted(what.body)
            ),
        ),
        (MailTopic::SlaWarnings, "sla_at_risk") => (
            "Target at risk",
            format!("Ticket {n}: {}.\n\nOpen it:\n\n{link}", what.body),
        ),
        (MailTopic::SlaWarnings, "sla_breached") => (
            "Target breached",
            format!("Ticket {n}: {}.\n\nOpen it:\n\n{link}", what.body),
        ),
        (MailTopic::Escalations, "major_declared") => (
            "Major incident declared",
            format!(
                "{} declared ticket {n} a major incident:\n\n{}\n\nOpen it:\n\n{link}",
                what.actor,
                quoted(what.body)
            ),
        ),
        (MailTopic::Escalations, "escalated_to_managers") => (
            "Escalated to the incident managers",
            format!(
                "{} escalated ticket {n} to the incident managers:\n\n{}\n\nOpen it:\n\n{link}",
                what.actor,
                quoted(what.body)
            ),
        ),
        _ => return None,
    };
    let choose = if account {
        format!(" Choose which messages you receive: {PORTAL}/account#mail")
    } else {
        String::new()
    };
    Some(Written {
        subject: format!("[{n}] {headline}: {}", ticket.summary),
        body: format!("{text}\n\n-- \n{}{choose}\n", topic.reason()),
    })
}

/// What a notice's message tells of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeNews {
    Published,
    Updated,
    Resolved,
}

impl NoticeNews {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeNews::Published => "published",
            NoticeNews::Updated => "updated",
            NoticeNews::Resolved => "resolved",
        }
    }

    pub fn parse(raw: &str) -> Option<NoticeNews> {
        [
            NoticeNews::Published,
            NoticeNews::Updated,
            NoticeNews::Resolved,
        ]
        .into_iter()
        .find(|n| n.as_str() == raw)
    }
}

/// The message about `notice` to someone who chose to hear of service failures:
/// what users experience, since when and until when, and `said` (the update or
/// the resolution, as written).
pub fn notice_message(notice: &Notice, news: NoticeNews, said: &str) -> Written {
    let services = if notice.service_names.is_empty() {
        "All services".to_string()
    } else {
        notice.service_names.join(", ")
    };
    let restoration = match notice.expected_restoration_at {
        Some(at) => format_time(at),
        None => "not known yet".into(),
    };
    let (tag, headline) = match news {
        NoticeNews::Published => (notice.severity.label(), String::new()),
        NoticeNews::Updated => (notice.severity.label(), "Update: ".into()),
        NoticeNews::Resolved => ("Resolved", String::new()),
    };
    let mut text = format!(
        "{}: {}\nServices: {services}\n\nWhat you may notice:\n\n{}\n\nSince: {}\n",
        notice.severity.label(),
        notice.title,
        quoted(&notice.experience),
        format_time(notice.starts_at),
    );
    match notice.resolved_at {
        Some(at) => text.push_str(&format!("Resolved: {}\n", format_time(at))),
        None => text.push_str(&format!("Expected restoration: {restoration}\n")),
    }
    if !said.is_empty() {
        text.push_str(&format!("\nThe latest word:\n\n{}\n", quoted(said)));
    }
    Written {
        subject: format!("[{tag}] {headline}{}", notice.title),
        body: format!(
            "{text}\nEvery notice, and the state of each service: {PORTAL}/notices\n\n-- \n{} \
             Choose which messages you receive: {PORTAL}/account#mail\n",
            MailTopic::ServiceNotices.reason()
        ),
    }
}

/// Someone's words set apart: each line indented.
fn quoted(text: &str) -> String {
    text.lines()
        .map(|line| format!("    {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket() -> MailTicket {
        MailTicket {
            number: "INC0000042".into(),
            summary: "VPN drops".into(),
            reporter_name: "Ann".into(),
            group: "Service desk".into(),
        }
    }

    #[test]
    fn each_message_names_the_ticket_says_why_and_links_its_page() {
        let what = Happened {
            kind: "reply",
            actor: "Bob",
            body: "Try again\nnow",
        };
        let reply = ticket_message(MailTopic::MyTickets, &ticket(), what, "L", true).unwrap();
        assert_eq!(reply.subject, "[INC0000042] New reply: VPN drops");
        assert!(reply
            .body
            .contains("Bob replied on your ticket INC0000042:\n\n    Try again\n    now"));
        assert!(reply
            .body
            .contains("\n\nL\n\n-- \nYou receive this because you reported this ticket."));
        assert!(reply.body.ends_with("{portal}/account#mail\n"));
        let anonymous = ticket_message(MailTopic::MyTickets, &ticket(), what, "L", false).unwrap();
        assert!(!anonymous.body.contains("/account"));
        // A topic says nothing of what is not its business.
        assert_eq!(
            ticket_message(MailTopic::Assigned, &ticket(), what, "L", true),
            None
        );
        let note = Happened {
            kind: "note",
            actor: "Bob",
            body: "internal",
        };
        assert_eq!(
            ticket_message(MailTopic::MyTickets, &ticket(), note, "L", true),
            None
        );
    }

    #[test]
    fn a_notice_message_says_what_since_when_until_when_and_the_latest_word() {
        let at = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let mut notice = Notice {
            id: crate::domain::NoticeId(3),
            audience: crate::domain::Audience::Everyone,
            major: None,
            affected: None,
            title: "Mail is down".into(),
            severity: crate::domain::Severity::Critical,
            service_names: vec!["E-mail".into(), "Calendar".into()],
            experience: "No mail arrives".into(),
            starts_at: at,
            expected_restoration_at: None,
            resolved_at: None,
            updates: vec![],
        };
        let published = notice_message(&notice, NoticeNews::Published, "");
        assert_eq!(published.subject, "[Critical outage] Mail is down");
        assert!(published.body.contains("Services: E-mail, Calendar"));
        assert!(published
            .body
            .contains("Expected restoration: not known yet"));
        assert!(!published.body.contains("latest word"));
        assert!(published.body.contains("{portal}/notices"));
        notice.resolved_at = Some(at);
        let resolved = notice_message(&notice, NoticeNews::Resolved, "Resolved: fixed");
        assert_eq!(resolved.subject, "[Resolved] Mail is down");
        assert!(resolved
            .body
            .contains("The latest word:\n\n    Resolved: fixed"));
        assert_eq!(NoticeNews::parse("updated"), Some(NoticeNews::Updated));
    }

    #[test]
    fn topics_read_back_and_are_offered_by_role() {
        for topic in MailTopic::ALL {
            assert_eq!(MailTopic::parse(topic.as_str()), Some(topic));
        }
        let offered = |role| {
            MailTopic::ALL
                .into_iter()
                .filter(|t| t.offered_to(role))
                .count()
        };
        assert_eq!(
            (
                offered(Role::EndUser),
                offered(Role::Agent),
                offered(Role::Admin)
            ),
            (3, 6, 8)
        );
    }
}
