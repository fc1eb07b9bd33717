//! Shipment use cases: labels, warehouse staff steps, carrier scans, cancellation, expiry.

use chrono::{DateTime, Utc};
use waybill_domain::ids::ShipmentId;
use waybill_domain::shipment::{
    tracking_key, Carrier, CreateShipment, RecordScan, ShipmentCommand, TrackingNumber,
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

/// What became of one scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScanOutcome {
    Recorded {
        shipment_id: String,
        position: i64,
    },
    /// The same checkpoint was already recorded: nothing appended.
    Duplicate {
        shipment_id: String,
    },
}

impl Services {
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

    /// Resolves every scan to its shipment first, so a batch with an unknown tracking number
    /// stores nothing; then records them in order. A checkpoint seen before is a duplicate,
    /// not an error: carriers resend whole checkpoint lists.
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
        let mut resolved = Vec::with_capacity(scans.len());
        for (i, s) in scans.into_iter().enumerate() {
            let key = tracking_key(carrier, &s.tracking_number);
            let mut found = shipments::by_tracking(&self.db, &key).await?;
            if found.is_none() {
                // The label may be newer than the read model: catch up once, then decide.
                let head = waybill_projections::log::head_position(&self.db).await?;
                self.wait_for(shipments::NAME, head).await?;
                found = shipments::by_tracking(&self.db, &key).await?;
            }
            let shipment = found.ok_or_else(|| {
                AppError::invalid_input(
                    format!("scans[{i}].tracking_number"),
                    format!(
                        "no {} shipment has tracking number {}",
                        carrier.code(),
                        s.tracking_number
                    ),
                )
            })?;
            resolved.push((shipment.shipment_id, s.scan));
        }
        let mut outcomes = Vec::with_capacity(resolved.len());
        for (shipment_id, scan) in resolved {
            let result = self
                .shipment_command(
                    ctx,
                    &shipment_id,
                    ShipmentCommand::RecordScan(scan),
                    &WriteOptions::default(),
                )
                .await;
            outcomes.push(match result {
                Ok(o) => ScanOutcome::Recorded {
                    shipment_id,
                    position: o.position,
                },
                Err(e) if e.reason == Some("duplicate_scan") => {
                    ScanOutcome::Duplicate { shipment_id }
                }
                Err(e) => return Err(e),
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
