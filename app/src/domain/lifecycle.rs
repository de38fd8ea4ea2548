//! The ticket lifecycle: which action each kind of actor may take in which state,
//! and what it changes.
//!
//! Incidents: `new → in progress ⇄ on hold → resolved → closed`; service requests:
//! `submitted → approved ⇄ on hold → fulfilled → closed`. Escalation is a flag and an
//! assignment level, never a state. [`decide`] is a pure function: the facts of a
//! ticket and an action in, the new facts and exactly one history entry out, or a
//! [`Refusal`] that says why in words a person can act on.

use super::{
    GroupId, HoldReason, Impact, ResolutionCode, TicketKind, TicketState, Urgency, UserId,
};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Longest reply, note or reason, in characters.
pub const MAX_TEXT_CHARS: usize = 10_000;

/// Who takes an action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// An agent or admin, by user id and name.
    Staff { id: UserId, name: String },
    /// The person who reported the ticket.
    Reporter { name: String },
    /// The portal itself (automatic closing).
    System,
}

impl Actor {
    /// The agent or admin acting, if it is one.
    pub fn staff_id(&self) -> Option<UserId> {
        match self {
            Actor::Staff { id, .. } => Some(*id),
            _ => None,
        }
    }

    /// How the history names this actor.
    pub fn display_name(&self) -> String {
        match self {
            Actor::Staff { name, .. } => name.clone(),
            Actor::Reporter { name } => name.clone(),
            Actor::System => "Service desk".into(),
        }
    }
}

/// An assignment group as the lifecycle needs to know it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GroupRef {
    pub id: GroupId,
    /// 1st, 2nd or 3rd level.
    pub level: u8,
}

/// What the lifecycle knows about a ticket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketFacts {
    pub kind: TicketKind,
    pub state: TicketState,
    /// Set exactly when the state is on hold.
    pub hold: Option<HoldReason>,
    pub group: Option<GroupRef>,
    pub assignee: Option<UserId>,
    /// Incidents only.
    pub impact: Option<Impact>,
    pub urgency: Option<Urgency>,
    /// When someone on the desk first acted on it (the response target).
    pub responded_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub resolution: Option<(ResolutionCode, String)>,
    /// Hierarchical escalation: the incident managers have been told.
    pub escalated: bool,
    pub major: bool,
    pub rating: Option<u8>,
}

impl TicketFacts {
    /// A ticket just logged.
    pub fn new(kind: TicketKind, impact: Option<Impact>, urgency: Option<Urgency>) -> Self {
        TicketFacts {
            kind,
            state: kind.initial_state(),
            hold: None,
            group: None,
            assignee: None,
            impact,
            urgency,
            responded_at: None,
            resolved_at: None,
            closed_at: None,
            resolution: None,
            escalated: false,
            major: false,
            rating: None,
        }
    }

    /// Whether these facts are a state a ticket may be in. [`decide`] keeps every
    /// ticket consistent; the property tests check it.
    pub fn is_consistent(&self) -> bool {
        let phase = Phase::of(self.state);
        let state_fits_kind = Phase::states(self.kind).contains(&self.state);
        let hold_fits = (phase == Phase::Held) == self.hold.is_some();
        let resolution_fits = matches!(phase, Phase::Done | Phase::Closed)
            == (self.resolution.is_some() && self.resolved_at.is_some());
        let closed_fits = (phase == Phase::Closed) == self.closed_at.is_some();
        let triage_fits = (self.kind == TicketKind::Incident)
            == (self.impact.is_some() && self.urgency.is_some());
        let major_fits = !self.major || self.kind == TicketKind::Incident;
        let rating_fits = self.rating.is_none_or(|r| (1..=5).contains(&r));
        let assigned_work_responded = phase == Phase::Open || self.responded_at.is_some();
        state_fits_kind
            && hold_fits
            && resolution_fits
            && closed_fits
            && triage_fits
            && major_fits
            && rating_fits
            && assigned_work_responded
    }

    pub fn is_closed(&self) -> bool {
        self.state == TicketState::Closed
    }
}

/// Where a state sits in the lifecycle, whatever the ticket's kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// New / submitted: nobody has started.
    Open,
    /// In progress / approved.
    Working,
    Held,
    /// Resolved / fulfilled: waiting for the user's confirmation.
    Done,
    Closed,
}

