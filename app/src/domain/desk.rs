//! What the service desk sees: the queue, a ticket in full, and how its SLA
//! targets stand.

use super::priority::{Impact, PriorityRule, Urgency};
use super::ticket::{HoldReason, ResolutionCode};
use super::ticket::{TicketKind, TicketNumber, TicketState};
use super::{CategoryId, FileView};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How a target stands at a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    OnTrack,
    /// 75 % of the target has passed.
    AtRisk,
    Breached,
    /// The clock is stopped while the ticket waits on the user.
    Paused,
    Met,
}

impl Standing {
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::OnTrack => "on_track",
            Standing::AtRisk => "at_risk",
            Standing::Breached => "breached",
            Standing::Paused => "paused",
            Standing::Met => "met",
        }
    }
}

/// One SLA target of a ticket, as of the moment it was looked at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetView {
    pub due_at: DateTime<Utc>,
    pub standing: Standing,
    /// "2 h 15 min left", "overdue by 40 min", "met", "paused".
    pub left: String,
}

impl TargetView {
    /// The standing of a target due at `due_at` with its 75 % mark at `risk_at`.
    pub fn at(
        now: DateTime<Utc>,
        due_at: DateTime<Utc>,
        risk_at: Option<DateTime<Utc>>,
        met: bool,
        paused: bool,
    ) -> TargetView {
        let (standing, left) = if met {
            (Standing::Met, "met".to_string())
        } else if paused {
            (Standing::Paused, "paused".to_string())
        } else if now >= due_at {
            (
                Standing::Breached,
                format!("overdue by {}", span_in_words(now - due_at)),
            )
        } else {
            let standing = match risk_at {
                Some(risk) if now >= risk => Standing::AtRisk,
                _ => Standing::OnTrack,
            };
            (standing, format!("{} left", span_in_words(due_at - now)))
        };
        TargetView {
            due_at,
            standing,
            left,
        }
    }
}

/// A span as "3 d 4 h", "2 h 15 min", "40 min", "under a minute".
pub fn span_in_words(span: Duration) -> String {
    let minutes = span.num_minutes();
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    match (days, hours, mins) {
        (0, 0, 0) => "under a minute".into(),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// How many tickets a page of the queue shows.
pub const QUEUE_PAGE_SIZE: usize = 50;
/// How far the queue counts the tickets matching its filters.
pub const QUEUE_COUNT_CAP: usize = 1_000;

/// The queue's filters, as the query string carries them. Empty means "any".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QueueFilter {
    /// An assignment group's id.
    pub group: String,
    /// "me" for the viewer's own tickets, "none" for unassigned ones.
    pub assignee: String,
    /// A state (`new`, `in_progress`, …).
    pub state: String,
    /// A service's slug.
    pub service: String,
    /// 1 to 5.
    pub priority: String,
    /// "at_risk" (at risk or breached) or "breached".
    pub sla: String,
    /// Where a page starts: after this ticket (its number), in the queue's order.
    pub after: String,
    /// The page's number, from 1: only for saying which tickets it shows.
    pub page: String,
}

impl QueueFilter {
    /// Whether the filter asks for finished tickets (one done state), which the
    /// queue lists most recently changed first, rather than open ones.
    pub fn shows_done(&self) -> bool {
        matches!(self.state.as_str(), "resolved" | "fulfilled" | "closed")
    }

    /// The page's number, from 1.
    pub fn page_number(&self) -> usize {
        self.page.parse().ok().filter(|n| *n >= 1).unwrap_or(1)
    }
}

impl QueueFilter {
    /// The filters (not the page) as a query string, for links and the live refresh.
    pub fn query(&self) -> String {
        [
            ("group", &self.group),
            ("assignee", &self.assignee),
            ("state", &self.state),
            ("service", &self.service),
            ("priority", &self.priority),
            ("sla", &self.sla),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", super::text::encode_query_value(v)))
        .collect::<Vec<_>>()
        .join("&")
    }
}

/// A line of the queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRow {
    pub number: TicketNumber,
    pub kind: TicketKind,
    pub state: TicketState,
    pub priority: u8,
    pub summary: String,
    pub service: String,
    pub group: Option<String>,
    pub assignee: Option<String>,
    pub response: TargetView,
    pub resolution: TargetView,
    pub escalated: bool,
    pub major: bool,
    pub updated_at: DateTime<Utc>,
}

/// An ongoing major incident, as the logging form offers it ("this is my problem
/// too").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OngoingMajor {
    pub number: TicketNumber,
    /// The title of its service-failure notice when one is linked (written for
    /// users), else the ticket's summary.
    pub summary: String,
    /// What users experience, from the notice, if there is one.
    pub experience: Option<String>,
    /// The services it affects: the ticket's and the notice's, as (slug, name).
    pub services: Vec<(String, String)>,
}

