//! Connection to the one database that holds the event store, checkpoints and read models.
//!
//! Both backends are reached through sqlx with the same SQL text wherever the dialects agree:
//! sqlx binds `$N` placeholders by number on SQLite as on PostgreSQL, so one string serves both.
//! [`with_db!`] runs a block once per backend with the right typed pool or transaction.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

static PG_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

/// A few connections per core keep PostgreSQL busy; many more only add context switches.
pub const DEFAULT_PG_CONNECTIONS: u32 = 16;

/// Where the events live.
#[derive(Clone, Debug)]
pub enum Db {
    Postgres(PgPool),
    /// SQLite allows one writer at a time. All writes (event appends, projection batches) go
    /// through `write`, a pool of one connection, so writers queue in-process instead of
    /// failing with SQLITE_BUSY; `read` serves queries concurrently from WAL snapshots.
    Sqlite {
        write: SqlitePool,
        read: SqlitePool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
}

/// Runs `$body` with `$conn` bound to the backend's own typed handle.
///
/// `with_db!(db, pool => expr)` binds the pool used for writes on both backends;
/// `with_db!(db, read pool => expr)` binds the pool for queries.
#[macro_export]
macro_rules! with_db {
    ($db:expr, $conn:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Postgres($conn) => $body,
            $crate::db::Db::Sqlite { write: $conn, .. } => $body,
        }
    };
    ($db:expr, read $conn:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Postgres($conn) => $body,
            $crate::db::Db::Sqlite { read: $conn, .. } => $body,
        }
    };
}

/// Runs `$body` with `$tx` bound to the backend's open transaction.
#[macro_export]
macro_rules! with_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::db::Tx::Postgres($conn) => $body,
            $crate::db::Tx::Sqlite($conn) => $body,
        }
    };
}

/// An open write transaction on either backend.
pub enum Tx {
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
}

impl Tx {
    pub async fn commit(self) -> Result<(), DbError> {
        match self {
            Tx::Postgres(tx) => tx.commit().await?,
            Tx::Sqlite(tx) => tx.commit().await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self {
            Tx::Postgres(_) => Backend::Postgres,
            Tx::Sqlite(_) => Backend::Sqlite,
        }
    }
}

impl Db {
    /// Connects to PostgreSQL when `database_url` starts with `postgres`, otherwise opens (and
    /// creates) the embedded SQLite file `waybill.db` under `data_dir`.
    pub async fn connect(database_url: Option<&str>, data_dir: &Path) -> Result<Db, DbError> {
        Self::connect_with(database_url, data_dir, DEFAULT_PG_CONNECTIONS).await
    }

    /// As [`Db::connect`], with the PostgreSQL pool size.
    pub async fn connect_with(
        database_url: Option<&str>,
        data_dir: &Path,
        pg_connections: u32,
    ) -> Result<Db, DbError> {
        match database_url {
            Some(url) if url.starts_with("postgres") => {
                Self::connect_postgres(url, pg_connections).await
            }
            Some(url) => Self::connect_sqlite(SqliteConnectOptions::from_str(url)?).await,
            None => {
                std::fs::create_dir_all(data_dir).map_err(|source| DbError::DataDir {
                    path: data_dir.display().to_string(),
                    source,
                })?;
                let options = SqliteConnectOptions::new().filename(data_dir.join("waybill.db"));
                Self::connect_sqlite(options).await
            }
        }
    }

    pub async fn connect_postgres(url: &str, max_connections: u32) -> Result<Db, DbError> {
        let options = PgConnectOptions::from_str(url)?.application_name("waybill");
        // No ping before each acquire: it is a round trip on every command's hot path. A
        // connection the server dropped fails its next statement instead, and sqlx discards
        // it; idle connections are retired by the pool's idle timeout and lifetime.
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        Ok(Db::Postgres(pool))
    }

    pub async fn connect_sqlite(options: SqliteConnectOptions) -> Result<Db, DbError> {
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: an acknowledged write survives power loss, not only a process crash.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            // An in-process file cannot be dropped by a server; the ping only costs time.
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(|conn, _| Box::pin(crate::sqlite_functions::register(conn)))
            .connect_with(options.clone())
            .await?;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .after_connect(|conn, _| Box::pin(crate::sqlite_functions::register(conn)))
            .connect_with(options.read_only(true))
            .await;
        // A read-only connection cannot open a file that does not exist yet; the writer above
        // has created it, so this only fails for a real reason.
        let read = read?;
        Ok(Db::Sqlite { write, read })
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Postgres(_) => Backend::Postgres,
            Db::Sqlite { .. } => Backend::Sqlite,
        }
    }

    pub async fn migrate(&self) -> Result<(), DbError> {
        match self {
            Db::Postgres(pool) => PG_MIGRATIONS.run(pool).await?,
            Db::Sqlite { write, .. } => SQLITE_MIGRATIONS.run(write).await?,
        }
        Ok(())
    }

    /// True when every migration this binary knows has been applied.
    pub async fn migrations_applied(&self) -> Result<bool, DbError> {
        let (migrator, applied): (&sqlx::migrate::Migrator, Vec<i64>) = match self {
            Db::Postgres(pool) => (
                &PG_MIGRATIONS,
                sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                    .fetch_all(pool)
                    .await?,
            ),
            Db::Sqlite { read, .. } => (
                &SQLITE_MIGRATIONS,
                sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                    .fetch_all(read)
                    .await?,
            ),
        };
        Ok(migrator.iter().all(|m| applied.contains(&m.version)))
    }

    /// Begins a write transaction. On SQLite it is `BEGIN IMMEDIATE`: the write lock is taken
    /// up front, so a transaction that reads before it writes never meets a stale snapshot.
    pub async fn begin(&self) -> Result<Tx, DbError> {
        Ok(match self {
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
            Db::Sqlite { write, .. } => Tx::Sqlite(write.begin_with("BEGIN IMMEDIATE").await?),
        })
    }

    /// Closes every pool: waits for connections in use to be returned, then disconnects.
    pub async fn close(&self) {
        match self {
            Db::Postgres(pool) => pool.close().await,
            Db::Sqlite { write, read } => {
                read.close().await;
                write.close().await;
            }
        }
    }

    pub async fn ping(&self) -> Result<(), DbError> {
        with_db!(self, read pool => { sqlx::query("SELECT 1").execute(pool).await?; });
        Ok(())
    }
}
