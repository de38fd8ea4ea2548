//! The priority matrix, each priority's targets and the lifecycle periods, as
//! configured.

use crate::domain::{
    working_hours_in_words, CalendarId, Impact, LifecycleRules, Priority, PriorityRule,
    PrioritySettings, PriorityTable, Urgency,
};
use sqlx::SqliteConnection;

/// The configured priority matrix and rules.
pub async fn priority_table(conn: &mut SqliteConnection) -> Result<PriorityTable, sqlx::Error> {
    let cells = sqlx::query_as::<_, (String, String, i64)>(
        "SELECT impact, urgency, priority FROM priority_matrix",
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .filter_map(|(impact, urgency, priority)| {
        Some((
            Impact::parse(&impact)?,
            Urgency::parse(&urgency)?,
            Priority::new(priority)?,
        ))
    })
    .collect();
    let rules = sqlx::query_as::<_, RuleRow>(
        "SELECT priority, label, response_minutes, resolution_minutes FROM priorities ORDER BY priority",
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .filter_map(rule_from_row)
    .collect();
    let request_priority = request_priority(conn).await?;
    Ok(PriorityTable {
        cells,
        rules,
        request_priority,
    })
}

/// A row of `priorities`: one priority's label and targets.
#[derive(sqlx::FromRow)]
struct RuleRow {
    priority: i64,
    label: String,
    response_minutes: i64,
    resolution_minutes: i64,
}

fn rule_from_row(row: RuleRow) -> Option<PriorityRule> {
    Some(PriorityRule {
        priority: Priority::new(row.priority)?,
        label: row.label,
        response_minutes: u32::try_from(row.response_minutes).ok()?,
        resolution_minutes: u32::try_from(row.resolution_minutes).ok()?,
        working_hours: None,
    })
}

/// A ticket's priority rule: its label and the targets it was given, with the
/// working hours its priority counts in.
pub async fn ticket_rule(
    conn: &mut SqliteConnection,
    priority: Priority,
    label: String,
    response_minutes: i64,
    resolution_minutes: i64,
) -> Result<PriorityRule, sqlx::Error> {
    let mut rule = PriorityRule {
        priority,
        label,
        response_minutes: u32::try_from(response_minutes).unwrap_or(0),
        resolution_minutes: u32::try_from(resolution_minutes).unwrap_or(0),
        working_hours: None,
    };
    with_working_hours(conn, std::slice::from_mut(&mut rule)).await?;
    Ok(rule)
}

/// Fills in the working hours each of `rules` counts its targets in, from the
/// calendar of its priority ("Mon–Fri 08:00–18:00 London time"; none around the
/// clock), so that a promise of "2 working hours" says which hours.
pub async fn with_working_hours(
    conn: &mut SqliteConnection,
    rules: &mut [PriorityRule],
) -> Result<(), sqlx::Error> {
    let rows = sqlx::query_as::<_, (i64, String, i64, i64, i64)>(
        "SELECT p.priority, c.time_zone, h.weekday, h.opens, h.closes
         FROM priorities p JOIN calendars c ON c.id = p.calendar_id
         JOIN calendar_hours h ON h.calendar_id = c.id",
    )
    .fetch_all(&mut *conn)
    .await?;
    for rule in rules {
        let level = i64::from(rule.priority.level());
        let of_rule = || rows.iter().filter(move |r| r.0 == level);
        let week = super::calendars::week_of(of_rule().map(|r| (r.2, r.3, r.4)));
        rule.working_hours = of_rule()
            .next()
            .and_then(|r| working_hours_in_words(&week, &r.1));
    }
    Ok(())
}

async fn request_priority(conn: &mut SqliteConnection) -> Result<Priority, sqlx::Error> {
    let raw: Option<String> =
        sqlx::query_scalar("SELECT value FROM settings WHERE key = 'request_priority'")
            .fetch_optional(conn)
            .await?;
    Ok(raw
        .and_then(|v| v.parse::<i64>().ok())
        .and_then(Priority::new)
        .unwrap_or(Priority::new(4).expect("4 is a priority")))
}

pub(crate) async fn derive_priority(
    conn: &mut SqliteConnection,
    triage: Option<(Impact, Urgency)>,
) -> Result<PriorityRule, sqlx::Error> {
    let priority = match triage {
        Some((impact, urgency)) => {
            let level: Option<i64> = sqlx::query_scalar(
                "SELECT priority FROM priority_matrix WHERE impact = ? AND urgency = ?",
            )
            .bind(impact.as_str())
            .bind(urgency.as_str())
            .fetch_optional(&mut *conn)
            .await?;
            level
                .and_then(Priority::new)
                .ok_or_else(|| sqlx::Error::Protocol("priority matrix has a gap".into()))?
        }
        None => request_priority(&mut *conn).await?,
    };
    let row = sqlx::query_as::<_, RuleRow>(
        "SELECT priority, label, response_minutes, resolution_minutes FROM priorities WHERE priority = ?",
    )
    .bind(i64::from(priority.level()))
    .fetch_one(&mut *conn)
    .await?;
    rule_from_row(row).ok_or_else(|| sqlx::Error::Protocol("priority rule unreadable".into()))
}

/// The reopening and automatic closing periods, as configured.
pub async fn lifecycle_rules(conn: &mut SqliteConnection) -> Result<LifecycleRules, sqlx::Error> {
    let rows = sqlx::query_as::<_, (String, String)>(
        "SELECT key, value FROM settings WHERE key IN ('reopen_days', 'auto_close_days')",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut rules = LifecycleRules::default();
    for (key, value) in rows {
        let value: Option<i64> = value.parse().ok();
        match (key.as_str(), value) {
            ("reopen_days", Some(days)) if days >= 0 => rules.reopen_days = days,
            ("auto_close_days", Some(days)) if days >= 1 => rules.auto_close_days = days,
            _ => {}
        }
    }
    Ok(rules)
}

/// The settings as configured now.
pub async fn load(conn: &mut SqliteConnection) -> Result<PrioritySettings, sqlx::Error> {
    Ok(PrioritySettings {
        table: priority_table(&mut *conn).await?,
        lifecycle: lifecycle_rules(conn).await?,
    })
}

/// Writes the priority matrix, each priority's targets and the lifecycle
/// periods; the caller owns the transaction.
pub async fn save(
    conn: &mut SqliteConnection,
    settings: &PrioritySettings,
) -> Result<(), sqlx::Error> {
    for (impact, urgency, priority) in &settings.table.cells {
        sqlx::query("UPDATE priority_matrix SET priority = ? WHERE impact = ? AND urgency = ?")
            .bind(i64::from(priority.level()))
            .bind(impact.as_str())
            .bind(urgency.as_str())
            .execute(&mut *conn)
            .await?;
    }
    for rule in &settings.table.rules {
        sqlx::query(
            "UPDATE priorities SET label = ?, response_minutes = ?, resolution_minutes = ?
             WHERE priority = ?",
        )
        .bind(&rule.label)
        .bind(rule.response_minutes)
        .bind(rule.resolution_minutes)
        .bind(i64::from(rule.priority.level()))
        .execute(&mut *conn)
        .await?;
    }
    for (key, value) in [
        (
            "request_priority",
            settings.table.request_priority.level().to_string(),
        ),
        (
            "auto_close_days",
            settings.lifecycle.auto_close_days.to_string(),
        ),
        ("reopen_days", settings.lifecycle.reopen_days.to_string()),
    ] {
        set_setting(conn, key, &value).await?;
    }
    Ok(())
}

/// Sets one of the portal's settings (the `settings` table of keys and values).
pub async fn set_setting(
    conn: &mut SqliteConnection,
    key: &str,
    value: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES (?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(conn)
    .await?;
    Ok(())
}

/// The calendar each priority's targets count in (`None`: around the clock), by
/// priority.
pub async fn calendar_ids(
    conn: &mut SqliteConnection,
) -> Result<std::collections::BTreeMap<i64, Option<CalendarId>>, sqlx::Error> {
    Ok(sqlx::query_as::<_, (i64, Option<CalendarId>)>(
        "SELECT priority, calendar_id FROM priorities",
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect())
}

/// Makes the targets of `priority` count in calendar `calendar_id`.
pub async fn set_calendar(
    conn: &mut SqliteConnection,
    priority: u8,
    calendar_id: CalendarId,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE priorities SET calendar_id = ? WHERE priority = ?")
        .bind(calendar_id)
        .bind(i64::from(priority))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::store::db::Db;
    use crate::server::store::db::TempDb;

    /// Every query of this file against a freshly migrated database: a column
    /// renamed in a migration fails here.
    #[tokio::test]
    async fn every_query_decodes_the_migrated_schema() {
        let file = TempDb::new("priorities");
        let db = Db::open(&file.0).await.unwrap();
        let mut conn = db.writer.acquire().await.unwrap();
        set_setting(&mut conn, "reopen_days", "5").await.unwrap();
        set_setting(&mut conn, "auto_close_days", "3")
            .await
            .unwrap();

        let settings = load(&mut conn).await.unwrap();
        assert_eq!(settings.table.cells.len(), 9);
        assert!(settings.table.cells.contains(&(
            Impact::High,
            Urgency::High,
            Priority::new(1).unwrap()
        )));
        assert_eq!(settings.table.rules.len(), 5);
        assert_eq!(settings.table.request_priority, Priority::new(4).unwrap());
        assert_eq!(
            (
                settings.lifecycle.reopen_days,
                settings.lifecycle.auto_close_days
            ),
            (5, 3)
        );

        let critical = derive_priority(&mut conn, Some((Impact::High, Urgency::High)))
            .await
            .unwrap();
        assert_eq!(
            critical,
            PriorityRule {
                priority: Priority::new(1).unwrap(),
                label: "Critical".into(),
                response_minutes: 15,
                resolution_minutes: 240,
                working_hours: None,
            }
        );
        assert_eq!(settings.table.rules[0], critical);
        let request = derive_priority(&mut conn, None).await.unwrap();
        assert_eq!(request.priority, Priority::new(4).unwrap());
    }
}
