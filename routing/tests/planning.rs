//! Depot planning: constraints respected, locks kept, impossible stops reported, bad input typed.
//!
//! The solver is randomised: every assertion is a property of any acceptable plan.

use chrono::{DateTime, Duration, Utc};
use waybill_routing::synthetic::{day_start, depot_day};
use waybill_routing::{
    check_plan, nearest_neighbour, plan_routes, Depot, LockedStop, Matrix, PlanSettings, RoutePlan,
    StopSpec, VehicleSpec, BASELINE_NAME, SOLVER_NAME, SOLVER_VERSION,
};

fn settings() -> PlanSettings {
    PlanSettings {
        max_generations: Some(200),
        max_time_secs: Some(60),
        repeatable: false,
    }
}

fn at(hours: i64) -> DateTime<Utc> {
    day_start() + Duration::hours(hours)
}

fn depot() -> Depot {
    Depot {
        id: "D1".into(),
        lat: 31.2304,
        lon: 121.4737,
    }
}

fn van(id: &str, weight_kg: i64, parcels: i64) -> VehicleSpec {
    VehicleSpec {
        id: id.into(),
        depot_id: "D1".into(),
        capacity_weight_grams: weight_kg * 1000,
        capacity_parcels: parcels,
        shift_start: at(8),
        shift_end: at(18),
        speed_kmh: 30.0,
    }
}

/// Stops on a small grid around the depot (~1 km apart), 1 kg / 1 parcel / 3 min each.
fn stop(i: usize) -> StopSpec {
    StopSpec {
        id: format!("S{i:03}"),
        lat: 31.2304 + 0.01 * ((i % 7) as f64 - 3.0),
        lon: 121.4737 + 0.01 * ((i / 7) as f64 - 3.0),
        window: None,
        weight_grams: 1000,
        parcels: 1,
        service_seconds: 180,
        priority: 0,
        locked_to: None,
    }
}

fn plan(vehicles: &[VehicleSpec], stops: &[StopSpec]) -> RoutePlan {
    let plan = plan_routes(&depot(), vehicles, stops, None, &settings()).expect("plans");
    check_plan(&plan, vehicles, stops).unwrap_or_else(|e| panic!("{e}\n{plan:#?}"));
    plan
}

fn route_of<'a>(plan: &'a RoutePlan, vehicle: &str) -> Vec<&'a str> {
    plan.routes
        .iter()
        .find(|r| r.vehicle_id == vehicle)
        .map(|r| r.stops.iter().map(|s| s.stop_id.as_str()).collect())
        .unwrap_or_default()
}

#[test]
fn a_generated_day_is_planned_feasibly_and_records_the_solver() {
    let day = depot_day(3, 60, 6);
    let plan =
        plan_routes(&day.depot, &day.vehicles, &day.stops, None, &settings()).expect("plans");
    check_plan(&plan, &day.vehicles, &day.stops).expect("feasible");
    assert!(plan.unassigned.is_empty(), "{:?}", plan.unassigned);
    assert_eq!(plan.vehicles_used, plan.routes.len());
    assert_eq!(
        plan.total_distance_m,
        plan.routes.iter().map(|r| r.distance_m).sum::<i64>()
    );
    assert!(plan
        .routes
        .iter()
        .all(|r| r.distance_m > 0 && r.duration_s == (r.end - r.start).num_seconds()));
    assert_eq!(
        (plan.solver.name.as_str(), plan.solver.version.as_str()),
        (SOLVER_NAME, "1.25.0")
    );
    assert_eq!(plan.solver.settings, settings());
    // Stored verbatim in an event: JSON round trip is lossless.
    let json = serde_json::to_string(&plan).expect("serialises");
    assert_eq!(
        serde_json::from_str::<RoutePlan>(&json).expect("deserialises"),
        plan
    );
}

