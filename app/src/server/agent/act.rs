//! Turning one of the desk's action forms into a lifecycle action, with the
//! records it names (groups, people, categories, models, linked records), and
//! carrying it out.

use crate::domain::{
    Account, Action, Actor, CategoryId, GroupId, GroupRef, Impact, LinkKind, ModelId, TicketKind,
    TicketNumber, Urgency, UserId, WorkForm,
};
use crate::error::AppError;
use crate::server::hub::Changes;
use crate::server::store::attachments::Files;
use crate::server::store::db::Db;
use crate::server::store::tickets::apply::{self as work, Effect};
use crate::server::store::tickets::desk;
use crate::server::store::{accounts, catalog, groups, knowledge, models};
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

/// Carries out one action of the desk's forms by `me` on ticket `number`;
/// answers the ticket's new version.
pub async fn act(
    db: &Db,
    hub: &Changes,
    me: &Account,
    number: &str,
    form: &WorkForm,
    files: &Files,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let number = TicketNumber::parse(number).ok_or(AppError::NotFound)?;
    let version = form
        .seen_version()
        .ok_or_else(|| refused("The form is missing the ticket's version: reload the ticket."))?;
    let mut conn = db.reader.acquire().await?;
    let (action, effect) = desk_action(&mut conn, me, number, form).await?;
    drop(conn);
    let actor = Actor::Staff {
        id: me.id,
        name: me.name.clone(),
    };
    Ok(work::apply_with(db, hub, number, version, &actor, action, effect, files, now).await?)
}

fn refused(message: &str) -> AppError {
    AppError::Refused(message.into())
}

fn id_of(field: &Option<String>) -> Option<i64> {
    field.as_deref().and_then(|v| v.trim().parse().ok())
}

/// Resolves the records a desk form names (groups, people, categories, models,
/// linked records) into the lifecycle action and what it does beyond the facts.
async fn desk_action(
    conn: &mut SqliteConnection,
    me: &Account,
    number: TicketNumber,
    form: &WorkForm,
) -> Result<(Action, Effect), AppError> {
    let reason = form.reason.clone().unwrap_or_default();
    Ok(match form.action.as_str() {
        "take" => (
            Action::Assign {
                group: None,
                assignee: Some(me.id),
            },
            Effect::None,
        ),
        "assign" => {
            let group = match id_of(&form.group).map(GroupId) {
                Some(id) => Some(
                    groups::group_ref(&mut *conn, id)
                        .await?
                        .ok_or_else(|| refused("Choose one of the groups."))?,
                ),
                None => None,
            };
            let assignee = id_of(&form.assignee).map(UserId);
            if let Some(person) = assignee {
                if !accounts::is_active_staff(&mut *conn, person).await? {
                    return Err(refused("Choose someone on the service desk."));
                }
            }
            (Action::Assign { group, assignee }, Effect::None)
        }
        "escalate" => {
            let group: GroupRef = match id_of(&form.group).map(GroupId) {
                Some(id) => groups::group_ref(&mut *conn, id).await?,
                None => None,
            }
            .ok_or_else(|| refused("Choose the group to escalate to."))?;
            (Action::Escalate { group, reason }, Effect::None)
        }
        "recategorise" => {
            let id = id_of(&form.category)
                .map(CategoryId)
                .ok_or_else(|| refused("Choose a category."))?;
            let names = catalog::category_names(&mut *conn, id).await?;
            let (service, category, offered) =
                names.ok_or_else(|| refused("Choose a category."))?;
            if !offered {
                return Err(refused(
                    "That category is no longer offered: choose another.",
                ));
            }
            (
                Action::Recategorise { service, category },
                Effect::Category(id),
            )
        }
        "apply_model" => {
            let id = id_of(&form.model)
                .map(ModelId)
                .ok_or_else(|| refused("Choose an incident model."))?;
            let model = models::active_model(&mut *conn, id).await?;
            let (name, category, impact, urgency) =
                model.ok_or_else(|| refused("Choose an incident model."))?;
            let (Some(impact), Some(urgency)) = (Impact::parse(&impact), Urgency::parse(&urgency))
            else {
                return Err(AppError::internal(format!(
                    "incident model {id} unreadable"
                )));
            };
            (
                Action::ApplyModel {
                    name,
                    impact,
                    urgency,
                },
                Effect::Model { id, category },
            )
        }
        "tick" => {
            let position = id_of(&form.step).ok_or_else(|| refused("Choose a step."))?;
            let step = desk::checklist_step(&mut *conn, number, position).await?;
            let step =
                step.ok_or_else(|| refused("That step is not on this ticket's checklist."))?;
            let done = form.done.as_deref() == Some("on");
            (Action::Tick { step, done }, Effect::Tick { position, done })
        }
        "link" => link_action(conn, number, form).await?,
        _ => (form.staff_action()?, Effect::None),
    })
}

/// A link to a known error (by its address or slug) or to another incident or a
/// major incident (by number).
async fn link_action(
    conn: &mut SqliteConnection,
    number: TicketNumber,
    form: &WorkForm,
) -> Result<(Action, Effect), AppError> {
    let kind = form
        .link_kind
        .as_deref()
        .and_then(LinkKind::parse)
        .ok_or_else(|| refused("Choose what to link to."))?;
    let target = form.link_target.as_deref().unwrap_or("").trim();
    if kind == LinkKind::KnownError {
        let slug = target.rsplit('/').next().unwrap_or(target);
        let found = knowledge::known_error_by_slug(&mut *conn, slug).await?;
        let (article, title) = found.ok_or_else(|| {
            refused("No known error has that address. Paste the article's address or its slug.")
        })?;
        return Ok((
            Action::Link {
                description: format!("{}: {title}", kind.label()),
            },
            Effect::Link {
                kind,
                ticket: None,
                article: Some(article),
            },
        ));
    }
    let other = TicketNumber::parse(target)
        .filter(|n| n.kind == TicketKind::Incident)
        .ok_or_else(|| refused("Give the incident's number, like INC0001001."))?;
    if other == number {
        return Err(refused("A ticket cannot be linked to itself."));
    }
    let found = desk::link_candidate(&mut *conn, other).await?;
    let (id, major, summary) = found.ok_or_else(|| refused("No incident has that number."))?;
    if kind == LinkKind::MajorIncident && !major {
        return Err(refused(
            "That incident is not a major incident: declare it one first, or link it as a related incident.",
        ));
    }
    Ok((
        Action::Link {
            description: format!("{}: {other} {summary}", kind.label()),
        },
        Effect::Link {
            kind,
            ticket: Some(id),
            article: None,
        },
    ))
}
