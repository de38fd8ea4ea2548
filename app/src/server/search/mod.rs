//! Knowledge search with tantivy.
//!
//! The index lives on disk beside the database and is derived from it: when it is
//! missing, unreadable, written by another schema version, or holds a different
//! number of articles than the database, it is deleted and rebuilt at start-up.
//! One thread owns the writer ([`writer`]); searches share one reader and take a
//! fresh searcher each, on the blocking thread pool.

mod query;
mod schema;
mod snippet;
mod writer;

pub use query::Matching;
pub use writer::IndexOp;

use crate::domain::{ArticleId, ArticleKind, Highlighted, SearchHit, SearchRequest, SearchResults};
use crate::server::store::db::Db;
use crate::server::store::knowledge;
use schema::Fields;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tantivy::collector::TopDocs;
use tantivy::query::{EnableScoring, Query};
use tantivy::schema::{TantivyDocument, Value};
use tantivy::{DocAddress, DocSet, Index, IndexReader, ReloadPolicy, Searcher, TERMINATED};
use tokio::sync::{mpsc, oneshot};

/// The file in the index folder that records which schema wrote it.
const VERSION_FILE: &str = "portal-schema-version";
/// Memory the writer may use before it flushes a segment.
const WRITER_MEMORY: usize = 32 * 1024 * 1024;
/// Characters of body text shown under each hit.
const SNIPPET_CHARS: usize = 180;
/// Articles read from the database per batch while rebuilding.
const REBUILD_BATCH: u32 = 2_000;
/// Extra hits collected beyond the limit, to order equal scores by id.
const TIE_WINDOW: usize = 10;
/// Matches are counted up to this many; beyond it the count says "more than".
const COUNT_CAP: usize = 1_000;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index files: {0}")]
    Io(#[from] std::io::Error),
    #[error("database while indexing: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the search index writer has stopped: {0}")]
    Writer(String),
    #[error("the search task failed: {0}")]
    Task(String),
}

/// A handle on the index; cheap to clone.
#[derive(Clone)]
pub struct SearchIndex {
    inner: Arc<Inner>,
}

struct Inner {
    reader: IndexReader,
    fields: Fields,
    analyzers: query::Analyzers,
    writer: mpsc::Sender<writer::Batch>,
}

impl SearchIndex {
    /// Opens the index in `dir`, rebuilding it from the database when it cannot be
    /// trusted. Returns the index and whether it was rebuilt.
    pub async fn open_or_rebuild(dir: &Path, db: &Db) -> Result<(SearchIndex, bool), SearchError> {
        query::warm_up();
        let articles = knowledge::count(&mut *db.reader.acquire().await?).await?;
        if let Some(index) = Self::open_existing(dir, articles)? {
            return Ok((index, false));
        }
        tracing::info!(dir = %dir.display(), articles, "rebuilding the search index");
        let index = Self::create_empty(dir)?;
        index.reindex_all(db).await?;
        std::fs::write(dir.join(VERSION_FILE), schema::SCHEMA_VERSION.to_string())?;
        Ok((index, true))
    }

    /// Opens the index if it is whole, of this schema version, and holds `expected`
    /// documents; `None` means it must be rebuilt.
    fn open_existing(dir: &Path, expected: u64) -> Result<Option<SearchIndex>, SearchError> {
        let version = std::fs::read_to_string(dir.join(VERSION_FILE)).ok();
        if version.as_deref().map(str::trim) != Some(&schema::SCHEMA_VERSION.to_string()) {
            return Ok(None);
        }
        let (expected_schema, fields) = schema::build();
        let opened = Index::open_in_dir(dir).and_then(|index| {
            if index.schema() != expected_schema {
                return Err(tantivy::TantivyError::SchemaError("schema differs".into()));
            }
            Self::start(index, fields)
        });
        match opened {
            Ok(index) if index.document_count() == expected => Ok(Some(index)),
            Ok(index) => {
                tracing::warn!(
                    found = index.document_count(),
                    expected,
                    "search index is out of step with the database"
                );
                Ok(None)
            }
            Err(error) => {
                tracing::warn!(%error, "search index cannot be opened");
                Ok(None)
            }
        }
    }

