//! Form helpers: field hints, error messages and the error summary.

pub use crate::domain::FormOutcome;
use crate::domain::{Field, FieldErrors};
use leptos::prelude::*;

/// The id of a field's error message, referenced by `aria-describedby`.
pub fn error_id(field: Field) -> String {
    format!("{}-error", field.name())
}

/// A hint and, when there is one, the error message of a field.
#[component]
pub fn FieldHint(
    field: Field,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional_no_strip)] error: Option<String>,
) -> impl IntoView {
    view! {
        {hint.map(|h| view! { <p class="hint" id=format!("{}-hint", field.name())>{h}</p> })}
        {error.map(|e| view! { <p class="field-error" id=error_id(field)><span class="visually-hidden">"Error: "</span>{e}</p> })}
    }
}

/// The list of problems at the top of a form, each linking to its input: items
/// are (input id, message), e.g. from [`FieldErrors::items`].
#[component]
pub fn ErrorSummary(items: Vec<(String, String)>) -> impl IntoView {
    (!items.is_empty()).then(|| {
        let count = items.len();
        view! {
            // Focus moves here when the page comes back, so the person hears and
            // sees the problems first (without JavaScript too).
            <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1"
                autofocus=true>
                <h2 id="error-summary-title">
                    {if count == 1 { "There is a problem".to_string() } else { format!("There are {count} problems") }}
                </h2>
                <ul>
                    {items.into_iter().map(|(input, message)| view! {
                        <li><a href=format!("#{input}")>{message}</a></li>
                    }).collect_view()}
                </ul>
            </div>
        }
    })
}

/// `aria-describedby` for a field: its hint and its error, when present.
pub fn described_by(field: Field, has_hint: bool, errors: &FieldErrors) -> Option<String> {
    let mut ids = Vec::new();
    if has_hint {
        ids.push(format!("{}-hint", field.name()));
    }
    if errors.get(field).is_some() {
        ids.push(error_id(field));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

impl FormOutcome {
    /// The outcome of the current render, if a form post led to it.
    pub fn current() -> FormOutcome {
        use_context::<FormOutcome>().unwrap_or_default()
    }
}

/// The messages at the top of a form: its error summary, a problem, or what was done.
#[component]
pub fn FormMessages(outcome: FormOutcome) -> impl IntoView {
    view! {
        <ErrorSummary items=outcome.errors.items()/>
        {outcome.problem.map(|p| view! {
            <div class="error-summary" role="alert"><p data-test="form-problem">{p}</p></div>
        })}
        {outcome.done.map(|d| view! {
            <div class="confirmation" role="status"><p data-test="form-done">{d}</p></div>
        })}
    }
}

/// A labelled single-line input with its hint and error message.
#[component]
pub fn InputField(
    field: Field,
    #[prop(into)] label: String,
    /// The input's `type`: text, email, password.
    #[prop(into)]
    kind: String,
    /// The `autocomplete` token, e.g. "email", "current-password", "new-password".
    #[prop(into)]
    autocomplete: String,
    #[prop(into)] maxlength: String,
    outcome: FormOutcome,
    #[prop(optional, into)] hint: Option<String>,
) -> impl IntoView {
    let name = field.name();
    let error = outcome.errors.get(field).map(str::to_string);
    let described = described_by(field, hint.is_some(), &outcome.errors);
    // A password is never sent back to the browser.
    let value = if kind == "password" {
        String::new()
    } else {
        outcome.value(field)
    };
    view! {
        <div class="field">
            <label for=name>{label}</label>
            {match hint {
                Some(hint) => view! { <FieldHint field hint error/> }.into_any(),
                None => view! { <FieldHint field error/> }.into_any(),
            }}
            <input id=name name=name type=kind autocomplete=autocomplete maxlength=maxlength
                value=value aria-invalid=error_flag(&outcome.errors, field) aria-describedby=described/>
        </div>
    }
}

fn error_flag(errors: &FieldErrors, field: Field) -> Option<&'static str> {
    errors.get(field).map(|_| "true")
}

/// A labelled text input (or text area) with its hint and error message, for
/// forms whose inputs are named freely: several forms on one page, or inputs
/// repeated per row. `id` is unique on the page; `name` is what the form posts.
#[component]
pub fn LabelledField(
    #[prop(into)] id: String,
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    value: String,
    error: Option<String>,
    #[prop(optional, into)] hint: Option<String>,
    /// A text area of this many rows instead of a one-line input.
    #[prop(optional)]
    lines: Option<u32>,
    #[prop(optional)] maxlength: Option<u32>,
    /// Whole numbers: phones show a digit keyboard.
    #[prop(optional)]
    numeric: bool,
) -> impl IntoView {
    let described = notes_ids(&id, hint.is_some(), error.is_some());
    let invalid = error.is_some().then_some("true");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <FieldNotes id=id.clone() hint error/>
            {match lines {
                Some(rows) => view! {
                    <textarea id=id name=name rows=rows maxlength=maxlength aria-describedby=described
                        aria-invalid=invalid inner_html=crate::components::escape_text(&value)></textarea>
                }.into_any(),
                None => view! {
                    <input id=id name=name type="text" value=value maxlength=maxlength
                        inputmode=numeric.then_some("numeric") aria-describedby=described aria-invalid=invalid/>
                }.into_any(),
            }}
        </div>
    }
}

