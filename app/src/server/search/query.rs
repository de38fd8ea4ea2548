//! Turns what a user typed into a tantivy query.
//!
//! The query is built here, word by word, never by a query parser, so no input can
//! fail to parse. Each word becomes the best available term:
//!
//! - a word the index knows is searched as typed (stemmed, ranked by BM25);
//! - the last word, while it is still being typed, also stands for the most common
//!   words it begins ("passw" → "password");
//! - a word of 4 or more letters that the index does not know is corrected against
//!   the index's own vocabulary (one edit, two from 9 letters), and the corrected
//!   words are searched and ranked by BM25 like any other.
//!
//! Correcting against the vocabulary first keeps typo tolerance close to the cost of
//! a plain query, where a fuzzy query per word would cost twenty times more and give
//! every fuzzy match the same score.

use super::schema::{self, Fields};
use levenshtein_automata::{Distance, LevenshteinAutomatonBuilder, DFA};
use std::collections::HashMap;
use std::sync::OnceLock;
use tantivy::postings::TermInfo;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocSet, InvertedIndexReader, Searcher, SegmentReader, Term};

use crate::domain::{SearchRequest, MAX_QUERY_WORDS};

/// How many completions of the last word are searched.
const PREFIX_EXPANSIONS: usize = 5;
/// Shortest prefix that is completed: two letters begin too many words to be a
/// useful (or cheap) search.
const MIN_PREFIX_CHARS: usize = 3;
/// How many vocabulary words are looked at for one prefix, at most (per segment):
/// bounds the work for a two-letter prefix in a large vocabulary.
const PREFIX_SCAN_LIMIT: usize = 1_024;
/// How many corrections of one misspelt word are searched.
const CORRECTIONS_PER_WORD: usize = 3;

/// The query to run, and what the user should be told about how it was read.
pub struct Plan {
    pub query: Box<dyn Query>,
    /// (typed, searched for) for every corrected word.
    pub corrections: Vec<(String, String)>,
    /// False when nothing of the text could be searched (only stop words, say) and no
    /// filter was given either.
    pub searchable: bool,
}

/// The analysers a planner needs; cloned per search (they are cheap to clone).
#[derive(Clone)]
pub struct Analyzers {
    pub words: TextAnalyzer,
    pub stemmed: TextAnalyzer,
}

impl Analyzers {
    pub fn new() -> Self {
        Analyzers {
            words: schema::words_analyzer(),
            stemmed: schema::stemmed_analyzer(),
        }
    }
}

impl Default for Analyzers {
    fn default() -> Self {
        Self::new()
    }
}

/// How forgiving the reading of a query is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Matching {
    /// Words as typed, nothing more: the plain BM25 query (for benchmarks).
    Exact,
    /// Typo correction and completion of the last word, as users get.
    Forgiving,
}

