//! Service-failure notices: telling users about an outage before they have to ask.

use super::text::{clean_line, clean_text};
use super::ticket_form::check_length;
use super::{Field, FieldErrors, NoticeId, TicketNumber};
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
    pub const ALL: [Severity; 4] = [
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
    pub audience: Audience,
    /// The major incident it is about, and (for staff only) how many people are
    /// affected: its linked tickets and followers.
    pub major: Option<TicketNumber>,
    pub affected: Option<i64>,
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

    /// "Resolved", "Ongoing" or "Planned".
    pub fn state_label(&self, now: DateTime<Utc>) -> &'static str {
        if self.resolved_at.is_some() {
            "Resolved"
        } else if self.is_active(now) {
            "Ongoing"
        } else {
            "Planned"
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeUpdate {
    pub at: DateTime<Utc>,
    pub body: String,
}

/// Who sees a notice's banner.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Everybody, on every page.
    #[default]
    Everyone,
    /// Signed-in end users only if they use an affected service (have logged a
    /// ticket for it); visitors not signed in and staff always see it.
    Affected,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Everyone => "everyone",
            Audience::Affected => "affected",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Audience::Everyone, Audience::Affected]
            .into_iter()
            .find(|a| a.as_str() == raw)
    }
}

impl Severity {
    /// Worse first: the state a service is in while notices of several
    /// severities touch it is that of the worst.
    pub fn rank(self) -> u8 {
        match self {
            Severity::Critical => 0,
            Severity::Major => 1,
            Severity::Minor => 2,
            Severity::Maintenance => 3,
        }
    }

    /// A service's state while an active notice of this severity touches it.
    pub fn service_state(self) -> &'static str {
        match self {
            Severity::Critical => "Outage",
            Severity::Major => "Major disruption",
            Severity::Minor => "Minor disruption",
            Severity::Maintenance => "Maintenance",
        }
    }
}

pub const NOTICE_TITLE_CHARS: std::ops::RangeInclusive<usize> = 5..=150;
pub const NOTICE_TEXT_CHARS: std::ops::RangeInclusive<usize> = 10..=2_000;
pub const NOTICE_UPDATE_CHARS: std::ops::RangeInclusive<usize> = 2..=2_000;

/// A notice to publish, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoticeDraft {
    pub title: String,
    pub severity: Severity,
    pub experience: String,
    pub service_slugs: Vec<String>,
    pub audience: Audience,
    pub starts_at: DateTime<Utc>,
    pub expected_restoration_at: Option<DateTime<Utc>>,
    /// The major incident the notice is about.
    pub major: Option<TicketNumber>,
    /// Earlier updates (demo content); a new notice has none.
    pub updates: Vec<(DateTime<Utc>, String)>,
}

/// The admin's "publish a notice" form, exactly as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeForm {
    pub title: String,
    pub severity: String,
    pub services: Vec<String>,
    pub experience: String,
    pub audience: String,
    /// `YYYY-MM-DDTHH:MM` in UTC (a `datetime-local` field); empty means now.
    pub starts_at: String,
    /// The same, or empty when nobody knows yet.
    pub restoration: String,
    /// A major incident's number, or empty.
    pub major: String,
}

impl NoticeForm {
    /// Reads a form whose `services` field may repeat.
    pub fn from_fields(fields: &[(String, String)]) -> NoticeForm {
        let one = |name: &str| super::form_value(fields, name).to_string();
        NoticeForm {
            title: one("title"),
            severity: one("severity"),
            services: fields
                .iter()
                .filter(|(k, _)| k == "services")
                .map(|(_, v)| v.trim().to_string())
                .collect(),
            experience: one("experience"),
            audience: one("audience"),
            starts_at: one("starts_at"),
            restoration: one("restoration"),
            major: one("major"),
        }
    }

    /// What to show again in the fields.
    pub fn values(&self) -> Vec<(Field, String)> {
        vec![
            (Field::Title, self.title.clone()),
            (Field::Severity, self.severity.clone()),
            (Field::Services, self.services.join(",")),
            (Field::Experience, self.experience.clone()),
            (Field::Audience, self.audience.clone()),
            (Field::StartsAt, self.starts_at.clone()),
            (Field::Restoration, self.restoration.clone()),
            (Field::Major, self.major.clone()),
        ]
    }

