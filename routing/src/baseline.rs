//! Nearest-neighbour baseline: the simple greedy a dispatcher would do by hand, kept to judge
//! what the metaheuristic buys.
//!
//! Vehicles are opened in input order. From the current place the vehicle goes to the nearest
//! job it can still serve (capacity left, service starts inside the window, and it can still get
//! back to the depot before its shift ends); when no job fits, the route is closed and the next
//! vehicle is opened. A pickup-and-delivery pair is taken as one unit (pickup, then straight to
//! its delivery), which is always feasible if checked but leaves a lot on the table: it is a
//! baseline, not a PDP heuristic.

use crate::problem::{Job, Problem, Solved, SolvedJob, SolvedRoute, Task, Visit};

/// A route being built.
struct Cursor<'a> {
    problem: &'a Problem,
    vehicle: usize,
    loc: usize,
    time: i64,
    /// Everything delivered from the depot is on board from the start.
    loaded: Vec<i64>,
    route: SolvedRoute,
}

impl<'a> Cursor<'a> {
    fn new(problem: &'a Problem, vehicle: usize) -> Self {
        let v = &problem.vehicles[vehicle];
        Cursor {
            problem,
            vehicle,
            loc: problem.depot,
            time: v.start,
            loaded: vec![0; v.capacity.len()],
            route: SolvedRoute {
                vehicle,
                start: v.start,
                end: v.start,
                visits: Vec::new(),
                distance: 0,
                duration: 0,
            },
        }
    }

    /// Visits of `job` from here: `None` when a window, the capacity or the shift end forbids it.
    fn try_job(&self, job_idx: usize) -> Option<(Vec<Visit>, i64, usize, i64)> {
        let p = self.problem;
        let v = &p.vehicles[self.vehicle];
        let job = &p.jobs[job_idx];
        // Depot deliveries stay on board until dropped, so their sum is bounded by the capacity;
        // a pair's goods ride only from pickup to delivery, on top of what is still on board.
        let demand = job
            .pickup
            .as_ref()
            .map_or(&job.delivery.demand, |t| &t.demand);
        if v.capacity
            .iter()
            .enumerate()
            .any(|(d, cap)| self.loaded[d] + demand.get(d).copied().unwrap_or(0) > *cap)
        {
            return None;
        }
        let (mut loc, mut time, mut dist) = (self.loc, self.time, 0);
        let mut visits = Vec::new();
        let tasks: Vec<(&Task, bool)> = job
            .pickup
            .iter()
            .map(|t| (t, true))
            .chain([(&job.delivery, false)])
            .collect();
        for (t, is_pickup) in tasks {
            let arrival = time + p.duration(v.profile, loc, t.loc);
            let start = t.window.map_or(arrival, |(open, _)| arrival.max(open));
            if t.window.is_some_and(|(_, close)| start > close) {
                return None;
            }
            dist += p.distance(v.profile, loc, t.loc);
            time = start + t.service;
            loc = t.loc;
            visits.push(Visit {
                job: job_idx,
                is_pickup,
                arrival,
                service_start: start,
                departure: time,
            });
        }
        if time + p.duration(v.profile, loc, p.depot) > v.end {
            return None;
        }
        Some((visits, time, loc, dist))
    }

    fn take(&mut self, job_idx: usize, step: (Vec<Visit>, i64, usize, i64)) {
        let (visits, time, loc, dist) = step;
        let job = &self.problem.jobs[job_idx];
        if job.pickup.is_none() {
            for (l, d) in self.loaded.iter_mut().zip(&job.delivery.demand) {
                *l += d;
            }
        }
        self.route.visits.extend(visits);
        self.route.distance += dist;
        self.time = time;
        self.loc = loc;
    }

