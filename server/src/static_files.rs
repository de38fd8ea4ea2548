//! The compiled site: WebAssembly, JavaScript and CSS under `/pkg`, and the assets
//! at the site root.
//!
//! Files under `/pkg` are compressed once, at start-up, with brotli and gzip at their
//! highest ratios, and served precompressed: a user downloads the smallest form, and
//! no request pays for compressing them.

use app::server::web::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use leptos::prelude::LeptosOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use tower::ServiceExt;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// The service for `/pkg`: precompressed files, revalidated on every use (the file
/// names do not change between builds, so they may not be cached blindly).
pub fn pkg_service(options: &LeptosOptions) -> axum::routing::MethodRouter {
    let dir = pkg_dir(options);
    compress_in_background(dir.clone());
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    axum::routing::get_service(files).layer(SetResponseHeaderLayer::overriding(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    ))
}

fn pkg_dir(options: &LeptosOptions) -> PathBuf {
    Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref())
}

/// Anything else: a file from the site root if there is one, else the portal's
/// "page not found" page.
pub async fn fallback(State(state): State<AppState>, request: Request) -> Response {
    let root = state.leptos_options.site_root.to_string();
    let (parts, body) = request.into_parts();
    let probe = Request::from_parts(parts.clone(), Body::empty());
    let Ok(response) = ServeDir::new(&root).oneshot(probe).await;
    // "Not modified" answers a browser that already has the file.
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        return response.into_response();
    }
    let options = state.leptos_options.clone();
    let render = leptos_axum::render_app_async_with_context(
        app::server::web::page::page_context(&state),
        move || app::shell(options.clone()),
    );
    render(Request::from_parts(parts, body))
        .await
        .into_response()
}

fn compress_in_background(dir: PathBuf) {
    tokio::task::spawn_blocking(move || {
        if let Err(error) = compress_dir(&dir) {
            tracing::warn!(dir = %dir.display(), %error, "static files not precompressed; they are compressed per request instead");
        }
    });
}

/// Writes `.br` and `.gz` beside each JS, WASM and CSS file that lacks an up-to-date one.
fn compress_dir(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let compressible = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("js" | "wasm" | "css")
        );
        if !compressible {
            continue;
        }
        let modified = std::fs::metadata(&path)?.modified()?;
        let fresh = |suffix: &str| -> bool {
            let mut target = path.clone().into_os_string();
            target.push(suffix);
            std::fs::metadata(target)
                .and_then(|m| m.modified())
                .map(|t| t >= modified)
                .unwrap_or(false)
        };
        if fresh(".br") && fresh(".gz") {
            continue;
        }
        let content = std::fs::read(&path)?;
        let mut brotli_bytes = Vec::new();
        {
            let mut writer = brotli::CompressorWriter::new(&mut brotli_bytes, 64 * 1024, 11, 22);
            writer.write_all(&content)?;
        }
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gzip.write_all(&content)?;
        let gzip_bytes = gzip.finish()?;
        write_beside(&path, ".br", &brotli_bytes)?;
        write_beside(&path, ".gz", &gzip_bytes)?;
    }
    Ok(())
}

/// Writes atomically (temporary file, then rename), so a reader never sees half a file.
fn write_beside(path: &Path, suffix: &str, bytes: &[u8]) -> std::io::Result<()> {
    let mut target = path.to_path_buf().into_os_string();
    target.push(suffix);
    let mut temporary = target.clone();
    temporary.push(".tmp");
    std::fs::write(&temporary, bytes)?;
    std::fs::rename(&temporary, &target)
}