    /// Checks everything that needs no database: whether the services and the
    /// major incident exist is the server's to check.
    pub fn parse(&self, now: DateTime<Utc>) -> Result<NoticeDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = clean_line(&self.title);
        check_length(
            &mut errors,
            Field::Title,
            &title,
            NOTICE_TITLE_CHARS,
            "Give the notice a title users will recognise, e.g. \"VPN unavailable\".",
            "title",
        );
        let severity = Severity::parse(self.severity.trim());
        if severity.is_none() {
            errors.add(Field::Severity, "Choose how severe it is.");
        }
        let mut service_slugs: Vec<String> = self
            .services
            .iter()
            .filter(|s| !s.is_empty())
            .cloned()
            .collect();
        service_slugs.sort();
        service_slugs.dedup();
        if service_slugs.is_empty() {
            errors.add(Field::Services, "Choose at least one affected service.");
        }
        let experience = clean_text(&self.experience);
        check_length(
            &mut errors,
            Field::Experience,
            &experience,
            NOTICE_TEXT_CHARS,
            "Say what users experience, e.g. \"The VPN client cannot connect\".",
            "description of what users experience",
        );
        let audience = match self.audience.trim() {
            "" => Some(Audience::Everyone),
            raw => Audience::parse(raw),
        };
        if audience.is_none() {
            errors.add(Field::Audience, "Choose who sees the banner.");
        }
        let starts_at = match self.starts_at.trim() {
            "" => Some(now),
            raw => parse_utc_minute(raw),
        };
        match starts_at {
            None => errors.add(Field::StartsAt, DATE_FORMAT_HELP),
            Some(at) if at > now + chrono::Duration::days(366) => {
                errors.add(Field::StartsAt, "The start must be within a year from now.")
            }
            _ => {}
        }
        let restoration = match self.restoration.trim() {
            "" => Ok(None),
            raw => parse_utc_minute(raw).map(Some).ok_or(DATE_FORMAT_HELP),
        };
        let expected_restoration_at = match (restoration, starts_at) {
            (Err(help), _) => {
                errors.add(Field::Restoration, help);
                None
            }
            (Ok(Some(at)), Some(start)) if at <= start => {
                errors.add(
                    Field::Restoration,
                    "The expected restoration must come after the start.",
                );
                None
            }
            (Ok(at), _) => at,
        };
        let major = match self.major.trim() {
            "" => None,
            raw => {
                let number = TicketNumber::parse(raw);
                if number.is_none() {
                    errors.add(
                        Field::Major,
                        "Enter a major incident's number, like INC0001001, or leave it empty.",
                    );
                }
                number
            }
        };
        match (severity, audience, starts_at) {
            (Some(severity), Some(audience), Some(starts_at)) if errors.is_empty() => {
                Ok(NoticeDraft {
                    title,
                    severity,
                    experience,
                    service_slugs,
                    audience,
                    starts_at,
                    expected_restoration_at,
                    major,
                    updates: Vec::new(),
                })
            }
            _ => Err(errors),
        }
    }
}

/// What an admin does to a published notice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoticeChange {
    /// A timeline entry; a new expected restoration (or none known) with it.
    Update {
        body: String,
        restoration: Option<Option<DateTime<Utc>>>,
    },
    /// The service is back; the last word on the timeline.
    Resolve { body: String },
    /// The notice is about this major incident.
    Link { major: TicketNumber },
}

/// The forms on a notice's admin page, exactly as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NoticeChangeForm {
    pub action: String,
    pub body: String,
    /// A new expected restoration; "unknown" clears it; empty leaves it.
    pub restoration: String,
    /// "on": nobody knows any more when the service will be back.
    pub unknown: String,
    pub major: String,
}

impl NoticeChangeForm {
    pub fn values(&self) -> Vec<(Field, String)> {
        vec![
            (Field::Body, self.body.clone()),
            (Field::Restoration, self.restoration.clone()),
            (Field::Major, self.major.clone()),
        ]
    }

    pub fn parse(&self) -> Result<NoticeChange, FieldErrors> {
        let mut errors = FieldErrors::default();
        let body = clean_text(&self.body);
        let change = match self.action.as_str() {
            "update" => {
                let restoration = match self.restoration.trim() {
                    "" => None,
                    "unknown" => Some(None),
                    raw => match parse_utc_minute(raw) {
                        Some(at) => Some(Some(at)),
                        None => {
                            errors.add(Field::Restoration, DATE_FORMAT_HELP);
                            None
                        }
                    },
                };
                if body.is_empty() && restoration.is_none() && errors.is_empty() {
                    errors.add(
                        Field::Body,
                        "Write the update, or give a new expected restoration.",
                    );
                } else if !body.is_empty() {
                    check_length(
                        &mut errors,
                        Field::Body,
                        &body,
                        NOTICE_UPDATE_CHARS,
                        "",
                        "update",
                    );
                }
                NoticeChange::Update { body, restoration }
            }
            "resolve" => {
                if !body.is_empty() {
                    check_length(
                        &mut errors,
                        Field::Body,
                        &body,
                        NOTICE_UPDATE_CHARS,
                        "",
                        "update",
                    );
                }
                NoticeChange::Resolve { body }
            }
            "link" => match TicketNumber::parse(self.major.trim()) {
                Some(major) => NoticeChange::Link { major },
                None => {
                    errors.add(
                        Field::Major,
                        "Enter a major incident's number, like INC0001001.",
                    );
                    return Err(errors);
                }
            },
            _ => {
                errors.add(Field::Body, "Choose what to do.");
                return Err(errors);
            }
        };
        if errors.is_empty() {
            Ok(change)
        } else {
            Err(errors)
        }
    }
}

