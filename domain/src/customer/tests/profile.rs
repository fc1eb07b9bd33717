//! Profile updates, marketing consents and tags.

use super::*;
use crate::customer::{ContactChannel, CustomerError, ProfileChange, MAX_TAGS};
use crate::validation::ValidationError;

fn update(changes: Vec<ProfileChange>) -> CustomerCommand {
    CustomerCommand::UpdateProfile {
        changes,
        at: at(10),
    }
}

#[test]
fn updating_records_only_the_fields_that_changed() {
    customer()
        .given(vec![registered()])
        .when(update(vec![
            ProfileChange::Name("Li Wei".into()),
            ProfileChange::City(Some("Suzhou".into())),
            ProfileChange::Email(None),
            ProfileChange::PreferredContact(ContactChannel::WechatOfficialAccount),
        ]))
        .then_expect_events(vec![CustomerEvent::ProfileChanged {
            changes: vec![
                ProfileChange::City(Some("Suzhou".into())),
                ProfileChange::Email(None),
            ],
            at: at(10),
        }]);
}

#[test]
fn updating_to_the_same_values_is_a_refused_no_op() {
    customer()
        .given(vec![registered()])
        .when(update(vec![ProfileChange::Name("Li Wei".into())]))
        .then_expect_error(CustomerError::NoProfileChanges);
    customer()
        .given(vec![registered()])
        .when(update(vec![]))
        .then_expect_error(CustomerError::NoProfileChanges);
}

#[test]
fn updating_a_field_twice_in_one_patch_is_refused() {
    customer()
        .given(vec![registered()])
        .when(update(vec![
            ProfileChange::City(Some("Suzhou".into())),
            ProfileChange::City(Some("Wuxi".into())),
        ]))
        .then_expect_error(CustomerError::DuplicateProfileField { field: "city" });
}

#[test]
fn updating_validates_each_change() {
    customer()
        .given(vec![registered()])
        .when(update(vec![ProfileChange::Phone(Some("12".into()))]))
        .then_expect_error(CustomerError::InvalidPhone);
    customer()
        .given(vec![registered()])
        .when(update(vec![ProfileChange::City(Some(String::new()))]))
        .then_expect_error(CustomerError::Validation(ValidationError::Empty {
            field: "city",
        }));
}

#[test]
fn granting_consent_records_the_channel() {
    customer()
        .given(vec![registered()])
        .when(CustomerCommand::GrantConsent {
            channel: MarketingChannel::Wechat,
            at: at(1),
        })
        .then_expect_events(vec![consent_granted(MarketingChannel::Wechat)]);
}

#[test]
fn granting_consent_twice_is_refused() {
    customer()
        .given(vec![registered(), consent_granted(MarketingChannel::Sms)])
        .when(CustomerCommand::GrantConsent {
            channel: MarketingChannel::Sms,
            at: at(2),
        })
        .then_expect_error(CustomerError::ConsentAlreadyGranted {
            channel: MarketingChannel::Sms,
        });
}

#[test]
fn consents_are_per_channel() {
    customer()
        .given(vec![registered(), consent_granted(MarketingChannel::Sms)])
        .when(CustomerCommand::GrantConsent {
            channel: MarketingChannel::Email,
            at: at(1),
        })
        .then_expect_events(vec![consent_granted(MarketingChannel::Email)]);
}

#[test]
fn withdrawing_consent_records_the_channel() {
    customer()
        .given(vec![
            registered(),
            consent_granted(MarketingChannel::AppPush),
        ])
        .when(CustomerCommand::WithdrawConsent {
            channel: MarketingChannel::AppPush,
            at: at(5),
        })
        .then_expect_events(vec![CustomerEvent::ConsentWithdrawn {
            channel: MarketingChannel::AppPush,
            at: at(5),
        }]);
}

#[test]
fn withdrawing_consent_never_granted_is_refused() {
    customer()
        .given(vec![registered()])
        .when(CustomerCommand::WithdrawConsent {
            channel: MarketingChannel::Phone,
            at: at(5),
        })
        .then_expect_error(CustomerError::ConsentNotGranted {
            channel: MarketingChannel::Phone,
        });
}

fn add_tag(tag: &str) -> CustomerCommand {
    CustomerCommand::AddTag {
        tag: tag.into(),
        at: at(3),
    }
}

fn tag_added(tag: &str) -> CustomerEvent {
    CustomerEvent::TagAdded {
        tag: tag.into(),
        at: at(3),
    }
}

#[test]
fn adding_a_tag_records_it() {
    customer()
        .given(vec![registered()])
        .when(add_tag("龙井爱好者"))
        .then_expect_events(vec![tag_added("龙井爱好者")]);
}

#[test]
fn adding_a_present_tag_is_refused() {
    customer()
        .given(vec![registered(), tag_added("vip")])
        .when(add_tag("vip"))
        .then_expect_error(CustomerError::TagAlreadyPresent { tag: "vip".into() });
}

#[test]
fn adding_a_malformed_tag_is_refused() {
    customer()
        .given(vec![registered()])
        .when(add_tag("vip "))
        .then_expect_error(CustomerError::Validation(
            ValidationError::SurroundingWhitespace { field: "tag" },
        ));
    customer()
        .given(vec![registered()])
        .when(add_tag(""))
        .then_expect_error(CustomerError::Validation(ValidationError::Empty {
            field: "tag",
        }));
    customer()
        .given(vec![registered()])
        .when(add_tag("a\u{7}b"))
        .then_expect_error(CustomerError::Validation(ValidationError::NotPrintable {
            field: "tag",
        }));
}

#[test]
fn adding_beyond_the_tag_limit_is_refused() {
    let mut history = vec![registered()];
    history.extend((0..MAX_TAGS).map(|i| tag_added(&format!("t{i}"))));
    customer()
        .given(history)
        .when(add_tag("one-more"))
        .then_expect_error(CustomerError::TooManyTags { max: MAX_TAGS });
}

#[test]
fn removing_a_tag_records_it() {
    customer()
        .given(vec![registered(), tag_added("vip")])
        .when(CustomerCommand::RemoveTag {
            tag: "vip".into(),
            at: at(4),
        })
        .then_expect_events(vec![CustomerEvent::TagRemoved {
            tag: "vip".into(),
            at: at(4),
        }]);
}

#[test]
fn removing_an_absent_tag_is_refused() {
    customer()
        .given(vec![registered()])
        .when(CustomerCommand::RemoveTag {
            tag: "vip".into(),
            at: at(4),
        })
        .then_expect_error(CustomerError::TagNotPresent { tag: "vip".into() });
}
