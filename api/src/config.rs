//! Typed configuration: command-line flags, each with a `WAYBILL_*` environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Clone, Debug, clap::Args)]
pub struct StoreSettings {
    /// PostgreSQL URL (postgres://…). Without one, Waybill uses the embedded SQLite file
    /// `waybill.db` under --data-dir.
    #[arg(long, env = "WAYBILL_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Where the embedded store keeps its file.
    #[arg(long, env = "WAYBILL_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// PostgreSQL connections per process.
    #[arg(long, env = "WAYBILL_DB_MAX_CONNECTIONS", default_value_t = waybill_projections::db::DEFAULT_PG_CONNECTIONS, global = true)]
    pub db_max_connections: u32,
}

#[derive(Clone, Debug, clap::Args)]
pub struct ServeSettings {
    /// Address to listen on; port 0 picks a free port (the bound address is logged).
    #[arg(long, env = "WAYBILL_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Run the projection runner inside this process (turn off for API-only replicas).
    #[arg(long, env = "WAYBILL_RUN_PROJECTIONS", default_value_t = true, action = clap::ArgAction::Set)]
    pub run_projections: bool,
}
