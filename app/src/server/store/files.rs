//! The bytes of attached files, in the data folder beside the database.
//!
//! A file is named by the SHA-256 of its content (`files/ab/ab12…`), so the same
//! content is kept once however often it is attached, and a name can never be
//! chosen by a client. Every file arrives under a temporary name in `files/tmp`,
//! is fsynced, and is renamed into place (and the folder fsynced) before the
//! database row that names it commits: nothing acknowledged is ever lost, and an
//! upload cut off half-way leaves only a temporary file, which [`FileStore::sweep`]
//! removes at the next start together with any file no row names.

use crate::server::secrets::hex;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

/// How many of a file's first bytes are kept to tell its type.
const HEAD_BYTES: usize = 8192;

/// The folder of attached files.
#[derive(Clone, Debug)]
pub struct FileStore {
    root: PathBuf,
}

/// A content hash, as lowercase hex: what a stored file is named by.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ContentHash(String);

impl ContentHash {
    /// A hash as stored in the database, if it is one.
    pub fn parse(hex: &str) -> Option<ContentHash> {
        (hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .then(|| ContentHash(hex.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FileStore {
    /// The store in `data_dir/files`, created when missing.
    pub fn open(data_dir: &Path) -> io::Result<FileStore> {
        let root = data_dir.join("files");
        std::fs::create_dir_all(root.join("tmp"))?;
        Ok(FileStore { root })
    }

    /// Where the content with this hash is.
    pub fn path(&self, hash: &ContentHash) -> PathBuf {
        self.root.join(&hash.0[..2]).join(&hash.0)
    }

    /// Where the thumbnail of the image with this hash is.
    pub fn thumbnail_path(&self, hash: &ContentHash) -> PathBuf {
        self.root
            .join(&hash.0[..2])
            .join(format!("{}.thumb.jpg", hash.0))
    }

    /// A new temporary file to receive an upload into.
    pub async fn receive(&self) -> io::Result<Incoming> {
        let path = self.temporary()?;
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await?;
        Ok(Incoming {
            file,
            temp: Temporary(path),
            hasher: Sha256::new(),
            size: 0,
            head: Vec::with_capacity(HEAD_BYTES),
        })
    }

    /// A fresh name in `files/tmp`.
    pub fn temporary(&self) -> io::Result<PathBuf> {
        let name = random_hex().map_err(io::Error::other)?;
        Ok(self.root.join("tmp").join(name))
    }

    /// Moves a received file to its content's name. If that content is already
    /// stored, the copy is simply dropped: both are the same bytes.
    pub async fn keep(&self, received: Received) -> io::Result<()> {
        let target = self.path(&received.hash);
        self.put(received.temp, &target).await
    }

    /// Moves a finished, fsynced temporary file to `target` and makes the
    /// rename durable.
    pub async fn put(&self, temp: Temporary, target: &Path) -> io::Result<()> {
        let folder = target.parent().map(Path::to_path_buf).unwrap_or_default();
        tokio::fs::create_dir_all(&folder).await?;
        tokio::fs::rename(temp.path(), target).await?;
        // The rename is in the folder's own data: fsync it too.
        tokio::task::spawn_blocking(move || std::fs::File::open(&folder)?.sync_all())
            .await
            .map_err(io::Error::other)?
    }

    /// Removes what no row names: temporary files of uploads cut off half-way,
    /// and stored files (and thumbnails) whose hash is not in `known`. At start,
    /// before anything is served, everything; while serving, only what was last
    /// written before `written_before`, so that an upload between moving its file
    /// into place and recording it is never touched.
    pub fn sweep(
        &self,
        known: &HashSet<String>,
        written_before: Option<std::time::SystemTime>,
    ) -> io::Result<usize> {
        let mut removed = 0;
        for entry in std::fs::read_dir(&self.root)? {
            let entry = entry?;
            let folder = entry.path();
            if !entry.file_type()?.is_dir() {
                continue;
            }
            let is_tmp = entry.file_name() == "tmp";
            for file in std::fs::read_dir(&folder)? {
                let file = file?;
                let name = file.file_name();
                let name = name.to_string_lossy();
                let hash = name.split('.').next().unwrap_or_default();
                let recent = match written_before {
                    Some(limit) => file.metadata()?.modified()? >= limit,
                    None => false,
                };
                if (is_tmp || !known.contains(hash)) && !recent {
                    std::fs::remove_file(file.path())?;
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }
}

/// 128 random bits as 32 lowercase hex digits: a name nobody can guess.
pub fn random_hex() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(hex(&bytes))
}

/// A temporary file, removed when dropped unless it was moved into place.
#[derive(Debug)]
pub struct Temporary(PathBuf);

impl Temporary {
    pub fn new(path: PathBuf) -> Temporary {
        Temporary(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// An upload being received: written to its temporary file as it arrives,
/// hashed on the way, never held in memory whole.
pub struct Incoming {
    file: tokio::fs::File,
    temp: Temporary,
    hasher: Sha256,
    size: u64,
    head: Vec<u8>,
}

impl Incoming {
    pub fn size(&self) -> u64 {
        self.size
    }

    pub async fn write(&mut self, chunk: &[u8]) -> io::Result<()> {
        if self.head.len() < HEAD_BYTES {
            let take = (HEAD_BYTES - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        self.hasher.update(chunk);
        self.size += chunk.len() as u64;
        self.file.write_all(chunk).await
    }

    /// All of it has arrived: fsynced, hashed.
    pub async fn finish(mut self) -> io::Result<Received> {
        self.file.flush().await?;
        self.file.sync_all().await?;
        let digest = self.hasher.finalize();
        Ok(Received {
            temp: self.temp,
            hash: ContentHash(hex(&digest)),
            size: self.size,
            head: self.head,
        })
    }
}

/// A whole upload in its temporary file.
#[derive(Debug)]
pub struct Received {
    pub temp: Temporary,
    pub hash: ContentHash,
    pub size: u64,
    /// Its first bytes, to tell what it is.
    pub head: Vec<u8>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_received_file_is_named_by_its_content_and_a_cut_off_one_leaves_nothing() {
        let dir = std::env::temp_dir().join(format!("files-{}", std::process::id()));
        let store = FileStore::open(&dir).unwrap();
        let mut incoming = store.receive().await.unwrap();
        incoming.write(b"hello ").await.unwrap();
        incoming.write(b"world").await.unwrap();
        let received = incoming.finish().await.unwrap();
        assert_eq!(
            received.hash.as_str(),
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
        );
        assert_eq!(received.head, b"hello world");
        let hash = received.hash.clone();
        store.keep(received).await.unwrap();
        assert_eq!(std::fs::read(store.path(&hash)).unwrap(), b"hello world");

        // Cut off half-way: dropping the upload removes its temporary file.
        let mut cut = store.receive().await.unwrap();
        cut.write(b"half").await.unwrap();
        drop(cut);
        assert_eq!(std::fs::read_dir(dir.join("files/tmp")).unwrap().count(), 0);

        // A file no row names goes at the next start; a named one stays.
        let known = HashSet::from([hash.as_str().to_string()]);
        assert_eq!(store.sweep(&known, None).unwrap(), 0);
        // While serving, a file written a moment ago is left alone.
        let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        assert_eq!(store.sweep(&HashSet::new(), Some(an_hour_ago)).unwrap(), 0);
        assert_eq!(store.sweep(&HashSet::new(), None).unwrap(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
