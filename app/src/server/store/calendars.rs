//! Business calendars: the `calendars` table, each calendar's working hours
//! (`calendar_hours`) and holidays (`calendar_holidays`), and the SLA of a
//! priority counted in its calendar.
//!
//! Reads join `priorities` for the calendar each priority counts in and for its
//! targets; that table is written by [`super::priorities`] only.

use crate::domain::{CalendarConfig, CalendarId, CalendarsOverview, PriorityCalendar};
use crate::server::sla::{BusinessCalendar, Hours, Sla};
use chrono::{Duration, NaiveDate};
use sqlx::SqliteConnection;
use std::collections::BTreeMap;

/// A week of working hours, Monday first: (opens, closes) in minutes after local
/// midnight, `None` a day off.
pub type Week = [Option<(u16, u16)>; 7];

/// A priority and the calendar its targets count in, as stored.
#[derive(sqlx::FromRow)]
struct PriorityRow {
    priority: i64,
    label: String,
    calendar_id: Option<CalendarId>,
}

/// A calendar without its hours and holidays, as stored.
#[derive(sqlx::FromRow)]
struct CalendarRow {
    id: CalendarId,
    name: String,
    time_zone: String,
}

/// A priority's targets, its calendar and that calendar's zone (`None` both when
/// its targets run around the clock).
#[derive(sqlx::FromRow)]
struct SlaRow {
    response_minutes: i64,
    resolution_minutes: i64,
    calendar_id: Option<CalendarId>,
    time_zone: Option<String>,
}

