//! Times as people read them.

use chrono::{DateTime, NaiveDateTime, Utc};

/// "Sun 22 Nov 2026, 14:05 UTC": a time in UTC, for what has no reader (the
/// feed, messages). Pages show times in the reader's zone
/// (`components::format_time`).
pub fn format_time(at: DateTime<Utc>) -> String {
    format_local(at.naive_utc(), "UTC")
}

/// "Sun 22 Nov 2026, 14:05 GMT": a local time and its zone's name. Written out
/// by hand rather than with chrono's `format`, whose pattern interpreter would
/// add tens of kilobytes to the WebAssembly of the islands that show times.
pub fn format_local(at: NaiveDateTime, zone: &str) -> String {
    use chrono::{Datelike, Timelike};
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{} {} {} {}, {:02}:{:02} {zone}",
        DAYS[at.weekday().num_days_from_monday() as usize],
        at.day(),
        MONTHS[at.month0() as usize],
        at.year(),
        at.hour(),
        at.minute()
    )
}

/// The machine-readable form for `<time datetime>`: whole seconds in UTC
/// ("2026-12-02T18:01:00Z"). HTML allows at most three fractional digits, and
/// what is stored has nine.
pub fn machine_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_read_as_before() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-22T14:05:59Z").unwrap();
        let at = at.with_timezone(&chrono::Utc);
        assert_eq!(
            super::format_time(at),
            at.format("%a %-d %b %Y, %H:%M UTC").to_string()
        );
        assert_eq!(super::format_time(at), "Sun 22 Nov 2026, 14:05 UTC");
    }

    #[test]
    fn machine_times_keep_to_whole_seconds() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-12-02T18:01:07.123456789Z").unwrap();
        let at = at.with_timezone(&chrono::Utc);
        assert_eq!(super::machine_time(at), "2026-12-02T18:01:07Z");
    }
}