#[test]
fn capacity_is_respected_and_an_oversized_stop_is_unassigned() {
    // 30 × 1 kg over vans of 10 kg: at least three vans, none over 10 kg or 12 parcels.
    let vans = vec![
        van("V1", 10, 12),
        van("V2", 10, 12),
        van("V3", 10, 12),
        van("V4", 10, 12),
    ];
    let mut stops: Vec<StopSpec> = (0..30).map(stop).collect();
    stops.push(StopSpec {
        id: "HEAVY".into(),
        weight_grams: 11_000,
        ..stop(30)
    });
    let plan = plan(&vans, &stops);
    assert!(plan.vehicles_used >= 3);
    for r in &plan.routes {
        assert!(
            r.stops.len() <= 10,
            "{} carries {} kg",
            r.vehicle_id,
            r.stops.len()
        );
    }
    let heavy = plan
        .unassigned
        .iter()
        .find(|u| u.stop_id == "HEAVY")
        .expect("heavy stop unassigned");
    assert_eq!(heavy.code, "CAPACITY_CONSTRAINT");
    assert_eq!(plan.unassigned.len(), 1);
}

#[test]
fn service_starts_inside_every_time_window() {
    // Alternating morning / afternoon one-hour windows force waiting and interleaving.
    let stops: Vec<StopSpec> = (0..24)
        .map(|i| {
            let open = at(if i % 2 == 0 { 9 } else { 14 }) + Duration::minutes(10 * (i as i64 % 4));
            StopSpec {
                window: Some((open, open + Duration::hours(1))),
                ..stop(i)
            }
        })
        .collect();
    let vans = vec![van("V1", 100, 100), van("V2", 100, 100)];
    let plan = plan(&vans, &stops);
    assert!(plan.unassigned.is_empty(), "{:?}", plan.unassigned);
    for s in plan.routes.iter().flat_map(|r| &r.stops) {
        let (open, close) = stops
            .iter()
            .find(|x| x.id == s.stop_id)
            .and_then(|x| x.window)
            .expect("window");
        assert!(
            open <= s.eta && s.eta <= close,
            "{} at {} outside {open}..{close}",
            s.stop_id,
            s.eta
        );
        assert!(s.arrival <= s.eta && s.departure == s.eta + Duration::seconds(180));
    }
}

#[test]
fn a_stop_whose_window_closes_before_the_shift_is_unassigned_with_a_reason() {
    let mut stops: Vec<StopSpec> = (0..5).map(stop).collect();
    stops.push(StopSpec {
        id: "DAWN".into(),
        window: Some((at(5), at(6))),
        ..stop(5)
    });
    let plan = plan(&[van("V1", 100, 100)], &stops);
    assert_eq!(plan.unassigned.len(), 1);
    let u = &plan.unassigned[0];
    assert_eq!(
        (u.stop_id.as_str(), u.code.as_str()),
        ("DAWN", "TIME_WINDOW_CONSTRAINT")
    );
    assert!(!u.reason.is_empty());
    // The baseline reports the same stop with the same code.
    let nn = nearest_neighbour(&depot(), &[van("V1", 100, 100)], &stops, None).expect("baseline");
    assert_eq!(
        nn.unassigned
            .iter()
            .map(|u| (u.stop_id.as_str(), u.code.as_str()))
            .collect::<Vec<_>>(),
        [("DAWN", "TIME_WINDOW_CONSTRAINT")]
    );
}