    fn create_empty(dir: &Path) -> Result<SearchIndex, SearchError> {
        if dir.exists() {
            std::fs::remove_dir_all(dir)?;
        }
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = schema::build();
        let index = Index::builder()
            .schema(schema)
            .settings(schema::index_settings())
            .create_in_dir(dir)?;
        Ok(Self::start(index, fields)?)
    }

    /// Creates an index in memory; for benchmarks that measure search alone.
    pub fn in_memory() -> Result<SearchIndex, SearchError> {
        let (schema, fields) = schema::build();
        let index = Index::builder()
            .schema(schema)
            .settings(schema::index_settings())
            .create_in_ram()?;
        Ok(Self::start(index, fields)?)
    }

    fn start(index: Index, fields: Fields) -> tantivy::Result<SearchIndex> {
        schema::register_analyzers(&index);
        let reader = index
            .reader_builder()
            // Commits reload the reader explicitly (see `writer`); this policy also
            // picks up the segments that background merges produce.
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        let writer = index.writer_with_num_threads(1, WRITER_MEMORY)?;
        let sender = writer::spawn(writer, reader.clone(), fields)?;
        Ok(SearchIndex {
            inner: Arc::new(Inner {
                reader,
                fields,
                analyzers: query::Analyzers::new(),
                writer: sender,
            }),
        })
    }

    /// Indexes every article of the database, in batches, committing once.
    async fn reindex_all(&self, db: &Db) -> Result<(), SearchError> {
        let mut after = ArticleId(0);
        loop {
            let docs =
                knowledge::index_docs_after(&mut *db.reader.acquire().await?, after, REBUILD_BATCH)
                    .await?;
            let Some(last) = docs.last() else { break };
            after = last.id;
            self.apply(docs.into_iter().map(IndexOp::Upsert).collect(), false)
                .await?;
        }
        self.apply(Vec::new(), true).await
    }

    /// Applies changes; with `commit` they are searchable when this returns.
    pub async fn apply(&self, ops: Vec<IndexOp>, commit: bool) -> Result<(), SearchError> {
        let (done, result) = oneshot::channel();
        self.inner
            .writer
            .send(writer::Batch { ops, commit, done })
            .await
            .map_err(|_| SearchError::Writer("channel closed".into()))?;
        result
            .await
            .map_err(|_| SearchError::Writer("no answer".into()))?
            .map_err(SearchError::Writer)
    }

    /// The number of segments searched; fewer after background merges.
    pub fn segment_count(&self) -> usize {
        self.inner.reader.searcher().segment_readers().len()
    }

    /// The number of searchable documents.
    pub fn document_count(&self) -> u64 {
        self.inner.reader.searcher().num_docs()
    }

    /// Searches on the blocking thread pool.
    pub async fn search(
        &self,
        request: SearchRequest,
        limit: usize,
    ) -> Result<SearchResults, SearchError> {
        let index = self.clone();
        tokio::task::spawn_blocking(move || index.search_now(&request, limit))
            .await
            .map_err(|e| SearchError::Task(e.to_string()))?
    }

    /// Searches on the calling thread, as users search.
    pub fn search_now(
        &self,
        request: &SearchRequest,
        limit: usize,
    ) -> Result<SearchResults, SearchError> {
        self.search_matching(request, limit, Matching::Forgiving)
    }