/// A name to choose in a form, by id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: i64,
    pub name: String,
}

/// The first page of the queue and what its filters offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    /// How many tickets match the filters, on every page; past
    /// [`QUEUE_COUNT_CAP`] only that there are more.
    pub total: i64,
    /// Where the next page starts (the last row's number), if more tickets match.
    pub next: Option<String>,
    pub groups: Vec<Choice>,
    /// Services by slug.
    pub services: Vec<(String, String)>,
}

/// The kinds of record a ticket can be linked to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    KnownError,
    Incident,
    MajorIncident,
}

impl LinkKind {
    pub const ALL: [LinkKind; 3] = [
        LinkKind::KnownError,
        LinkKind::Incident,
        LinkKind::MajorIncident,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::KnownError => "known_error",
            LinkKind::Incident => "incident",
            LinkKind::MajorIncident => "major_incident",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            LinkKind::KnownError => "Known error",
            LinkKind::Incident => "Related incident",
            LinkKind::MajorIncident => "Part of major incident",
        }
    }
}

/// A linked record, ready to show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkView {
    pub kind: LinkKind,
    /// The record's number or title.
    pub label: String,
    pub href: String,
}

/// One entry of a ticket's full history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub kind: String,
    pub internal: bool,
    pub text: String,
    /// The files attached with it.
    #[serde(default)]
    pub files: Vec<FileView>,
}

impl HistoryEntry {
    /// How the desk names a kind of entry.
    pub fn kind_label(&self) -> &'static str {
        match self.kind.as_str() {
            "logged" => "Logged",
            "reply" => "Reply",
            "note" => "Internal note",
            "user_information" => "Information from the user",
            "status_inquiry" => "Status inquiry",
            "user_escalation" => "User escalation",
            "assigned" => "Assignment",
            "escalated" => "Functional escalation",
            "escalated_to_managers" => "Hierarchical escalation",
            "major_declared" => "Major incident",
            "major_update" => "Major incident update",
            "follower" => "Same problem reported",
            "follower_mail" => "E-mail from a follower",
            "mail_held" => "E-mail held for the desk",
            "triage_changed" => "Priority change",
            "recategorised" => "Re-categorised",
            "linked" => "Link",
            "model_applied" => "Incident model",
            "checklist" => "Checklist",
            "sla_at_risk" => "SLA at risk",
            "sla_breached" => "SLA breached",
            "resolved" => "Resolved",
            "resolution_confirmed" => "Resolution confirmed",
            "resolution_rejected" => "Resolution rejected",
            "state_changed" => "State",
            "on_hold" => "On hold",
            "rated" => "Rating",
            "closed" => "Closed",
            "reopened" => "Reopened",
            _ => "Change",
        }
    }

    /// Whose voice the entry is, so the conversation tells them apart at a glance.
    pub fn voice(&self) -> Voice {
        Voice::of(&self.kind, self.internal)
    }
}

/// Who speaks in an entry of a ticket's conversation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Voice {
    /// A message from the desk that the reporter reads.
    Desk,
    /// Something the reporter (or someone with the same problem) wrote.
    Reporter,
    /// Written for the desk only.
    Note,
    /// Something that happened to the ticket: assignment, state, priority…
    #[default]
    Event,
}

impl Voice {
    /// The voice of an entry of `kind` (`internal` when only the desk sees it).
    pub fn of(kind: &str, internal: bool) -> Voice {
        match kind {
            "note" | "follower_mail" | "mail_held" => Voice::Note,
            "reply" | "major_update" | "resolved" if !internal => Voice::Desk,
            "user_information"
            | "status_inquiry"
            | "user_escalation"
            | "resolution_rejected"
            | "follower" => Voice::Reporter,
            _ => Voice::Event,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Desk => "desk",
            Self::Reporter => "reporter",
            Self::Note => "note",
            Self::Event => "event",
        }
    }
}