impl Phase {
    pub fn of(state: TicketState) -> Phase {
        match state {
            TicketState::New | TicketState::Submitted => Phase::Open,
            TicketState::InProgress | TicketState::Approved => Phase::Working,
            TicketState::OnHold => Phase::Held,
            TicketState::Resolved | TicketState::Fulfilled => Phase::Done,
            TicketState::Closed => Phase::Closed,
        }
    }

    /// The state of this phase for a kind of ticket.
    pub fn state(self, kind: TicketKind) -> TicketState {
        match (self, kind) {
            (Phase::Open, TicketKind::Incident) => TicketState::New,
            (Phase::Open, TicketKind::Request) => TicketState::Submitted,
            (Phase::Working, TicketKind::Incident) => TicketState::InProgress,
            (Phase::Working, TicketKind::Request) => TicketState::Approved,
            (Phase::Held, _) => TicketState::OnHold,
            (Phase::Done, TicketKind::Incident) => TicketState::Resolved,
            (Phase::Done, TicketKind::Request) => TicketState::Fulfilled,
            (Phase::Closed, _) => TicketState::Closed,
        }
    }

    /// Every state a ticket of this kind can be in.
    pub fn states(kind: TicketKind) -> [TicketState; 5] {
        [
            Phase::Open,
            Phase::Working,
            Phase::Held,
            Phase::Done,
            Phase::Closed,
        ]
        .map(|p| p.state(kind))
    }
}

/// Something done to a ticket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    // The desk's actions.
    /// Take (to oneself) or assign to a person and/or group.
    Assign {
        group: Option<GroupRef>,
        assignee: Option<UserId>,
    },
    /// Start work (approve, for a request).
    Start,
    Hold {
        reason: HoldReason,
        note: String,
    },
    Resume,
    Resolve {
        code: ResolutionCode,
        text: String,
    },
    Close,
    Reply {
        body: String,
    },
    Note {
        body: String,
    },
    /// Functional escalation to a more specialised group.
    Escalate {
        group: GroupRef,
        reason: String,
    },
    /// Hierarchical escalation: tell the incident managers.
    EscalateToManagers {
        reason: String,
    },
    ChangeTriage {
        impact: Impact,
        urgency: Urgency,
        reason: String,
    },
    Recategorise {
        service: String,
        category: String,
    },
    DeclareMajor {
        reason: String,
    },
    /// A link to a known error, another incident or a major incident, described.
    Link {
        description: String,
    },
    /// An incident model: its category (described) and its triage; its checklist
    /// is added by the server.
    ApplyModel {
        name: String,
        impact: Impact,
        urgency: Urgency,
    },
    /// A checklist step ticked off (or unticked).
    Tick {
        step: String,
        done: bool,
    },
    // The reporter's actions.
    AddInformation {
        body: String,
    },
    AskForUpdate {
        body: String,
    },
    UserEscalation {
        reason: String,
    },
    ConfirmResolution,
    RejectResolution {
        reason: String,
    },
    Rate {
        score: u8,
        comment: String,
    },
    // Either side.
    Reopen {
        reason: String,
    },
    // The portal's own.
    AutoClose,
}

/// Who may see a history entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    Public,
    Internal,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Internal => "internal",
        }
    }
}

/// The history entry an accepted action writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// A stable name: `reply`, `note`, `state_changed`, `escalated`, …
    pub kind: &'static str,
    pub visibility: Visibility,
    /// What happened, in words (the reply itself, for a reply).
    pub body: String,
}

/// Periods the lifecycle counts, set by admins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LifecycleRules {
    /// A closed ticket may be reopened for this many days after closing.
    pub reopen_days: i64,
    /// A resolved ticket closes by itself after this many days.
    pub auto_close_days: i64,
}

impl Default for LifecycleRules {
    fn default() -> Self {
        LifecycleRules {
            reopen_days: 14,
            auto_close_days: 5,
        }
    }
}

/// Why an action was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// This actor may never take this action.
    NotYours,
    /// Not in the ticket's current state; says which state it is in.
    NotNow(TicketState),
    /// Something typed is missing or wrong.
    Invalid(&'static str),
    /// The period for reopening has passed.
    ReopenPeriodOver,
}

