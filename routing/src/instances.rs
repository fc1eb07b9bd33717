//! Readers for the public benchmark formats (Solomon VRPTW, Li & Lim PDPTW), a solver and a
//! baseline run on them, and an independent floating-point checker for their solutions.
//!
//! Benchmarks use Euclidean distances where travel time = distance (Li & Lim: distance / speed)
//! in the instance's own units. vrp-pragmatic matrices are integers, so every distance and time
//! is multiplied by [`SCALE`] and rounded (error ≤ 0.0005 per leg); the checker then recomputes
//! the distance with plain floats, which is the figure comparable with the best-known results.
//!
//! Li & Lim instances are solved as real pickup-and-delivery: each request is one vrp job with a
//! pickup task and a delivery task (same vehicle, pickup first, load carried in between).

use crate::error::PlanError;
use crate::model::PlanSettings;
use crate::plan::check_settings;
use crate::problem::{Job, Problem, Profile, Solved, Task, Vehicle};
use crate::{baseline, vrp};

/// Instance units per solver unit: 1/1000 keeps two-decimal results exact to the cent.
pub const SCALE: f64 = 1000.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstanceKind {
    /// Solomon VRPTW: every customer is a delivery from the depot.
    Solomon,
    /// Li & Lim PDPTW: paired pickups and deliveries.
    LiLim,
}

/// One row of an instance file (row 0 is the depot).
#[derive(Clone, Debug, PartialEq)]
pub struct Customer {
    pub id: usize,
    pub x: f64,
    pub y: f64,
    /// Li & Lim: negative at a delivery.
    pub demand: i64,
    pub ready: f64,
    pub due: f64,
    pub service: f64,
    /// Li & Lim only: at a delivery, the row of its pickup (else 0).
    pub pickup: usize,
    /// Li & Lim only: at a pickup, the row of its delivery (else 0).
    pub delivery: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Instance {
    pub name: String,
    pub kind: InstanceKind,
    pub vehicles: usize,
    pub capacity: i64,
    /// Distance units per time unit (1 for every published instance).
    pub speed: f64,
    /// `rows[0]` is the depot; row `i` has id `i`.
    pub rows: Vec<Customer>,
}

/// Routes as customer ids in visit order (depot excluded), plus the ids left unserved.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InstanceSolution {
    pub routes: Vec<Vec<usize>>,
    pub unassigned: Vec<usize>,
}

/// Checked figures of an [`InstanceSolution`].
#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    pub vehicles: usize,
    pub distance: f64,
    pub unassigned: usize,
}

fn numbers(line: &str) -> Option<Vec<f64>> {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    if tokens.is_empty() {
        return None;
    }
    tokens.iter().map(|t| t.parse::<f64>().ok()).collect()
}

fn bad(msg: impl Into<String>) -> PlanError {
    PlanError::InvalidInstance(msg.into())
}

fn row(f: &[f64], kind: InstanceKind) -> Customer {
    let (pickup, delivery) = match kind {
        InstanceKind::LiLim => (f[7] as usize, f[8] as usize),
        InstanceKind::Solomon => (0, 0),
    };
    Customer {
        id: f[0] as usize,
        x: f[1],
        y: f[2],
        demand: f[3] as i64,
        ready: f[4],
        due: f[5],
        service: f[6],
        pickup,
        delivery,
    }
}

fn finish(
    name: &str,
    kind: InstanceKind,
    header: &[f64],
    rows: Vec<Customer>,
) -> Result<Instance, PlanError> {
    if rows.len() < 2 {
        return Err(bad("no customers"));
    }
    if rows.iter().enumerate().any(|(i, r)| r.id != i) {
        return Err(bad("rows must be numbered 0, 1, 2, ... (0 = depot)"));
    }
    let speed = header.get(2).copied().unwrap_or(1.0);
    if !(speed.is_finite() && speed > 0.0) || header[0] < 1.0 || header[1] < 0.0 {
        return Err(bad("bad vehicle count, capacity or speed"));
    }
    if kind == InstanceKind::LiLim {
        for r in &rows[1..] {
            let partner = if r.delivery > 0 { r.delivery } else { r.pickup };
            let p = rows
                .get(partner)
                .ok_or_else(|| bad(format!("row {}: unknown partner {partner}", r.id)))?;
            let paired = if r.delivery > 0 {
                p.pickup == r.id
            } else {
                p.delivery == r.id && r.pickup > 0
            };
            if !paired || p.demand != -r.demand {
                return Err(bad(format!(
                    "row {}: pickup/delivery pair with {partner} is inconsistent",
                    r.id
                )));
            }
        }
    }
    Ok(Instance {
        name: name.to_string(),
        kind,
        vehicles: header[0] as usize,
        capacity: header[1] as i64,
        speed,
        rows,
    })
}

