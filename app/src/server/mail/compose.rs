//! A message of the outbox as an e-mail: a plain-text part and a simple HTML
//! alternative made from the same text (every character escaped; only links to
//! the portal's own address become links), a Message-ID that is the same at
//! every attempt, the ticket's thread, and `Auto-Submitted: auto-generated` so
//! that well-behaved auto-responders do not answer.

use super::Mailer;
use crate::domain::PORTAL;
use crate::server::store::outbox::Claimed;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::Message;

/// Why a message cannot be written as an e-mail: nothing a retry would change.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error("the recipient's address cannot be used: {0}")]
    Recipient(String),
    #[error("the message cannot be written: {0}")]
    Message(String),
}

/// `Auto-Submitted: auto-generated` (RFC 3834): every message the portal sends
/// is automatic.
#[derive(Clone, Debug)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".into())
    }
}

/// The Message-ID of a message: its key, signed, at the sender's domain.
pub fn message_id(key: &str, domain: &str) -> String {
    format!("<{key}@{domain}>")
}

/// The id every message about one thread (a ticket) refers to, so mail clients
/// put them together.
pub fn thread_id(thread: &str, domain: &str) -> String {
    format!("<{}@{domain}>", thread.to_ascii_lowercase())
}

/// The e-mail for `message`, from the mailer's sender; `origin` is the portal's
/// public address, the only one whose links become links in the HTML part.
pub fn compose(mailer: &Mailer, message: &Claimed, origin: &str) -> Result<Message, ComposeError> {
    let to: Mailbox = message
        .recipient
        .parse()
        .map_err(|e: lettre::address::AddressError| ComposeError::Recipient(e.to_string()))?;
    let domain = mailer.from().email.domain();
    let mut builder = Message::builder()
        .from(mailer.from().clone())
        .to(to)
        .subject(&message.subject)
        .message_id(Some(message_id(
            &mailer.signing().id_left(&message.message_key),
            domain,
        )))
        .header(AutoSubmitted);
    if let Some(thread) = &message.thread {
        builder = builder
            .in_reply_to(thread_id(thread, domain))
            .references(thread_id(thread, domain));
    }
    let text = message.body.replace(PORTAL, origin);
    let html = html_of(&text, origin);
    builder
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|e| ComposeError::Message(e.to_string()))
}

/// The HTML alternative of a plain-text body: paragraphs at blank lines, line
/// breaks kept, every character escaped, and links to the portal made links.
pub fn html_of(text: &str, origin: &str) -> String {
    let mut html = String::with_capacity(text.len() * 5 / 4 + 200);
    html.push_str(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head>\
         <body style=\"font-family:sans-serif;line-height:1.5\">",
    );
    for paragraph in text.split("\n\n").filter(|p| !p.trim().is_empty()) {
        html.push_str("<p>");
        for (n, line) in paragraph.lines().enumerate() {
            if n > 0 {
                html.push_str("<br>");
            }
            push_line(&mut html, line, origin);
        }
        html.push_str("</p>");
    }
    html.push_str("</body></html>");
    html
}

/// One line, escaped, with each word that is a link into the portal made a link
/// (without the punctuation around it).
fn push_line(html: &mut String, line: &str, origin: &str) {
    for (n, word) in line.split(' ').enumerate() {
        if n > 0 {
            html.push(' ');
        }
        match portal_link(word, origin) {
            Some((before, link, after)) => {
                escape_into(html, before);
                html.push_str("<a href=\"");
                escape_into(html, link);
                html.push_str("\">");
                escape_into(html, link);
                html.push_str("</a>");
                escape_into(html, after);
            }
            None => escape_into(html, word),
        }
    }
}

/// A word that is a link into the portal, split into the punctuation before
/// it, the link, and the punctuation after it.
fn portal_link<'w>(word: &'w str, origin: &str) -> Option<(&'w str, &'w str, &'w str)> {
    if origin.is_empty() {
        return None;
    }
    let start = word.find(origin)?;
    let (before, rest) = word.split_at(start);
    if !before.chars().all(|c| matches!(c, '(' | '<' | '"' | '\'')) {
        return None;
    }
    let link = rest.trim_end_matches(['.', ',', ')', ';', ':', '>', '"', '\'', '!', '?']);
    let ours = link
        .strip_prefix(origin)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    ours.then(|| (before, link, &rest[link.len()..]))
}

fn escape_into(html: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            c => html.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_html_part_escapes_everything_and_links_only_the_portal() {
        let text = "Hello <b>Ann</b> & \"co\",\n\nOpen https://help.example.com/status/abc.\n\
                    (https://help.example.com/admin)\n\
                    Not https://evil.example/x nor https://help.example.com.evil/x\n";
        let html = html_of(text, "https://help.example.com");
        assert!(html.contains("<p>Hello &lt;b&gt;Ann&lt;/b&gt; &amp; &quot;co&quot;,</p>"));
        assert!(html.contains(
            "<a href=\"https://help.example.com/status/abc\">https://help.example.com/status/abc</a>."
        ));
        assert!(html.contains("<br>Not https://evil.example/x nor https://help.example.com.evil/x"));
        assert!(html.contains(
            "<br>(<a href=\"https://help.example.com/admin\">https://help.example.com/admin</a>)"
        ));
        assert_eq!(html.matches("<a ").count(), 2);
    }

    #[test]
    fn threads_and_ids_are_stable() {
        assert_eq!(message_id("00ff", "example.com"), "<00ff@example.com>");
        assert_eq!(
            thread_id("INC0001234", "example.com"),
            "<inc0001234@example.com>"
        );
    }
}
