//! Sites and the own fleet: admin mutations, `sites` and `vehicles` queries.

use crate::graphql::scalars::{opt_i64, Int64};
use async_graphql::{Context, Enum, InputObject, Json, Object, SimpleObject};
use chrono::NaiveTime;
use waybill_domain::ids::{PickupPointId, VehicleId, WarehouseId};
use waybill_domain::network::{
    OpeningHours, SiteCommand, SiteDetails, SiteId, SiteKind, VehicleCommand, VehicleSpec,
};
use waybill_projections::network::{self, SiteView, VehicleView};

use super::context::{authorize, services};
use super::error::GqlResult;
use super::mutation::{mutation, Mutation};
use super::orders::AddressInput;
use crate::auth::Permission;
use crate::commands::service::CommandOutcome;
use crate::error::AppError;
use crate::graphql::timestamp::Timestamp;

/// The answer to a write on one stream, once the events are durable.
#[derive(SimpleObject)]
pub struct StreamWriteResult {
    pub stream_id: String,
    pub stream_version: Int64,
    /// Global position of the last event written; pass it as `consistentWith`.
    pub position: Int64,
}

impl From<CommandOutcome> for StreamWriteResult {
    fn from(o: CommandOutcome) -> Self {
        StreamWriteResult {
            stream_id: o.stream_id,
            stream_version: Int64(o.version),
            position: Int64(o.position),
        }
    }
}

#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(name = "SiteKind")]
pub enum GqlSiteKind {
    Warehouse,
    Depot,
    PickupPoint,
}

impl GqlSiteKind {
    fn domain(self) -> SiteKind {
        match self {
            GqlSiteKind::Warehouse => SiteKind::Warehouse,
            GqlSiteKind::Depot => SiteKind::Depot,
            GqlSiteKind::PickupPoint => SiteKind::PickupPoint,
        }
    }
}

/// A site id: `kind` picks the stream (`warehouse:<id>` for warehouses and depots,
/// `pickup_point:<id>` for pickup points).
fn site_id(kind: GqlSiteKind, id: &str) -> Result<SiteId, AppError> {
    if kind == GqlSiteKind::PickupPoint {
        PickupPointId::parse(id).map(SiteId::PickupPoint)
    } else {
        WarehouseId::parse(id).map(SiteId::Warehouse)
    }
    .map_err(|e| AppError::invalid_input("id", e))
}

#[derive(InputObject, Debug)]
pub struct SiteDetailsInput {
    pub name: String,
    /// Depots and pickup points need coordinates.
    pub address: AddressInput,
    pub opens: Option<NaiveTime>,
    pub closes: Option<NaiveTime>,
}

impl SiteDetailsInput {
    fn parse(self) -> Result<SiteDetails, AppError> {
        let opening_hours = match (self.opens, self.closes) {
            (Some(o), Some(c)) => {
                Some(OpeningHours::new(o, c).map_err(|e| AppError::invalid_input("opens", e))?)
            }
            (None, None) => None,
            _ => {
                return Err(AppError::invalid_input(
                    "opens",
                    "give both opens and closes",
                ))
            }
        };
        Ok(SiteDetails {
            name: self.name,
            address: self.address.parse()?,
            opening_hours,
        })
    }
}

#[derive(InputObject, Debug)]
pub struct VehicleInput {
    /// The depot's id (without the `warehouse:` prefix).
    pub depot: String,
    pub capacity_weight_grams: u32,
    pub capacity_parcels: u32,
    pub shift_start: NaiveTime,
    pub shift_end: NaiveTime,
    pub average_speed_kmh: u16,
}

impl VehicleInput {
    fn parse(self) -> Result<VehicleSpec, AppError> {
        Ok(VehicleSpec {
            depot: WarehouseId::parse(&self.depot)
                .map_err(|e| AppError::invalid_input("depot", e))?,
            capacity_weight_grams: self.capacity_weight_grams,
            capacity_parcels: self.capacity_parcels,
            shift_start: self.shift_start,
            shift_end: self.shift_end,
            average_speed_kmh: self.average_speed_kmh,
        })
    }
}

