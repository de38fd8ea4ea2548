//! The service catalogue as the admin changes it on `/admin/services`: a service's
//! form (name, description, whether the logging form offers it) and the form of
//! its categories (rename, withdraw or offer again, add).

use super::settings::NamedErrors;
use super::text::{clean_line, form_value, slug_of};
use super::{Category, CategoryId};

/// The longest service or category name.
const MAX_NAME: usize = 100;

/// A service as the admin types it: new, or its name and description changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceFields {
    pub slug: String,
    pub name: String,
    pub description: String,
    /// Offered on the logging form; `None` when the form did not say (a new
    /// service is offered).
    pub offered: Option<bool>,
    /// New categories, one per line of the form.
    pub categories: Vec<String>,
}

/// Reads the service forms: `name`, `slug` (new services only; made from the name
/// when empty), `description`, `offered` (`yes` / `no`), `categories` (one per
/// line; a new service needs at least one, for the logging form asks for one).
pub fn parse_service(fields: &[(String, String)], new: bool) -> Result<ServiceFields, NamedErrors> {
    let value = |name: &str| form_value(fields, name);
    let mut errors = NamedErrors::default();
    let name = clean_line(value("name"));
    if name.is_empty() || name.chars().count() > MAX_NAME {
        errors.add("name", "Give the service a name of 1 to 100 characters.");
    }
    let slug = match value("slug").trim() {
        "" => slug_of(&name, 64),
        typed => typed.to_string(),
    };
    if new
        && (slug.is_empty()
            || slug.len() > 64
            || !slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))
    {
        errors.add(
            "slug",
            "Use 1 to 64 lower-case letters, digits and hyphens for the address name, e.g. \"video-calls\".",
        );
    }
    let description = clean_line(value("description"));
    if description.chars().count() > 500 {
        errors.add("description", "Keep the description to 500 characters.");
    }
    let offered = match value("offered") {
        "yes" => Some(true),
        "no" => Some(false),
        "" => None,
        _ => {
            errors.add("offered", "Choose whether users can log issues for it.");
            None
        }
    };
    let categories = new_categories(value("categories"), &[], &mut errors);
    if new && categories.is_empty() {
        errors.add("categories", "Give at least one category, one per line.");
    }
    if errors.is_empty() {
        Ok(ServiceFields {
            slug,
            name,
            description,
            offered: if new { Some(true) } else { offered },
            categories,
        })
    } else {
        Err(errors)
    }
}

/// The lines of `typed` as category names: blank lines skipped, each checked
/// against the others and against `taken` (the names the service keeps).
fn new_categories(typed: &str, taken: &[String], errors: &mut NamedErrors) -> Vec<String> {
    let mut categories: Vec<String> = Vec::new();
    for line in typed.lines() {
        let category = clean_line(line);
        if category.is_empty() {
            continue;
        }
        if category.chars().count() > MAX_NAME {
            errors.add("categories", "Keep each category to 100 characters.");
        } else if taken.iter().any(|c| same_name(c, &category)) {
            errors.add(
                "categories",
                format!("\u{201c}{category}\u{201d} is a category of this service already."),
            );
        } else if categories.iter().any(|c| same_name(c, &category)) {
            errors.add(
                "categories",
                format!("\u{201c}{category}\u{201d} is listed twice."),
            );
        } else {
            categories.push(category);
        }
    }
    categories
}

/// Names are told apart whatever their letter case, as the database does.
fn same_name(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

/// The input of category `id`'s name on the categories form.
pub fn category_input(id: CategoryId) -> String {
    format!("category-{}", id.0)
}

/// What the categories form of a service changes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CategoryChanges {
    /// Categories whose name or offer changed, as they become.
    pub changed: Vec<Category>,
    /// New categories (offered).
    pub added: Vec<String>,
    /// What changed, in words, for the audit log; empty when nothing did.
    pub detail: Vec<String>,
}

