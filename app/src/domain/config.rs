//! The admin's configuration of who works tickets and how: assignment groups with
//! their members, and incident models (templates with a checklist of steps). Each
//! form is read here into checked values, or into messages by input; whatever
//! needs the database (unique names, existing categories, staff accounts) is
//! checked by the server in the transaction that saves.

use super::{
    clean_line, form_value, CategoryId, GroupId, Impact, ModelId, NamedErrors, Service, Urgency,
    UserId,
};
use serde::{Deserialize, Serialize};

/// The levels of support: 1st (service desk), 2nd (technical), 3rd (specialists).
pub const GROUP_LEVELS: [(u8, &str); 3] = [
    (1, "1st level (service desk)"),
    (2, "2nd level (technical support)"),
    (3, "3rd level (specialists and suppliers)"),
];
/// At most this many steps in one incident model's checklist.
pub const MAX_MODEL_STEPS: usize = 30;

/// A configured record's `name`: one line of 1 to 100 characters, else a
/// message at its input.
pub(super) fn record_name(
    fields: &[(String, String)],
    errors: &mut NamedErrors,
    what: &str,
) -> String {
    let name = clean_line(form_value(fields, "name"));
    if name.is_empty() || name.chars().count() > 100 {
        errors.add(
            "name",
            format!("Give the {what} a name of 1 to 100 characters."),
        );
    }
    name
}

/// An assignment group as the admin sees and edits it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupConfig {
    pub id: GroupId,
    pub name: String,
    pub level: u8,
    /// Member account ids.
    pub members: Vec<UserId>,
    /// Members are e-mailed about each new ticket in the group.
    pub mail_new_tickets: bool,
    /// Tickets assigned to the group and not yet resolved.
    pub open_tickets: i64,
}

impl GroupConfig {
    /// The form's inputs filled in with what is saved.
    pub fn fields(&self) -> Vec<(String, String)> {
        let mut fields = vec![
            ("name".to_string(), self.name.clone()),
            ("level".to_string(), self.level.to_string()),
        ];
        if self.mail_new_tickets {
            fields.push(("mail_new_tickets".to_string(), "on".to_string()));
        }
        fields.extend(
            self.members
                .iter()
                .map(|m| ("member".to_string(), m.to_string())),
        );
        fields
    }
}

/// An agent or admin, who may belong to groups.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub active: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupsOverview {
    pub groups: Vec<GroupConfig>,
    pub staff: Vec<StaffMember>,
}

/// A group as typed: its name, level and members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupFields {
    pub name: String,
    pub level: u8,
    pub members: Vec<UserId>,
    pub mail_new_tickets: bool,
}

/// Reads a group form: `name`, `level` (1–3), `member` repeated (account ids),
/// `mail_new_tickets` (`on` when ticked).
pub fn parse_group(fields: &[(String, String)]) -> Result<GroupFields, NamedErrors> {
    let mut errors = NamedErrors::default();
    let name = record_name(fields, &mut errors, "group");
    let level = form_value(fields, "level").trim().parse::<u8>().ok();
    let level = match level.filter(|l| GROUP_LEVELS.iter().any(|(n, _)| n == l)) {
        Some(level) => level,
        None => {
            errors.add(
                "level",
                "Choose the group's level of support: 1st, 2nd or 3rd.",
            );
            0
        }
    };
    let mut members = Vec::new();
    for (_, raw) in fields.iter().filter(|(k, _)| k == "member") {
        match raw.trim().parse::<UserId>() {
            Ok(id) if !members.contains(&id) => members.push(id),
            Ok(_) => {}
            Err(_) => errors.add("members", "Choose members from the list."),
        }
    }
    if errors.is_empty() {
        Ok(GroupFields {
            name,
            level,
            members,
            mail_new_tickets: form_value(fields, "mail_new_tickets") == "on",
        })
    } else {
        Err(errors)
    }
}

/// An incident model as the admin sees and edits it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelConfig {
    pub id: ModelId,
    pub name: String,
    pub category_id: CategoryId,
    pub impact: Impact,
    pub urgency: Urgency,
    pub active: bool,
    pub steps: Vec<String>,
}

