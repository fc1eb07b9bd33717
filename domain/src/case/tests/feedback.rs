//! Satisfaction (CSAT) and NPS surveys on a case.

use super::*;
use crate::case::{CaseError, CaseStatus};
use crate::validation::ValidationError;

fn rate(csat: u8) -> CaseCommand {
    CaseCommand::RateSatisfaction {
        csat,
        comment: Some("polite and quick".into()),
        at: at(50),
    }
}

fn nps(score: u8) -> CaseCommand {
    CaseCommand::RecordNps {
        score,
        comment: None,
        at: at(50),
    }
}

#[test]
fn rating_a_resolved_case() {
    case()
        .given(vec![opened(), resolved(true)])
        .when(rate(5))
        .then_expect_events(vec![CaseEvent::SatisfactionRated {
            csat: 5,
            comment: Some("polite and quick".into()),
            at: at(50),
        }]);
}

#[test]
fn rating_a_closed_case_is_allowed() {
    assert!(case()
        .given(vec![opened(), resolved(true), closed()])
        .when(rate(1))
        .inspect_result()
        .is_ok());
}

#[test]
fn rating_before_resolution_is_refused() {
    case()
        .given(vec![opened()])
        .when(rate(4))
        .then_expect_error(CaseError::NotResolved {
            status: CaseStatus::Open,
        });
}

#[test]
fn rating_twice_is_refused() {
    let rated = CaseEvent::SatisfactionRated {
        csat: 5,
        comment: None,
        at: at(49),
    };
    case()
        .given(vec![opened(), resolved(true), rated])
        .when(rate(4))
        .then_expect_error(CaseError::AlreadyRated);
}

#[test]
fn rating_out_of_range_is_refused() {
    for csat in [0, 6] {
        case()
            .given(vec![opened(), resolved(true)])
            .when(rate(csat))
            .then_expect_error(CaseError::Validation(ValidationError::OutOfRange {
                field: "csat",
                min: 1,
                max: 5,
            }));
    }
}

#[test]
fn rating_with_an_overlong_comment_is_refused() {
    case()
        .given(vec![opened(), resolved(true)])
        .when(CaseCommand::RateSatisfaction {
            csat: 3,
            comment: Some("x".repeat(2_001)),
            at: at(50),
        })
        .then_expect_error(CaseError::Validation(ValidationError::TooLong {
            field: "comment",
            max: 2_000,
            actual: 2_001,
        }));
}

#[test]
fn recording_nps_on_a_resolved_case() {
    case()
        .given(vec![opened(), resolved(true)])
        .when(nps(0))
        .then_expect_events(vec![CaseEvent::NpsRecorded {
            score: 0,
            comment: None,
            at: at(50),
        }]);
}

#[test]
fn recording_nps_before_resolution_is_refused() {
    case()
        .given(vec![opened(), waiting(2)])
        .when(nps(9))
        .then_expect_error(CaseError::NotResolved {
            status: CaseStatus::WaitingOnCustomer,
        });
}

#[test]
fn recording_nps_twice_is_refused() {
    let surveyed = CaseEvent::NpsRecorded {
        score: 9,
        comment: None,
        at: at(49),
    };
    case()
        .given(vec![opened(), resolved(true), closed(), surveyed])
        .when(nps(10))
        .then_expect_error(CaseError::AlreadySurveyed);
}

#[test]
fn recording_nps_out_of_range_is_refused() {
    case()
        .given(vec![opened(), resolved(true)])
        .when(nps(11))
        .then_expect_error(CaseError::Validation(ValidationError::OutOfRange {
            field: "nps_score",
            min: 0,
            max: 10,
        }));
}
