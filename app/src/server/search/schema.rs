//! The shape of the search index and how its text is analysed.

use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer,
};
use tantivy::Index;

/// Bumped whenever the schema or the analysis changes; an index written with another
/// version is rebuilt from the database at start-up.
pub const SCHEMA_VERSION: u32 = 1;

/// Words longer than this are not indexed (nobody types them; they are noise).
const LONGEST_WORD: usize = 40;

/// Analysis for ranking: words, lower-cased, accents folded, English stop words
/// removed and stemmed, so "printers" finds "printer".
pub const STEMMED: &str = "portal_stemmed";
/// Analysis for the vocabulary used to correct typos and complete prefixes: the same
/// words without stemming, so that what users type can be compared letter by letter.
pub const WORDS: &str = "portal_words";

/// The fields of the index.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    pub id: Field,
    pub slug: Field,
    pub kind: Field,
    pub service: Field,
    pub service_name: Field,
    pub title: Field,
    pub keywords: Field,
    pub body: Field,
    /// Every word of title, keywords and body, unstemmed; indexed for its term
    /// dictionary only.
    pub words: Field,
}

pub fn build() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let ranked = |stored: bool| {
        let options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(STEMMED)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        if stored {
            options.set_stored()
        } else {
            options
        }
    };
    let fields = Fields {
        id: builder.add_u64_field("id", INDEXED | FAST | STORED),
        slug: builder.add_text_field("slug", STORED),
        kind: builder.add_text_field("kind", STRING | STORED),
        service: builder.add_text_field("service", STRING | STORED),
        service_name: builder.add_text_field("service_name", STORED),
        title: builder.add_text_field("title", ranked(true)),
        keywords: builder.add_text_field("keywords", ranked(false)),
        body: builder.add_text_field("body", ranked(true)),
        words: builder.add_text_field(
            "words",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(WORDS)
                    .set_index_option(IndexRecordOption::Basic),
            ),
        ),
    };
    (builder.build(), fields)
}

/// The vocabulary analyser: the words as typed, lower-cased and folded.
pub fn words_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_WORD))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// The ranking analyser: the vocabulary analyser plus stop words and stemming.
pub fn stemmed_analyzer() -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_WORD))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter);
    match StopWordFilter::new(Language::English) {
        Some(stop_words) => builder
            .filter(stop_words)
            .filter(Stemmer::new(Language::English))
            .build(),
        None => builder.filter(Stemmer::new(Language::English)).build(),
    }
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
