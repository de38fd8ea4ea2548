//! What a ticket's reporter — and someone following a major incident — sees of it.

use super::{
    FileView, HoldReason, LinkView, Priority, PriorityRule, ResolutionCode, TargetView, TicketKind,
    TicketNumber, TicketState,
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
}

/// Who the state changes of a major incident are shown as to its followers.
pub const SERVICE_DESK: &str = "IT service desk";

impl TimelineEntry {
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
        };
        match kind {
            // Updates for everyone affected carry their files; nothing else does.
            "reply" if declared_major => Some(TimelineEntry {
                at,
                actor,
                text,
                files,
            }),
            "resolved" => Some(TimelineEntry {
                at,
                actor,
                text,
                files,
            }),
            "major_declared" => Some(TimelineEntry {
                at,
                actor,
                text: "Declared a major incident".into(),
                files: Vec::new(),
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