/// A step of a ticket's checklist.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistStep {
    pub position: i64,
    pub text: String,
    /// When and by whom it was ticked off.
    pub done: Option<(DateTime<Utc>, String)>,
}

/// Whoever logged the ticket, as the desk sees them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReporterView {
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    /// Logged while signed in to an account.
    pub has_account: bool,
}

/// A ticket in full, for the desk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeskTicket {
    pub number: TicketNumber,
    pub kind: TicketKind,
    pub state: TicketState,
    pub hold: Option<HoldReason>,
    pub version: i64,
    pub priority_rule: PriorityRule,
    pub impact: Option<Impact>,
    pub urgency: Option<Urgency>,
    pub service: String,
    pub category: String,
    pub category_id: CategoryId,
    pub summary: String,
    pub description: String,
    pub reporter: ReporterView,
    pub group: Option<Choice>,
    pub group_level: Option<u8>,
    pub assignee: Option<Choice>,
    pub escalated: bool,
    pub major: bool,
    pub resolution: Option<(ResolutionCode, String)>,
    pub rating: Option<u8>,
    pub response: TargetView,
    pub resolution_target: TargetView,
    pub created_at: DateTime<Utc>,
    pub history: Vec<HistoryEntry>,
    pub links: Vec<LinkView>,
    /// For a major incident: the tickets linked to it.
    pub linked_tickets: Vec<LinkView>,
    /// For a major incident: people attached through "this is my problem too".
    pub followers: i64,
    pub checklist: Vec<ChecklistStep>,
    pub choices: DeskChoices,
    /// The viewer may write a known error from this (resolved) incident.
    #[serde(default)]
    pub offer_known_error: bool,
    /// Messages about the ticket that failed or wait to be tried again.
    #[serde(default)]
    pub mail_troubles: Vec<super::MailTrouble>,
    /// Mail received about the ticket, newest first.
    #[serde(default)]
    pub mail_received: Vec<super::ReceivedMail>,
}

/// What the action forms offer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeskChoices {
    pub groups: Vec<(Choice, u8)>,
    pub staff: Vec<Choice>,
    /// "Service · category", by category id.
    pub categories: Vec<Choice>,
    /// The active incident models: those of the ticket's category first.
    pub models: Vec<Choice>,
    /// How many of `models`, from the first, are for the ticket's category.
    #[serde(default)]
    pub fitting_models: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + minutes * 60, 0).unwrap()
    }

    #[test]
    fn the_conversation_tells_voices_apart() {
        let entry = |kind: &str, internal| HistoryEntry {
            at: at(0),
            actor: "Someone".into(),
            kind: kind.into(),
            internal,
            text: String::new(),
            files: Vec::new(),
        };
        assert_eq!(entry("reply", false).voice(), Voice::Desk);
        assert_eq!(entry("resolved", false).voice(), Voice::Desk);
        assert_eq!(entry("note", true).voice(), Voice::Note);
        assert_eq!(entry("mail_held", true).voice(), Voice::Note);
        assert_eq!(entry("user_information", false).voice(), Voice::Reporter);
        assert_eq!(entry("assigned", true).voice(), Voice::Event);
        assert_eq!(entry("logged", false).voice(), Voice::Event);
    }

    #[test]
    fn targets_stand_by_their_marks() {
        let view = |now, met, paused| TargetView::at(at(now), at(100), Some(at(75)), met, paused);
        assert_eq!(view(10, false, false).standing, Standing::OnTrack);
        assert_eq!(view(10, false, false).left, "1 h 30 min left");
        assert_eq!(view(80, false, false).standing, Standing::AtRisk);
        assert_eq!(view(140, false, false).left, "overdue by 40 min");
        assert_eq!(view(140, true, false).standing, Standing::Met);
        assert_eq!(view(140, false, true).standing, Standing::Paused);
    }

    #[test]
    fn spans_read_naturally() {
        assert_eq!(span_in_words(Duration::seconds(30)), "under a minute");
        assert_eq!(span_in_words(Duration::minutes(120)), "2 h");
        assert_eq!(span_in_words(Duration::minutes(3 * 1440 + 250)), "3 d 4 h");
    }

    #[test]
    fn filters_become_a_query_string() {
        let filter = QueueFilter {
            assignee: "me".into(),
            service: "a b&c".into(),
            ..QueueFilter::default()
        };
        assert_eq!(filter.query(), "assignee=me&service=a%20b%26c");
    }
}
