//! The logging form: what a user typed, and its validation into a [`NewTicket`].

use super::text::{clean_line, clean_text};
use super::{CategoryId, Impact, TicketKind, Urgency};
use serde::{Deserialize, Serialize};

/// A field of a form (logging, accounts); its name is the form control's `name`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Name,
    Email,
    Phone,
    Service,
    Category,
    Summary,
    Description,
    Impact,
    Urgency,
    Password,
    CurrentPassword,
    NewPassword,
    ConfirmPassword,
    Role,
    Title,
    Severity,
    Services,
    Experience,
    Audience,
    StartsAt,
    Restoration,
    Major,
    Body,
    /// The files attached to a form.
    Files,
    TimeZone,
}

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Service => "service",
            Field::Category => "category",
            Field::Summary => "summary",
            Field::Description => "description",
            Field::Impact => "impact",
            Field::Urgency => "urgency",
            Field::Password => "password",
            Field::CurrentPassword => "current_password",
            Field::NewPassword => "new_password",
            Field::ConfirmPassword => "confirm_password",
            Field::Role => "role",
            Field::Title => "title",
            Field::Severity => "severity",
            Field::Services => "services",
            Field::Experience => "experience",
            Field::Audience => "audience",
            Field::StartsAt => "starts_at",
            Field::Restoration => "restoration",
            Field::Major => "major",
            Field::Body => "body",
            Field::Files => "files",
            Field::TimeZone => "time_zone",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: Field,
    pub message: String,
}

/// Every problem found in one submission, at most one per field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn add(&mut self, field: Field, message: impl Into<String>) {
        if self.get(field).is_none() {
            self.0.push(FieldError {
                field,
                message: message.into(),
            });
        }
    }

    pub fn get(&self, field: Field) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Puts the problems in the order their fields have on the form (fields not
    /// named keep their place after those named), so the error summary reads
    /// like the form.
    pub fn in_form_order(mut self, order: &[Field]) -> Self {
        let rank = |field: Field| {
            order
                .iter()
                .position(|f| *f == field)
                .unwrap_or(order.len())
        };
        self.0.sort_by_key(|e| rank(e.field));
        self
    }

    /// (input id, message) pairs, for [`crate::components::ErrorSummary`].
    pub fn items(&self) -> Vec<(String, String)> {
        self.0
            .iter()
            .map(|e| (e.field.name().to_string(), e.message.clone()))
            .collect()
    }
}

pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_EMAIL_CHARS: usize = 254;
pub const MAX_PHONE_CHARS: usize = 40;
pub const SUMMARY_CHARS: std::ops::RangeInclusive<usize> = 5..=150;
pub const DESCRIPTION_CHARS: std::ops::RangeInclusive<usize> = 10..=10_000;

/// The logging form exactly as typed, so that it can be shown again unchanged when
/// something in it needs fixing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TicketForm {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub service: String,
    pub category: String,
    pub summary: String,
    pub description: String,
    pub impact: String,
    pub urgency: String,
    /// "This is my problem too": the number of an ongoing major incident to
    /// follow instead of logging a duplicate.
    pub join: String,
}

impl TicketForm {
    /// The name and address of someone attaching themselves to a major incident:
    /// the only fields that step needs.
    pub fn follower(&self) -> Result<(String, String), FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = parse_person_name(&mut errors, &self.name);
        let email = parse_email(&mut errors, &self.email);
        if errors.is_empty() {
            Ok((name, email))
        } else {
            Err(errors)
        }
    }
}

/// Who reported a ticket and how to reach them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reporter {
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
}

/// A ticket that passed validation of its own fields. Whether the service and
/// category exist is checked against the catalogue by the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTicket {
    pub kind: TicketKind,
    pub reporter: Reporter,
    pub service_slug: String,
    pub category_id: CategoryId,
    pub summary: String,
    pub description: String,
    /// Set for incidents, absent for service requests.
    pub triage: Option<(Impact, Urgency)>,
}