#[test]
fn locked_stops_keep_their_vehicle_and_order_on_replan() {
    let vans = vec![
        van("V1", 100, 100),
        van("V2", 100, 100),
        van("V3", 100, 100),
    ];
    let mut stops: Vec<StopSpec> = (0..40).map(stop).collect();
    // Already dispatched: V2 does S030, S002, S017 in that (zig-zag, unnatural) order; V3 S005.
    for (seq, idx) in [(2, 2), (1, 30), (3, 17)] {
        stops[idx].locked_to = Some(LockedStop {
            vehicle_id: "V2".into(),
            sequence: seq,
        });
    }
    stops[5].locked_to = Some(LockedStop {
        vehicle_id: "V3".into(),
        sequence: 1,
    });
    for _ in 0..2 {
        let plan = plan(&vans, &stops);
        assert!(plan.unassigned.is_empty(), "{:?}", plan.unassigned);
        assert_eq!(route_of(&plan, "V2")[..3], ["S030", "S002", "S017"]);
        assert_eq!(route_of(&plan, "V3")[0], "S005");
    }
    // The baseline honours locks too.
    let nn = nearest_neighbour(&depot(), &vans, &stops, None).expect("baseline");
    check_plan(&nn, &vans, &stops).expect("baseline feasible");
    assert_eq!(route_of(&nn, "V2")[..3], ["S030", "S002", "S017"]);
}

#[test]
fn priority_stops_win_when_not_everything_fits() {
    // One van, 5 parcels, 12 one-parcel stops: exactly 5 served, and both VIPs among them.
    let mut stops: Vec<StopSpec> = (0..12).map(stop).collect();
    stops[3].priority = 3;
    stops[9].priority = 1;
    let plan = plan(&[van("V1", 100, 5)], &stops);
    let served = route_of(&plan, "V1");
    assert_eq!(served.len(), 5);
    assert!(
        served.contains(&"S003") && served.contains(&"S009"),
        "{served:?}"
    );
    assert!(
        plan.unassigned
            .iter()
            .all(|u| u.code == "CAPACITY_CONSTRAINT"),
        "{:?}",
        plan.unassigned
    );
}

#[test]
fn a_supplied_matrix_replaces_straight_lines() {
    let stops: Vec<StopSpec> = (0..6).map(stop).collect();
    let n = stops.len() + 1;
    // Every hop is 1,000 m and 2 minutes, whatever the coordinates say.
    let off_diagonal = |v: i64| {
        (0..n * n)
            .map(|i| if i / n == i % n { 0 } else { v })
            .collect::<Vec<_>>()
    };
    let matrix = Matrix {
        distances_m: off_diagonal(1000),
        durations_s: off_diagonal(120),
    };
    let vans = [van("V1", 100, 100)];
    let plan = plan_routes(&depot(), &vans, &stops, Some(&matrix), &settings()).expect("plans");
    check_plan(&plan, &vans, &stops).expect("feasible");
    assert_eq!(plan.total_distance_m, 7 * 1000);
    let r = &plan.routes[0];
    assert_eq!(r.duration_s, 7 * 120 + 6 * 180);
    let nn = nearest_neighbour(&depot(), &vans, &stops, Some(&matrix)).expect("baseline");
    assert_eq!(nn.total_distance_m, 7 * 1000);
}

#[test]
fn the_baseline_returns_the_same_shape() {
    let day = depot_day(5, 80, 4);
    let nn = nearest_neighbour(&day.depot, &day.vehicles, &day.stops, None).expect("baseline");
    check_plan(&nn, &day.vehicles, &day.stops).expect("baseline feasible");
    assert_eq!(nn.solver.name, BASELINE_NAME);
    assert_eq!(
        nn,
        nearest_neighbour(&day.depot, &day.vehicles, &day.stops, None).expect("again")
    );
    assert_eq!(nn.routes.len(), nn.vehicles_used);
}

#[test]
fn no_stops_gives_an_empty_plan() {
    let plan = plan_routes(&depot(), &[van("V1", 1, 1)], &[], None, &settings()).expect("plans");
    assert!(plan.routes.is_empty() && plan.unassigned.is_empty());
    assert_eq!((plan.vehicles_used, plan.total_distance_m), (0, 0));
}

#[test]
fn the_recorded_version_is_the_pinned_one() {
    let manifest = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml"));
    assert!(manifest.contains(&format!("vrp-pragmatic = \"={SOLVER_VERSION}\"")));
    assert!(manifest.contains(&format!("vrp-core = \"={SOLVER_VERSION}\"")));
}
