//! Demo content, loaded on first start into an empty database so that a new portal
//! has something to search and a notice to show.

use super::markdown::to_plain_text;
use super::store::catalog::{self, NewService};
use super::store::knowledge::{self, ArticleDraft, DraftContent};
use super::store::{models, notices};
use crate::domain::{Impact, KnownErrorStatus, ModelFields, Severity, Urgency};
use crate::server::store::db::Db;
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

const CONTENT: &str = include_str!("content.toml");

#[derive(Deserialize)]
struct Content {
    services: Vec<ServiceSeed>,
    faqs: Vec<FaqSeed>,
    known_errors: Vec<KnownErrorSeed>,
    notices: Vec<NoticeSeed>,
    models: Vec<ModelSeed>,
}

/// An incident model: the category it sets, its triage, its checklist.
#[derive(Deserialize)]
struct ModelSeed {
    name: String,
    service: String,
    category: String,
    impact: String,
    urgency: String,
    steps: Vec<String>,
}

#[derive(Deserialize)]
struct ServiceSeed {
    slug: String,
    name: String,
    description: String,
    categories: Vec<String>,
}

#[derive(Deserialize)]
struct FaqSeed {
    slug: String,
    service: String,
    title: String,
    keywords: Vec<String>,
    answer: String,
}

#[derive(Deserialize)]
struct KnownErrorSeed {
    slug: String,
    service: String,
    title: String,
    keywords: Vec<String>,
    status: String,
    symptoms: String,
    workaround: String,
    cause: Option<String>,
}

#[derive(Deserialize)]
struct NoticeSeed {
    title: String,
    services: Vec<String>,
    severity: String,
    experience: String,
    started_minutes_ago: i64,
    expected_restoration_minutes_from_now: Option<i64>,
    #[serde(default)]
    updates: Vec<UpdateSeed>,
}

#[derive(Deserialize)]
struct UpdateSeed {
    minutes_ago: i64,
    body: String,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("demo content is malformed: {0}")]
    Malformed(String),
    #[error(transparent)]
    Article(#[from] knowledge::InsertArticleError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Every article of the demo content, for tests and benchmarks that want realistic
/// text without a database.
pub fn articles() -> Result<Vec<ArticleDraft>, DemoError> {
    Ok(parse()?.articles)
}

struct Parsed {
    services: Vec<ServiceSeed>,
    articles: Vec<ArticleDraft>,
    notices: Vec<NoticeSeed>,
    models: Vec<ModelSeed>,
}

fn parse() -> Result<Parsed, DemoError> {
    let content: Content =
        toml::from_str(CONTENT).map_err(|e| DemoError::Malformed(e.to_string()))?;
    let mut articles: Vec<ArticleDraft> = content
        .faqs
        .into_iter()
        .map(|f| ArticleDraft {
            slug: f.slug,
            service_slug: f.service,
            title: f.title,
            keywords: f.keywords,
            visibility: Default::default(),
            content: DraftContent::Faq {
                answer_md: f.answer,
            },
        })
        .collect();
    for k in content.known_errors {
        let status = KnownErrorStatus::parse(&k.status)
            .ok_or_else(|| DemoError::Malformed(format!("status {:?}", k.status)))?;
        articles.push(ArticleDraft {
            slug: k.slug,
            service_slug: k.service,
            title: k.title,
            keywords: k.keywords,
            visibility: Default::default(),
            content: DraftContent::KnownError {
                status,
                symptoms_md: k.symptoms,
                workaround_md: k.workaround,
                cause_md: k.cause,
            },
        });
    }
    Ok(Parsed {
        services: content.services,
        articles,
        notices: content.notices,
        models: content.models,
    })
}

/// Loads the demo content if the database has no services yet. Returns whether it
/// did. Everything is written in one transaction.
pub async fn load_if_empty(db: &Db, now: DateTime<Utc>) -> Result<bool, DemoError> {
    let mut tx = db.writer.begin().await?;
    if catalog::count_services(&mut tx).await? > 0 {
        return Ok(false);
    }
    let parsed = parse()?;
    for s in &parsed.services {
        catalog::insert_service(
            &mut tx,
            NewService {
                slug: &s.slug,
                name: &s.name,
                description: &s.description,
                categories: &s.categories,
            },
        )
        .await?;
    }
    for article in &parsed.articles {
        knowledge::insert_article(&mut tx, article, knowledge::Provenance::PUBLISHED, now).await?;
    }
    for n in parsed.notices {
        let severity = Severity::parse(&n.severity)
            .ok_or_else(|| DemoError::Malformed(format!("severity {:?}", n.severity)))?;
        let draft = crate::domain::NoticeDraft {
            title: n.title,
            severity,
            experience: to_plain_text(&n.experience),
            service_slugs: n.services,
            starts_at: now - Duration::minutes(n.started_minutes_ago),
            expected_restoration_at: n
                .expected_restoration_minutes_from_now
                .map(|m| now + Duration::minutes(m)),
            audience: crate::domain::Audience::Everyone,
            major: None,
            updates: n
                .updates
                .into_iter()
                .map(|u| (now - Duration::minutes(u.minutes_ago), u.body))
                .collect(),
        };
        notices::insert(&mut tx, &draft, "Service desk", now)
            .await
            .map_err(|e| DemoError::Malformed(format!("notice {:?}: {e}", draft.title)))?;
    }
    for m in &parsed.models {
        insert_model(&mut tx, m).await?;
    }
    tx.commit().await?;
    Ok(true)
}

async fn insert_model(conn: &mut sqlx::SqliteConnection, m: &ModelSeed) -> Result<(), DemoError> {
    let malformed = |what: &str| DemoError::Malformed(format!("model {:?}: {what}", m.name));
    let category_id = catalog::category_by_name(&mut *conn, &m.service, &m.category)
        .await?
        .ok_or_else(|| malformed("no such category"))?;
    let model = ModelFields {
        name: m.name.clone(),
        category_id,
        impact: Impact::parse(&m.impact).ok_or_else(|| malformed("unknown impact"))?,
        urgency: Urgency::parse(&m.urgency).ok_or_else(|| malformed("unknown urgency"))?,
        active: true,
        steps: m.steps.clone(),
    };
    let id = models::insert(&mut *conn, &model).await?;
    models::insert_steps(conn, id, &model.steps).await?;
    Ok(())
}
