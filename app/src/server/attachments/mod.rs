//! Files attached to tickets: receiving them with a form post ([`upload`]),
//! telling what they are and making thumbnails (here), and handing them out
//! to whoever may see them ([`download`]).
//!
//! A file's type is what its bytes are (`infer`, and a look at text), never
//! what the browser or its name says. Markup (HTML, XML, SVG) is refused, so
//! nothing attached can ever run in the portal's origin; images are decoded
//! once, within limits, to prove they are images and to make their thumbnail,
//! on the blocking pool.

pub mod download;
pub mod scan;
pub mod upload;

use crate::domain::AttachmentRules;
use image::ImageReader;
use std::path::Path;

/// The longest side of an image the portal decodes: a 12-megapixel photo fits
/// easily; a 20,000 × 20,000 "decompression bomb" of a few KB is refused
/// before a single row is decoded.
const MAX_IMAGE_SIDE: u32 = 12_000;
/// The most memory one image's decoding may take.
const MAX_IMAGE_BYTES: u64 = 400 * 1024 * 1024;
/// A thumbnail's box, in pixels.
const THUMBNAIL_SIDE: u32 = 320;

/// What a file is, from its first bytes: a media type `rules` accept, or why it
/// is refused (completing "… cannot be attached: it …").
pub fn sniff(head: &[u8], rules: &AttachmentRules) -> Result<&'static str, &'static str> {
    const REFUSED: &str = "is of a type that is not accepted";
    if let Some(kind) = infer::get(head) {
        return match kind.mime_type() {
            "text/html" | "text/xml" | "image/svg+xml" | "application/xml" => {
                Err("is a web page or markup, which could run in a browser")
            }
            other => rules.accepts(other).ok_or(REFUSED),
        };
    }
    if head.contains(&0) {
        return Err(REFUSED);
    }
    // Text, unless cut off in the middle of a character at the end of the head.
    if let Err(error) = std::str::from_utf8(head) {
        if error.error_len().is_some() {
            return Err(REFUSED);
        }
    }
    if looks_like_markup(head) {
        return Err("is a web page or markup, which could run in a browser");
    }
    rules.accepts("text/plain").ok_or(REFUSED)
}

/// Whether text starts as HTML, XML or SVG does.
fn looks_like_markup(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&head[..head.len().min(512)]).to_ascii_lowercase();
    let text = text.trim_start_matches('\u{feff}').trim_start();
    [
        "<?xml",
        "<!doctype",
        "<html",
        "<svg",
        "<script",
        "<head",
        "<body",
        "<iframe",
    ]
    .iter()
    .any(|start| text.starts_with(start))
}

/// Why an image was refused.
#[derive(Debug, thiserror::Error)]
pub enum ImageProblem {
    #[error("cannot be read as an image: {0}")]
    Unreadable(#[from] image::ImageError),
    #[error("cannot be stored: {0}")]
    Io(#[from] std::io::Error),
}

/// Decodes the image at `source` within limits and writes its thumbnail (a
/// JPEG, transparency on white) to `out`, fsynced; answers the thumbnail's size.
/// Blocking: run it on the blocking pool.
pub fn make_thumbnail(source: &Path, out: &Path) -> Result<(u32, u32), ImageProblem> {
    let mut reader = ImageReader::open(source)?.with_guessed_format()?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_IMAGE_BYTES);
    reader.limits(limits);
    let image = reader.decode()?;
    // An image already smaller than a thumbnail stays at its size: enlarged, a
    // 24-pixel icon would be a blur of blocks.
    let fits = image.width() <= THUMBNAIL_SIDE && image.height() <= THUMBNAIL_SIDE;
    let small = if fits {
        image
    } else {
        image.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE)
    }
    .into_rgba8();
    let mut flat = image::RgbImage::new(small.width(), small.height());
    for (from, to) in small.pixels().zip(flat.pixels_mut()) {
        let [r, g, b, a] = from.0;
        let over_white =
            |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        *to = image::Rgb([over_white(r), over_white(g), over_white(b)]);
    }
    let file = std::fs::File::create(out)?;
    let mut writer = std::io::BufWriter::new(&file);
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut writer, 82).encode_image(&flat)?;
    drop(writer);
    file.sync_all()?;
    Ok((flat.width(), flat.height()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sniffed(head: &[u8]) -> Result<&'static str, &'static str> {
        sniff(head, &AttachmentRules::default())
    }

    #[test]
    fn the_type_is_what_the_bytes_are_and_markup_is_refused() {
        let png = [
            0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
        ];
        assert_eq!(sniffed(&png), Ok("image/png"));
        assert_eq!(sniffed(b"%PDF-1.7\n"), Ok("application/pdf"));
        assert_eq!(sniffed(b"2026-12-03 ERROR vpn: 809\n"), Ok("text/plain"));
        assert_eq!(sniffed("journal: caf\u{e9}".as_bytes()), Ok("text/plain"));
        for markup in [
            &b"<!DOCTYPE html><script>alert(1)</script>"[..],
            b"  <svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
            b"<?xml version='1.0'?><x/>",
            b"<html><body>hi</body></html>",
        ] {
            assert!(
                sniffed(markup).is_err(),
                "{}",
                String::from_utf8_lossy(markup)
            );
        }
        assert!(
            sniffed(b"MZ\x90\x00\x03\x00\x00\x00").is_err(),
            "a Windows program"
        );
        assert!(sniffed(b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00").is_err());
        assert!(sniffed(b"bin\x00ary").is_err());
    }

    #[test]
    fn a_thumbnail_fits_in_its_square_and_never_enlarges_a_small_image() {
        let dir = tempfile::tempdir().unwrap();
        let thumbnail_of = |width, height| {
            let source = dir.path().join(format!("{width}x{height}.png"));
            image::RgbImage::new(width, height).save(&source).unwrap();
            make_thumbnail(&source, &dir.path().join("out.jpg")).unwrap()
        };
        assert_eq!(thumbnail_of(1600, 800), (320, 160));
        assert_eq!(thumbnail_of(400, 900), (142, 320));
        assert_eq!(thumbnail_of(24, 16), (24, 16));
    }
}
