//! Writing knowledge articles: saving, publishing and archiving, each one
//! transaction with its audit entry, and the search index brought in step before
//! the author is answered (so search reflects the change at once).
//!
//! The HTTP side is two plain form posts: `POST /knowledge/new` and
//! `POST /knowledge/articles/{slug}`. A form that worked answers with a redirect
//! (303) to the article's editor; one with problems answers with the editor again,
//! the messages beside the fields and everything typed kept.

use crate::domain::{
    form_value, parse_article, Account, ArticleDraft, ArticleIntent, ArticleKind, ArticleState,
    ArticleVisibility, EditorData, KnownErrorStatus, NamedErrors, SettingsOutcome, TicketId,
};
use crate::error::AppError;
use crate::server::attachments::upload::{Sent, WithFiles};
use crate::server::store::attachments::{self, ClaimError};
use crate::server::store::audit::{self, Actor};
use crate::server::store::catalog;
use crate::server::store::knowledge::{self, InsertArticleError, Provenance};
use crate::server::store::tickets::apply as ticket_apply;
use crate::server::store::tickets::desk::{self, ResolvedIncident};
use crate::server::store::tickets::work::TicketWork;
use crate::server::web::answer::answer;
use crate::server::web::caller::Author;
use crate::server::web::page::FormPage;
use crate::server::web::state::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

/// Why an article was not saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("the form has problems")]
    Fields(NamedErrors),
    #[error("someone else saved the article first")]
    Conflict,
    #[error("no such article")]
    NotFound,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl From<InsertArticleError> for SaveError {
    fn from(error: InsertArticleError) -> Self {
        match error {
            InsertArticleError::UnknownService(_) => named("service", SERVICE_NOT_LISTED),
            InsertArticleError::Database(error) => SaveError::Database(error),
        }
    }
}

/// The service is unknown, or withdrawn and not the article's own.
const SERVICE_NOT_LISTED: &str = "Choose one of the services in the list.";

/// The article in the form, its service checked against the catalogue with the
/// rest so that every problem comes back at once: a new article, or one moved to
/// another service, names an offered service; an article keeps the withdrawn
/// service it was written for (`stored` is the article as saved, if it is). The
/// problems of the files sent with it (`files`) come back with the others.
async fn parse_listed(
    conn: &mut SqliteConnection,
    fields: &[(String, String)],
    stored: Option<&ArticleDraft>,
    files: &Sent,
) -> Result<ArticleDraft, SaveError> {
    let service = form_value(fields, "service").trim();
    let listed = service.is_empty()
        || stored.is_some_and(|s| s.service_slug == service)
        || catalog::is_offered(conn, service).await?;
    let parsed = parse_article(
        fields,
        stored.map(|s| s.content.kind()),
        stored.map(|s| s.slug.as_str()),
    );
    let mut errors = match parsed {
        Ok(draft) if listed && files.problems.is_empty() => return Ok(draft),
        Ok(_) => NamedErrors::default(),
        Err(errors) => errors,
    };
    if !listed {
        errors.add("service", SERVICE_NOT_LISTED);
    }
    if let Some(problem) = files.problem() {
        errors.add(FILES, problem);
    }
    Err(SaveError::Fields(errors))
}

fn named(name: &str, message: &str) -> SaveError {
    let mut errors = NamedErrors::default();
    errors.add(name, message);
    SaveError::Fields(errors)
}

/// What was saved.
#[derive(Debug)]
pub struct Saved {
    pub slug: String,
    pub state: ArticleState,
}

