//! Shipment use cases: labels, warehouse staff steps, carrier scans, cancellation, expiry.

use chrono::{DateTime, Utc};
use waybill_domain::ids::ShipmentId;
use waybill_domain::shipment::{
    check_unshipped, tracking_key, Carrier, CreateShipment, Direction, RecordScan, ShipmentCommand,
    ShipmentLine, TrackingNumber,
};
use waybill_projections::shipments;

use super::context::RequestContext;
use super::orders::WriteOptions;
use super::service::CommandOutcome;
use crate::error::{AppError, ErrorCode};
use crate::services::Services;

// `From<ShipmentError> for AppError` lives in `routing.rs`, the first module that needed it.

/// A scan as a carrier reports it: its tracking number and the checkpoint.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct CarrierScan {
    pub tracking_number: TrackingNumber,
    #[serde(flatten)]
    pub scan: RecordScan,
}

/// What became of one scan of a batch, in the batch's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanOutcome {
    pub tracking_number: String,
    /// The shipment the tracking number names; `None` when it names none.
    pub shipment_id: Option<String>,
    pub kind: ScanOutcomeKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScanOutcomeKind {
    Recorded {
        position: i64,
    },
    /// The same checkpoint was already recorded: nothing appended.
    Duplicate,
    /// No shipment of this carrier has the tracking number: nothing appended.
    Unknown,
    /// The shipment refused the scan (e.g. details that do not fit its status).
    Rejected {
        reason: &'static str,
        message: String,
    },
}

impl ScanOutcomeKind {
    pub fn code(&self) -> &'static str {
        match self {
            ScanOutcomeKind::Recorded { .. } => "recorded",
            ScanOutcomeKind::Duplicate => "duplicate",
            ScanOutcomeKind::Unknown => "unknown",
            ScanOutcomeKind::Rejected { .. } => "rejected",
        }
    }
}

impl Services {
    /// A label for an order's goods (the `createShipment` mutation): an outbound shipment may
    /// carry only SKUs of the order and at most the units its other shipments have not taken
    /// (cancelled ones give theirs back). Shipments made by a return (replacement, repaired
    /// item) carry goods the order already had and are not counted.
    ///
    /// The check reads the order's other shipments from the read model, caught up to the head
    /// first; labels for one order take turns in-process, so two concurrent labels cannot both
    /// take the last unit. With several API replicas on PostgreSQL two labels reaching
    /// different replicas at the same instant could still both pass (as for return requests).
    pub async fn create_order_shipment(
        &self,
        ctx: &RequestContext,
        command: CreateShipment,
        options: &WriteOptions,
    ) -> Result<CommandOutcome, AppError> {
        if command.direction != Direction::Outbound {
            return self.create_shipment(ctx, command, options).await;
        }
        let order_id = command.order_id.to_string();
        let _turn = super::returns::serialise(&order_id).await;
        let loaded = self
            .orders
            .load(&order_id)
            .await
            .map_err(|e| AppError::internal("loading an order", &e))?;
        let order = loaded.aggregate.state().ok_or_else(|| {
            AppError::not_found(format!("order {order_id} not found"))
                .with_reason("order_not_found")
        })?;
        let head = waybill_projections::log::head_position(&self.db).await?;
        self.wait_for(shipments::NAME, head).await?;
        self.wait_for(waybill_projections::returns::NAME, head)
            .await?;
        let own = command.shipment_id.to_string();
        let made_by_returns = self.return_made_shipments(&order_id).await?;
        let mut taken: Vec<ShipmentLine> = Vec::new();
        let mut after = None;
        loop {
            let filter = shipments::ShipmentFilter {
                order_id: Some(order_id.clone()),
                ..Default::default()
            };
            let page = shipments::list(&self.db, &filter, 100, after.clone()).await?;
            for s in &page.shipments {
                let counts = s.direction == "outbound"
                    && s.status != "cancelled"
                    && s.shipment_id != own
                    && !made_by_returns.contains(&s.shipment_id);
                if counts {
                    let lines: Vec<ShipmentLine> = serde_json::from_value(s.lines.clone())
                        .map_err(|e| AppError::internal("reading a shipment's lines", &e))?;
                    taken.extend(lines);
                }
            }
            match (page.has_next, page.shipments.last()) {
                (true, Some(last)) => {
                    after = Some((last.created_at.timestamp_micros(), last.shipment_id.clone()))
                }
                _ => break,
            }
        }
        check_unshipped(
            order.lines.iter().map(|l| (&l.sku, l.quantity.get())),
            taken.iter().map(|l| (&l.sku, l.quantity.get())),
            &command.lines,
        )?;
        self.create_shipment(ctx, command, options).await
    }

