//! Mail that reaches the desk, in words: what of a reply is new (earlier text
//! quoted below it and signatures cut), and whether a message was written by a
//! machine, which the desk never answers automatically (RFC 3834).

/// Why a message counts as automatic, or `None` for a person's.
///
/// `header` reads one header's value by name (case-insensitive); `return_path`
/// is the envelope sender as the `Return-Path` header gives it, if any.
pub fn automatic(header: impl Fn(&str) -> Option<String>) -> Option<Automatic> {
    let lower = |name: &str| header(name).map(|v| v.trim().to_ascii_lowercase());
    if let Some(auto) = lower("Auto-Submitted") {
        if auto.starts_with("auto-replied") {
            return Some(Automatic::Reply);
        }
        if !auto.is_empty() && !auto.starts_with("no") {
            return Some(Automatic::Generated);
        }
    }
    if lower("X-Autoreply").is_some()
        || lower("X-Autorespond").is_some()
        || lower("X-Auto-Response-Suppress").is_some_and(|v| v.contains("oof") || v == "all")
            && lower("Subject").is_some_and(|s| looks_like_an_away_message(&s))
    {
        return Some(Automatic::Reply);
    }
    if let Some(precedence) = lower("Precedence") {
        if ["bulk", "list", "junk", "auto_reply"].contains(&precedence.as_str()) {
            return Some(Automatic::Bulk);
        }
    }
    if lower("List-Id").is_some() || lower("List-Unsubscribe").is_some() {
        return Some(Automatic::Bulk);
    }
    if lower("Return-Path").is_some_and(|p| p.trim_matches(|c| c == '<' || c == '>').is_empty()) {
        return Some(Automatic::NoReturnPath);
    }
    None
}

/// What kind of machine wrote a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Automatic {
    /// An answer to a message (out of office, vacation): never a ticket.
    Reply,
    /// Generated (monitoring, notifications): may log a ticket, never answered.
    Generated,
    /// A mailing list, bulk or junk: may log a ticket, never answered.
    Bulk,
    /// Nowhere to answer to (an empty return path, as bounces have).
    NoReturnPath,
}

impl Automatic {
    /// In the inbound log.
    pub fn words(self) -> &'static str {
        match self {
            Automatic::Reply => "an automatic reply (out of office or the like)",
            Automatic::Generated => "automatic (Auto-Submitted)",
            Automatic::Bulk => "bulk or mailing-list mail (Precedence, List-Id)",
            Automatic::NoReturnPath => "sent with an empty return path",
        }
    }
}

fn looks_like_an_away_message(subject: &str) -> bool {
    [
        "automatic reply",
        "auto reply",
        "autoreply",
        "out of office",
        "abwesenheit",
    ]
    .iter()
    .any(|w| subject.contains(w))
}

/// What a reply adds: its text down to the first line that starts the quoted
/// earlier message or a signature. Quoted lines (`>`) are dropped wherever they
/// are. Never empty when `text` is not: a reply that is all quote is kept whole.
pub fn cut_reply(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    let mut kept: Vec<&str> = Vec::new();
    for (at, line) in lines.iter().enumerate() {
        let next = lines.get(at + 1).copied().unwrap_or("");
        if starts_quote(line, next, &lines[at + 1..]) || starts_signature(line) {
            break;
        }
        if line.trim_start().starts_with('>') {
            continue;
        }
        kept.push(line);
    }
    let cut = kept.join("\n").trim().to_string();
    if cut.is_empty() {
        text.trim().to_string()
    } else {
        cut
    }
}

/// Whether `line` opens the earlier message a reply quotes: "On … wrote:"
/// (Gmail, Thunderbird, Apple Mail; Gmail may wrap it onto the next line), the
/// same in German, French and Spanish, Outlook's "Original Message" rule or its
/// "From:/Sent:" block (under a line of underscores in Outlook on the web).
fn starts_quote(line: &str, next: &str, rest: &[&str]) -> bool {
    let line = line.trim();
    let lower = line.to_lowercase();
    let wrote = |l: &str| {
        let l = l.trim_end().to_lowercase();
        l.ends_with("wrote:")
            || (l.contains(" schrieb ") || l.ends_with(" schrieb:")) && l.ends_with(':')
            || l.ends_with("a écrit :")
            || l.ends_with("a écrit:")
            || l.ends_with("escribió:")
    };
    let opens = ["on ", "am ", "le ", "el "];
    if opens.iter().any(|o| lower.starts_with(o))
        && (wrote(line) || (!next.trim().is_empty() && wrote(&format!("{line} {next}"))))
    {
        return true;
    }
    if lower.trim_matches('-').trim() == "original message"
        || lower.trim_matches('-').trim() == "ursprüngliche nachricht"
        || lower.starts_with("-----original message")
    {
        return true;
    }
    if line.len() >= 10 && line.chars().all(|c| c == '_') {
        return true;
    }
    if lower.starts_with("from:") || lower.starts_with("von:") {
        let block: Vec<String> = rest.iter().take(4).map(|l| l.to_lowercase()).collect();
        return block.iter().any(|l| {
            l.starts_with("sent:") || l.starts_with("gesendet:") || l.starts_with("date:")
        });
    }
    false
}