/// Saves the article form: a new article when `slug` is `None`, else the article
/// with that address, if it is still at the revision the form was opened at.
///
/// `files` came with the form: those accepted are attached to the article in
/// its transaction; the files of the article ticked `remove_file` are taken off.
pub async fn save(
    state: &AppState,
    author: &Account,
    slug: Option<&str>,
    fields: &[(String, String)],
    files: &Sent,
    address: &str,
    now: DateTime<Utc>,
) -> Result<Saved, SaveError> {
    let intent = ArticleIntent::parse(form_value(fields, "intent"))
        .ok_or_else(|| named("intent", "Choose to save, publish or archive."))?;

    let mut work = TicketWork::begin(&state.db, &state.changes, now).await?;
    let (id, draft, new_state, action) = match slug {
        Some(slug) => {
            let stored = knowledge::stored_article(work.conn(), slug)
                .await?
                .ok_or(SaveError::NotFound)?;
            let draft = parse_listed(work.conn(), fields, Some(&stored.draft), files).await?;
            let Ok(revision) = form_value(fields, "revision").trim().parse::<i64>() else {
                return Err(SaveError::Conflict);
            };
            let (new_state, action) = match intent {
                ArticleIntent::Save => (stored.state, "article_saved"),
                ArticleIntent::Publish => (ArticleState::Published, "article_published"),
                ArticleIntent::Archive => (ArticleState::Archived, "article_archived"),
            };
            let provenance = Provenance {
                state: new_state,
                author: Some(author.id),
                source_ticket: None,
            };
            if !knowledge::update_article(work.conn(), stored.id, revision, &draft, provenance, now)
                .await?
            {
                return Err(SaveError::Conflict);
            }
            (stored.id, draft, new_state, action)
        }
        None => {
            let draft = parse_listed(work.conn(), fields, None, files).await?;
            let new_state = match intent {
                ArticleIntent::Save => ArticleState::Draft,
                ArticleIntent::Publish => ArticleState::Published,
                ArticleIntent::Archive => {
                    return Err(named(
                        "intent",
                        "A new article can be saved as a draft or published, not archived.",
                    ))
                }
            };
            if knowledge::stored_article(work.conn(), &draft.slug)
                .await?
                .is_some()
            {
                return Err(named(
                    "slug",
                    "Another article has this address name already: choose another.",
                ));
            }
            let source = source_incident(work.conn(), form_value(fields, "from")).await?;
            let provenance = Provenance {
                state: new_state,
                author: Some(author.id),
                source_ticket: source,
            };
            let id = knowledge::insert_article(work.conn(), &draft, provenance, now).await?;
            if let Some(ticket) = source {
                let title = &draft.title;
                ticket_apply::link_known_error(&mut work, ticket, id, title, &author.name, now)
                    .await?;
            }
            (id, draft, new_state, "article_created")
        }
    };
    let removing: Vec<String> = fields
        .iter()
        .filter(|(name, _)| name == "remove_file")
        .map(|(_, id)| id.clone())
        .collect();
    let removed = attachments::remove_from_article(work.conn(), id, &removing).await?;
    attachments::claim_for_article(work.conn(), id, &files.to_attach())
        .await
        .map_err(|error| match error {
            ClaimError::Database(error) => SaveError::Database(error),
            refused => named(FILES, &refused.message()),
        })?;
    let mut detail = format!(
        "{} \u{201c}{}\u{201d}: {}, {}",
        draft.slug,
        draft.title,
        new_state.as_str(),
        draft.visibility.as_str()
    );
    let names = |files: &[String]| files.join(", ");
    if !files.accepted.is_empty() {
        let added: Vec<String> = files.accepted.iter().map(|f| f.name.clone()).collect();
        detail.push_str(&format!("; files added: {}", names(&added)));
    }
    if !removed.is_empty() {
        detail.push_str(&format!("; files removed: {}", names(&removed)));
    }
    audit::record(
        work.conn(),
        now,
        &Actor::account(author),
        action,
        None,
        &detail,
        Some(address),
    )
    .await?;
    work.commit().await?;
    let op = super::index_op(&mut *state.db.reader.acquire().await?, id).await?;
    if let Err(error) = state.search.apply(vec![op], true).await {
        // The article is saved; the index is rebuilt at the next start when it is
        // out of step with the database.
        tracing::error!(%error, slug = %draft.slug, "saved article not indexed");
    }
    Ok(Saved {
        slug: draft.slug,
        state: new_state,
    })
}

/// The resolved incident a known error is written from, by number; an empty
/// number is none, any other must name a resolved or closed incident.
async fn source_incident(
    conn: &mut SqliteConnection,
    number: &str,
) -> Result<Option<TicketId>, SaveError> {
    if number.trim().is_empty() {
        return Ok(None);
    }
    match desk::resolved_incident(conn, number).await? {
        Some(incident) => Ok(Some(incident.id)),
        None => Err(named(
            "from",
            "A known error can be started only from a resolved incident.",
        )),
    }
}

/// The input of the files sent with the form.
const FILES: &str = "files";