/// Solomon format: name, `VEHICLE` block (number, capacity), `CUSTOMER` block of
/// `id x y demand ready due service` rows, row 0 the depot.
pub fn parse_solomon(name: &str, text: &str) -> Result<Instance, PlanError> {
    let lines: Vec<Vec<f64>> = text.lines().filter_map(numbers).collect();
    let header = lines
        .iter()
        .find(|l| l.len() == 2)
        .ok_or_else(|| bad("missing vehicle number and capacity"))?;
    let rows = lines
        .iter()
        .filter(|l| l.len() == 7)
        .map(|f| row(f, InstanceKind::Solomon))
        .collect();
    finish(name, InstanceKind::Solomon, header, rows)
}

/// Li & Lim format: `vehicles capacity speed`, then rows of
/// `id x y demand ready due service pickup delivery`, row 0 the depot.
pub fn parse_li_lim(name: &str, text: &str) -> Result<Instance, PlanError> {
    let lines: Vec<Vec<f64>> = text.lines().filter_map(numbers).collect();
    let header = lines
        .first()
        .filter(|l| l.len() == 3)
        .ok_or_else(|| bad("first line must be: vehicles capacity speed"))?;
    let rows = lines[1..]
        .iter()
        .filter(|l| l.len() == 9)
        .map(|f| row(f, InstanceKind::LiLim))
        .collect();
    finish(name, InstanceKind::LiLim, header, rows)
}

impl Instance {
    fn euclid(&self, a: usize, b: usize) -> f64 {
        let (p, q) = (&self.rows[a], &self.rows[b]);
        ((p.x - q.x).powi(2) + (p.y - q.y).powi(2)).sqrt()
    }

    /// Served units: customers for Solomon, requests (pairs) for Li & Lim.
    pub fn jobs(&self) -> usize {
        match self.kind {
            InstanceKind::Solomon => self.rows.len() - 1,
            InstanceKind::LiLim => self.rows.iter().filter(|r| r.delivery > 0).count(),
        }
    }

    /// Lowers to the internal problem, with the customer row behind each job's tasks.
    fn lower(&self) -> (Problem, Vec<(Option<usize>, usize)>) {
        let n = self.rows.len();
        let scaled = |v: f64| (v * SCALE).round() as i64;
        let distances: Vec<i64> = (0..n * n)
            .map(|i| scaled(self.euclid(i / n, i % n)))
            .collect();
        let durations: Vec<i64> = (0..n * n)
            .map(|i| scaled(self.euclid(i / n, i % n) / self.speed))
            .collect();
        let task = |r: &Customer| Task {
            loc: r.id,
            demand: vec![r.demand.abs()],
            window: Some((scaled(r.ready), scaled(r.due))),
            service: scaled(r.service),
        };
        let mut rows = Vec::new();
        let jobs: Vec<Job> = self.rows[1..]
            .iter()
            .filter(|r| self.kind == InstanceKind::Solomon || r.delivery > 0)
            .map(|r| match self.kind {
                InstanceKind::Solomon => {
                    rows.push((None, r.id));
                    Job {
                        pickup: None,
                        delivery: task(r),
                        value: None,
                    }
                }
                InstanceKind::LiLim => {
                    rows.push((Some(r.id), r.delivery));
                    Job {
                        pickup: Some(task(r)),
                        delivery: task(&self.rows[r.delivery]),
                        value: None,
                    }
                }
            })
            .collect();
        let depot = &self.rows[0];
        let vehicle = Vehicle {
            capacity: vec![self.capacity],
            start: scaled(depot.ready),
            end: scaled(depot.due),
            profile: 0,
        };
        let problem = Problem {
            locations: n,
            depot: 0,
            vehicles: vec![vehicle; self.vehicles],
            jobs,
            profiles: vec![Profile {
                distances,
                durations,
            }],
            locks: Vec::new(),
        };
        (problem, rows)
    }

