//! Business calendars: reading them for `/admin/calendars`, adding one
//! (`POST /admin/calendars`), changing one's name, zone, hours and holidays
//! (`POST /admin/calendars/{id}`), and choosing the calendar each priority's
//! targets count in (`POST /admin/calendars/priorities`). Targets of tickets
//! logged from then on count in the new hours.

use super::{answer, change, name_taken, Configured, Saved, Table};
use crate::domain::{
    calendar_choice_name, clock_time, parse_calendar, parse_priority_calendars, CalendarFields,
    CalendarId, NamedErrors, WEEKDAYS,
};
use crate::server::store::calendars::{self, Week};
use crate::server::store::priorities as priority_store;
use crate::server::web::caller::Admin;
use crate::server::web::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Form;
use chrono::NaiveDate;
use chrono_tz::Tz;

const PAGE: &str = "/admin/calendars";

/// Every calendar with its hours, holidays and priorities, and each priority's
/// calendar (for the page and its tests).
pub use crate::server::store::calendars::overview;

fn known_zone(name: &str) -> bool {
    name.parse::<Tz>().is_ok()
}

/// Business calendars, on `/admin/calendars`.
pub struct Calendars;

impl Configured for Calendars {
    const PAGE: &'static str = PAGE;
    const TABLE: Table = Table::Calendars;
    type Fields = CalendarFields;

    fn parse(fields: &[(String, String)]) -> Result<CalendarFields, NamedErrors> {
        parse_calendar(fields, known_zone)
    }

    async fn save(
        state: &AppState,
        post: &Admin,
        id: Option<i64>,
        calendar: &CalendarFields,
    ) -> Result<Saved, sqlx::Error> {
        let id = id.map(CalendarId);
        let mut tx = state.db.writer.begin().await?;
        let before = match id {
            None => None,
            Some(id) => {
                let Some((name, zone)) = calendars::name_and_zone(&mut tx, id).await? else {
                    return Ok(Saved::NotFound);
                };
                let week = calendars::hours(&mut tx, id).await?;
                let holidays = calendars::holidays(&mut tx, id).await?;
                Some((name, zone, week, holidays))
            }
        };
        if name_taken(&mut tx, Table::Calendars, &calendar.name, id.map(|id| id.0)).await? {
            return Ok(Saved::refused(
                "name",
                format!(
                    "A calendar called \u{201c}{}\u{201d} exists already.",
                    calendar.name
                ),
            ));
        }
        let id = match id {
            Some(id) => {
                calendars::update(&mut tx, id, &calendar.name, &calendar.time_zone).await?;
                calendars::clear_hours_and_holidays(&mut tx, id).await?;
                id
            }
            None => calendars::insert(&mut tx, &calendar.name, &calendar.time_zone).await?,
        };
        calendars::insert_hours(&mut tx, id, &calendar.week).await?;
        calendars::insert_holidays(&mut tx, id, &calendar.holidays).await?;
        let (event, detail) = match &before {
            None => ("calendar_added", describe(calendar)),
            Some(before) => ("calendar_changed", changes(before, calendar)),
        };
        post.record(&mut tx, event, &detail).await?;
        tx.commit().await?;
        let done = if before.is_some() { "saved" } else { "added" };
        Ok(Saved::Done(format!("{PAGE}?done={done}#calendar-{id}")))
    }
}

/// "Mon 08:00–18:00" or "Sat closed".
fn day_hours(day: usize, hours: Option<(u16, u16)>) -> String {
    let name = &WEEKDAYS[day].1[..3];
    match hours {
        Some((opens, closes)) => format!("{name} {}–{}", clock_time(opens), clock_time(closes)),
        None => format!("{name} closed"),
    }
}

fn describe(calendar: &CalendarFields) -> String {
    let week: Vec<String> = calendar
        .week
        .iter()
        .enumerate()
        .map(|(day, hours)| day_hours(day, *hours))
        .collect();
    format!(
        "{} ({}): {}; {} holidays",
        calendar.name,
        calendar.time_zone,
        week.join(", "),
        calendar.holidays.len()
    )
}

fn changes(
    (name, zone, week, holidays): &(String, String, Week, Vec<(NaiveDate, String)>),
    calendar: &CalendarFields,
) -> String {
    let mut detail: Vec<String> = vec![calendar.name.clone()];
    detail.extend(change("name", name.as_str(), calendar.name.as_str()));
    detail.extend(change(
        "time zone",
        zone.as_str(),
        calendar.time_zone.as_str(),
    ));
    for (day, (was, now)) in week.iter().zip(&calendar.week).enumerate() {
        detail.extend(change("hours", day_hours(day, *was), day_hours(day, *now)));
    }
    let name_on = |list: &[(NaiveDate, String)], day: &NaiveDate| {
        list.iter().find(|(d, _)| d == day).map(|(_, n)| n.clone())
    };
    let (mut added, mut removed, mut renamed) = (Vec::new(), Vec::new(), Vec::new());
    for (day, name) in &calendar.holidays {
        match name_on(holidays, day) {
            None => added.push(day.to_string()),
            Some(was) if was != *name => renamed.push(format!("{day} {was} → {name}")),
            Some(_) => {}
        }
    }
    for (day, _) in holidays {
        if name_on(&calendar.holidays, day).is_none() {
            removed.push(day.to_string());
        }
    }
    for (what, days) in [
        ("holidays added", added),
        ("holidays removed", removed),
        ("holidays renamed", renamed),
    ] {
        if !days.is_empty() {
            detail.push(format!("{what}: {}", days.join(", ")));
        }
    }
    detail.join("; ")
}

/// `POST /admin/calendars/priorities`: the calendar of each priority.
pub async fn priorities(
    State(state): State<AppState>,
    post: Admin,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let saved = match parse_priority_calendars(&fields) {
        Err(errors) => Ok(Saved::Refused(errors)),
        Ok(chosen) => save_priorities(&state, &post, &chosen).await,
    };
    answer(&state, post, headers, PAGE, "priorities", fields, saved).await
}

async fn save_priorities(
    state: &AppState,
    post: &Admin,
    chosen: &[(u8, CalendarId)],
) -> Result<Saved, sqlx::Error> {
    let mut tx = state.db.writer.begin().await?;
    let names = calendars::names(&mut tx).await?;
    let before = priority_store::calendar_ids(&mut tx).await?;
    let name_of = |id: Option<CalendarId>| {
        id.and_then(|id| names.get(&id).cloned())
            .unwrap_or_else(|| "around the clock".into())
    };
    let mut detail = Vec::new();
    for (level, calendar) in chosen {
        if !names.contains_key(calendar) {
            return Ok(Saved::refused(
                &calendar_choice_name(*level),
                format!("Choose one of the calendars for P{level}."),
            ));
        }
        let was = before.get(&i64::from(*level)).copied().flatten();
        detail.extend(change(
            &format!("P{level}"),
            name_of(was),
            name_of(Some(*calendar)),
        ));
        priority_store::set_calendar(&mut tx, *level, *calendar).await?;
    }
    if !detail.is_empty() {
        post.record(&mut tx, "priority_calendars_changed", &detail.join("; "))
            .await?;
    }
    tx.commit().await?;
    Ok(Saved::Done(format!("{PAGE}?done=priorities")))
}
