//! Types that cross the wire between the server and the browser.
//!
//! Nothing in here does I/O: these are plain values, the rules that parse user input
//! into them, and the words the portal uses to describe them.

mod account;
mod attachment;
mod authoring;
mod calendar;
mod catalog;
mod config;
mod desk;
mod ids;
mod knowledge;
mod lifecycle;
mod mail;
mod mail_in;
mod mail_text;
mod notice;
mod outcome;
mod priority;
mod settings;
mod status;
mod text;
mod ticket;
mod ticket_form;
mod time;

pub use account::{
    Account, AssignmentGroup, AuditEntry, Invitation, InviteForm, NewAccount, NewPasswordForm,
    PasswordChangeForm, RegisterForm, Role, SignInForm, UserRow, Verification, Viewer,
    LINK_UNUSABLE, OTHER_ACCOUNTS_LINK, PASSWORD_CHARS,
};
pub use attachment::{
    clean_file_name, download_name, shown_inline, size_in_words, type_in_words, AttachmentRules,
    FileKind, FileKinds, FileView, Scan, MAX_FILES, MB, PER_FILE_MB, PER_TICKET_MB,
};
pub use authoring::{
    parse_article, ArticleDraft, ArticleIntent, ArticleRow, DraftContent, EditorData,
};
pub use calendar::{
    calendar_choice_name, clock_time, parse_calendar, parse_clock_time, parse_priority_calendars,
    CalendarConfig, CalendarFields, CalendarsOverview, PriorityCalendar, WEEKDAYS,
};
pub use catalog::{
    category_input, parse_categories, parse_service, CategoryChanges, ServiceFields,
};
pub use config::{
    parse_group, parse_model, GroupConfig, GroupFields, GroupsOverview, ModelConfig, ModelFields,
    ModelsOverview, StaffMember, GROUP_LEVELS,
};
pub use desk::{
    span_in_words, ChecklistStep, Choice, DeskChoices, DeskTicket, HistoryEntry, LinkKind,
    LinkView, OngoingMajor, QueueFilter, QueuePage, QueueRow, ReporterView, Standing, TargetView,
    Voice, QUEUE_COUNT_CAP, QUEUE_PAGE_SIZE,
};
pub use ids::{
    ArticleId, CalendarId, CategoryId, GroupId, ModelId, NoticeId, ServiceId, TicketId, UserId,
};
pub use knowledge::{
    open_to_users, Article, ArticleBody, ArticleKind, ArticleState, ArticleVisibility, Highlighted,
    KnownErrorStatus, SearchHit, SearchRequest, SearchResults, StaffView, MAX_QUERY_CHARS,
    MAX_QUERY_WORDS,
};
pub use lifecycle::{
    decide, Action, Actor, Event, GroupRef, LifecycleRules, Phase, Refusal, TicketFacts,
    Visibility, WorkForm,
};
pub use mail::{
    received_outcome_words, Backoff, Delivery, MailTrouble, OutboxMessage, OutboxOverview,
    ReceivedMail, TestMessageForm,
};
pub use mail_in::{automatic, bare_subject, cut_reply, Automatic};
pub use mail_text::{
    notice_message, ticket_message, Happened, MailChoices, MailTicket, MailTopic, NoticeNews,
    Written, PORTAL, WAITING_FOR_REPORTER,
};
pub use notice::{
    parse_utc_minute, utc_minute, Audience, Notice, NoticeChange, NoticeChangeForm, NoticeDraft,
    NoticeForm, NoticeUpdate, Severity, RECENT_DAYS,
};
pub use outcome::{
    DeskOutcome, FormOutcome, LookupForm, ReporterProblem, SettingsOutcome, StatusLookup,
    SubmittedTicket,
};
pub use priority::{
    duration_in_words, working_hours_in_words, working_time_in_words, zone_in_words, Impact,
    Priority, PriorityRule, PriorityTable, Urgency,
};
pub use settings::{cell_name, rule_name, NamedErrors, PrioritySettings};
pub use status::{TicketStatus, TicketSummary, TimelineEntry, SERVICE_DESK};
pub use text::{
    clean_line, clean_text, counted, encode_query_value, form_value, plausible_token, slug_of,
};
pub use ticket::{
    Category, HoldReason, ResolutionCode, Service, TicketKind, TicketNumber, TicketState,
};
pub use ticket_form::{Field, FieldError, FieldErrors, NewTicket, Reporter, TicketForm};
pub use time::{format_local, format_time, machine_time};
