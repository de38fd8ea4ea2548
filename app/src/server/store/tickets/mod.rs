//! Tickets, with their history, links, checklist, followers and SLA milestones:
//! every change goes through [`work::TicketWork`].

pub mod apply;
pub mod clock;
pub mod desk;
pub mod log;
pub mod mail;
pub mod reporter;
pub mod work;

use crate::domain::{TicketId, TicketNumber};
use sqlx::SqliteConnection;

/// "The ticket is still being worked", written once. Word for word the `WHERE`
/// of the partial queue indexes (migration `…_agent_workspace`), so SQLite can
/// walk them; with a table alias, write `t.{OPEN}`.
pub const OPEN: &str = "state NOT IN ('resolved', 'fulfilled', 'closed')";

/// The id of major incident `number` if it is still being worked.
pub async fn ongoing_major(
    conn: &mut SqliteConnection,
    number: TicketNumber,
) -> Result<Option<TicketId>, sqlx::Error> {
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!("SELECT id FROM tickets WHERE number = ? AND major = 1 AND {OPEN}")
    });
    sqlx::query_scalar(SQL.as_str())
        .bind(number.to_string())
        .fetch_optional(conn)
        .await
}
