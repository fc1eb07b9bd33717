//! `waybill`: the server and its operator commands.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tokio::sync::watch;
use tracing::info;
use tracing_subscriber::EnvFilter;
use waybill_api::auth::{keys, Role};
use waybill_api::bench::{self, BenchSettings};
use waybill_api::config::{ServeSettings, StoreSettings};
use waybill_api::error::AppError;
use waybill_api::startup::{bootstrap_admin_key, open_store, runner, Application};
use waybill_projections::RunnerOptions;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "waybill",
    version,
    about = "Event-sourced order and logistics core"
)]
struct Cli {
    #[command(flatten)]
    store: StoreSettings,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations and serve GraphQL (GraphiQL at GET /graphql).
    Serve(ServeSettings),
    /// Apply pending migrations and exit.
    Migrate,
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Manage API keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Operate projections.
    #[command(subcommand)]
    Projections(ProjectionsCommand),
    /// Tamper evidence: verify the hash chains, print or check a checkpoint.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Write events as JSON lines with their hashes (all, or filtered), in commit order.
    Export(ExportArgs),
    /// Load an export into an empty store; every recomputed hash must match.
    Import {
        /// The JSON-lines file written by `waybill export` (`-` for standard input).
        file: String,
    },
    /// Load-test a running server through its GraphQL endpoint (a separate client process).
    Bench(BenchSettings),
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Create a key and print it (shown once).
    Create {
        #[arg(long)]
        role: Role,
        #[arg(long, default_value = "")]
        label: String,
    },
    /// Revoke a key by its id.
    Revoke { key_id: String },
    /// List keys (ids and roles, never secrets).
    List,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute both chains; report the first event altered, deleted, inserted or reordered.
    Verify {
        /// Also prove the log up to this exported checkpoint (JSON from `audit checkpoint`).
        #[arg(long)]
        checkpoint: Option<String>,
    },
    /// Print the current seal head as JSON; keep it to prove the log later.
    Checkpoint,
}

#[derive(clap::Args)]
struct ExportArgs {
    #[arg(long)]
    stream_type: Option<String>,
    #[arg(long)]
    stream_id: Option<String>,
    #[arg(long)]
    from_position: Option<i64>,
    #[arg(long)]
    to_position: Option<i64>,
    /// RFC 3339; inclusive.
    #[arg(long)]
    from_time: Option<chrono::DateTime<chrono::Utc>>,
    /// RFC 3339; exclusive.
    #[arg(long)]
    to_time: Option<chrono::DateTime<chrono::Utc>>,
    /// Write here instead of standard output.
    #[arg(long)]
    output: Option<std::path::PathBuf>,
    /// Write personal data in clear (for backups and `waybill import`). Without it, payloads
    /// are masked as an auditor sees them (hashes stay as stored, so the file can be checked
    /// against a checkpoint but not imported).
    #[arg(long)]
    clear_pii: bool,
}

