//! The compiled site: WebAssembly, JavaScript and CSS under `/pkg`, and the assets
//! at the site root, held in memory and answered from there.
//!
//! The site is read once, at start-up; a rebuilt site is served after a restart.
//! Each compressible file is compressed once with brotli and gzip at their highest
//! ratios — in the background at start, and kept beside the file on disk so the
//! next start only reads them — and a browser is sent the smallest form it takes.
//! No request touches the disk: a file read through `tokio::fs` costs hand-offs to
//! the blocking pool and back, which held static files to about 9,000 requests/s
//! on two cores (`docs/BENCHMARKS.md`, issue 20).

use app::server::web::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// Files larger than this are not part of a site (and are not served).
const LARGEST_FILE: u64 = 32 * 1024 * 1024;

/// The site's files by path (`pkg/portal.css`, `favicon.svg`).
pub struct Site {
    files: RwLock<HashMap<String, Arc<SiteFile>>>,
    /// The top folder whose files are revalidated on every use: their names do
    /// not change between builds.
    pkg: String,
}

/// One file, in each form it can be sent in.
struct SiteFile {
    content_type: HeaderValue,
    /// The modification time, whole seconds (what `Last-Modified` can say).
    modified: DateTime<Utc>,
    last_modified: HeaderValue,
    /// Identity first, then the compressed forms (smaller than identity only).
    forms: Vec<Form>,
}

struct Form {
    encoding: Option<&'static str>,
    bytes: Bytes,
    etag: HeaderValue,
}

/// The compressed forms, in the order they are preferred, and their suffixes on disk.
const ENCODINGS: [(&str, &str); 2] = [("br", ".br"), ("gzip", ".gz")];

impl Site {
    /// Reads every file under the site root into memory, with the compressed
    /// forms already beside them on disk; those missing are made in the
    /// background. A missing or unreadable root serves nothing (and says so).
    pub fn load(root: &Path, pkg: &str) -> Arc<Site> {
        let site = Arc::new(Site {
            files: RwLock::new(HashMap::new()),
            pkg: format!("{}/", pkg.trim_matches('/')),
        });
        let mut paths = Vec::new();
        if let Err(error) = list_files(root, &mut paths) {
            tracing::warn!(root = %root.display(), %error, "the site's files cannot be read; none is served");
        }
        let mut to_compress = Vec::new();
        for path in paths {
            let Some(key) = site_path(root, &path) else {
                continue;
            };
            match read_file(&path) {
                Ok((file, complete)) => {
                    let file = Arc::new(file);
                    if !complete {
                        to_compress.push((key.clone(), path, Arc::clone(&file)));
                    }
                    site.files_mut().insert(key, file);
                }
                Err(error) => {
                    tracing::warn!(file = %path.display(), %error, "a site file cannot be read; it is not served");
                }
            }
        }
        if !to_compress.is_empty() {
            let site = Arc::clone(&site);
            tokio::task::spawn_blocking(move || {
                for (key, path, file) in to_compress {
                    match compress_beside(&path, &file) {
                        Ok(file) => {
                            site.files_mut().insert(key, Arc::new(file));
                        }
                        Err(error) => tracing::warn!(file = %path.display(), %error,
                            "a site file is not precompressed; it is compressed per request instead"),
                    }
                }
            });
        }
        site
    }