fn vehicle_id(id: &str) -> Result<VehicleId, AppError> {
    VehicleId::parse(id).map_err(|e| AppError::invalid_input("vehicleId", e))
}

#[derive(SimpleObject)]
pub struct Site {
    /// The stream id (`warehouse:<id>` / `pickup_point:<id>`).
    pub site_id: String,
    /// The bare id shipments and vehicles refer to.
    pub id: String,
    /// warehouse, depot or pickup_point.
    pub kind: String,
    pub name: String,
    pub address: Json<serde_json::Value>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub opens: Option<NaiveTime>,
    pub closes: Option<NaiveTime>,
    /// open or closed.
    pub status: String,
    pub registered_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    pub version: Int64,
}

impl From<SiteView> for Site {
    fn from(v: SiteView) -> Self {
        Site {
            site_id: v.site_id,
            id: v.id,
            kind: v.kind,
            name: v.name,
            address: Json(v.address),
            lat: v.lat,
            lon: v.lon,
            opens: v.opens,
            closes: v.closes,
            status: v.status,
            registered_at: v.registered_at.into(),
            closed_at: v.closed_at.map(Timestamp::from),
            version: Int64(v.version),
        }
    }
}

#[derive(SimpleObject)]
pub struct Vehicle {
    pub vehicle_id: String,
    pub depot: String,
    pub capacity_weight_grams: u32,
    pub capacity_parcels: u32,
    pub shift_start: NaiveTime,
    pub shift_end: NaiveTime,
    pub average_speed_kmh: u16,
    /// active or retired.
    pub status: String,
    pub updated_at: Timestamp,
    pub version: Int64,
}

impl From<VehicleView> for Vehicle {
    fn from(v: VehicleView) -> Self {
        Vehicle {
            vehicle_id: v.vehicle_id,
            depot: v.depot,
            capacity_weight_grams: v.capacity_weight_grams,
            capacity_parcels: v.capacity_parcels,
            shift_start: v.shift_start,
            shift_end: v.shift_end,
            average_speed_kmh: v.average_speed_kmh,
            status: v.status,
            updated_at: v.updated_at.into(),
            version: Int64(v.version),
        }
    }
}

#[derive(Default)]
pub struct NetworkQueries;

#[Object]
impl NetworkQueries {
    /// Every site (optionally of one kind), by stream id.
    async fn sites(
        &self,
        ctx: &Context<'_>,
        kind: Option<GqlSiteKind>,
        consistent_with: Option<Int64>,
    ) -> GqlResult<Vec<Site>> {
        authorize(ctx, Permission::ReadNetwork)?;
        let services = services(ctx)?;
        if let Some(p) = opt_i64(consistent_with) {
            services.wait_for(network::SITES_NAME, p).await?;
        }
        let kind = kind.map(|k| k.domain().code());
        let sites = network::list_sites(&services.db, kind)
            .await
            .map_err(AppError::from)?;
        Ok(sites.into_iter().map(Site::from).collect())
    }

    /// The vehicles of a depot (all depots without `depot`), retired ones included.
    async fn vehicles(
        &self,
        ctx: &Context<'_>,
        depot: Option<String>,
        consistent_with: Option<Int64>,
    ) -> GqlResult<Vec<Vehicle>> {
        authorize(ctx, Permission::ReadNetwork)?;
        let services = services(ctx)?;
        if let Some(p) = opt_i64(consistent_with) {
            services.wait_for(network::VEHICLES_NAME, p).await?;
        }
        let vehicles = network::list_vehicles(&services.db, depot.as_deref())
            .await
            .map_err(AppError::from)?;
        Ok(vehicles.into_iter().map(Vehicle::from).collect())
    }
}

