//! Thumbnail benchmark: `cargo bench -p server --bench thumbnail [-- RUNS]`.
//!
//! Writes a 12-megapixel JPEG (4,000 × 3,000, a photo-like gradient with
//! noise, quality 90) and makes its thumbnail RUNS times (default 20) with the
//! function uploads use (`make_thumbnail`: decode within limits, shrink, JPEG,
//! fsync), one after the other; reports p50 and p95.
//!
//! This is a measurement, not a test: it asserts nothing about time.

// The portal's views are deep types: rendering them needs more than the default.
#![recursion_limit = "256"]

use app::server::attachments::make_thumbnail;
use std::time::Instant;

fn main() {
    let runs: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(20);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let source = dir.path().join("photo.jpg");
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let photo = image::RgbImage::from_fn(4000, 3000, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let noise = (seed % 24) as u8;
        image::Rgb([
            (x / 16) as u8 ^ noise,
            (y / 12) as u8 ^ noise,
            ((x + y) / 28) as u8 ^ noise,
        ])
    });
    let file = std::fs::File::create(&source).expect("the photo");
    image::codecs::jpeg::JpegEncoder::new_with_quality(std::io::BufWriter::new(file), 90)
        .encode_image(&photo)
        .expect("a JPEG");
    let size = std::fs::metadata(&source).expect("the photo").len();
    let out = dir.path().join("thumb.jpg");
    make_thumbnail(&source, &out).expect("a thumbnail"); // warm-up
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            make_thumbnail(&source, &out).expect("a thumbnail");
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() as f64 * q).ceil() as usize).saturating_sub(1)];
    println!("| photo | size | runs | p50 | p95 |");
    println!("|---|---|---|---|---|");
    println!(
        "| 4000 × 3000 JPEG | {:.1} MB | {runs} | {:.0} ms | {:.0} ms |",
        size as f64 / 1e6,
        at(0.5),
        at(0.95)
    );
}
