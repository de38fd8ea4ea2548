//! Incident models and their steps: the tables `incident_models` and
//! `incident_model_steps`. A ticket's checklist is a copy of its model's steps
//! (kept with the ticket), so nothing here rewrites what agents already ticked.

use crate::domain::{
    CategoryId, Impact, ModelConfig, ModelFields, ModelId, ModelsOverview, Urgency,
};
use crate::server::store::catalog;
use sqlx::SqliteConnection;
use std::collections::BTreeMap;

/// Every model with its steps, and the services and categories to choose from.
pub async fn overview(conn: &mut SqliteConnection) -> Result<ModelsOverview, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct ModelRow {
        id: ModelId,
        name: String,
        category_id: CategoryId,
        impact: String,
        urgency: String,
        active: bool,
    }
    let mut steps: BTreeMap<ModelId, Vec<String>> = BTreeMap::new();
    for (model, text) in sqlx::query_as::<_, (ModelId, String)>(
        "SELECT model_id, text FROM incident_model_steps ORDER BY model_id, position",
    )
    .fetch_all(&mut *conn)
    .await?
    {
        steps.entry(model).or_default().push(text);
    }
    let models = sqlx::query_as::<_, ModelRow>(
        "SELECT id, name, category_id, impact, urgency, active FROM incident_models
         ORDER BY active DESC, name",
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .filter_map(|row| {
        Some(ModelConfig {
            id: row.id,
            name: row.name,
            category_id: row.category_id,
            impact: Impact::parse(&row.impact)?,
            urgency: Urgency::parse(&row.urgency)?,
            active: row.active,
            steps: steps.remove(&row.id).unwrap_or_default(),
        })
    })
    .collect();
    Ok(ModelsOverview {
        models,
        services: catalog::list_services(conn).await?,
    })
}

/// A model as saved, before a change: what the audit entry compares with.
/// Impact and urgency are as stored, so the entry shows them even if unreadable.
#[derive(sqlx::FromRow)]
pub struct StoredModel {
    pub name: String,
    pub category_id: CategoryId,
    pub impact: String,
    pub urgency: String,
    /// Offered to agents.
    pub active: bool,
}

/// Model `id` as saved, if there is one.
pub async fn stored(
    conn: &mut SqliteConnection,
    id: ModelId,
) -> Result<Option<StoredModel>, sqlx::Error> {
    sqlx::query_as(
        "SELECT name, category_id, impact, urgency, active FROM incident_models WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// The steps of model `id`, in order.
pub async fn steps(conn: &mut SqliteConnection, id: ModelId) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT text FROM incident_model_steps WHERE model_id = ? ORDER BY position")
        .bind(id)
        .fetch_all(conn)
        .await
}

/// "Printing / Paper jam" for category `id`, if there is one: how a model's
/// category is named in the audit log.
pub async fn category_name(
    conn: &mut SqliteConnection,
    id: CategoryId,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT s.name || ' / ' || c.name FROM categories c JOIN services s ON s.id = c.service_id
         WHERE c.id = ?",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Gives model `id` everything in `model` but its steps ([`replace_steps`]).
pub async fn update(
    conn: &mut SqliteConnection,
    id: ModelId,
    model: &ModelFields,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE incident_models SET name = ?, category_id = ?, impact = ?, urgency = ?, active = ?
         WHERE id = ?",
    )
    .bind(&model.name)
    .bind(model.category_id)
    .bind(model.impact.as_str())
    .bind(model.urgency.as_str())
    .bind(i64::from(model.active))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Adds a model with everything in `model` but its steps ([`insert_steps`]);
/// its id.
pub async fn insert(
    conn: &mut SqliteConnection,
    model: &ModelFields,
) -> Result<ModelId, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO incident_models (name, category_id, impact, urgency, active)
         VALUES (?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(&model.name)
    .bind(model.category_id)
    .bind(model.impact.as_str())
    .bind(model.urgency.as_str())
    .bind(i64::from(model.active))
    .fetch_one(conn)
    .await
}

/// Makes `steps` the steps of model `id`, in order, in place of any it had.
pub async fn replace_steps(
    conn: &mut SqliteConnection,
    id: ModelId,
    steps: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM incident_model_steps WHERE model_id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    insert_steps(conn, id, steps).await
}

/// Gives model `id`, which has none yet, the steps `steps` in order.
pub async fn insert_steps(
    conn: &mut SqliteConnection,
    id: ModelId,
    steps: &[String],
) -> Result<(), sqlx::Error> {
    for (position, step) in (1_i64..).zip(steps) {
        sqlx::query("INSERT INTO incident_model_steps (model_id, position, text) VALUES (?, ?, ?)")
            .bind(id)
            .bind(position)
            .bind(step)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Active model `id`'s name, category, impact and urgency (as stored).
pub async fn active_model(
    conn: &mut SqliteConnection,
    id: ModelId,
) -> Result<Option<(String, CategoryId, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT name, category_id, impact, urgency FROM incident_models
         WHERE id = ? AND active = 1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}
