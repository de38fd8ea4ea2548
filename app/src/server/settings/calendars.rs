//! Business calendars: reading them for `/admin/calendars`, adding one
//! (`POST /admin/calendars`), changing one's name, zone, hours and holidays
//! (`POST /admin/calendars/{id}`), and choosing the calendar each priority's
//! targets count in (`POST /admin/calendars/priorities`). Targets of tickets
//! logged from then on count in the new hours.

use super::{answer, change, name_taken, Configured, Saved, Table};
use crate::domain::{
    calendar_choice_name, clock_time, parse_calendar, parse_priority_calendars, CalendarConfig,
    CalendarFields, CalendarsOverview, NamedErrors, PriorityCalendar, WEEKDAYS,
};
use crate::server::web::caller::Admin;
use crate::server::web::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Form;
use chrono::NaiveDate;
use chrono_tz::Tz;
use sqlx::{Row, SqliteConnection};
use std::collections::BTreeMap;

const PAGE: &str = "/admin/calendars";

/// Every calendar with its hours, holidays and priorities, and each priority's
/// calendar.
pub async fn overview(conn: &mut SqliteConnection) -> Result<CalendarsOverview, sqlx::Error> {
    let priorities: Vec<PriorityCalendar> =
        sqlx::query("SELECT priority, label, calendar_id FROM priorities ORDER BY priority")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .filter_map(|row| {
                Some(PriorityCalendar {
                    priority: u8::try_from(row.get::<i64, _>("priority")).ok()?,
                    label: row.get("label"),
                    calendar_id: row.get("calendar_id"),
                })
            })
            .collect();
    let ids: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, name, time_zone FROM calendars ORDER BY name")
            .fetch_all(&mut *conn)
            .await?;
    let mut calendars = Vec::with_capacity(ids.len());
    for (id, name, time_zone) in ids {
        let (week, holidays) = hours_and_holidays(conn, id).await?;
        calendars.push(CalendarConfig {
            id,
            name,
            time_zone,
            week: week.to_vec(),
            holidays,
            priorities: priorities
                .iter()
                .filter(|p| p.calendar_id == Some(id))
                .map(|p| p.priority)
                .collect(),
        });
    }
    Ok(CalendarsOverview {
        calendars,
        priorities,
    })
}

type Week = [Option<(u16, u16)>; 7];

async fn hours_and_holidays(
    conn: &mut SqliteConnection,
    id: i64,
) -> Result<(Week, Vec<(NaiveDate, String)>), sqlx::Error> {
    let mut week = [None; 7];
    for (day, opens, closes) in sqlx::query_as::<_, (i64, i64, i64)>(
        "SELECT weekday, opens, closes FROM calendar_hours WHERE calendar_id = ?",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    {
        if let (Some(slot), Ok(opens), Ok(closes)) = (
            usize::try_from(day).ok().and_then(|d| week.get_mut(d)),
            u16::try_from(opens),
            u16::try_from(closes),
        ) {
            *slot = Some((opens, closes));
        }
    }
    let holidays = sqlx::query_as::<_, (String, String)>(
        "SELECT day, name FROM calendar_holidays WHERE calendar_id = ? ORDER BY day",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .filter_map(|(day, name)| Some((day.parse().ok()?, name)))
    .collect();
    Ok((week, holidays))
}

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
        let mut tx = state.db.writer.begin().await?;
        let before = match id {
            None => None,
            Some(id) => {
                let row: Option<(String, String)> =
                    sqlx::query_as("SELECT name, time_zone FROM calendars WHERE id = ?")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                let Some((name, zone)) = row else {
                    return Ok(Saved::NotFound);
                };
                let (week, holidays) = hours_and_holidays(&mut tx, id).await?;
                Some((name, zone, week, holidays))
            }
        };
        if name_taken(&mut tx, Table::Calendars, &calendar.name, id).await? {
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
                sqlx::query("UPDATE calendars SET name = ?, time_zone = ? WHERE id = ?")
                    .bind(&calendar.name)
                    .bind(&calendar.time_zone)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                for table in ["calendar_hours", "calendar_holidays"] {
                    sqlx::query(&format!("DELETE FROM {table} WHERE calendar_id = ?"))
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                id
            }
            None => {
                sqlx::query_scalar(
                    "INSERT INTO calendars (name, time_zone) VALUES (?, ?) RETURNING id",
                )
                .bind(&calendar.name)
                .bind(&calendar.time_zone)
                .fetch_one(&mut *tx)
                .await?
            }
        };
        for (day, hours) in calendar.week.iter().enumerate() {
            if let Some((opens, closes)) = hours {
                sqlx::query(
                    "INSERT INTO calendar_hours (calendar_id, weekday, opens, closes) VALUES (?, ?, ?, ?)",
                )
                .bind(id)
                .bind(day as i64)
                .bind(i64::from(*opens))
                .bind(i64::from(*closes))
                .execute(&mut *tx)
                .await?;
            }
        }
        for (day, name) in &calendar.holidays {
            sqlx::query("INSERT INTO calendar_holidays (calendar_id, day, name) VALUES (?, ?, ?)")
                .bind(id)
                .bind(day.to_string())
                .bind(name)
                .execute(&mut *tx)
                .await?;
        }
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
    chosen: &[(u8, i64)],
) -> Result<Saved, sqlx::Error> {
    let mut tx = state.db.writer.begin().await?;
    let names: BTreeMap<i64, String> = sqlx::query_as("SELECT id, name FROM calendars")
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
    let before: BTreeMap<i64, Option<i64>> =
        sqlx::query_as("SELECT priority, calendar_id FROM priorities")
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();
    let name_of = |id: Option<i64>| {
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
        sqlx::query("UPDATE priorities SET calendar_id = ? WHERE priority = ?")
            .bind(calendar)
            .bind(i64::from(*level))
            .execute(&mut *tx)
            .await?;
    }
    if !detail.is_empty() {
        post.record(&mut tx, "priority_calendars_changed", &detail.join("; "))
            .await?;
    }
    tx.commit().await?;
    Ok(Saved::Done(format!("{PAGE}?done=priorities")))
}
