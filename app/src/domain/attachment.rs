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

/// The kinds of file an admin may allow, each a group of types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileKind {
    Images,
    Pdf,
    Text,
    Office,
    Zip,
}

impl FileKind {
    pub const ALL: [FileKind; 5] = [
        FileKind::Images,
        FileKind::Pdf,
        FileKind::Text,
        FileKind::Office,
        FileKind::Zip,
    ];

    /// Its name in forms and in the settings table.
    pub fn key(self) -> &'static str {
        match self {
            FileKind::Images => "images",
            FileKind::Pdf => "pdf",
            FileKind::Text => "text",
            FileKind::Office => "office",
            FileKind::Zip => "zip",
        }
    }

    pub fn from_key(key: &str) -> Option<FileKind> {
        FileKind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// How people know it.
    pub fn in_words(self) -> &'static str {
        match self {
            FileKind::Images => "images (PNG, JPEG, GIF, WebP)",
            FileKind::Pdf => "PDF",
            FileKind::Text => "text and log files",
            FileKind::Office => "office documents",
            FileKind::Zip => "ZIP archives",
        }
    }

    fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// A set of [`FileKind`]s.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileKinds(u8);

impl FileKinds {
    pub fn all() -> FileKinds {
        FileKind::ALL.into_iter().collect()
    }

    pub fn contains(self, kind: FileKind) -> bool {
        self.0 & kind.bit() != 0
    }

    pub fn iter(self) -> impl Iterator<Item = FileKind> {
        FileKind::ALL.into_iter().filter(move |k| self.contains(*k))
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// "images (PNG, JPEG, GIF, WebP), PDF and ZIP archives".
    pub fn in_words(self) -> String {
        let words: Vec<&str> = self.iter().map(FileKind::in_words).collect();
        match words.split_last() {
            None => "nothing".into(),
            Some((last, [])) => (*last).into(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        }
    }

    /// Their keys, comma-separated, as the settings table keeps them.
    pub fn keys(self) -> String {
        self.iter().map(FileKind::key).collect::<Vec<_>>().join(",")
    }

    /// Reads [`FileKinds::keys`]; unknown keys are left out.
    pub fn from_keys(keys: &str) -> FileKinds {
        keys.split(',')
            .filter_map(|k| FileKind::from_key(k.trim()))
            .collect()
    }
}

impl FromIterator<FileKind> for FileKinds {
    fn from_iter<I: IntoIterator<Item = FileKind>>(kinds: I) -> Self {
        FileKinds(kinds.into_iter().fold(0, |bits, k| bits | k.bit()))
    }
}

/// What may be attached: how large, and of which kinds. An admin setting
/// (`/admin/attachments`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentRules {
    /// Largest single file.
    pub per_file: u64,
    /// Largest total of all files of one ticket.
    pub per_ticket: u64,
    /// The kinds of file accepted.
    pub kinds: FileKinds,
}

impl Default for AttachmentRules {
    fn default() -> Self {
        AttachmentRules {
            per_file: 25 * MB,
            per_ticket: 100 * MB,
            kinds: FileKinds::all(),
        }
    }
}

/// The largest file an admin may allow, in MB.
pub const PER_FILE_MB: std::ops::RangeInclusive<u64> = 1..=100;
/// The most one ticket may hold that an admin may allow, in MB. A form post
/// may be as large, so this bounds the time one post may take.
pub const PER_TICKET_MB: std::ops::RangeInclusive<u64> = 1..=1000;

impl AttachmentRules {
    /// A sniffed type, if files of its kind may be attached.
    pub fn accepts(&self, media_type: &str) -> Option<&'static str> {
        ACCEPTED
            .iter()
            .find(|(t, _, _, kind)| *t == media_type && self.kinds.contains(*kind))
            .map(|(t, _, _, _)| *t)
    }

    /// Whether a name ending (lower case, no dot) is one of an accepted type:
    /// what the browser checks before sending (the server sniffs the bytes
    /// anyway).
    pub fn accepts_ending(&self, ending: &str) -> bool {
        self.endings().any(|e| e == ending)
    }

