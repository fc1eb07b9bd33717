//! Public benchmark instances: parsing, the solver against best-known results, the baseline.
//!
//! The solver is randomised, so these assert properties (feasible, vehicle count, distance within
//! a tolerance of the best known), never exact routes, and never timings. Copies of the public
//! instance files live in tests/data so the tests do not depend on the shared/ folder.

use waybill_routing::instances::{parse_li_lim, parse_solomon, Instance, InstanceKind};
use waybill_routing::{PlanError, PlanSettings};

const C101: &str = include_str!("data/C101.100.txt");
const LC101: &str = include_str!("data/LC101.txt");
/// Best known for both C101 and LC101 (shared/data/routing/README.md).
const BEST_DISTANCE: f64 = 828.94;

fn c101() -> Instance {
    parse_solomon("C101", C101).expect("C101 parses")
}

fn lc101() -> Instance {
    parse_li_lim("LC101", LC101).expect("LC101 parses")
}

/// A generation cap keeps debug runs to seconds; the time cap only guards a slow machine.
fn settings(generations: usize) -> PlanSettings {
    PlanSettings {
        max_generations: Some(generations),
        max_time_secs: Some(120),
        repeatable: false,
    }
}

#[test]
fn c101_is_read_as_the_readme_describes() {
    let inst = c101();
    assert_eq!(inst.kind, InstanceKind::Solomon);
    assert_eq!(
        (inst.rows.len() - 1, inst.vehicles, inst.capacity),
        (100, 25, 200)
    );
    assert_eq!(
        (inst.rows[0].x, inst.rows[0].y, inst.rows[0].due),
        (40.0, 50.0, 1236.0)
    );
    assert_eq!(
        (
            inst.rows[1].demand,
            inst.rows[1].ready,
            inst.rows[1].due,
            inst.rows[1].service
        ),
        (10, 912.0, 967.0, 90.0)
    );
    assert_eq!(inst.jobs(), 100);
}

#[test]
fn lc101_is_read_as_pickup_delivery_pairs() {
    let inst = lc101();
    assert_eq!(inst.kind, InstanceKind::LiLim);
    assert_eq!(
        (
            inst.rows.len() - 1,
            inst.vehicles,
            inst.capacity,
            inst.speed
        ),
        (106, 25, 200, 1.0)
    );
    assert_eq!(inst.jobs(), 53);
    // Row 1 is a delivery whose pickup is row 11.
    assert_eq!(
        (
            inst.rows[1].demand,
            inst.rows[1].pickup,
            inst.rows[11].delivery
        ),
        (-10, 11, 1)
    );
}

#[test]
fn c101_reaches_the_best_known_result() {
    let inst = c101();
    // vrp reaches the optimum within ~100 generations in release; 300 leaves room in debug.
    let solution = inst.solve(&settings(300)).expect("solves");
    let score = inst.check(&solution).expect("feasible");
    assert_eq!(score.unassigned, 0);
    assert!(score.vehicles <= 10, "{score:?}");
    assert!(score.distance <= BEST_DISTANCE * 1.01, "{score:?}");
    // A distance below the optimum would mean the checker or the matrix is wrong.
    assert!(score.distance >= BEST_DISTANCE - 0.01, "{score:?}");
}

#[test]
fn lc101_is_solved_as_pickup_and_delivery() {
    let inst = lc101();
    let solution = inst.solve(&settings(300)).expect("solves");
    // The checker enforces pickup-before-delivery on one route and load within capacity.
    let score = inst.check(&solution).expect("feasible");
    assert_eq!(score.unassigned, 0);
    assert!(score.vehicles <= 11, "{score:?}");
    assert!(score.distance <= BEST_DISTANCE * 1.05, "{score:?}");
}

#[test]
fn nearest_neighbour_is_feasible_and_no_better_than_the_solver() {
    let inst = c101();
    let nn = inst
        .check(&inst.nearest_neighbour())
        .expect("baseline feasible");
    assert_eq!(nn.unassigned, 0);
    assert!(nn.vehicles >= 10 && nn.distance >= BEST_DISTANCE, "{nn:?}");
    // Deterministic: same input, same routes.
    assert_eq!(inst.nearest_neighbour(), inst.nearest_neighbour());

    let pairs = lc101();
    let nn = pairs
        .check(&pairs.nearest_neighbour())
        .expect("pair baseline feasible");
    assert!(nn.vehicles <= pairs.vehicles);
}

#[test]
fn checker_rejects_broken_solutions() {
    let inst = c101();
    let mut solution = inst.nearest_neighbour();
    let good = inst.check(&solution).expect("baseline feasible");
    // Everything on one vehicle: over capacity.
    let all: Vec<usize> = solution.routes.concat();
    assert!(inst
        .check(&waybill_routing::instances::InstanceSolution {
            routes: vec![all],
            unassigned: vec![]
        })
        .is_err());
    // A customer dropped silently.
    solution.routes[0].pop();
    assert!(inst.check(&solution).is_err());
    assert!(good.distance > 0.0);
}

#[test]
fn malformed_files_are_typed_errors() {
    assert!(matches!(
        parse_solomon("x", "C101\nnothing here"),
        Err(PlanError::InvalidInstance(_))
    ));
    assert!(matches!(
        parse_li_lim("x", ""),
        Err(PlanError::InvalidInstance(_))
    ));
    // Rows out of order.
    let text = "1 10 1\n0 0 0 0 0 100 0 0 0\n2 1 1 5 0 100 0 0 1\n";
    assert!(matches!(
        parse_li_lim("x", text),
        Err(PlanError::InvalidInstance(_))
    ));
    // A pickup whose delivery does not point back.
    let text = "1 10 1\n0 0 0 0 0 100 0 0 0\n1 1 1 5 0 100 0 0 2\n2 2 2 -5 0 100 0 0 0\n";
    assert!(matches!(
        parse_li_lim("x", text),
        Err(PlanError::InvalidInstance(_))
    ));
    // Settings without any limit are refused before solving.
    let none = PlanSettings {
        max_generations: None,
        max_time_secs: None,
        repeatable: false,
    };
    assert!(matches!(
        c101().solve(&none),
        Err(PlanError::InvalidSettings(_))
    ));
}
