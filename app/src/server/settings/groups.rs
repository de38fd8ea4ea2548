//! Assignment groups: reading them for `/admin/groups` ([`overview`]), adding
//! one (`POST /admin/groups`) and changing one's name, level and members
//! (`POST /admin/groups/{id}`). What is checked and written to the audit log is
//! decided here; the SQL is in [`crate::server::store::groups`].

use super::{change, name_taken, Configured, Saved, Table};
use crate::domain::{parse_group, GroupFields, GroupId, NamedErrors, UserId};
use crate::server::store::groups;
use crate::server::web::caller::Admin;
use crate::server::web::state::AppState;

pub use crate::server::store::groups::overview;

const PAGE: &str = "/admin/groups";

/// Assignment groups, on `/admin/groups`.
pub struct Groups;

impl Configured for Groups {
    const PAGE: &'static str = PAGE;
    const TABLE: Table = Table::Groups;
    type Fields = GroupFields;

    fn parse(fields: &[(String, String)]) -> Result<GroupFields, NamedErrors> {
        parse_group(fields)
    }

    async fn save(
        state: &AppState,
        post: &Admin,
        id: Option<i64>,
        group: &GroupFields,
    ) -> Result<Saved, sqlx::Error> {
        let id = id.map(GroupId);
        let mut tx = state.db.writer.begin().await?;
        let before = match id {
            None => None,
            Some(id) => {
                let Some(stored) = groups::stored(&mut tx, id).await? else {
                    return Ok(Saved::NotFound);
                };
                Some(stored)
            }
        };
        if name_taken(&mut tx, Table::Groups, &group.name, id.map(|id| id.0)).await? {
            return Ok(Saved::refused(
                "name",
                format!(
                    "A group called \u{201c}{}\u{201d} exists already.",
                    group.name
                ),
            ));
        }
        // New tickets go to the first 1st-level group: one must stay.
        if let (Some(id), Some(before)) = (id, &before) {
            if before.level == 1
                && group.level != 1
                && !groups::other_first_level_exists(&mut tx, id).await?
            {
                return Ok(Saved::refused(
                    "level",
                    "New tickets go to a 1st-level group: keep this one at 1st level until another group is.",
                ));
            }
        }
        let staff = groups::staff_names(&mut tx).await?;
        if group.members.iter().any(|m| !staff.contains_key(m)) {
            return Ok(Saved::refused(
                "members",
                "Only agents and admins can be members: choose from the list.",
            ));
        }
        let id = match id {
            Some(id) => {
                groups::update(&mut tx, id, group).await?;
                id
            }
            None => groups::insert(&mut tx, group).await?,
        };
        let was = groups::replace_members(&mut tx, id, &group.members).await?;
        let names = |ids: Vec<&UserId>| {
            ids.into_iter()
                .filter_map(|m| staff.get(m).cloned())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let joined = names(group.members.iter().filter(|m| !was.contains(m)).collect());
        let left = names(was.iter().filter(|m| !group.members.contains(m)).collect());
        let (event, mut detail) = match &before {
            None => (
                "group_added",
                vec![format!("{} (level {})", group.name, group.level)],
            ),
            Some(before) => (
                "group_changed",
                [
                    Some(group.name.clone()),
                    change("name", before.name.as_str(), group.name.as_str()),
                    change("level", before.level, i64::from(group.level)),
                    change(
                        "new-ticket e-mail",
                        on_off(before.mail_new_tickets),
                        on_off(group.mail_new_tickets),
                    ),
                ]
                .into_iter()
                .flatten()
                .collect(),
            ),
        };
        if !joined.is_empty() {
            detail.push(format!("joined: {joined}"));
        }
        if !left.is_empty() {
            detail.push(format!("left: {left}"));
        }
        post.record(&mut tx, event, &detail.join("; ")).await?;
        tx.commit().await?;
        let done = if before.is_some() { "saved" } else { "added" };
        Ok(Saved::Done(format!("{PAGE}?done={done}#group-{id}")))
    }
}

fn on_off(on: bool) -> &'static str {
    if on {
        "on"
    } else {
        "off"
    }
}
