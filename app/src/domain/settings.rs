//! The admin's "priorities and targets" settings: the impact × urgency matrix,
//! each priority's name and targets, the priority of service requests, and the
//! reopening and automatic-closing periods.

use super::{Impact, LifecycleRules, Priority, PriorityRule, PriorityTable, Urgency};
use serde::{Deserialize, Serialize};

/// Messages by the `name` of the input they are about (a form with many inputs of
/// the same kind, so not the ticket form's [`super::Field`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedErrors(pub Vec<(String, String)>);

impl NamedErrors {
    pub fn add(&mut self, name: impl Into<String>, message: impl Into<String>) {
        let name = name.into();
        if self.get(&name).is_none() {
            self.0.push((name, message.into()));
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The longest target the portal accepts: a year.
pub const MAX_TARGET_MINUTES: u32 = 525_600;
pub const AUTO_CLOSE_DAYS: std::ops::RangeInclusive<i64> = 1..=90;
pub const REOPEN_DAYS: std::ops::RangeInclusive<i64> = 0..=365;

/// The settings, checked: every cell of the matrix, every priority.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrioritySettings {
    pub table: PriorityTable,
    pub lifecycle: LifecycleRules,
}

/// The input names of the form.
pub fn cell_name(impact: Impact, urgency: Urgency) -> String {
    format!("cell_{}_{}", impact.as_str(), urgency.as_str())
}

pub fn rule_name(priority: u8, part: &str) -> String {
    format!("p{priority}_{part}")
}

impl PrioritySettings {
    /// The form's fields for these settings, as the page fills them in.
    pub fn fields(&self) -> Vec<(String, String)> {
        let mut fields = Vec::new();
        for (impact, urgency, priority) in &self.table.cells {
            fields.push((cell_name(*impact, *urgency), priority.level().to_string()));
        }
        for rule in &self.table.rules {
            let level = rule.priority.level();
            fields.push((rule_name(level, "label"), rule.label.clone()));
            fields.push((
                rule_name(level, "response"),
                rule.response_minutes.to_string(),
            ));
            fields.push((
                rule_name(level, "resolution"),
                rule.resolution_minutes.to_string(),
            ));
        }
        fields.push((
            "request_priority".into(),
            self.table.request_priority.level().to_string(),
        ));
        fields.push((
            "auto_close_days".into(),
            self.lifecycle.auto_close_days.to_string(),
        ));
        fields.push(("reopen_days".into(), self.lifecycle.reopen_days.to_string()));
        fields
    }

    /// Reads the posted form: every cell must name a priority, every priority a
    /// name and positive targets, and a higher priority never has a longer
    /// target than a lower one.
    pub fn parse(fields: &[(String, String)]) -> Result<PrioritySettings, NamedErrors> {
        let value = |name: &str| super::form_value(fields, name).trim();
        let mut errors = NamedErrors::default();
        let mut cells = Vec::with_capacity(9);
        for impact in Impact::ALL {
            for urgency in Urgency::ALL {
                let name = cell_name(impact, urgency);
                match value(&name).parse::<i64>().ok().and_then(Priority::new) {
                    Some(priority) => cells.push((impact, urgency, priority)),
                    None => errors.add(
                        &name,
                        format!(
                            "Choose P1 to P5 for impact \u{201c}{}\u{201d} and urgency \u{201c}{}\u{201d}.",
                            impact.as_str(),
                            urgency.as_str()
                        ),
                    ),
                }
            }
        }
        let mut rules: Vec<PriorityRule> = Vec::with_capacity(5);
        for level in 1..=5u8 {
            let label = super::clean_line(value(&rule_name(level, "label")));
            if label.is_empty() || label.chars().count() > 40 {
                errors.add(
                    rule_name(level, "label"),
                    format!("Give P{level} a name of 1 to 40 characters."),
                );
            }
            let minutes = |part: &str, what: &str, errors: &mut NamedErrors| {
                let name = rule_name(level, part);
                match value(&name).parse::<u32>() {
                    Ok(m) if (1..=MAX_TARGET_MINUTES).contains(&m) => Some(m),
                    _ => {
                        errors.add(
                            &name,
                            format!(
                                "Give P{level}'s {what} target in whole minutes, from 1 to {MAX_TARGET_MINUTES} (a year)."
                            ),
                        );
                        None
                    }
                }
            };
            let response = minutes("response", "response", &mut errors);
            let resolution = minutes("resolution", "resolution", &mut errors);
            let (Some(response), Some(resolution), Some(priority)) =
                (response, resolution, Priority::new(level.into()))
            else {
                continue;
            };
            if resolution < response {
                errors.add(
                    rule_name(level, "resolution"),
                    format!(
                        "P{level}'s resolution target cannot be shorter than its response target."
                    ),
                );
            }
            if let Some(higher) = rules.last().filter(|r| r.priority.level() == level - 1) {
                if response < higher.response_minutes {
                    errors.add(
                        rule_name(level, "response"),
                        format!(
                            "P{level} cannot have to be answered sooner than P{}.",
                            level - 1
                        ),
                    );
                }
                if resolution < higher.resolution_minutes {
                    errors.add(
                        rule_name(level, "resolution"),
                        format!(
                            "P{level} cannot have to be resolved sooner than P{}.",
                            level - 1
                        ),
                    );
                }
            }
            rules.push(PriorityRule {
                priority,
                label,
                response_minutes: response,
                resolution_minutes: resolution,
                working_hours: None,
            });
        }
        let request_priority = value("request_priority")
            .parse::<i64>()
            .ok()
            .and_then(Priority::new);
        if request_priority.is_none() {
            errors.add(
                "request_priority",
                "Choose the priority of service requests.",
            );
        }
        let days = |name: &str,
                    range: std::ops::RangeInclusive<i64>,
                    what: &str,
                    errors: &mut NamedErrors| {
            match value(name).parse::<i64>() {
                Ok(d) if range.contains(&d) => Some(d),
                _ => {
                    errors.add(
                        name,
                        format!(
                            "Give {what} in whole days, from {} to {}.",
                            range.start(),
                            range.end()
                        ),
                    );
                    None
                }
            }
        };
        let auto_close = days(
            "auto_close_days",
            AUTO_CLOSE_DAYS,
            "the days before a resolved ticket closes by itself",
            &mut errors,
        );
        let reopen = days(
            "reopen_days",
            REOPEN_DAYS,
            "the days a closed ticket can still be reopened",
            &mut errors,
        );
        match (request_priority, auto_close, reopen) {
            (Some(request_priority), Some(auto_close_days), Some(reopen_days))
                if errors.is_empty() =>
            {
                Ok(PrioritySettings {
                    table: PriorityTable {
                        cells,
                        rules,
                        request_priority,
                    },
                    lifecycle: LifecycleRules {
                        auto_close_days,
                        reopen_days,
                    },
                })
            }
            _ => Err(errors),
        }
    }

    /// What changed from `before`, in words, for the audit log.
    pub fn changes_from(&self, before: &PrioritySettings) -> Vec<String> {
        let old: std::collections::HashMap<String, String> = before.fields().into_iter().collect();
        self.fields()
            .into_iter()
            .filter_map(|(name, value)| match old.get(&name) {
                Some(was) if *was == value => None,
                Some(was) => Some(format!("{name}: {was} → {value}")),
                None => Some(format!("{name}: {value}")),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Vec<(String, String)> {
        let mut fields = Vec::new();
        for impact in Impact::ALL {
            for urgency in Urgency::ALL {
                fields.push((cell_name(impact, urgency), "3".to_string()));
            }
        }
        for (level, response, resolution) in [
            (1, 15, 240),
            (2, 30, 480),
            (3, 120, 1440),
            (4, 480, 4320),
            (5, 1440, 7200),
        ] {
            fields.push((rule_name(level, "label"), format!("Level {level}")));
            fields.push((rule_name(level, "response"), response.to_string()));
            fields.push((rule_name(level, "resolution"), resolution.to_string()));
        }
        fields.push(("request_priority".into(), "4".into()));
        fields.push(("auto_close_days".into(), "5".into()));
        fields.push(("reopen_days".into(), "14".into()));
        fields
    }

    fn with(changes: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut fields = defaults();
        for (name, value) in changes {
            fields.retain(|(n, _)| n != name);
            fields.push((name.to_string(), value.to_string()));
        }
        fields
    }

    #[test]
    fn a_whole_form_reads_back_to_the_same_fields() {
        let settings = PrioritySettings::parse(&defaults()).unwrap();
        assert_eq!(settings.table.cells.len(), 9);
        assert_eq!(settings.table.rules.len(), 5);
        let again = PrioritySettings::parse(&settings.fields()).unwrap();
        assert_eq!(again, settings);
        assert!(again.changes_from(&settings).is_empty());
    }

    #[test]
    fn every_mistake_is_named_at_its_input() {
        for (changes, input) in [
            (vec![("cell_high_high", "")], "cell_high_high"),
            (vec![("cell_low_low", "6")], "cell_low_low"),
            (vec![("p2_label", " ")], "p2_label"),
            (vec![("p1_response", "0")], "p1_response"),
            (vec![("p1_response", "ten")], "p1_response"),
            (vec![("p3_resolution", "60")], "p3_resolution"),
            (vec![("p2_response", "10")], "p2_response"),
            (vec![("p5_resolution", "999999999")], "p5_resolution"),
            (vec![("request_priority", "0")], "request_priority"),
            (vec![("auto_close_days", "0")], "auto_close_days"),
            (vec![("reopen_days", "-1")], "reopen_days"),
        ] {
            let errors = PrioritySettings::parse(&with(&changes)).unwrap_err();
            assert!(errors.get(input).is_some(), "{changes:?}: {errors:?}");
        }
    }

    #[test]
    fn the_audit_says_what_changed() {
        let before = PrioritySettings::parse(&defaults()).unwrap();
        let after =
            PrioritySettings::parse(&with(&[("cell_high_high", "1"), ("p1_response", "10")]))
                .unwrap();
        assert_eq!(
            after.changes_from(&before),
            vec![
                "cell_high_high: 3 → 1".to_string(),
                "p1_response: 15 → 10".to_string()
            ]
        );
    }
}
