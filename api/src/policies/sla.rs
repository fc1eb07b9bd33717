//! The durable SLA timer policy: SLA clocks are events on the case stream, so breach history
//! replays exactly.
//!
//! Reactions (checkpointed; each command keyed by the causing event and the metric):
//! `CaseOpened` → `StartSlaClock` per metric with `due_at` from the case's snapshotted
//! targets and the working calendar; `WaitingOnCustomer` / `CustomerReplied` → pause /
//! resume the live clocks; `FirstResponded` → fulfil acknowledge; `CaseResolved` → fulfil
//! handle and report-result. Deadlines are watched by [`sweep_breaches`], run periodically
//! with the system clock and directly by tests with a test clock; its commands are keyed by
//! (case, metric, due_at), so a sweep repeated or run by two replicas breaches once.

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
        let case_id = &event.aggregate_id;
        let mut commands: Vec<(SlaMetric, CaseCommand)> = Vec::new();
        match parsed {
            CaseEvent::CaseOpened(opened) => {
                for metric in SlaMetric::ALL.iter().copied() {
                    let due_at = opened
                        .sla
                        .due_at(metric, opened.opened_at, &services.crm.calendar)
                        .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
                    commands.push((
                        metric,
                        CaseCommand::StartSlaClock {
                            metric,
                            due_at,
                            at: opened.opened_at,
                        },
                    ));
                }
            }
            CaseEvent::WaitingOnCustomer { at } | CaseEvent::CustomerReplied { at, .. } => {
                let pausing = matches!(parsed, CaseEvent::WaitingOnCustomer { .. });
                let Some(state) = services.case_state(case_id).await? else {
                    return Ok(());
                };
                for (metric, clock) in &state.clocks {
                    let metric = *metric;
                    match (pausing, clock) {
                        (true, SlaClock::Running { .. }) => {
                            commands.push((metric, CaseCommand::PauseSlaClock { metric, at }))
                        }
                        (false, SlaClock::Paused { .. }) => {
                            commands.push((metric, CaseCommand::ResumeSlaClock { metric, at }))
                        }
                        _ => {}
                    }
                }
            }
            CaseEvent::FirstResponded { at, .. } => commands.push((
                SlaMetric::Acknowledge,
                CaseCommand::FulfilSlaClock {
                    metric: SlaMetric::Acknowledge,
                    at,
                },
            )),
            CaseEvent::CaseResolved { at, .. } => {
                for metric in [SlaMetric::Handle, SlaMetric::ReportResult] {
                    commands.push((metric, CaseCommand::FulfilSlaClock { metric, at }));
                }
            }
            _ => {}
        }
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
            let key = format!(
                "sla-breach:{}:{}:{}",
                candidate.case_id,
                metric.code(),
                due_at.to_rfc3339()
            );
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
