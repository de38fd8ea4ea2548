//! Assignment groups: reading them for `/admin/groups`, adding one
//! (`POST /admin/groups`) and changing one's name, level and members
//! (`POST /admin/groups/{id}`).

use super::{change, name_taken, Configured, Saved, Table};
use crate::domain::{
    parse_group, GroupConfig, GroupFields, GroupsOverview, NamedErrors, StaffMember,
};
use crate::server::web::caller::Admin;
use crate::server::web::state::AppState;
use sqlx::{Row, SqliteConnection};
use std::collections::BTreeMap;

const PAGE: &str = "/admin/groups";

/// Every group with its members and open tickets, and everyone who may join one.
pub async fn overview(conn: &mut SqliteConnection) -> Result<GroupsOverview, sqlx::Error> {
    let mut members: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (group, user) in sqlx::query_as::<_, (i64, i64)>(
        "SELECT m.group_id, m.user_id FROM group_members m JOIN users u ON u.id = m.user_id
         ORDER BY u.name",
    )
    .fetch_all(&mut *conn)
    .await?
    {
        members.entry(group).or_default().push(user);
    }
    let groups = sqlx::query(
        "SELECT g.id, g.name, g.level,
                (SELECT count(*) FROM tickets t WHERE t.group_id = g.id
                 AND t.state NOT IN ('resolved', 'fulfilled', 'closed')) AS open_tickets
         FROM assignment_groups g ORDER BY g.level, g.name",
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|row| {
        let id: i64 = row.get("id");
        GroupConfig {
            id,
            name: row.get("name"),
            level: u8::try_from(row.get::<i64, _>("level")).unwrap_or(1),
            members: members.remove(&id).unwrap_or_default(),
            open_tickets: row.get("open_tickets"),
        }
    })
    .collect();
    let staff = sqlx::query(
        "SELECT id, name, email, active FROM users WHERE role IN ('agent', 'admin') ORDER BY name, id",
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|row| StaffMember {
        id: row.get("id"),
        name: row.get("name"),
        email: row.get("email"),
        active: row.get::<i64, _>("active") == 1,
    })
    .collect();
    Ok(GroupsOverview { groups, staff })
}

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
        let mut tx = state.db.writer.begin().await?;
        let before = match id {
            None => None,
            Some(id) => {
                let row: Option<(String, i64)> =
                    sqlx::query_as("SELECT name, level FROM assignment_groups WHERE id = ?")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                match row {
                    Some(row) => Some(row),
                    None => return Ok(Saved::NotFound),
                }
            }
        };
        if name_taken(&mut tx, Table::Groups, &group.name, id).await? {
            return Ok(Saved::refused(
                "name",
                format!(
                    "A group called \u{201c}{}\u{201d} exists already.",
                    group.name
                ),
            ));
        }
        // New tickets go to the first 1st-level group: one must stay.
        if before.as_ref().is_some_and(|(_, level)| *level == 1) && group.level != 1 {
            let others: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM assignment_groups WHERE level = 1 AND id IS NOT ?",
            )
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            if others == 0 {
                return Ok(Saved::refused(
                    "level",
                    "New tickets go to a 1st-level group: keep this one at 1st level until another group is.",
                ));
            }
        }
        let staff: BTreeMap<i64, String> =
            sqlx::query_as("SELECT id, name FROM users WHERE role IN ('agent', 'admin')")
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .collect();
        if group.members.iter().any(|m| !staff.contains_key(m)) {
            return Ok(Saved::refused(
                "members",
                "Only agents and admins can be members: choose from the list.",
            ));
        }
        let id = match id {
            Some(id) => {
                sqlx::query("UPDATE assignment_groups SET name = ?, level = ? WHERE id = ?")
                    .bind(&group.name)
                    .bind(i64::from(group.level))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                id
            }
            None => {
                sqlx::query_scalar(
                    "INSERT INTO assignment_groups (name, level) VALUES (?, ?) RETURNING id",
                )
                .bind(&group.name)
                .bind(i64::from(group.level))
                .fetch_one(&mut *tx)
                .await?
            }
        };
        let was: Vec<i64> =
            sqlx::query_scalar("SELECT user_id FROM group_members WHERE group_id = ?")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
        sqlx::query("DELETE FROM group_members WHERE group_id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for member in &group.members {
            sqlx::query("INSERT INTO group_members (group_id, user_id) VALUES (?, ?)")
                .bind(id)
                .bind(member)
                .execute(&mut *tx)
                .await?;
        }
        let names = |ids: Vec<&i64>| {
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
            Some((name, level)) => (
                "group_changed",
                [
                    Some(group.name.clone()),
                    change("name", name.as_str(), group.name.as_str()),
                    change("level", *level, i64::from(group.level)),
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
