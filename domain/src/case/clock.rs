//! SLA clocks on the case stream (the Zendesk model): each metric's clock
//! is started, paused while the case waits on the customer, resumed, and
//! finally fulfilled or breached. Every transition is an event, so breach
//! history replays exactly; every redundant transition is a typed refusal,
//! so the durable timer policy can retry blindly.
//!
//! The case keeps its own clocks: opening starts them from the deadlines
//! the command carries, and every fact recorded on the case settles them in
//! the same decision ([`overdue`], [`settle`]). A fact recorded after a
//! running clock's deadline — late, or backdated with `at` — therefore
//! records the breach itself, dated at the deadline it missed; the periodic
//! sweep only has to breach clocks of cases nobody touched.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::case::error::CaseError;
use crate::case::events::CaseEvent;
use crate::case::sla::SlaMetric;

/// Where one metric's clock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SlaClock {
    Running {
        due_at: DateTime<Utc>,
    },
    Paused {
        due_at: DateTime<Utc>,
        paused_at: DateTime<Utc>,
    },
    /// A breached clock can still be fulfilled (late), which ends it.
    Breached {
        due_at: DateTime<Utc>,
        at: DateTime<Utc>,
    },
    Fulfilled {
        due_at: DateTime<Utc>,
        at: DateTime<Utc>,
        within_target: bool,
    },
}

impl SlaClock {
    pub const fn due_at(&self) -> DateTime<Utc> {
        match self {
            Self::Running { due_at }
            | Self::Paused { due_at, .. }
            | Self::Breached { due_at, .. }
            | Self::Fulfilled { due_at, .. } => *due_at,
        }
    }

    /// Still counting or paused, i.e. the policy has a timer to keep.
    pub const fn is_live(&self) -> bool {
        matches!(self, Self::Running { .. } | Self::Paused { .. })
    }
}

pub(crate) type Clocks = BTreeMap<SlaMetric, SlaClock>;

fn clock(clocks: &Clocks, metric: SlaMetric) -> Result<SlaClock, CaseError> {
    clocks
        .get(&metric)
        .copied()
        .ok_or(CaseError::SlaClockNotStarted { metric })
}

/// The refusal for a clock that has already ended one way or the other.
fn ended(metric: SlaMetric, clock: SlaClock) -> CaseError {
    match clock {
        SlaClock::Fulfilled { .. } => CaseError::SlaClockAlreadyFulfilled { metric },
        _ => CaseError::SlaClockAlreadyBreached { metric },
    }
}

