//! Writing knowledge articles: the article form and its rules.

use super::knowledge::{ArticleKind, ArticleState, ArticleVisibility, KnownErrorStatus};
use super::settings::NamedErrors;
use super::text::{clean_line, clean_text, form_value, slug_of};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Most characters of one Markdown text (an answer, the symptoms, …).
pub const MAX_MARKDOWN_CHARS: usize = 20_000;
/// Most keywords of one article, and characters of one keyword.
pub const MAX_KEYWORDS: usize = 20;
pub const MAX_KEYWORD_CHARS: usize = 40;
/// Characters of an article's address name.
pub const MAX_SLUG_CHARS: usize = 120;

/// An article as its author wrote it, checked; Markdown fields as written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleDraft {
    pub slug: String,
    pub service_slug: String,
    pub title: String,
    pub keywords: Vec<String>,
    pub visibility: ArticleVisibility,
    pub content: DraftContent,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DraftContent {
    Faq {
        answer_md: String,
    },
    KnownError {
        status: KnownErrorStatus,
        symptoms_md: String,
        workaround_md: String,
        cause_md: Option<String>,
    },
}

impl ArticleDraft {
    /// The article form's values for this draft, as its editor shows them.
    pub fn fields(&self) -> Vec<(String, String)> {
        let mut fields = vec![
            ("kind", self.content.kind().as_str().to_string()),
            ("title", self.title.clone()),
            ("slug", self.slug.clone()),
            ("service", self.service_slug.clone()),
            ("keywords", self.keywords.join(", ")),
            ("visibility", self.visibility.as_str().to_string()),
        ];
        match &self.content {
            DraftContent::Faq { answer_md } => fields.push(("answer", answer_md.clone())),
            DraftContent::KnownError {
                status,
                symptoms_md,
                workaround_md,
                cause_md,
            } => fields.extend([
                ("status", status.as_str().to_string()),
                ("symptoms", symptoms_md.clone()),
                ("workaround", workaround_md.clone()),
                ("cause", cause_md.clone().unwrap_or_default()),
            ]),
        }
        fields
            .into_iter()
            .map(|(name, value)| (name.to_string(), value))
            .collect()
    }
}

impl DraftContent {
    pub fn kind(&self) -> ArticleKind {
        match self {
            DraftContent::Faq { .. } => ArticleKind::Faq,
            DraftContent::KnownError { .. } => ArticleKind::KnownError,
        }
    }
}

/// What the author asked for with the form's button.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArticleIntent {
    /// Keep the article's state (a new article becomes a draft).
    Save,
    /// Save and make it readable (and searchable) by its audience.
    Publish,
    /// Save and take it out of search and off the portal.
    Archive,
}

impl ArticleIntent {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "save" => Some(ArticleIntent::Save),
            "publish" => Some(ArticleIntent::Publish),
            "archive" => Some(ArticleIntent::Archive),
            _ => None,
        }
    }
}

/// Checks the article form. `kind` and `slug` are the stored ones when an existing
/// article is edited (neither changes once written); for a new article they are read
/// from the form, the address name made from the title when left empty.
pub fn parse_article(
    fields: &[(String, String)],
    kind: Option<ArticleKind>,
    slug: Option<&str>,
) -> Result<ArticleDraft, NamedErrors> {
    let mut errors = NamedErrors::default();
    let kind = kind.or_else(|| ArticleKind::parse(form_value(fields, "kind")));
    if kind.is_none() {
        errors.add("kind", "Choose whether this is an FAQ or a known error.");
    }
    let title = clean_line(form_value(fields, "title"));
    match title.chars().count() {
        0 => errors.add("title", "Give the article a title."),
        1..=2 => errors.add("title", "Write a title of at least 3 characters."),
        201.. => errors.add("title", "Keep the title to 200 characters."),
        _ => {}
    }
    let slug = match slug {
        Some(stored) => stored.to_string(),
        None => {
            let typed = form_value(fields, "slug").trim();
            if typed.is_empty() {
                let made = slug_of(&title, MAX_SLUG_CHARS);
                if made.is_empty() && !title.is_empty() {
                    errors.add(
                        "slug",
                        "The title has no letters or digits to make an address name from: give one.",
                    );
                }
                made
            } else {
                let valid = typed.len() <= MAX_SLUG_CHARS
                    && typed
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    && !typed.starts_with('-')
                    && !typed.ends_with('-');
                if !valid {
                    errors.add(
                        "slug",
                        "Use lower-case letters, digits and hyphens (at most 120), not starting or ending with a hyphen.",
                    );
                }
                typed.to_string()
            }
        }
    };
    let service_slug = form_value(fields, "service").trim().to_string();
    if service_slug.is_empty() {
        errors.add("service", "Choose the service this article is about.");
    }
    let keywords: Vec<String> = form_value(fields, "keywords")
        .split([',', '\n'])
        .map(clean_line)
        .filter(|k| !k.is_empty())
        .collect();
    if keywords.len() > MAX_KEYWORDS {
        errors.add(
            "keywords",
            format!("Give at most {MAX_KEYWORDS} keywords, separated by commas."),
        );
    } else if let Some(long) = keywords
        .iter()
        .find(|k| k.chars().count() > MAX_KEYWORD_CHARS)
    {
        errors.add(
            "keywords",
            format!("\u{201c}{long}\u{201d} is long for a keyword: keep each to {MAX_KEYWORD_CHARS} characters."),
        );
    }
    let visibility = ArticleVisibility::parse(form_value(fields, "visibility"));
    if visibility.is_none() {
        errors.add("visibility", "Choose who may read the article.");
    }
    let mut markdown = |name: &str, required: Option<&str>| -> String {
        let text = clean_text(form_value(fields, name));
        if text.is_empty() {
            if let Some(message) = required {
                errors.add(name, message);
            }
        } else if text.chars().count() > MAX_MARKDOWN_CHARS {
            errors.add(
                name,
                format!("Keep this to {MAX_MARKDOWN_CHARS} characters: split the article if it needs more."),
            );
        }
        text
    };
    let content = match kind {
        Some(ArticleKind::Faq) => Some(DraftContent::Faq {
            answer_md: markdown("answer", Some("Write the answer, with its steps.")),
        }),
        Some(ArticleKind::KnownError) => {
            let symptoms_md = markdown(
                "symptoms",
                Some("Describe the symptoms: what people see when they meet this error."),
            );
            let workaround_md = markdown("workaround", None);
            let cause = markdown("cause", None);
            let status = KnownErrorStatus::parse(form_value(fields, "status"));
            if status.is_none() {
                errors.add("status", "Choose how far the fix has got.");
            }
            status.map(|status| DraftContent::KnownError {
                status,
                symptoms_md,
                workaround_md,
                cause_md: (!cause.is_empty()).then_some(cause),
            })
        }
        None => None,
    };
    match (errors.is_empty(), content, visibility) {
        (true, Some(content), Some(visibility)) => Ok(ArticleDraft {
            slug,
            service_slug,
            title,
            keywords,
            visibility,
            content,
        }),
        _ => Err(errors),
    }
}

