//! Times as people read them.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// "Sun 22 Nov 2026, 14:05 GMT": a time as the reader reads it, in their zone
/// (see `server::web::zone`), which it names.
pub fn format_time(at: DateTime<Utc>) -> String {
    #[cfg(feature = "ssr")]
    {
        crate::server::web::zone::reader_zone().format(at)
    }
    #[cfg(not(feature = "ssr"))]
    {
        crate::domain::format_time(at)
    }
}

/// Tells the portal the browser's time zone (the `tz` cookie, read by
/// `server::web::zone`), so later pages show times in it; and, unless the reader
/// chose a zone on their account page, shows this page's times in it at once
/// when the page was written in another.
#[cfg(feature = "hydrate")]
pub fn follow_browser_zone() {
    use wasm_bindgen::JsCast;
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(zone) = browser_zone() else { return };
    let Ok(html) = document.clone().dyn_into::<web_sys::HtmlDocument>() else {
        return;
    };
    let told = html.cookie().unwrap_or_default();
    let known = told
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .any(|(name, value)| name == "tz" && value == zone);
    if !known {
        let _ = html.set_cookie(&format!(
            "tz={zone}; path=/; max-age=31536000; samesite=lax"
        ));
    }
    let Some(root) = document.document_element() else {
        return;
    };
    let written_in = root.get_attribute("data-zone");
    if root.has_attribute("data-zone-chosen") || written_in.as_deref() == Some(zone.as_str()) {
        return;
    }
    let Ok(times) = document.query_selector_all("time[datetime]") else {
        return;
    };
    for i in 0..times.length() {
        let Some(element) = times
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
        else {
            continue;
        };
        let Some(at) = element.get_attribute("datetime") else {
            continue;
        };
        // Only full times ("2026-12-05T14:05:00Z") written as "Sat 5 Dec 2026, 14:05 GMT".
        let shown = element.text_content().unwrap_or_default();
        if !at.contains('T') || !shown.contains(':') {
            continue;
        }
        if let Some(local) = local_words(&at, &zone) {
            element.set_text_content(Some(&local));
        }
    }
}

/// The browser's time zone, by its IANA name.
#[cfg(feature = "hydrate")]
fn browser_zone() -> Option<String> {
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    js_sys::Reflect::get(&format.resolved_options(), &"timeZone".into())
        .ok()?
        .as_string()
        .filter(|zone| !zone.is_empty())
}

/// `at` (RFC 3339) as "Sat 5 Dec 2026, 14:05 GMT" in `zone`, by the browser.
#[cfg(feature = "hydrate")]
fn local_words(at: &str, zone: &str) -> Option<String> {
    use js_sys::Reflect;
    let date = js_sys::Date::new(&at.into());
    if date.get_time().is_nan() {
        return None;
    }
    let options = js_sys::Object::new();
    for (key, value) in [
        ("timeZone", zone),
        ("weekday", "short"),
        ("day", "numeric"),
        ("month", "short"),
        ("year", "numeric"),
        ("hour", "2-digit"),
        ("minute", "2-digit"),
        ("hourCycle", "h23"),
        ("timeZoneName", "short"),
    ] {
        Reflect::set(&options, &key.into(), &value.into()).ok()?;
    }
    let locales = js_sys::Array::of1(&"en-GB".into());
    let format = js_sys::Intl::DateTimeFormat::new(&locales, &options);
    let mut part = std::collections::HashMap::new();
    for item in format.format_to_parts(&date).iter() {
        let kind = Reflect::get(&item, &"type".into()).ok()?.as_string()?;
        let value = Reflect::get(&item, &"value".into()).ok()?.as_string()?;
        part.insert(kind, value);
    }
    let get = |k: &str| part.get(k).cloned();
    Some(format!(
        "{} {} {} {}, {}:{} {}",
        get("weekday")?,
        get("day")?,
        get("month")?,
        get("year")?,
        get("hour")?,
        get("minute")?,
        get("timeZoneName")?
    ))
}

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