/// A labelled `<select>` with its hint and error, like [`LabelledField`].
#[component]
pub fn LabelledSelect(
    #[prop(into)] id: String,
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    /// (value, label) of each option.
    options: Vec<(String, String)>,
    selected: String,
    error: Option<String>,
    #[prop(optional, into)] hint: Option<String>,
) -> impl IntoView {
    let described = notes_ids(&id, hint.is_some(), error.is_some());
    let invalid = error.is_some().then_some("true");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <FieldNotes id=id.clone() hint error/>
            <select id=id name=name aria-describedby=described aria-invalid=invalid>
                {options.into_iter().map(|(value, text)| {
                    let chosen = value == selected;
                    view! { <option value=value selected=chosen>{text}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

/// A fieldset of checkboxes posting `name` once per ticked option, with its
/// error. Each box's id is `{id}-{value}`; the fieldset's id is `id`, for an
/// error summary to link to.
#[component]
pub fn CheckboxList(
    #[prop(into)] id: String,
    #[prop(into)] name: String,
    #[prop(into)] legend: String,
    /// (value, label) of each box.
    options: Vec<(String, String)>,
    chosen: Vec<String>,
    error: Option<String>,
) -> impl IntoView {
    let described = error.is_some().then(|| format!("{id}-error"));
    view! {
        <fieldset class="checkboxes" id=id.clone() aria-describedby=described>
            <legend>{legend}</legend>
            <FieldNotes id=id.clone() hint=None error/>
            {options.into_iter().map(|(value, label)| {
                let box_id = format!("{id}-{value}");
                let checked = chosen.contains(&value);
                view! {
                    <div class="checkbox">
                        <input type="checkbox" id=box_id.clone() name=name.clone() value=value checked=checked/>
                        <label for=box_id>{label}</label>
                    </div>
                }
            }).collect_view()}
        </fieldset>
    }
}

/// The ids of a field's hint and error, for its `aria-describedby`.
fn notes_ids(id: &str, hint: bool, error: bool) -> Option<String> {
    let ids: Vec<String> = [
        hint.then(|| format!("{id}-hint")),
        error.then(|| format!("{id}-error")),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// A field's hint and error message, under its label.
#[component]
fn FieldNotes(id: String, hint: Option<String>, error: Option<String>) -> impl IntoView {
    view! {
        {hint.map(|h| view! { <p class="hint" id=format!("{id}-hint")>{h}</p> })}
        {error.map(|e| view! {
            <p class="field-error" id=format!("{id}-error")><span class="visually-hidden">"Error: "</span>{e}</p>
        })}
    }
}
