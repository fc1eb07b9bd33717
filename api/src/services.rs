//! Everything a request handler needs, built once at start-up.

use std::sync::Arc;
use std::time::Duration;

use waybill_domain::order::Order;
use waybill_domain::returns::{Return, ReturnWindowPolicies};
use waybill_projections::log::{self, Checkpoint};
use waybill_projections::{checkpoint, Db, Runner};

use crate::commands::service::CommandService;
use crate::commands::store::Store;
use crate::error::{AppError, ErrorCode};

pub struct Services {
    pub db: Db,
    pub commands: CommandService,
    pub orders: Store<Order>,
    pub customers: Store<waybill_domain::customer::Customer>,
    pub cases: Store<waybill_domain::case::Case>,
    /// Clock, calendar, SLA targets, tier thresholds and the agent roster.
    pub crm: crate::crm::CrmSettings,
    pub sites: Store<waybill_domain::network::Site>,
    pub vehicles: Store<waybill_domain::network::Vehicle>,
    pub routes: Store<waybill_domain::route::Route>,
    pub shipments: Store<waybill_domain::shipment::Shipment>,
    pub returns: Store<Return>,
    /// Return windows per sales channel (see `commands::returns::configured_return_windows`).
    pub return_windows: ReturnWindowPolicies,
    pub runner: Arc<Runner>,
    pub keys: crate::auth::cache::KeyCache,
}

/// How long a read may wait for projections to reach a position the caller wrote.
pub const MAX_CONSISTENCY_WAIT: Duration = Duration::from_secs(10);

impl Services {
    /// Waits until the event at `position` can be read from the global feed.
    pub async fn wait_visible(&self, position: i64) -> Result<(), AppError> {
        let deadline = tokio::time::Instant::now() + MAX_CONSISTENCY_WAIT;
        while !log::is_below_fence(&self.db, position).await? {
            if tokio::time::Instant::now() >= deadline {
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    format!("position {position} is not readable yet (a concurrent writer is still open); retry"),
                ));
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        Ok(())
    }

    /// Waiting is pointless when the projection is stuck on an event at or before `target`:
    /// say so at once, naming the projection and the event, instead of timing out.
    async fn fail_if_stuck_before(
        &self,
        projection: &str,
        target: Checkpoint,
    ) -> Result<(), AppError> {
        let faults = self.runner.faults().await?;
        let Some(fault) = faults.iter().find(|f| f.name == projection) else {
            return Ok(());
        };
        let Some(position) = fault.position else {
            return Ok(());
        };
        match log::checkpoint_of(&self.db, position).await? {
            Some(poison) if poison <= target => Err(AppError::new(
                ErrorCode::Conflict,
                format!(
                    "projection {projection} is stuck at position {position} ({}) and cannot reach position {} until that event is repaired; retry later",
                    fault.event_type.as_deref().unwrap_or("event"),
                    target.position
                ),
            )),
            _ => Ok(()),
        }
    }

    /// Waits until `projection` has applied the event at global `position` (read-your-writes).
    pub async fn wait_for(&self, projection: &str, position: i64) -> Result<(), AppError> {
        if position <= 0 {
            return Ok(());
        }
        let target: Checkpoint =
            log::checkpoint_of(&self.db, position)
                .await?
                .ok_or_else(|| {
                    AppError::invalid_input(
                        "consistentWith",
                        format!("no event at position {position}"),
                    )
                })?;
        let mut committed = self.runner.subscribe();
        let deadline = tokio::time::Instant::now() + MAX_CONSISTENCY_WAIT;
        let mut checked_faults = false;
        loop {
            if checkpoint::read(&self.db, projection).await? >= target {
                return Ok(());
            }
            if !checked_faults {
                checked_faults = true;
                self.fail_if_stuck_before(projection, target).await?;
            }
            // Woken by a local batch; the timeout covers batches committed by other replicas.
            let wait = tokio::time::timeout(Duration::from_millis(25), committed.recv());
            if tokio::time::Instant::now() >= deadline {
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    format!(
                        "projection {projection} has not reached position {position} yet; retry"
                    ),
                ));
            }
            let _ = wait.await;
        }
    }
}
