//! The admin's "priorities and targets" settings: reading and saving them, and
//! the form post `POST /admin/priorities` ([`super::post_whole`]). Every save is
//! one transaction with its entry in the audit log (who, when, what changed);
//! new values apply to tickets logged and resolved from then on.

use super::WholeSettings;
use crate::domain::{NamedErrors, PrioritySettings};
use crate::server::store::priorities;
use sqlx::SqliteConnection;

pub use crate::server::store::priorities::load;

impl WholeSettings for PrioritySettings {
    const PAGE: &'static str = "/admin/priorities";
    const CHANGED: &'static str = "priorities_changed";

    fn parse(fields: &[(String, String)]) -> Result<Self, NamedErrors> {
        PrioritySettings::parse(fields)
    }

    fn changes_from(&self, before: &Self) -> Vec<String> {
        PrioritySettings::changes_from(self, before)
    }

    async fn load(conn: &mut SqliteConnection) -> Result<Self, sqlx::Error> {
        priorities::load(conn).await
    }

    async fn store(&self, conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
        priorities::save(conn, self).await
    }
}
