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

/// An address of a file attached to the article itself: `files/{id}` or
/// `files/{id}/thumbnail`, with `id` an attachment's 32 hex digits.
fn attached_file(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("files/")?;
    let id = rest.strip_suffix("/thumbnail").unwrap_or(rest);
    crate::server::store::attachments::plausible_id(id).then_some(rest)
}

/// The address as the page may carry it: the article's own files under
/// `base`, other safe addresses as written, anything else dropped.
fn neutralise<'a>(url: CowStr<'a>, base: Option<&str>) -> CowStr<'a> {
    if let (Some(base), Some(file)) = (base, attached_file(&url)) {
        return CowStr::Boxed(format!("{base}/files/{file}").into_boxed_str());
    }
    if safe_url(&url) {
        url
    } else {
        CowStr::Borrowed("#")
    }
}

/// Renders Markdown to HTML that is safe to insert into a page.
pub fn to_safe_html(source: &str) -> String {
    to_safe_html_at(source, None)
}

/// [`to_safe_html`] for an article whose files are served under `base`
/// (`/articles/{slug}`): its Markdown names them `files/{id}`.
pub fn to_safe_html_at(source: &str, base: Option<&str>) -> String {
    let events = parser(source).map(|event| match event {
        Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: neutralise(dest_url, base),
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
            dest_url: neutralise(dest_url, base),
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
    fn an_articles_own_files_are_named_under_its_address_and_nothing_else_is() {
        let id = "0123456789abcdef0123456789abcdef";
        let html = to_safe_html_at(
            &format!("![the dialog](files/{id}/thumbnail) and [the log](files/{id})"),
            Some("/articles/vpn-809"),
        );
        assert!(
            html.contains(&format!("src=\"/articles/vpn-809/files/{id}/thumbnail\"")),
            "{html}"
        );
        assert!(html.contains(&format!("href=\"/articles/vpn-809/files/{id}\"")));
        for other in ["files/../../admin", "files/xyz", "files/", "../files/{id}"] {
            let html = to_safe_html_at(&format!("[x]({other})"), Some("/articles/a"));
            assert!(html.contains("href=\"#\""), "{other}: {html}");
        }
        assert!(to_safe_html(&format!("[x](files/{id})")).contains("href=\"#\""));
    }

    #[test]
    fn plain_text_keeps_the_words() {
        assert_eq!(
            to_plain_text("1. Open **Settings**, then [Wi-Fi](/x).\n2. Choose `VPN`"),
            "Open Settings, then Wi-Fi. Choose VPN"
        );
    }
}