/// Builds the query for a request against the current searcher.
pub fn plan(
    searcher: &Searcher,
    fields: &Fields,
    analyzers: &mut Analyzers,
    request: &SearchRequest,
    matching: Matching,
) -> tantivy::Result<Plan> {
    let text = request.query.as_str();
    let typed = schema::tokens(&mut analyzers.words, text);
    let still_typing = !text.ends_with(char::is_whitespace);
    let word_count = typed.len().min(MAX_QUERY_WORDS);

    // All terms of all words in one flat disjunction: see `schema::Fields`.
    let mut term_clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    let mut corrections = Vec::new();
    for (position, (word, ends_at)) in typed.iter().take(word_count).enumerate() {
        let is_last = position + 1 == word_count;
        let prefix = is_last && still_typing && *ends_at == text.trim_end().len();
        let choice = match matching {
            Matching::Forgiving => {
                choose_terms(searcher, fields.words(request.reader), word, prefix)?
            }
            Matching::Exact => TermChoice {
                terms: vec![word.clone()],
                correction: None,
            },
        };
        if let Some(corrected) = choice.correction {
            corrections.push((word.clone(), corrected));
        }
        for raw in choice.terms {
            for (stem, _) in schema::tokens(&mut analyzers.stemmed, &raw) {
                if !seen.contains(&stem) {
                    term_clauses.push((
                        Occur::Should,
                        Box::new(TermQuery::new(
                            Term::from_field_text(fields.text(request.reader), &stem),
                            IndexRecordOption::WithFreqs,
                        )),
                    ));
                    seen.push(stem);
                }
            }
        }
    }

    let has_text = !term_clauses.is_empty();
    let text_query: Box<dyn Query> = Box::new(BooleanQuery::new(term_clauses));
    if has_text && request.kind.is_none() && request.service.is_none() {
        return Ok(Plan {
            query: text_query,
            corrections,
            searchable: true,
        });
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if has_text {
        clauses.push((Occur::Must, text_query));
    }
    if let Some(kind) = request.kind {
        clauses.push((Occur::Must, filter(fields.kind, kind.as_str())));
    }
    if let Some(service) = &request.service {
        clauses.push((Occur::Must, filter(fields.service, service)));
    }
    let searchable = !clauses.is_empty();
    if !has_text {
        // Without words, the reader's level must filter what the text field would.
        clauses.push((Occur::Must, filter(fields.readers, request.reader.as_str())));
    }
    Ok(Plan {
        query: Box::new(BooleanQuery::new(clauses)),
        corrections,
        searchable,
    })
}

/// A filter that restricts the results without changing their ranking.
fn filter(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(
        Box::new(TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        )),
        0.0,
    ))
}

struct TermChoice {
    /// Unstemmed vocabulary words to search for.
    terms: Vec<String>,
    /// The word searched instead of a misspelt one.
    correction: Option<String>,
}

/// The terms to search for one typed word, from the vocabulary field `words`.
fn choose_terms(
    searcher: &Searcher,
    words: Field,
    word: &str,
    prefix: bool,
) -> tantivy::Result<TermChoice> {
    let known = live_doc_freq(searcher, &Term::from_field_text(words, word))? > 0;
    let mut terms = Vec::new();
    if known {
        terms.push(word.to_string());
    }
    if prefix && word.chars().count() >= MIN_PREFIX_CHARS {
        for completion in completions(searcher, words, word)? {
            if !terms.contains(&completion) {
                terms.push(completion);
            }
        }
    }
    if !terms.is_empty() {
        return Ok(TermChoice {
            terms,
            correction: None,
        });
    }
    let letters = word.chars().count();
    let allowed_edits = match letters {
        // "eror" is a common typo of a common word; three letters are too few to
        // tell a typo from another word ("vnp" → "vpn" or "van"?).
        0..=3 => 0,
        4..=8 => 1,
        _ => 2,
    };
    if allowed_edits > 0 && word.chars().all(char::is_alphabetic) {
        let corrected = corrections(searcher, words, word, allowed_edits)?;
        if let Some(best) = corrected.first() {
            return Ok(TermChoice {
                correction: Some(best.clone()),
                terms: corrected,
            });
        }
    }
    // Unknown and uncorrectable: searched anyway, so that the answer is an honest
    // "nothing found" rather than results for the other words only.
    Ok(TermChoice {
        terms: vec![word.to_string()],
        correction: None,
    })
}

/// How many live documents hold a term in one segment.
///
/// A segment's term dictionary and its document frequencies still count the
/// documents deleted from it (an article archived, restricted or edited) until
/// the segment is merged away. A word that only such a document holds must be
/// neither offered nor counted, or a reader would be told a word of an article
/// they may not read; so where a segment has deletions, the postings are walked
/// and only live documents counted.
fn live_count(
    segment: &SegmentReader,
    index: &InvertedIndexReader,
    info: &TermInfo,
) -> tantivy::Result<u64> {
    let Some(alive) = segment.alive_bitset() else {
        return Ok(u64::from(info.doc_freq));
    };
    let mut postings = index.read_postings_from_terminfo(info, IndexRecordOption::Basic)?;
    Ok(u64::from(postings.count(alive)))
}

/// How many live documents hold `term`, across segments.
fn live_doc_freq(searcher: &Searcher, term: &Term) -> tantivy::Result<u64> {
    let mut total = 0;
    for segment in searcher.segment_readers() {
        let index = segment.inverted_index(term.field())?;
        if let Some(info) = index.get_term_info(term)? {
            total += live_count(segment, &index, &info)?;
        }
    }
    Ok(total)
}

