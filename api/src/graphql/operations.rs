//! Operating the log's consumers (admin only): which projections and policies are stuck.

use crate::graphql::scalars::Int64;
use async_graphql::{Context, Object, SimpleObject};

use super::context::{authorize, services};
use super::error::GqlResult;
use crate::auth::Permission;
use crate::graphql::timestamp::Timestamp;

/// A projection (or `policy:<name>`) that cannot get past an event and is being retried.
#[derive(SimpleObject)]
pub struct StuckProjection {
    pub name: String,
    /// The last position it applied.
    pub checkpoint: Int64,
    /// The event it fails on, once the retries have isolated it.
    pub position: Option<Int64>,
    pub event_type: Option<String>,
    /// The cause, as logged.
    pub error: String,
    pub attempts: i64,
    pub first_failed_at: Timestamp,
    pub last_failed_at: Timestamp,
}

#[derive(Default)]
pub struct OperationsQueries;

#[Object]
impl OperationsQueries {
    /// Projections and policies failing right now; empty when all are healthy.
    async fn stuck_projections(&self, ctx: &Context<'_>) -> GqlResult<Vec<StuckProjection>> {
        authorize(ctx, Permission::OperateProjections)?;
        let faults = services(ctx)?.runner.faults().await?;
        Ok(faults
            .into_iter()
            .map(|f| StuckProjection {
                name: f.name,
                checkpoint: Int64(f.checkpoint),
                position: f.position.map(Int64),
                event_type: f.event_type,
                error: f.error,
                attempts: f.attempts,
                first_failed_at: f.first_failed_at.into(),
                last_failed_at: f.last_failed_at.into(),
            })
            .collect())
    }
}