impl ModelConfig {
    /// The form's inputs filled in with what is saved.
    pub fn fields(&self) -> Vec<(String, String)> {
        let mut fields = vec![
            ("name".to_string(), self.name.clone()),
            ("category".to_string(), self.category_id.to_string()),
            ("impact".to_string(), self.impact.as_str().to_string()),
            ("urgency".to_string(), self.urgency.as_str().to_string()),
            ("steps".to_string(), self.steps.join("\n")),
        ];
        if self.active {
            fields.push(("active".to_string(), "on".to_string()));
        }
        fields
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelsOverview {
    pub models: Vec<ModelConfig>,
    /// Every service with its categories, to choose a model's category from.
    pub services: Vec<Service>,
}

/// An incident model as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelFields {
    pub name: String,
    pub category_id: CategoryId,
    pub impact: Impact,
    pub urgency: Urgency,
    pub active: bool,
    pub steps: Vec<String>,
}

/// Reads a model form: `name`, `category` (id), `impact`, `urgency`, `active`
/// ("on" when ticked), `steps` (one per line, in order).
pub fn parse_model(fields: &[(String, String)]) -> Result<ModelFields, NamedErrors> {
    let mut errors = NamedErrors::default();
    let name = record_name(fields, &mut errors, "model");
    let category_id = form_value(fields, "category")
        .trim()
        .parse::<CategoryId>()
        .ok();
    if category_id.is_none() {
        errors.add("category", "Choose the category the model sets.");
    }
    let impact = Impact::parse(form_value(fields, "impact"));
    if impact.is_none() {
        errors.add("impact", "Choose the impact: low, medium or high.");
    }
    let urgency = Urgency::parse(form_value(fields, "urgency"));
    if urgency.is_none() {
        errors.add("urgency", "Choose the urgency: low, medium or high.");
    }
    let steps: Vec<String> = form_value(fields, "steps")
        .lines()
        .map(clean_line)
        .filter(|s| !s.is_empty())
        .collect();
    if steps.is_empty() {
        errors.add(
            "steps",
            "Give at least one step of the checklist, one per line.",
        );
    } else if steps.len() > MAX_MODEL_STEPS {
        errors.add(
            "steps",
            format!("Keep the checklist to {MAX_MODEL_STEPS} steps."),
        );
    } else if let Some(long) = steps.iter().position(|s| s.chars().count() > 300) {
        errors.add(
            "steps",
            format!(
                "Step {} is too long: keep each step to 300 characters.",
                long + 1
            ),
        );
    }
    match (category_id, impact, urgency) {
        (Some(category_id), Some(impact), Some(urgency)) if errors.is_empty() => Ok(ModelFields {
            name,
            category_id,
            impact,
            urgency,
            active: form_value(fields, "active") == "on",
            steps,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::text::form_pairs as fields;

    #[test]
    fn a_group_is_read_with_its_members_once_each() {
        let group = parse_group(&fields(&[
            ("name", "  Network   team "),
            ("level", "2"),
            ("member", "4"),
            ("member", "7"),
            ("member", "4"),
        ]))
        .unwrap();
        assert_eq!(group.name, "Network team");
        assert_eq!(group.level, 2);
        assert_eq!(group.members, vec![UserId(4), UserId(7)]);
    }

    #[test]
    fn group_problems_are_named_at_their_inputs() {
        let errors =
            parse_group(&fields(&[("name", ""), ("level", "4"), ("member", "x")])).unwrap_err();
        for input in ["name", "level", "members"] {
            assert!(errors.get(input).is_some(), "{input}: {errors:?}");
        }
    }

    #[test]
    fn a_model_keeps_its_steps_in_order_and_skips_blank_lines() {
        let model = parse_model(&fields(&[
            ("name", "Printer jam"),
            ("category", "3"),
            ("impact", "low"),
            ("urgency", "medium"),
            ("active", "on"),
            (
                "steps",
                "Open the tray\r\n\r\n  Remove the paper \nRun a test page",
            ),
        ]))
        .unwrap();
        assert_eq!(
            model.steps,
            vec!["Open the tray", "Remove the paper", "Run a test page"]
        );
        assert!(model.active);
        assert_eq!(
            (model.impact, model.urgency),
            (Impact::Low, Urgency::Medium)
        );
    }

    #[test]
    fn model_problems_are_named_at_their_inputs() {
        let errors = parse_model(&fields(&[
            ("name", &"x".repeat(101)),
            ("category", "printers"),
            ("impact", "huge"),
            ("urgency", ""),
            ("steps", " \n "),
        ]))
        .unwrap_err();
        for input in ["name", "category", "impact", "urgency", "steps"] {
            assert!(errors.get(input).is_some(), "{input}: {errors:?}");
        }
        let too_many = (0..31)
            .map(|i| format!("Step {i}"))
            .collect::<Vec<_>>()
            .join("\n");
        let errors = parse_model(&fields(&[("steps", &too_many)])).unwrap_err();
        assert!(errors.get("steps").unwrap().contains("30 steps"));
        let long = format!("Fine\n{}", "y".repeat(301));
        let errors = parse_model(&fields(&[("steps", &long)])).unwrap_err();
        assert!(errors.get("steps").unwrap().starts_with("Step 2"));
    }
}