    /// Ids of the outbound shipments the order's returns made (derived from each return).
    async fn return_made_shipments(
        &self,
        order_id: &str,
    ) -> Result<std::collections::BTreeSet<String>, AppError> {
        let filter = waybill_projections::returns::ReturnFilter {
            order_id: Some(order_id.to_string()),
            ..Default::default()
        };
        let mut ids = std::collections::BTreeSet::new();
        let mut after = None;
        loop {
            let page =
                waybill_projections::returns::list(&self.db, &filter, 100, after.as_ref()).await?;
            for r in &page.returns {
                let Ok(id) = r.view.return_id.parse() else {
                    continue;
                };
                ids.insert(super::returns::replacement_shipment_id(&id).to_string());
                ids.insert(super::returns::repair_return_shipment_id(&id).to_string());
            }
            match (page.has_next, page.returns.last()) {
                (true, Some(last)) => {
                    after = Some(waybill_projections::returns::ReturnCursor {
                        requested_at_micros: last.view.requested_at.timestamp_micros(),
                        return_id: last.view.return_id.clone(),
                    })
                }
                _ => return Ok(ids),
            }
        }
    }

    /// Creates a shipment (its label). A carrier's tracking number must not be held by another
    /// active shipment of that carrier: carriers reuse numbers over time, so finished ones do
    /// not count.
    pub async fn create_shipment(
        &self,
        ctx: &RequestContext,
        command: CreateShipment,
        options: &WriteOptions,
    ) -> Result<CommandOutcome, AppError> {
        if let Some(number) = &command.tracking_number {
            self.ensure_tracking_free(command.carrier, number, &command.shipment_id.to_string())
                .await?;
        }
        let stream_id = command.shipment_id.to_string();
        let opts = options.command_options()?;
        self.commands
            .execute(
                &self.shipments,
                &stream_id,
                ShipmentCommand::Create(command),
                ctx,
                &opts,
            )
            .await
    }

    /// Checked against the read model, so two creations racing within the projection's lag can
    /// both pass; carrier numbers come from the carrier, which does not hand one out twice at
    /// once, so the check guards against integration mistakes rather than adversaries.
    async fn ensure_tracking_free(
        &self,
        carrier: Carrier,
        number: &TrackingNumber,
        own: &str,
    ) -> Result<(), AppError> {
        let key = tracking_key(carrier, number);
        if let Some(holder) = shipments::active_by_tracking(&self.db, &key).await? {
            if holder.shipment_id != own {
                return Err(AppError::new(
                    ErrorCode::InvalidState,
                    format!(
                        "{} tracking number {number} is held by active shipment {}",
                        carrier.code(),
                        holder.shipment_id
                    ),
                )
                .with_reason("tracking_number_in_use"));
            }
        }
        Ok(())
    }

    /// Any other command on an existing shipment.
    pub async fn shipment_command(
        &self,
        ctx: &RequestContext,
        shipment_id: &str,
        command: ShipmentCommand,
        options: &WriteOptions,
    ) -> Result<CommandOutcome, AppError> {
        let id: ShipmentId = shipment_id.parse().map_err(|_| {
            AppError::invalid_input("shipmentId", format!("not a shipment id: {shipment_id:?}"))
        })?;
        if let ShipmentCommand::HandOver {
            tracking_number: Some(number),
            ..
        } = &command
        {
            if let Some(current) = shipments::get(&self.db, shipment_id).await? {
                let carrier: Carrier = current
                    .carrier
                    .parse()
                    .map_err(|_| AppError::new(ErrorCode::Internal, "stored carrier code"))?;
                self.ensure_tracking_free(carrier, number, shipment_id)
                    .await?;
            }
        }
        let opts = options.command_options()?;
        self.commands
            .execute(&self.shipments, &id.to_string(), command, ctx, &opts)
            .await
    }