    /// The name endings of the accepted types, each once.
    pub fn endings(&self) -> impl Iterator<Item = &'static str> + '_ {
        let mut seen = Vec::new();
        ACCEPTED
            .iter()
            .filter(|(_, _, _, kind)| self.kinds.contains(*kind))
            .flat_map(|(_, endings, _, _)| endings.iter().copied())
            .filter(move |e| {
                let new = !seen.contains(e);
                seen.push(*e);
                new
            })
    }

    /// What the file chooser offers (a hint only: the server sniffs every file).
    pub fn accept_attribute(&self) -> String {
        self.endings()
            .map(|e| format!(".{e}"))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// What the form says may be attached.
    pub fn in_words(&self) -> String {
        format!(
            "Up to {MAX_FILES} files of at most {} each: {}.",
            size_in_words(self.per_file),
            self.kinds.in_words()
        )
    }

    /// The settings form's fields for these rules.
    pub fn fields(&self) -> Vec<(String, String)> {
        let mut fields = vec![
            ("per_file_mb".to_string(), (self.per_file / MB).to_string()),
            (
                "per_ticket_mb".to_string(),
                (self.per_ticket / MB).to_string(),
            ),
        ];
        fields.extend(
            self.kinds
                .iter()
                .map(|k| ("kind".to_string(), k.key().to_string())),
        );
        fields
    }

    /// Reads the settings form, naming each problem at its input.
    pub fn parse(fields: &[(String, String)]) -> Result<AttachmentRules, super::NamedErrors> {
        let mut errors = super::NamedErrors::default();
        let mut megabytes =
            |name: &str, range: std::ops::RangeInclusive<u64>, what: &str| match super::form_value(
                fields, name,
            )
            .trim()
            .parse::<u64>()
            {
                Ok(mb) if range.contains(&mb) => Some(mb),
                _ => {
                    errors.add(
                        name,
                        format!(
                            "Give {what} in whole MB, from {} to {}.",
                            range.start(),
                            range.end()
                        ),
                    );
                    None
                }
            };
        let per_file = megabytes("per_file_mb", PER_FILE_MB, "the largest file");
        let per_ticket = megabytes(
            "per_ticket_mb",
            PER_TICKET_MB,
            "the most one ticket may hold",
        );
        let kinds: FileKinds = fields
            .iter()
            .filter(|(name, _)| name == "kind")
            .filter_map(|(_, key)| FileKind::from_key(key))
            .collect();
        if kinds.is_empty() {
            errors.add("kind", "Allow at least one kind of file.");
        }
        if let (Some(file), Some(ticket)) = (per_file, per_ticket) {
            if file > ticket {
                errors.add(
                    "per_ticket_mb",
                    "One ticket must be able to hold at least one file of the largest size.",
                );
            }
        }
        match (per_file, per_ticket) {
            (Some(file), Some(ticket)) if errors.is_empty() => Ok(AttachmentRules {
                per_file: file * MB,
                per_ticket: ticket * MB,
                kinds,
            }),
            _ => Err(errors),
        }
    }

    /// What changed from `before`, in words, for the audit log.
    pub fn changes_from(&self, before: &AttachmentRules) -> Vec<String> {
        let mut changes = Vec::new();
        if self.per_file != before.per_file {
            changes.push(format!(
                "largest file: {} → {}",
                size_in_words(before.per_file),
                size_in_words(self.per_file)
            ));
        }
        if self.per_ticket != before.per_ticket {
            changes.push(format!(
                "per ticket: {} → {}",
                size_in_words(before.per_ticket),
                size_in_words(self.per_ticket)
            ));
        }
        if self.kinds != before.kinds {
            changes.push(format!(
                "kinds: {} → {}",
                before.kinds.in_words(),
                self.kinds.in_words()
            ));
        }
        changes
    }
}

/// The types a file may be, as sniffed from its bytes, with the name endings
/// that fit each, the words people know it by, and its kind.
const ACCEPTED: &[(&str, &[&str], &str, FileKind)] = &[
    ("image/png", &["png"], "PNG image", FileKind::Images),
    (
        "image/jpeg",
        &["jpg", "jpeg"],
        "JPEG image",
        FileKind::Images,
    ),
    ("image/gif", &["gif"], "GIF image", FileKind::Images),
    ("image/webp", &["webp"], "WebP image", FileKind::Images),
    ("application/pdf", &["pdf"], "PDF document", FileKind::Pdf),
    (
        "text/plain",
        &[
            "txt", "log", "csv", "json", "md", "ini", "conf", "cfg", "yaml", "yml", "out",
        ],
        "text",
        FileKind::Text,
    ),
    // Office files of today are ZIP archives inside; one whose bytes do not
    // tell which document it is counts as a ZIP archive.
    (
        "application/zip",
        &["zip", "docx", "xlsx", "pptx", "odt", "ods", "odp"],
        "ZIP archive",
        FileKind::Zip,
    ),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &["docx"],
        "Word document",
        FileKind::Office,
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &["xlsx"],
        "Excel workbook",
        FileKind::Office,
    ),
    (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        &["pptx"],
        "PowerPoint presentation",
        FileKind::Office,
    ),
    (
        "application/msword",
        &["doc"],
        "Word document",
        FileKind::Office,
    ),
    // An older Office file (or an Outlook message) whose kind the first bytes do not tell.
    (
        "application/x-ole-storage",
        &["doc", "xls", "ppt", "msg"],
        "Office document",
        FileKind::Office,
    ),
    (
        "application/vnd.ms-excel",
        &["xls"],
        "Excel workbook",
        FileKind::Office,
    ),
    (
        "application/vnd.ms-powerpoint",
        &["ppt"],
        "PowerPoint presentation",
        FileKind::Office,
    ),
    (
        "application/vnd.oasis.opendocument.text",
        &["odt"],
        "OpenDocument text",
        FileKind::Office,
    ),
    (
        "application/vnd.oasis.opendocument.spreadsheet",
        &["ods"],
        "OpenDocument spreadsheet",
        FileKind::Office,
    ),
    (
        "application/vnd.oasis.opendocument.presentation",
        &["odp"],
        "OpenDocument presentation",
        FileKind::Office,
    ),
];

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
        .find(|(t, _, _, _)| *t == media_type)
        .map(|(_, _, words, _)| *words)
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
    let Some((_, endings, _, _)) = ACCEPTED.iter().find(|(t, _, _, _)| *t == media_type) else {
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

/// A size as people read it: "812 bytes", "14 KB", "3.2 MB", "25 MB".
pub fn size_in_words(size: u64) -> String {
    if size == 1 {
        "1 byte".into()
    } else if size < 1024 {
        format!("{size} bytes")
    } else if size < MB {
        format!("{} KB", size.div_ceil(1024))
    } else if size % MB == 0 {
        format!("{} MB", size / MB)
    } else {
        format!("{:.1} MB", size as f64 / MB as f64)
    }
}

/// Where a file stands with the virus scanner. Only an `Unscanned` (no scanner
/// is configured) or `Clean` file is ever handed out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scan {
    #[default]
    Unscanned,
    /// Waiting for the scanner.
    Pending,
    Clean,
    Infected,
}

