//! Triage: is it an incident or a service request?

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn TriagePage() -> impl IntoView {
    view! {
        <Title text="Report an issue"/>
        <div class="wrap page">
            <h1>"What do you need?"</h1>
            <p class="lead">"Choose the one that fits best. If you are not sure, choose the first: we will sort it out."</p>
            <ul class="choice-list">
                <li class="choice">
                    <a href="/report/incident" class="choice-link" aria-describedby="incident-explained">
                        "Something is broken or worse than usual"
                    </a>
                    <p id="incident-explained">
                        "Something that used to work has stopped working or got slower. "
                        "For example: you cannot connect to the VPN, Outlook will not open, the printer says it is offline."
                    </p>
                </li>
                <li class="choice">
                    <a href="/report/request" class="choice-link" aria-describedby="request-explained">
                        "I need something new or changed"
                    </a>
                    <p id="request-explained">
                        "Nothing is broken; you want something you do not have yet. "
                        "For example: access to a shared folder, new software, a second monitor, a password reset for a colleague's new account."
                    </p>
                </li>
            </ul>
            <p>"Already logged something? "<a href="/status">"Check its status"</a>"."</p>
        </div>
    }
}
