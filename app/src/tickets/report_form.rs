//! The logging form island. It is a plain HTML form that posts to the server, so it
//! works without JavaScript; once hydrated it also shows the priority as the user
//! answers the triage questions, narrows the categories to the chosen service, and
//! suggests matching articles while the user describes the issue.

use crate::components::{described_by, ErrorSummary, FieldHint, FilesField};
use crate::domain::{
    Field, FieldErrors, FileView, Impact, OngoingMajor, PriorityTable, SearchResults, Service,
    TicketForm, TicketKind, Urgency,
};
use crate::knowledge::search_articles;
use leptos::html::Select;
use leptos::prelude::*;
use std::time::Duration;

/// How long typing must pause before suggestions are looked up.
const SUGGEST_DEBOUNCE: Duration = Duration::from_millis(300);
/// How many suggestions are shown beside the form.
const SUGGESTIONS: u32 = 5;

#[island(lazy)]
pub fn ReportForm(
    kind: TicketKind,
    services: Vec<Service>,
    priorities: PriorityTable,
    /// Ongoing major incidents: offered as "this is my problem too".
    majors: Vec<OngoingMajor>,
    form: TicketForm,
    errors: FieldErrors,
    problem: Option<String>,
    /// Files the form carried when it came back.
    kept: Vec<FileView>,
) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

    let service = RwSignal::new(form.service.clone());
    let impact = RwSignal::new(form.impact.clone());
    let urgency = RwSignal::new(form.urgency.clone());
    let summary = RwSignal::new(form.summary.clone());
    let description = RwSignal::new(form.description.clone());
    let suggestions = RwSignal::new(None::<SearchResults>);
    let latest = StoredValue::new(0u64);
    let pending = StoredValue::new(None::<TimeoutHandle>);
    let category_select = NodeRef::<Select>::new();

    let look_up_suggestions = move || {
        let text = format!(
            "{} {}",
            summary.get_untracked(),
            description.get_untracked()
        );
        let sequence = latest.get_value() + 1;
        latest.set_value(sequence);
        if text.trim().chars().count() < 3 {
            suggestions.set(None);
            return;
        }
        leptos::task::spawn_local(async move {
            let answer = search_articles(text, None, None, Some(SUGGESTIONS)).await;
            if latest.get_value() == sequence {
                suggestions.set(answer.ok());
            }
        });
    };
    let suggest_soon = move || {
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        pending.set_value(set_timeout_with_handle(look_up_suggestions, SUGGEST_DEBOUNCE).ok());
    };

    let table = priorities.clone();
    let priority_preview = move || {
        let rule = Impact::parse(&impact.get())
            .zip(Urgency::parse(&urgency.get()))
            .and_then(|(i, u)| table.rule_for(i, u).cloned());
        match rule {
            Some(rule) => view! {
                <p><strong>"Priority " {rule.title()}</strong></p>
                <p>{rule.targets_sentence()}</p>
            }
            .into_any(),
            None => view! {
                <p>"Answer both questions and we will show how quickly we aim to respond."</p>
            }
            .into_any(),
        }
    };
    let request_rule = priorities.rule(priorities.request_priority).cloned();

    let action = format!("/report/{}", kind.as_str());
    let submit_label = match kind {
        TicketKind::Incident => "Log the incident",
        TicketKind::Request => "Send the request",
    };
    let e = errors.clone();
    let invalid = move |field: Field| e.get(field).is_some().then_some("true");
    let error_of = |field: Field| errors.get(field).map(str::to_string);

    view! {
        <div class="report-layout">
            <form class="report-form" id="report-form" method="post" action=action novalidate
                enctype="multipart/form-data"
                data-hydrated=move || hydrated.get().then_some("true")>
                {problem.map(|p| view! {
                    <div class="error-summary" role="alert" data-test="form-problem"><p>{p}</p></div>
                })}
                <ErrorSummary items=errors.items()/>
                {(kind == TicketKind::Incident).then(|| view! {
                    <Question field=Field::Impact legend="Who is affected?"
                        answers=Impact::ALL.map(|i| (i.as_str(), i.question_answer())).to_vec()
                        chosen=impact errors=errors.clone()/>
                    <Question field=Field::Urgency legend="How does it affect your work?"
                        answers=Urgency::ALL.map(|u| (u.as_str(), u.question_answer())).to_vec()
                        chosen=urgency errors=errors.clone()/>
                    <div class="priority-preview" aria-live="polite" data-test="priority-preview">
                        {priority_preview.clone()}
                    </div>
                })}
                {(kind == TicketKind::Request).then(|| request_rule.clone().map(|rule| view! {
                    <div class="priority-preview">
                        <p>{format!("Requests are handled in order. {}", rule.targets_sentence())}</p>
                    </div>
                }))}

                <fieldset>
                    <legend>"About the issue"</legend>
                    <div class="field">
                        <label for="service">"Service"</label>
                        <FieldHint field=Field::Service error=error_of(Field::Service)/>
                        <select id="service" name="service" aria-invalid=invalid(Field::Service)
                            aria-describedby=described_by(Field::Service, false, &errors)
                            on:change=move |ev| {
                                service.set(event_target_value(&ev));
                                if let Some(select) = category_select.get() {
                                    select.set_value("");
                                }
                            }>
                            <option value="">"Choose a service"</option>
                            {services.iter().map(|s| view! {
                                <option value=s.slug.clone() selected=form.service == s.slug>{s.name.clone()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="category">"Category"</label>
                        <FieldHint field=Field::Category error=error_of(Field::Category)/>
                        <select id="category" name="category" node_ref=category_select
                            aria-invalid=invalid(Field::Category)
                            aria-describedby=described_by(Field::Category, false, &errors)>
                            <option value="">"Choose a category"</option>
                            {services.iter().map(|s| {
                                let slug = s.slug.clone();
                                let other = move || hydrated.get() && service.get() != slug;
                                view! {
                                    <optgroup label=s.name.clone() hidden=other.clone() disabled=other>
                                        {s.categories.iter().map(|c| view! {
                                            <option value=c.id.0.to_string() selected=form.category == c.id.0.to_string()>
                                                {c.name.clone()}
                                            </option>
                                        }).collect_view()}
                                    </optgroup>
                                }
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="summary">"Summary"</label>
                        <FieldHint field=Field::Summary hint="A few words, like “Outlook will not open”."
                            error=error_of(Field::Summary)/>
                        <input id="summary" name="summary" type="text" maxlength="150" autocomplete="off"
                            aria-required="true" aria-invalid=invalid(Field::Summary)
                            aria-describedby=described_by(Field::Summary, true, &errors)
                            value=form.summary.clone()
                            on:input=move |ev| { summary.set(event_target_value(&ev)); suggest_soon(); }/>
                    </div>
                    <div class="field">
                        <label for="description">"Description"</label>
                        <FieldHint field=Field::Description
                            hint="What happened, what you expected, and any error message you saw."
                            error=error_of(Field::Description)/>
                        <textarea id="description" name="description" rows="7" maxlength="10000"
                            aria-required="true" aria-invalid=invalid(Field::Description)
                            aria-describedby=described_by(Field::Description, true, &errors)
                            on:input=move |ev| { description.set(event_target_value(&ev)); suggest_soon(); }
                            // Leptos writes a textarea's children unescaped: a description
                            // holding `</textarea><script>` would end the field and inject
                            // markup. Its text is escaped here instead.
                            inner_html=crate::components::escape_text(&form.description)>
                        </textarea>
                    </div>
                    <FilesField id="files" kept error=error_of(Field::Files)/>
                </fieldset>

                <fieldset>
                    <legend>"How we can reach you"</legend>
                    <div class="field">
                        <label for="name">"Your name"</label>
                        <FieldHint field=Field::Name error=error_of(Field::Name)/>
                        <input id="name" name="name" type="text" autocomplete="name" maxlength="100"
                            aria-required="true" aria-invalid=invalid(Field::Name)
                            aria-describedby=described_by(Field::Name, false, &errors)
                            value=form.name.clone()/>
                    </div>
                    <div class="field">
                        <label for="email">"E-mail address"</label>
                        <FieldHint field=Field::Email hint="We use it to tell you about progress."
                            error=error_of(Field::Email)/>
                        <input id="email" name="email" type="email" autocomplete="email" maxlength="254"
                            spellcheck="false" aria-required="true" aria-invalid=invalid(Field::Email)
                            aria-describedby=described_by(Field::Email, true, &errors)
                            value=form.email.clone()/>
                    </div>
                    <div class="field">
                        <label for="phone">"Phone (optional)"</label>
                        <FieldHint field=Field::Phone hint="Only if a call would help."
                            error=error_of(Field::Phone)/>
                        <input id="phone" name="phone" type="tel" autocomplete="tel" maxlength="40"
                            aria-invalid=invalid(Field::Phone)
                            aria-describedby=described_by(Field::Phone, true, &errors)
                            value=form.phone.clone()/>
                    </div>
                </fieldset>
                <button type="submit" class="button primary send">{submit_label}</button>
                // Beside the form on wide screens; shown before its button on
                // phones, where one of them may save sending it. After the button
                // in the page, so that Enter in a field sends the form, never
                // "this is my problem too".
                <div class="suggestions-column">
                {(kind == TicketKind::Incident && !majors.is_empty()).then(|| {
                    let majors = StoredValue::new(majors);
                    view! {
                        <div class="suggestions-slot" aria-live="polite">
                            {move || {
                                let chosen = service.get();
                                let shown: Vec<OngoingMajor> = majors.with_value(|all| all.iter()
                                    .filter(|m| chosen.is_empty() || m.services.iter().any(|(slug, _)| *slug == chosen))
                                    .cloned()
                                    .collect());
                                (!shown.is_empty()).then(|| view! {
                                    <aside class="suggestions majors" aria-labelledby="majors-title" data-test="majors">
                                        <h2 id="majors-title">"Is this what you are experiencing?"</h2>
                                        <p>"We are already working on these. If one is your problem, follow it instead of logging it again: "
                                           "fill in your name and e-mail address, then choose it."</p>
                                        <ul>
                                            {shown.into_iter().map(|m| view! {
                                                <li>
                                                    <strong>{m.summary.clone()}</strong>
                                                    <span class="hit-meta">{format!("{} · {}", m.services.iter().map(|(_, name)| name.as_str()).collect::<Vec<_>>().join(", "), m.number)}</span>
                                                    {m.experience.clone().map(|e| view! { <p>{e}</p> })}
                                                    <button type="submit" form="report-form" name="join" value=m.number.to_string()
                                                        class="button" data-test="my-problem-too">
                                                        "This is my problem too"
                                                        <span class="visually-hidden">{format!(": {}", m.summary)}</span>
                                                    </button>
                                                </li>
                                            }).collect_view()}
                                        </ul>
                                    </aside>
                                })
                            }}
                        </div>
                    }
                })}
                <div class="suggestions-slot" aria-live="polite">
                    {move || suggestions.get().filter(|r| !r.hits.is_empty()).map(|r| view! {
                        <aside class="suggestions" aria-labelledby="suggestions-title" data-test="suggestions">
                            <h2 id="suggestions-title">"Could one of these help?"</h2>
                            <ul>
                                {r.hits.into_iter().map(|hit| view! {
                                    <li>
                                        <a href=format!("/articles/{}", hit.slug) target="_blank" rel="noopener">
                                            {hit.title}
                                            <span class="visually-hidden">" (opens in a new tab)"</span>
                                        </a>
                                        <span class="hit-meta">{hit.kind.label()} " · " {hit.service_name}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        </aside>
                    })}
                </div>
                </div>
            </form>
        </div>
    }
}

/// A triage question: a group of radio buttons whose answer lands in `chosen`.
/// The first button carries the field's name as its id, so that the error summary
/// can link to the group.
#[component]
fn Question(
    field: Field,
    legend: &'static str,
    answers: Vec<(&'static str, &'static str)>,
    chosen: RwSignal<String>,
    errors: FieldErrors,
) -> impl IntoView {
    let name = field.name();
    let initial = chosen.get_untracked();
    view! {
        <fieldset class="question" aria-describedby=described_by(field, false, &errors)>
            <legend>{legend}</legend>
            <FieldHint field error=errors.get(field).map(str::to_string)/>
            {answers.into_iter().enumerate().map(|(n, (value, label))| {
                let id = if n == 0 { name.to_string() } else { format!("{name}-{value}") };
                view! {
                    <div class="radio">
                        <input type="radio" id=id.clone() name=name value=value
                            checked=initial == value
                            on:change=move |_| chosen.set(value.to_string())/>
                        <label for=id>{label}</label>
                    </div>
                }
            }).collect_view()}
        </fieldset>
    }
}
