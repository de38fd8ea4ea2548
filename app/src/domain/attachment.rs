//! Files attached to tickets: what may be attached, what a file is called when
//! it is saved, and how it is shown.
//!
//! The type of a file is always what its bytes are (sniffed by the server),
//! never what the browser or the name claims. Only the four raster image types
//! are ever shown inside a page; everything else is a download.

use serde::{Deserialize, Serialize};

/// How many files one form may carry.
pub const MAX_FILES: usize = 10;

/// One mebibyte, the unit the limits are written in.
pub const MB: u64 = 1024 * 1024;

/// How large files may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttachmentRules {
    /// Largest single file.
    pub per_file: u64,
    /// Largest total of all files of one ticket.
    pub per_ticket: u64,
}

impl Default for AttachmentRules {
    fn default() -> Self {
        AttachmentRules {
            per_file: 25 * MB,
            per_ticket: 100 * MB,
        }
    }
}

/// The types a file may be, as sniffed from its bytes, with the name endings
/// that fit each and the words people know it by.
const ACCEPTED: &[(&str, &[&str], &str)] = &[
    ("image/png", &["png"], "PNG image"),
    ("image/jpeg", &["jpg", "jpeg"], "JPEG image"),
    ("image/gif", &["gif"], "GIF image"),
    ("image/webp", &["webp"], "WebP image"),
    ("application/pdf", &["pdf"], "PDF document"),
    (
        "text/plain",
        &[
            "txt", "log", "csv", "json", "md", "ini", "conf", "cfg", "yaml", "yml", "out",
        ],
        "text",
    ),
    (
        "application/zip",
        &["zip", "docx", "xlsx", "pptx", "odt", "ods", "odp"],
        "ZIP archive",
    ),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &["docx"],
        "Word document",
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &["xlsx"],
        "Excel workbook",
    ),
    (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        &["pptx"],
        "PowerPoint presentation",
    ),
    ("application/msword", &["doc"], "Word document"),
    // An older Office file (or an Outlook message) whose kind the first bytes do not tell.
    (
        "application/x-ole-storage",
        &["doc", "xls", "ppt", "msg"],
        "Office document",
    ),
    ("application/vnd.ms-excel", &["xls"], "Excel workbook"),
    (
        "application/vnd.ms-powerpoint",
        &["ppt"],
        "PowerPoint presentation",
    ),
    (
        "application/vnd.oasis.opendocument.text",
        &["odt"],
        "OpenDocument text",
    ),
    (
        "application/vnd.oasis.opendocument.spreadsheet",
        &["ods"],
        "OpenDocument spreadsheet",
    ),
    (
        "application/vnd.oasis.opendocument.presentation",
        &["odp"],
        "OpenDocument presentation",
    ),
];

/// What the file chooser offers (a hint only: the server sniffs every file).
pub const ACCEPT_ATTRIBUTE: &str = "image/png,image/jpeg,image/gif,image/webp,application/pdf,\
    text/plain,.txt,.log,.csv,.json,.zip,.docx,.xlsx,.pptx,.doc,.xls,.ppt,.msg,.odt,.ods,.odp";

/// What the form says may be attached.
pub const ACCEPTED_IN_WORDS: &str =
    "images (PNG, JPEG, GIF, WebP), PDF, text and log files, office documents and ZIP archives";

/// A sniffed type, if it may be attached.
pub fn accepted(media_type: &str) -> Option<&'static str> {
    ACCEPTED
        .iter()
        .find(|(t, _, _)| *t == media_type)
        .map(|(t, _, _)| *t)
}

/// Whether a name ending (lower case, no dot) is one of an accepted type: what
/// the browser checks before sending (the server sniffs the bytes anyway).
pub fn accepted_ending(ending: &str) -> bool {
    ACCEPTED
        .iter()
        .any(|(_, endings, _)| endings.contains(&ending))
}

/// The four image types shown inside a page (as a thumbnail, opening the full
/// image). Never SVG: it can carry script.
pub fn shown_inline(media_type: &str) -> bool {
    matches!(
        media_type,
        "image/png" | "image/jpeg" | "image/gif" | "image/webp"
    )
}

