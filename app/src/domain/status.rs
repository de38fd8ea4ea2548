//! What a ticket's reporter — and someone following a major incident — sees of it.

use super::{
    FileView, HoldReason, LinkView, Priority, PriorityRule, ResolutionCode, TargetView, TicketKind,
    TicketNumber, TicketState, Voice,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What the reporter may see of a ticket: no internal notes, no agent details.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketStatus {
    pub number: TicketNumber,
    pub kind: TicketKind,
    pub state: TicketState,
    pub priority: Priority,
    pub priority_rule: PriorityRule,
    pub service_name: String,
    pub category_name: String,
    pub summary: String,
    pub created_at: DateTime<Utc>,
    /// What the reporter saw; their actions carry it back.
    pub version: i64,
    pub hold: Option<HoldReason>,
    /// The assignment group working on it.
    pub group: Option<String>,
    pub response: TargetView,
    pub resolution_target: TargetView,
    pub resolution: Option<(ResolutionCode, String)>,
    pub rating: Option<u8>,
    /// Known errors and the major incident it is part of.
    pub links: Vec<LinkView>,
    /// For someone following a major incident: the title of the service notice
    /// published for it, if any.
    pub notice: Option<String>,
    pub timeline: Vec<TimelineEntry>,
}

/// A line of "My tickets".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketSummary {
    pub number: TicketNumber,
    pub kind: TicketKind,
    pub state: TicketState,
    pub priority: Priority,
    pub priority_label: String,
    pub summary: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One public entry of a ticket's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub text: String,
    /// The files attached with it.
    #[serde(default)]
    pub files: Vec<FileView>,
    /// Whose voice it is: the desk's messages look unlike what happened to the ticket.
    #[serde(default)]
    pub voice: Voice,
}

/// Who the state changes of a major incident are shown as to its followers.
pub const SERVICE_DESK: &str = "IT service desk";

impl TimelineEntry {
    /// One public entry of the history as its reporter reads it: what they did
    /// themselves is said to them ("You confirmed the resolution.").
    pub fn for_reporter(
        at: DateTime<Utc>,
        actor: String,
        kind: &str,
        text: String,
        files: Vec<FileView>,
    ) -> TimelineEntry {
        let yours = |text: String| ("You".to_string(), text);
        let (actor, text) = match kind {
            "resolution_confirmed" => yours("You confirmed the resolution.".into()),
            "resolution_rejected" => yours(format!("You said it is not fixed: {text}")),
            "user_information" => yours(text),
            "status_inquiry" if text.is_empty() => yours("You asked for an update.".into()),
            "status_inquiry" => yours(format!("You asked for an update: {text}")),
            "user_escalation" => yours(format!("You asked for more urgency: {text}")),
            "rated" => yours(text.replacen("Rated", "You rated it", 1)),
            _ => (actor, text),
        };
        TimelineEntry {
            at,
            actor,
            text,
            files,
            voice: Voice::of(kind, false),
        }
    }

    /// What someone following a major incident ("this is my problem too") may
    /// read of one public entry of its history: the state it is in and the
    /// updates posted for everyone affected (replies since it was declared major,
    /// its resolution) — never what its reporter wrote or was told, nor the
    /// reporter's name.
    pub fn for_follower(
        at: DateTime<Utc>,
        actor: String,
        kind: &str,
        text: String,
        files: Vec<FileView>,
        declared_major: bool,
    ) -> Option<TimelineEntry> {
        let desk = |text: &str| TimelineEntry {
            at,
            actor: SERVICE_DESK.into(),
            text: text.into(),
            files: Vec::new(),
            voice: Voice::Event,
        };
        match kind {
            // Updates for everyone affected carry their files; nothing else does.
            "reply" if declared_major => Some(TimelineEntry {
                at,
                actor,
                text,
                files,
                voice: Voice::Desk,
            }),
            "resolved" => Some(TimelineEntry {
                at,
                actor,
                text,
                files,
                voice: Voice::Desk,
            }),
            "major_declared" => Some(TimelineEntry {
                at,
                actor,
                text: "Declared a major incident".into(),
                files: Vec::new(),
                voice: Voice::Desk,
            }),
            "state_changed" => Some(desk(&text)),
            "assigned" => Some(desk(&text)),
            "on_hold" => Some(desk("On hold")),
            "closed" | "resolution_confirmed" => Some(desk("Closed")),
            "reopened" => Some(desk("Reopened")),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reporter_reads_what_they_did_as_said_to_them() {
        let at = Utc::now();
        let read = |kind: &str, text: &str| {
            let e = TimelineEntry::for_reporter(at, "Rita".into(), kind, text.into(), Vec::new());
            (e.actor, e.text, e.voice)
        };
        assert_eq!(
            read("resolution_confirmed", "The user confirmed the resolution"),
            (
                "You".into(),
                "You confirmed the resolution.".into(),
                Voice::Event
            )
        );
        assert_eq!(
            read("rated", "Rated 4 of 5: quick"),
            (
                "You".into(),
                "You rated it 4 of 5: quick".into(),
                Voice::Event
            )
        );
        assert_eq!(
            read("user_information", "It is a WD19"),
            ("You".into(), "It is a WD19".into(), Voice::Reporter)
        );
        // The desk's words stay the desk's, and look like a message.
        assert_eq!(
            read("reply", "Which dock?"),
            ("Rita".into(), "Which dock?".into(), Voice::Desk)
        );
    }

    #[test]
    fn a_follower_reads_states_and_updates_never_the_reporters_conversation() {
        let at = Utc::now();
        let entry = |kind: &str, major: bool| {
            TimelineEntry::for_follower(
                at,
                "Rita Reporter".into(),
                kind,
                "private words".into(),
                vec![FileView {
                    id: "f".into(),
                    name: "private.png".into(),
                    media_type: "image/png".into(),
                    size: 1,
                    thumbnail: None,
                    scan: Default::default(),
                }],
                major,
            )
        };
        for kind in [
            "logged",
            "user_information",
            "status_inquiry",
            "user_escalation",
            "resolution_rejected",
            "rated",
            "major_update",
        ] {
            assert_eq!(entry(kind, true), None, "{kind}");
        }
        assert_eq!(
            entry("reply", false),
            None,
            "a reply before the incident was major"
        );
        assert_eq!(entry("reply", true).unwrap().text, "private words");
        assert_eq!(entry("reply", true).unwrap().files.len(), 1);
        for kind in [
            "reopened",
            "on_hold",
            "resolution_confirmed",
            "major_declared",
        ] {
            let shown = entry(kind, true).unwrap();
            assert!(!shown.text.contains("private"), "{kind}");
            assert!(shown.files.is_empty(), "{kind}");
        }
        for kind in ["reopened", "on_hold", "resolution_confirmed"] {
            assert_eq!(entry(kind, true).unwrap().actor, SERVICE_DESK, "{kind}");
        }
    }
}