    fn to_solution(&self, solved: &Solved, rows: &[(Option<usize>, usize)]) -> InstanceSolution {
        let routes = solved
            .routes
            .iter()
            .filter(|r| !r.visits.is_empty())
            .map(|r| {
                r.visits
                    .iter()
                    .map(|v| {
                        if v.is_pickup {
                            rows[v.job].0.unwrap_or(0)
                        } else {
                            rows[v.job].1
                        }
                    })
                    .collect()
            })
            .collect();
        let unassigned = solved
            .unassigned
            .iter()
            .flat_map(|u| rows[u.job].0.into_iter().chain([rows[u.job].1]))
            .collect();
        InstanceSolution { routes, unassigned }
    }

    /// Solves with vrp-pragmatic under `settings`.
    pub fn solve(&self, settings: &PlanSettings) -> Result<InstanceSolution, PlanError> {
        check_settings(settings)?;
        let (problem, rows) = self.lower();
        Ok(self.to_solution(&vrp::solve(&problem, settings)?, &rows))
    }

    /// The greedy nearest-neighbour baseline (pairs taken as pickup-then-delivery units).
    pub fn nearest_neighbour(&self) -> InstanceSolution {
        let (problem, rows) = self.lower();
        self.to_solution(&baseline::solve(&problem), &rows)
    }

    /// Checks `solution` against the instance with exact floating-point Euclidean distances:
    /// every customer served once or reported unassigned, windows (service starts by `due`),
    /// capacity at every point, pickups before their deliveries on the same route, return to
    /// the depot in time. Returns the checked figures or the first violation found.
    pub fn check(&self, solution: &InstanceSolution) -> Result<Score, String> {
        // Slack for the solver's 1/SCALE rounding of each leg.
        const EPS: f64 = 0.01;
        let mut seen = vec![false; self.rows.len()];
        for &id in solution.routes.iter().flatten().chain(&solution.unassigned) {
            match seen.get_mut(id) {
                Some(s) if id > 0 && !*s => *s = true,
                _ => return Err(format!("customer {id} unknown, the depot, or listed twice")),
            }
        }
        if let Some(missing) = (1..self.rows.len()).find(|&i| !seen[i]) {
            return Err(format!("customer {missing} neither served nor unassigned"));
        }
        let depot = &self.rows[0];
        let mut distance = 0.0;
        for (r, route) in solution.routes.iter().enumerate() {
            let (mut at, mut time) = (0, depot.ready);
            // Solomon: everything is loaded at the depot; Li & Lim: the van leaves empty.
            let mut load: i64 = match self.kind {
                InstanceKind::Solomon => route.iter().map(|&c| self.rows[c].demand).sum(),
                InstanceKind::LiLim => 0,
            };
            if load > self.capacity {
                return Err(format!(
                    "route {r}: total demand {load} exceeds capacity {}",
                    self.capacity
                ));
            }
            let mut on_board = vec![false; self.rows.len()];
            for &c in route.iter().chain([&0]) {
                let row = &self.rows[c];
                distance += self.euclid(at, c);
                time = (time + self.euclid(at, c) / self.speed).max(row.ready);
                if time > row.due + EPS {
                    return Err(format!(
                        "route {r}: customer {c} served at {time:.2} after due {}",
                        row.due
                    ));
                }
                time += row.service;
                match self.kind {
                    InstanceKind::Solomon => load -= row.demand,
                    InstanceKind::LiLim => load += row.demand,
                }
                if self.kind == InstanceKind::LiLim && c > 0 {
                    if row.delivery > 0 {
                        on_board[c] = true;
                    } else if !on_board[row.pickup] {
                        return Err(format!(
                            "route {r}: delivery {c} before its pickup {}",
                            row.pickup
                        ));
                    }
                }
                if load > self.capacity || (load < 0 && self.kind == InstanceKind::LiLim) {
                    return Err(format!(
                        "route {r}: load {load} at customer {c} exceeds capacity {}",
                        self.capacity
                    ));
                }
                at = c;
            }
            if load != 0 {
                return Err(format!(
                    "route {r}: a pickup's delivery is not on the same route"
                ));
            }
        }
        let vehicles = solution.routes.iter().filter(|r| !r.is_empty()).count();
        if vehicles > self.vehicles {
            return Err(format!(
                "{vehicles} routes but only {} vehicles",
                self.vehicles
            ));
        }
        Ok(Score {
            vehicles,
            distance,
            unassigned: solution.unassigned.len(),
        })
    }
}