impl Refusal {
    pub fn message(&self) -> String {
        match self {
            Refusal::NotYours => "You cannot do that on this ticket.".into(),
            Refusal::NotNow(state) => format!(
                "That cannot be done while the ticket is {}.",
                state.label().to_lowercase()
            ),
            Refusal::Invalid(message) => (*message).into(),
            Refusal::ReopenPeriodOver => {
                "This ticket was closed too long ago to reopen. Please log a new one.".into()
            }
        }
    }
}

/// Decides `action` by `actor` on a ticket with `facts` at `now`.
pub fn decide(
    facts: &TicketFacts,
    actor: &Actor,
    action: &Action,
    now: DateTime<Utc>,
    rules: LifecycleRules,
) -> Result<(TicketFacts, Event), Refusal> {
    allowed(actor, action)?;
    let phase = Phase::of(facts.state);
    let mut next = facts.clone();
    let kind = facts.kind;
    let staff = matches!(actor, Actor::Staff { .. });
    let not_closed = || match phase {
        Phase::Closed => Err(Refusal::NotNow(facts.state)),
        _ => Ok(()),
    };
    let unresolved = || match phase {
        Phase::Done | Phase::Closed => Err(Refusal::NotNow(facts.state)),
        _ => Ok(()),
    };
    let event = match action {
        Action::Assign { group, assignee } => {
            unresolved()?;
            if group.is_none() && assignee.is_none() {
                return Err(Refusal::Invalid("Choose a person or a group to assign to."));
            }
            if group.is_none() && assignee == &facts.assignee {
                return Err(Refusal::Invalid("The ticket is already assigned to them."));
            }
            if let Some(group) = group {
                next.group = Some(*group);
            }
            next.assignee = *assignee;
            if assignee.is_some() && phase == Phase::Open {
                next.state = Phase::Working.state(kind);
                public("assigned", format!("Assigned: {}", next.state.label()))
            } else {
                internal("assigned", "Assigned".into())
            }
        }
        Action::Start => {
            if phase != Phase::Open {
                return Err(Refusal::NotNow(facts.state));
            }
            next.state = Phase::Working.state(kind);
            public("state_changed", next.state.label().into())
        }
        Action::Hold { reason, note } => {
            if !matches!(phase, Phase::Open | Phase::Working) {
                return Err(Refusal::NotNow(facts.state));
            }
            let note = text(note, 0, "")?;
            next.state = TicketState::OnHold;
            next.hold = Some(*reason);
            public(
                "on_hold",
                with_text(format!("On hold: {}", reason.label()), note),
            )
        }
        Action::Resume => {
            if phase != Phase::Held {
                return Err(Refusal::NotNow(facts.state));
            }
            next.state = Phase::Working.state(kind);
            next.hold = None;
            public("state_changed", next.state.label().into())
        }
        Action::Resolve { code, text: body } => {
            unresolved()?;
            let body = text(body, 1, "Describe the resolution or the workaround.")?;
            next.state = Phase::Done.state(kind);
            next.hold = None;
            next.resolved_at = Some(now);
            next.resolution = Some((*code, body.clone()));
            public("resolved", format!("{}: {}", code.label(), body))
        }
        Action::Close => {
            if phase != Phase::Done {
                return Err(Refusal::NotNow(facts.state));
            }
            next.state = TicketState::Closed;
            next.closed_at = Some(now);
            public("closed", "Closed".into())
        }
        Action::AutoClose => {
            let due = facts
                .resolved_at
                .is_some_and(|at| now >= at + Duration::days(rules.auto_close_days));
            if phase != Phase::Done || !due {
                return Err(Refusal::NotNow(facts.state));
            }
            next.state = TicketState::Closed;
            next.closed_at = Some(now);
            public(
                "closed",
                format!(
                    "Closed automatically {} days after it was resolved",
                    rules.auto_close_days
                ),
            )
        }
        Action::Reply { body } => {
            not_closed()?;
            public("reply", text(body, 1, "Write the reply.")?)
        }
        Action::Note { body } => {
            not_closed()?;
            internal("note", text(body, 1, "Write the note.")?)
        }
        Action::Escalate { group, reason } => {
            unresolved()?;
            let current = facts.group.map_or(1, |g| g.level);
            if group.level <= current {
                return Err(Refusal::Invalid(
                    "Escalate to a group of a higher support level.",
                ));
            }
            let reason = text(reason, 1, "Say why it needs a more specialised group.")?;
            next.group = Some(*group);
            next.assignee = None;
            internal(
                "escalated",
                format!("Escalated to level {}: {}", group.level, reason),
            )
        }
        Action::EscalateToManagers { reason } => {
            unresolved()?;
            let reason = text(reason, 1, "Say why the incident managers should know.")?;
            next.escalated = true;
            internal("escalated_to_managers", reason)
        }
        Action::ChangeTriage {
            impact,
            urgency,
            reason,
        } => {
            not_closed()?;
            if kind != TicketKind::Incident {
                return Err(Refusal::Invalid(
                    "Only incidents have an impact and urgency.",
                ));
            }
            if facts.impact == Some(*impact) && facts.urgency == Some(*urgency) {
                return Err(Refusal::Invalid("Impact and urgency are already set so."));
            }
            let reason = text(reason, 1, "Say why the impact or urgency changed.")?;
            next.impact = Some(*impact);
            next.urgency = Some(*urgency);
            internal(
                "triage_changed",
                format!(
                    "Impact {}, urgency {}: {}",
                    impact.as_str(),
                    urgency.as_str(),
                    reason
                ),
            )
        }
        Action::Recategorise { service, category } => {
            not_closed()?;
            internal("recategorised", format!("{service} / {category}"))
        }
        Action::DeclareMajor { reason } => {
            unresolved()?;
            if kind != TicketKind::Incident {
                return Err(Refusal::Invalid(
                    "Only an incident can be a major incident.",
                ));
            }
            if facts.major {
                return Err(Refusal::Invalid("This is already a major incident."));
            }
            let reason = text(reason, 1, "Say why this is a major incident.")?;
            next.major = true;
            next.escalated = true;
            public("major_declared", reason)
        }
        Action::Link { description } => {
            not_closed()?;
            internal("linked", description.clone())
        }
        Action::ApplyModel {
            name,
            impact,
            urgency,
        } => {
            unresolved()?;
            if kind != TicketKind::Incident {
                return Err(Refusal::Invalid("Incident models apply to incidents only."));
            }
            next.impact = Some(*impact);
            next.urgency = Some(*urgency);
            internal("model_applied", format!("Incident model: {name}"))
        }
        Action::Tick { step, done } => {
            unresolved()?;
            let what = if *done { "Done" } else { "Not done after all" };
            internal("checklist", format!("{what}: {step}"))
        }
        Action::AddInformation { body } => {
            not_closed()?;
            let body = text(body, 1, "Write the information to add.")?;
            if facts.hold == Some(HoldReason::AwaitingUser) {
                next.state = Phase::Working.state(kind);
                next.hold = None;
            }
            public("user_information", body)
        }
        Action::AskForUpdate { body } => {
            not_closed()?;
            public("status_inquiry", text(body, 0, "")?)
        }
        Action::UserEscalation { reason } => {
            unresolved()?;
            let reason = text(reason, 1, "Tell us why this needs more urgency.")?;
            next.escalated = true;
            public("user_escalation", reason)
        }
        Action::ConfirmResolution => {
            if phase != Phase::Done {
                return Err(Refusal::NotNow(facts.state));
            }
            next.state = TicketState::Closed;
            next.closed_at = Some(now);
            public(
                "resolution_confirmed",
                "The user confirmed the resolution".into(),
            )
        }
        Action::RejectResolution { reason } => {
            if phase != Phase::Done {
                return Err(Refusal::NotNow(facts.state));
            }
            let reason = text(reason, 1, "Tell us what is still wrong.")?;
            reopen(&mut next);
            public("resolution_rejected", reason)
        }
        Action::Rate { score, comment } => {
            if !matches!(phase, Phase::Done | Phase::Closed) {
                return Err(Refusal::NotNow(facts.state));
            }
            if !(1..=5).contains(score) {
                return Err(Refusal::Invalid("Choose a rating from 1 to 5."));
            }
            if facts.rating.is_some() {
                return Err(Refusal::Invalid("You have already rated this ticket."));
            }
            let comment = text(comment, 0, "")?;
            next.rating = Some(*score);
            public("rated", with_text(format!("Rated {score} of 5"), comment))
        }
        Action::Reopen { reason } => {
            if phase != Phase::Closed {
                return Err(Refusal::NotNow(facts.state));
            }
            let open_until = facts
                .closed_at
                .map(|at| at + Duration::days(rules.reopen_days));
            if open_until.is_none_or(|until| now > until) {
                return Err(Refusal::ReopenPeriodOver);
            }
            let reason = text(reason, 1, "Say why the ticket is reopened.")?;
            reopen(&mut next);
            next.closed_at = None;
            public("reopened", reason)
        }
    };
    let responds = Phase::of(next.state) != Phase::Open || event.visibility == Visibility::Public;
    if staff && responds && next.responded_at.is_none() {
        next.responded_at = Some(now);
    }
    debug_assert!(next.is_consistent(), "{facts:?} + {action:?} gave {next:?}");
    Ok((next, event))
}