/// Reads the categories form of a service whose categories are `existing`: each
/// category's name (`category-{id}`) and whether it is offered (`offered`, once
/// per ticked category), and new categories (`categories`, one per line). A
/// category whose name input is missing from the form stays as it is. While
/// the service is offered (`service_offered`), at least one category must stay
/// offered, or users could not log an issue for it.
pub fn parse_categories(
    fields: &[(String, String)],
    existing: &[Category],
    service_offered: bool,
) -> Result<CategoryChanges, NamedErrors> {
    let mut errors = NamedErrors::default();
    let ticked: Vec<&str> = fields
        .iter()
        .filter(|(name, _)| name == "offered")
        .map(|(_, value)| value.as_str())
        .collect();
    let mut changes = CategoryChanges::default();
    let mut kept: Vec<Category> = Vec::new();
    for category in existing {
        let input = category_input(category.id);
        let Some((_, typed)) = fields.iter().find(|(name, _)| *name == input) else {
            kept.push(category.clone());
            continue;
        };
        let name = clean_line(typed);
        if name.is_empty() || name.chars().count() > MAX_NAME {
            errors.add(&input, "Give the category a name of 1 to 100 characters.");
        }
        let now = Category {
            id: category.id,
            name,
            offered: ticked.contains(&category.id.0.to_string().as_str()),
        };
        if now.name != category.name {
            changes
                .detail
                .push(format!("{} renamed {}", category.name, now.name));
        }
        if now.offered != category.offered {
            changes.detail.push(format!(
                "{} {}",
                now.name,
                if now.offered {
                    "offered again"
                } else {
                    "withdrawn"
                }
            ));
        }
        if now != *category {
            changes.changed.push(now.clone());
        }
        kept.push(now);
    }
    // Two categories may not end up with one name: the message goes to the one
    // renamed (the names saved are distinct already).
    for (n, category) in kept.iter().enumerate() {
        if let Some(other) = kept[..n]
            .iter()
            .find(|c| same_name(&c.name, &category.name))
        {
            let renamed = |c: &Category| existing.iter().any(|e| e.id == c.id && e.name != c.name);
            let at = if renamed(category) { category } else { other };
            errors.add(
                category_input(at.id),
                format!(
                    "\u{201c}{}\u{201d} is the name of another category.",
                    category.name
                ),
            );
        }
    }
    let names: Vec<String> = kept.iter().map(|c| c.name.clone()).collect();
    changes.added = new_categories(form_value(fields, "categories"), &names, &mut errors);
    if !changes.added.is_empty() {
        changes
            .detail
            .push(format!("added {}", changes.added.join(", ")));
    }
    if service_offered && changes.added.is_empty() && !kept.iter().any(|c| c.offered) {
        errors.add(
            "categories",
            "Keep at least one category offered, or withdraw the service first: users must be able to choose one.",
        );
    }
    if errors.is_empty() {
        Ok(changes)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::text::form_pairs as fields;

    #[test]
    fn a_new_service_gets_a_slug_from_its_name_and_its_categories_line_by_line() {
        let service = parse_service(
            &fields(&[
                ("name", " Video calls & chat "),
                ("categories", "Meetings\r\n\r\nChat\n  Recording "),
            ]),
            true,
        )
        .unwrap();
        assert_eq!(service.slug, "video-calls-chat");
        assert_eq!(service.name, "Video calls & chat");
        assert_eq!(service.categories, vec!["Meetings", "Chat", "Recording"]);
        assert_eq!(service.offered, Some(true));
    }

    #[test]
    fn problems_are_named_at_their_inputs() {
        let errors = parse_service(
            &fields(&[
                ("name", ""),
                ("slug", "Bad Slug!"),
                ("categories", "A\na"),
                ("offered", "maybe"),
            ]),
            false,
        )
        .unwrap_err();
        for input in ["name", "categories", "offered"] {
            assert!(errors.get(input).is_some(), "{input}: {errors:?}");
        }
        let errors =
            parse_service(&fields(&[("name", ""), ("slug", "Bad Slug!")]), true).unwrap_err();
        assert!(errors.get("slug").is_some());
        let errors = parse_service(&fields(&[("name", "Printing")]), true).unwrap_err();
        assert!(errors.get("categories").is_some());
        // An edit needs no category, keeps its slug and, unsaid, its offer.
        let edit = parse_service(&fields(&[("name", "Printing")]), false).unwrap();
        assert_eq!(edit.offered, None);
        let withdrawn =
            parse_service(&fields(&[("name", "Printing"), ("offered", "no")]), false).unwrap();
        assert_eq!(withdrawn.offered, Some(false));
    }

    fn catalogue() -> Vec<Category> {
        [(1, "Sending"), (2, "Calendar"), (3, "Shared mailboxes")]
            .into_iter()
            .map(|(id, name)| Category {
                id: CategoryId(id),
                name: name.into(),
                offered: true,
            })
            .collect()
    }

    #[test]
    fn categories_are_renamed_withdrawn_and_added_in_one_form() {
        let changes = parse_categories(
            &fields(&[
                ("category-1", " Sending mail "),
                ("offered", "1"),
                ("category-2", "Calendar"),
                ("category-3", "Shared mailboxes"),
                ("offered", "3"),
                ("categories", "Archiving\n"),
            ]),
            &catalogue(),
            true,
        )
        .unwrap();
        assert_eq!(
            changes.changed,
            vec![
                Category {
                    id: CategoryId(1),
                    name: "Sending mail".into(),
                    offered: true
                },
                Category {
                    id: CategoryId(2),
                    name: "Calendar".into(),
                    offered: false
                },
            ]
        );
        assert_eq!(changes.added, vec!["Archiving"]);
        assert_eq!(
            changes.detail,
            vec![
                "Sending renamed Sending mail",
                "Calendar withdrawn",
                "added Archiving"
            ]
        );
    }

    #[test]
    fn a_form_without_a_category_leaves_it_as_it_is() {
        let changes =
            parse_categories(&fields(&[("categories", "Archiving")]), &catalogue(), true).unwrap();
        assert!(changes.changed.is_empty());
        assert_eq!(changes.added, vec!["Archiving"]);
    }

    #[test]
    fn names_must_stay_distinct_and_an_offered_service_keeps_a_category() {
        let errors = parse_categories(
            &fields(&[
                ("category-1", "calendar"),
                ("category-2", "Calendar"),
                ("category-3", ""),
                ("categories", "CALENDAR"),
            ]),
            &catalogue(),
            true,
        )
        .unwrap_err();
        assert!(errors.get("category-1").is_some(), "{errors:?}");
        assert!(errors.get("category-3").is_some(), "{errors:?}");
        assert!(errors
            .get("categories")
            .is_some_and(|m| m.contains("already")));

        // A rename onto a name the form does not carry is caught too.
        let errors = parse_categories(
            &fields(&[("category-3", "Calendar"), ("offered", "3")]),
            &catalogue(),
            true,
        )
        .unwrap_err();
        assert!(errors.get("category-3").is_some(), "{errors:?}");

        // Nothing ticked: refused while the service is offered, not once withdrawn.
        let none_ticked = fields(&[
            ("category-1", "Sending"),
            ("category-2", "Calendar"),
            ("category-3", "Shared mailboxes"),
        ]);
        let errors = parse_categories(&none_ticked, &catalogue(), true).unwrap_err();
        assert!(errors
            .get("categories")
            .is_some_and(|m| m.contains("at least one")));
        assert_eq!(
            parse_categories(&none_ticked, &catalogue(), false)
                .unwrap()
                .changed
                .len(),
            3
        );
    }
}
