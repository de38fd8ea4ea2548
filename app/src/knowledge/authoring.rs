//! Writing the knowledge base (admins, and agents given the right): the list of
//! every article in any state (`/knowledge`), a new FAQ or known error
//! (`/knowledge/new`, optionally started from a resolved incident), and an
//! article's editor (`/knowledge/articles/:slug`). The forms are plain posts,
//! handled by `server::knowledge::authoring`.

use crate::components::{
    format_time, ErrorSummary, FilePicker, FilesField, LabelledField, LabelledSelect, LoadError,
};
use crate::domain::{ArticleKind, ArticleState, ArticleVisibility, FileView, KnownErrorStatus};
pub use crate::domain::{ArticleRow, EditorData};
use crate::error::AppError;
use crate::settings::SettingsOutcome;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// Every article, newest change first, in one state or all.
#[server(prefix = "/api", endpoint = "knowledge_articles", input = server_fn::codec::GetUrl)]
pub async fn knowledge_articles(state: Option<String>) -> Result<Vec<ArticleRow>, AppError> {
    use crate::server::web::caller::Access;
    use crate::server::web::context::serve_as;
    serve_as(Access::Author, |app, _| async move {
        let wanted = state.as_deref().and_then(ArticleState::parse);
        let mut conn = app.db.reader.acquire().await?;
        Ok(crate::server::knowledge::authoring::list(&mut conn, wanted).await?)
    })
    .await
}

/// The editor of the article `slug`, or of a new article of `kind` (a known error
/// may start from the resolved incident `from`).
#[server(prefix = "/api", endpoint = "article_editor")]
pub async fn article_editor(
    slug: Option<String>,
    kind: Option<String>,
    from: Option<String>,
) -> Result<EditorData, AppError> {
    use crate::server::web::caller::Access;
    use crate::server::web::context::serve_as;
    serve_as(Access::Author, |app, _| async move {
        let mut conn = app.db.reader.acquire().await?;
        crate::server::knowledge::authoring::editor(&mut conn, slug, kind, from).await
    })
    .await
}

