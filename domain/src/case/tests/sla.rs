//! SLA clock transitions and their refusals, including deadlines computed
//! over weekends and public holidays.

use chrono::NaiveDate;

use super::*;
use crate::calendar::WorkCalendar;
use crate::case::{CaseError, CaseOpened, SlaMetric, SlaTargets};

const ACK: SlaMetric = SlaMetric::Acknowledge;

fn started(metric: SlaMetric, due_hours: i64) -> CaseEvent {
    CaseEvent::SlaClockStarted {
        metric,
        started_at: at(0),
        due_at: at(due_hours),
    }
}

fn paused(hours: i64) -> CaseEvent {
    CaseEvent::SlaClockPaused {
        metric: ACK,
        at: at(hours),
    }
}

fn breached() -> CaseEvent {
    CaseEvent::SlaClockBreached {
        metric: ACK,
        at: at(24),
        due_at: at(24),
    }
}

fn fulfilled() -> CaseEvent {
    CaseEvent::SlaClockFulfilled {
        metric: ACK,
        at: at(1),
        due_at: at(24),
        within_target: true,
    }
}

fn start(due_hours: i64) -> CaseCommand {
    CaseCommand::StartSlaClock {
        metric: ACK,
        due_at: at(due_hours),
        at: at(0),
    }
}

fn pause(hours: i64) -> CaseCommand {
    CaseCommand::PauseSlaClock {
        metric: ACK,
        at: at(hours),
    }
}

fn resume(hours: i64) -> CaseCommand {
    CaseCommand::ResumeSlaClock {
        metric: ACK,
        at: at(hours),
    }
}

fn fulfil(hours: i64) -> CaseCommand {
    CaseCommand::FulfilSlaClock {
        metric: ACK,
        at: at(hours),
    }
}

fn breach(hours: i64) -> CaseCommand {
    CaseCommand::BreachSlaClock {
        metric: ACK,
        at: at(hours),
    }
}

fn expect(history: Vec<CaseEvent>, command: CaseCommand, error: CaseError) {
    case().given(history).when(command).then_expect_error(error);
}

#[test]
fn starting_a_clock_records_its_deadline() {
    case()
        .given(vec![opened()])
        .when(start(24))
        .then_expect_events(vec![started(ACK, 24)]);
}

#[test]
fn starting_refusals() {
    expect(
        vec![opened(), started(ACK, 24)],
        start(24),
        CaseError::SlaClockAlreadyStarted { metric: ACK },
    );
    expect(
        vec![opened()],
        start(0),
        CaseError::SlaDueBeforeStart {
            metric: ACK,
            due_at: at(0),
        },
    );
}

#[test]
fn clocks_are_independent_per_metric() {
    case()
        .given(vec![opened(), started(ACK, 24)])
        .when(CaseCommand::StartSlaClock {
            metric: SlaMetric::Handle,
            due_at: at(72),
            at: at(0),
        })
        .then_expect_events(vec![started(SlaMetric::Handle, 72)]);
}

#[test]
fn pausing_a_running_clock() {
    case()
        .given(vec![opened(), started(ACK, 24)])
        .when(pause(2))
        .then_expect_events(vec![paused(2)]);
}

#[test]
fn pausing_refusals() {
    let running = vec![opened(), started(ACK, 24)];
    expect(
        vec![opened()],
        pause(2),
        CaseError::SlaClockNotStarted { metric: ACK },
    );
    expect(
        [running.clone(), vec![paused(2)]].concat(),
        pause(3),
        CaseError::SlaClockAlreadyPaused { metric: ACK },
    );
    expect(
        [running.clone(), vec![fulfilled()]].concat(),
        pause(3),
        CaseError::SlaClockAlreadyFulfilled { metric: ACK },
    );
    expect(
        [running, vec![breached()]].concat(),
        pause(30),
        CaseError::SlaClockAlreadyBreached { metric: ACK },
    );
}

#[test]
fn resuming_moves_the_deadline_by_the_paused_time() {
    case()
        .given(vec![opened(), started(ACK, 24), paused(2)])
        .when(resume(12))
        .then_expect_events(vec![CaseEvent::SlaClockResumed {
            metric: ACK,
            at: at(12),
            paused_seconds: 10 * 3_600,
            due_at: at(34),
        }]);
}

#[test]
fn resuming_refusals() {
    let running = vec![opened(), started(ACK, 24)];
    expect(
        vec![opened()],
        resume(2),
        CaseError::SlaClockNotStarted { metric: ACK },
    );
    expect(
        running.clone(),
        resume(2),
        CaseError::SlaClockNotPaused { metric: ACK },
    );
    expect(
        [running.clone(), vec![paused(5)]].concat(),
        resume(4),
        CaseError::SlaResumeBeforePause {
            metric: ACK,
            paused_at: at(5),
            at: at(4),
        },
    );
    expect(
        [running, vec![fulfilled()]].concat(),
        resume(4),
        CaseError::SlaClockAlreadyFulfilled { metric: ACK },
    );
}

fn fulfilled_at(hours: i64, due_hours: i64, within_target: bool) -> CaseEvent {
    CaseEvent::SlaClockFulfilled {
        metric: ACK,
        at: at(hours),
        due_at: at(due_hours),
        within_target,
    }
}

