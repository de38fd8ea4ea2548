//! The admin's rules for attachments: how large a file and a ticket's files may
//! be, and which kinds of file are accepted (`POST /admin/attachments`, served
//! by [`super::post_whole`]). A save is one transaction with its audit entry;
//! the portal's copy in memory ([`AppState::attachment_rules`]) is replaced
//! once it commits, so the next upload is held to the new rules. Files attached
//! before stay as they are.

use super::WholeSettings;
use crate::domain::{AttachmentRules, NamedErrors};
use crate::server::store::attachments;
use crate::server::web::state::AppState;
use sqlx::SqliteConnection;

pub use crate::server::store::attachments::rules as load;

impl WholeSettings for AttachmentRules {
    const PAGE: &'static str = "/admin/attachments";
    const CHANGED: &'static str = "attachment_rules_changed";
    const FORM: Option<&'static str> = Some("attachments");

    fn parse(fields: &[(String, String)]) -> Result<Self, NamedErrors> {
        AttachmentRules::parse(fields)
    }

    fn changes_from(&self, before: &Self) -> Vec<String> {
        AttachmentRules::changes_from(self, before)
    }

    async fn load(conn: &mut SqliteConnection) -> Result<Self, sqlx::Error> {
        attachments::rules(conn).await
    }

    async fn store(&self, conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
        attachments::save_rules(conn, self).await
    }

    fn in_force(&self, state: &AppState) {
        state.attachment_rules.set(*self);
    }
}
