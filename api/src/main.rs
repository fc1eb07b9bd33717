//! `waybill`: the server and its operator commands.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tokio::sync::watch;
use tracing_subscriber::EnvFilter;
use waybill_api::auth::{keys, Role};
use waybill_api::bench::{self, BenchSettings};
use waybill_api::config::{ServeSettings, StoreSettings};
use waybill_api::error::AppError;
use waybill_api::startup::{bootstrap_admin_key, open_store, runner, Application};
use waybill_projections::RunnerOptions;

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
enum ProjectionsCommand {
    /// Rebuild a projection from the first event; the server may keep serving meanwhile.
    Rebuild { name: String },
    /// Rebuild into scratch tables and report any difference from the live read models.
    Verify { name: Option<String> },
    /// Show each projection's checkpoint.
    Status,
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

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("WAYBILL_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli).await {
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
            println!("Waybill listening on http://{}/graphql", app.address);
            let (stop, shutdown) = watch::channel(false);
            tokio::spawn(async move {
                let _ = tokio::signal::ctrl_c().await;
                let _ = stop.send(true);
            });
            app.run(shutdown).await?;
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
            for p in runner.projections() {
                let cp = waybill_projections::checkpoint::read(&db, p.name()).await?;
                println!("{}\tposition {}\ttx {}", p.name(), cp.position, cp.tx_id);
            }
        }
        ProjectionsCommand::Run { once: true, .. } => {
            let events = runner.run_all_to_head().await?;
            println!("applied {events} events");
        }
        ProjectionsCommand::Run { once: false, .. } => {
            let (stop, shutdown) = watch::channel(false);
            tokio::spawn(async move {
                let _ = tokio::signal::ctrl_c().await;
                let _ = stop.send(true);
            });
            runner.run(shutdown).await;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn json_or_none(v: &Option<serde_json::Value>) -> String {
    v.as_ref()
        .map_or_else(|| "none".to_string(), |v| v.to_string())
}
