//! What a form post gives back when it is answered with its page again: what was
//! typed, what went wrong, or what was done. Provided to the page as context.

use super::{Field, FieldErrors, FileView, NamedErrors, TicketForm, TicketStatus, WorkForm};
use serde::{Deserialize, Serialize};

/// The outcome of a plain form post answered with its page again: what was typed
/// (never passwords), what is wrong, or what was done. Provided as context.
#[derive(Clone, Debug, Default)]
pub struct FormOutcome {
    pub errors: FieldErrors,
    /// A problem with the submission as a whole.
    pub problem: Option<String>,
    /// What was done, when it worked and the page is shown again.
    pub done: Option<String>,
    /// Values as typed, to fill the fields again.
    pub values: Vec<(Field, String)>,
}

impl FormOutcome {
    /// The value typed into `field`, if the form came back.
    pub fn value(&self, field: Field) -> String {
        self.values
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

/// The outcome of a settings form that came back: messages by input, and the
/// values as typed.
#[derive(Clone, Debug, Default)]
pub struct SettingsOutcome {
    /// Which form on the page came back, when a page has several.
    pub form: Option<String>,
    pub errors: NamedErrors,
    pub problem: Option<String>,
    pub values: Vec<(String, String)>,
    /// Files a form carried that were accepted: listed and sent again.
    pub kept: Vec<FileView>,
}

/// A logging form sent back for correction: what was typed and what is wrong with it.
/// Provided as context when the form post is answered with the page again.
#[derive(Clone, Debug, Default)]
pub struct SubmittedTicket {
    pub form: TicketForm,
    /// Files it carried that were accepted: they are listed and sent again.
    pub kept: Vec<FileView>,
    pub errors: FieldErrors,
    /// A problem with the submission as a whole (the server could not save it).
    pub problem: Option<String>,
}

/// What the reporter's ticket page says about the last form sent: what went
/// wrong (with what was typed; provided as context when a form post brings the
/// page back), or what was done.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReporterProblem {
    pub message: Option<String>,
    pub done: Option<String>,
    pub form: WorkForm,
    /// Files it carried that were accepted: they are listed and sent again.
    #[serde(default)]
    pub kept: Vec<FileView>,
}

/// The status lookup form as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LookupForm {
    pub number: String,
    pub email: String,
}

/// The answer to a status lookup, provided as context to the page.
#[derive(Clone, Debug)]
pub enum StatusLookup {
    Found(Box<TicketStatus>),
    /// No ticket has that number and e-mail address. A wrong address and an unknown
    /// number are deliberately the same answer.
    NotFound(LookupForm),
    Invalid(LookupForm),
    /// Too many lookups from this address in a short time.
    Limited(LookupForm),
    Unavailable(LookupForm),
}

/// A desk form that could not be carried out, provided as context when its page
/// is rendered again.
#[derive(Clone, Debug, Default)]
pub struct DeskOutcome {
    pub message: String,
    /// What was sent, to fill the form again.
    pub form: WorkForm,
    /// Files it carried that were accepted: they are listed and sent again.
    pub kept: Vec<FileView>,
}
