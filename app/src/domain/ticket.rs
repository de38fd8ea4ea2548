//! Tickets as the end user meets them: the logging form, its validation, the human
//! ticket number and the status page.

use super::{CategoryId, ServiceId};
use serde::{Deserialize, Serialize};

/// Incident (something broken) or service request (something wanted).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketKind {
    Incident,
    Request,
}

impl TicketKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TicketKind::Incident => "incident",
            TicketKind::Request => "request",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "incident" => Some(TicketKind::Incident),
            "request" => Some(TicketKind::Request),
            _ => None,
        }
    }

    /// The prefix of the human ticket number.
    pub fn prefix(self) -> &'static str {
        match self {
            TicketKind::Incident => "INC",
            TicketKind::Request => "REQ",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TicketKind::Incident => "Incident",
            TicketKind::Request => "Service request",
        }
    }

    /// The state a new ticket of this kind starts in.
    pub fn initial_state(self) -> TicketState {
        match self {
            TicketKind::Incident => TicketState::New,
            TicketKind::Request => TicketState::Submitted,
        }
    }
}

/// Where a ticket is in its lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketState {
    New,
    InProgress,
    OnHold,
    Resolved,
    Closed,
    Submitted,
    Approved,
    Fulfilled,
}

impl TicketState {
    const ALL: [TicketState; 8] = [
        TicketState::New,
        TicketState::InProgress,
        TicketState::OnHold,
        TicketState::Resolved,
        TicketState::Closed,
        TicketState::Submitted,
        TicketState::Approved,
        TicketState::Fulfilled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TicketState::New => "new",
            TicketState::InProgress => "in_progress",
            TicketState::OnHold => "on_hold",
            TicketState::Resolved => "resolved",
            TicketState::Closed => "closed",
            TicketState::Submitted => "submitted",
            TicketState::Approved => "approved",
            TicketState::Fulfilled => "fulfilled",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            TicketState::New => "New",
            TicketState::InProgress => "In progress",
            TicketState::OnHold => "On hold",
            TicketState::Resolved => "Resolved",
            TicketState::Closed => "Closed",
            TicketState::Submitted => "Submitted",
            TicketState::Approved => "Approved",
            TicketState::Fulfilled => "Fulfilled",
        }
    }

    /// One sentence telling the user what this state means for them.
    pub fn explanation(self) -> &'static str {
        match self {
            TicketState::New => "We have your report and will pick it up shortly.",
            TicketState::InProgress => "Someone on the service desk is working on it.",
            TicketState::OnHold => "Work is paused while we wait for information.",
            TicketState::Resolved => "We believe this is fixed. Please check and let us know.",
            TicketState::Closed => "This ticket is closed.",
            TicketState::Submitted => "We have your request and will review it shortly.",
            TicketState::Approved => "Your request is approved and being fulfilled.",
            TicketState::Fulfilled => "Your request has been fulfilled.",
        }
    }
}

/// The human ticket number: `INC0001001`, `REQ0001001`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TicketNumber {
    pub kind: TicketKind,
    pub sequence: u32,
}

impl TicketNumber {
    /// Parses a number as users type it: case and surrounding spaces do not matter.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        if raw.len() != 10 || !raw.is_ascii() {
            return None;
        }
        let (prefix, digits) = raw.split_at(3);
        let kind = [TicketKind::Incident, TicketKind::Request]
            .into_iter()
            .find(|k| k.prefix().eq_ignore_ascii_case(prefix))?;
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(TicketNumber {
            kind,
            sequence: digits.parse().ok()?,
        })
    }
}

impl std::fmt::Display for TicketNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{:07}", self.kind.prefix(), self.sequence)
    }
}

/// A service of the catalogue, with its categories.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    pub id: ServiceId,
    pub slug: String,
    pub name: String,
    pub description: String,
    /// Offered on the logging form; a withdrawn service keeps its tickets and
    /// articles.
    pub offered: bool,
    pub categories: Vec<Category>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub id: CategoryId,
    pub name: String,
    /// Offered on the logging form (when its service is).
    pub offered: bool,
}

impl Service {
    /// What the logging form offers of `catalogue`: the offered services, each
    /// with its offered categories.
    pub fn offered_only(catalogue: Vec<Service>) -> Vec<Service> {
        catalogue
            .into_iter()
            .filter(|service| service.offered)
            .map(|mut service| {
                service.categories.retain(|category| category.offered);
                service
            })
            .filter(|service| !service.categories.is_empty())
            .collect()
    }
}

/// Why a ticket is paused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldReason {
    /// Waiting for the reporter: the SLA clock pauses.
    AwaitingUser,
    /// Waiting for a supplier: the clock keeps running.
    AwaitingSupplier,
}

/// How a ticket was resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResolutionCode {
    Fixed,
    Workaround,
    Advice,
    NoFaultFound,
    Duplicate,
    Withdrawn,
}

impl HoldReason {
    pub const ALL: [HoldReason; 2] = [HoldReason::AwaitingUser, HoldReason::AwaitingSupplier];

    pub fn as_str(self) -> &'static str {
        match self {
            HoldReason::AwaitingUser => "awaiting_user",
            HoldReason::AwaitingSupplier => "awaiting_supplier",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            HoldReason::AwaitingUser => "waiting for your reply",
            HoldReason::AwaitingSupplier => "waiting for a supplier",
        }
    }
}

impl ResolutionCode {
    pub const ALL: [ResolutionCode; 6] = [
        ResolutionCode::Fixed,
        ResolutionCode::Workaround,
        ResolutionCode::Advice,
        ResolutionCode::NoFaultFound,
        ResolutionCode::Duplicate,
        ResolutionCode::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ResolutionCode::Fixed => "fixed",
            ResolutionCode::Workaround => "workaround",
            ResolutionCode::Advice => "advice",
            ResolutionCode::NoFaultFound => "no_fault_found",
            ResolutionCode::Duplicate => "duplicate",
            ResolutionCode::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            ResolutionCode::Fixed => "Fixed",
            ResolutionCode::Workaround => "Workaround provided",
            ResolutionCode::Advice => "Advice given",
            ResolutionCode::NoFaultFound => "No fault found",
            ResolutionCode::Duplicate => "Duplicate",
            ResolutionCode::Withdrawn => "Withdrawn by the user",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_numbers_parse_and_print() {
        let n = TicketNumber::parse(" inc0001001 ").unwrap();
        assert_eq!(n.kind, TicketKind::Incident);
        assert_eq!(n.sequence, 1001);
        assert_eq!(n.to_string(), "INC0001001");
        for bad in ["INC001001", "XYZ0001001", "INC00010a1", "INC000100１", ""] {
            assert!(TicketNumber::parse(bad).is_none(), "{bad}");
        }
    }
}