    /// Records a carrier's batch scan by scan, as carriers' own webhook APIs answer: each
    /// scan is recorded, a duplicate (a checkpoint seen before: carriers resend whole
    /// checkpoint lists), unknown (no shipment of this carrier has the number) or rejected by
    /// its shipment; the valid ones are stored whatever became of the others. Each scan is one
    /// command on one stream and idempotent by its checkpoint, so a batch retried after a
    /// failure midway stores each scan once.
    pub async fn record_carrier_scans(
        &self,
        ctx: &RequestContext,
        carrier: Carrier,
        scans: Vec<CarrierScan>,
    ) -> Result<Vec<ScanOutcome>, AppError> {
        if scans.is_empty() || scans.len() > 500 {
            return Err(AppError::invalid_input(
                "scans",
                "send 1 to 500 scans per batch",
            ));
        }
        let mut holders = Vec::with_capacity(scans.len());
        for s in &scans {
            let key = tracking_key(carrier, &s.tracking_number);
            holders.push(shipments::by_tracking(&self.db, &key).await?);
        }
        if holders.iter().any(Option::is_none) {
            // A label may be newer than the read model: catch up once, then decide.
            let head = waybill_projections::log::head_position(&self.db).await?;
            self.wait_for(shipments::NAME, head).await?;
            for (holder, s) in holders.iter_mut().zip(&scans) {
                if holder.is_none() {
                    let key = tracking_key(carrier, &s.tracking_number);
                    *holder = shipments::by_tracking(&self.db, &key).await?;
                }
            }
        }
        let mut outcomes = Vec::with_capacity(scans.len());
        for (s, holder) in scans.into_iter().zip(holders) {
            let tracking_number = s.tracking_number.to_string();
            let Some(holder) = holder else {
                outcomes.push(ScanOutcome {
                    tracking_number,
                    shipment_id: None,
                    kind: ScanOutcomeKind::Unknown,
                });
                continue;
            };
            let shipment_id = holder.shipment_id;
            let result = self
                .shipment_command(
                    ctx,
                    &shipment_id,
                    ShipmentCommand::RecordScan(s.scan),
                    &WriteOptions::default(),
                )
                .await;
            let kind = match result {
                Ok(o) => ScanOutcomeKind::Recorded {
                    position: o.position,
                },
                Err(e) if e.reason == Some("duplicate_scan") => ScanOutcomeKind::Duplicate,
                Err(e) if matches!(e.code, ErrorCode::InvalidInput | ErrorCode::InvalidState) => {
                    ScanOutcomeKind::Rejected {
                        reason: e.reason.unwrap_or("invalid_scan"),
                        message: e.message,
                    }
                }
                Err(e) => return Err(e),
            };
            outcomes.push(ScanOutcome {
                tracking_number,
                shipment_id: Some(shipment_id),
                kind,
            });
        }
        Ok(outcomes)
    }

    /// Marks shipments in carrier hands with no scan for `days` as expired. Each command is
    /// keyed by (shipment, last activity), so a repeated sweep never expires twice.
    pub async fn expire_silent_shipments(
        &self,
        ctx: &RequestContext,
        now: DateTime<Utc>,
        days: u32,
    ) -> Result<usize, AppError> {
        let cutoff = now - chrono::Duration::days(i64::from(days));
        let mut expired = 0;
        let mut after = None;
        loop {
            let page = shipments::list(&self.db, &Default::default(), 100, after.clone()).await?;
            for s in &page.shipments {
                let silent = s.active && s.handed_over_at.is_some() && s.last_activity_at < cutoff;
                if !silent {
                    continue;
                }
                let command = ShipmentCommand::Expire {
                    at: now,
                    days_without_scan: days,
                    last_activity_before: cutoff,
                };
                let key = format!(
                    "expire:{}:{}",
                    s.shipment_id,
                    s.last_activity_at.timestamp_micros()
                );
                let options = WriteOptions {
                    expected_version: None,
                    idempotency_key: Some(key.clone()),
                    request: key,
                };
                match self
                    .shipment_command(ctx, &s.shipment_id, command, &options)
                    .await
                {
                    Ok(_) => expired += 1,
                    Err(e) if e.code == ErrorCode::InvalidState => {}
                    Err(e) => return Err(e),
                }
            }
            match (page.has_next, page.shipments.last()) {
                (true, Some(last)) => {
                    after = Some((last.created_at.timestamp_micros(), last.shipment_id.clone()))
                }
                _ => return Ok(expired),
            }
        }
    }
}

/// Days without a carrier scan before a shipment in carrier hands is marked expired.
pub fn expiry_days() -> u32 {
    std::env::var("WAYBILL_SHIPMENT_EXPIRY_DAYS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30)
}

/// Hourly expiry sweep, for the server.
pub async fn run_expiry_sweeps(
    services: std::sync::Arc<Services>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let principal = crate::auth::Principal {
        key_id: "policy:shipment_expiry".into(),
        role: crate::auth::Role::Admin,
    };
    loop {
        let ctx = RequestContext::new(principal.clone(), None, None);
        // A panic is logged like an error: it must not end the hourly task.
        let sweep = waybill_projections::supervision::catching_panics(async {
            services
                .expire_silent_shipments(&ctx, chrono::Utc::now(), expiry_days())
                .await
                .map_err(|e| e.message)
        });
        if let Err(e) = sweep.await {
            tracing::error!(error = %e, "shipment expiry sweep failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(3600)) => {}
            _ = shutdown.changed() => return,
        }
    }
}
