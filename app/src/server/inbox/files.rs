//! The files a message to the desk carries, taken in as uploads are (the same
//! checks, scanner and limits, `attachments::upload::take_in`) and recorded as
//! unclaimed attachments for the change that lands the message to claim.
//! Images embedded in an HTML body (a `Content-ID` and no `attachment`
//! disposition: logos in signatures) are not files of the ticket.

use crate::domain::{clean_file_name, size_in_words, AttachmentRules, MAX_FILES};
use crate::server::attachments::scan::Scanner;
use crate::server::attachments::upload::take_in;
use crate::server::store::attachments::{self, Files};
use crate::server::store::db::Db;
use crate::server::store::files::FileStore;
use chrono::{DateTime, Utc};
use mail_parser::{Message, MimeHeaders};

/// Why the files could not be taken in: nothing a message could change.
#[derive(Debug, thiserror::Error)]
pub enum FilesError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Storage(#[from] std::io::Error),
}

/// Where files go and what holds them: the database, the folder, the scanner.
#[derive(Clone, Copy)]
pub struct Keeping<'a> {
    pub db: &'a Db,
    pub store: &'a FileStore,
    pub scanner: Option<&'a Scanner>,
}

/// The files of `message` to attach under `rules`, and a sentence for each
/// one left out.
pub async fn files_of(
    keeping: Keeping<'_>,
    rules: AttachmentRules,
    message: &Message<'_>,
    now: DateTime<Utc>,
) -> Result<(Files, Vec<String>), FilesError> {
    let Keeping { db, store, scanner } = keeping;
    let mut files = Files {
        ids: Vec::new(),
        rules,
    };
    let mut problems = Vec::new();
    let mut total = 0u64;
    for part in message.attachments() {
        let embedded = part.content_id().is_some()
            && !part
                .content_disposition()
                .is_some_and(|d| d.ctype().eq_ignore_ascii_case("attachment"));
        if embedded {
            continue;
        }
        let name = clean_file_name(part.attachment_name().unwrap_or("attachment"));
        let bytes = part.contents();
        if files.ids.len() >= MAX_FILES {
            problems.push(format!(
                "{name} was left out: a ticket takes at most {MAX_FILES} files from one message."
            ));
            continue;
        }
        if total + bytes.len() as u64 > rules.per_ticket {
            problems.push(format!(
                "{name} was left out: the files together would be larger than {}.",
                size_in_words(rules.per_ticket)
            ));
            continue;
        }
        let mut incoming = store.receive().await?;
        incoming.write(bytes).await?;
        let received = incoming.finish().await?;
        match take_in(store, scanner, received, &name, rules).await? {
            Ok(file) => {
                total += file.size;
                // One transaction, so that tidying never sees the stored file
                // without the attachment that names it.
                let mut tx = db.writer.begin().await?;
                let view = attachments::record_unclaimed(&mut tx, &file, now).await?;
                tx.commit().await?;
                files.ids.push(view.id);
            }
            Err(problem) => problems.push(problem),
        }
    }
    Ok((files, problems))
}
