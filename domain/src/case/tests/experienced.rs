//! Service levels as the customer experiences them: the case starts its own
//! clocks and every fact settles them in the same decision, so a fact
//! recorded after a deadline (late, or backdated with `at`) is a breach the
//! moment it is recorded — no sweep needed — and never a second one.

use std::collections::BTreeMap;

use super::*;
use crate::case::{CaseError, OpenCase, SlaMetric};

const ACK: SlaMetric = SlaMetric::Acknowledge;
const HANDLE: SlaMetric = SlaMetric::Handle;
const REPORT: SlaMetric = SlaMetric::ReportResult;

fn started(metric: SlaMetric, due_hours: i64) -> CaseEvent {
    CaseEvent::SlaClockStarted {
        metric,
        started_at: at(0),
        due_at: at(due_hours),
    }
}

/// The sample case with the service standard's clocks: acknowledge 24 h,
/// handle 72 h, report the result at 120 h (3 working days from Friday).
fn with_clocks() -> Vec<CaseEvent> {
    vec![
        opened(),
        started(ACK, 24),
        started(HANDLE, 72),
        started(REPORT, 120),
    ]
}

fn breached(metric: SlaMetric, due_hours: i64) -> CaseEvent {
    CaseEvent::SlaClockBreached {
        metric,
        at: at(due_hours),
        due_at: at(due_hours),
    }
}

fn fulfilled(metric: SlaMetric, hours: i64, due_hours: i64, within_target: bool) -> CaseEvent {
    CaseEvent::SlaClockFulfilled {
        metric,
        at: at(hours),
        due_at: at(due_hours),
        within_target,
    }
}

fn respond(hours: i64) -> CaseCommand {
    CaseCommand::FirstResponse {
        agent: sample_agent_id(),
        at: at(hours),
    }
}

fn responded_at(hours: i64) -> CaseEvent {
    CaseEvent::FirstResponded {
        agent: sample_agent_id(),
        at: at(hours),
        response_seconds: hours * 3_600,
    }
}

fn resolve(hours: i64) -> CaseCommand {
    CaseCommand::Resolve {
        resolution: "replacement sent".into(),
        first_contact_resolution: true,
        at: at(hours),
    }
}

fn resolved_at(hours: i64) -> CaseEvent {
    CaseEvent::CaseResolved {
        resolution: "replacement sent".into(),
        first_contact_resolution: true,
        at: at(hours),
        resolution_seconds: hours * 3_600,
    }
}

#[test]
fn opening_starts_one_clock_per_deadline() {
    let deadlines = BTreeMap::from([(REPORT, at(120)), (ACK, at(24)), (HANDLE, at(72))]);
    case()
        .given_no_previous_events()
        .when(CaseCommand::Open(OpenCase {
            deadlines,
            ..sample_open_case()
        }))
        .then_expect_events(with_clocks());
}

#[test]
fn opening_with_a_deadline_not_after_the_opening_is_refused() {
    case()
        .given_no_previous_events()
        .when(CaseCommand::Open(OpenCase {
            deadlines: BTreeMap::from([(ACK, at(24)), (HANDLE, at(0))]),
            ..sample_open_case()
        }))
        .then_expect_error(CaseError::SlaDueBeforeStart {
            metric: HANDLE,
            due_at: at(0),
        });
}

#[test]
fn a_response_in_time_fulfils_acknowledge_within_target() {
    case()
        .given(with_clocks())
        .when(respond(1))
        .then_expect_events(vec![responded_at(1), fulfilled(ACK, 1, 24, true)]);
    // Exactly at the deadline is still in time.
    case()
        .given(with_clocks())
        .when(respond(24))
        .then_expect_events(vec![responded_at(24), fulfilled(ACK, 24, 24, true)]);
}

#[test]
fn a_late_response_is_a_breach_when_it_is_recorded() {
    // 30 h after opening, no sweep has run: the response itself records
    // the breach, dated at the 24 h deadline it missed.
    case()
        .given(with_clocks())
        .when(respond(30))
        .then_expect_events(vec![
            breached(ACK, 24),
            responded_at(30),
            fulfilled(ACK, 30, 24, false),
        ]);
}

#[test]
fn a_late_response_after_the_sweep_breaches_nothing_twice() {
    case()
        .given([with_clocks(), vec![breached(ACK, 24)]].concat())
        .when(respond(30))
        .then_expect_events(vec![responded_at(30), fulfilled(ACK, 30, 24, false)]);
}