#[test]
fn fulfilling_in_time_overdue_paused_and_after_breach() {
    let running = vec![opened(), started(ACK, 24)];
    case()
        .given(running.clone())
        .when(fulfil(1))
        .then_expect_events(vec![fulfilled_at(1, 24, true)]);
    // Overdue without a recorded breach still counts as missed.
    case()
        .given(running.clone())
        .when(fulfil(30))
        .then_expect_events(vec![fulfilled_at(30, 24, false)]);
    // A paused clock stopped counting when it paused.
    case()
        .given([running.clone(), vec![paused(2)]].concat())
        .when(fulfil(40))
        .then_expect_events(vec![fulfilled_at(40, 24, true)]);
    case()
        .given([running, vec![breached()]].concat())
        .when(fulfil(30))
        .then_expect_events(vec![fulfilled_at(30, 24, false)]);
}

#[test]
fn fulfilling_refusals() {
    expect(
        vec![opened()],
        fulfil(1),
        CaseError::SlaClockNotStarted { metric: ACK },
    );
    expect(
        vec![opened(), started(ACK, 24), fulfilled()],
        fulfil(2),
        CaseError::SlaClockAlreadyFulfilled { metric: ACK },
    );
}

#[test]
fn breaching_at_the_deadline() {
    case()
        .given(vec![opened(), started(ACK, 24)])
        .when(breach(24))
        .then_expect_events(vec![breached()]);
}

#[test]
fn breaching_refusals() {
    let running = vec![opened(), started(ACK, 24)];
    expect(
        vec![opened()],
        breach(24),
        CaseError::SlaClockNotStarted { metric: ACK },
    );
    expect(
        running.clone(),
        breach(23),
        CaseError::SlaNotDue {
            metric: ACK,
            due_at: at(24),
        },
    );
    expect(
        [running.clone(), vec![paused(2)]].concat(),
        breach(30),
        CaseError::SlaClockPaused { metric: ACK },
    );
    expect(
        [running.clone(), vec![breached()]].concat(),
        breach(30),
        CaseError::SlaClockAlreadyBreached { metric: ACK },
    );
    expect(
        [running, vec![fulfilled()]].concat(),
        breach(30),
        CaseError::SlaClockAlreadyFulfilled { metric: ACK },
    );
}

#[test]
fn a_still_running_clock_can_breach_after_the_case_closed() {
    case()
        .given(vec![
            opened(),
            started(ACK, 24),
            resolved(false),
            CaseEvent::CaseClosed { at: at(20) },
        ])
        .when(breach(24))
        .then_expect_events(vec![breached()]);
}

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().expect("RFC 3339 instant")
}

fn opened_on(opened_at: DateTime<Utc>) -> CaseEvent {
    let CaseEvent::CaseOpened(sample) = opened() else {
        return opened();
    };
    CaseEvent::CaseOpened(CaseOpened {
        opened_at,
        ..sample
    })
}

/// Runs "report the result within 3 working days" for a case opened at
/// `opened_at`: a breach timer firing at `early` (one tick before the
/// deadline) must be refused, and one firing at the deadline accepted.
fn report_result_breaches_only_at(calendar: &WorkCalendar, opened_at: &str, due: &str) {
    let opened_at = utc(opened_at);
    let metric = SlaMetric::ReportResult;
    let due_at = SlaTargets::SERVICE_STANDARD
        .due_at(metric, opened_at, calendar)
        .expect("due date");
    assert_eq!(due_at, utc(due));
    let history = vec![
        opened_on(opened_at),
        CaseEvent::SlaClockStarted {
            metric,
            started_at: opened_at,
            due_at,
        },
    ];
    let early = due_at - TimeDelta::seconds(1);
    case()
        .given(history.clone())
        .when(CaseCommand::BreachSlaClock { metric, at: early })
        .then_expect_error(CaseError::SlaNotDue { metric, due_at });
    case()
        .given(history)
        .when(CaseCommand::BreachSlaClock { metric, at: due_at })
        .then_expect_events(vec![CaseEvent::SlaClockBreached {
            metric,
            at: due_at,
            due_at,
        }]);
}

#[test]
fn report_result_breaches_across_a_weekend() {
    // Friday 10:00 Beijing: three calendar days would be Monday, three
    // working days end on Wednesday 10:00.
    report_result_breaches_only_at(
        &WorkCalendar::default(),
        "2025-03-07T02:00:00Z",
        "2025-03-12T02:00:00Z",
    );
}

#[test]
fn report_result_breaches_across_a_holiday_with_make_up_days() {
    let day = |m, d| NaiveDate::from_ymd_opt(2025, m, d).expect("valid date");
    let spring_festival = WorkCalendar::default()
        .with_holidays((28..=31).map(|d| day(1, d)))
        .with_holidays((1..=4).map(|d| day(2, d)))
        .with_extra_working_days([day(1, 26), day(2, 8)]);
    // Friday Jan 24: Sun 26 (make-up) and Mon 27 count, the festival does
    // not, Wednesday Feb 5 is the third working day.
    report_result_breaches_only_at(
        &spring_festival,
        "2025-01-24T02:00:00Z",
        "2025-02-05T02:00:00Z",
    );
}
