//! Listening to the server's push. Pages stay server-rendered: when the server says
//! something a page shows has changed, the page's live parts are fetched again as
//! HTML and swapped in. The WebAssembly carries no view code for them, only the
//! listening and the swapping.

use leptos::prelude::*;

/// A server-rendered region that follows a topic of the page's server-sent events
/// (see `server::live` for the topics).
///
/// Each element inside marked `data-live` (with an `id`) is a live part: on a
/// change the page's own address is fetched again and each part takes the fresh
/// part's content — unless the person is working in it (focus inside, text typed,
/// an option chosen), so nothing typed is ever lost, and groups the person opened
/// or folded (`<details id>`) stay so; a form sent from a stale part
/// comes back from the server as a conflict with the text kept. Without
/// JavaScript the region is simply the page as rendered.
#[island]
pub fn LiveRegion(topic: String, class: String, children: Children) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    on_server_change(topic, "swap", || {
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

/// In the browser, calls `refresh` whenever the server says `topic` changed.
/// Every island of the page shares one event stream (opened once all have
/// hydrated); changes close together cause one call per `key` (the same key
/// means the same refresh). The browser reconnects by itself if the stream
/// drops. On the server, does nothing.
pub fn on_server_change(topic: String, key: &'static str, refresh: impl Fn() + 'static) {
    #[cfg(feature = "hydrate")]
    stream::listen(topic, key, std::rc::Rc::new(refresh));
    #[cfg(not(feature = "hydrate"))]
    let _ = (topic, key, refresh);
}

#[cfg(feature = "hydrate")]
mod stream {
    use leptos::prelude::set_timeout;
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;
    use std::time::Duration;
    use wasm_bindgen::prelude::*;

    struct Listener {
        topic: String,
        key: &'static str,
        refresh: Rc<dyn Fn()>,
    }

    thread_local! {
        static LISTENERS: RefCell<Vec<Listener>> = const { RefCell::new(Vec::new()) };
        static OPENING: Cell<bool> = const { Cell::new(false) };
        static PENDING: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
        static SOURCE: RefCell<Option<web_sys::EventSource>> = const { RefCell::new(None) };
    }

    pub fn listen(topic: String, key: &'static str, refresh: Rc<dyn Fn()>) {
        LISTENERS.with_borrow_mut(|l| {
            l.push(Listener {
                topic,
                key,
                refresh,
            })
        });
        if !OPENING.replace(true) {
            // Islands hydrate one after the other in one go: open the stream
            // after the last has said what it listens to. A lazy island, which
            // hydrates once its code has arrived, opens it again with its topic.
            set_timeout(open, Duration::ZERO);
        }
    }

    fn open() {
        OPENING.set(false);
        let mut topics: Vec<String> =
            LISTENERS.with_borrow(|l| l.iter().map(|l| l.topic.clone()).collect());
        topics.sort();
        topics.dedup();
        let query: Vec<String> = topics
            .iter()
            .map(|t| format!("topic={}", crate::domain::encode_query_value(t)))
            .collect();
        let Ok(source) = web_sys::EventSource::new(&format!("/events?{}", query.join("&"))) else {
            return;
        };
        let on_change =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(|event: web_sys::MessageEvent| {
                let data = event.data().as_string().unwrap_or_default();
                let words: Vec<&str> = data.split_whitespace().collect();
                let due: Vec<&'static str> = LISTENERS.with_borrow(|l| {
                    l.iter()
                        .filter(|l| words.contains(&"*") || words.contains(&l.topic.as_str()))
                        .map(|l| l.key)
                        .collect()
                });
                for key in due {
                    schedule(key);
                }
            });
        let _ =
            source.add_event_listener_with_callback("changed", on_change.as_ref().unchecked_ref());
        // The listener lives as long as the page: islands are never unmounted, a
        // navigation loads a new page. The stream lives until a late island
        // replaces it, so that a page never holds two.
        on_change.forget();
        if let Some(old) = SOURCE.replace(Some(source)) {
            old.close();
        }
    }

    /// Runs the refresh of `key` once, shortly, however many changes arrive meanwhile.
    fn schedule(key: &'static str) {
        let fresh = PENDING.with_borrow_mut(|p| {
            let fresh = !p.contains(&key);
            if fresh {
                p.push(key);
            }
            fresh
        });
        if !fresh {
            return;
        }
        set_timeout(
            move || {
                PENDING.with_borrow_mut(|p| p.retain(|k| *k != key));
                let refresh = LISTENERS
                    .with_borrow(|l| l.iter().find(|l| l.key == key).map(|l| l.refresh.clone()));
                if let Some(refresh) = refresh {
                    refresh();
                }
            },
            Duration::from_millis(200),
        );
    }
}

#[cfg(feature = "hydrate")]
mod swap {
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{
        DomParser, Element, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement, Response,
        SupportedType,
    };

    /// Fetches the page again and swaps each live part nobody is working in.
    pub async fn refresh_live_parts() -> Result<(), JsValue> {
        let window = web_sys::window().ok_or(JsValue::NULL)?;
        let document = window.document().ok_or(JsValue::NULL)?;
        let address = window.location().href()?;
        let response: Response = JsFuture::from(window.fetch_with_str(&address))
            .await?
            .dyn_into()?;
        // An error page (the ticket gone, the session ended) changes nothing.
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
                let folds = folds(&part)?;
                part.set_inner_html(&content);
                refold(&part, &folds)?;
            }
        }
        Ok(())
    }

    /// Which of the part's foldable groups (`<details id>`) the person has open.
    fn folds(part: &Element) -> Result<Vec<(String, bool)>, JsValue> {
        let groups = part.query_selector_all("details[id]")?;
        Ok((0..groups.length())
            .filter_map(|index| groups.item(index)?.dyn_into::<Element>().ok())
            .map(|group| (group.id(), group.has_attribute("open")))
            .collect())
    }

    /// Opens and folds the swapped part's groups as the person had them.
    fn refold(part: &Element, folds: &[(String, bool)]) -> Result<(), JsValue> {
        for (id, open) in folds {
            let Some(group) = part.query_selector(&format!("details#{id}"))? else {
                continue;
            };
            if *open {
                group.set_attribute("open", "")?;
            } else {
                group.remove_attribute("open")?;
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
        // An option chosen in a list: another than the one the page came with.
        let lists = part.query_selector_all("select")?;
        for index in 0..lists.length() {
            let Some(list) = lists
                .item(index)
                .and_then(|n| n.dyn_into::<HtmlSelectElement>().ok())
            else {
                continue;
            };
            let options = list.query_selector_all("option")?;
            let first_chosen = (0..options.length())
                .find(|i| {
                    options
                        .item(*i)
                        .and_then(|n| n.dyn_into::<Element>().ok())
                        .is_some_and(|o| o.has_attribute("selected"))
                })
                .unwrap_or(0);
            if list.selected_index() != first_chosen as i32 {
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