#[test]
fn the_sweep_after_a_recorded_breach_is_refused() {
    let history = [
        with_clocks(),
        vec![
            breached(ACK, 24),
            responded_at(30),
            fulfilled(ACK, 30, 24, false),
        ],
    ]
    .concat();
    case()
        .given(history)
        .when(CaseCommand::BreachSlaClock {
            metric: ACK,
            at: at(31),
        })
        .then_expect_error(CaseError::SlaClockAlreadyFulfilled { metric: ACK });
}

#[test]
fn a_late_resolution_breaches_handle_and_settles_every_clock() {
    // Responded in time; resolved at 80 h: handle (72 h) missed, report
    // result (120 h) met.
    let history = [
        with_clocks(),
        vec![responded_at(1), fulfilled(ACK, 1, 24, true)],
    ]
    .concat();
    case()
        .given(history)
        .when(resolve(80))
        .then_expect_events(vec![
            breached(HANDLE, 72),
            resolved_at(80),
            fulfilled(HANDLE, 80, 72, false),
            fulfilled(REPORT, 80, 120, true),
        ]);
}

#[test]
fn a_resolution_without_a_response_settles_acknowledge_too() {
    case()
        .given(with_clocks())
        .when(resolve(5))
        .then_expect_events(vec![
            resolved_at(5),
            fulfilled(ACK, 5, 24, true),
            fulfilled(HANDLE, 5, 72, true),
            fulfilled(REPORT, 5, 120, true),
        ]);
}

#[test]
fn any_late_fact_reveals_the_breach() {
    // An escalation at 26 h proves nobody acknowledged within 24 h.
    case()
        .given(with_clocks())
        .when(CaseCommand::Escalate {
            to_agent: sample_supervisor_id(),
            reason: "no reply yet".into(),
            at: at(26),
        })
        .then_expect_events(vec![
            breached(ACK, 24),
            CaseEvent::CaseEscalated {
                from_agent: sample_agent_id(),
                to_agent: sample_supervisor_id(),
                level: 1,
                first_contact_owner: sample_agent_id(),
                reason: "no reply yet".into(),
                at: at(26),
            },
        ]);
}

#[test]
fn waiting_pauses_the_running_clocks_and_a_reply_resumes_them() {
    let history = [
        with_clocks(),
        vec![responded_at(1), fulfilled(ACK, 1, 24, true)],
    ]
    .concat();
    let pause = |metric| CaseEvent::SlaClockPaused { metric, at: at(2) };
    case()
        .given(history.clone())
        .when(CaseCommand::WaitOnCustomer { at: at(2) })
        .then_expect_events(vec![waiting(2), pause(HANDLE), pause(REPORT)]);
    let resume = |metric, due_hours| CaseEvent::SlaClockResumed {
        metric,
        at: at(12),
        paused_seconds: 10 * 3_600,
        due_at: at(due_hours),
    };
    case()
        .given([history, vec![waiting(2), pause(HANDLE), pause(REPORT)]].concat())
        .when(CaseCommand::CustomerReplied { at: at(12) })
        .then_expect_events(vec![
            CaseEvent::CustomerReplied {
                at: at(12),
                waited_seconds: 10 * 3_600,
            },
            resume(HANDLE, 82),
            resume(REPORT, 130),
        ]);
}

#[test]
fn waiting_after_a_deadline_breaches_instead_of_pausing_it() {
    case()
        .given(with_clocks())
        .when(CaseCommand::WaitOnCustomer { at: at(25) })
        .then_expect_events(vec![
            breached(ACK, 24),
            waiting(25),
            CaseEvent::SlaClockPaused {
                metric: HANDLE,
                at: at(25),
            },
            CaseEvent::SlaClockPaused {
                metric: REPORT,
                at: at(25),
            },
        ]);
}

#[test]
fn a_refused_late_fact_records_no_breach() {
    let history = [with_clocks(), vec![responded_at(1)]].concat();
    case()
        .given(history)
        .when(respond(30))
        .then_expect_error(CaseError::AlreadyResponded);
}

#[test]
fn streams_without_clocks_leave_settlement_to_the_policy() {
    case()
        .given(vec![opened()])
        .when(respond(30))
        .then_expect_events(vec![responded_at(30)]);
}
