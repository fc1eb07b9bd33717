//! Shipments: labels, warehouse steps, carrier scans; the warehouse board, the carrier
//! scorecard; live updates.

mod inputs;
mod types;

use crate::graphql::scalars::{opt_i64, Int64};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{ComplexObject, Context, InputObject, Object, SimpleObject, Subscription};
use futures::stream::{Stream, StreamExt};
use tokio_stream::wrappers::BroadcastStream;
use waybill_domain::shipment::ShipmentCommand;
use waybill_projections::shipments::{self, ShipmentFilter};

pub use inputs::*;
pub use types::*;

use super::context::{authorize, page_cost, page_size, request, services};
use super::error::GqlResult;
use super::live::commits_touching;
use super::mutation::mutation;
use crate::auth::Permission;
use crate::commands::service::CommandOutcome;
use crate::commands::shipments::{ScanOutcome, ScanOutcomeKind};
use crate::error::AppError;
use crate::graphql::timestamp::Timestamp;

#[derive(SimpleObject)]
#[graphql(complex)]
pub struct ShipmentWriteResult {
    pub shipment_id: String,
    pub stream_version: Int64,
    pub position: Int64,
    pub replayed: bool,
}

#[ComplexObject]
impl ShipmentWriteResult {
    /// The shipment once the read model includes this write.
    async fn shipment(&self, ctx: &Context<'_>) -> GqlResult<Option<Shipment>> {
        let role = request(ctx)?.principal.role;
        let services = services(ctx)?;
        services
            .wait_for(shipments::NAME, self.position.get())
            .await?;
        Ok(shipments::get(&services.db, &self.shipment_id)
            .await
            .map_err(AppError::from)?
            .map(|s| Shipment::seen_by(s, role))
            .transpose()?)
    }
}

impl From<CommandOutcome> for ShipmentWriteResult {
    fn from(o: CommandOutcome) -> Self {
        ShipmentWriteResult {
            shipment_id: o.stream_id,
            stream_version: Int64(o.version),
            position: Int64(o.position),
            replayed: o.replayed,
        }
    }
}

/// What became of one scan of a batch.
#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq)]
pub enum ScanOutcomeCode {
    /// Stored.
    Recorded,
    /// The checkpoint had been recorded before: nothing stored.
    Duplicate,
    /// No shipment of this carrier has the tracking number: nothing stored.
    Unknown,
    /// The shipment refused it (see `reason`): nothing stored.
    Rejected,
}

/// One scan's answer, in the batch's order.
#[derive(SimpleObject)]
pub struct ScanResult {
    pub tracking_number: String,
    /// The shipment the tracking number names; null when it is unknown.
    pub shipment_id: Option<String>,
    pub outcome: ScanOutcomeCode,
    /// True when this scan was stored.
    pub recorded: bool,
    pub position: Option<Int64>,
    /// A stable reason for `UNKNOWN` and `REJECTED`.
    pub reason: Option<String>,
    pub message: Option<String>,
}

impl From<ScanOutcome> for ScanResult {
    fn from(o: ScanOutcome) -> Self {
        let (outcome, position, reason, message) = match o.kind {
            ScanOutcomeKind::Recorded { position } => {
                (ScanOutcomeCode::Recorded, Some(Int64(position)), None, None)
            }
            ScanOutcomeKind::Duplicate => (ScanOutcomeCode::Duplicate, None, None, None),
            ScanOutcomeKind::Unknown => (
                ScanOutcomeCode::Unknown,
                None,
                Some("unknown_tracking_number".to_string()),
                None,
            ),
            ScanOutcomeKind::Rejected { reason, message } => (
                ScanOutcomeCode::Rejected,
                None,
                Some(reason.to_string()),
                Some(message),
            ),
        };
        ScanResult {
            tracking_number: o.tracking_number,
            shipment_id: o.shipment_id,
            recorded: outcome == ScanOutcomeCode::Recorded,
            outcome,
            position,
            reason,
            message,
        }
    }
}

/// A batch's answers (what the mutation path converts a batch's outcomes into).
pub struct ScanResults(Vec<ScanOutcome>);

impl From<ScanResults> for Vec<ScanResult> {
    fn from(results: ScanResults) -> Self {
        results.0.into_iter().map(Into::into).collect()
    }
}

#[derive(InputObject, Default)]
pub struct ShipmentFilterInput {
    pub warehouse_id: Option<String>,
    pub order_id: Option<String>,
    pub status: Option<String>,
    pub carrier: Option<String>,
}

#[derive(Default)]
pub struct ShipmentQueries;

