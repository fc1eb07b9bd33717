//! The crate's internal, solver-neutral problem: integer matrices and integer times.
//!
//! Both the depot planner (metres, seconds since the Unix epoch) and the benchmark instances
//! (instance units × a scale) are lowered to this shape, so the vrp adapter and the greedy
//! baseline are written once and compare like with like.

/// One place where something is done for a job.
#[derive(Clone, Debug)]
pub(crate) struct Task {
    /// Index into the matrices.
    pub loc: usize,
    /// One entry per capacity dimension; always non-negative.
    pub demand: Vec<i64>,
    /// Service must start within `[open, close]`.
    pub window: Option<(i64, i64)>,
    pub service: i64,
}

/// A delivery from the depot, or (with `pickup`) a pickup-and-delivery pair.
#[derive(Clone, Debug)]
pub(crate) struct Job {
    pub pickup: Option<Task>,
    pub delivery: Task,
    /// Solver `value` (priority); `None` for ordinary jobs.
    pub value: Option<f64>,
}

#[derive(Clone, Debug)]
pub(crate) struct Vehicle {
    pub capacity: Vec<i64>,
    /// Earliest departure from the depot.
    pub start: i64,
    /// Latest return to the depot.
    pub end: i64,
    /// Index into `Problem::profiles`.
    pub profile: usize,
}

/// Travel costs for one kind of vehicle; row-major `n × n`.
#[derive(Clone, Debug)]
pub(crate) struct Profile {
    pub distances: Vec<i64>,
    pub durations: Vec<i64>,
}

#[derive(Clone, Debug)]
pub(crate) struct Problem {
    pub locations: usize,
    /// Matrix index of the depot (start and end of every vehicle).
    pub depot: usize,
    pub vehicles: Vec<Vehicle>,
    pub jobs: Vec<Job>,
    pub profiles: Vec<Profile>,
    /// `(vehicle, jobs in order)`: these jobs open that vehicle's route, in this order.
    pub locks: Vec<(usize, Vec<usize>)>,
}

impl Problem {
    pub fn distance(&self, profile: usize, from: usize, to: usize) -> i64 {
        self.profiles[profile].distances[from * self.locations + to]
    }

    pub fn duration(&self, profile: usize, from: usize, to: usize) -> i64 {
        self.profiles[profile].durations[from * self.locations + to]
    }
}

/// A job activity in a solved route (solver units).
#[derive(Clone, Debug)]
pub(crate) struct Visit {
    pub job: usize,
    pub is_pickup: bool,
    pub arrival: i64,
    pub service_start: i64,
    pub departure: i64,
}

#[derive(Clone, Debug)]
pub(crate) struct SolvedRoute {
    pub vehicle: usize,
    pub start: i64,
    pub end: i64,
    pub visits: Vec<Visit>,
    pub distance: i64,
    pub duration: i64,
}

#[derive(Clone, Debug)]
pub(crate) struct SolvedJob {
    pub job: usize,
    pub code: String,
    pub reason: String,
}

/// A solution in solver units, from either vrp or the baseline.
#[derive(Clone, Debug, Default)]
pub(crate) struct Solved {
    pub routes: Vec<SolvedRoute>,
    pub unassigned: Vec<SolvedJob>,
}
