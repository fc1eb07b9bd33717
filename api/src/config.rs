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
    /// CRM configuration file (JSON): working calendar with holidays and 调休 working
    /// weekends, SLA targets per priority and case type, agent roster. Sections it leaves
    /// out keep the built-in defaults (see README).
    #[arg(long, env = "WAYBILL_CRM_CONFIG")]
    pub crm_config: Option<PathBuf>,
    #[command(flatten)]
    pub limits: RequestLimits,
}

/// What one client may ask of the server (see `http` and `throttle`). The defaults are generous
/// enough for tests and `waybill bench`; tighten them at the edge of a public deployment.
#[derive(Clone, Debug, clap::Args)]
pub struct RequestLimits {
    /// Largest `POST /graphql` body and `/graphql/ws` message, in bytes; checked before the
    /// API key is.
    #[arg(long, env = "WAYBILL_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,
    /// How long one GraphQL request may run before it is answered `TIMEOUT`, in milliseconds.
    #[arg(long, env = "WAYBILL_REQUEST_TIMEOUT_MS", default_value_t = 30_000)]
    pub request_timeout_ms: u64,
    /// Requests per second one API key may send (bursts up to twice that); 0 turns it off.
    #[arg(long, env = "WAYBILL_RATE_LIMIT_PER_KEY", default_value_t = 10_000)]
    pub rate_limit_per_key: u32,
    /// Requests per second one client address may send, keys or not (bursts up to twice
    /// that); 0 turns it off. Behind a proxy every client shares the proxy's address.
    #[arg(long, env = "WAYBILL_RATE_LIMIT_PER_IP", default_value_t = 20_000)]
    pub rate_limit_per_ip: u32,
}

impl Default for RequestLimits {
    fn default() -> Self {
        RequestLimits {
            max_body_bytes: 1024 * 1024,
            request_timeout_ms: 30_000,
            rate_limit_per_key: 10_000,
            rate_limit_per_ip: 20_000,
        }
    }
}