#[Object]
impl ShipmentQueries {
    async fn shipment(
        &self,
        ctx: &Context<'_>,
        id: String,
        consistent_with: Option<Int64>,
    ) -> GqlResult<Option<Shipment>> {
        let role = authorize(ctx, Permission::ReadShipments)?.role;
        let services = services(ctx)?;
        if let Some(p) = opt_i64(consistent_with) {
            services.wait_for(shipments::NAME, p).await?;
        }
        Ok(shipments::get(&services.db, &id)
            .await
            .map_err(AppError::from)?
            .map(|s| Shipment::seen_by(s, role))
            .transpose()?)
    }

    /// Newest first; a Relay connection (`first` ≤ 100).
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn shipments(
        &self,
        ctx: &Context<'_>,
        filter: Option<ShipmentFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, Shipment>> {
        let role = authorize(ctx, Permission::ReadShipments)?.role;
        let first = page_size(first)?;
        let after = after
            .map(|a| {
                a.split_once('~')
                    .and_then(|(t, id)| Some((t.parse::<i64>().ok()?, id.to_string())))
                    .ok_or_else(|| AppError::invalid_input("after", "not a cursor from this list"))
            })
            .transpose()?;
        let f = filter.unwrap_or_default();
        let filter = ShipmentFilter {
            warehouse_id: f.warehouse_id,
            order_id: f.order_id,
            status: f.status,
            carrier: f.carrier,
        };
        let page = shipments::list(&services(ctx)?.db, &filter, first, after.clone())
            .await
            .map_err(AppError::from)?;
        let mut connection = Connection::new(after.is_some(), page.has_next);
        for s in page.shipments {
            let cursor = format!("{}~{}", s.created_at.timestamp_micros(), s.shipment_id);
            connection
                .edges
                .push(Edge::new(cursor, Shipment::seen_by(s, role)?));
        }
        Ok(connection)
    }

    /// Shipments by state, the late ones, and promises kept, for one warehouse.
    async fn warehouse_board(
        &self,
        ctx: &Context<'_>,
        warehouse_id: String,
    ) -> GqlResult<WarehouseBoardView> {
        authorize(ctx, Permission::ReadShipments)?;
        Ok(
            shipments::board(&services(ctx)?.db, &warehouse_id, chrono::Utc::now())
                .await
                .map_err(AppError::from)?
                .into(),
        )
    }

    /// Per carrier over shipments created in [from, to): on-time, exception and
    /// failed-attempt rates, average transit time.
    async fn carrier_scorecard(
        &self,
        ctx: &Context<'_>,
        from: Timestamp,
        to: Timestamp,
    ) -> GqlResult<Vec<CarrierScoreView>> {
        authorize(ctx, Permission::ReadShipments)?;
        if from >= to {
            return Err(AppError::invalid_input("from", "from must be before to").into());
        }
        Ok(
            shipments::scorecard(&services(ctx)?.db, from.utc(), to.utc())
                .await
                .map_err(AppError::from)?
                .into_iter()
                .map(Into::into)
                .collect(),
        )
    }
}

#[derive(Default)]
pub struct ShipmentMutations;

/// One staff step or cancellation through the one mutation path.
async fn step(
    ctx: &Context<'_>,
    permission: Permission,
    shipment_id: &str,
    idempotency_key: Option<String>,
    build: impl FnOnce(chrono::DateTime<chrono::Utc>) -> Result<ShipmentCommand, AppError>,
) -> GqlResult<ShipmentWriteResult> {
    let m = mutation(ctx, permission, None, idempotency_key)?;
    let command = build(m.request.received_at)?;
    m.run(
        |s, req, write| async move { s.shipment_command(req, shipment_id, command, &write).await },
    )
    .await
}

#[Object]
impl ShipmentMutations {
    /// Creates a shipment (its label) for an order or part of it.
    async fn create_shipment(
        &self,
        ctx: &Context<'_>,
        input: CreateShipmentInput,
        idempotency_key: Option<String>,
    ) -> GqlResult<ShipmentWriteResult> {
        let m = mutation(ctx, Permission::CreateShipment, None, idempotency_key)?;
        let fresh_id = m.write.new_stream_id(m.request, "shipment");
        let command = input.parse(m.request.received_at, fresh_id)?;
        m.run(|s, req, write| async move { s.create_order_shipment(req, command, &write).await })
            .await
    }

    async fn pick_shipment(
        &self,
        ctx: &Context<'_>,
        shipment_id: String,
        staff: String,
        idempotency_key: Option<String>,
    ) -> GqlResult<ShipmentWriteResult> {
        step(
            ctx,
            Permission::WarehouseSteps,
            &shipment_id,
            idempotency_key,
            |at| {
                Ok(ShipmentCommand::Pick {
                    staff: inputs::staff(&staff)?,
                    at,
                })
            },
        )
        .await
    }