pub(super) fn start(
    clocks: &Clocks,
    metric: SlaMetric,
    due_at: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<CaseEvent, CaseError> {
    if clocks.contains_key(&metric) {
        return Err(CaseError::SlaClockAlreadyStarted { metric });
    }
    if due_at <= at {
        return Err(CaseError::SlaDueBeforeStart { metric, due_at });
    }
    Ok(CaseEvent::SlaClockStarted {
        metric,
        started_at: at,
        due_at,
    })
}

pub(super) fn pause(
    clocks: &Clocks,
    metric: SlaMetric,
    at: DateTime<Utc>,
) -> Result<CaseEvent, CaseError> {
    match clock(clocks, metric)? {
        SlaClock::Running { .. } => Ok(CaseEvent::SlaClockPaused { metric, at }),
        SlaClock::Paused { .. } => Err(CaseError::SlaClockAlreadyPaused { metric }),
        other => Err(ended(metric, other)),
    }
}

/// The deadline moves back by exactly the paused time; a deadline pushed
/// past representable time saturates, which means "never due".
pub(super) fn resume(
    clocks: &Clocks,
    metric: SlaMetric,
    at: DateTime<Utc>,
) -> Result<CaseEvent, CaseError> {
    match clock(clocks, metric)? {
        SlaClock::Paused { due_at, paused_at } => {
            if at < paused_at {
                return Err(CaseError::SlaResumeBeforePause {
                    metric,
                    paused_at,
                    at,
                });
            }
            let paused = at - paused_at;
            Ok(CaseEvent::SlaClockResumed {
                metric,
                at,
                paused_seconds: paused.num_seconds(),
                due_at: due_at
                    .checked_add_signed(paused)
                    .unwrap_or(DateTime::<Utc>::MAX_UTC),
            })
        }
        SlaClock::Running { .. } => Err(CaseError::SlaClockNotPaused { metric }),
        other => Err(ended(metric, other)),
    }
}

/// A paused clock stopped counting when it paused, so that is the moment
/// compared with the deadline.
pub(super) fn fulfil(
    clocks: &Clocks,
    metric: SlaMetric,
    at: DateTime<Utc>,
) -> Result<CaseEvent, CaseError> {
    let (due_at, within_target) = match clock(clocks, metric)? {
        SlaClock::Running { due_at } => (due_at, at <= due_at),
        SlaClock::Paused { due_at, paused_at } => (due_at, paused_at <= due_at),
        SlaClock::Breached { due_at, .. } => (due_at, false),
        SlaClock::Fulfilled { .. } => return Err(CaseError::SlaClockAlreadyFulfilled { metric }),
    };
    Ok(CaseEvent::SlaClockFulfilled {
        metric,
        at,
        due_at,
        within_target,
    })
}

/// Refuses early breaches: a timer that fires before the (possibly
/// resumed and moved) deadline must re-arm instead.
pub(super) fn breach(
    clocks: &Clocks,
    metric: SlaMetric,
    at: DateTime<Utc>,
) -> Result<CaseEvent, CaseError> {
    match clock(clocks, metric)? {
        SlaClock::Running { due_at } if at < due_at => Err(CaseError::SlaNotDue { metric, due_at }),
        SlaClock::Running { due_at } => Ok(CaseEvent::SlaClockBreached { metric, at, due_at }),
        SlaClock::Paused { .. } => Err(CaseError::SlaClockPaused { metric }),
        other => Err(ended(metric, other)),
    }
}

/// Breaches for every running clock whose deadline `at` has passed: the
/// first fact recorded after a deadline proves it was missed. Dated at the
/// deadline, as the sweep dates its breaches, so both paths agree.
pub(super) fn overdue(clocks: &Clocks, at: DateTime<Utc>) -> Vec<CaseEvent> {
    clocks
        .iter()
        .filter_map(|(metric, clock)| match *clock {
            SlaClock::Running { due_at } if at > due_at => Some(CaseEvent::SlaClockBreached {
                metric: *metric,
                at: due_at,
                due_at,
            }),
            _ => None,
        })
        .collect()
}

/// What a case fact does to its clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Settlement {
    /// Fulfil these metrics (if started and not yet fulfilled).
    Fulfil(&'static [SlaMetric]),
    PauseRunning,
    ResumePaused,
}

/// The clock events a case fact implies, on clocks already brought up to
/// date by [`overdue`]. Metrics without a clock (streams opened before the
/// case kept its own clocks) are left to the timer policy.
pub(super) fn settle(
    clocks: &Clocks,
    settlement: Settlement,
    at: DateTime<Utc>,
) -> Result<Vec<CaseEvent>, CaseError> {
    let mut events = Vec::new();
    match settlement {
        Settlement::Fulfil(metrics) => {
            for metric in metrics {
                if matches!(clocks.get(metric), None | Some(SlaClock::Fulfilled { .. })) {
                    continue;
                }
                events.push(fulfil(clocks, *metric, at)?);
            }
        }
        Settlement::PauseRunning => {
            for (metric, clock) in clocks {
                if matches!(clock, SlaClock::Running { .. }) {
                    events.push(pause(clocks, *metric, at)?);
                }
            }
        }
        Settlement::ResumePaused => {
            for (metric, clock) in clocks {
                if matches!(clock, SlaClock::Paused { .. }) {
                    events.push(resume(clocks, *metric, at)?);
                }
            }
        }
    }
    Ok(events)
}

/// Folds a clock event in; other events are not about clocks.
pub(super) fn apply(clocks: &mut Clocks, event: &CaseEvent) {
    match *event {
        CaseEvent::SlaClockStarted { metric, due_at, .. }
        | CaseEvent::SlaClockResumed { metric, due_at, .. } => {
            clocks.insert(metric, SlaClock::Running { due_at });
        }
        CaseEvent::SlaClockPaused { metric, at } => {
            if let Some(clock) = clocks.get_mut(&metric) {
                *clock = SlaClock::Paused {
                    due_at: clock.due_at(),
                    paused_at: at,
                };
            }
        }
        CaseEvent::SlaClockFulfilled {
            metric,
            at,
            due_at,
            within_target,
        } => {
            clocks.insert(
                metric,
                SlaClock::Fulfilled {
                    due_at,
                    at,
                    within_target,
                },
            );
        }
        CaseEvent::SlaClockBreached { metric, at, due_at } => {
            clocks.insert(metric, SlaClock::Breached { due_at, at });
        }
        _ => {}
    }
}
