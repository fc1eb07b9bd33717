//! SLA clocks are events on the case stream, so breach history replays exactly. The case
//! keeps them itself: opening starts them, and every fact settles them in its own decision,
//! breaching a clock whose deadline the fact comes after. What is left here:
//!
//! - [`sweep_breaches`]: cases nobody touched past a deadline. Run every 30 s with the system
//!   clock and directly by tests with a test clock; each breach is keyed by (case, metric),
//!   so a repeated sweep, two replicas, or a sweep racing a late response breach once (the
//!   stream refuses a second breach of the same clock).
//! - [`SlaTimerPolicy`]: catch-up for streams opened before the case kept its own clocks
//!   (checkpointed; each command keyed by the causing event and the metric). It acts only on
//!   what the stream's current state shows is still undone, so for today's streams it sends
//!   nothing, and a policy lagging behind the stream cannot pause or resume twice.

use async_trait::async_trait;
use cqrs_es::Aggregate;
use waybill_domain::case::{
    Case, CaseCommand, CaseEvent, CaseState, SlaClock, SlaMetric, CASE_AGGREGATE_TYPE,
};
use waybill_projections::cases;

use super::loyalty::settle;
use super::{Policy, Reaction};
use crate::auth::{Principal, Role};
use crate::commands::context::RequestContext;
use crate::commands::orders::WriteOptions;
use crate::crm::Clock;
use crate::error::{AppError, ErrorCode};
use crate::services::Services;

pub struct SlaTimerPolicy;

fn metric_index(metric: SlaMetric) -> u32 {
    SlaMetric::ALL
        .iter()
        .position(|m| *m == metric)
        .and_then(|i| u32::try_from(i).ok())
        .unwrap_or(0)
}

impl Services {
    /// The case as the event store has it now.
    pub async fn case_state(&self, case_id: &str) -> Result<Option<CaseState>, AppError> {
        let events = self
            .cases
            .load_events(case_id)
            .await
            .map_err(|e| AppError::internal("loading a case", &e))?;
        let mut case = Case::default();
        for envelope in events {
            case.apply(envelope.payload);
        }
        Ok(case.state().cloned())
    }
}

#[async_trait]
impl Policy for SlaTimerPolicy {
    fn name(&self) -> &'static str {
        "sla-timers"
    }

    async fn react(&self, services: &Services, reaction: &Reaction<'_>) -> Result<(), AppError> {
        let event = reaction.event;
        if event.aggregate_type != CASE_AGGREGATE_TYPE {
            return Ok(());
        }
        let Ok(parsed) = serde_json::from_value::<CaseEvent>(event.payload.clone()) else {
            return Err(AppError::new(ErrorCode::Internal, "unreadable case event"));
        };
        let relevant = matches!(
            parsed,
            CaseEvent::CaseOpened(_)
                | CaseEvent::WaitingOnCustomer { .. }
                | CaseEvent::CustomerReplied { .. }
                | CaseEvent::FirstResponded { .. }
                | CaseEvent::CaseResolved { .. }
        );
        if !relevant {
            return Ok(());
        }
        let case_id = &event.aggregate_id;
        let Some(state) = services.case_state(case_id).await? else {
            return Ok(());
        };
        let commands = catch_up(services, &state, parsed)?;
        for (metric, command) in commands {
            let options = reaction.options(metric_index(metric));
            settle(
                services
                    .case_command(&reaction.context, case_id, command, &options)
                    .await,
            )?;
        }
        Ok(())
    }
}

/// The clock commands a legacy stream still needs after `event`, judged on its current state.
fn catch_up(
    services: &Services,
    state: &CaseState,
    event: CaseEvent,
) -> Result<Vec<(SlaMetric, CaseCommand)>, AppError> {
    let unsettled = |metric: SlaMetric| {
        state
            .clock(metric)
            .is_some_and(|c| !matches!(c, SlaClock::Fulfilled { .. }))
    };
    let mut commands = Vec::new();
    match event {
        CaseEvent::CaseOpened(opened) => {
            for metric in SlaMetric::ALL.iter().copied() {
                if state.clock(metric).is_some() {
                    continue;
                }
                let due_at = opened
                    .sla
                    .due_at(metric, opened.opened_at, &services.crm.calendar)
                    .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
                let at = opened.opened_at;
                commands.push((metric, CaseCommand::StartSlaClock { metric, due_at, at }));
            }
        }
        // Only while this very wait is still the current one.
        CaseEvent::WaitingOnCustomer { at } if state.waiting_since == Some(at) => {
            for (metric, clock) in &state.clocks {
                if matches!(clock, SlaClock::Running { .. }) {
                    let metric = *metric;
                    commands.push((metric, CaseCommand::PauseSlaClock { metric, at }));
                }
            }
        }
        CaseEvent::CustomerReplied { at, .. } if state.waiting_since.is_none() => {
            for (metric, clock) in &state.clocks {
                if matches!(clock, SlaClock::Paused { paused_at, .. } if *paused_at <= at) {
                    let metric = *metric;
                    commands.push((metric, CaseCommand::ResumeSlaClock { metric, at }));
                }
            }
        }
        CaseEvent::FirstResponded { at, .. } if unsettled(SlaMetric::Acknowledge) => {
            let metric = SlaMetric::Acknowledge;
            commands.push((metric, CaseCommand::FulfilSlaClock { metric, at }));
        }
        CaseEvent::CaseResolved { at, .. } => {
            for metric in [SlaMetric::Handle, SlaMetric::ReportResult] {
                if unsettled(metric) {
                    commands.push((metric, CaseCommand::FulfilSlaClock { metric, at }));
                }
            }
        }
        _ => {}
    }
    Ok(commands)
}

fn sweep_context(name: &str) -> RequestContext {
    RequestContext::new(
        Principal {
            key_id: format!("policy:{name}"),
            role: Role::Admin,
        },
        None,
        None,
    )
}

/// Sends `BreachSlaClock` for every running clock past due at `clock.now()`. Returns how
/// many breaches were recorded (replayed ones excluded).
pub async fn sweep_breaches(services: &Services, clock: &dyn Clock) -> Result<usize, AppError> {
    let now = clock.now();
    let ctx = sweep_context("sla-sweep");
    let mut breached = 0;
    for candidate in cases::due_before(&services.db, now).await? {
        // The read model nominates; the stream decides (it may have moved on since).
        let Some(state) = services.case_state(&candidate.case_id).await? else {
            continue;
        };
        for (metric, clock) in &state.clocks {
            let SlaClock::Running { due_at } = *clock else {
                continue;
            };
            if due_at > now {
                continue;
            }
            let key = format!("sla-breach:{}:{}", candidate.case_id, metric.code());
            let options = WriteOptions {
                expected_version: None,
                request: key.clone(),
                idempotency_key: Some(key),
            };
            let command = CaseCommand::BreachSlaClock {
                metric: *metric,
                at: due_at,
            };
            match services
                .case_command(&ctx, &candidate.case_id, command, &options)
                .await
            {
                Ok(outcome) if !outcome.replayed => breached += 1,
                other => settle(other)?,
            }
        }
    }
    Ok(breached)
}