/// Refuses an action its actor may never take, whatever the state.
fn allowed(actor: &Actor, action: &Action) -> Result<(), Refusal> {
    let by_reporter = matches!(
        action,
        Action::AddInformation { .. }
            | Action::AskForUpdate { .. }
            | Action::UserEscalation { .. }
            | Action::ConfirmResolution
            | Action::RejectResolution { .. }
            | Action::Rate { .. }
    );
    let ok = match actor {
        Actor::System => matches!(action, Action::AutoClose),
        Actor::Reporter { .. } => by_reporter || matches!(action, Action::Reopen { .. }),
        Actor::Staff { .. } => !by_reporter && !matches!(action, Action::AutoClose),
    };
    if ok {
        Ok(())
    } else {
        Err(Refusal::NotYours)
    }
}

/// Back to work after a rejected resolution or a reopening.
fn reopen(next: &mut TicketFacts) {
    next.state = Phase::Working.state(next.kind);
    next.hold = None;
    next.resolved_at = None;
    next.resolution = None;
    next.rating = None;
}

/// The text of a reply, note or reason: trimmed, at least `min` characters, at most
/// [`MAX_TEXT_CHARS`].
fn text(raw: &str, min: usize, missing: &'static str) -> Result<String, Refusal> {
    let trimmed = raw.trim();
    let chars = trimmed.chars().count();
    if chars < min {
        return Err(Refusal::Invalid(missing));
    }
    if chars > MAX_TEXT_CHARS {
        return Err(Refusal::Invalid(
            "That text is too long: at most 10,000 characters.",
        ));
    }
    Ok(trimmed.to_string())
}