/// `/knowledge`: every article, with the way to write a new one.
#[component]
pub fn KnowledgePage() -> impl IntoView {
    let query = use_query_map();
    let wanted = move || query.read().get("state").filter(|s| !s.is_empty());
    let rows = Resource::new(wanted, knowledge_articles);
    view! {
        <Title text="Knowledge articles"/>
        <div class="wrap page">
            <h1>"Knowledge articles"</h1>
            <p class="actions">
                <a class="button primary" href="/knowledge/new?kind=faq">"Write an FAQ"</a>
                " "
                <a class="button" href="/knowledge/new?kind=known_error">"Write a known error"</a>
            </p>
            <nav aria-label="Articles by state" class="sub-nav">
                <ul class="nav-list">
                    <li><a href="/knowledge">"All"</a></li>
                    {ArticleState::ALL.into_iter().map(|s| view! {
                        <li><a href=format!("/knowledge?state={}", s.as_str())>{s.label()}</a></li>
                    }).collect_view()}
                </ul>
            </nav>
            <Suspense>
                {move || Suspend::new(async move {
                    match rows.await {
                        Ok(rows) if rows.is_empty() => view! { <p>"No articles here yet."</p> }.into_any(),
                        Ok(rows) => view! { <ArticleTable rows/> }.into_any(),
                        Err(error) => view! { <LoadError error/> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn ArticleTable(rows: Vec<ArticleRow>) -> impl IntoView {
    view! {
        <div class="table-box" role="region" aria-label="Knowledge articles" tabindex="0">
            <table class="data-table" data-test="article-list">
                <caption class="visually-hidden">"Knowledge articles, most recently changed first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Title"</th>
                        <th scope="col">"Type"</th>
                        <th scope="col">"Service"</th>
                        <th scope="col">"State"</th>
                        <th scope="col">"Readers"</th>
                        <th scope="col">"Answered their question"</th>
                        <th scope="col">"Changed"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|row| view! {
                        <tr>
                            <td><a href=format!("/knowledge/articles/{}", row.slug)>{row.title}</a></td>
                            <td>{row.kind.label()}</td>
                            <td>{row.service_name}</td>
                            <td>{row.state.label()}</td>
                            <td>{row.visibility.label()}</td>
                            <td data-test="feedback">{feedback_words(row.helpful, row.unhelpful)}</td>
                            <td><time datetime=crate::domain::machine_time(row.updated_at)>{format_time(row.updated_at)}</time></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Readers' answers as the knowledge list shows them: "4 yes, 1 no (80 %)".
fn feedback_words(yes: i64, no: i64) -> String {
    match yes + no {
        0 => "no answers yet".to_string(),
        all => format!("{yes} yes, {no} no ({} %)", (yes * 100 + all / 2) / all),
    }
}

/// `/knowledge/new?kind=faq|known_error[&from=INC…]`.
#[component]
pub fn NewArticlePage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(
        move || {
            let q = query.read();
            (q.get("kind"), q.get("from").filter(|f| !f.is_empty()))
        },
        |(kind, from)| article_editor(None, kind, from),
    );
    view! { <Editor data done=None/> }
}

/// `/knowledge/articles/:slug`: edit, publish or archive one article.
#[component]
pub fn EditArticlePage() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new(
        move || params.read().get("slug").unwrap_or_default(),
        |slug| article_editor(Some(slug), None, None),
    );
    let done = match use_query_map().read_untracked().get("done").as_deref() {
        Some("saved") => Some("The draft is saved. Users cannot see it until it is published."),
        Some("published") => Some("The article is published: users can find it in search now."),
        Some("archived") => Some("The article is archived: it is gone from search and the portal."),
        _ => None,
    };
    view! { <Editor data done/> }
}

#[component]
fn Editor(
    data: Resource<Result<EditorData, AppError>>,
    done: Option<&'static str>,
) -> impl IntoView {
    let outcome = use_context::<SettingsOutcome>().unwrap_or_default();
    view! {
        <Suspense>
            {move || {
                let outcome = outcome.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(data) => view! { <ArticleForm data outcome done/> }.into_any(),
                        Err(error) => view! { <LoadError error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The article form; a form that came back shows what was typed.
#[component]
fn ArticleForm(
    data: EditorData,
    outcome: SettingsOutcome,
    done: Option<&'static str>,
) -> impl IntoView {
    let values = if outcome.values.is_empty() {
        data.values.clone()
    } else {
        outcome.values.clone()
    };
    let value = {
        let values = values.clone();
        move |name: &str| crate::domain::form_value(&values, name).to_string()
    };
    // A new article's form that came back says its own kind and incident.
    let (kind, from) = match &data.slug {
        Some(_) => (data.kind, None),
        None => (
            ArticleKind::parse(&value("kind")).unwrap_or(data.kind),
            Some(value("from"))
                .filter(|f| !f.is_empty())
                .or(data.from.clone()),
        ),
    };
    let removing: Vec<String> = values
        .iter()
        .filter(|(name, _)| name == "remove_file")
        .map(|(_, id)| id.clone())
        .collect();
    let errors = outcome.errors.clone();
    let error = move |name: &str| errors.get(name).map(str::to_string);
    let summary: Vec<(String, String)> = outcome
        .errors
        .0
        .iter()
        .map(|(name, message)| (format!("article-{name}"), message.clone()))
        .collect();
    let heading = match (&data.slug, kind) {
        (Some(_), _) => value("title"),
        (None, ArticleKind::Faq) => "Write an FAQ".to_string(),
        (None, ArticleKind::KnownError) => "Write a known error".to_string(),
    };
    let action = match &data.slug {
        Some(slug) => format!("/knowledge/articles/{slug}"),
        None => "/knowledge/new".to_string(),
    };
    let mut services = vec![(String::new(), "Choose a service".to_string())];
    services.extend(data.services.iter().cloned());
    let readers = ArticleVisibility::ALL
        .into_iter()
        .map(|v| (v.as_str().to_string(), v.label().to_string()))
        .collect::<Vec<_>>();
    let markdown = "Markdown: a blank line between paragraphs, 1. for steps, - for points, **bold**, [a link](https://…). HTML is shown as text.";
    let body = match kind {
        ArticleKind::Faq => view! {
            <LabelledField id="article-answer" name="answer" label="Answer" value=value("answer")
                error=error("answer") lines=14 hint=markdown/>
        }
        .into_any(),
        ArticleKind::KnownError => {
            let statuses = KnownErrorStatus::ALL
                .into_iter()
                .map(|s| (s.as_str().to_string(), s.label().to_string()))
                .collect::<Vec<_>>();
            view! {
                <LabelledSelect id="article-status" name="status" label="Status of the fix" options=statuses
                    selected=value("status") error=error("status")/>
                <LabelledField id="article-symptoms" name="symptoms" label="Symptoms" value=value("symptoms")
                    error=error("symptoms") lines=8 hint=format!("What people see, in their words. {markdown}")/>
                <LabelledField id="article-workaround" name="workaround" label="Workaround (optional)"
                    value=value("workaround") error=error("workaround") lines=8
                    hint="How to keep working until it is fixed; leave empty while there is none."/>
                <LabelledField id="article-cause" name="cause" label="Root cause (optional)" value=value("cause")
                    error=error("cause") lines=4 hint="When it is known."/>
            }.into_any()
        }
    };
    let buttons = match data.state {
        None => vec![("save", "Save as draft"), ("publish", "Publish")],
        Some(ArticleState::Draft) => vec![
            ("save", "Save draft"),
            ("publish", "Publish"),
            ("archive", "Archive"),
        ],
        Some(ArticleState::Published) => vec![
            ("publish", "Save and keep published"),
            ("archive", "Archive"),
        ],
        Some(ArticleState::Archived) => vec![
            ("save", "Save, still archived"),
            ("publish", "Publish again"),
        ],
    };
    view! {
        <Title text=heading.clone()/>
        <div class="wrap page">
            <p><a href="/knowledge">"All knowledge articles"</a></p>
            <h1>{heading}</h1>
            {data.state.map(|state| view! {
                <p class="article-meta" data-test="article-state">
                    <span class="badge">{state.label()}</span>
                    {data.slug.clone().map(|slug| view! {
                        " · " <a href=format!("/articles/{slug}")>"View the article"</a>
                    })}
                </p>
            })}
            {done.map(|d| view! { <div class="confirmation" role="status"><p data-test="form-done">{d}</p></div> })}
            {outcome.problem.clone().or(data.problem.clone()).map(|p| view! {
                <div class="error-summary" role="alert"><p data-test="form-problem">{p}</p></div>
            })}
            <ErrorSummary items=summary/>
            {from.clone().map(|number| view! {
                <p class="hint">"Started from incident " <a href=format!("/agent/tickets/{number}")>{number.clone()}</a>
                    ": it is linked to this known error when you save."</p>
            })}
            <form method="post" action=action novalidate data-test="article-form" enctype="multipart/form-data">
                <input type="hidden" name="kind" value=kind.as_str()/>
                <input type="hidden" name="revision" value=data.revision.to_string()/>
                {from.map(|number| view! { <input type="hidden" name="from" value=number/> })}
                <LabelledField id="article-title" name="title" label="Title" value=value("title")
                    error=error("title") maxlength=200u32
                    hint="The question or the problem, as a user would put it."/>
                {data.slug.is_none().then(|| view! {
                    <LabelledField id="article-slug" name="slug" label="Address name (optional)" value=value("slug")
                        error=error("slug") maxlength=120u32
                        hint="Lower-case letters, digits and hyphens; made from the title when empty. It cannot change later."/>
                })}
                <LabelledSelect id="article-service" name="service" label="Service" options=services
                    selected=value("service") error=error("service")/>
                <LabelledSelect id="article-visibility" name="visibility" label="Who may read it" options=readers
                    selected=value("visibility") error=error("visibility")
                    hint="Signed-in users also see public articles; agents see every article."/>
                <LabelledField id="article-keywords" name="keywords" label="Keywords (optional)" value=value("keywords")
                    error=error("keywords") hint="Separated by commas: words people search for that the text may not use."/>
                {body}
                <ArticleFiles files=data.files.clone() removing=removing/>
                <FilesField id="article-files" kept=outcome.kept.clone() error=error("files")/>
                <FilePicker/>
                <div class="actions">
                    {buttons.into_iter().map(|(intent, label)| view! {
                        <button type="submit" name="intent" value=intent
                            class=if intent == "publish" { "button primary" } else { "button" }>{label}</button>
                        " "
                    }).collect_view()}
                </div>
            </form>
        </div>
    }
}

/// The files of a stored article, each with the Markdown that shows or links
/// it in the text, and a box to take it off the article.
#[component]
fn ArticleFiles(files: Vec<FileView>, removing: Vec<String>) -> impl IntoView {
    (!files.is_empty()).then(|| view! {
        <fieldset class="article-files" data-test="article-files">
            <legend>"Files of this article"</legend>
            <p class="hint">"To show an image or link a file in the text, copy its line of Markdown into it."</p>
            <ul>
                {files.into_iter().map(|f| {
                    let box_id = format!("remove-{}", f.id);
                    let checked = removing.contains(&f.id);
                    view! {
                        <li>
                            <p>{f.describe()}</p>
                            <p><code data-test="file-markdown">{markdown_for(&f)}</code></p>
                            <div class="checkbox">
                                <input type="checkbox" name="remove_file" value=f.id.clone() id=box_id.clone() checked=checked/>
                                <label for=box_id>"Remove this file when saving"</label>
                            </div>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </fieldset>
    })
}

/// `![name](files/{id})` for an image, `[name](files/{id})` for any other file;
/// the name without the brackets Markdown would read.
fn markdown_for(file: &FileView) -> String {
    let name: String = file
        .name
        .chars()
        .filter(|c| !matches!(c, '[' | ']'))
        .collect();
    let image = if file.thumbnail.is_some() { "!" } else { "" };
    format!("{image}[{name}](files/{})", file.id)
}
