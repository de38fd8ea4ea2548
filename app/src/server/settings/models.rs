//! Incident models: reading them for `/admin/models`, adding one
//! (`POST /admin/models`) and changing one (`POST /admin/models/{id}`). A
//! ticket's checklist is a copy of its model's steps, so changing a model never
//! rewrites what agents already ticked.

use super::{change, name_taken, Configured, Saved, Table};
use crate::domain::{
    parse_model, Impact, ModelConfig, ModelFields, ModelsOverview, NamedErrors, Urgency,
};
use crate::server::store::catalog;
use crate::server::web::caller::Admin;
use crate::server::web::state::AppState;
use sqlx::{Row, SqliteConnection};
use std::collections::BTreeMap;

const PAGE: &str = "/admin/models";

/// Every model with its steps, and the services and categories to choose from.
pub async fn overview(conn: &mut SqliteConnection) -> Result<ModelsOverview, sqlx::Error> {
    let mut steps: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for (model, text) in sqlx::query_as::<_, (i64, String)>(
        "SELECT model_id, text FROM incident_model_steps ORDER BY model_id, position",
    )
    .fetch_all(&mut *conn)
    .await?
    {
        steps.entry(model).or_default().push(text);
    }
    let models = sqlx::query(
        "SELECT id, name, category_id, impact, urgency, active FROM incident_models
         ORDER BY active DESC, name",
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .filter_map(|row| {
        let id: i64 = row.get("id");
        Some(ModelConfig {
            id,
            name: row.get("name"),
            category_id: row.get("category_id"),
            impact: Impact::parse(row.get("impact"))?,
            urgency: Urgency::parse(row.get("urgency"))?,
            active: row.get::<i64, _>("active") == 1,
            steps: steps.remove(&id).unwrap_or_default(),
        })
    })
    .collect();
    Ok(ModelsOverview {
        models,
        services: catalog::list_services(conn).await?,
    })
}

/// "Printing / Paper jam" for a category id.
async fn category_name(
    conn: &mut SqliteConnection,
    id: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT s.name || ' / ' || c.name FROM categories c JOIN services s ON s.id = c.service_id
         WHERE c.id = ?",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Incident models, on `/admin/models`.
pub struct Models;

impl Configured for Models {
    const PAGE: &'static str = PAGE;
    const TABLE: Table = Table::Models;
    type Fields = ModelFields;

    fn parse(fields: &[(String, String)]) -> Result<ModelFields, NamedErrors> {
        parse_model(fields)
    }

    async fn save(
        state: &AppState,
        post: &Admin,
        id: Option<i64>,
        model: &ModelFields,
    ) -> Result<Saved, sqlx::Error> {
        let mut tx = state.db.writer.begin().await?;
        let before = match id {
            None => None,
            Some(id) => {
                let Some(row) = sqlx::query(
                    "SELECT name, category_id, impact, urgency, active FROM incident_models WHERE id = ?",
                )
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                else {
                    return Ok(Saved::NotFound);
                };
                let steps: Vec<String> = sqlx::query_scalar(
                    "SELECT text FROM incident_model_steps WHERE model_id = ? ORDER BY position",
                )
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
                let category = category_name(&mut tx, row.get("category_id"))
                    .await?
                    .unwrap_or_default();
                Some((row, category, steps))
            }
        };
        if name_taken(&mut tx, Table::Models, &model.name, id).await? {
            return Ok(Saved::refused(
                "name",
                format!(
                    "A model called \u{201c}{}\u{201d} exists already.",
                    model.name
                ),
            ));
        }
        let Some(category) = category_name(&mut tx, model.category_id).await? else {
            return Ok(Saved::refused(
                "category",
                "Choose one of the categories in the list.",
            ));
        };
        let active = i64::from(model.active);
        let id = match id {
            Some(id) => {
                sqlx::query(
                    "UPDATE incident_models SET name = ?, category_id = ?, impact = ?, urgency = ?, active = ?
                     WHERE id = ?",
                )
                .bind(&model.name)
                .bind(model.category_id)
                .bind(model.impact.as_str())
                .bind(model.urgency.as_str())
                .bind(active)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM incident_model_steps WHERE model_id = ?")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                id
            }
            None => {
                sqlx::query_scalar(
                    "INSERT INTO incident_models (name, category_id, impact, urgency, active)
                     VALUES (?, ?, ?, ?, ?) RETURNING id",
                )
                .bind(&model.name)
                .bind(model.category_id)
                .bind(model.impact.as_str())
                .bind(model.urgency.as_str())
                .bind(active)
                .fetch_one(&mut *tx)
                .await?
            }
        };
        for (position, step) in (1_i64..).zip(&model.steps) {
            sqlx::query(
                "INSERT INTO incident_model_steps (model_id, position, text) VALUES (?, ?, ?)",
            )
            .bind(id)
            .bind(position)
            .bind(step)
            .execute(&mut *tx)
            .await?;
        }
        let offered = |active: bool| if active { "offered" } else { "withdrawn" };
        let (event, detail) = match before {
            None => (
                "model_added",
                format!(
                    "{} ({category}; impact {}, urgency {}; {} steps)",
                    model.name,
                    model.impact.as_str(),
                    model.urgency.as_str(),
                    model.steps.len()
                ),
            ),
            Some((row, category_was, steps)) => {
                let mut detail = vec![model.name.clone()];
                detail.extend(change(
                    "name",
                    row.get::<String, _>("name").as_str(),
                    &model.name,
                ));
                detail.extend(change("category", category_was.as_str(), &category));
                detail.extend(change(
                    "impact",
                    row.get::<String, _>("impact").as_str(),
                    model.impact.as_str(),
                ));
                detail.extend(change(
                    "urgency",
                    row.get::<String, _>("urgency").as_str(),
                    model.urgency.as_str(),
                ));
                detail.extend(change(
                    "agents",
                    offered(row.get::<i64, _>("active") == 1),
                    offered(model.active),
                ));
                if steps.len() != model.steps.len() {
                    detail.push(format!("steps: {} → {}", steps.len(), model.steps.len()));
                } else if steps != model.steps {
                    detail.push(format!("steps reworded ({})", steps.len()));
                }
                ("model_changed", detail.join("; "))
            }
        };
        post.record(&mut tx, event, &detail).await?;
        tx.commit().await?;
        let done = if event == "model_added" {
            "added"
        } else {
            "saved"
        };
        Ok(Saved::Done(format!("{PAGE}?done={done}#model-{id}")))
    }
}