fn with_text(head: String, text: String) -> String {
    if text.is_empty() {
        head
    } else {
        format!("{head}: {text}")
    }
}

fn public(kind: &'static str, body: String) -> Event {
    Event {
        kind,
        visibility: Visibility::Public,
        body,
    }
}

fn internal(kind: &'static str, body: String) -> Event {
    Event {
        kind,
        visibility: Visibility::Internal,
        body,
    }
}

/// An action as a form sends it: its name and whatever fields it needs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WorkForm {
    pub action: String,
    pub body: Option<String>,
    pub reason: Option<String>,
    pub code: Option<String>,
    pub hold: Option<String>,
    pub impact: Option<String>,
    pub urgency: Option<String>,
    /// 1 to 5, as typed.
    pub score: Option<String>,
    /// The ticket's version as its author saw it.
    pub version: Option<String>,
    // What the server resolves into records: ids and numbers, as typed.
    pub group: Option<String>,
    pub assignee: Option<String>,
    pub category: Option<String>,
    pub model: Option<String>,
    /// A checklist step's position, and whether it is now done ("on").
    pub step: Option<String>,
    pub done: Option<String>,
    pub link_kind: Option<String>,
    /// A ticket number, or a known error's address or slug.
    pub link_target: Option<String>,
}

impl WorkForm {
    fn text(field: &Option<String>) -> String {
        field.clone().unwrap_or_default()
    }

    /// The ticket version the form was filled in against.
    pub fn seen_version(&self) -> Option<i64> {
        self.version.as_deref().and_then(|v| v.trim().parse().ok())
    }

    /// What was typed into `field`, if this form was sent for one of `actions`:
    /// to fill that form again when the page comes back with a problem.
    pub fn typed_for(&self, actions: &[&str], field: fn(&WorkForm) -> &Option<String>) -> String {
        if actions.contains(&self.action.as_str()) {
            Self::text(field(self))
        } else {
            String::new()
        }
    }

