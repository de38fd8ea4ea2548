//! Incident models: reading them for `/admin/models` ([`overview`]), adding one
//! (`POST /admin/models`) and changing one (`POST /admin/models/{id}`). A
//! ticket's checklist is a copy of its model's steps, so changing a model never
//! rewrites what agents already ticked. What is checked and written to the audit
//! log is decided here; the SQL is in [`crate::server::store::models`].

use super::{change, name_taken, Configured, Saved, Table};
use crate::domain::{parse_model, ModelFields, ModelId, NamedErrors};
use crate::server::store::models;
use crate::server::web::caller::Admin;
use crate::server::web::state::AppState;

pub use crate::server::store::models::overview;

const PAGE: &str = "/admin/models";

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
        let id = id.map(ModelId);
        let mut tx = state.db.writer.begin().await?;
        let before = match id {
            None => None,
            Some(id) => {
                let Some(stored) = models::stored(&mut tx, id).await? else {
                    return Ok(Saved::NotFound);
                };
                let steps = models::steps(&mut tx, id).await?;
                let category = models::category_name(&mut tx, stored.category_id)
                    .await?
                    .unwrap_or_default();
                Some((stored, category, steps))
            }
        };
        if name_taken(&mut tx, Table::Models, &model.name, id.map(|id| id.0)).await? {
            return Ok(Saved::refused(
                "name",
                format!(
                    "A model called \u{201c}{}\u{201d} exists already.",
                    model.name
                ),
            ));
        }
        let Some(category) = models::category_name(&mut tx, model.category_id).await? else {
            return Ok(Saved::refused(
                "category",
                "Choose one of the categories in the list.",
            ));
        };
        let id = match id {
            Some(id) => {
                models::update(&mut tx, id, model).await?;
                models::replace_steps(&mut tx, id, &model.steps).await?;
                id
            }
            None => {
                let id = models::insert(&mut tx, model).await?;
                models::insert_steps(&mut tx, id, &model.steps).await?;
                id
            }
        };
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
            Some((was, category_was, steps)) => {
                let mut detail = vec![model.name.clone()];
                detail.extend(change("name", was.name.as_str(), &model.name));
                detail.extend(change("category", category_was.as_str(), &category));
                detail.extend(change("impact", was.impact.as_str(), model.impact.as_str()));
                detail.extend(change(
                    "urgency",
                    was.urgency.as_str(),
                    model.urgency.as_str(),
                ));
                detail.extend(change("agents", offered(was.active), offered(model.active)));
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
