//! Telling an agent that the ticket they are looking at has changed meanwhile.

use crate::components::on_server_change;
use leptos::prelude::*;

/// Appears, without a reload, when someone changes the ticket after the page was
/// loaded (the agent's own changes load a new page): a form sent now would be
/// refused as a conflict, so the agent is told first. It only listens; it loads
/// nothing, which keeps the WebAssembly small.
#[island]
pub fn ChangedNotice(number: String) -> impl IntoView {
    let changed = RwSignal::new(false);
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let link = format!("/agent/tickets/{number}");
    on_server_change(format!("desk/{number}"), "changed-notice", move || {
        changed.set(true)
    });
    view! {
        <div role="status" aria-live="polite" data-hydrated=move || hydrated.get().then_some("true")>
            {move || changed.get().then(|| view! {
                <div class="notice-banner" data-test="changed-notice">
                    <p>"Someone changed this ticket since you opened it. "
                        <a href=link.clone()>"Reload the ticket"</a> " to see what changed before you change it."</p>
                </div>
            })}
        </div>
    }
}
