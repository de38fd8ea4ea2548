//! Business calendars as the admin configures them: a time zone, working hours
//! per weekday, holidays, and which calendar each priority's targets are counted
//! in. (The server's `sla::BusinessCalendar` does the counting.)

use super::{clean_line, form_value, CalendarId, NamedErrors};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Weekdays, Monday first, as (input prefix, name).
pub const WEEKDAYS: [(&str, &str); 7] = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
];
/// At most this many holidays in one calendar (several years of them).
pub const MAX_HOLIDAYS: usize = 400;
const DAY_MINUTES: u16 = 24 * 60;

/// A calendar as the admin sees and edits it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarConfig {
    pub id: CalendarId,
    pub name: String,
    /// An IANA zone name, such as Europe/London.
    pub time_zone: String,
    /// Monday first: (opens, closes) in minutes after local midnight, `None` a day off.
    pub week: Vec<Option<(u16, u16)>>,
    /// (date, name), in date order.
    pub holidays: Vec<(NaiveDate, String)>,
    /// The priorities (1–5) whose targets count in this calendar.
    pub priorities: Vec<u8>,
}

impl CalendarConfig {
    /// The form's inputs filled in with what is saved.
    pub fn fields(&self) -> Vec<(String, String)> {
        let mut fields = vec![
            ("name".to_string(), self.name.clone()),
            ("time_zone".to_string(), self.time_zone.clone()),
        ];
        for ((day, _), hours) in WEEKDAYS.iter().zip(&self.week) {
            let (opens, closes) = hours.map_or((String::new(), String::new()), |(o, c)| {
                (clock_time(o), clock_time(c))
            });
            fields.push((format!("{day}_opens"), opens));
            fields.push((format!("{day}_closes"), closes));
        }
        let holidays = self
            .holidays
            .iter()
            .map(|(day, name)| format!("{day} {name}").trim_end().to_string())
            .collect::<Vec<_>>()
            .join("\n");
        fields.push(("holidays".to_string(), holidays));
        fields
    }
}

/// One priority and the calendar its targets count in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityCalendar {
    pub priority: u8,
    pub label: String,
    pub calendar_id: Option<CalendarId>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarsOverview {
    pub calendars: Vec<CalendarConfig>,
    pub priorities: Vec<PriorityCalendar>,
}

impl CalendarsOverview {
    /// The inputs of the "which calendar for which priority" form.
    pub fn priority_fields(&self) -> Vec<(String, String)> {
        self.priorities
            .iter()
            .map(|p| {
                (
                    calendar_choice_name(p.priority),
                    p.calendar_id.map(|c| c.to_string()).unwrap_or_default(),
                )
            })
            .collect()
    }
}

/// The input choosing priority `level`'s calendar.
pub fn calendar_choice_name(level: u8) -> String {
    format!("p{level}_calendar")
}

/// A calendar as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarFields {
    pub name: String,
    pub time_zone: String,
    pub week: [Option<(u16, u16)>; 7],
    pub holidays: Vec<(NaiveDate, String)>,
}

