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
    /// The working hours the targets count in ("Mon–Fri 08:00–18:00 London
    /// time"); `None` when they run around the clock.
    #[serde(default)]
    pub working_hours: Option<String>,
}

impl PriorityRule {
    /// "P2 – High".
    pub fn title(&self) -> String {
        format!("{} – {}", self.priority, self.label)
    }

    /// The targets as a sentence a user understands, saying in which hours they
    /// count: "We aim to respond within 2 working hours and resolve within 8
    /// working hours (Mon–Fri 08:00–18:00 London time)."
    pub fn targets_sentence(&self) -> String {
        let sentence = format!(
            "We aim to respond within {} and resolve within {}",
            self.span_in_words(self.response_minutes),
            self.span_in_words(self.resolution_minutes)
        );
        match &self.working_hours {
            Some(hours) => format!("{sentence} ({hours})."),
            None => format!("{sentence}."),
        }
    }

    /// A target of `minutes` as this priority counts it: "2 working hours" in a
    /// business calendar, "4 hours" around the clock.
    pub fn span_in_words(&self, minutes: u32) -> String {
        match self.working_hours {
            Some(_) => working_time_in_words(minutes),
            None => duration_in_words(minutes),
        }
    }

    /// A target with its hours: "8 working hours, Mon–Fri 08:00–18:00 London
    /// time", or "4 hours" around the clock.
    pub fn span_with_hours(&self, minutes: u32) -> String {
        match &self.working_hours {
            Some(hours) => format!("{}, {hours}", working_time_in_words(minutes)),
            None => duration_in_words(minutes),
        }
    }
}

/// Working time in words, in hours however long ("a day" of working time is
/// not 24 hours): "30 working minutes", "2 working hours", "1 working hour 30
/// minutes".
pub fn working_time_in_words(minutes: u32) -> String {
    let (hours, mins) = (minutes / 60, minutes % 60);
    match (hours, mins) {
        (0, m) => format!("{m} working {}", if m == 1 { "minute" } else { "minutes" }),
        (h, 0) => format!("{h} working {}", if h == 1 { "hour" } else { "hours" }),
        (h, m) => format!(
            "{h} working {} {m} {}",
            if h == 1 { "hour" } else { "hours" },
            if m == 1 { "minute" } else { "minutes" }
        ),
    }
}

/// A week of working hours in words: "Mon–Fri 08:00–18:00 London time".
/// `week` is Monday first, each day (opens, closes) in minutes after local
/// midnight or `None` for a day off; `None` when every day is whole (the
/// targets then run around the clock).
pub fn working_hours_in_words(week: &[Option<(u16, u16)>; 7], zone: &str) -> Option<String> {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    if week.iter().all(|day| *day == Some((0, 1440))) {
        return None;
    }
    let clock = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
    let mut runs: Vec<String> = Vec::new();
    let mut day = 0;
    while day < 7 {
        let Some((opens, closes)) = week[day] else {
            day += 1;
            continue;
        };
        let mut last = day;
        while last + 1 < 7 && week[last + 1] == week[day] {
            last += 1;
        }
        let days = if last == day {
            DAYS[day].to_string()
        } else {
            format!("{}–{}", DAYS[day], DAYS[last])
        };
        let hours = if (opens, closes) == (0, 1440) {
            "all day".to_string()
        } else {
            format!("{}–{}", clock(opens), clock(closes))
        };
        runs.push(format!("{days} {hours}"));
        day = last + 1;
    }
    if runs.is_empty() {
        return Some("no working hours set".to_string());
    }
    Some(format!("{} {}", runs.join(", "), zone_in_words(zone)))
}

/// A time zone as people say it: "Europe/London" as "London time",
/// "America/New_York" as "New York time", "UTC" as itself.
pub fn zone_in_words(zone: &str) -> String {
    match zone.rsplit_once('/') {
        Some((_, city)) => format!("{} time", city.replace('_', " ")),
        None => zone.to_string(),
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
    fn working_hours_read_as_the_calendar_says() {
        let office = [
            Some((480, 1080)),
            Some((480, 1080)),
            Some((480, 1080)),
            Some((480, 1080)),
            Some((480, 1080)),
            None,
            None,
        ];
        assert_eq!(
            working_hours_in_words(&office, "Europe/London").as_deref(),
            Some("Mon–Fri 08:00–18:00 London time")
        );
        let mut uneven = office;
        uneven[4] = Some((480, 960));
        uneven[5] = Some((0, 1440));
        assert_eq!(
            working_hours_in_words(&uneven, "America/New_York").as_deref(),
            Some("Mon–Thu 08:00–18:00, Fri 08:00–16:00, Sat all day New York time")
        );
        assert_eq!(working_hours_in_words(&[Some((0, 1440)); 7], "UTC"), None);
        assert_eq!(working_time_in_words(120), "2 working hours");
        assert_eq!(working_time_in_words(90), "1 working hour 30 minutes");
        assert_eq!(working_time_in_words(1440), "24 working hours");
        assert_eq!(working_time_in_words(30), "30 working minutes");
    }

    #[test]
    fn targets_say_in_which_hours_they_count() {
        let mut rule = PriorityRule {
            priority: Priority::new(2).unwrap(),
            label: "High".into(),
            response_minutes: 120,
            resolution_minutes: 480,
            working_hours: Some("Mon–Fri 08:00–18:00 London time".into()),
        };
        assert_eq!(
            rule.targets_sentence(),
            "We aim to respond within 2 working hours and resolve within 8 working hours \
             (Mon–Fri 08:00–18:00 London time)."
        );
        rule.working_hours = None;
        assert_eq!(
            rule.targets_sentence(),
            "We aim to respond within 2 hours and resolve within 8 hours."
        );
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
