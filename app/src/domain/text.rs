//! Normalisation of what people type, applied once when input is parsed.

/// Trims a single-line value, turns every run of whitespace (tabs, newlines) into one
/// space and drops control characters, so that what is stored is what is shown.
pub fn clean_line(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut pending_space = false;
    for c in raw.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
        } else if !c.is_control() {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

/// Whether a string could be one of the portal's secret tokens (status, reset and
/// confirmation links: 256 bits, URL-safe base64, 43 characters). Anything else is
/// neither looked up nor written back into a page.
pub fn plausible_token(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Trims a multi-line value, normalises line endings to `\n` and drops control
/// characters other than newlines and tabs.
pub fn clean_text(raw: &str) -> String {
    raw.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect::<String>()
        .trim()
        .to_string()
}

/// The first value posted under `name` by a form read as pairs (a form whose
/// fields may repeat), or "" when there is none.
pub fn form_value<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(key, _)| key == name)
        .map_or("", |(_, value)| value.as_str())
}

/// "1 step", "2 steps": `count` and the noun, plural unless one.
pub fn counted(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}

/// An address name made from a title: "Video calls & chat" → "video-calls-chat",
/// at most `max` characters.
pub fn slug_of(name: &str, max: usize) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let cut: String = slug.chars().take(max).collect();
    cut.trim_end_matches('-').to_string()
}

/// A posted form's fields from (name, value) pairs, for tests.
#[cfg(test)]
pub fn form_pairs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Percent-encodes a value for a query string.
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_line_collapses_whitespace_and_drops_controls() {
        assert_eq!(clean_line("  Ada \t\n Lovelace\u{7} "), "Ada Lovelace");
        assert_eq!(clean_line("\u{0}"), "");
    }

    #[test]
    fn clean_text_keeps_paragraphs() {
        assert_eq!(clean_text(" a\r\n\r\nb\u{1b} "), "a\n\nb");
    }
}
