//! Assignment groups and who is in them: the tables `assignment_groups` and
//! `group_members`.

use crate::domain::{
    GroupConfig, GroupFields, GroupId, GroupRef, GroupsOverview, StaffMember, UserId,
};
use crate::server::store::tickets::OPEN;
use sqlx::SqliteConnection;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// Every group with its members and open tickets, and everyone who may join one.
pub async fn overview(conn: &mut SqliteConnection) -> Result<GroupsOverview, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct GroupRow {
        id: GroupId,
        name: String,
        level: i64,
        mail_new_tickets: bool,
        open_tickets: i64,
    }
    #[derive(sqlx::FromRow)]
    struct StaffRow {
        id: UserId,
        name: String,
        email: String,
        active: bool,
    }
    static GROUPS: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT g.id, g.name, g.level, g.mail_new_tickets,
                    (SELECT count(*) FROM tickets t WHERE t.group_id = g.id
                     AND t.{OPEN}) AS open_tickets
             FROM assignment_groups g ORDER BY g.level, g.name"
        )
    });
    let mut members: BTreeMap<GroupId, Vec<UserId>> = BTreeMap::new();
    for (group, user) in sqlx::query_as::<_, (GroupId, UserId)>(
        "SELECT m.group_id, m.user_id FROM group_members m JOIN users u ON u.id = m.user_id
         ORDER BY u.name",
    )
    .fetch_all(&mut *conn)
    .await?
    {
        members.entry(group).or_default().push(user);
    }
    let groups = sqlx::query_as::<_, GroupRow>(GROUPS.as_str())
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|row| GroupConfig {
            id: row.id,
            name: row.name,
            level: u8::try_from(row.level).unwrap_or(1),
            members: members.remove(&row.id).unwrap_or_default(),
            mail_new_tickets: row.mail_new_tickets,
            open_tickets: row.open_tickets,
        })
        .collect();
    let staff = sqlx::query_as::<_, StaffRow>(
        "SELECT id, name, email, active FROM users WHERE role IN ('agent', 'admin') ORDER BY name, id",
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|row| StaffMember {
        id: row.id,
        name: row.name,
        email: row.email,
        active: row.active,
    })
    .collect();
    Ok(GroupsOverview { groups, staff })
}

/// A group as saved, before a change: what the audit entry compares with.
#[derive(sqlx::FromRow)]
pub struct StoredGroup {
    pub name: String,
    pub level: i64,
    pub mail_new_tickets: bool,
}

/// Group `id` as saved, if there is one.
pub async fn stored(
    conn: &mut SqliteConnection,
    id: GroupId,
) -> Result<Option<StoredGroup>, sqlx::Error> {
    sqlx::query_as("SELECT name, level, mail_new_tickets FROM assignment_groups WHERE id = ?")
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Whether a 1st-level group other than `id` exists. New tickets go to the
/// first 1st-level group, so one must stay.
pub async fn other_first_level_exists(
    conn: &mut SqliteConnection,
    id: GroupId,
) -> Result<bool, sqlx::Error> {
    let others: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM assignment_groups WHERE level = 1 AND id IS NOT ?",
    )
    .bind(id)
    .fetch_one(conn)
    .await?;
    Ok(others != 0)
}

/// Everyone who may be a member of a group (agents and admins, active or not):
/// their names by account id.
pub async fn staff_names(
    conn: &mut SqliteConnection,
) -> Result<BTreeMap<UserId, String>, sqlx::Error> {
    Ok(sqlx::query_as::<_, (UserId, String)>(
        "SELECT id, name FROM users WHERE role IN ('agent', 'admin')",
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .collect())
}

/// Gives group `id` the name and level of `group` (its members:
/// [`replace_members`]).
pub async fn update(
    conn: &mut SqliteConnection,
    id: GroupId,
    group: &GroupFields,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE assignment_groups SET name = ?, level = ?, mail_new_tickets = ? WHERE id = ?",
    )
    .bind(&group.name)
    .bind(i64::from(group.level))
    .bind(group.mail_new_tickets)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Adds a group with the name and level of `group`, as yet without members
/// ([`replace_members`]); its id.
pub async fn insert(
    conn: &mut SqliteConnection,
    group: &GroupFields,
) -> Result<GroupId, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO assignment_groups (name, level, mail_new_tickets) VALUES (?, ?, ?)
         RETURNING id",
    )
    .bind(&group.name)
    .bind(i64::from(group.level))
    .bind(group.mail_new_tickets)
    .fetch_one(conn)
    .await
}

/// Makes `members` (account ids) the members of group `id`, and returns who the
/// members were before, for the audit entry.
pub async fn replace_members(
    conn: &mut SqliteConnection,
    id: GroupId,
    members: &[UserId],
) -> Result<Vec<UserId>, sqlx::Error> {
    let was: Vec<UserId> =
        sqlx::query_scalar("SELECT user_id FROM group_members WHERE group_id = ?")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    sqlx::query("DELETE FROM group_members WHERE group_id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for member in members {
        sqlx::query("INSERT INTO group_members (group_id, user_id) VALUES (?, ?)")
            .bind(id)
            .bind(member)
            .execute(&mut *conn)
            .await?;
    }
    Ok(was)
}

/// The support groups agents belong to.
pub async fn list_groups(
    conn: &mut SqliteConnection,
) -> Result<Vec<crate::domain::AssignmentGroup>, sqlx::Error> {
    let rows: Vec<(GroupId, String, i64)> =
        sqlx::query_as("SELECT id, name, level FROM assignment_groups ORDER BY level, name")
            .fetch_all(conn)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, level)| crate::domain::AssignmentGroup {
            id,
            name,
            level: u8::try_from(level).unwrap_or(0),
        })
        .collect())
}

/// An assignment group by id.
pub async fn group_ref(
    conn: &mut SqliteConnection,
    id: GroupId,
) -> Result<Option<GroupRef>, sqlx::Error> {
    let level: Option<i64> = sqlx::query_scalar("SELECT level FROM assignment_groups WHERE id = ?")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(level
        .and_then(|l| u8::try_from(l).ok())
        .map(|level| GroupRef { id, level }))
}
