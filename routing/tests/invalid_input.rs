//! Invalid input is a typed error from both planners, never a panic.

use chrono::{Duration, TimeZone, Utc};
use waybill_routing::synthetic::depot_day;
use waybill_routing::{
    nearest_neighbour, plan_routes, LockedStop, Matrix, PlanError, PlanSettings, StopSpec,
    VehicleSpec,
};

type Mutate = fn(&mut Vec<VehicleSpec>, &mut Vec<StopSpec>);

fn run(mutate: Mutate) -> (PlanError, PlanError) {
    let day = depot_day(1, 5, 2);
    let (mut vehicles, mut stops) = (day.vehicles, day.stops);
    mutate(&mut vehicles, &mut stops);
    let settings = PlanSettings::default();
    let solved =
        plan_routes(&day.depot, &vehicles, &stops, None, &settings).expect_err("must be rejected");
    let baseline =
        nearest_neighbour(&day.depot, &vehicles, &stops, None).expect_err("must be rejected");
    (solved, baseline)
}

fn rejects(mutate: Mutate, check: fn(&PlanError) -> bool) {
    let (a, b) = run(mutate);
    assert!(check(&a), "unexpected {a:?}");
    // Compared as text: NaN fields make PartialEq false.
    assert_eq!(
        a.to_string(),
        b.to_string(),
        "both planners give the same error"
    );
}

#[test]
fn no_vehicles() {
    rejects(|v, _| v.clear(), |e| matches!(e, PlanError::NoVehicles));
}

#[test]
fn non_finite_or_out_of_range_coordinates() {
    rejects(
        |_, s| s[0].lat = f64::NAN,
        |e| matches!(e, PlanError::InvalidCoordinate { kind: "stop", .. }),
    );
    rejects(
        |_, s| s[1].lon = f64::INFINITY,
        |e| matches!(e, PlanError::InvalidCoordinate { .. }),
    );
    rejects(
        |_, s| s[2].lat = 91.0,
        |e| matches!(e, PlanError::InvalidCoordinate { .. }),
    );
    let mut day = depot_day(1, 5, 2);
    day.depot.lon = f64::NEG_INFINITY;
    let err = plan_routes(
        &day.depot,
        &day.vehicles,
        &day.stops,
        None,
        &PlanSettings::default(),
    );
    assert!(
        matches!(err, Err(PlanError::InvalidCoordinate { kind: "depot", .. })),
        "{err:?}"
    );
}

#[test]
fn window_ending_before_it_starts() {
    rejects(
        |_, s| {
            let t = Utc.with_ymd_and_hms(2025, 6, 2, 12, 0, 0).unwrap();
            s[0].window = Some((t, t - Duration::minutes(1)));
        },
        |e| matches!(e, PlanError::InvalidWindow { .. }),
    );
}

#[test]
fn negative_or_huge_quantities() {
    rejects(
        |_, s| s[0].weight_grams = -1,
        |e| {
            matches!(
                e,
                PlanError::InvalidQuantity {
                    field: "weight_grams",
                    ..
                }
            )
        },
    );
    rejects(
        |_, s| s[0].parcels = -3,
        |e| {
            matches!(
                e,
                PlanError::InvalidQuantity {
                    field: "parcels",
                    ..
                }
            )
        },
    );
    rejects(
        |_, s| s[0].service_seconds = -60,
        |e| {
            matches!(
                e,
                PlanError::InvalidQuantity {
                    field: "service_seconds",
                    ..
                }
            )
        },
    );
    rejects(
        |v, _| v[0].capacity_weight_grams = i64::MAX,
        |e| {
            matches!(
                e,
                PlanError::InvalidQuantity {
                    field: "capacity_weight_grams",
                    ..
                }
            )
        },
    );
}

#[test]
fn bad_vehicles() {
    rejects(
        |v, _| v[0].shift_end = v[0].shift_start - Duration::hours(1),
        |e| matches!(e, PlanError::InvalidShift { .. }),
    );
    rejects(
        |v, _| v[1].speed_kmh = 0.0,
        |e| matches!(e, PlanError::InvalidSpeed { .. }),
    );
    rejects(
        |v, _| v[1].speed_kmh = f64::NAN,
        |e| matches!(e, PlanError::InvalidSpeed { .. }),
    );
    rejects(
        |v, _| v[0].depot_id = "ELSEWHERE".into(),
        |e| matches!(e, PlanError::WrongDepot { .. }),
    );
    rejects(
        |v, _| v[0].shift_start = Utc.with_ymd_and_hms(1960, 1, 1, 0, 0, 0).unwrap(),
        |e| matches!(e, PlanError::TimeOutOfRange { .. }),
    );
}

#[test]
fn duplicate_ids() {
    rejects(
        |_, s| s[1].id = s[0].id.clone(),
        |e| matches!(e, PlanError::DuplicateId { kind: "stop", .. }),
    );
    rejects(
        |v, _| v[1].id = v[0].id.clone(),
        |e| {
            matches!(
                e,
                PlanError::DuplicateId {
                    kind: "vehicle",
                    ..
                }
            )
        },
    );
    rejects(
        |_, s| s[0].id.clear(),
        |e| matches!(e, PlanError::DuplicateId { .. }),
    );
}

#[test]
fn bad_locks() {
    rejects(
        |_, s| {
            s[0].locked_to = Some(LockedStop {
                vehicle_id: "GHOST".into(),
                sequence: 1,
            })
        },
        |e| matches!(e, PlanError::UnknownLockedVehicle { .. }),
    );
    rejects(
        |v, s| {
            let lock = LockedStop {
                vehicle_id: v[0].id.clone(),
                sequence: 1,
            };
            s[0].locked_to = Some(lock.clone());
            s[1].locked_to = Some(lock);
        },
        |e| matches!(e, PlanError::DuplicateLockedSequence { sequence: 1, .. }),
    );
}

#[test]
fn bad_matrix_and_settings() {
    let day = depot_day(1, 5, 2);
    let short = Matrix {
        distances_m: vec![0; 35],
        durations_s: vec![0; 36],
    };
    let negative = Matrix {
        distances_m: vec![-1; 36],
        durations_s: vec![0; 36],
    };
    for m in [short, negative] {
        let err = plan_routes(
            &day.depot,
            &day.vehicles,
            &day.stops,
            Some(&m),
            &PlanSettings::default(),
        );
        assert_eq!(err, Err(PlanError::InvalidMatrix { expected: 6 }));
    }
    let unlimited = PlanSettings {
        max_generations: None,
        max_time_secs: None,
        repeatable: true,
    };
    let err = plan_routes(&day.depot, &day.vehicles, &day.stops, None, &unlimited);
    assert!(matches!(err, Err(PlanError::InvalidSettings(_))));
    // Errors read well in logs.
    assert_eq!(
        PlanError::NoVehicles.to_string(),
        "no vehicles to plan with"
    );
}
