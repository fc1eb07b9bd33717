//! Rerunnable routing benchmark: vrp-pragmatic against the nearest-neighbour baseline on the
//! public instances and on generated depot days.
//!
//! ```text
//! cargo run --release -p waybill-routing --bin routing-bench -- [--time-limit SECS]
//!     [--generations N] [--data DIR] [--only NAME]
//! ```
//! Without `--time-limit`, instances of ≤ 200 stops get 10 s and larger ones 30 s; the search
//! also stops after `--generations` (default 3000), whichever comes first. `--data`
//! defaults to `../shared/data/routing` beside the workspace root. Every solution is re-checked
//! (instances: exact float distances and all constraints; depot days: `check_plan`).

use std::path::PathBuf;
use std::time::Instant;
use waybill_routing::instances::{parse_li_lim, parse_solomon, Instance, Score};
use waybill_routing::synthetic::depot_day;
use waybill_routing::{check_plan, nearest_neighbour, plan_routes, PlanSettings};

struct Args {
    time_limit: Option<u64>,
    generations: usize,
    data: PathBuf,
    only: Option<String>,
}

fn args() -> Result<Args, String> {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut out = Args {
        time_limit: None,
        generations: 3000,
        data: workspace.join("../shared/data/routing"),
        only: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--time-limit" => out.time_limit = Some(value()?.parse().map_err(|e| format!("--time-limit: {e}"))?),
            "--generations" => out.generations = value()?.parse().map_err(|e| format!("--generations: {e}"))?,
            "--data" => out.data = PathBuf::from(value()?),
            "--only" => out.only = Some(value()?),
            "-h" | "--help" => return Err("usage: routing-bench [--time-limit SECS] [--generations N] [--data DIR] [--only NAME]".into()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if out.time_limit == Some(0) || out.generations == 0 {
        return Err("limits must be positive".into());
    }
    Ok(out)
}

struct Row {
    name: String,
    stops: usize,
    fleet: usize,
    limit: u64,
    secs: f64,
    vrp: Result<Score, String>,
    nn: Result<Score, String>,
    best: Option<(usize, f64)>,
    unit: &'static str,
}

fn instance_row(inst: &Instance, settings: &PlanSettings, best: Option<(usize, f64)>) -> Row {
    let started = Instant::now();
    let solved = inst.solve(settings);
    let secs = started.elapsed().as_secs_f64();
    Row {
        name: inst.name.clone(),
        stops: inst.rows.len() - 1,
        fleet: inst.vehicles,
        limit: settings.max_time_secs.unwrap_or(0),
        secs,
        vrp: solved
            .map_err(|e| e.to_string())
            .and_then(|s| inst.check(&s)),
        nn: inst.check(&inst.nearest_neighbour()),
        best,
        unit: "units",
    }
}

fn depot_row(seed: u64, stops: usize, vehicles: usize, settings: &PlanSettings) -> Row {
    let day = depot_day(seed, stops, vehicles);
    let score = |plan: Result<waybill_routing::RoutePlan, waybill_routing::PlanError>| {
        let plan = plan.map_err(|e| e.to_string())?;
        check_plan(&plan, &day.vehicles, &day.stops)?;
        Ok(Score {
            vehicles: plan.vehicles_used,
            distance: plan.total_distance_m as f64 / 1000.0,
            unassigned: plan.unassigned.len(),
        })
    };
    let started = Instant::now();
    let vrp = score(plan_routes(
        &day.depot,
        &day.vehicles,
        &day.stops,
        None,
        settings,
    ));
    let secs = started.elapsed().as_secs_f64();
    Row {
        name: format!("depot-{stops}"),
        stops,
        fleet: vehicles,
        limit: settings.max_time_secs.unwrap_or(0),
        secs,
        vrp,
        nn: score(nearest_neighbour(
            &day.depot,
            &day.vehicles,
            &day.stops,
            None,
        )),
        best: None,
        unit: "km",
    }
}

fn cell(score: &Result<Score, String>) -> String {
    match score {
        Ok(s) => format!("{:>4} {:>10.3} {:>5}", s.vehicles, s.distance, s.unassigned),
        Err(e) => format!("FAILED: {e}"),
    }
}

fn print(row: &Row) {
    let best = row
        .best
        .map_or("—".to_string(), |(v, d)| format!("{v} / {d:.2}"));
    let gap = match (&row.vrp, row.best) {
        (Ok(s), Some((_, d))) => format!("{:+.2}%", (s.distance - d) / d * 100.0),
        _ => "—".into(),
    };
    println!(
        "{:<10} {:>5} {:>5} {:>4}s {:>7.2}s | {} | {} | {:>5} | {:>15} {:>7}",
        row.name,
        row.stops,
        row.fleet,
        row.limit,
        row.secs,
        cell(&row.vrp),
        cell(&row.nn),
        row.unit,
        best,
        gap
    );
}

fn main() {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let settings = |stops: usize| PlanSettings {
        max_generations: Some(args.generations),
        max_time_secs: Some(
            args.time_limit
                .unwrap_or(if stops <= 200 { 10 } else { 30 }),
        ),
        repeatable: false,
    };
    let wanted = |name: &str| {
        args.only
            .as_deref()
            .is_none_or(|o| o.eq_ignore_ascii_case(name))
    };
    // vrp-pragmatic 1.25's problem reader prints two timing lines to stdout that cannot be
    // turned off, so progress goes to stderr and the table is printed once at the end.
    let mut rows = Vec::new();
    type Parser = fn(&str, &str) -> Result<Instance, waybill_routing::PlanError>;
    let files: [(&str, &str, Parser, (usize, f64)); 3] = [
        ("C101", "C101.100.txt", parse_solomon, (10, 828.94)),
        ("LC101", "LC101.txt", parse_li_lim, (10, 828.94)),
        ("LC1_10_2", "LC1_10_2.txt", parse_li_lim, (94, 44_549.0)),
    ];
    for (name, file, parse, best) in files {
        if !wanted(name) {
            continue;
        }
        let path = args.data.join(file);
        match std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|t| parse(name, &t).map_err(|e| e.to_string()))
        {
            Ok(inst) => {
                eprintln!("solving {name} ...");
                rows.push(instance_row(
                    &inst,
                    &settings(inst.rows.len() - 1),
                    Some(best),
                ));
            }
            Err(e) => eprintln!("{name}: cannot read {}: {e}", path.display()),
        }
    }
    for (seed, stops, vehicles) in [(7, 200, 10), (11, 1000, 40)] {
        if wanted(&format!("depot-{stops}")) {
            eprintln!("solving depot-{stops} ...");
            rows.push(depot_row(seed, stops, vehicles, &settings(stops)));
        }
    }
    println!();
    println!(
        "vrp-pragmatic {} vs nearest-neighbour; {} cpus",
        waybill_routing::SOLVER_VERSION,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "{:<10} {:>5} {:>5} {:>5} {:>8} | {:>4} {:>10} {:>5} | {:>4} {:>10} {:>5} | {:>5} | {:>15} {:>7}",
        "instance", "stops", "fleet", "limit", "time", "veh", "vrp dist", "unas", "veh", "NN dist", "unas", "unit", "best known", "gap"
    );
    rows.iter().for_each(print);
    let failed = rows.iter().any(|r| r.vrp.is_err() || r.nn.is_err());
    println!("best known: from shared/data/routing/README.md; distances: instance units (Euclidean), km for depot days");
    if failed {
        std::process::exit(1);
    }
}