    fn files_mut(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, Arc<SiteFile>>> {
        self.files
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn get(&self, key: &str) -> Option<Arc<SiteFile>> {
        self.files
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(key)
            .cloned()
    }

    /// The answer for a `GET` or `HEAD` of a site file: the file in the smallest
    /// form the request accepts, or "not modified" when the browser's copy is
    /// current. `None` when there is no such file.
    pub fn answer(&self, method: &Method, path: &str, headers: &HeaderMap) -> Option<Response> {
        if method != Method::GET && method != Method::HEAD {
            return None;
        }
        let key = path.strip_prefix('/')?;
        let file = self.get(key)?;
        let accepted = headers
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let form = file
            .forms
            .iter()
            .skip(1)
            .find(|form| form.encoding.is_some_and(|e| accepts(accepted, e)))
            .unwrap_or(&file.forms[0]);
        let mut response = if file.unchanged_for(form, headers) {
            let mut response = Response::new(Body::empty());
            *response.status_mut() = StatusCode::NOT_MODIFIED;
            response
        } else {
            let mut response = Response::new(Body::from(form.bytes.clone()));
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, file.content_type.clone());
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(form.bytes.len()));
            if let Some(encoding) = form.encoding {
                headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
            }
            response
        };
        let headers = response.headers_mut();
        headers.insert(header::ETAG, form.etag.clone());
        headers.insert(header::LAST_MODIFIED, file.last_modified.clone());
        if file.forms.len() > 1 {
            headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
        if key.starts_with(&self.pkg) {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        }
        Some(response)
    }
}

impl SiteFile {
    /// The same file with `compressed` forms in place of any it had, each kept
    /// only when smaller than the identity form, tagged as the identity's tag
    /// with its encoding.
    fn with_forms(&self, compressed: Vec<(&'static str, Bytes)>) -> SiteFile {
        let identity = &self.forms[0];
        let tag = identity.etag.to_str().unwrap_or("\"\"").trim_matches('"');
        let mut forms = vec![Form {
            encoding: None,
            etag: identity.etag.clone(),
            bytes: identity.bytes.clone(),
        }];
        for (encoding, bytes) in compressed {
            if bytes.len() < identity.bytes.len() {
                let etag = HeaderValue::from_str(&format!("\"{tag}-{encoding}\""))
                    .expect("hex is a valid header");
                forms.push(Form {
                    encoding: Some(encoding),
                    etag,
                    bytes,
                });
            }
        }
        SiteFile {
            content_type: self.content_type.clone(),
            modified: self.modified,
            last_modified: self.last_modified.clone(),
            forms,
        }
    }

    /// Whether the browser's copy is this form: by entity tag when it sends
    /// one, else by date.
    fn unchanged_for(&self, form: &Form, headers: &HeaderMap) -> bool {
        if let Some(tags) = headers.get(header::IF_NONE_MATCH) {
            let tags = tags.to_str().unwrap_or("");
            let ours = form.etag.to_str().unwrap_or("");
            return tags
                .split(',')
                .map(|tag| tag.trim().trim_start_matches("W/"))
                .any(|tag| tag == "*" || tag == ours);
        }
        headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| DateTime::parse_from_rfc2822(v).ok())
            .is_some_and(|since| self.modified <= since)
    }
}

/// Whether an `Accept-Encoding` value takes `encoding` (named, or `*`, without
/// `q=0`).
fn accepts(accepted: &str, encoding: &str) -> bool {
    let mut any = false;
    for item in accepted.split(',') {
        let mut parts = item.split(';').map(str::trim);
        let name = parts.next().unwrap_or("");
        let refused = parts.any(|p| {
            p.strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        if name.eq_ignore_ascii_case(encoding) {
            return !refused;
        }
        if name == "*" {
            any = !refused;
        }
    }
    any
}

/// Every file under `dir`, the compressed copies and half-written files left out.
fn list_files(dir: &Path, paths: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            list_files(&path, paths)?;
        } else if kind.is_file() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let derived = [".br", ".gz", ".tmp"].iter().any(|s| name.ends_with(s));
            if !derived && entry.metadata()?.len() <= LARGEST_FILE {
                paths.push(path);
            }
        }
    }
    Ok(())
}

/// `pkg/portal.css` for `<root>/pkg/portal.css`; `None` for a name that is not
/// UTF-8.
fn site_path(root: &Path, path: &Path) -> Option<String> {
    let relative = path.strip_prefix(root).ok()?;
    let parts: Option<Vec<&str>> = relative.iter().map(|p| p.to_str()).collect();
    Some(parts?.join("/"))
}

/// Whether a file of this name is worth compressing.
fn compressible(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("js" | "mjs" | "wasm" | "css" | "svg" | "html" | "json" | "txt" | "map")
    )
}

