//! Accounts: roles, who is asking, and the account forms with their validation.

use super::ticket_form::{parse_email, parse_person_name};
use super::{Field, FieldErrors, GroupId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Passwords are counted in characters (any Unicode), never truncated.
pub const PASSWORD_CHARS: std::ops::RangeInclusive<usize> = 8..=128;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    EndUser,
    Agent,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::EndUser, Role::Agent, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::EndUser => "end_user",
            Role::Agent => "agent",
            Role::Admin => "admin",
        }
    }

    pub fn parse(value: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::EndUser => "End user",
            Role::Agent => "Agent",
            Role::Admin => "Admin",
        }
    }

    /// Agents and admins work tickets; admins also run the portal.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Agent | Role::Admin)
    }
}

/// The signed-in person behind a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// An agent given the right to write knowledge articles.
    #[serde(default)]
    pub can_author: bool,
    /// The time zone they chose to read times in (an IANA name); `None` follows
    /// their browser, or else the portal's zone.
    #[serde(default)]
    pub time_zone: Option<String>,
}

impl Account {
    /// Admins, and agents given the right, write knowledge articles.
    pub fn may_author(&self) -> bool {
        self.role == Role::Admin || (self.role == Role::Agent && self.can_author)
    }
}

/// Who is asking: nobody we know, or a signed-in account.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Viewer {
    #[default]
    Anonymous,
    SignedIn(Account),
}

impl Viewer {
    pub fn account(&self) -> Option<&Account> {
        match self {
            Viewer::Anonymous => None,
            Viewer::SignedIn(account) => Some(account),
        }
    }
}

/// The sign-in form as typed. `next` is where to go afterwards (a local path).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SignInForm {
    pub email: String,
    pub password: String,
    pub next: String,
}

/// The self-registration form, and the form an admin uses to add an account.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegisterForm {
    pub name: String,
    pub email: String,
    pub password: String,
    pub confirm_password: String,
}

/// A registration that passed validation (the password is not yet checked against
/// the list of common passwords, which only the server holds).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAccount {
    pub name: String,
    pub email: String,
    pub password: String,
}

impl RegisterForm {
    pub fn parse(&self) -> Result<NewAccount, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = parse_person_name(&mut errors, &self.name);
        let email = parse_email(&mut errors, &self.email);
        check_new_password(
            &mut errors,
            Field::Password,
            &self.password,
            &self.confirm_password,
        );
        if errors.is_empty() {
            Ok(NewAccount {
                name,
                email,
                password: self.password.clone(),
            })
        } else {
            Err(errors)
        }
    }
}

/// Changing one's password while signed in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PasswordChangeForm {
    pub current_password: String,
    pub new_password: String,
    pub confirm_password: String,
}

impl PasswordChangeForm {
    pub fn parse(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.current_password.is_empty() {
            errors.add(Field::CurrentPassword, "Enter your current password.");
        }
        check_new_password(
            &mut errors,
            Field::NewPassword,
            &self.new_password,
            &self.confirm_password,
        );
        none_or(errors)
    }
}

fn none_or(errors: FieldErrors) -> Result<(), FieldErrors> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Choosing a new password through a reset (or invitation) link.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NewPasswordForm {
    pub new_password: String,
    pub confirm_password: String,
}

impl NewPasswordForm {
    pub fn parse(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        check_new_password(
            &mut errors,
            Field::NewPassword,
            &self.new_password,
            &self.confirm_password,
        );
        none_or(errors)
    }
}

/// An admin adding an agent, an admin or an end user: they choose their own
/// password through the invitation link.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InviteForm {
    pub name: String,
    pub email: String,
    pub role: String,
    /// Assignment group ids, for agents.
    pub groups: Vec<GroupId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitation {
    pub name: String,
    pub email: String,
    pub role: Role,
    pub groups: Vec<GroupId>,
}

impl InviteForm {
    pub fn parse(&self) -> Result<Invitation, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = parse_person_name(&mut errors, &self.name);
        let email = parse_email(&mut errors, &self.email);
        let role = Role::parse(self.role.trim());
        if role.is_none() {
            errors.add(Field::Role, "Choose a role.");
        }
        match role {
            Some(role) if errors.is_empty() => Ok(Invitation {
                name,
                email,
                role,
                groups: if role.is_staff() {
                    self.groups.clone()
                } else {
                    Vec::new()
                },
            }),
            _ => Err(errors),
        }
    }
}

