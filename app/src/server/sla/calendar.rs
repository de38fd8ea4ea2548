//! Business calendars: working hours per weekday in a time zone, minus holidays.
//!
//! SLA targets are counted in working time. [`BusinessCalendar::add`] finds the
//! moment a number of working minutes after a start, and
//! [`BusinessCalendar::working_time`] measures the working time between two moments.
//! Both walk local days in the calendar's zone, so daylight-saving changes, nights,
//! weekends and holidays fall out of the same rule: only time inside a working
//! window counts, measured in real (UTC) time.

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use std::collections::BTreeSet;

/// Minutes in a day: a window closing at 1440 closes at the next midnight.
pub const DAY_MINUTES: u16 = 24 * 60;
/// How far ahead a deadline is looked for before giving up (a calendar whose
/// working days are all holidays has none).
const SEARCH_DAYS: i64 = 5 * 366;

/// Opening and closing time of one working day, in minutes after local midnight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hours {
    pub opens: u16,
    pub closes: u16,
}

impl Hours {
    /// `None` unless `opens < closes ≤ 24:00`.
    pub fn new(opens: u16, closes: u16) -> Option<Hours> {
        (opens < closes && closes <= DAY_MINUTES).then_some(Hours { opens, closes })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusinessCalendar {
    pub zone: Tz,
    /// Monday first; `None` is a day off.
    pub week: [Option<Hours>; 7],
    pub holidays: BTreeSet<NaiveDate>,
}

impl BusinessCalendar {
    /// Every minute counts: for targets that run around the clock.
    pub fn around_the_clock() -> BusinessCalendar {
        BusinessCalendar {
            zone: Tz::UTC,
            week: [Hours::new(0, DAY_MINUTES); 7],
            holidays: BTreeSet::new(),
        }
    }

    /// The moment `work` of working time after `start`; `None` if the calendar has
    /// no working time in the next five years.
    pub fn add(&self, start: DateTime<Utc>, work: Duration) -> Option<DateTime<Utc>> {
        let mut left = work.max(Duration::zero());
        let first = start.with_timezone(&self.zone).date_naive().pred_opt()?;
        for day in first.iter_days().take(SEARCH_DAYS as usize) {
            let Some((opens, closes)) = self.window(day) else {
                continue;
            };
            let from = opens.max(start);
            if from >= closes {
                continue;
            }
            if left <= closes - from {
                return Some(from + left);
            }
            left -= closes - from;
        }
        None
    }

    /// Working time between `from` and `to` (zero if `to` is not after `from`).
    pub fn working_time(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        let mut total = Duration::zero();
        if to <= from {
            return total;
        }
        let Some(first) = from.with_timezone(&self.zone).date_naive().pred_opt() else {
            return total;
        };
        let last = to.with_timezone(&self.zone).date_naive();
        for day in first.iter_days().take_while(|d| *d <= last) {
            if let Some((opens, closes)) = self.window(day) {
                let (a, b) = (opens.max(from), closes.min(to));
                if a < b {
                    total += b - a;
                }
            }
        }
        total
    }

    /// The working window of a local day, in UTC.
    fn window(&self, day: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if self.holidays.contains(&day) {
            return None;
        }
        let hours = self.week[day.weekday().num_days_from_monday() as usize]?;
        let opens = self.instant(day, hours.opens, Edge::Start)?;
        let closes = self.instant(day, hours.closes, Edge::End)?;
        (opens < closes).then_some((opens, closes))
    }

    /// The UTC instant of a local wall-clock time. A time that occurs twice (clocks
    /// going back) opens at its first and closes at its second occurrence; a time
    /// that does not occur (clocks going forward) is moved past the gap.
    fn instant(&self, day: NaiveDate, minute: u16, edge: Edge) -> Option<DateTime<Utc>> {
        let midnight = day.and_hms_opt(0, 0, 0)?;
        let mut local: NaiveDateTime = midnight + Duration::minutes(i64::from(minute));
        for _ in 0..4 {
            match self.zone.from_local_datetime(&local) {
                LocalResult::Single(t) => return Some(t.with_timezone(&Utc)),
                LocalResult::Ambiguous(early, late) => {
                    let t = if edge == Edge::Start { early } else { late };
                    return Some(t.with_timezone(&Utc));
                }
                LocalResult::None => local += Duration::minutes(30),
            }
        }
        None
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Edge {
    Start,
    End,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Monday to Friday, 08:00–18:00 in London, with the given holidays.
    fn london_office(holidays: &[&str]) -> BusinessCalendar {
        let day = Hours::new(8 * 60, 18 * 60);
        BusinessCalendar {
            zone: chrono_tz::Europe::London,
            week: [day, day, day, day, day, None, None],
            holidays: holidays.iter().map(|d| d.parse().unwrap()).collect(),
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn hours(h: i64) -> Duration {
        Duration::hours(h)
    }

    #[test]
    fn inside_one_working_day_the_clock_runs_normally() {
        // Tuesday 2027-01-12, 09:00 London = 09:00 UTC in winter.
        let cal = london_office(&[]);
        let due = cal.add(utc("2027-01-12T09:00:00Z"), hours(4));
        assert_eq!(due, Some(utc("2027-01-12T13:00:00Z")));
    }

    #[test]
    fn the_night_does_not_count() {
        // Tuesday 16:00 + 4 h: 2 h today, 2 h from Wednesday 08:00.
        let cal = london_office(&[]);
        let due = cal.add(utc("2027-01-12T16:00:00Z"), hours(4));
        assert_eq!(due, Some(utc("2027-01-13T10:00:00Z")));
    }

    #[test]
    fn a_ticket_logged_at_night_starts_counting_at_opening() {
        let cal = london_office(&[]);
        let due = cal.add(utc("2027-01-12T22:30:00Z"), Duration::minutes(30));
        assert_eq!(due, Some(utc("2027-01-13T08:30:00Z")));
    }

    #[test]
    fn the_weekend_does_not_count() {
        // Friday 2027-01-15 17:00 + 3 h: 1 h on Friday, 2 h on Monday.
        let cal = london_office(&[]);
        let due = cal.add(utc("2027-01-15T17:00:00Z"), hours(3));
        assert_eq!(due, Some(utc("2027-01-18T10:00:00Z")));
    }

    #[test]
    fn holidays_do_not_count() {
        // Thursday 2027-12-23 17:00 + 2 h; 24th (Friday), 27th and 28th are holidays.
        let cal = london_office(&["2027-12-24", "2027-12-27", "2027-12-28"]);
        let due = cal.add(utc("2027-12-23T17:00:00Z"), hours(2));
        assert_eq!(due, Some(utc("2027-12-29T09:00:00Z")));
    }

    #[test]
    fn opening_hours_follow_the_clocks_going_forward() {
        // Clocks go forward on Sunday 2027-03-28. Friday 26th 17:00 GMT (17:00 UTC)
        // + 2 h: 1 h on Friday, then Monday opens at 08:00 BST = 07:00 UTC.
        let cal = london_office(&[]);
        let due = cal.add(utc("2027-03-26T17:00:00Z"), hours(2));
        assert_eq!(due, Some(utc("2027-03-29T08:00:00Z")));
    }

    #[test]
    fn opening_hours_follow_the_clocks_going_back() {
        // Clocks go back on Sunday 2027-10-31. Friday 29th 16:00 BST (15:00 UTC)
        // + 3 h: 2 h on Friday, then Monday 08:00 GMT = 08:00 UTC, plus 1 h.
        let cal = london_office(&[]);
        let due = cal.add(utc("2027-10-29T15:00:00Z"), hours(3));
        assert_eq!(due, Some(utc("2027-11-01T09:00:00Z")));
    }

    #[test]
    fn a_day_with_a_clock_change_counts_the_real_hours_that_pass() {
        // Around the clock in London: the Sunday clocks go forward has 23 hours.
        let cal = BusinessCalendar {
            zone: chrono_tz::Europe::London,
            ..BusinessCalendar::around_the_clock()
        };
        let sunday = cal.working_time(utc("2027-03-28T00:00:00Z"), utc("2027-03-28T23:00:00Z"));
        assert_eq!(sunday, hours(23));
        let due = cal.add(utc("2027-03-27T23:00:00Z"), hours(24));
        assert_eq!(due, Some(utc("2027-03-28T23:00:00Z")));
    }

    #[test]
    fn working_time_counts_only_open_hours() {
        // Friday 12:00 to Tuesday 10:00: 6 h Friday, 10 h Monday, 2 h Tuesday.
        let cal = london_office(&[]);
        let worked = cal.working_time(utc("2027-01-15T12:00:00Z"), utc("2027-01-19T10:00:00Z"));
        assert_eq!(worked, hours(18));
        assert_eq!(
            cal.working_time(utc("2027-01-19T10:00:00Z"), utc("2027-01-15T12:00:00Z")),
            Duration::zero()
        );
    }

    #[test]
    fn adding_the_working_time_between_two_moments_gets_back_to_the_second() {
        let cal = london_office(&["2027-01-18"]);
        let start = utc("2027-01-14T09:15:00Z");
        let end = utc("2027-01-20T11:40:00Z");
        let worked = cal.working_time(start, end);
        assert_eq!(cal.add(start, worked), Some(end));
    }

    #[test]
    fn a_calendar_without_working_days_has_no_deadline() {
        let cal = BusinessCalendar {
            week: [None; 7],
            ..london_office(&[])
        };
        assert_eq!(cal.add(utc("2027-01-12T09:00:00Z"), hours(1)), None);
    }

    #[test]
    fn hours_must_open_before_they_close() {
        assert!(Hours::new(600, 600).is_none());
        assert!(Hours::new(0, DAY_MINUTES + 1).is_none());
        assert!(Hours::new(0, DAY_MINUTES).is_some());
    }
}
