//! Listening to the server's push: a page's island asks again when the server says
//! something it shows has changed.

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
    use leptos::prelude::{set_timeout, GetValue, SetValue, StoredValue};
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
