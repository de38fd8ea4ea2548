//! A button that copies a link, for the private links people are asked to keep.

use leptos::prelude::*;

/// "Copy link": puts `link` (a path is made absolute with the page's origin) on the
/// clipboard and says so. It appears only once the page's code runs: without
/// JavaScript there is nothing to press, and the link stays selectable text.
#[island]
pub fn CopyLink(link: String) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    let said = RwSignal::new("");
    Effect::new(move |_| hydrated.set(true));
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let link = link.clone();
            leptos::task::spawn_local(async move {
                said.set(match clipboard::write(&link).await {
                    Ok(()) => "Copied.",
                    Err(_) => "Could not copy: select the link and copy it.",
                });
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &link;
    };
    view! {
        <span class="copy-link" data-hydrated=move || hydrated.get().then_some("true")>
            <button type="button" class="button" hidden=move || !hydrated.get() on:click=copy
                data-test="copy-link">"Copy link"</button>
            " " <span role="status" class="hint">{move || said.get()}</span>
        </span>
    }
}

#[cfg(feature = "hydrate")]
mod clipboard {
    use wasm_bindgen::{JsCast, JsValue};

    /// `navigator.clipboard.writeText(absolute link)`, through `Reflect`, so the
    /// WebAssembly needs no bindings for the Clipboard API.
    pub async fn write(link: &str) -> Result<(), JsValue> {
        let window = web_sys::window().ok_or(JsValue::NULL)?;
        let absolute = match link.starts_with('/') {
            true => format!("{}{link}", window.location().origin()?),
            false => link.to_string(),
        };
        let navigator = js_sys::Reflect::get(&window, &"navigator".into())?;
        let clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into())?;
        let write: js_sys::Function =
            js_sys::Reflect::get(&clipboard, &"writeText".into())?.dyn_into()?;
        let promise: js_sys::Promise = write
            .call1(&clipboard, &JsValue::from_str(&absolute))?
            .dyn_into()?;
        wasm_bindgen_futures::JsFuture::from(promise).await?;
        Ok(())
    }
}