fn starts_signature(line: &str) -> bool {
    let trimmed = line.trim_end();
    if trimmed == "--" || line == "-- " {
        return true;
    }
    let lower = trimmed.to_lowercase();
    [
        "sent from my iphone",
        "sent from my ipad",
        "sent from my android",
        "sent from mail for windows",
        "sent from outlook",
        "get outlook for ios",
        "get outlook for android",
        "von meinem iphone gesendet",
    ]
    .iter()
    .any(|s| lower.starts_with(s))
}

/// A subject without the prefixes replies and forwards add ("Re:", "Fwd:",
/// "AW:", "WG:", "TR:"), repeated or not.
pub fn bare_subject(subject: &str) -> String {
    let mut rest = subject.trim();
    loop {
        let lower = rest.to_lowercase();
        let Some(prefix) = ["re:", "fwd:", "fw:", "aw:", "wg:", "tr:", "sv:", "antw:"]
            .iter()
            .find(|p| lower.starts_with(*p))
        else {
            return rest.to_string();
        };
        rest = rest[prefix.len()..].trim_start();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_keeps_what_is_new_and_drops_the_quote_and_signature() {
        let gmail = "Still broken after the restart.\n\nOn Mon, 1 Dec 2026 at 10:00, IT Help \
                     <help@example.com>\nwrote:\n> An agent replied\n";
        assert_eq!(cut_reply(gmail), "Still broken after the restart.");
        let outlook = "Thanks, it works.\r\n\r\n________________________________\r\nFrom: IT \
                       Help <help@example.com>\r\nSent: Monday\r\nSubject: x\r\n";
        assert_eq!(cut_reply(outlook), "Thanks, it works.");
        let signed = "Third floor.\n-- \nRita Reporter\nAccounts\n";
        assert_eq!(cut_reply(signed), "Third floor.");
        let inline = "> Which floor?\nThird.\n> Which room?\nRoom 12.";
        assert_eq!(cut_reply(inline), "Third.\nRoom 12.");
        let german = "Geht wieder.\n\nAm 01.12.2026 um 10:00 schrieb IT Help <h@e.com>:\n> x";
        assert_eq!(cut_reply(german), "Geht wieder.");
        assert_eq!(cut_reply("> all quote"), "> all quote", "nothing is lost");
        assert_eq!(cut_reply("On call tonight: me."), "On call tonight: me.");
    }

    #[test]
    fn machines_are_told_from_people() {
        let with = |pairs: &'static [(&'static str, &'static str)]| {
            automatic(move |name| {
                pairs
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.to_string())
            })
        };
        assert_eq!(with(&[("Auto-Submitted", "no")]), None);
        assert_eq!(
            with(&[("Auto-Submitted", "auto-replied")]),
            Some(Automatic::Reply)
        );
        assert_eq!(
            with(&[("Auto-Submitted", "auto-generated")]),
            Some(Automatic::Generated)
        );
        assert_eq!(with(&[("Precedence", "bulk")]), Some(Automatic::Bulk));
        assert_eq!(
            with(&[("Return-Path", "<>")]),
            Some(Automatic::NoReturnPath)
        );
        assert_eq!(with(&[("Return-Path", "<a@b.c>")]), None);
        assert_eq!(
            with(&[
                ("X-Auto-Response-Suppress", "All"),
                ("Subject", "Automatic reply: [INC0000001] New reply")
            ]),
            Some(Automatic::Reply)
        );
    }

    #[test]
    fn subjects_lose_their_reply_and_forward_prefixes() {
        assert_eq!(bare_subject("Re: AW: Fwd:  Printer"), "Printer");
        assert_eq!(
            bare_subject("Return of the printer"),
            "Return of the printer"
        );
    }
}
