//! Knowledge articles (user FAQs and known errors) and searching them.

use super::ArticleId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Longest query the search looks at; the rest is ignored and the user told so.
pub const MAX_QUERY_CHARS: usize = 200;
/// Most words of a query the search looks at.
pub const MAX_QUERY_WORDS: usize = 12;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArticleKind {
    Faq,
    KnownError,
}

impl ArticleKind {
    pub const ALL: [ArticleKind; 2] = [ArticleKind::Faq, ArticleKind::KnownError];

    pub fn as_str(self) -> &'static str {
        match self {
            ArticleKind::Faq => "faq",
            ArticleKind::KnownError => "known_error",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            ArticleKind::Faq => "FAQ",
            ArticleKind::KnownError => "Known error",
        }
    }
}

/// How far the service desk has got with a known error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KnownErrorStatus {
    Investigating,
    WorkaroundAvailable,
    FixScheduled,
    Fixed,
}

impl KnownErrorStatus {
    pub const ALL: [KnownErrorStatus; 4] = [
        KnownErrorStatus::Investigating,
        KnownErrorStatus::WorkaroundAvailable,
        KnownErrorStatus::FixScheduled,
        KnownErrorStatus::Fixed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            KnownErrorStatus::Investigating => "investigating",
            KnownErrorStatus::WorkaroundAvailable => "workaround_available",
            KnownErrorStatus::FixScheduled => "fix_scheduled",
            KnownErrorStatus::Fixed => "fixed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            KnownErrorStatus::Investigating => "Investigating",
            KnownErrorStatus::WorkaroundAvailable => "Workaround available",
            KnownErrorStatus::FixScheduled => "Fix scheduled",
            KnownErrorStatus::Fixed => "Fixed",
        }
    }
}

/// Where an article is in its life: only published articles are searched and shown
/// to end users.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArticleState {
    Draft,
    Published,
    Archived,
}

impl ArticleState {
    pub const ALL: [ArticleState; 3] = [
        ArticleState::Draft,
        ArticleState::Published,
        ArticleState::Archived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ArticleState::Draft => "draft",
            ArticleState::Published => "published",
            ArticleState::Archived => "archived",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            ArticleState::Draft => "Draft",
            ArticleState::Published => "Published",
            ArticleState::Archived => "Archived",
        }
    }
}

/// Who may read a published article. Each level sees everything the levels before
/// it see: visitors see public articles, signed-in users also theirs, agents all.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ArticleVisibility {
    #[default]
    Public,
    SignedIn,
    Agents,
}

impl ArticleVisibility {
    pub const ALL: [ArticleVisibility; 3] = [
        ArticleVisibility::Public,
        ArticleVisibility::SignedIn,
        ArticleVisibility::Agents,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ArticleVisibility::Public => "public",
            ArticleVisibility::SignedIn => "signed_in",
            ArticleVisibility::Agents => "agents",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            ArticleVisibility::Public => "Everyone",
            ArticleVisibility::SignedIn => "Signed-in users",
            ArticleVisibility::Agents => "Agents only",
        }
    }

    /// The widest level a viewer reads at: visitors public articles, signed-in end
    /// users also theirs, agents and admins every article.
    pub fn of_viewer(viewer: &super::Viewer) -> Self {
        match viewer.account() {
            None => ArticleVisibility::Public,
            Some(account) if account.role.is_staff() => ArticleVisibility::Agents,
            Some(_) => ArticleVisibility::SignedIn,
        }
    }

    /// Whether a reader at level `reader` may read an article of this visibility.
    pub fn readable_at(self, reader: ArticleVisibility) -> bool {
        self <= reader
    }
}

/// Whether end users may know of an article at all — find it, open it, see it
/// linked to their ticket: once published, and not for agents only.
pub fn open_to_users(state: ArticleState, visibility: ArticleVisibility) -> bool {
    state == ArticleState::Published && visibility != ArticleVisibility::Agents
}