/// "08:00" for 480; "24:00" for the end of the day.
pub fn clock_time(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Minutes after midnight of "8:00", "08:00" or "24:00"; `None` for anything else.
pub fn parse_clock_time(raw: &str) -> Option<u16> {
    let (hours, minutes) = raw.trim().split_once(':')?;
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if hours.is_empty()
        || hours.len() > 2
        || minutes.len() != 2
        || !digits(hours)
        || !digits(minutes)
    {
        return None;
    }
    let hours: u16 = hours.parse().ok()?;
    let minutes: u16 = minutes.parse().ok()?;
    let total = hours.checked_mul(60)?.checked_add(minutes)?;
    (minutes < 60 && total <= DAY_MINUTES).then_some(total)
}

/// Reads a calendar form: `name`, `time_zone` (`known_zone` says whether the
/// server knows it), `{day}_opens` and `{day}_closes` for each weekday (both
/// empty: a day off), `holidays` (one per line: a date as 2026-12-25, then an
/// optional name).
pub fn parse_calendar(
    fields: &[(String, String)],
    known_zone: impl Fn(&str) -> bool,
) -> Result<CalendarFields, NamedErrors> {
    let mut errors = NamedErrors::default();
    let name = super::config::record_name(fields, &mut errors, "calendar");
    let time_zone = form_value(fields, "time_zone").trim().to_string();
    if time_zone.is_empty() || !known_zone(&time_zone) {
        errors.add(
            "time_zone",
            "Give a time zone by its IANA name, such as Europe/London or America/New_York.",
        );
    }
    let mut week = [None; 7];
    for ((day, day_name), slot) in WEEKDAYS.iter().zip(week.iter_mut()) {
        let opens_name = format!("{day}_opens");
        let closes_name = format!("{day}_closes");
        let opens_raw = form_value(fields, &opens_name).trim();
        let closes_raw = form_value(fields, &closes_name).trim();
        match (opens_raw.is_empty(), closes_raw.is_empty()) {
            (true, true) => continue,
            (false, true) => errors.add(
                closes_name,
                format!(
                    "Give the time {day_name} closes, or leave both times empty for a day off."
                ),
            ),
            (true, false) => errors.add(
                opens_name,
                format!("Give the time {day_name} opens, or leave both times empty for a day off."),
            ),
            (false, false) => {
                let opens = parse_clock_time(opens_raw);
                let closes = parse_clock_time(closes_raw);
                if opens.is_none() {
                    errors.add(
                        opens_name,
                        format!(
                            "Give the time {day_name} opens as hours and minutes, such as 08:00."
                        ),
                    );
                }
                if closes.is_none() {
                    errors.add(closes_name.as_str(), format!("Give the time {day_name} closes as hours and minutes, such as 18:00 (24:00 for midnight)."));
                }
                match (opens, closes) {
                    (Some(o), Some(c)) if o < c => *slot = Some((o, c)),
                    (Some(_), Some(_)) => errors.add(
                        closes_name,
                        format!("{day_name} must close after it opens."),
                    ),
                    _ => {}
                }
            }
        }
    }
    if errors.is_empty() && week.iter().all(Option::is_none) {
        errors.add(
            "mon_opens",
            "Give working hours for at least one day: targets are counted in working time.",
        );
    }
    let mut holidays: Vec<(NaiveDate, String)> = Vec::new();
    for line in form_value(fields, "holidays").lines() {
        let line = clean_line(line);
        if line.is_empty() {
            continue;
        }
        let (date, holiday) = line.split_once(' ').unwrap_or((line.as_str(), ""));
        let Ok(date) = NaiveDate::parse_from_str(date, "%Y-%m-%d") else {
            errors.add(
                "holidays",
                format!("\u{201c}{line}\u{201d}: start each line with a date such as 2026-12-25."),
            );
            break;
        };
        if holiday.chars().count() > 100 {
            errors.add(
                "holidays",
                format!("Keep the name of {date} to 100 characters."),
            );
        } else if holidays.iter().any(|(d, _)| *d == date) {
            errors.add("holidays", format!("{date} is listed twice."));
        }
        holidays.push((date, holiday.to_string()));
    }
    if holidays.len() > MAX_HOLIDAYS {
        errors.add(
            "holidays",
            format!("Keep the list to {MAX_HOLIDAYS} holidays."),
        );
    }
    holidays.sort();
    if errors.is_empty() {
        Ok(CalendarFields {
            name,
            time_zone,
            week,
            holidays,
        })
    } else {
        Err(errors)
    }
}

/// Reads the "which calendar for which priority" form: `p1_calendar` …
/// `p5_calendar`, each a calendar id. Whether the calendars exist is for the
/// server to check.
pub fn parse_priority_calendars(
    fields: &[(String, String)],
) -> Result<Vec<(u8, CalendarId)>, NamedErrors> {
    let mut errors = NamedErrors::default();
    let mut chosen = Vec::new();
    for level in 1..=5u8 {
        let name = calendar_choice_name(level);
        match form_value(fields, &name).trim().parse::<CalendarId>() {
            Ok(id) => chosen.push((level, id)),
            Err(_) => errors.add(
                name,
                format!("Choose the calendar P{level}'s targets count in."),
            ),
        }
    }
    if errors.is_empty() {
        Ok(chosen)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::text::form_pairs as fields;

    fn office(extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut pairs = vec![
            ("name", "Office hours"),
            ("time_zone", "Europe/London"),
            ("mon_opens", "8:00"),
            ("mon_closes", "18:00"),
            ("fri_opens", "08:30"),
            ("fri_closes", "24:00"),
        ];
        pairs.extend_from_slice(extra);
        fields(&pairs)
    }

    #[test]
    fn clock_times_read_and_write_alike() {
        assert_eq!(parse_clock_time("8:00"), Some(480));
        assert_eq!(parse_clock_time(" 24:00 "), Some(1440));
        for bad in [
            "24:01", "8", "8:0", "08:60", "-1:00", "x:00", "123:00", "+8:00", "8:+5",
        ] {
            assert_eq!(parse_clock_time(bad), None, "{bad}");
        }
        assert_eq!(clock_time(510), "08:30");
        assert_eq!(clock_time(1440), "24:00");
    }

    #[test]
    fn a_calendar_is_read_with_days_off_and_sorted_holidays() {
        let calendar = parse_calendar(
            &office(&[(
                "holidays",
                "2026-12-26 Boxing Day\n\n2026-12-25   Christmas Day\n2027-01-01",
            )]),
            |z| z == "Europe/London",
        )
        .unwrap();
        assert_eq!(calendar.week[0], Some((480, 1080)));
        assert_eq!(calendar.week[1], None);
        assert_eq!(calendar.week[4], Some((510, 1440)));
        let days: Vec<String> = calendar
            .holidays
            .iter()
            .map(|(d, n)| format!("{d}|{n}"))
            .collect();
        assert_eq!(
            days,
            [
                "2026-12-25|Christmas Day",
                "2026-12-26|Boxing Day",
                "2027-01-01|"
            ]
        );
        // What is saved fills the form in again as it was read.
        let config = CalendarConfig {
            id: CalendarId(1),
            name: calendar.name.clone(),
            time_zone: calendar.time_zone.clone(),
            week: calendar.week.to_vec(),
            holidays: calendar.holidays.clone(),
            priorities: vec![],
        };
        assert_eq!(
            parse_calendar(&config.fields(), |_| true).unwrap(),
            calendar
        );
    }

    #[test]
    fn calendar_problems_are_named_at_their_inputs() {
        let errors = parse_calendar(
            &fields(&[
                ("name", ""),
                ("time_zone", "Mars/Olympus"),
                ("mon_opens", "9:00"),
                ("tue_closes", "17:00"),
                ("wed_opens", "18:00"),
                ("wed_closes", "9:00"),
                ("thu_opens", "nine"),
                ("thu_closes", "17:00"),
                ("holidays", "2026-12-25 Christmas\n25/12/2026"),
            ]),
            |z| z == "Europe/London",
        )
        .unwrap_err();
        for input in [
            "name",
            "time_zone",
            "mon_closes",
            "tue_opens",
            "wed_closes",
            "thu_opens",
            "holidays",
        ] {
            assert!(errors.get(input).is_some(), "{input}: {errors:?}");
        }
        let errors = parse_calendar(&fields(&[("name", "Never"), ("time_zone", "UTC")]), |_| {
            true
        })
        .unwrap_err();
        assert!(errors
            .get("mon_opens")
            .unwrap()
            .contains("at least one day"));
        let errors = parse_calendar(
            &office(&[("holidays", "2026-12-25\n2026-12-25 Again")]),
            |_| true,
        )
        .unwrap_err();
        assert!(errors.get("holidays").unwrap().contains("twice"));
    }

    #[test]
    fn every_priority_needs_a_calendar() {
        let chosen: Vec<(&str, &str)> = vec![
            ("p1_calendar", "1"),
            ("p2_calendar", "2"),
            ("p3_calendar", "2"),
            ("p4_calendar", "2"),
            ("p5_calendar", "2"),
        ];
        assert_eq!(
            parse_priority_calendars(&fields(&chosen)).unwrap(),
            vec![
                (1, CalendarId(1)),
                (2, CalendarId(2)),
                (3, CalendarId(2)),
                (4, CalendarId(2)),
                (5, CalendarId(2))
            ]
        );
        let errors = parse_priority_calendars(&fields(&chosen[..4])).unwrap_err();
        assert!(errors.get("p5_calendar").is_some());
    }
}