    /// The reporter's action this form asks for.
    pub fn reporter_action(&self) -> Result<Action, Refusal> {
        let body = Self::text(&self.body);
        let reason = Self::text(&self.reason);
        Ok(match self.action.as_str() {
            "add_information" => Action::AddInformation { body },
            "ask_for_update" => Action::AskForUpdate { body },
            "escalate" => Action::UserEscalation { reason },
            "confirm" => Action::ConfirmResolution,
            "reject" => Action::RejectResolution { reason },
            "rate" => Action::Rate {
                score: self
                    .score
                    .as_deref()
                    .and_then(|s| s.trim().parse().ok())
                    .ok_or(Refusal::Invalid("Choose a rating from 1 to 5."))?,
                comment: body,
            },
            "reopen" => Action::Reopen { reason },
            _ => return Err(Refusal::Invalid("That is not something you can do here.")),
        })
    }

    /// The desk's action this form asks for, apart from those that name a group or
    /// a person (the server resolves those).
    pub fn staff_action(&self) -> Result<Action, Refusal> {
        let body = Self::text(&self.body);
        let reason = Self::text(&self.reason);
        Ok(match self.action.as_str() {
            "start" => Action::Start,
            "hold" => Action::Hold {
                reason: self
                    .hold
                    .as_deref()
                    .and_then(HoldReason::parse)
                    .ok_or(Refusal::Invalid("Say what the ticket is waiting for."))?,
                note: body,
            },
            "resume" => Action::Resume,
            "resolve" => Action::Resolve {
                code: self
                    .code
                    .as_deref()
                    .and_then(ResolutionCode::parse)
                    .ok_or(Refusal::Invalid("Choose a resolution code."))?,
                text: body,
            },
            "close" => Action::Close,
            "reply" => Action::Reply { body },
            "note" => Action::Note { body },
            "escalate_to_managers" => Action::EscalateToManagers { reason },
            "change_triage" => Action::ChangeTriage {
                impact: self
                    .impact
                    .as_deref()
                    .and_then(Impact::parse)
                    .ok_or(Refusal::Invalid("Choose the impact."))?,
                urgency: self
                    .urgency
                    .as_deref()
                    .and_then(Urgency::parse)
                    .ok_or(Refusal::Invalid("Choose the urgency."))?,
                reason,
            },
            "declare_major" => Action::DeclareMajor { reason },
            "reopen" => Action::Reopen { reason },
            _ => return Err(Refusal::Invalid("That is not something you can do here.")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap() + Duration::minutes(minutes)
    }

    fn agent() -> Actor {
        Actor::Staff {
            id: UserId(7),
            name: "Ada Agent".into(),
        }
    }

    fn reporter() -> Actor {
        Actor::Reporter {
            name: "Rita Reporter".into(),
        }
    }

    fn run(facts: &TicketFacts, actor: &Actor, action: Action, minute: i64) -> TicketFacts {
        decide(facts, actor, &action, at(minute), LifecycleRules::default())
            .unwrap_or_else(|r| panic!("{action:?} refused: {r:?}"))
            .0
    }

    fn incident() -> TicketFacts {
        TicketFacts::new(TicketKind::Incident, Some(Impact::Low), Some(Urgency::High))
    }

    #[test]
    fn an_incident_goes_from_new_to_closed_by_the_users_confirmation() {
        let mut t = incident();
        t = run(
            &t,
            &agent(),
            Action::Assign {
                group: None,
                assignee: Some(UserId(7)),
            },
            1,
        );
        assert_eq!(
            (t.state, t.responded_at),
            (TicketState::InProgress, Some(at(1)))
        );
        t = run(
            &t,
            &agent(),
            Action::Hold {
                reason: HoldReason::AwaitingUser,
                note: "Which laptop?".into(),
            },
            2,
        );
        assert_eq!(t.state, TicketState::OnHold);
        t = run(
            &t,
            &reporter(),
            Action::AddInformation {
                body: "The grey one".into(),
            },
            3,
        );
        assert_eq!((t.state, t.hold), (TicketState::InProgress, None));
        t = run(
            &t,
            &agent(),
            Action::Resolve {
                code: ResolutionCode::Fixed,
                text: "Replaced the dock".into(),
            },
            4,
        );
        assert_eq!(t.state, TicketState::Resolved);
        t = run(&t, &reporter(), Action::ConfirmResolution, 5);
        assert_eq!((t.state, t.closed_at), (TicketState::Closed, Some(at(5))));
    }

    #[test]
    fn a_request_is_approved_then_fulfilled() {
        let mut t = TicketFacts::new(TicketKind::Request, None, None);
        assert_eq!(t.state, TicketState::Submitted);
        t = run(&t, &agent(), Action::Start, 1);
        assert_eq!(t.state, TicketState::Approved);
        t = run(
            &t,
            &agent(),
            Action::Resolve {
                code: ResolutionCode::Fixed,
                text: "Access granted".into(),
            },
            2,
        );
        assert_eq!(t.state, TicketState::Fulfilled);
    }

    #[test]
    fn a_closed_ticket_comes_back_only_by_reopening_within_the_period() {
        let mut t = incident();
        t = run(
            &t,
            &agent(),
            Action::Resolve {
                code: ResolutionCode::Advice,
                text: "Restart".into(),
            },
            0,
        );
        t = run(&t, &agent(), Action::Close, 0);
        let reply = Action::Reply {
            body: "Hello?".into(),
        };
        let refused = decide(&t, &agent(), &reply, at(1), LifecycleRules::default());
        assert_eq!(refused.unwrap_err(), Refusal::NotNow(TicketState::Closed));
        let reopen = Action::Reopen {
            reason: "It broke again".into(),
        };
        let late = at(14 * 24 * 60 + 1);
        let refused = decide(&t, &reporter(), &reopen, late, LifecycleRules::default());
        assert_eq!(refused.unwrap_err(), Refusal::ReopenPeriodOver);
        let t = run(&t, &reporter(), reopen, 14 * 24 * 60);
        assert_eq!(
            (t.state, t.resolution, t.closed_at),
            (TicketState::InProgress, None, None)
        );
    }

    #[test]
    fn automatic_closing_waits_for_the_configured_days() {
        let t = run(
            &incident(),
            &agent(),
            Action::Resolve {
                code: ResolutionCode::Fixed,
                text: "Done".into(),
            },
            0,
        );
        let early = decide(
            &t,
            &Actor::System,
            &Action::AutoClose,
            at(5 * 24 * 60 - 1),
            LifecycleRules::default(),
        );
        assert_eq!(early.unwrap_err(), Refusal::NotNow(TicketState::Resolved));
        let (closed, event) = decide(
            &t,
            &Actor::System,
            &Action::AutoClose,
            at(5 * 24 * 60),
            LifecycleRules::default(),
        )
        .unwrap();
        assert_eq!(closed.state, TicketState::Closed);
        assert_eq!(event.kind, "closed");
    }

    #[test]
    fn functional_escalation_only_goes_up_a_level_and_frees_the_ticket() {
        let second = GroupRef {
            id: GroupId(2),
            level: 2,
        };
        let mut t = run(
            &incident(),
            &agent(),
            Action::Assign {
                group: Some(GroupRef {
                    id: GroupId(1),
                    level: 1,
                }),
                assignee: Some(UserId(7)),
            },
            0,
        );
        t = run(
            &t,
            &agent(),
            Action::Escalate {
                group: second,
                reason: "Needs network access".into(),
            },
            1,
        );
        assert_eq!((t.group, t.assignee), (Some(second), None));
        let down = Action::Escalate {
            group: GroupRef {
                id: GroupId(1),
                level: 1,
            },
            reason: "Back".into(),
        };
        assert!(matches!(
            decide(&t, &agent(), &down, at(2), LifecycleRules::default()),
            Err(Refusal::Invalid(_))
        ));
    }

    #[test]
    fn each_side_keeps_to_its_own_actions() {
        let t = incident();
        let rate = Action::Rate {
            score: 5,
            comment: String::new(),
        };
        assert_eq!(
            decide(&t, &agent(), &rate, at(0), LifecycleRules::default()).unwrap_err(),
            Refusal::NotYours
        );
        let note = Action::Note {
            body: "Internal".into(),
        };
        assert_eq!(
            decide(&t, &reporter(), &note, at(0), LifecycleRules::default()).unwrap_err(),
            Refusal::NotYours
        );
        assert_eq!(
            decide(&t, &Actor::System, &note, at(0), LifecycleRules::default()).unwrap_err(),
            Refusal::NotYours
        );
    }

    fn any_text() -> impl Strategy<Value = String> {
        prop_oneof![Just(String::new()), Just("   ".to_string()), "[a-z ]{1,20}"]
    }

    fn any_group() -> impl Strategy<Value = GroupRef> {
        (1i64..4, 1u8..4).prop_map(|(id, level)| GroupRef {
            id: GroupId(id),
            level,
        })
    }

    fn any_action() -> impl Strategy<Value = Action> {
        prop_oneof![
            (
                proptest::option::of(any_group()),
                proptest::option::of((1i64..4).prop_map(UserId))
            )
                .prop_map(|(group, assignee)| Action::Assign { group, assignee }),
            Just(Action::Start),
            (prop::sample::select(HoldReason::ALL.to_vec()), any_text())
                .prop_map(|(reason, note)| Action::Hold { reason, note }),
            Just(Action::Resume),
            (
                prop::sample::select(ResolutionCode::ALL.to_vec()),
                any_text()
            )
                .prop_map(|(code, text)| Action::Resolve { code, text }),
            Just(Action::Close),
            any_text().prop_map(|body| Action::Reply { body }),
            any_text().prop_map(|body| Action::Note { body }),
            (any_group(), any_text())
                .prop_map(|(group, reason)| Action::Escalate { group, reason }),
            any_text().prop_map(|reason| Action::EscalateToManagers { reason }),
            (
                prop::sample::select(Impact::ALL.to_vec()),
                prop::sample::select(Urgency::ALL.to_vec()),
                any_text()
            )
                .prop_map(|(impact, urgency, reason)| Action::ChangeTriage {
                    impact,
                    urgency,
                    reason
                }),
            Just(Action::Recategorise {
                service: "VPN".into(),
                category: "Client".into()
            }),
            any_text().prop_map(|reason| Action::DeclareMajor { reason }),
            Just(Action::Link {
                description: "Known error KE-1".into()
            }),
            (
                prop::sample::select(Impact::ALL.to_vec()),
                prop::sample::select(Urgency::ALL.to_vec())
            )
                .prop_map(|(impact, urgency)| Action::ApplyModel {
                    name: "VPN outage".into(),
                    impact,
                    urgency
                }),
            any::<bool>().prop_map(|done| Action::Tick {
                step: "Check the logs".into(),
                done
            }),
            any_text().prop_map(|body| Action::AddInformation { body }),
            any_text().prop_map(|body| Action::AskForUpdate { body }),
            any_text().prop_map(|reason| Action::UserEscalation { reason }),
            Just(Action::ConfirmResolution),
            any_text().prop_map(|reason| Action::RejectResolution { reason }),
            (0u8..7, any_text()).prop_map(|(score, comment)| Action::Rate { score, comment }),
            any_text().prop_map(|reason| Action::Reopen { reason }),
            Just(Action::AutoClose),
        ]
    }

    fn any_actor() -> impl Strategy<Value = Actor> {
        prop_oneof![Just(agent()), Just(reporter()), Just(Actor::System)]
    }

    fn any_start() -> impl Strategy<Value = TicketFacts> {
        prop_oneof![
            Just(TicketFacts::new(TicketKind::Request, None, None)),
            (
                prop::sample::select(Impact::ALL.to_vec()),
                prop::sample::select(Urgency::ALL.to_vec())
            )
                .prop_map(|(i, u)| TicketFacts::new(
                    TicketKind::Incident,
                    Some(i),
                    Some(u)
                )),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Random actions by random actors, hours or days apart: every ticket stays
        /// consistent, a refusal changes nothing, and only the reporter's own actions
        /// and the desk's are accepted from each.
        #[test]
        fn random_work_never_reaches_an_invalid_ticket(
            start in any_start(),
            steps in prop::collection::vec((any_actor(), any_action(), 0i64..(3 * 24 * 60)), 1..40),
        ) {
            let mut facts = start;
            let mut minute = 0;
            for (actor, action, gap) in steps {
                minute += gap;
                match decide(&facts, &actor, &action, at(minute), LifecycleRules::default()) {
                    Ok((next, event)) => {
                        prop_assert!(next.is_consistent(), "{facts:?} + {action:?} -> {next:?}");
                        prop_assert!(!event.kind.is_empty());
                        if matches!(actor, Actor::Reporter { .. }) {
                            prop_assert_eq!((next.group, next.assignee), (facts.group, facts.assignee));
                            prop_assert_eq!((next.impact, next.urgency), (facts.impact, facts.urgency));
                        }
                        if actor == Actor::System {
                            prop_assert_eq!(next.state, TicketState::Closed);
                        }
                        if event.visibility == Visibility::Internal {
                            prop_assert_eq!(next.state, facts.state);
                        }
                        facts = next;
                    }
                    Err(refusal) => prop_assert!(!refusal.message().is_empty()),
                }
            }
        }
    }
}