#[derive(Default)]
pub struct NetworkMutations;

async fn site_write(
    m: Mutation<'_>,
    site: SiteId,
    command: SiteCommand,
) -> GqlResult<StreamWriteResult> {
    m.run(|s, req, write| async move {
        s.site_command(req, &site, command, write.expected_version)
            .await
    })
    .await
}

async fn vehicle_write(
    m: Mutation<'_>,
    vehicle: VehicleId,
    command: VehicleCommand,
) -> GqlResult<StreamWriteResult> {
    m.run(|s, req, write| async move {
        s.vehicle_command(req, &vehicle, command, write.expected_version)
            .await
    })
    .await
}

#[Object]
impl NetworkMutations {
    /// Registers a warehouse, depot or pickup point.
    async fn register_site(
        &self,
        ctx: &Context<'_>,
        id: String,
        kind: GqlSiteKind,
        details: SiteDetailsInput,
    ) -> GqlResult<StreamWriteResult> {
        let m = mutation(ctx, Permission::ManageNetwork, None, None)?;
        let at = m.request.received_at;
        let command = SiteCommand::Register {
            site_id: site_id(kind, &id)?,
            kind: kind.domain(),
            details: details.parse()?,
            at,
        };
        site_write(m, site_id(kind, &id)?, command).await
    }

    async fn update_site(
        &self,
        ctx: &Context<'_>,
        id: String,
        kind: GqlSiteKind,
        details: SiteDetailsInput,
        expected_version: Option<Int64>,
    ) -> GqlResult<StreamWriteResult> {
        let m = mutation(ctx, Permission::ManageNetwork, expected_version, None)?;
        let at = m.request.received_at;
        let command = SiteCommand::Update {
            details: details.parse()?,
            at,
        };
        site_write(m, site_id(kind, &id)?, command).await
    }

    async fn close_site(
        &self,
        ctx: &Context<'_>,
        id: String,
        kind: GqlSiteKind,
        reason: String,
        expected_version: Option<Int64>,
    ) -> GqlResult<StreamWriteResult> {
        let m = mutation(ctx, Permission::ManageNetwork, expected_version, None)?;
        let at = m.request.received_at;
        let command = SiteCommand::Close { reason, at };
        site_write(m, site_id(kind, &id)?, command).await
    }

    async fn register_vehicle(
        &self,
        ctx: &Context<'_>,
        vehicle_id: String,
        spec: VehicleInput,
    ) -> GqlResult<StreamWriteResult> {
        let m = mutation(ctx, Permission::ManageNetwork, None, None)?;
        let at = m.request.received_at;
        let id = self::vehicle_id(&vehicle_id)?;
        let command = VehicleCommand::Register {
            vehicle_id: id.clone(),
            spec: spec.parse()?,
            at,
        };
        vehicle_write(m, id, command).await
    }

    async fn update_vehicle(
        &self,
        ctx: &Context<'_>,
        vehicle_id: String,
        spec: VehicleInput,
        expected_version: Option<Int64>,
    ) -> GqlResult<StreamWriteResult> {
        let m = mutation(ctx, Permission::ManageNetwork, expected_version, None)?;
        let at = m.request.received_at;
        let command = VehicleCommand::Update {
            spec: spec.parse()?,
            at,
        };
        vehicle_write(m, self::vehicle_id(&vehicle_id)?, command).await
    }

    async fn retire_vehicle(
        &self,
        ctx: &Context<'_>,
        vehicle_id: String,
        reason: String,
        expected_version: Option<Int64>,
    ) -> GqlResult<StreamWriteResult> {
        let m = mutation(ctx, Permission::ManageNetwork, expected_version, None)?;
        let at = m.request.received_at;
        let command = VehicleCommand::Retire { reason, at };
        vehicle_write(m, self::vehicle_id(&vehicle_id)?, command).await
    }
}
