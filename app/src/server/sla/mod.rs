//! SLA clocks: deadlines from stored timestamps and business calendars, and which
//! milestones (75 % and breach of the response and the resolution target) are
//! due. The clock that records each one exactly once is
//! `store::tickets::clock`.
//!
//! Nothing keeps a timer: every deadline is a column, and the clock records
//! whatever fell due since it last looked, so a breach that fell while the server
//! was down is recorded, with its due time, as soon as it runs again.
//!
//! Everything here is pure: a priority's [`Sla`] is read from the database by
//! [`crate::server::store::calendars::sla_for`].

mod calendar;

pub use calendar::{BusinessCalendar, Hours, DAY_MINUTES};

use crate::domain::{Phase, TicketFacts};
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeSet;

/// A priority's targets and the calendar they are counted in.
#[derive(Clone, Debug)]
pub struct Sla {
    pub calendar: BusinessCalendar,
    pub response: Duration,
    pub resolution: Duration,
}

/// The four moments of a ticket's clock. `None` where the calendar has no working
/// time left (a misconfigured calendar): such a ticket is never reported late.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Deadlines {
    pub response_risk_at: Option<DateTime<Utc>>,
    pub response_due_at: Option<DateTime<Utc>>,
    pub resolution_risk_at: Option<DateTime<Utc>>,
    pub resolution_due_at: Option<DateTime<Utc>>,
}

/// One target of an SLA.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    Response,
    Resolution,
}

impl Target {
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Response => "response",
            Target::Resolution => "resolution",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Target::Response, Target::Resolution]
            .into_iter()
            .find(|t| t.as_str() == raw)
    }
}

/// 75 % of a target, or its breach.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Milestone {
    AtRisk,
    Breached,
}

impl Milestone {
    pub fn as_str(self) -> &'static str {
        match self {
            Milestone::AtRisk => "at_risk",
            Milestone::Breached => "breached",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Milestone::AtRisk, Milestone::Breached]
            .into_iter()
            .find(|m| m.as_str() == raw)
    }
}

impl Sla {
    /// Deadlines for a ticket logged at `created_at` whose clock has been paused
    /// for `paused` of working time.
    pub fn deadlines(&self, created_at: DateTime<Utc>, paused: Duration) -> Deadlines {
        let at = |target: Duration| self.calendar.add(created_at, target + paused);
        Deadlines {
            response_risk_at: at(self.response * 3 / 4),
            response_due_at: at(self.response),
            resolution_risk_at: at(self.resolution * 3 / 4),
            resolution_due_at: at(self.resolution),
        }
    }
}

impl Deadlines {
    /// Every milestone with its moment, in the order they fall.
    pub fn milestones(&self) -> [(Target, Milestone, Option<DateTime<Utc>>); 4] {
        [
            (Target::Response, Milestone::AtRisk, self.response_risk_at),
            (Target::Response, Milestone::Breached, self.response_due_at),
            (
                Target::Resolution,
                Milestone::AtRisk,
                self.resolution_risk_at,
            ),
            (
                Target::Resolution,
                Milestone::Breached,
                self.resolution_due_at,
            ),
        ]
    }
}

/// The milestones a ticket has had recorded.
pub type Recorded = BTreeSet<(Target, Milestone)>;

/// The milestones still to record: not recorded yet, and their target not met.
pub fn pending(
    deadlines: &Deadlines,
    facts: &TicketFacts,
    recorded: &Recorded,
) -> Vec<(Target, Milestone, DateTime<Utc>)> {
    let met = |target: Target| match target {
        Target::Response => facts.responded_at.is_some(),
        Target::Resolution => matches!(Phase::of(facts.state), Phase::Done | Phase::Closed),
    };
    deadlines
        .milestones()
        .into_iter()
        .filter_map(|(target, milestone, at)| Some((target, milestone, at?)))
        .filter(|(target, milestone, _)| {
            !met(*target) && !recorded.contains(&(*target, *milestone))
        })
        .collect()
}

/// When the sweeper should next look at this ticket; `None` while the clock is
/// paused or nothing is pending.
pub fn next_milestone(
    deadlines: &Deadlines,
    facts: &TicketFacts,
    paused: bool,
    recorded: &Recorded,
) -> Option<DateTime<Utc>> {
    if paused {
        return None;
    }
    pending(deadlines, facts, recorded)
        .into_iter()
        .map(|(_, _, at)| at)
        .min()
}

/// The deadlines of a ticket just logged, and when the sweeper first looks at it.
pub fn first_deadlines(sla: &Sla, created_at: DateTime<Utc>) -> (Deadlines, Option<DateTime<Utc>>) {
    let deadlines = sla.deadlines(created_at, Duration::zero());
    let first = deadlines
        .milestones()
        .into_iter()
        .filter_map(|(_, _, at)| at)
        .min();
    (deadlines, first)
}