#[derive(Subcommand)]
enum ProjectionsCommand {
    /// Rebuild a projection from the first event; the server may keep serving meanwhile.
    Rebuild { name: String },
    /// Rebuild into scratch tables and report any difference from the live read models.
    Verify { name: Option<String> },
    /// Show each projection's checkpoint, then any projection or policy that is stuck
    /// (exit status 2 when one is).
    Status,
    /// List only the stuck projections and policies: name, position, attempts and cause
    /// (exit status 2 when there is one).
    Stuck,
    /// Run the projection runner without the HTTP server.
    Run {
        /// Stop once every projection has reached the head.
        #[arg(long)]
        once: bool,
        /// Events read per batch (one transaction each).
        #[arg(long, env = "WAYBILL_PROJECTION_BATCH_SIZE", default_value_t = 1000)]
        batch_size: i64,
        /// Fault injection for crash tests: abort after applying this many events.
        #[arg(long, env = "WAYBILL_FAULT_CRASH_AFTER_EVENTS", hide = true)]
        crash_after_events: Option<usize>,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            // sqlx logs every notice (PostgreSQL's "already exists, skipping" on each
            // start) and slow statement at INFO; an operator reading a command's output
            // wants Waybill's own lines. `WAYBILL_LOG=sqlx=info` brings them back.
            EnvFilter::try_from_env("WAYBILL_LOG")
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    // Requests run on these threads; their stack is sized for the nesting `graphql::limits`
    // lets through, with room to spare (the default 2 MiB is close to it in debug builds).
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(waybill_api::graphql::limits::REQUEST_STACK_BYTES)
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", e.message);
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode, AppError> {
    match cli.command {
        Command::Schema => {
            print!("{}", waybill_api::graphql::sdl());
        }
        Command::Bench(settings) => bench::run(settings, cli.store.clone()).await?,
        Command::Migrate => {
            open_store(&cli.store).await?;
            println!("migrations applied");
        }
        Command::Serve(serve) => {
            let db = open_store(&cli.store).await?;
            if let Some(token) = bootstrap_admin_key(&db).await? {
                println!("Created the first admin API key. It is shown once; keep it safe:\n\n    {token}\n");
            }
            let app = Application::build(db, &serve).await?;
            let shutdown = stop_on_signal();
            println!("Waybill listening on http://{}/graphql", app.address);
            let db = app.services.db.clone();
            app.run(shutdown).await?;
            // Everything that used the pools has finished: close them so PostgreSQL sees
            // clean disconnects and SQLite checkpoints its WAL.
            db.close().await;
            info!("stopped cleanly");
        }
        Command::Keys(command) => {
            let db = open_store(&cli.store).await?;
            match command {
                KeysCommand::Create { role, label } => {
                    let key = keys::create(&db, role, &label).await?;
                    println!("{}", key.token);
                    eprintln!(
                        "created {} key {} (the key above is shown once)",
                        key.role, key.key_id
                    );
                }
                KeysCommand::Revoke { key_id } => {
                    keys::revoke(&db, &key_id).await?;
                    eprintln!("revoked {key_id}");
                }
                KeysCommand::List => {
                    for k in keys::list(&db).await? {
                        println!(
                            "{}\t{}\t{}\t{}",
                            k.key_id,
                            k.role,
                            if k.revoked { "revoked" } else { "active" },
                            k.label
                        );
                    }
                }
            }
        }
        Command::Audit(command) => {
            let db = open_store(&cli.store).await?;
            return audit(db, command).await;
        }
        Command::Export(args) => {
            let db = open_store(&cli.store).await?;
            let filter = waybill_projections::audit::ExportFilter {
                stream_type: args.stream_type,
                stream_id: args.stream_id,
                from_position: args.from_position,
                to_position: args.to_position,
                from_time: args.from_time,
                to_time: args.to_time,
            };
            let mut out: Box<dyn std::io::Write> = match &args.output {
                Some(path) => Box::new(std::io::BufWriter::new(
                    std::fs::File::create(path)
                        .map_err(|e| AppError::internal("creating the export file", &e))?,
                )),
                None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
            };
            let audience = if args.clear_pii {
                waybill_api::privacy::Audience::Clear
            } else {
                waybill_api::privacy::Audience::Masked
            };
            let reveal = |row: &mut waybill_projections::audit::ExportedEvent| {
                waybill_api::privacy::exported_event(audience, row)
            };
            let count = waybill_projections::audit::export(&db, &filter, &reveal, &mut out).await?;
            out.flush()
                .map_err(|e| AppError::internal("writing the export", &e))?;
            eprintln!("exported {count} events");
        }
        Command::Import { file } => {
            let db = open_store(&cli.store).await?;
            let mut input: Box<dyn std::io::BufRead> = if file == "-" {
                Box::new(std::io::BufReader::new(std::io::stdin()))
            } else {
                Box::new(std::io::BufReader::new(
                    std::fs::File::open(&file)
                        .map_err(|e| AppError::internal("opening the import file", &e))?,
                ))
            };
            let count = waybill_projections::audit::import(&db, &mut input).await?;
            eprintln!("imported {count} events; every hash matched the export");
        }
        Command::Projections(command) => {
            let db = open_store(&cli.store).await?;
            return projections(db, command).await;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn projections(
    db: waybill_projections::Db,
    command: ProjectionsCommand,
) -> Result<ExitCode, AppError> {
    let options = match &command {
        ProjectionsCommand::Run {
            crash_after_events,
            batch_size,
            ..
        } => RunnerOptions {
            crash_after_events: *crash_after_events,
            batch_size: (*batch_size).clamp(1, 10_000),
            ..RunnerOptions::default()
        },
        _ => RunnerOptions::default(),
    };
    let runner = std::sync::Arc::new(runner(&db, options));
    runner.ensure_tables().await?;
    match command {
        ProjectionsCommand::Rebuild { name } => {
            let started = std::time::Instant::now();
            let events = runner.rebuild(&name).await?;
            let secs = started.elapsed().as_secs_f64();
            println!(
                "rebuilt {name}: {events} events in {secs:.2}s ({:.0} events/s)",
                events as f64 / secs.max(1e-9)
            );
        }
        ProjectionsCommand::Verify { name } => {
            let names: Vec<String> = match name {
                Some(n) => vec![n],
                None => runner
                    .projections()
                    .iter()
                    .map(|p| p.name().to_string())
                    .collect(),
            };
            let mut clean = true;
            for name in names {
                let differences = runner.verify(&name).await?;
                if differences.is_empty() {
                    println!("{name}: ok");
                } else {
                    clean = false;
                    println!("{name}: {} difference(s)", differences.len());
                    for d in differences.iter().take(50) {
                        println!(
                            "  {}: live={} rebuilt={}",
                            d.key,
                            json_or_none(&d.live),
                            json_or_none(&d.rebuilt)
                        );
                    }
                }
            }
            if !clean {
                return Ok(ExitCode::from(1));
            }
        }
        ProjectionsCommand::Status => {
            let faults = runner.faults().await?;
            for p in runner.projections() {
                let cp = waybill_projections::checkpoint::read(&db, p.name()).await?;
                let health = if faults.iter().any(|f| f.name == p.name()) {
                    "STUCK"
                } else {
                    "ok"
                };
                println!(
                    "{}\tposition {}\ttx {}\t{health}",
                    p.name(),
                    cp.position,
                    cp.tx_id
                );
            }
            print_faults(&faults);
            if !faults.is_empty() {
                return Ok(ExitCode::from(2));
            }
        }
        ProjectionsCommand::Stuck => {
            let faults = runner.faults().await?;
            print_faults(&faults);
            if !faults.is_empty() {
                return Ok(ExitCode::from(2));
            }
        }
        ProjectionsCommand::Run { once: true, .. } => {
            let events = runner.run_all_to_head().await?;
            println!("applied {events} events");
        }
        ProjectionsCommand::Run { once: false, .. } => {
            runner.run(stop_on_signal()).await;
            db.close().await;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn audit(db: waybill_projections::Db, command: AuditCommand) -> Result<ExitCode, AppError> {
    use waybill_projections::audit;
    // Seal whatever is new first, so the check covers the whole log.
    let runner = runner(&db, RunnerOptions::default());
    runner.ensure_tables().await?;
    let seal = runner.projection(audit::SEAL_NAME)?;
    runner.run_until_idle(seal.as_ref()).await?;
    match command {
        AuditCommand::Checkpoint => {
            let head = audit::seal_checkpoint(&db).await?;
            println!("{}", serde_json::to_string(&head).unwrap_or_default());
        }
        AuditCommand::Verify { checkpoint } => {
            let findings = audit::verify(&db).await?;
            let mut intact = findings.is_empty();
            for f in &findings {
                println!(
                    "{:?} at position {}: {} {} #{} — {}",
                    f.kind,
                    f.position,
                    f.stream_type.as_deref().unwrap_or("?"),
                    f.stream_id.as_deref().unwrap_or("?"),
                    f.sequence.map_or("?".into(), |s| s.to_string()),
                    f.detail
                );
            }
            if let Some(json) = checkpoint {
                let checkpoint: audit::SealCheckpoint =
                    serde_json::from_str(&json).map_err(|e| {
                        AppError::invalid_input("checkpoint", format!("not a checkpoint: {e}"))
                    })?;
                match audit::verify_against(&db, &checkpoint).await? {
                    None => println!(
                        "checkpoint {}: the log up to position {} is unchanged",
                        checkpoint.ordinal, checkpoint.position
                    ),
                    Some(f) => {
                        intact = false;
                        println!(
                            "checkpoint {} does NOT hold: {:?} at position {} — {}",
                            checkpoint.ordinal, f.kind, f.position, f.detail
                        );
                    }
                }
            }
            if intact {
                println!("intact: both hash chains hold");
            } else {
                return Ok(ExitCode::from(1));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Turns true on the first Ctrl-C or SIGTERM (what container runtimes send). The server stops
/// accepting, answers what is in flight and lets the runners finish their current batch.
/// The handlers are installed before this returns, i.e. before the server says it listens:
/// a signal right after that line must not meet the default action (death).
fn stop_on_signal() -> watch::Receiver<bool> {
    let (stop, shutdown) = watch::channel(false);
    let signals = Termination::install();
    tokio::spawn(async move {
        let signal = signals.received().await;
        info!(
            signal,
            "shutting down: finishing in-flight requests and batches"
        );
        let _ = stop.send(true);
    });
    shutdown
}

#[cfg(unix)]
struct Termination {
    interrupt: Option<tokio::signal::unix::Signal>,
    terminate: Option<tokio::signal::unix::Signal>,
}

#[cfg(unix)]
impl Termination {
    fn install() -> Termination {
        use tokio::signal::unix::{signal, SignalKind};
        let listen = |kind: SignalKind, name: &str| {
            signal(kind)
                .map_err(|e| tracing::warn!(error = %e, "cannot listen for {name}"))
                .ok()
        };
        Termination {
            interrupt: listen(SignalKind::interrupt(), "SIGINT"),
            terminate: listen(SignalKind::terminate(), "SIGTERM"),
        }
    }

    async fn received(mut self) -> &'static str {
        async fn next(signal: &mut Option<tokio::signal::unix::Signal>) {
            match signal {
                Some(s) => {
                    s.recv().await;
                }
                None => std::future::pending().await,
            }
        }
        tokio::select! {
            _ = next(&mut self.interrupt) => "SIGINT",
            _ = next(&mut self.terminate) => "SIGTERM",
        }
    }
}

#[cfg(not(unix))]
struct Termination;

#[cfg(not(unix))]
impl Termination {
    fn install() -> Termination {
        Termination
    }

    async fn received(self) -> &'static str {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}

fn print_faults(faults: &[waybill_projections::supervision::Fault]) {
    for f in faults {
        println!(
            "stuck\t{}\tafter position {}\tat {} {}\t{} attempts since {}\t{}",
            f.name,
            f.checkpoint,
            f.position.map_or("?".into(), |p| p.to_string()),
            f.event_type.as_deref().unwrap_or("?"),
            f.attempts,
            f.first_failed_at.to_rfc3339(),
            f.error
        );
    }
}

fn json_or_none(v: &Option<serde_json::Value>) -> String {
    v.as_ref()
        .map_or_else(|| "none".to_string(), |v| v.to_string())
}
