//! Search latency benchmark: `cargo bench -p server --bench search [-- SIZES...]`.
//!
//! Builds an in-memory index of generated articles (help-desk sentences from the
//! demo content, and words drawn with Zipf's law from the demo vocabulary plus
//! 50,000 invented product and place names, so that the term dictionary is as big
//! and term frequencies fall off as in a large real knowledge base), then
//! times 1,000 real-looking queries one by one: plain words, words being typed,
//! misspelt words and natural-language questions. Reports p50/p99 per query with
//! typo tolerance and prefix completion (what users get) and without (plain BM25),
//! and the throughput of two threads.
//!
//! This is a measurement, not a test: it asserts nothing about time.

// The portal's views are deep types: rendering them needs more than the default.
#![recursion_limit = "256"]

use app::domain::{ArticleId, ArticleKind, SearchRequest};
use app::server::markdown::to_plain_text;
use app::server::search::{IndexOp, Matching, SearchIndex};
use app::server::store::knowledge::{DraftContent, IndexDoc};
use std::time::{Duration, Instant};

/// The server's allocator (`server/src/main.rs`), so the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A small deterministic generator (xorshift), so every run indexes the same text.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

struct Corpus {
    sentences: Vec<String>,
    titles: Vec<String>,
    services: Vec<(String, String)>,
    /// Words ranked by frequency: the demo content's own words first (most frequent
    /// first), then invented product, place and system names.
    vocabulary: Vec<String>,
    /// Cumulative Zipf weights over `vocabulary`, for sampling.
    cumulative: Vec<f64>,
    natural: Vec<String>,
}

fn corpus() -> Corpus {
    let drafts = app::server::demo::articles().expect("demo content");
    let mut sentences = Vec::new();
    let mut titles = Vec::new();
    let mut services = Vec::new();
    for d in &drafts {
        titles.push(d.title.clone());
        if !services.iter().any(|(s, _)| s == &d.service_slug) {
            services.push((d.service_slug.clone(), d.service_slug.replace('-', " ")));
        }
        let text = match &d.content {
            DraftContent::Faq { answer_md } => to_plain_text(answer_md),
            DraftContent::KnownError {
                symptoms_md,
                workaround_md,
                ..
            } => format!(
                "{} {}",
                to_plain_text(symptoms_md),
                to_plain_text(workaround_md)
            ),
        };
        sentences.extend(
            text.split_inclusive(". ")
                .map(str::trim)
                .filter(|s| s.len() > 20)
                .map(String::from),
        );
    }
    let mut counts: std::collections::HashMap<String, usize> = Default::default();
    for word in sentences
        .iter()
        .flat_map(|s| s.split(|c: char| !c.is_alphanumeric()))
    {
        if word.len() > 1 {
            *counts.entry(word.to_lowercase()).or_default() += 1;
        }
    }
    let mut vocabulary: Vec<(String, usize)> = counts.into_iter().collect();
    vocabulary.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut vocabulary: Vec<String> = vocabulary.into_iter().map(|(w, _)| w).collect();
    // Invented names: products, sites, error codes. A real knowledge base has tens
    // of thousands of such words, which is what makes typo correction costly.
    let syllables = [
        "ka", "lo", "mi", "ter", "van", "sol", "dex", "ra", "pin", "gor", "lu", "ne", "bar", "tek",
        "zi", "mon", "qua", "fel", "dor", "ix", "ca", "ven", "tra", "lis",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    vocabulary.extend((0..50_000).map(|_| {
        let n = 2 + rng.below(3);
        (0..n)
            .map(|_| syllables[rng.below(syllables.len())])
            .collect::<String>()
    }));
    let mut total = 0.0;
    let cumulative = (1..=vocabulary.len())
        .map(|rank| {
            total += 1.0 / rank as f64;
            total
        })
        .collect();
    #[derive(serde::Deserialize)]
    struct Probes {
        natural: Vec<Probe>,
    }
    #[derive(serde::Deserialize)]
    struct Probe {
        query: String,
    }
    let probes: Probes =
        toml::from_str(include_str!("../../app/src/server/demo/queries.toml")).expect("probes");
    Corpus {
        sentences,
        titles,
        services,
        vocabulary,
        cumulative,
        natural: probes.natural.into_iter().map(|p| p.query).collect(),
    }
}

impl Corpus {
    /// A word drawn with Zipf's law, as words occur in real text.
    fn word(&self, rng: &mut Rng) -> &str {
        let total = *self.cumulative.last().expect("a vocabulary");
        let target = (rng.next() as f64 / u64::MAX as f64) * total;
        let at = self.cumulative.partition_point(|&c| c < target);
        &self.vocabulary[at.min(self.vocabulary.len() - 1)]
    }
}

/// Articles of about 100–200 words: one or two real help-desk sentences, and words
/// drawn from the whole vocabulary with Zipf's law, so that term frequencies fall
/// off as they do in a large, varied knowledge base.
fn generate(corpus: &Corpus, n: usize, rng: &mut Rng) -> Vec<IndexDoc> {
    (0..n)
        .map(|i| {
            let title = format!(
                "{} ({} {})",
                corpus.titles[rng.below(corpus.titles.len())].trim_end_matches('?'),
                corpus.word(rng),
                corpus.word(rng)
            );
            let mut body = String::new();
            for _ in 0..(1 + rng.below(2)) {
                body.push_str(&corpus.sentences[rng.below(corpus.sentences.len())]);
                body.push(' ');
            }
            for w in 0..(60 + rng.below(100)) {
                body.push_str(corpus.word(rng));
                body.push_str(if w % 12 == 11 { ". " } else { " " });
            }
            let (service_slug, service_name) =
                corpus.services[rng.below(corpus.services.len())].clone();
            IndexDoc {
                id: ArticleId(i as i64 + 1),
                slug: format!("article-{i}"),
                kind: if rng.chance(25) {
                    ArticleKind::KnownError
                } else {
                    ArticleKind::Faq
                },
                title,
                service_slug,
                service_name,
                keywords: format!("{} {}", corpus.word(rng), corpus.word(rng)),
                body,
                visibility: Default::default(),
            }
        })
        .collect()
}

fn misspell(word: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    let at = rng.below(chars.len().max(2) - 1);
    match rng.below(4) {
        0 => {
            chars.remove(at);
        }
        1 => chars.insert(at, 'e'),
        2 => chars[at] = if chars[at] == 'a' { 'o' } else { 'a' },
        _ => chars.swap(at, at + 1),
    }
    chars.into_iter().collect()
}

fn queries(corpus: &Corpus, docs: &[IndexDoc], rng: &mut Rng) -> Vec<String> {
    (0..1_000)
        .map(|i| {
            if i % 5 == 4 {
                return corpus.natural[rng.below(corpus.natural.len())].clone();
            }
            let title = &docs[rng.below(docs.len())].title;
            let words: Vec<String> = title
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.len() > 2)
                .map(str::to_lowercase)
                .collect();
            let take = 1 + rng.below(words.len().clamp(1, 4));
            let start = rng.below(words.len().saturating_sub(take) + 1);
            let mut picked: Vec<String> = words.iter().skip(start).take(take).cloned().collect();
            match i % 5 {
                // Still typing: the last word is cut short.
                1 => {
                    if let Some(last) = picked.last_mut() {
                        let keep = 2 + rng.below(last.len().saturating_sub(2).max(1));
                        *last = last.chars().take(keep).collect();
                    }
                    return picked.join(" ");
                }
                // A typo in the longest word.
                2 => {
                    if let Some(longest) = picked.iter_mut().max_by_key(|w| w.len()) {
                        if longest.len() >= 5 {
                            *longest = misspell(longest, rng);
                        }
                    }
                }
                _ => {}
            }
            format!("{} ", picked.join(" "))
        })
        .collect()
}

