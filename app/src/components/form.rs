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