/// An account as admins see it in the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub active: bool,
    pub verified: bool,
    pub groups: Vec<GroupId>,
    /// An agent given the right to write knowledge articles.
    pub can_author: bool,
}

/// A 1st, 2nd or 3rd level support group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentGroup {
    pub id: GroupId,
    pub name: String,
    pub level: u8,
}

/// One entry of the audit log as admins read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub subject: Option<String>,
    pub detail: String,
    pub address: Option<String>,
}

/// The length rule and the confirmation; `field` is where a problem is shown.
fn check_new_password(errors: &mut FieldErrors, field: Field, password: &str, confirm: &str) {
    let n = password.chars().count();
    if n == 0 {
        errors.add(field, "Choose a password.");
    } else if n < *PASSWORD_CHARS.start() {
        errors.add(
            field,
            format!(
                "Use at least {} characters: a few unrelated words make a strong password.",
                PASSWORD_CHARS.start()
            ),
        );
    } else if n > *PASSWORD_CHARS.end() {
        errors.add(
            field,
            format!(
                "Use at most {} characters (this one has {n}).",
                PASSWORD_CHARS.end()
            ),
        );
    } else if password != confirm {
        errors.add(
            Field::ConfirmPassword,
            "The two passwords are not the same.",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn register(password: &str, confirm: &str) -> Result<NewAccount, FieldErrors> {
        RegisterForm {
            name: "Ada".into(),
            email: "ada@example.com".into(),
            password: password.into(),
            confirm_password: confirm.into(),
        }
        .parse()
    }

    #[test]
    fn passwords_are_counted_in_characters_and_kept_whole() {
        let short = "ñ".repeat(7);
        let refused = |password: &str| {
            register(password, password)
                .expect_err("refused")
                .get(Field::Password)
                .map(str::to_string)
                .unwrap_or_default()
        };
        assert!(refused(&short).starts_with("Use at least 8 characters"));
        let unicode = "ñ😀".repeat(64);
        let account = register(&unicode, &unicode).expect("128 characters are allowed");
        assert_eq!(account.password, unicode, "never trimmed or truncated");
        let spaced = "  padded words  ";
        assert_eq!(register(spaced, spaced).unwrap().password, spaced);
        let long = "a".repeat(129);
        assert_eq!(
            refused(&long),
            "Use at most 128 characters (this one has 129)."
        );
    }

    #[test]
    fn a_mismatched_confirmation_is_reported_on_its_own_field() {
        let errors = register("correct horse", "correct hose").unwrap_err();
        assert!(errors.get(Field::ConfirmPassword).is_some());
        assert!(errors.get(Field::Password).is_none());
    }

    #[test]
    fn an_invitation_needs_a_known_role_and_drops_groups_for_end_users() {
        let mut form = InviteForm {
            name: "Bo".into(),
            email: "bo@example.com".into(),
            role: "superuser".into(),
            groups: vec![GroupId(1)],
        };
        assert!(form.parse().unwrap_err().get(Field::Role).is_some());
        form.role = "end_user".into();
        assert!(form.parse().unwrap().groups.is_empty());
        form.role = "agent".into();
        assert_eq!(form.parse().unwrap().groups, vec![GroupId(1)]);
    }
}

/// The answer to a reset, invitation or confirmation link that does not work.
pub const LINK_UNUSABLE: &str =
    "This link does not work any more: it has expired or was already used.";

/// The answer to a confirmation link opened by another account than its own.
pub const OTHER_ACCOUNTS_LINK: &str = "This link confirms the address of another account. \
     Sign out, then sign in to the account the message was sent for and open the link again.";

/// What an e-mail confirmation link is to the account that opened it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verification {
    /// The link confirms this account's address.
    Yours { name: String, email: String },
    /// The link belongs to another account: nothing is confirmed.
    OtherAccount,
    /// Expired, used, or no link of ours.
    Unusable,
}
