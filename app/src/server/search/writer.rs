//! The index's one writer, owned by one thread that takes its work from a channel.

use super::schema::{Fields, KEYWORDS_WEIGHT, TITLE_WEIGHT};
use crate::domain::{ArticleId, ArticleVisibility};
use crate::server::store::knowledge::IndexDoc;
use tantivy::schema::TantivyDocument;
use tantivy::{IndexReader, IndexWriter, Term};
use tokio::sync::{mpsc, oneshot};

/// A change to the index, derived from a change to the database.
#[derive(Clone, Debug)]
pub enum IndexOp {
    /// Adds the article, replacing any earlier version of it.
    Upsert(IndexDoc),
    Delete(ArticleId),
}

pub(super) struct Batch {
    pub ops: Vec<IndexOp>,
    /// Commit (and make searchable) after this batch; large rebuilds commit once.
    pub commit: bool,
    pub done: oneshot::Sender<Result<(), String>>,
}

/// Starts the writer thread. It stops when every sender is dropped.
pub(super) fn spawn(
    mut writer: IndexWriter,
    reader: IndexReader,
    fields: Fields,
) -> std::io::Result<mpsc::Sender<Batch>> {
    let (tx, mut rx) = mpsc::channel::<Batch>(64);
    std::thread::Builder::new()
        .name("search-writer".into())
        .spawn(move || {
            while let Some(batch) = rx.blocking_recv() {
                let result = apply(&mut writer, &reader, &fields, batch.ops, batch.commit)
                    .map_err(|e| e.to_string());
                if let Err(error) = &result {
                    tracing::error!(%error, "search index update failed");
                }
                let _ = batch.done.send(result);
            }
            if let Err(error) = writer.wait_merging_threads() {
                tracing::warn!(%error, "search index merge did not finish");
            }
        })?;
    Ok(tx)
}

fn apply(
    writer: &mut IndexWriter,
    reader: &IndexReader,
    fields: &Fields,
    ops: Vec<IndexOp>,
    commit: bool,
) -> tantivy::Result<()> {
    for op in ops {
        match op {
            IndexOp::Upsert(doc) => {
                writer.delete_term(Term::from_field_u64(fields.id, doc.id.0 as u64));
                writer.add_document(to_document(fields, doc))?;
            }
            IndexOp::Delete(id) => {
                writer.delete_term(Term::from_field_u64(fields.id, id.0 as u64));
            }
        }
    }
    if commit {
        writer.commit()?;
        reader.reload()?;
    }
    Ok(())
}

fn to_document(fields: &Fields, doc: IndexDoc) -> TantivyDocument {
    let mut d = TantivyDocument::default();
    d.add_u64(fields.id, doc.id.0 as u64);
    d.add_text(fields.slug, &doc.slug);
    d.add_text(fields.kind, doc.kind.as_str());
    d.add_text(fields.service, &doc.service_slug);
    d.add_text(fields.service_name, &doc.service_name);
    let readers = ArticleVisibility::ALL
        .into_iter()
        .filter(|reader| doc.visibility.readable_at(*reader));
    for reader in readers {
        d.add_text(fields.readers, reader.as_str());
        for (text, times) in [
            (&doc.title, TITLE_WEIGHT),
            (&doc.keywords, KEYWORDS_WEIGHT),
            (&doc.body, 1),
        ] {
            d.add_text(fields.words(reader), text);
            for _ in 0..times {
                d.add_text(fields.text(reader), text);
            }
        }
    }
    d.add_text(fields.title, doc.title);
    d.add_text(fields.body, doc.body);
    d
}