/// A file with the compressed forms already on disk and newer than it; and
/// whether it has all it should (`false`: compress it).
fn read_file(path: &Path) -> std::io::Result<(SiteFile, bool)> {
    let modified = std::fs::metadata(path)?.modified()?;
    let identity = Bytes::from(std::fs::read(path)?);
    let mut compressed = Vec::new();
    let mut complete = true;
    if compressible(path) {
        for (encoding, suffix) in ENCODINGS {
            let beside = beside(path, suffix);
            let fresh = std::fs::metadata(&beside)
                .and_then(|m| m.modified())
                .is_ok_and(|t| t >= modified);
            match fresh.then(|| std::fs::read(&beside)) {
                Some(Ok(bytes)) => compressed.push((encoding, Bytes::from(bytes))),
                _ => complete = false,
            }
        }
    }
    Ok((site_file(path, modified, identity, compressed), complete))
}

/// The file with its content compressed at the highest ratios, the forms kept
/// beside it on disk for the next start (a site folder that cannot be written to
/// only costs that).
fn compress_beside(path: &Path, file: &SiteFile) -> std::io::Result<SiteFile> {
    let identity = &file.forms[0];
    let mut compressed = Vec::new();
    for (encoding, suffix) in ENCODINGS {
        let bytes = compress(encoding, &identity.bytes)?;
        if let Err(error) = write_atomically(&beside(path, suffix), &bytes) {
            tracing::debug!(file = %path.display(), %error, "a compressed form is not kept on disk");
        }
        compressed.push((encoding, Bytes::from(bytes)));
    }
    Ok(file.with_forms(compressed))
}

/// `content` in `encoding` (one of [`ENCODINGS`]), at its highest ratio.
fn compress(encoding: &str, content: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    if encoding == "br" {
        let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
        writer.write_all(content)?;
    } else {
        let mut gzip = flate2::write::GzEncoder::new(out, flate2::Compression::best());
        gzip.write_all(content)?;
        out = gzip.finish()?;
    }
    Ok(out)
}

fn site_file(
    path: &Path,
    modified: std::time::SystemTime,
    identity: Bytes,
    compressed: Vec<(&'static str, Bytes)>,
) -> SiteFile {
    let modified = DateTime::<Utc>::from(modified);
    let modified = DateTime::from_timestamp(modified.timestamp(), 0).unwrap_or(modified);
    let content_type = mime_guess::from_path(path)
        .first_raw()
        .unwrap_or("application/octet-stream");
    let digest = Sha256::digest(&identity);
    let tag = digest[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    let last_modified = modified.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    SiteFile {
        content_type: HeaderValue::from_static(content_type),
        modified,
        last_modified: HeaderValue::from_str(&last_modified).expect("a date is a valid header"),
        forms: vec![Form {
            encoding: None,
            etag: HeaderValue::from_str(&format!("\"{tag}\"")).expect("hex is a valid header"),
            bytes: identity,
        }],
    }
    .with_forms(compressed)
}

fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut target = path.to_path_buf().into_os_string();
    target.push(suffix);
    target.into()
}

/// Writes through a temporary file and a rename, so a reader never sees half a file.
fn write_atomically(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temporary = beside(target, ".tmp");
    std::fs::write(&temporary, bytes)?;
    std::fs::rename(&temporary, target)
}

/// `/pkg/…`: a file of the compiled site, or a bare 404.
pub async fn pkg(State(site): State<Arc<Site>>, request: Request) -> Response {
    site.answer(request.method(), request.uri().path(), request.headers())
        .unwrap_or_else(|| StatusCode::NOT_FOUND.into_response())
}

/// Anything else: a file from the site root if there is one, else the portal's
/// "page not found" page.
pub async fn fallback(
    site: Arc<Site>,
    State(state): State<AppState>,
    request: Request,
) -> Response {
    if let Some(response) = site.answer(request.method(), request.uri().path(), request.headers()) {
        return response;
    }
    let options = state.leptos_options.clone();
    let render = leptos_axum::render_app_async_with_context(
        app::server::web::page::page_context(&state),
        move || app::shell(options.clone()),
    );
    render(request).await.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_taken_unless_refused() {
        assert!(accepts("gzip, deflate, br, zstd", "br"));
        assert!(accepts("gzip;q=1.0, br;q=0.5", "br"));
        assert!(!accepts("gzip, br;q=0", "br"));
        assert!(accepts("*", "gzip"));
        assert!(!accepts("identity", "gzip"));
        assert!(!accepts("", "br"));
        assert!(!accepts("br;q=0, *", "br"));
    }
}
