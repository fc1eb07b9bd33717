//! For auditors: history, time travel and tamper evidence. Read-only by construction.

use crate::graphql::scalars::{opt_i64, Int64};
use async_graphql::{Context, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use waybill_projections::audit::{self, Finding, SealCheckpoint};

use super::context::{authorize, page_size, services};
use super::error::GqlResult;
use super::events::Event;
use crate::audit::{diff_seen_by, AsOf};
use crate::auth::Permission;
use crate::error::AppError;
use crate::graphql::timestamp::Timestamp;
use crate::privacy::{self, Audience};

#[derive(SimpleObject)]
pub struct StreamPage {
    pub events: Vec<Event>,
    /// Pass the last event's `sequence` as `after` for the next page.
    pub has_more: bool,
}

#[derive(SimpleObject)]
pub struct StreamState {
    /// The stream version the state reflects.
    pub version: Int64,
    pub recorded_at: Option<Timestamp>,
    pub state: Json<serde_json::Value>,
}

#[derive(SimpleObject)]
pub struct StateChange {
    /// JSON pointer into the state.
    pub path: String,
    pub before: Option<Json<serde_json::Value>>,
    pub after: Option<Json<serde_json::Value>>,
}

#[derive(SimpleObject)]
pub struct AuditFinding {
    /// ALTERED, DELETED, INSERTED or REORDERED (lower-case in `kind`).
    pub kind: String,
    pub position: Int64,
    pub stream_type: Option<String>,
    pub stream_id: Option<String>,
    pub sequence: Option<Int64>,
    pub detail: String,
}

impl From<Finding> for AuditFinding {
    fn from(f: Finding) -> Self {
        AuditFinding {
            kind: serde_json::to_value(f.kind)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
            position: Int64(f.position),
            stream_type: f.stream_type,
            stream_id: f.stream_id,
            sequence: f.sequence.map(Int64),
            detail: f.detail,
        }
    }
}

/// The head of the global seal: keep it somewhere safe to prove the log later.
#[derive(SimpleObject)]
pub struct AuditCheckpoint {
    pub ordinal: Int64,
    pub position: Int64,
    pub chain_hash: String,
}

impl From<SealCheckpoint> for AuditCheckpoint {
    fn from(c: SealCheckpoint) -> Self {
        AuditCheckpoint {
            ordinal: Int64(c.ordinal),
            position: Int64(c.position),
            chain_hash: c.chain_hash,
        }
    }
}

#[derive(SimpleObject)]
pub struct AuditReport {
    /// True when both hash chains hold.
    pub intact: bool,
    /// Every finding, the first altered/deleted/inserted/reordered event first.
    pub findings: Vec<AuditFinding>,
    pub checkpoint: Option<AuditCheckpoint>,
}

fn as_of(field: &str, version: Option<i64>, at: Option<DateTime<Utc>>) -> Result<AsOf, AppError> {
    match (version, at) {
        (Some(v), None) if v >= 0 => Ok(AsOf::Version(v)),
        (None, Some(t)) => Ok(AsOf::Time(t)),
        _ => Err(AppError::invalid_input(
            field,
            "give exactly one of a version (≥ 0) or a time",
        )),
    }
}

#[derive(Default)]
pub struct AuditQueries;

#[Object]
impl AuditQueries {
    /// One stream's events in order, with actor, cause and time in each event's metadata.
    async fn stream_history(
        &self,
        ctx: &Context<'_>,
        stream_type: String,
        stream_id: String,
        after: Option<Int64>,
        first: Option<i32>,
    ) -> GqlResult<StreamPage> {
        let audience = Audience::of(authorize(ctx, Permission::ReadEventLog)?.role);
        let limit = page_size(first)?;
        let stream_type = crate::audit::stream_type("streamType", &stream_type)?;
        let mut events = services(ctx)?
            .stream_history(
                stream_type,
                &stream_id,
                opt_i64(after).unwrap_or(0),
                limit + 1,
            )
            .await?;
        let has_more = events.len() as i64 > limit;
        events.truncate(limit as usize);
        Ok(StreamPage {
            events: events
                .into_iter()
                .map(|e| Event::seen_by(e, audience))
                .collect(),
            has_more,
        })
    }

    /// Everything one request caused, across streams, in commit order.
    async fn correlated_events(
        &self,
        ctx: &Context<'_>,
        correlation_id: String,
        first: Option<i32>,
    ) -> GqlResult<Vec<Event>> {
        let audience = Audience::of(authorize(ctx, Permission::ReadEventLog)?.role);
        let limit = page_size(first)?;
        Ok(services(ctx)?
            .correlated_events(&correlation_id, limit)
            .await?
            .into_iter()
            .map(|e| Event::seen_by(e, audience))
            .collect())
    }

    /// A stream's state as of a version or a time, folded from its stored events.
    async fn state_as_of(
        &self,
        ctx: &Context<'_>,
        stream_type: String,
        stream_id: String,
        version: Option<Int64>,
        at: Option<Timestamp>,
    ) -> GqlResult<Option<StreamState>> {
        let audience = Audience::of(authorize(ctx, Permission::Audit)?.role);
        let point = as_of("version", opt_i64(version), at.map(Timestamp::utc))?;
        let stream_type = crate::audit::stream_type("streamType", &stream_type)?;
        Ok(services(ctx)?
            .state_as_of(stream_type, &stream_id, point)
            .await?
            .map(|mut s| {
                privacy::stream_state(audience, stream_type, &mut s.state);
                StreamState {
                    version: Int64(s.version),
                    recorded_at: s.recorded_at.map(Timestamp::from),
                    state: Json(s.state),
                }
            }))
    }

    /// What changed in a stream's state between two points.
    #[allow(clippy::too_many_arguments)]
    async fn state_diff(
        &self,
        ctx: &Context<'_>,
        stream_type: String,
        stream_id: String,
        from_version: Option<Int64>,
        from_time: Option<Timestamp>,
        to_version: Option<Int64>,
        to_time: Option<Timestamp>,
    ) -> GqlResult<Vec<StateChange>> {
        let audience = Audience::of(authorize(ctx, Permission::Audit)?.role);
        let services = services(ctx)?;
        let from = as_of("from", opt_i64(from_version), from_time.map(Timestamp::utc))?;
        let to = as_of("to", opt_i64(to_version), to_time.map(Timestamp::utc))?;
        let stream_type = crate::audit::stream_type("streamType", &stream_type)?;
        let empty = serde_json::Value::Null;
        let before = services
            .state_as_of(stream_type, &stream_id, from)
            .await?
            .map(|s| s.state);
        let after = services
            .state_as_of(stream_type, &stream_id, to)
            .await?
            .map(|s| s.state);
        Ok(diff_seen_by(
            audience,
            stream_type,
            before.as_ref().unwrap_or(&empty),
            after.as_ref().unwrap_or(&empty),
        )
        .into_iter()
        .map(|c| StateChange {
            path: c.path,
            before: c.before.map(Json),
            after: c.after.map(Json),
        })
        .collect())
    }

    /// Recomputes both hash chains and reports the first event altered, deleted, inserted or
    /// reordered.
    async fn audit_verify(&self, ctx: &Context<'_>) -> GqlResult<AuditReport> {
        authorize(ctx, Permission::Audit)?;
        let db = &services(ctx)?.db;
        let findings = audit::verify(db).await.map_err(AppError::from)?;
        let checkpoint = audit::seal_checkpoint(db).await.map_err(AppError::from)?;
        Ok(AuditReport {
            intact: findings.is_empty(),
            findings: findings.into_iter().map(AuditFinding::from).collect(),
            checkpoint: checkpoint.map(Into::into),
        })
    }

    /// The current head of the global seal, to export and keep.
    async fn audit_checkpoint(&self, ctx: &Context<'_>) -> GqlResult<Option<AuditCheckpoint>> {
        authorize(ctx, Permission::Audit)?;
        Ok(audit::seal_checkpoint(&services(ctx)?.db)
            .await
            .map_err(AppError::from)?
            .map(Into::into))
    }

    /// Proves the log up to an exported checkpoint is unchanged; null means it is.
    async fn audit_prove(
        &self,
        ctx: &Context<'_>,
        ordinal: Int64,
        position: Int64,
        chain_hash: String,
    ) -> GqlResult<Option<AuditFinding>> {
        authorize(ctx, Permission::Audit)?;
        // A checkpoint the seal could never have written is a mistake in the request, not
        // evidence of tampering.
        for (field, value) in [("ordinal", ordinal.get()), ("position", position.get())] {
            if value < 1 {
                return Err(AppError::invalid_input(
                    field,
                    format!("{field} must be at least 1, got {value}"),
                )
                .into());
            }
        }
        let checkpoint = SealCheckpoint {
            ordinal: ordinal.get(),
            position: position.get(),
            chain_hash,
        };
        Ok(audit::verify_against(&services(ctx)?.db, &checkpoint)
            .await
            .map_err(AppError::from)?
            .map(Into::into))
    }
}
