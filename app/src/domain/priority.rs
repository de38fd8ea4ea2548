//! Impact, urgency and the priority derived from them.
//!
//! Priority is never typed by anyone: it is looked up in the impact × urgency matrix
//! that the database holds, and each priority carries its response and resolution
//! targets.

use serde::{Deserialize, Serialize};

/// How many people an incident affects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Impact {
    Low,
    Medium,
    High,
}

/// How soon an incident hurts the people it affects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Low,
    Medium,
    High,
}

impl Impact {
    pub const ALL: [Impact; 3] = [Impact::Low, Impact::Medium, Impact::High];

    pub fn as_str(self) -> &'static str {
        match self {
            Impact::Low => "low",
            Impact::Medium => "medium",
            Impact::High => "high",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == raw)
    }

    /// The answer a user picks for "Who is affected?".
    pub fn question_answer(self) -> &'static str {
        match self {
            Impact::Low => "Only me",
            Impact::Medium => "My team or department",
            Impact::High => "Many people, a whole site, or customers",
        }
    }
}

impl Urgency {
    pub const ALL: [Urgency; 3] = [Urgency::Low, Urgency::Medium, Urgency::High];

    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Low => "low",
            Urgency::Medium => "medium",
            Urgency::High => "high",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == raw)
    }

    /// The answer a user picks for "How does it affect your work?".
    pub fn question_answer(self) -> &'static str {
        match self {
            Urgency::Low => "I can work normally",
            Urgency::Medium => "I can work around it",
            Urgency::High => "I cannot work, or a deadline is at risk",
        }
    }
}

/// P1 (critical) to P5 (planning).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Priority(u8);

impl Priority {
    pub fn new(level: i64) -> Option<Self> {
        (1..=5).contains(&level).then_some(Priority(level as u8))
    }

    pub fn level(self) -> u8 {
        self.0
    }
}

impl std::fmt::Display for Priority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "P{}", self.0)
    }
}

/// One priority with its name and targets, as configured.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityRule {
    pub priority: Priority,
    pub label: String,
    pub response_minutes: u32,
    pub resolution_minutes: u32,
}

impl PriorityRule {
    /// "P2 – High".
    pub fn title(&self) -> String {
        format!("{} – {}", self.priority, self.label)
    }

    /// The targets as a sentence a user understands.
    pub fn targets_sentence(&self) -> String {
        format!(
            "We aim to respond within {} and resolve within {}.",
            duration_in_words(self.response_minutes),
            duration_in_words(self.resolution_minutes)
        )
    }
}

/// The whole configured matrix and the rules of each priority, small enough to send
/// to the browser so the logging form can show the priority as the user answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityTable {
    pub cells: Vec<(Impact, Urgency, Priority)>,
    pub rules: Vec<PriorityRule>,
    /// Service requests are not triaged by impact and urgency; they get this priority.
    pub request_priority: Priority,
}

impl PriorityTable {
    pub fn priority_of(&self, impact: Impact, urgency: Urgency) -> Option<Priority> {
        self.cells
            .iter()
            .find(|(i, u, _)| *i == impact && *u == urgency)
            .map(|(_, _, p)| *p)
    }

    pub fn rule(&self, priority: Priority) -> Option<&PriorityRule> {
        self.rules.iter().find(|r| r.priority == priority)
    }

    pub fn rule_for(&self, impact: Impact, urgency: Urgency) -> Option<&PriorityRule> {
        self.priority_of(impact, urgency).and_then(|p| self.rule(p))
    }
}

/// Minutes as words: "30 minutes", "4 hours", "1 hour 30 minutes", "3 days".
///
/// Whole days are used from 24 hours up, so that long targets read naturally.
pub fn duration_in_words(minutes: u32) -> String {
    fn unit(n: u32, one: &str, many: &str) -> String {
        format!("{n} {}", if n == 1 { one } else { many })
    }
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    let parts: Vec<String> = if days > 0 && hours == 0 && mins == 0 {
        vec![unit(days, "day", "days")]
    } else if minutes >= 60 {
        let hours = minutes / 60;
        let mut p = vec![unit(hours, "hour", "hours")];
        if mins > 0 {
            p.push(unit(mins, "minute", "minutes"));
        }
        p
    } else {
        vec![unit(minutes, "minute", "minutes")]
    };
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_words() {
        assert_eq!(duration_in_words(1), "1 minute");
        assert_eq!(duration_in_words(30), "30 minutes");
        assert_eq!(duration_in_words(60), "1 hour");
        assert_eq!(duration_in_words(90), "1 hour 30 minutes");
        assert_eq!(duration_in_words(240), "4 hours");
        assert_eq!(duration_in_words(1440), "1 day");
        assert_eq!(duration_in_words(1500), "25 hours");
        assert_eq!(duration_in_words(4320), "3 days");
    }

    #[test]
    fn impact_and_urgency_round_trip_through_their_names() {
        for i in Impact::ALL {
            assert_eq!(Impact::parse(i.as_str()), Some(i));
        }
        for u in Urgency::ALL {
            assert_eq!(Urgency::parse(u.as_str()), Some(u));
        }
        assert_eq!(Impact::parse("HIGH"), None);
    }

    #[test]
    fn priority_is_one_to_five() {
        assert!(Priority::new(0).is_none());
        assert!(Priority::new(6).is_none());
        assert_eq!(Priority::new(3).map(|p| p.to_string()), Some("P3".into()));
    }
}