/// What a user asked the search for. Built from untrusted input: the query text is
/// cut to [`MAX_QUERY_CHARS`] here, and unknown filter values are dropped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchRequest {
    pub query: String,
    pub kind: Option<ArticleKind>,
    pub service: Option<String>,
    /// True when the query was longer than the search looks at.
    pub truncated: bool,
    /// Who is searching: only articles readable at this level are found, and only
    /// their words are used to correct and complete the query.
    #[serde(default)]
    pub reader: ArticleVisibility,
}

impl SearchRequest {
    pub fn new(query: &str, kind: Option<&str>, service: Option<&str>) -> Self {
        let truncated = query.chars().count() > MAX_QUERY_CHARS;
        let query: String = query.chars().take(MAX_QUERY_CHARS).collect();
        let service = service
            .map(str::trim)
            .filter(|s| !s.is_empty() && s.len() <= 64)
            .map(str::to_string);
        SearchRequest {
            query,
            kind: kind.and_then(ArticleKind::parse),
            service,
            truncated,
            reader: ArticleVisibility::Public,
        }
    }

    /// The same request, as read by someone at level `reader`.
    pub fn read_at(mut self, reader: ArticleVisibility) -> Self {
        self.reader = reader;
        self
    }

    /// True when there is neither text nor a filter to search by.
    pub fn is_empty(&self) -> bool {
        self.query.trim().is_empty() && self.kind.is_none() && self.service.is_none()
    }
}

/// A piece of text, marked when it matched the query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Highlighted {
    pub text: String,
    pub hit: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub id: ArticleId,
    pub slug: String,
    pub title: String,
    pub kind: ArticleKind,
    pub service_slug: String,
    pub service_name: String,
    pub snippet: Vec<Highlighted>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    pub hits: Vec<SearchHit>,
    /// How many articles matched in all, of which `hits` are the best.
    pub total: usize,
    /// True when counting stopped early: `total` is then "more than".
    pub total_capped: bool,
    /// Words the search read differently, as (typed, searched for).
    pub corrections: Vec<(String, String)>,
    /// Something the user should know about how their query was read.
    pub message: Option<String>,
}

/// A knowledge article ready to show. The body parts are HTML rendered and
/// sanitised on the server from the stored Markdown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    pub id: ArticleId,
    pub slug: String,
    pub kind: ArticleKind,
    pub title: String,
    pub service_slug: String,
    pub service_name: String,
    pub updated_at: DateTime<Utc>,
    pub body: ArticleBody,
    pub state: ArticleState,
    pub visibility: ArticleVisibility,
    /// The files attached to it (its Markdown may show or link them).
    pub files: Vec<super::FileView>,
    /// What staff see besides the text; `None` for end users.
    pub staff: Option<StaffView>,
}

/// What an article's page shows to agents and admins.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffView {
    /// Whether this viewer may edit the article.
    pub can_edit: bool,
    /// (number, summary) of the incidents linked to a known error, newest first.
    pub incidents: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ArticleBody {
    Faq {
        answer_html: String,
    },
    KnownError {
        status: KnownErrorStatus,
        symptoms_html: String,
        workaround_html: String,
        cause_html: Option<String>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_queries_are_cut_and_flagged() {
        let r = SearchRequest::new(&"é".repeat(10_000), None, None);
        assert_eq!(r.query.chars().count(), MAX_QUERY_CHARS);
        assert!(r.truncated);
    }

    #[test]
    fn unknown_filters_are_dropped() {
        let r = SearchRequest::new("vpn", Some("bogus"), Some("   "));
        assert_eq!(r.kind, None);
        assert_eq!(r.service, None);
        let r = SearchRequest::new("vpn", Some("known_error"), Some("vpn"));
        assert_eq!(r.kind, Some(ArticleKind::KnownError));
        assert_eq!(r.service.as_deref(), Some("vpn"));
    }
}