/// How a type is named to people.
pub fn type_in_words(media_type: &str) -> &'static str {
    ACCEPTED
        .iter()
        .find(|(t, _, _)| *t == media_type)
        .map(|(_, _, words)| *words)
        .unwrap_or("file")
}

/// A file name as given, made safe to store and show: no folders, no control
/// characters, no leading dots, at most 200 characters (the ending kept).
pub fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    let cleaned = if cleaned.is_empty() { "file" } else { cleaned };
    const MAX: usize = 200;
    if cleaned.chars().count() <= MAX {
        return cleaned.to_string();
    }
    let (stem, ending) = match cleaned.rsplit_once('.') {
        Some((stem, ending)) if ending.chars().count() <= 10 => (stem, format!(".{ending}")),
        _ => (cleaned, String::new()),
    };
    let keep = MAX - ending.chars().count();
    format!("{}{ending}", stem.chars().take(keep).collect::<String>())
}

/// The name a file is saved as: its own name, with an ending that fits its
/// type added when it has none that does, so that a PNG called `page.html` is
/// saved as `page.html.png` and never opens as a web page.
pub fn download_name(name: &str, media_type: &str) -> String {
    let Some((_, endings, _)) = ACCEPTED.iter().find(|(t, _, _)| *t == media_type) else {
        return format!("{name}.bin");
    };
    let ending = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if endings.contains(&ending.as_str()) {
        name.to_string()
    } else {
        format!("{name}.{}", endings[0])
    }
}

/// A size as people read it: "812 bytes", "14 KB", "3.2 MB".
pub fn size_in_words(size: u64) -> String {
    if size == 1 {
        "1 byte".into()
    } else if size < 1024 {
        format!("{size} bytes")
    } else if size < MB {
        format!("{} KB", size.div_ceil(1024))
    } else {
        format!("{:.1} MB", size as f64 / MB as f64)
    }
}

/// A file attached to a ticket, as a page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileView {
    /// Random, the only way an address names the file.
    pub id: String,
    pub name: String,
    pub media_type: String,
    pub size: u64,
    /// An image's thumbnail size, when it has one.
    pub thumbnail: Option<(u32, u32)>,
}

impl FileView {
    /// "report.pdf (PDF document, 182 KB)".
    pub fn describe(&self) -> String {
        format!(
            "{} ({}, {})",
            self.name,
            type_in_words(&self.media_type),
            size_in_words(self.size)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_folders_control_characters_and_leading_dots() {
        assert_eq!(clean_file_name("C:\\Users\\me\\shot.png"), "shot.png");
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name(".."), "file");
        assert_eq!(clean_file_name(".htaccess"), "htaccess");
        assert_eq!(clean_file_name("a\nb\r\"c\".txt"), "a b \"c\".txt");
        assert_eq!(clean_file_name("   "), "file");
        let long = format!("{}.log", "x".repeat(300));
        let cleaned = clean_file_name(&long);
        assert_eq!(cleaned.chars().count(), 200);
        assert!(cleaned.ends_with("x.log"));
    }

    #[test]
    fn a_file_is_saved_with_an_ending_that_fits_what_it_is() {
        assert_eq!(download_name("shot.PNG", "image/png"), "shot.PNG");
        assert_eq!(download_name("page.html", "image/png"), "page.html.png");
        assert_eq!(download_name("notes", "text/plain"), "notes.txt");
        assert_eq!(download_name("server.log", "text/plain"), "server.log");
        assert_eq!(
            download_name("budget.xlsx", "application/zip"),
            "budget.xlsx"
        );
    }

    #[test]
    fn only_raster_images_are_shown_inline_and_markup_is_never_accepted() {
        assert!(shown_inline("image/png"));
        assert!(!shown_inline("image/svg+xml"));
        assert!(!shown_inline("application/pdf"));
        for refused in [
            "image/svg+xml",
            "text/html",
            "text/xml",
            "application/x-executable",
        ] {
            assert!(accepted(refused).is_none(), "{refused}");
        }
    }

    #[test]
    fn sizes_read_as_people_expect() {
        assert_eq!(size_in_words(812), "812 bytes");
        assert_eq!(size_in_words(14 * 1024), "14 KB");
        assert_eq!(size_in_words(25 * MB), "25.0 MB");
    }
}
