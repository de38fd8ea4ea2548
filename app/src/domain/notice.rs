//! Service-failure notices: telling users about an outage before they have to ask.

use super::NoticeId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Critical,
    Major,
    Minor,
    Maintenance,
}

impl Severity {
    const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::Major,
        Severity::Minor,
        Severity::Maintenance,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Major => "major",
            Severity::Minor => "minor",
            Severity::Maintenance => "maintenance",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            Severity::Critical => "Critical outage",
            Severity::Major => "Major disruption",
            Severity::Minor => "Minor disruption",
            Severity::Maintenance => "Planned maintenance",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub id: NoticeId,
    pub title: String,
    pub severity: Severity,
    pub service_names: Vec<String>,
    pub experience: String,
    pub starts_at: DateTime<Utc>,
    pub expected_restoration_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// Newest first.
    pub updates: Vec<NoticeUpdate>,
}

impl Notice {
    /// Active: started and not yet resolved.
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.resolved_at.is_none() && self.starts_at <= now
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeUpdate {
    pub at: DateTime<Utc>,
    pub body: String,
}
