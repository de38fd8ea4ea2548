//! Listening to the server's push. Pages stay server-rendered: when the server says
//! something a page shows has changed, the page's live parts are fetched again as
//! HTML and swapped in. The WebAssembly carries no view code for them, only the
//! listening and the swapping.

use leptos::prelude::*;

/// A server-rendered region that follows the server-sent events at `events`.
///
/// Each element inside marked `data-live` (with an `id`) is a live part: on a
/// change the page's own address is fetched again and each part takes the fresh
/// part's content — unless the person is working in it (focus inside, text typed,
/// an option chosen), so nothing typed is ever lost; a form sent from a stale part
/// comes back from the server as a conflict with the text kept. Without
/// JavaScript the region is simply the page as rendered.
#[island]
pub fn LiveRegion(events: String, class: String, children: Children) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    on_server_change(events, || {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async {
            // A failed fetch leaves the page as it was; the next change tries again.
            let _ = swap::refresh_live_parts().await;
        });
    });
    view! {
        <div class=class data-hydrated=move || hydrated.get().then_some("true")>
            {children()}
        </div>
    }
}

/// In the browser, calls `refresh` whenever the server-sent events at `url` say
/// something changed; changes arriving close together cause one refresh. The
/// browser reconnects by itself if the stream drops. On the server, does nothing.
pub fn on_server_change(url: String, refresh: impl Fn() + Clone + 'static) {
    #[cfg(feature = "hydrate")]
    listen(url, refresh);
    #[cfg(not(feature = "hydrate"))]
    let _ = (url, refresh);
}

#[cfg(feature = "hydrate")]
fn listen(url: String, refresh: impl Fn() + Clone + 'static) {
    use std::time::Duration;
    use wasm_bindgen::prelude::*;

    let Ok(source) = web_sys::EventSource::new(&url) else {
        return;
    };
    let pending = StoredValue::new_local(false);
    let on_change = Closure::<dyn Fn()>::new(move || {
        if pending.get_value() {
            return;
        }
        pending.set_value(true);
        let refresh = refresh.clone();
        set_timeout(
            move || {
                pending.set_value(false);
                refresh();
            },
            Duration::from_millis(200),
        );
    });
    let _ = source.add_event_listener_with_callback("changed", on_change.as_ref().unchecked_ref());
    // The stream and its listener live as long as the page: islands are never
    // unmounted, a navigation loads a new page.
    on_change.forget();
    std::mem::forget(source);
}

#[cfg(feature = "hydrate")]
mod swap {
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{
        DomParser, Element, HtmlInputElement, HtmlTextAreaElement, Response, SupportedType,
    };

    /// Fetches the page again and swaps each live part nobody is working in.
    pub async fn refresh_live_parts() -> Result<(), JsValue> {
        let window = web_sys::window().ok_or(JsValue::NULL)?;
        let document = window.document().ok_or(JsValue::NULL)?;
        let address = window.location().href()?;
        let response: Response = JsFuture::from(window.fetch_with_str(&address))
            .await?
            .dyn_into()?;
        if !response.ok() {
            return Ok(());
        }
        let html = JsFuture::from(response.text()?)
            .await?
            .as_string()
            .unwrap_or_default();
        let fresh = DomParser::new()?.parse_from_string(&html, SupportedType::TextHtml)?;
        let parts = document.query_selector_all("[data-live][id]")?;
        for index in 0..parts.length() {
            let Some(part) = parts.item(index).and_then(|n| n.dyn_into::<Element>().ok()) else {
                continue;
            };
            let Some(new) = fresh.get_element_by_id(&part.id()) else {
                continue;
            };
            let content = new.inner_html();
            if content != part.inner_html() && !in_use(&document, &part)? {
                part.set_inner_html(&content);
            }
        }
        Ok(())
    }

    /// Whether the person is working in the part: focus inside, text typed or an
    /// option chosen.
    fn in_use(document: &web_sys::Document, part: &Element) -> Result<bool, JsValue> {
        if let Some(active) = document.active_element() {
            if part.contains(Some(&active)) {
                return Ok(true);
            }
        }
        let fields = part.query_selector_all("textarea, input")?;
        for index in 0..fields.length() {
            let Some(field) = fields.item(index) else {
                continue;
            };
            let typed = if let Some(area) = field.dyn_ref::<HtmlTextAreaElement>() {
                !area.value().trim().is_empty()
            } else if let Some(input) = field.dyn_ref::<HtmlInputElement>() {
                match input.type_().as_str() {
                    "hidden" | "submit" | "button" => false,
                    "radio" | "checkbox" => input.checked(),
                    _ => !input.value().trim().is_empty(),
                }
            } else {
                false
            };
            if typed {
                return Ok(true);
            }
        }
        Ok(false)
    }
}