    async fn pack_shipment(
        &self,
        ctx: &Context<'_>,
        shipment_id: String,
        staff: String,
        idempotency_key: Option<String>,
    ) -> GqlResult<ShipmentWriteResult> {
        step(
            ctx,
            Permission::WarehouseSteps,
            &shipment_id,
            idempotency_key,
            |at| {
                Ok(ShipmentCommand::Pack {
                    staff: inputs::staff(&staff)?,
                    at,
                    parcels: None,
                })
            },
        )
        .await
    }

    /// Hands the parcels to the carrier (a new tracking number replaces the label's).
    async fn hand_over_shipment(
        &self,
        ctx: &Context<'_>,
        shipment_id: String,
        staff: String,
        tracking_number: Option<String>,
        idempotency_key: Option<String>,
    ) -> GqlResult<ShipmentWriteResult> {
        step(
            ctx,
            Permission::WarehouseSteps,
            &shipment_id,
            idempotency_key,
            |at| {
                Ok(ShipmentCommand::HandOver {
                    staff: inputs::staff(&staff)?,
                    at,
                    tracking_number: tracking_number
                        .as_deref()
                        .map(inputs::tracking_number)
                        .transpose()?,
                })
            },
        )
        .await
    }

    async fn cancel_shipment(
        &self,
        ctx: &Context<'_>,
        shipment_id: String,
        reason: String,
        idempotency_key: Option<String>,
    ) -> GqlResult<ShipmentWriteResult> {
        step(
            ctx,
            Permission::CreateShipment,
            &shipment_id,
            idempotency_key,
            |at| {
                Ok(ShipmentCommand::Cancel {
                    reason: crate::graphql::orders::text("reason", reason, 500)?,
                    at,
                })
            },
        )
        .await
    }

    /// Records carrier checkpoints (the GraphQL twin of the signed webhook), answered scan by
    /// scan: a checkpoint sent again is `DUPLICATE`, an unknown tracking number `UNKNOWN`,
    /// and the valid scans are stored whatever became of the others. Retrying a batch is
    /// safe: each checkpoint is stored once.
    async fn record_tracking_scans(
        &self,
        ctx: &Context<'_>,
        carrier: String,
        scans: Vec<TrackingScanInput>,
    ) -> GqlResult<Vec<ScanResult>> {
        let m = mutation(ctx, Permission::RecordScans, None, None)?;
        let carrier = inputs::carrier(&carrier)?;
        let scans = scans
            .into_iter()
            .enumerate()
            .map(|(i, s)| s.parse(i))
            .collect::<Result<Vec<_>, _>>()?;
        m.run(|s, req, _| async move {
            s.record_carrier_scans(req, carrier, scans)
                .await
                .map(ScanResults)
        })
        .await
    }

    /// A new webhook signing secret for a carrier, shown once.
    async fn rotate_carrier_webhook_secret(
        &self,
        ctx: &Context<'_>,
        carrier: String,
    ) -> GqlResult<String> {
        authorize(ctx, Permission::ManageKeys)?;
        let carrier = inputs::carrier(&carrier)?;
        Ok(crate::webhooks::secrets::rotate(&services(ctx)?.db, carrier.code()).await?)
    }
}

#[derive(Default)]
pub struct ShipmentSubscriptions;

#[Subscription]
impl ShipmentSubscriptions {
    /// The shipment each time its read model changes (carrier scans included).
    async fn shipment_updated(
        &self,
        ctx: &Context<'_>,
        id: String,
    ) -> async_graphql::Result<impl Stream<Item = Shipment>> {
        let role = authorize(ctx, Permission::ReadShipments)?.role;
        let services = services(ctx)?.clone();
        Ok(
            commits_touching(services.runner.subscribe(), shipments::NAME, id.clone()).filter_map(
                move |_| {
                    let services = services.clone();
                    let id = id.clone();
                    async move {
                        shipments::get(&services.db, &id)
                            .await
                            .ok()
                            .flatten()
                            .and_then(|s| Shipment::seen_by(s, role).ok())
                    }
                },
            ),
        )
    }

    /// The warehouse board, again after every change to shipments.
    async fn warehouse_board(
        &self,
        ctx: &Context<'_>,
        warehouse_id: String,
    ) -> async_graphql::Result<impl Stream<Item = WarehouseBoardView>> {
        authorize(ctx, Permission::ReadShipments)?;
        let services = services(ctx)?.clone();
        let commits = BroadcastStream::new(services.runner.subscribe()).filter_map(|b| {
            futures::future::ready(b.ok().filter(|b| b.projection == shipments::NAME))
        });
        Ok(commits.filter_map(move |_| {
            let services = services.clone();
            let warehouse_id = warehouse_id.clone();
            async move {
                shipments::board(&services.db, &warehouse_id, chrono::Utc::now())
                    .await
                    .ok()
                    .map(WarehouseBoardView::from)
            }
        }))
    }
}
