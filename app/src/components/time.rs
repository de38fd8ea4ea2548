//! Times as people read them.

pub use crate::domain::format_time;
use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// A deadline as "within 4 hours (by Sun 22 Nov 2026, 18:05 UTC)".
#[component]
pub fn DueIn(minutes: u32, at: DateTime<Utc>) -> impl IntoView {
    view! {
        <span>
            "within " {crate::domain::duration_in_words(minutes)} " (by "
            <time datetime=crate::domain::machine_time(at)>{format_time(at)}</time> ")"
        </span>
    }
}
