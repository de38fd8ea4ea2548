//! Telling an agent that the ticket they are looking at has changed meanwhile.

use super::ticket_for_desk;
use crate::components::on_server_change;
use leptos::prelude::*;

/// Appears, without a reload, when someone else changes the ticket: a form sent
/// now would be refused as a conflict, so the agent is told first.
#[island]
pub fn ChangedNotice(number: String, version: i64) -> impl IntoView {
    let changed = RwSignal::new(None::<String>);
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let url = format!("/events/desk/{number}");
    let link = format!("/agent/tickets/{number}");
    on_server_change(url, move || {
        let number = number.clone();
        leptos::task::spawn_local(async move {
            if let Ok(now) = ticket_for_desk(number).await {
                if now.version != version {
                    changed.set(Some(now.state.label().to_lowercase()));
                }
            }
        });
    });
    view! {
        <div role="status" aria-live="polite" data-hydrated=move || hydrated.get().then_some("true")>
            {move || changed.get().map(|state| view! {
                <div class="notice-banner" data-test="changed-notice">
                    <p>"Someone changed this ticket since you opened it: it is now " {state} ". "
                        <a href=link.clone()>"Reload the ticket"</a> " before you change it."</p>
                </div>
            })}
        </div>
    }
}