/// `POST /knowledge/new`: a new FAQ or known error.
pub async fn create(
    State(state): State<AppState>,
    Author { author, .. }: Author,
    page: FormPage,
    WithFiles {
        form: fields,
        files,
    }: WithFiles<Vec<(String, String)>>,
) -> Response {
    post(&state, author, page, None, fields, files).await
}

/// `POST /knowledge/articles/{slug}`: save, publish or archive an article.
pub async fn change(
    State(state): State<AppState>,
    Author { author, .. }: Author,
    page: FormPage,
    Path(slug): Path<String>,
    WithFiles {
        form: fields,
        files,
    }: WithFiles<Vec<(String, String)>>,
) -> Response {
    post(&state, author, page, Some(&slug), fields, files).await
}

async fn post(
    state: &AppState,
    author: Account,
    page: FormPage,
    slug: Option<&str>,
    fields: Vec<(String, String)>,
    files: Sent,
) -> Response {
    let address = page.caller.address.clone();
    let result = save(state, &author, slug, &fields, &files, &address, Utc::now())
        .await
        .map(|saved| {
            let done = match saved.state {
                ArticleState::Draft => "saved",
                ArticleState::Published => "published",
                ArticleState::Archived => "archived",
            };
            format!("/knowledge/articles/{}?done={done}", saved.slug)
        })
        .map_err(|error| match error {
            SaveError::NotFound => AppError::NotFound,
            SaveError::Fields(errors) => AppError::InvalidInputs(errors),
            SaveError::Conflict => AppError::Conflict(
                "Someone else saved this article after you opened it, so nothing was saved. \
                 Your text is below; the form now holds their version's number, so saving \
                 again replaces their changes with yours."
                    .into(),
            ),
            SaveError::Database(error) => AppError::internal(error),
        });
    let outcome = SettingsOutcome {
        values: fields,
        kept: files.accepted,
        ..SettingsOutcome::default()
    };
    answer(state, page, result, outcome).await
}

pub use crate::server::store::knowledge::list_for_authors as list;

/// The editor's data: the stored article `slug`, or a new article of `kind`,
/// pre-filled from the resolved incident `from` when one is named.
pub async fn editor(
    conn: &mut SqliteConnection,
    slug: Option<String>,
    kind: Option<String>,
    from: Option<String>,
) -> Result<EditorData, AppError> {
    if let Some(slug) = slug {
        let stored = knowledge::stored_article(&mut *conn, &slug)
            .await?
            .ok_or(AppError::NotFound)?;
        return Ok(EditorData {
            services: catalog::service_choices(&mut *conn, Some(&stored.draft.service_slug))
                .await?,
            kind: stored.draft.content.kind(),
            slug: Some(stored.draft.slug.clone()),
            state: Some(stored.state),
            revision: stored.revision,
            values: stored.draft.fields(),
            files: attachments::of_article(&mut *conn, stored.id).await?,
            from: None,
            problem: None,
        });
    }
    let mut data = EditorData {
        services: catalog::service_choices(&mut *conn, None).await?,
        kind: kind
            .as_deref()
            .and_then(ArticleKind::parse)
            .unwrap_or(ArticleKind::Faq),
        slug: None,
        state: None,
        revision: 0,
        values: vec![(
            "visibility".into(),
            ArticleVisibility::Public.as_str().into(),
        )],
        files: Vec::new(),
        from: None,
        problem: None,
    };
    if let Some(number) = from.filter(|f| !f.trim().is_empty()) {
        data.kind = ArticleKind::KnownError;
        match desk::resolved_incident(&mut *conn, &number).await? {
            Some(incident) => {
                data.values.extend(incident_text(incident));
                data.from = Some(number.trim().to_string());
            }
            None => {
                data.problem = Some(
                    "A known error can be started only from a resolved incident: this one is not resolved, or there is no such incident. The form starts empty."
                        .into(),
                )
            }
        }
    }
    Ok(data)
}

/// A known error's starting text from a resolved incident: its summary as the
/// title, its description as the symptoms, its resolution as the workaround.
fn incident_text(incident: ResolvedIncident) -> Vec<(String, String)> {
    let status = if incident.resolution.trim().is_empty() {
        KnownErrorStatus::Investigating
    } else {
        KnownErrorStatus::WorkaroundAvailable
    };
    vec![
        ("title".into(), incident.summary),
        ("service".into(), incident.service),
        ("symptoms".into(), incident.description),
        ("workaround".into(), incident.resolution),
        ("status".into(), status.as_str().into()),
    ]
}
