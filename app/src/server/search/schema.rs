//! The shape of the search index and how its text is analysed.

use crate::domain::ArticleVisibility;
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer,
};
use tantivy::{Index, IndexSettings};

/// Bumped whenever the schema or the analysis changes; an index written with another
/// version is rebuilt from the database at start-up.
pub const SCHEMA_VERSION: u32 = 4;

/// Words longer than this are not indexed (nobody types them; they are noise).
const LONGEST_WORD: usize = 40;

/// Analysis for ranking: words, lower-cased, accents folded, English stop words
/// removed and stemmed, so "printers" finds "printer".
pub const STEMMED: &str = "portal_stemmed";
/// Analysis for the vocabulary used to correct typos and complete prefixes: the same
/// words without stemming, so that what users type can be compared letter by letter.
pub const WORDS: &str = "portal_words";

/// How many times the title is written into the ranked text: a title match counts
/// about this much more than a body match.
pub const TITLE_WEIGHT: usize = 3;
/// How many times the keywords are written into the ranked text.
pub const KEYWORDS_WEIGHT: usize = 2;

/// The fields of the index.
///
/// The ranked text and the vocabulary are written once per reading level (public,
/// signed-in, agents), each holding only the articles readable at that level. A
/// search reads the fields of its reader's level only, so an article its reader may
/// not read can neither match nor lend its words to a correction or a completion,
/// and the query stays a flat disjunction with no filter.
///
/// Ranking uses one field per level, `text_*`, in which the title and keywords are repeated to
/// weigh more than the body. One field keeps every query a flat disjunction of term
/// queries, which tantivy answers with block-max WAND, skipping the documents that
/// cannot reach the top; boosting separate fields would wrap the terms and make it
/// score every match.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    pub id: Field,
    pub slug: Field,
    pub kind: Field,
    pub service: Field,
    pub service_name: Field,
    /// Stored for display.
    pub title: Field,
    /// Stored for snippets.
    pub body: Field,
    /// Ranked, per reading level: title × [`TITLE_WEIGHT`], keywords ×
    /// [`KEYWORDS_WEIGHT`], body.
    text: [Field; 3],
    /// Every word of title, keywords and body, unstemmed, per reading level; indexed
    /// for its term dictionary only.
    words: [Field; 3],
    /// The reading levels an article is readable at; filters searches without text.
    pub readers: Field,
}

impl Fields {
    pub fn text(&self, reader: ArticleVisibility) -> Field {
        self.text[level(reader)]
    }

    pub fn words(&self, reader: ArticleVisibility) -> Field {
        self.words[level(reader)]
    }
}

fn level(reader: ArticleVisibility) -> usize {
    match reader {
        ArticleVisibility::Public => 0,
        ArticleVisibility::SignedIn => 1,
        ArticleVisibility::Agents => 2,
    }
}

pub fn build() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let fields = Fields {
        id: builder.add_u64_field("id", INDEXED | FAST | STORED),
        slug: builder.add_text_field("slug", STORED),
        kind: builder.add_text_field("kind", STRING | STORED),
        service: builder.add_text_field("service", STRING | STORED),
        service_name: builder.add_text_field("service_name", STORED),
        title: builder.add_text_field("title", STORED),
        body: builder.add_text_field("body", STORED),
        text: ArticleVisibility::ALL.map(|reader| {
            builder.add_text_field(
                &format!("text_{}", reader.as_str()),
                TextOptions::default().set_indexing_options(
                    TextFieldIndexing::default()
                        .set_tokenizer(STEMMED)
                        .set_index_option(IndexRecordOption::WithFreqs),
                ),
            )
        }),
        words: ArticleVisibility::ALL.map(|reader| {
            builder.add_text_field(
                &format!("words_{}", reader.as_str()),
                TextOptions::default().set_indexing_options(
                    TextFieldIndexing::default()
                        .set_tokenizer(WORDS)
                        .set_index_option(IndexRecordOption::Basic),
                ),
            )
        }),
        readers: builder.add_text_field("readers", STRING),
    };
    (builder.build(), fields)
}

/// Stored documents are read for every hit shown (title, body for the snippet), so
/// they are kept in small blocks: fetching one decompresses 4 KiB, not 16 KiB.
pub fn index_settings() -> IndexSettings {
    IndexSettings {
        docstore_blocksize: 4_096,
        ..IndexSettings::default()
    }
}

/// The vocabulary analyser: the words as typed, lower-cased and folded.
pub fn words_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_WORD))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Words that carry no meaning in a help-desk question: the usual English stop words
/// and the question words people type ("how do i …", "why can't my …"). Left in,
/// they match nearly every article and only add noise and work.
const STOP_WORDS: &[&str] = &[
    "a", "am", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by", "can", "could",
    "did", "do", "does", "for", "from", "had", "has", "have", "how", "i", "if", "in", "into", "is",
    "it", "its", "me", "my", "no", "not", "of", "on", "or", "our", "please", "should", "so",
    "such", "t", "that", "the", "their", "then", "there", "these", "they", "this", "to", "us",
    "was", "we", "what", "when", "where", "which", "who", "why", "will", "with", "would", "you",
    "your",
];

/// The ranking analyser: the vocabulary analyser plus stop words and stemming.
pub fn stemmed_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_WORD))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(StopWordFilter::remove(
            STOP_WORDS.iter().map(|w| w.to_string()),
        ))
        .filter(Stemmer::new(Language::English))
        .build()
}

/// Registers the analysers on an index; needed after every open.
pub fn register_analyzers(index: &Index) {
    index.tokenizers().register(STEMMED, stemmed_analyzer());
    index.tokenizers().register(WORDS, words_analyzer());
}

/// Splits text with an analyser, returning each token and where it ends in `text`.
pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        let token = stream.token();
        out.push((token.text.clone(), token.offset_to));
    }
    out
}
