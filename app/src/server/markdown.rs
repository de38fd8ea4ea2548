//! Markdown of knowledge articles, rendered to safe HTML and to plain text.
//!
//! Safety comes first from what the renderer is allowed to emit: raw HTML in the
//! source is shown as text, and links or images whose address is not http(s),
//! mailto or site-relative lose their address. The result then goes through
//! ammonia's allow-list sanitiser as a second, independent line: only known tags and
//! attributes, no event handlers, no script URLs, whatever a renderer bug let by.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

fn parser(source: &str) -> Parser<'_> {
    Parser::new_ext(
        source,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
}

fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:")
        || (lower.starts_with('/') && !lower.starts_with("//"))
        || lower.starts_with('#')
}

fn neutralise(url: CowStr<'_>) -> CowStr<'_> {
    if safe_url(&url) {
        url
    } else {
        CowStr::Borrowed("#")
    }
}

/// Renders Markdown to HTML that is safe to insert into a page.
pub fn to_safe_html(source: &str) -> String {
    let events = parser(source).map(|event| match event {
        Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: neutralise(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: neutralise(dest_url),
            title,
            id,
        }),
        other => other,
    });
    let mut html = String::with_capacity(source.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    sanitiser().clean(&html).to_string()
}

/// The allow-list every rendered article passes through; built once.
fn sanitiser() -> &'static ammonia::Builder<'static> {
    static SANITISER: std::sync::OnceLock<ammonia::Builder<'static>> = std::sync::OnceLock::new();
    SANITISER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        builder
            .url_schemes(["http", "https", "mailto"].into_iter().collect())
            .link_rel(Some("noopener noreferrer"));
        builder
    })
}

/// The words of a Markdown text without its markup, for the search index.
pub fn to_plain_text(source: &str) -> String {
    let mut text = String::with_capacity(source.len());
    for event in parser(source) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                text.push_str(&t)
            }
            // Inline ends (emphasis, links) join words; block ends separate them.
            Event::End(
                TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link,
            ) => {}
            Event::SoftBreak | Event::HardBreak | Event::End(_)
                if !text.is_empty() && !text.ends_with(' ') =>
            {
                text.push(' ')
            }
            _ => {}
        }
    }
    text.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_shown_as_text() {
        let html = to_safe_html("Hi <script>alert(1)</script> <img src=x onerror=alert(1)>");
        assert!(!html.contains("<script"));
        assert!(!html.contains("<img"));
        assert!(html.contains("&lt;script&gt;"));
    }

    #[test]
    fn dangerous_link_addresses_are_dropped() {
        for source in [
            "[x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "[x]( javascript:alert(1))",
            "[x](data:text/html,hi)",
            "[x](//evil.example)",
            "![x](javascript:alert(1))",
        ] {
            let html = to_safe_html(source);
            assert!(!html.to_lowercase().contains("javascript:"), "{html}");
            assert!(!html.contains("data:"), "{html}");
            assert!(!html.contains("//evil"), "{html}");
        }
        assert!(to_safe_html("[x](https://example.com)").contains("href=\"https://example.com\""));
    }

    #[test]
    fn plain_text_keeps_the_words() {
        assert_eq!(
            to_plain_text("1. Open **Settings**, then [Wi-Fi](/x).\n2. Choose `VPN`"),
            "Open Settings, then Wi-Fi. Choose VPN"
        );
    }
}