impl TicketForm {
    /// The fields in the order the logging form shows them.
    pub const FIELDS_IN_ORDER: [Field; 10] = [
        Field::Impact,
        Field::Urgency,
        Field::Service,
        Field::Category,
        Field::Summary,
        Field::Description,
        Field::Files,
        Field::Name,
        Field::Email,
        Field::Phone,
    ];
}

impl NewTicket {
    /// Checks every field and reports every problem at once, in the form's order.
    pub fn parse(kind: TicketKind, form: &TicketForm) -> Result<NewTicket, FieldErrors> {
        let mut errors = FieldErrors::default();

        let name = parse_person_name(&mut errors, &form.name);
        let email = parse_email(&mut errors, &form.email);

        let phone = clean_line(&form.phone);
        if phone.chars().count() > MAX_PHONE_CHARS {
            errors.add(
                Field::Phone,
                format!("The phone number must be {MAX_PHONE_CHARS} characters or fewer."),
            );
        } else if !phone.is_empty() && !looks_like_phone(&phone) {
            errors.add(
                Field::Phone,
                "Enter a phone number using digits, spaces, +, -, ( ) and an optional extension.",
            );
        }

        let service_slug = form.service.trim().to_string();
        if service_slug.is_empty() {
            errors.add(Field::Service, "Choose the service this is about.");
        }

        let category_id = match form.category.trim().parse::<i64>() {
            Ok(id) if id > 0 => Some(CategoryId(id)),
            _ => {
                errors.add(Field::Category, "Choose a category.");
                None
            }
        };

        let summary = clean_line(&form.summary);
        check_length(
            &mut errors,
            Field::Summary,
            &summary,
            SUMMARY_CHARS,
            "Describe the issue in a few words.",
            "summary",
        );

        let description = clean_text(&form.description);
        check_length(
            &mut errors,
            Field::Description,
            &description,
            DESCRIPTION_CHARS,
            "Tell us what happened, what you expected, and any error message you saw.",
            "description",
        );

        let triage = match kind {
            TicketKind::Request => None,
            TicketKind::Incident => {
                let impact = Impact::parse(form.impact.trim());
                if impact.is_none() {
                    errors.add(Field::Impact, "Choose who is affected.");
                }
                let urgency = Urgency::parse(form.urgency.trim());
                if urgency.is_none() {
                    errors.add(Field::Urgency, "Choose how this affects your work.");
                }
                impact.zip(urgency)
            }
        };

        match category_id {
            Some(category_id) if errors.is_empty() => Ok(NewTicket {
                kind,
                reporter: Reporter {
                    name,
                    email,
                    phone: (!phone.is_empty()).then_some(phone),
                },
                service_slug,
                category_id,
                summary,
                description,
                triage,
            }),
            _ => Err(errors.in_form_order(&TicketForm::FIELDS_IN_ORDER)),
        }
    }
}

/// A person's name: required, one line, at most [`MAX_NAME_CHARS`].
pub(crate) fn parse_person_name(errors: &mut FieldErrors, raw: &str) -> String {
    let name = clean_line(raw);
    if name.is_empty() {
        errors.add(Field::Name, "Enter your name.");
    } else if name.chars().count() > MAX_NAME_CHARS {
        errors.add(
            Field::Name,
            format!("Your name must be {MAX_NAME_CHARS} characters or fewer."),
        );
    }
    name
}

/// An e-mail address: required, plausible, at most [`MAX_EMAIL_CHARS`].
pub(crate) fn parse_email(errors: &mut FieldErrors, raw: &str) -> String {
    let email = clean_line(raw);
    if email.is_empty() {
        errors.add(Field::Email, "Enter your e-mail address.");
    } else if email.chars().count() > MAX_EMAIL_CHARS || !looks_like_email(&email) {
        errors.add(
            Field::Email,
            "Enter an e-mail address in the form name@example.com.",
        );
    }
    email
}

