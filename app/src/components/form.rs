//! Form helpers: field hints, error messages and the error summary.

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

/// The list of problems at the top of a form, each linking to its field.
#[component]
pub fn ErrorSummary(errors: FieldErrors) -> impl IntoView {
    (!errors.is_empty()).then(|| {
        let count = errors.0.len();
        view! {
            <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">
                <h2 id="error-summary-title">
                    {if count == 1 { "There is a problem".to_string() } else { format!("There are {count} problems") }}
                </h2>
                <ul>
                    {errors.0.into_iter().map(|e| view! {
                        <li><a href=format!("#{}", e.field.name())>{e.message}</a></li>
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

/// The outcome of a plain form post answered with its page again: what was typed
/// (never passwords), what is wrong, or what was done. Provided as context.
#[derive(Clone, Debug, Default)]
pub struct FormOutcome {
    pub errors: FieldErrors,
    /// A problem with the submission as a whole.
    pub problem: Option<String>,
    /// What was done, when it worked and the page is shown again.
    pub done: Option<String>,
    /// Values as typed, to fill the fields again.
    pub values: Vec<(Field, String)>,
}

impl FormOutcome {
    /// The outcome of the current render, if a form post led to it.
    pub fn current() -> FormOutcome {
        use_context::<FormOutcome>().unwrap_or_default()
    }

    pub fn value(&self, field: Field) -> String {
        self.values
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

/// The messages at the top of a form: its error summary, a problem, or what was done.
#[component]
pub fn FormMessages(outcome: FormOutcome) -> impl IntoView {
    view! {
        <ErrorSummary errors=outcome.errors.clone()/>
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
