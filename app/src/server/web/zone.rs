//! The time zone a page shows times in: the one the reader chose on their account
//! page, else their browser's (which the portal's script tells in the `tz`
//! cookie), else the portal's own (`PORTAL_TIME_ZONE`). Every time shown names
//! its zone, so a reader is never left guessing which one it is.

use crate::domain::{format_local, Account};
use chrono::{DateTime, Offset, Utc};
use chrono_tz::{OffsetName, Tz};
use http::HeaderMap;

/// The cookie the browser's script writes its zone into (an IANA name).
pub const ZONE_COOKIE: &str = "tz";

/// The zone one request's pages show times in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReaderZone(pub Tz);

impl ReaderZone {
    /// The zone for a request by `account` (if signed in) with `headers`, where
    /// the portal's own zone is `portal`. A zone that is not one is passed over.
    pub fn for_request(account: Option<&Account>, headers: &HeaderMap, portal: Tz) -> ReaderZone {
        let chosen = account.and_then(|a| a.time_zone.as_deref()?.parse().ok());
        let browser = || browser_zone(headers);
        ReaderZone(chosen.or_else(browser).unwrap_or(portal))
    }

    /// "Sun 22 Nov 2026, 14:05 GMT": the time in this zone, the zone named by its
    /// abbreviation, or by its offset where it has none ("UTC+03:00").
    pub fn format(self, at: DateTime<Utc>) -> String {
        let local = at.with_timezone(&self.0);
        let label = match local.offset().abbreviation() {
            Some(name) if name.chars().all(|c| c.is_ascii_alphabetic()) => name.to_string(),
            _ => offset_label(local.offset().fix().local_minus_utc()),
        };
        format_local(local.naive_local(), &label)
    }

    /// The zone's IANA name ("Europe/London").
    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

/// The zone the browser said in its cookie, if it is one.
fn browser_zone(headers: &HeaderMap) -> Option<Tz> {
    super::cookie::cookie(headers, ZONE_COOKIE)?.parse().ok()
}

/// "UTC+03:00", "UTC-09:30".
fn offset_label(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The zone of the request being rendered, as the session middleware found it;
/// the UTC outside a request.
pub fn reader_zone() -> ReaderZone {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<ReaderZone>().copied())
        .unwrap_or(ReaderZone(Tz::UTC))
}

/// Every zone a person may choose, by IANA name, sorted.
pub fn zone_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .filter(|name| name.contains('/') || *name == "UTC")
        .filter(|name| !name.starts_with("Etc/") && !name.starts_with("SystemV/"))
        .collect();
    names.sort_unstable();
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn at(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn times_name_their_zone() {
        let winter = at("2026-12-05T14:05:00Z");
        let summer = at("2026-07-05T14:05:00Z");
        let london = ReaderZone(chrono_tz::Europe::London);
        assert_eq!(london.format(winter), "Sat 5 Dec 2026, 14:05 GMT");
        assert_eq!(london.format(summer), "Sun 5 Jul 2026, 15:05 BST");
        let new_york = ReaderZone(chrono_tz::America::New_York);
        assert_eq!(new_york.format(winter), "Sat 5 Dec 2026, 09:05 EST");
        let kolkata = ReaderZone(chrono_tz::Asia::Kolkata);
        assert_eq!(kolkata.format(winter), "Sat 5 Dec 2026, 19:35 IST");
        let istanbul = ReaderZone(chrono_tz::Europe::Istanbul);
        assert_eq!(istanbul.format(winter), "Sat 5 Dec 2026, 17:05 UTC+03:00");
        assert_eq!(
            ReaderZone(Tz::UTC).format(winter),
            "Sat 5 Dec 2026, 14:05 UTC"
        );
    }

    #[test]
    fn the_readers_choice_comes_before_the_browser_and_the_portal() {
        let mut headers = HeaderMap::new();
        let portal = chrono_tz::Europe::London;
        assert_eq!(ReaderZone::for_request(None, &headers, portal).0, portal);
        headers.insert(
            http::header::COOKIE,
            HeaderValue::from_static("other=1; tz=America/New_York"),
        );
        assert_eq!(
            ReaderZone::for_request(None, &headers, portal).0,
            chrono_tz::America::New_York
        );
        let account = Account {
            id: crate::domain::UserId(1),
            name: "Ada".into(),
            email: "ada@example.com".into(),
            role: crate::domain::Role::EndUser,
            can_author: false,
            time_zone: Some("Asia/Tokyo".into()),
        };
        assert_eq!(
            ReaderZone::for_request(Some(&account), &headers, portal).0,
            chrono_tz::Asia::Tokyo
        );
        headers.insert(
            http::header::COOKIE,
            HeaderValue::from_static("tz=Mars/Olympus"),
        );
        assert_eq!(ReaderZone::for_request(None, &headers, portal).0, portal);
    }
}