pub(super) fn check_length(
    errors: &mut FieldErrors,
    field: Field,
    value: &str,
    allowed: std::ops::RangeInclusive<usize>,
    when_empty: &str,
    what: &str,
) {
    let n = value.chars().count();
    if n == 0 {
        errors.add(field, when_empty);
    } else if n < *allowed.start() {
        errors.add(
            field,
            format!(
                "The {what} is too short: use at least {} characters.",
                allowed.start()
            ),
        );
    } else if n > *allowed.end() {
        errors.add(
            field,
            format!(
                "The {what} is too long: use at most {} characters (it has {n}).",
                allowed.end()
            ),
        );
    }
}

/// A deliberately plain check: one `@`, something before it, a dotted domain after it,
/// no spaces. Whether the address really exists only a message to it can tell.
fn looks_like_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    let labels: Vec<&str> = domain.split('.').collect();
    !local.is_empty()
        && local.chars().count() <= 64
        && !local.contains('@')
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c == '<' || c == '>')
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

fn looks_like_phone(phone: &str) -> bool {
    let lower = phone.to_lowercase();
    let digits = lower.chars().filter(|c| c.is_ascii_digit()).count();
    let rest = lower.replace("ext.", "").replace("ext", "");
    digits >= 3
        && rest
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()./x".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid_form() -> TicketForm {
        TicketForm {
            name: "Ada Lovelace".into(),
            email: "ada@example.com".into(),
            phone: "+44 20 7946 0000 ext. 12".into(),
            service: "email".into(),
            category: "3".into(),
            summary: "Outlook keeps asking for my password".into(),
            description: "Since this morning Outlook prompts for my password every minute.".into(),
            impact: "low".into(),
            urgency: "medium".into(),
            join: String::new(),
        }
    }

    #[test]
    fn a_complete_incident_parses() {
        let t = NewTicket::parse(TicketKind::Incident, &valid_form()).expect("valid");
        assert_eq!(t.triage, Some((Impact::Low, Urgency::Medium)));
        assert_eq!(t.category_id, CategoryId(3));
        assert_eq!(
            t.reporter.phone.as_deref(),
            Some("+44 20 7946 0000 ext. 12")
        );
    }

    #[test]
    fn a_request_needs_no_triage() {
        let form = TicketForm {
            impact: String::new(),
            urgency: String::new(),
            ..valid_form()
        };
        let t = NewTicket::parse(TicketKind::Request, &form).expect("valid");
        assert_eq!(t.triage, None);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let errors = NewTicket::parse(TicketKind::Incident, &TicketForm::default()).unwrap_err();
        for field in [
            Field::Name,
            Field::Email,
            Field::Service,
            Field::Category,
            Field::Summary,
            Field::Description,
            Field::Impact,
            Field::Urgency,
        ] {
            assert!(errors.get(field).is_some(), "{field:?} should be reported");
        }
        assert!(errors.get(Field::Phone).is_none());
        // Listed as the form shows them: the two questions first, the person last.
        let order: Vec<Field> = errors.0.iter().map(|e| e.field).collect();
        assert_eq!(
            order,
            [
                Field::Impact,
                Field::Urgency,
                Field::Service,
                Field::Category,
                Field::Summary,
                Field::Description,
                Field::Name,
                Field::Email,
            ]
        );
    }

    #[test]
    fn malformed_email_addresses_are_refused() {
        for bad in [
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada@@example.com",
            "a da@example.com",
            "ada@-example.com",
            "<script>@x.y",
        ] {
            let form = TicketForm {
                email: bad.into(),
                ..valid_form()
            };
            let errors = NewTicket::parse(TicketKind::Incident, &form).unwrap_err();
            assert!(errors.get(Field::Email).is_some(), "{bad} accepted");
        }
    }

    #[test]
    fn lengths_are_counted_in_characters() {
        let form = TicketForm {
            summary: "é".repeat(150),
            ..valid_form()
        };
        assert!(NewTicket::parse(TicketKind::Incident, &form).is_ok());
        let form = TicketForm {
            summary: "é".repeat(151),
            ..valid_form()
        };
        let errors = NewTicket::parse(TicketKind::Incident, &form).unwrap_err();
        assert!(errors.get(Field::Summary).unwrap().contains("at most 150"));
    }
}