/// The most frequent vocabulary words that begin with `prefix`.
fn completions(searcher: &Searcher, field: Field, prefix: &str) -> tantivy::Result<Vec<String>> {
    let mut found: HashMap<Vec<u8>, u64> = HashMap::new();
    for segment in searcher.segment_readers() {
        let index = segment.inverted_index(field)?;
        let mut stream = index.terms().range().ge(prefix.as_bytes()).into_stream()?;
        let mut scanned = 0;
        while stream.advance() && scanned < PREFIX_SCAN_LIMIT {
            let key = stream.key();
            if !key.starts_with(prefix.as_bytes()) {
                break;
            }
            let live = live_count(segment, &index, stream.value())?;
            *found.entry(key.to_vec()).or_default() += live;
            scanned += 1;
        }
    }
    Ok(best_by_frequency(
        found
            .into_iter()
            .filter(|(_, df)| *df > 0)
            .map(|(k, df)| (k, 0, df)),
        PREFIX_EXPANSIONS,
    ))
}

/// The vocabulary words within `edits` of `word`, closest first, then most frequent.
fn corrections(
    searcher: &Searcher,
    field: Field,
    word: &str,
    edits: u8,
) -> tantivy::Result<Vec<String>> {
    let dfa = automaton_builder(edits).build_dfa(word);
    let mut found: HashMap<Vec<u8>, (u8, u64)> = HashMap::new();
    for segment in searcher.segment_readers() {
        let index = segment.inverted_index(field)?;
        let mut stream = index.terms().search(Automaton(&dfa)).into_stream()?;
        while stream.advance() {
            if let Distance::Exact(distance) = dfa.eval(stream.key()) {
                let live = live_count(segment, &index, stream.value())?;
                let entry = found.entry(stream.key().to_vec()).or_insert((distance, 0));
                entry.1 += live;
            }
        }
    }
    Ok(best_by_frequency(
        found
            .into_iter()
            .filter(|(_, (_, df))| *df > 0)
            .map(|(k, (d, df))| (k, d, df)),
        CORRECTIONS_PER_WORD,
    ))
}

/// Sorts (word, distance, document frequency) by distance, then frequency, then the
/// word itself (so that equal candidates come out in a stable order), and keeps `n`.
fn best_by_frequency(
    candidates: impl Iterator<Item = (Vec<u8>, u8, u64)>,
    n: usize,
) -> Vec<String> {
    let mut all: Vec<(Vec<u8>, u8, u64)> = candidates.collect();
    all.sort_by(|a, b| a.1.cmp(&b.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
    all.into_iter()
        .take(n)
        .filter_map(|(k, _, _)| String::from_utf8(k).ok())
        .collect()
}

/// Levenshtein automaton builders are costly to make (tens of milliseconds for two
/// edits) and immutable, so each is made once per process.
fn automaton_builder(edits: u8) -> &'static LevenshteinAutomatonBuilder {
    static BUILDERS: [OnceLock<LevenshteinAutomatonBuilder>; 3] =
        [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let edits = edits.min(2);
    // Transpositions count as one edit: "recieve" is one typo, not two.
    BUILDERS[edits as usize].get_or_init(|| LevenshteinAutomatonBuilder::new(edits, true))
}

/// Builds the automaton builders ahead of the first search that needs them.
pub fn warm_up() {
    automaton_builder(1);
    automaton_builder(2);
}

/// A Levenshtein automaton, walked over the term dictionary's FST.
struct Automaton<'a>(&'a DFA);

impl tantivy_fst::Automaton for Automaton<'_> {
    type State = u32;

    fn start(&self) -> u32 {
        self.0.initial_state()
    }

    fn is_match(&self, state: &u32) -> bool {
        matches!(self.0.distance(*state), Distance::Exact(_))
    }

    fn can_match(&self, state: &u32) -> bool {
        *state != levenshtein_automata::SINK_STATE
    }

    fn accept(&self, state: &u32, byte: u8) -> u32 {
        self.0.transition(*state, byte)
    }
}