    fn close(mut self) -> SolvedRoute {
        let p = self.problem;
        let profile = p.vehicles[self.vehicle].profile;
        if let Some(first) = self.route.visits.first_mut() {
            // Leave the depot just in time for the first stop instead of waiting there (as vrp
            // does), so route durations compare.
            let drive = p.duration(
                profile,
                p.depot,
                task_of(&p.jobs[first.job], first.is_pickup).loc,
            );
            self.route.start = (first.service_start - drive).max(self.route.start);
            first.arrival = self.route.start + drive;
        }
        self.route.distance += p.distance(profile, self.loc, p.depot);
        self.route.end = self.time + p.duration(profile, self.loc, p.depot);
        self.route.duration = self.route.end - self.route.start;
        self.route
    }
}

fn task_of(job: &Job, is_pickup: bool) -> &Task {
    match (&job.pickup, is_pickup) {
        (Some(p), true) => p,
        _ => &job.delivery,
    }
}

/// Greedy nearest-neighbour solution of `problem`.
pub(crate) fn solve(problem: &Problem) -> Solved {
    let mut done = vec![false; problem.jobs.len()];
    let mut reserved = vec![false; problem.jobs.len()];
    for (_, jobs) in &problem.locks {
        jobs.iter().for_each(|&j| reserved[j] = true);
    }
    let mut solved = Solved::default();
    for vehicle in 0..problem.vehicles.len() {
        let mut cursor = Cursor::new(problem, vehicle);
        // Locked jobs first, in order; one that no longer fits stops the chain (as vrp would).
        let locked = problem
            .locks
            .iter()
            .filter(|(v, _)| *v == vehicle)
            .flat_map(|(_, jobs)| jobs);
        for &j in locked {
            match cursor.try_job(j) {
                Some(step) => {
                    cursor.take(j, step);
                    done[j] = true;
                }
                None => break,
            }
        }
        loop {
            let first_loc =
                |j: usize| task_of(&problem.jobs[j], problem.jobs[j].pickup.is_some()).loc;
            let profile = problem.vehicles[vehicle].profile;
            let best = (0..problem.jobs.len())
                .filter(|&j| !done[j] && !reserved[j])
                .filter_map(|j| {
                    cursor
                        .try_job(j)
                        .map(|step| (problem.distance(profile, cursor.loc, first_loc(j)), j, step))
                })
                .min_by_key(|(d, j, _)| (*d, *j));
            match best {
                Some((_, j, step)) => {
                    cursor.take(j, step);
                    done[j] = true;
                }
                None => break,
            }
        }
        let route = cursor.close();
        if !route.visits.is_empty() {
            solved.routes.push(route);
        }
    }
    solved.unassigned = (0..problem.jobs.len())
        .filter(|&j| !done[j])
        .map(|j| unassigned_reason(problem, j, reserved[j]))
        .collect();
    solved
}

/// Says why the greedy left a job out, in the same codes vrp uses where one applies.
fn unassigned_reason(problem: &Problem, job: usize, locked: bool) -> SolvedJob {
    let (code, reason) = if locked {
        (
            "LOCKING_CONSTRAINT",
            "cannot be served due to relation lock",
        )
    } else if (0..problem.vehicles.len()).any(|v| Cursor::new(problem, v).try_job(job).is_some()) {
        (
            "NO_VEHICLE_LEFT",
            "every vehicle was filled before this stop was reached",
        )
    } else if problem
        .vehicles
        .iter()
        .all(|v| exceeds(&problem.jobs[job], &v.capacity))
    {
        (
            "CAPACITY_CONSTRAINT",
            "does not fit into any vehicle due to capacity",
        )
    } else {
        (
            "TIME_WINDOW_CONSTRAINT",
            "cannot be visited within time window",
        )
    };
    SolvedJob {
        job,
        code: code.to_string(),
        reason: reason.to_string(),
    }
}

fn exceeds(job: &Job, capacity: &[i64]) -> bool {
    let demand = job
        .pickup
        .as_ref()
        .map_or(&job.delivery.demand, |t| &t.demand);
    demand.iter().zip(capacity).any(|(d, c)| d > c)
}