const DATE_FORMAT_HELP: &str = "Enter the date and time in UTC, like 2026-11-24T14:30.";

/// `YYYY-MM-DDTHH:MM` (or with a space, or with seconds), read as UTC.
pub fn parse_utc_minute(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim().replace(' ', "T");
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|format| chrono::NaiveDateTime::parse_from_str(&raw, format).ok())
        .map(|naive| naive.and_utc())
}

/// The same, for a `datetime-local` field's value.
pub fn utc_minute(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M").to_string()
}

pub const RECENT_DAYS: i64 = 90;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn form() -> NoticeForm {
        NoticeForm {
            title: "VPN unavailable".into(),
            severity: "major".into(),
            services: vec!["vpn".into(), "vpn".into()],
            experience: "The VPN client cannot connect from home.".into(),
            audience: String::new(),
            starts_at: "2026-11-24T09:00".into(),
            restoration: "2026-11-24 11:30".into(),
            major: "inc0001001".into(),
        }
    }

    #[test]
    fn a_good_notice_is_read_as_typed_in_utc() {
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 8, 0, 0).unwrap();
        let draft = form().parse(now).unwrap();
        assert_eq!(draft.service_slugs, vec!["vpn".to_string()]);
        assert_eq!(draft.audience, Audience::Everyone);
        assert_eq!(
            draft.starts_at,
            Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap()
        );
        assert_eq!(
            draft.expected_restoration_at,
            Some(Utc.with_ymd_and_hms(2026, 11, 24, 11, 30, 0).unwrap())
        );
        assert_eq!(draft.major.unwrap().to_string(), "INC0001001");
    }

    #[test]
    fn every_problem_is_named_at_its_field() {
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 8, 0, 0).unwrap();
        let bad = NoticeForm {
            title: "VP".into(),
            severity: "apocalyptic".into(),
            services: vec![],
            experience: "".into(),
            audience: "martians".into(),
            starts_at: "tomorrow".into(),
            restoration: "2026-11-24T07:00".into(),
            major: "42".into(),
        };
        let errors = bad.parse(now).unwrap_err();
        for field in [
            Field::Title,
            Field::Severity,
            Field::Services,
            Field::Experience,
            Field::Audience,
            Field::StartsAt,
            Field::Major,
        ] {
            assert!(errors.get(field).is_some(), "{field:?}: {errors:?}");
        }
        let early = NoticeForm {
            restoration: "2026-11-24T08:59".into(),
            ..form()
        };
        assert!(early
            .parse(now)
            .unwrap_err()
            .get(Field::Restoration)
            .is_some());
        let far = NoticeForm {
            starts_at: "2028-01-01T00:00".into(),
            restoration: String::new(),
            ..form()
        };
        assert!(far.parse(now).unwrap_err().get(Field::StartsAt).is_some());
    }

    #[test]
    fn a_change_needs_something_to_say() {
        let change = |action: &str, body: &str, restoration: &str| NoticeChangeForm {
            action: action.into(),
            body: body.into(),
            restoration: restoration.into(),
            ..NoticeChangeForm::default()
        };
        let message = |form: NoticeChangeForm, field: Field| {
            form.parse()
                .expect_err("refused")
                .get(field)
                .map(str::to_string)
        };
        assert_eq!(
            message(change("update", "  ", ""), Field::Body).as_deref(),
            Some("Write the update, or give a new expected restoration.")
        );
        assert_eq!(
            message(change("update", "", "soon"), Field::Restoration).as_deref(),
            Some(DATE_FORMAT_HELP)
        );
        assert_eq!(
            change("update", "", "unknown").parse(),
            Ok(NoticeChange::Update {
                body: String::new(),
                restoration: Some(None)
            })
        );
        assert!(change("resolve", "", "").parse().is_ok());
        assert_eq!(
            message(change("link", "", ""), Field::Major).as_deref(),
            Some("Enter a major incident's number, like INC0001001.")
        );
        assert_eq!(
            message(change("explode", "x", ""), Field::Body).as_deref(),
            Some("Choose what to do.")
        );
    }
}
