//! The customer's profile and the field-level changes made to it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::customer::error::CustomerError;
use crate::customer::values::ContactChannel;
use crate::validation::{check_max_chars, short_text};

/// RFC 5321 caps a forward path at 254 characters.
pub const EMAIL_MAX_CHARS: usize = 254;
/// Generous for "+86 138 0000 0000"-style numbers with extensions.
pub const PHONE_MAX_CHARS: usize = 32;

/// Who the customer is and how they like to be reached. Only the name is
/// required: marketplace orders often arrive without email or city.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub birthday: Option<NaiveDate>,
    pub city: Option<String>,
    pub preferred_contact: ContactChannel,
}

/// One field of [`Profile`] set to a new value (`None` clears it). Used both
/// as the command's patch and as the event's record of what changed, so a
/// projection can apply the event without knowing the previous profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum ProfileChange {
    Name(String),
    Phone(Option<String>),
    Email(Option<String>),
    Birthday(Option<NaiveDate>),
    City(Option<String>),
    PreferredContact(ContactChannel),
}

impl ProfileChange {
    /// Field name, equal to the serde tag.
    pub const fn field(&self) -> &'static str {
        match self {
            Self::Name(_) => "name",
            Self::Phone(_) => "phone",
            Self::Email(_) => "email",
            Self::Birthday(_) => "birthday",
            Self::City(_) => "city",
            Self::PreferredContact(_) => "preferred_contact",
        }
    }

    pub(crate) fn validate(&self, today: DateTime<Utc>) -> Result<(), CustomerError> {
        match self {
            Self::Name(name) => short_text("name", name)?,
            Self::Phone(Some(phone)) => phone_rule(phone)?,
            Self::Email(Some(email)) => email_rule(email)?,
            Self::Birthday(Some(birthday)) => birthday_rule(*birthday, today)?,
            Self::City(Some(city)) => short_text("city", city)?,
            Self::Phone(None)
            | Self::Email(None)
            | Self::Birthday(None)
            | Self::City(None)
            | Self::PreferredContact(_) => {}
        }
        Ok(())
    }

    /// Whether applying this change would leave `profile` as it is.
    pub(crate) fn is_no_op(&self, profile: &Profile) -> bool {
        match self {
            Self::Name(v) => &profile.name == v,
            Self::Phone(v) => &profile.phone == v,
            Self::Email(v) => &profile.email == v,
            Self::Birthday(v) => &profile.birthday == v,
            Self::City(v) => &profile.city == v,
            Self::PreferredContact(v) => &profile.preferred_contact == v,
        }
    }

    pub(crate) fn apply_to(self, profile: &mut Profile) {
        match self {
            Self::Name(v) => profile.name = v,
            Self::Phone(v) => profile.phone = v,
            Self::Email(v) => profile.email = v,
            Self::Birthday(v) => profile.birthday = v,
            Self::City(v) => profile.city = v,
            Self::PreferredContact(v) => profile.preferred_contact = v,
        }
    }
}

impl Profile {
    /// Every rule a complete profile must satisfy, checked via the same
    /// per-field rules that updates use so the two cannot diverge.
    pub(crate) fn validate(&self, today: DateTime<Utc>) -> Result<(), CustomerError> {
        for change in [
            ProfileChange::Name(self.name.clone()),
            ProfileChange::Phone(self.phone.clone()),
            ProfileChange::Email(self.email.clone()),
            ProfileChange::Birthday(self.birthday),
            ProfileChange::City(self.city.clone()),
        ] {
            change.validate(today)?;
        }
        Ok(())
    }
}

/// Deliberately loose: real deliverability is only known by sending, so
/// this catches typos (no `@`, spaces) without rejecting unusual addresses.
fn email_rule(value: &str) -> Result<(), CustomerError> {
    check_max_chars("email", value, EMAIL_MAX_CHARS)?;
    let well_formed = !value.chars().any(|c| c.is_whitespace() || c.is_control())
        && value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if well_formed {
        Ok(())
    } else {
        Err(CustomerError::InvalidEmail)
    }
}

/// Digits with the usual separators; at least five digits so that "+" or
/// "-" alone cannot pass as a number.
fn phone_rule(value: &str) -> Result<(), CustomerError> {
    check_max_chars("phone", value, PHONE_MAX_CHARS)?;
    let allowed = |c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')');
    let digits = value.chars().filter(char::is_ascii_digit).count();
    if value.chars().all(allowed) && digits >= 5 {
        Ok(())
    } else {
        Err(CustomerError::InvalidPhone)
    }
}

fn birthday_rule(birthday: NaiveDate, today: DateTime<Utc>) -> Result<(), CustomerError> {
    if birthday > today.date_naive() {
        return Err(CustomerError::BirthdayInFuture { birthday });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_rule_catches_typos_only() {
        for ok in ["li.wei@example.cn", "a+b@mail.example.com"] {
            assert_eq!(email_rule(ok), Ok(()), "{ok}");
        }
        for bad in [
            "li.wei",
            "@example.cn",
            "li@",
            "li@cn",
            "li wei@x.cn",
            "a@b@c.cn",
        ] {
            assert_eq!(email_rule(bad), Err(CustomerError::InvalidEmail), "{bad}");
        }
    }

    #[test]
    fn phone_rule_accepts_common_formats() {
        for ok in ["+86 138 0000 0000", "(0571) 8888-1234", "13800000000"] {
            assert_eq!(phone_rule(ok), Ok(()), "{ok}");
        }
        for bad in ["call me", "+-", "1234", "138x0000000"] {
            assert_eq!(phone_rule(bad), Err(CustomerError::InvalidPhone), "{bad}");
        }
    }

    #[test]
    fn change_fields_match_serde_tags() {
        let change = ProfileChange::PreferredContact(ContactChannel::Sms);
        let json = serde_json::to_value(&change).expect("serialise");
        assert_eq!(json["field"], change.field());
        assert_eq!(json["value"], "sms");
    }
}