struct Timing {
    p50: Duration,
    p99: Duration,
    max: Duration,
    per_second_one_thread: f64,
}

fn time_queries(index: &SearchIndex, queries: &[SearchRequest], matching: Matching) -> Timing {
    for q in queries {
        index
            .search_matching(q, 10, matching)
            .expect("warm-up search");
    }
    let mut times: Vec<Duration> = queries
        .iter()
        .map(|q| {
            let start = Instant::now();
            let results = index.search_matching(q, 10, matching).expect("search");
            std::hint::black_box(results);
            start.elapsed()
        })
        .collect();
    let total: Duration = times.iter().sum();
    times.sort();
    let at = |p: f64| times[((times.len() as f64 * p).ceil() as usize).min(times.len()) - 1];
    Timing {
        p50: at(0.50),
        p99: at(0.99),
        max: *times.last().expect("some times"),
        per_second_one_thread: times.len() as f64 / total.as_secs_f64(),
    }
}

fn two_thread_throughput(index: &SearchIndex, queries: &[SearchRequest]) -> f64 {
    let rounds = 3;
    let start = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..2 {
            scope.spawn(move || {
                for _ in 0..rounds {
                    for q in queries.iter().skip(t).step_by(2) {
                        std::hint::black_box(index.search_now(q, 10).expect("search"));
                    }
                }
            });
        }
    });
    (queries.len() * rounds) as f64 / start.elapsed().as_secs_f64()
}

fn micros(d: Duration) -> String {
    format!("{:.0} µs", d.as_secs_f64() * 1e6)
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![10_000, 100_000]
    } else {
        sizes
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let corpus = corpus();
    println!("| articles | index build | segments | matching | p50 | p99 | max | queries/s, 1 thread | queries/s, 2 threads |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for size in sizes {
        let mut rng = Rng(42 + size as u64);
        let docs = generate(&corpus, size, &mut rng);
        let queries: Vec<SearchRequest> = queries(&corpus, &docs, &mut rng)
            .iter()
            .map(|q| SearchRequest::new(q, None, None))
            .collect();
        let index = SearchIndex::in_memory().expect("index");
        let start = Instant::now();
        runtime.block_on(async {
            for chunk in docs.chunks(5_000) {
                index
                    .apply(chunk.iter().cloned().map(IndexOp::Upsert).collect(), false)
                    .await
                    .expect("indexing");
            }
            index.apply(Vec::new(), true).await.expect("commit");
        });
        let build = start.elapsed();
        // Let background merges finish, as they would on a running server, so that
        // the timings are of the settled index, not of merges competing for the CPU.
        let mut segments = (index.segment_count(), Instant::now());
        while segments.1.elapsed() < Duration::from_secs(3) {
            std::thread::sleep(Duration::from_millis(200));
            if index.segment_count() != segments.0 {
                segments = (index.segment_count(), Instant::now());
            }
        }
        let two_threads = two_thread_throughput(&index, &queries);
        for (label, matching) in [
            ("typos + prefix (users)", Matching::Forgiving),
            ("plain BM25", Matching::Exact),
        ] {
            let t = time_queries(&index, &queries, matching);
            println!(
                "| {size} | {:.1} s | {} | {label} | {} | {} | {} | {:.0} | {} |",
                build.as_secs_f64(),
                index.segment_count(),
                micros(t.p50),
                micros(t.p99),
                micros(t.max),
                t.per_second_one_thread,
                if matching == Matching::Forgiving {
                    format!("{two_threads:.0}")
                } else {
                    "–".into()
                }
            );
        }
    }
}
