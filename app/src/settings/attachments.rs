//! `/admin/attachments`: how large a file and all the files of one ticket may
//! be, and which kinds of file people may attach.

use super::{done_message, SettingsHeading, SettingsOutcome, Shown};
use crate::components::{CheckboxList, LabelledField, LoadError};
use crate::domain::{AttachmentRules, FileKind, PER_FILE_MB, PER_TICKET_MB};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

#[server(prefix = "/api", endpoint = "admin_attachment_rules")]
pub async fn admin_attachment_rules() -> Result<AttachmentRules, AppError> {
    use crate::server::web::caller::Access;
    use crate::server::web::context::serve_as;
    serve_as(Access::Admin, |state, _| async move {
        let mut conn = state.db.reader.acquire().await?;
        Ok(crate::server::settings::attachments::load(&mut conn).await?)
    })
    .await
}

#[component]
pub fn AttachmentsPage() -> impl IntoView {
    let rules = Resource::new(|| (), |_| admin_attachment_rules());
    let outcome = use_context::<SettingsOutcome>().unwrap_or_default();
    let done = done_message(&[(
        "saved",
        "The rules are saved: files sent from now on are held to them.",
    )]);
    view! {
        <Title text="Attachments"/>
        <Suspense>
            {move || {
                let outcome = outcome.clone();
                Suspend::new(async move {
                    match rules.await {
                        Ok(rules) => {
                            let form = Shown::new(&outcome, "attachments", rules.fields());
                            view! {
                                <div class="wrap page">
                                    <SettingsHeading title="Attachments" done problem=outcome.problem.clone()
                                        lead="What people may attach to tickets: the largest file, the most one ticket may hold, and the kinds of file. A file's kind is read from its bytes, whatever its name says. Files attached before a change stay as they are; each save is recorded in the audit log."/>
                                    <AttachmentsForm form/>
                                </div>
                            }.into_any()
                        }
                        Err(error) => view! { <LoadError error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn AttachmentsForm(form: Shown) -> impl IntoView {
    let kinds = FileKind::ALL
        .into_iter()
        .map(|k| (k.key().to_string(), capitalised(k.in_words())))
        .collect();
    view! {
        {form.summary()}
        <form method="post" action="/admin/attachments" novalidate data-test="attachments-form">
            <LabelledField id=form.id("per_file_mb") name="per_file_mb" label="Largest file (MB)"
                value=form.value("per_file_mb") error=form.error("per_file_mb") numeric=true
                hint=format!("From {} to {} MB.", PER_FILE_MB.start(), PER_FILE_MB.end())/>
            <LabelledField id=form.id("per_ticket_mb") name="per_ticket_mb" label="Most one ticket may hold, all files together (MB)"
                value=form.value("per_ticket_mb") error=form.error("per_ticket_mb") numeric=true
                hint=format!("From {} to {} MB; at least the largest file.", PER_TICKET_MB.start(), PER_TICKET_MB.end())/>
            <CheckboxList id=form.id("kind") name="kind" legend="Kinds of file people may attach"
                options=kinds chosen=form.values("kind") error=form.error("kind")/>
            <p class="hint">"Web pages, SVG and other markup, programs and unknown types are never accepted."</p>
            <button type="submit" class="button primary" data-test="save-attachments">"Save the rules"</button>
        </form>
    }
}

fn capitalised(words: &str) -> String {
    let mut chars = words.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