/// Every calendar with its hours, holidays and priorities, and each priority's
/// calendar.
pub async fn overview(conn: &mut SqliteConnection) -> Result<CalendarsOverview, sqlx::Error> {
    let priorities: Vec<PriorityCalendar> = sqlx::query_as::<_, PriorityRow>(
        "SELECT priority, label, calendar_id FROM priorities ORDER BY priority",
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .filter_map(|row| {
        Some(PriorityCalendar {
            priority: u8::try_from(row.priority).ok()?,
            label: row.label,
            calendar_id: row.calendar_id,
        })
    })
    .collect();
    let rows: Vec<CalendarRow> =
        sqlx::query_as("SELECT id, name, time_zone FROM calendars ORDER BY name")
            .fetch_all(&mut *conn)
            .await?;
    let mut calendars = Vec::with_capacity(rows.len());
    for CalendarRow {
        id,
        name,
        time_zone,
    } in rows
    {
        let week = hours(conn, id).await?;
        let holidays = holidays(conn, id).await?;
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

/// The name and time zone of calendar `id`; `None` if there is no such calendar.
pub async fn name_and_zone(
    conn: &mut SqliteConnection,
    id: CalendarId,
) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT name, time_zone FROM calendars WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

/// The working hours of calendar `id`. A stored row whose weekday or times are out
/// of range is left out (that day stays closed).
pub async fn hours(conn: &mut SqliteConnection, id: CalendarId) -> Result<Week, sqlx::Error> {
    let rows = sqlx::query_as::<_, (i64, i64, i64)>(
        "SELECT weekday, opens, closes FROM calendar_hours WHERE calendar_id = ?",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(week_of(rows))
}

/// A week from stored `calendar_hours` rows (weekday, opens, closes); a row whose
/// weekday or times are out of range is left out (that day stays closed).
pub fn week_of(rows: impl IntoIterator<Item = (i64, i64, i64)>) -> Week {
    let mut week = [None; 7];
    for (day, opens, closes) in rows {
        if let (Some(slot), Ok(opens), Ok(closes)) = (
            usize::try_from(day).ok().and_then(|d| week.get_mut(d)),
            u16::try_from(opens),
            u16::try_from(closes),
        ) {
            *slot = Some((opens, closes));
        }
    }
    week
}

/// The holidays of calendar `id` as (date, name), in date order; a stored day that
/// is not a date is left out.
pub async fn holidays(
    conn: &mut SqliteConnection,
    id: CalendarId,
) -> Result<Vec<(NaiveDate, String)>, sqlx::Error> {
    Ok(sqlx::query_as::<_, (String, String)>(
        "SELECT day, name FROM calendar_holidays WHERE calendar_id = ? ORDER BY day",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .filter_map(|(day, name)| Some((day.parse().ok()?, name)))
    .collect())
}

/// Every calendar's name, by id.
pub async fn names(
    conn: &mut SqliteConnection,
) -> Result<BTreeMap<CalendarId, String>, sqlx::Error> {
    Ok(sqlx::query_as("SELECT id, name FROM calendars")
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect())
}

/// Adds a calendar without hours or holidays; its id.
pub async fn insert(
    conn: &mut SqliteConnection,
    name: &str,
    time_zone: &str,
) -> Result<CalendarId, sqlx::Error> {
    sqlx::query_scalar("INSERT INTO calendars (name, time_zone) VALUES (?, ?) RETURNING id")
        .bind(name)
        .bind(time_zone)
        .fetch_one(&mut *conn)
        .await
}

/// Changes the name and time zone of calendar `id`.
pub async fn update(
    conn: &mut SqliteConnection,
    id: CalendarId,
    name: &str,
    time_zone: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE calendars SET name = ?, time_zone = ? WHERE id = ?")
        .bind(name)
        .bind(time_zone)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Removes every working day and holiday of calendar `id`, before
/// [`insert_hours`] and [`insert_holidays`] write the new ones.
pub async fn clear_hours_and_holidays(
    conn: &mut SqliteConnection,
    id: CalendarId,
) -> Result<(), sqlx::Error> {
    for sql in [
        "DELETE FROM calendar_hours WHERE calendar_id = ?",
        "DELETE FROM calendar_holidays WHERE calendar_id = ?",
    ] {
        sqlx::query(sql).bind(id).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Writes the working days of `week` (days off have no row) for calendar `id`,
/// which has none yet.
pub async fn insert_hours(
    conn: &mut SqliteConnection,
    id: CalendarId,
    week: &Week,
) -> Result<(), sqlx::Error> {
    for (day, hours) in week.iter().enumerate() {
        if let Some((opens, closes)) = hours {
            sqlx::query(
                "INSERT INTO calendar_hours (calendar_id, weekday, opens, closes) VALUES (?, ?, ?, ?)",
            )
            .bind(id)
            .bind(day as i64)
            .bind(i64::from(*opens))
            .bind(i64::from(*closes))
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// Writes `holidays`, as (date, name), for calendar `id`, which has none yet.
pub async fn insert_holidays(
    conn: &mut SqliteConnection,
    id: CalendarId,
    holidays: &[(NaiveDate, String)],
) -> Result<(), sqlx::Error> {
    for (day, name) in holidays {
        sqlx::query("INSERT INTO calendar_holidays (calendar_id, day, name) VALUES (?, ?, ?)")
            .bind(id)
            .bind(day.to_string())
            .bind(name)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The SLA of a priority: its targets and its calendar with holidays, or around
/// the clock when it names no calendar.
pub async fn sla_for(conn: &mut SqliteConnection, priority: i64) -> Result<Sla, sqlx::Error> {
    let row: SlaRow = sqlx::query_as(
        "SELECT p.response_minutes, p.resolution_minutes, p.calendar_id, c.time_zone
         FROM priorities p LEFT JOIN calendars c ON c.id = p.calendar_id
         WHERE p.priority = ?",
    )
    .bind(priority)
    .fetch_one(&mut *conn)
    .await?;
    let calendar = match row.calendar_id {
        Some(id) => business_calendar(conn, id, row.time_zone).await?,
        None => BusinessCalendar::around_the_clock(),
    };
    Ok(Sla {
        calendar,
        response: Duration::minutes(row.response_minutes),
        resolution: Duration::minutes(row.resolution_minutes),
    })
}

/// Calendar `id`, in `zone`, for counting working time. An unknown zone is an
/// error rather than a guess; hours that do not make a working window
/// ([`Hours::new`]) leave their day closed.
async fn business_calendar(
    conn: &mut SqliteConnection,
    id: CalendarId,
    zone: Option<String>,
) -> Result<BusinessCalendar, sqlx::Error> {
    let zone = zone
        .and_then(|z| z.parse().ok())
        .ok_or_else(|| sqlx::Error::Protocol(format!("calendar {id} has an unknown time zone")))?;
    let week = hours(conn, id)
        .await?
        .map(|day| day.and_then(|(opens, closes)| Hours::new(opens, closes)));
    let holidays = holidays(conn, id)
        .await?
        .into_iter()
        .map(|(day, _)| day)
        .collect();
    Ok(BusinessCalendar {
        zone,
        week,
        holidays,
    })
}
