//! Snippets: the passage of an article's body that best matches the query, with the
//! matched words marked.
//!
//! tantivy's own snippet generator runs the full ranking analyser (stop words and
//! stemming) over every word of every hit, which cost more than the search itself.
//! Here each word is only lower-cased and folded, and only the few words that begin
//! like a query term are stemmed and compared, which gives the same marks for a
//! fraction of the work.

use super::schema;
use crate::domain::Highlighted;
use rust_stemmers::{Algorithm, Stemmer};
use std::collections::HashSet;
use tantivy::query::Query;
use tantivy::schema::Field;
use tantivy::tokenizer::TextAnalyzer;

/// Words of context kept before the first match, when the sentence starts earlier.
const LEAD_CHARS: usize = 40;
/// Most matches looked at in one text.
const MAX_MATCHES: usize = 64;

/// Marks the words of a text that match the stemmed query terms of one field.
pub struct Highlighter {
    stems: HashSet<String>,
    /// The first three letters of each stem: a word that does not begin with one of
    /// them cannot match and is never stemmed. A handful, so a list: hashing every
    /// word of every hit cost more than comparing. Read for the rare non-ASCII word.
    heads: Vec<String>,
    /// The ASCII ones among them, each packed in a number ([`packed_head`]), so
    /// that an ASCII word is one comparison per head, before it is lower-cased.
    ascii_heads: Vec<u32>,
    stemmer: Stemmer,
    words: TextAnalyzer,
}

impl Highlighter {
    /// Collects the terms of `query` that search `field`.
    pub fn new(query: &dyn Query, field: Field) -> Self {
        let mut stems = HashSet::new();
        query.query_terms(&mut |term, _| {
            if term.field() == field {
                if let Some(text) = term.value().as_str() {
                    stems.insert(text.to_string());
                }
            }
        });
        let mut heads: Vec<String> = stems.iter().map(|s| head(s).to_string()).collect();
        heads.sort_unstable();
        heads.dedup();
        let ascii_heads = heads
            .iter()
            .filter(|h| h.is_ascii())
            .map(|h| packed_head(h.as_bytes()))
            .collect();
        Highlighter {
            stems,
            heads,
            ascii_heads,
            stemmer: Stemmer::create(Algorithm::English),
            words: schema::words_analyzer(),
        }
    }

    /// The best passage of at most `max_chars` bytes, or `None` when nothing matches.
    pub fn snippet(&mut self, text: &str, max_chars: usize) -> Option<Vec<Highlighted>> {
        if self.stems.is_empty() {
            return None;
        }
        let matches = self.matches(text);
        let (start, end) = best_window(text, &matches, max_chars)?;
        let mut parts = Vec::new();
        let mut at = start;
        if start > 0 {
            parts.push(plain("…"));
        }
        for &(from, to) in matches.iter().filter(|m| m.0 >= start && m.1 <= end) {
            if from > at {
                parts.push(plain(&text[at..from]));
            }
            parts.push(Highlighted {
                text: text[from..to].to_string(),
                hit: true,
            });
            at = to;
        }
        if end > at {
            parts.push(plain(&text[at..end]));
        }
        if end < text.len() {
            parts.push(plain("…"));
        }
        Some(parts)
    }

    /// (start, end) of every matching word, in order.
    ///
    /// Words are split as the index splits them (runs of letters and digits) and
    /// lower-cased; the rare word with non-ASCII letters also goes through the
    /// index's folding (é → e).
    fn matches(&mut self, text: &str) -> Vec<(usize, usize)> {
        let mut found = Vec::new();
        let mut word = String::new();
        let mut start = None;
        for (at, c) in text
            .char_indices()
            .chain(std::iter::once((text.len(), ' ')))
        {
            if c.is_alphanumeric() {
                start.get_or_insert(at);
                continue;
            }
            let Some(from) = start.take() else { continue };
            let raw = &text[from..at];
            word.clear();
            if raw.is_ascii() {
                if !self.ascii_heads.contains(&packed_head(raw.as_bytes())) {
                    continue;
                }
                word.extend(raw.chars().map(|c| c.to_ascii_lowercase()));
            } else {
                let mut stream = self.words.token_stream(raw);
                if stream.advance() {
                    word.push_str(&stream.token().text);
                }
                if !self.heads.iter().any(|h| h == head(&word)) {
                    continue;
                }
            }
            if self.stems.contains(self.stemmer.stem(&word).as_ref()) {
                found.push((from, at));
                if found.len() == MAX_MATCHES {
                    break;
                }
            }
        }
        found
    }
}