impl Scan {
    pub fn as_str(self) -> &'static str {
        match self {
            Scan::Unscanned => "unscanned",
            Scan::Pending => "pending",
            Scan::Clean => "clean",
            Scan::Infected => "infected",
        }
    }

    pub fn parse(value: &str) -> Scan {
        match value {
            "unscanned" => Scan::Unscanned,
            "clean" => Scan::Clean,
            "infected" => Scan::Infected,
            // Anything unknown waits: it is never handed out unscanned.
            _ => Scan::Pending,
        }
    }

    /// Whether the file may be handed out.
    pub fn servable(self) -> bool {
        matches!(self, Scan::Unscanned | Scan::Clean)
    }

    /// Why a file that may not be handed out is not, as its listing says.
    pub fn withheld_because(self) -> Option<&'static str> {
        match self {
            Scan::Pending => {
                Some("waiting for the virus scan; it can be opened once it is found clean")
            }
            Scan::Infected => {
                Some("the virus scanner found a threat in it, so it cannot be opened")
            }
            Scan::Unscanned | Scan::Clean => None,
        }
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
    pub scan: Scan,
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
            assert!(
                AttachmentRules::default().accepts(refused).is_none(),
                "{refused}"
            );
        }
    }

    #[test]
    fn sizes_read_as_people_expect() {
        assert_eq!(size_in_words(812), "812 bytes");
        assert_eq!(size_in_words(14 * 1024), "14 KB");
        assert_eq!(size_in_words(25 * MB), "25 MB");
        assert_eq!(size_in_words(25 * MB + 200_000), "25.2 MB");
    }

    fn settings(changes: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut fields = AttachmentRules::default().fields();
        for (name, value) in changes {
            if *name != "kind" {
                fields.retain(|(n, _)| n != name);
            }
            if !value.is_empty() || *name != "kind" {
                fields.push((name.to_string(), value.to_string()));
            }
        }
        fields
    }

    #[test]
    fn the_settings_read_back_to_the_same_rules_and_name_each_mistake() {
        let rules = AttachmentRules::parse(&AttachmentRules::default().fields()).unwrap();
        assert_eq!(rules, AttachmentRules::default());
        for (changes, input) in [
            (vec![("per_file_mb", "0")], "per_file_mb"),
            (vec![("per_file_mb", "101")], "per_file_mb"),
            (vec![("per_file_mb", "ten")], "per_file_mb"),
            (vec![("per_ticket_mb", "1001")], "per_ticket_mb"),
            (
                vec![("per_file_mb", "50"), ("per_ticket_mb", "40")],
                "per_ticket_mb",
            ),
        ] {
            let errors = AttachmentRules::parse(&settings(&changes)).unwrap_err();
            assert!(errors.get(input).is_some(), "{changes:?}: {errors:?}");
        }
        let none: Vec<(String, String)> = settings(&[])
            .into_iter()
            .filter(|(n, _)| n != "kind")
            .collect();
        assert!(AttachmentRules::parse(&none)
            .unwrap_err()
            .get("kind")
            .is_some());
    }

    #[test]
    fn only_the_allowed_kinds_are_accepted_and_offered() {
        let rules = AttachmentRules::parse(&[
            ("per_file_mb".into(), "5".into()),
            ("per_ticket_mb".into(), "20".into()),
            ("kind".into(), "images".into()),
            ("kind".into(), "pdf".into()),
            ("kind".into(), "nonsense".into()),
        ])
        .unwrap();
        assert_eq!(rules.accepts("image/png"), Some("image/png"));
        assert_eq!(rules.accepts("application/pdf"), Some("application/pdf"));
        assert_eq!(rules.accepts("text/plain"), None);
        assert!(rules.accepts_ending("jpeg") && !rules.accepts_ending("log"));
        assert_eq!(rules.accept_attribute(), ".png,.jpg,.jpeg,.gif,.webp,.pdf");
        assert_eq!(
            rules.in_words(),
            "Up to 10 files of at most 5 MB each: images (PNG, JPEG, GIF, WebP) and PDF."
        );
        assert_eq!(FileKinds::from_keys(&rules.kinds.keys()), rules.kinds);
        assert_eq!(
            rules.changes_from(&AttachmentRules::default()),
            vec![
                "largest file: 25 MB → 5 MB".to_string(),
                "per ticket: 100 MB → 20 MB".to_string(),
                "kinds: images (PNG, JPEG, GIF, WebP), PDF, text and log files, office documents \
                 and ZIP archives → images (PNG, JPEG, GIF, WebP) and PDF"
                    .to_string(),
            ]
        );
    }
}