    /// Searches on the calling thread, reading the query as `matching` says.
    pub fn search_matching(
        &self,
        request: &SearchRequest,
        limit: usize,
        matching: Matching,
    ) -> Result<SearchResults, SearchError> {
        let inner = &*self.inner;
        let searcher = inner.reader.searcher();
        let mut analyzers = inner.analyzers.clone();
        let plan = query::plan(&searcher, &inner.fields, &mut analyzers, request, matching)?;
        let mut message = request
            .truncated
            .then(|| "Your search was long, so only its beginning was used.".to_string());
        if !plan.searchable {
            if !request.query.trim().is_empty() {
                message = Some(
                    "Nothing in that could be searched for. Try a few specific words, like “vpn error 809”."
                        .into(),
                );
            }
            return Ok(SearchResults {
                message,
                ..SearchResults::default()
            });
        }

        let limit = limit.max(1);
        // A plain top-k collector lets tantivy skip documents that cannot make the
        // top; a few more than needed are collected so that equal scores can be
        // ordered by article id, whatever the layout of the segments.
        let mut top: Vec<(f32, u64, DocAddress)> = searcher
            .search(&*plan.query, &TopDocs::with_limit(limit + TIE_WINDOW))?
            .into_iter()
            .map(|(score, address)| (score, article_id(&searcher, address), address))
            .collect();
        top.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        top.truncate(limit);
        let (total, total_capped) = count_up_to(&searcher, &*plan.query, COUNT_CAP)?;

        let mut highlighter =
            snippet::Highlighter::new(&*plan.query, inner.fields.text(request.reader));
        let hits = top
            .into_iter()
            .map(|(_, _, address)| self.hit(&searcher, &mut highlighter, address))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SearchResults {
            hits,
            total,
            total_capped,
            corrections: plan.corrections,
            message,
        })
    }

    fn hit(
        &self,
        searcher: &Searcher,
        highlighter: &mut snippet::Highlighter,
        address: DocAddress,
    ) -> Result<SearchHit, SearchError> {
        let fields = &self.inner.fields;
        let doc: TantivyDocument = searcher.doc(address)?;
        let str_of = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
        };
        let text = |field| str_of(field).to_string();
        let body = str_of(fields.body);
        let snippet = highlighter.snippet(body, SNIPPET_CHARS).unwrap_or_else(|| {
            vec![Highlighted {
                text: opening_words(body, SNIPPET_CHARS),
                hit: false,
            }]
        });
        Ok(SearchHit {
            id: ArticleId(
                doc.get_first(fields.id)
                    .and_then(|v| v.as_u64())
                    .unwrap_or_default() as i64,
            ),
            slug: text(fields.slug),
            title: text(fields.title),
            kind: ArticleKind::parse(&text(fields.kind)).unwrap_or(ArticleKind::Faq),
            service_slug: text(fields.service),
            service_name: text(fields.service_name),
            snippet,
        })
    }
}

/// The article id of a hit, from the id column (fast to read, unlike the stored document).
fn article_id(searcher: &Searcher, address: DocAddress) -> u64 {
    searcher
        .segment_reader(address.segment_ord)
        .fast_fields()
        .u64("id")
        .ok()
        .and_then(|ids| ids.first(address.doc_id))
        .unwrap_or(u64::MAX)
}

/// Counts the matches of `query`, stopping at `cap`: an exact count of a common word
/// would visit every document that has it. Returns the count and whether it stopped.
fn count_up_to(
    searcher: &Searcher,
    query: &dyn Query,
    cap: usize,
) -> tantivy::Result<(usize, bool)> {
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let mut count = 0;
    for segment in searcher.segment_readers() {
        let alive = segment.alive_bitset();
        let mut matches = weight.scorer(segment, 1.0)?;
        let mut doc = matches.doc();
        while doc != TERMINATED {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                count += 1;
                if count >= cap {
                    return Ok((count, true));
                }
            }
            doc = matches.advance();
        }
    }
    Ok((count, false))
}

/// The beginning of a text, cut at a word boundary, with an ellipsis when cut.
fn opening_words(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let cut: String = text.chars().take(max_chars).collect();
    let cut = cut.rsplit_once(' ').map(|(head, _)| head).unwrap_or(&cut);
    format!("{cut}…")
}

/// Where the index lives inside the data directory.
pub fn index_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("search-index")
}
