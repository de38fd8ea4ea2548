//! The configured records with unique names (assignment groups, calendars,
//! incident models): whether one exists, and whether a name is taken.

use sqlx::SqliteConnection;

/// Whether record `id` of `table` exists.
pub async fn exists(
    conn: &mut SqliteConnection,
    table: Table,
    id: i64,
) -> Result<bool, sqlx::Error> {
    let sql = format!("SELECT count(*) FROM {} WHERE id = ?", table.as_str());
    let count: i64 = sqlx::query_scalar(&sql).bind(id).fetch_one(conn).await?;
    Ok(count > 0)
}

/// Whether another record of `table` than `except` has `name` (letter case aside).
pub async fn name_taken(
    conn: &mut SqliteConnection,
    table: Table,
    name: &str,
    except: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "SELECT count(*) FROM {} WHERE lower(name) = lower(?) AND id IS NOT ?",
        table.as_str()
    );
    let count: i64 = sqlx::query_scalar(&sql)
        .bind(name)
        .bind(except)
        .fetch_one(conn)
        .await?;
    Ok(count > 0)
}

/// The tables whose records have unique names.
#[derive(Clone, Copy)]
pub enum Table {
    Groups,
    Calendars,
    Models,
}

impl Table {
    pub fn as_str(self) -> &'static str {
        match self {
            Table::Groups => "assignment_groups",
            Table::Calendars => "calendars",
            Table::Models => "incident_models",
        }
    }
}
