//! Ready-made valid route plans for tests in this and other crates. Not
//! behind `cfg(test)` so downstream suites can use it; no IO.
//!
//! The sample run: the sample van leaves the sample depot on 2025-01-02 at
//! 09:00 (UTC in these fixtures) for two stops, the sample shipment first.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use uuid::Uuid;

use crate::ids::{RouteId, ShipmentId};
use crate::network::sample::{sample_depot_id, sample_vehicle_id};
use crate::route::commands::{PlannedStop, RouteCommand, RoutePlan, SolverRun};
use crate::route::events::RouteEvent;
use crate::shipment::sample::{sample_other_shipment_id, sample_shipment_id};

/// 2025-01-02T09:00:00Z, the sample run's departure from the depot.
pub const SAMPLE_ROUTE_START_SECS: i64 = 1_735_808_400;

/// `SAMPLE_ROUTE_START_SECS + seconds`.
pub fn route_time(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(SAMPLE_ROUTE_START_SECS + seconds, 0).unwrap_or_default()
}

pub fn sample_route_id() -> RouteId {
    RouteId::from_uuid(Uuid::from_u128(0x0194_0000_0000_7000_a000_0000_0000_0001))
}

pub fn sample_route_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 2).unwrap_or_default()
}

/// A stop arriving `eta` seconds after the start, staying five minutes.
pub fn sample_stop(shipment_id: ShipmentId, sequence: u32, eta: i64) -> PlannedStop {
    let arrival = route_time(eta);
    PlannedStop {
        shipment_id,
        sequence,
        eta: arrival,
        // Fixtures must not panic even for absurd offsets.
        departure: arrival
            .checked_add_signed(TimeDelta::minutes(5))
            .unwrap_or(arrival),
    }
}

pub fn sample_solver() -> SolverRun {
    SolverRun {
        name: "vrp-pragmatic".into(),
        version: "1.25.0".into(),
        settings: serde_json::json!({ "max_generations": 3000, "seed": 42 }),
    }
}

/// Two stops: the sample shipment at 09:20, the other at 09:50.
pub fn sample_route_plan() -> RoutePlan {
    RoutePlan {
        depot: sample_depot_id(),
        date: sample_route_date(),
        vehicle_id: sample_vehicle_id(),
        stops: vec![
            sample_stop(sample_shipment_id(), 1, 1_200),
            sample_stop(sample_other_shipment_id(), 2, 3_000),
        ],
        distance_m: 18_400,
        duration_s: 5_400,
        solver: sample_solver(),
    }
}

/// Planned the evening before.
pub fn sample_planned_at() -> DateTime<Utc> {
    route_time(-12 * 3_600)
}

pub fn sample_plan_route() -> RouteCommand {
    RouteCommand::Plan {
        route_id: sample_route_id(),
        plan: sample_route_plan(),
        at: sample_planned_at(),
    }
}

pub fn sample_route_planned() -> RouteEvent {
    RouteEvent::RoutePlanned {
        route_id: sample_route_id(),
        plan: sample_route_plan(),
        revision: 1,
        at: sample_planned_at(),
    }
}

pub fn sample_route_dispatched() -> RouteEvent {
    RouteEvent::RouteDispatched {
        vehicle_id: sample_vehicle_id(),
        driver: None,
        shipment_ids: vec![sample_shipment_id(), sample_other_shipment_id()],
        at: route_time(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route::Route;

    #[test]
    fn sample_route_planned_matches_what_planning_records() {
        assert_eq!(
            Route::default().decide(sample_plan_route()),
            Ok(vec![sample_route_planned()])
        );
    }
}