/// The first three bytes of an ASCII word, lower-cased, and how many there are,
/// in one number.
fn packed_head(word: &[u8]) -> u32 {
    let length = word.len().min(3);
    word[..length]
        .iter()
        .enumerate()
        .fold(length as u32, |packed, (at, b)| {
            packed | u32::from(b.to_ascii_lowercase()) << (8 * (at + 1))
        })
}

/// The first three characters of a word (all of it when shorter).
fn head(word: &str) -> &str {
    match word.char_indices().nth(3) {
        Some((at, _)) => &word[..at],
        None => word,
    }
}

fn plain(text: &str) -> Highlighted {
    Highlighted {
        text: text.to_string(),
        hit: false,
    }
}

/// Chooses the window with the most distinct matched words, starting at the
/// beginning of a sentence or word, ending at the end of a word.
fn best_window(text: &str, matches: &[(usize, usize)], max: usize) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None; // (score, start)
    for (i, &(from, _)) in matches.iter().enumerate() {
        let start = window_start(text, from);
        let limit = start + max;
        let mut distinct = HashSet::new();
        let mut count = 0;
        for m in matches[i..].iter().take_while(|m| m.1 <= limit) {
            distinct.insert(&text[m.0..m.1]);
            count += 1;
        }
        let score = distinct.len() * 16 + count;
        if best.map(|b| score > b.0).unwrap_or(true) {
            best = Some((score, start));
        }
    }
    let (_, start) = best?;
    Some((start, window_end(text, start + max)))
}

fn window_start(text: &str, first_match: usize) -> usize {
    let lead = floor_boundary(text, first_match.saturating_sub(LEAD_CHARS));
    let before = &text[lead..first_match];
    if let Some(sentence) = before.rfind(". ") {
        return lead + sentence + 2;
    }
    if lead == 0 {
        return 0;
    }
    match before.find(' ') {
        Some(space) => lead + space + 1,
        None => first_match,
    }
}

fn window_end(text: &str, limit: usize) -> usize {
    if limit >= text.len() {
        return text.len();
    }
    let limit = floor_boundary(text, limit);
    text[..limit].rfind(' ').unwrap_or(limit)
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::query::TermQuery;
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::Term;

    fn highlighter(stems: &[&str]) -> Highlighter {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let query = tantivy::query::BooleanQuery::new(
            stems
                .iter()
                .map(|s| {
                    let q: Box<dyn Query> = Box::new(TermQuery::new(
                        Term::from_field_text(body, s),
                        IndexRecordOption::Basic,
                    ));
                    (tantivy::query::Occur::Should, q)
                })
                .collect(),
        );
        Highlighter::new(&query, body)
    }

    fn marked(parts: &[Highlighted]) -> Vec<&str> {
        parts
            .iter()
            .filter(|p| p.hit)
            .map(|p| p.text.as_str())
            .collect()
    }

    #[test]
    fn marks_every_word_with_the_same_stem_as_ranking_does() {
        // English stemming keeps "printer" apart from "print", in ranking and here.
        let mut h = highlighter(&["print"]);
        let parts = h
            .snippet("The Printer prints. Printing failed.", 200)
            .unwrap();
        assert_eq!(marked(&parts), vec!["prints", "Printing"]);
    }

    #[test]
    fn folds_accents_and_keeps_the_text_as_written() {
        let mut h = highlighter(&["cafe"]);
        let parts = h.snippet("Meet at the Café.", 200).unwrap();
        assert_eq!(marked(&parts), vec!["Café"]);
        let joined: String = parts.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(joined, "Meet at the Café.");
    }

    #[test]
    fn picks_the_passage_with_the_most_distinct_matches() {
        let mut h = highlighter(&["vpn", "error"]);
        let text = format!(
            "{} The VPN shows an error. {}",
            "VPN intro words. ".repeat(20),
            "Other words follow here. ".repeat(20)
        );
        let parts = h.snippet(&text, 80).unwrap();
        let words = marked(&parts);
        assert!(
            words.contains(&"error") && words.contains(&"VPN"),
            "{words:?}"
        );
        assert_eq!(parts[0].text, "…");
        assert_eq!(parts.last().unwrap().text, "…");
    }

    #[test]
    fn nothing_matching_gives_no_snippet() {
        let mut h = highlighter(&["vpn"]);
        assert!(h.snippet("Nothing relevant here.", 100).is_none());
    }

    #[test]
    fn multibyte_text_is_cut_on_character_boundaries() {
        let mut h = highlighter(&["wlan"]);
        let text = format!("{} WLAN {}", "ü".repeat(100), "é".repeat(300));
        let parts = h.snippet(&text, 101).unwrap();
        assert_eq!(marked(&parts), vec!["WLAN"]);
    }
}