/// One line of the authors' list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleRow {
    pub slug: String,
    pub title: String,
    pub kind: ArticleKind,
    pub service_name: String,
    pub state: ArticleState,
    pub visibility: ArticleVisibility,
    pub updated_at: DateTime<Utc>,
    /// Readers' answers to "Did this answer your question?": yes, and no.
    #[serde(default)]
    pub helpful: i64,
    #[serde(default)]
    pub unhelpful: i64,
}

/// What the article editor shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorData {
    /// (slug, name) of every service.
    pub services: Vec<(String, String)>,
    pub kind: ArticleKind,
    /// `None` for a new article.
    pub slug: Option<String>,
    pub state: Option<ArticleState>,
    /// The stored revision the form saves over.
    pub revision: i64,
    /// The form's values: the stored article, or a new one's starting text.
    pub values: Vec<(String, String)>,
    /// The files attached to the stored article.
    pub files: Vec<super::FileView>,
    /// The incident a new known error is written from.
    pub from: Option<String>,
    /// Why the starting text could not be taken from the incident.
    pub problem: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::text::form_pairs as fields;

    #[test]
    fn a_faq_is_read_with_its_address_made_from_the_title() {
        let draft = parse_article(
            &fields(&[
                ("kind", "faq"),
                ("title", "  Reset your  VPN token "),
                ("service", "vpn"),
                ("keywords", "token, 2FA,, mfa\nauthenticator"),
                ("visibility", "signed_in"),
                ("answer", "1. Open the app\r\n2. Choose *Reset*"),
            ]),
            None,
            None,
        )
        .unwrap();
        assert_eq!(draft.slug, "reset-your-vpn-token");
        assert_eq!(draft.title, "Reset your VPN token");
        assert_eq!(draft.keywords, ["token", "2FA", "mfa", "authenticator"]);
        assert_eq!(draft.visibility, ArticleVisibility::SignedIn);
        assert_eq!(
            draft.content,
            DraftContent::Faq {
                answer_md: "1. Open the app\n2. Choose *Reset*".into()
            }
        );
    }

    #[test]
    fn every_problem_is_named_at_its_input() {
        let errors = parse_article(
            &fields(&[
                ("kind", "known_error"),
                ("title", "ab"),
                ("slug", "Not A Slug"),
                ("keywords", &"k".repeat(41)),
                ("visibility", "friends"),
                ("status", "maybe"),
            ]),
            None,
            None,
        )
        .unwrap_err();
        for name in [
            "title",
            "slug",
            "service",
            "keywords",
            "visibility",
            "symptoms",
            "status",
        ] {
            assert!(errors.get(name).is_some(), "{name}: {errors:?}");
        }
        assert!(
            errors.get("workaround").is_none(),
            "a workaround may be unknown yet"
        );
    }

    #[test]
    fn a_draft_reads_back_from_its_own_fields() {
        let draft = ArticleDraft {
            slug: "outlook-prompts".into(),
            service_slug: "email".into(),
            title: "Outlook asks for the password".into(),
            keywords: vec!["outlook".into(), "password prompt".into()],
            visibility: ArticleVisibility::Agents,
            content: DraftContent::KnownError {
                status: KnownErrorStatus::FixScheduled,
                symptoms_md: "A prompt every *minute*.".into(),
                workaround_md: String::new(),
                cause_md: Some("A token cache bug.".into()),
            },
        };
        assert_eq!(parse_article(&draft.fields(), None, None), Ok(draft));
    }

    #[test]
    fn an_edit_keeps_the_stored_kind_and_address() {
        let draft = parse_article(
            &fields(&[
                ("kind", "faq"),
                ("slug", "ignored"),
                ("title", "Outlook asks for the password again and again"),
                ("service", "email"),
                ("visibility", "agents"),
                ("symptoms", "A prompt every minute."),
                ("status", "investigating"),
            ]),
            Some(ArticleKind::KnownError),
            Some("outlook-prompts"),
        )
        .unwrap();
        assert_eq!(draft.slug, "outlook-prompts");
        assert_eq!(draft.content.kind(), ArticleKind::KnownError);
    }
}
