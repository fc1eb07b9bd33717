//! Test harness: a real Waybill server on a real database, reached over real HTTP.
//!
//! Every test gets its own database — a fresh SQLite file in a temporary directory, or a
//! fresh PostgreSQL database created on the server named by `WAYBILL_TEST_DATABASE_URL`
//! (or `DATABASE_URL`). Without such a URL the PostgreSQL variants say loudly that they were
//! skipped: the message goes straight to the terminal, past the test harness's capture.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{json, Value};
use tokio::sync::watch;
use waybill_api::auth::{keys, Principal, Role};
use waybill_api::commands::context::RequestContext;
use waybill_api::config::ServeSettings;
use waybill_api::services::Services;
use waybill_api::startup::Application;
use waybill_projections::Db;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server tests may create databases on, if any.
pub fn postgres_url() -> Option<String> {
    std::env::var("WAYBILL_TEST_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .ok()
        .filter(|u| u.starts_with("postgres"))
}

/// Tells the person running the tests, unmissably, that a PostgreSQL test did not run.
pub fn skip_loudly(test: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "\n!!!! SKIPPED {test} on PostgreSQL: set WAYBILL_TEST_DATABASE_URL=postgres://… to run it !!!!"
    );
}

/// A database of its own for one test.
pub struct TestDb {
    pub db: Db,
    pub backend: Backend,
    pg_admin_url: Option<String>,
    pg_name: Option<String>,
    dir: Option<PathBuf>,
}

impl TestDb {
    /// `None` (after a loud message) when the backend is PostgreSQL and none is configured.
    pub async fn create(backend: Backend, test: &str) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir()
                    .join(format!("waybill-test-{}", uuid::Uuid::new_v4().simple()));
                let db = Db::connect(None, &dir).await.expect("open SQLite");
                db.migrate().await.expect("migrate SQLite");
                Some(TestDb {
                    db,
                    backend,
                    pg_admin_url: None,
                    pg_name: None,
                    dir: Some(dir),
                })
            }
            Backend::Postgres => {
                let Some(url) = postgres_url() else {
                    skip_loudly(test);
                    return None;
                };
                let name = format!("wbt_{}", uuid::Uuid::new_v4().simple());
                let admin = sqlx::PgPool::connect(&url)
                    .await
                    .expect("connect to PostgreSQL");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&admin)
                    .await
                    .expect("create test database");
                admin.close().await;
                let db_url = replace_database(&url, &name);
                let db = Db::connect_postgres(&db_url, 24)
                    .await
                    .expect("connect to test database");
                db.migrate().await.expect("migrate PostgreSQL");
                Some(TestDb {
                    db,
                    backend,
                    pg_admin_url: Some(url),
                    pg_name: Some(name),
                    dir: None,
                })
            }
        }
    }

    /// The URL a child process can use to reach this database.
    pub fn url(&self) -> Option<String> {
        match (&self.pg_admin_url, &self.pg_name) {
            (Some(u), Some(n)) => Some(replace_database(u, n)),
            _ => None,
        }
    }

    pub fn data_dir(&self) -> Option<&PathBuf> {
        self.dir.as_ref()
    }

    /// Drops the database (PostgreSQL) or its directory (SQLite).
    pub async fn cleanup(self) {
        match self.db {
            Db::Postgres(pool) => pool.close().await,
            Db::Sqlite { write, read } => {
                write.close().await;
                read.close().await;
            }
        }
        if let (Some(url), Some(name)) = (self.pg_admin_url, self.pg_name) {
            if let Ok(admin) = sqlx::PgPool::connect(&url).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&admin)
                    .await;
            }
        }
        if let Some(dir) = self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// A running server with an admin key.
pub struct TestApp {
    pub address: SocketAddr,
    pub admin: String,
    pub services: Arc<Services>,
    pub test_db: TestDb,
    pub client: reqwest::Client,
    stop: watch::Sender<bool>,
    server: tokio::task::JoinHandle<()>,
}

impl TestApp {
    pub async fn spawn(backend: Backend, test: &str) -> Option<TestApp> {
        let test_db = TestDb::create(backend, test).await?;
        let settings = ServeSettings {
            listen: "127.0.0.1:0".parse().expect("address"),
            run_projections: true,
        };
        let app = Application::build(test_db.db.clone(), &settings)
            .await
            .expect("build app");
        let address = app.address;
        let services = app.services.clone();
        let admin = keys::create(&test_db.db, Role::Admin, "test admin")
            .await
            .expect("admin key")
            .token;
        let (stop, shutdown) = watch::channel(false);
        let server = tokio::spawn(async move {
            app.run(shutdown).await.expect("server ran");
        });
        Some(TestApp {
            address,
            admin,
            services,
            test_db,
            client: reqwest::Client::new(),
            stop,
            server,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    pub async fn key(&self, role: Role) -> String {
        keys::create(&self.test_db.db, role, "test")
            .await
            .expect("key")
            .token
    }

    /// POSTs a GraphQL request with `token` (None = no Authorization header); returns the
    /// HTTP status and the JSON body.
    pub async fn gql_raw(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (u16, Value) {
        let mut req = self
            .client
            .post(self.url("/graphql"))
            .json(&json!({"query": query, "variables": variables}));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("HTTP request");
        let status = resp.status().as_u16();
        (status, resp.json().await.expect("JSON body"))
    }

    /// A GraphQL request as admin that must succeed; returns `data`.
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        self.gql_as(&self.admin.clone(), query, variables).await
    }

    pub async fn gql_as(&self, token: &str, query: &str, variables: Value) -> Value {
        let (status, body) = self.gql_raw(Some(token), query, variables).await;
        assert!(
            body.get("errors").is_none() && status == 200,
            "GraphQL failed ({status}): {body}"
        );
        body["data"].clone()
    }

    /// A GraphQL request that must fail; returns the first error's `extensions.code`.
    pub async fn gql_error(&self, token: &str, query: &str, variables: Value) -> String {
        let (_, body) = self.gql_raw(Some(token), query, variables).await;
        body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("expected an error with a code, got {body}"))
            .to_string()
    }

    /// Number of events in the store (to prove a rejected request changed nothing).
    pub async fn event_count(&self) -> i64 {
        event_count(&self.test_db.db).await
    }

    /// A request context for driving the application layer directly.
    pub fn admin_context(&self) -> RequestContext {
        RequestContext::new(
            Principal {
                key_id: "test".into(),
                role: Role::Admin,
            },
            None,
            None,
        )
    }

    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.server.await;
        self.test_db.cleanup().await;
    }
}

pub async fn event_count(db: &Db) -> i64 {
    waybill_projections::with_db!(db, read pool =>
        sqlx::query_scalar("SELECT COUNT(*) FROM events").fetch_one(pool).await.expect("count events"))
}

/// Runs an async scenario once per backend, as two tests named `sqlite` and `postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($scenario:ident) => {
        mod $scenario {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(app) =
                    $crate::TestApp::spawn($crate::Backend::Sqlite, stringify!($scenario)).await
                {
                    super::$scenario(&app).await;
                    app.stop().await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) =
                    $crate::TestApp::spawn($crate::Backend::Postgres, stringify!($scenario)).await
                {
                    super::$scenario(&app).await;
                    app.stop().await;
                }
            }
        }
    };
}

pub mod fixtures;

/// The application layer without HTTP, for tests that drive commands and runners directly.
pub struct Direct {
    pub test_db: TestDb,
    pub services: Arc<Services>,
    pub runner: Arc<waybill_projections::Runner>,
}

impl Direct {
    pub async fn create(backend: Backend, test: &str, options: waybill_projections::RunnerOptions) -> Option<Direct> {
        let test_db = TestDb::create(backend, test).await?;
        let runner = Arc::new(waybill_api::startup::runner(&test_db.db, options));
        runner.ensure_tables().await.expect("projection tables");
        let services = waybill_api::startup::services(test_db.db.clone(), runner.clone());
        Some(Direct { test_db, services, runner })
    }

    pub fn db(&self) -> &Db {
        &self.test_db.db
    }

    pub fn context(&self) -> RequestContext {
        RequestContext::new(Principal { key_id: "direct".into(), role: Role::Admin }, None, None)
    }

    /// Places the sample order under a new external number; returns the order id.
    pub async fn place(&self, external: &str) -> String {
        let command = waybill_domain::order::sample::sample_place_order_for(
            waybill_domain::SalesChannel::Jd,
            waybill_domain::ExternalOrderNumber::parse(external).expect("external number"),
        );
        self.services
            .place_order(&self.context(), command, &Default::default())
            .await
            .unwrap_or_else(|e| panic!("place {external}: {}", e.message))
            .stream_id
    }

    pub async fn cleanup(self) {
        self.test_db.cleanup().await;
    }
}

/// Rows in the live orders read model.
pub async fn order_rows(db: &Db) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {}", waybill_projections::orders::TABLE);
    waybill_projections::with_db!(db, read pool =>
        sqlx::query_scalar(&sql).fetch_one(pool).await.expect("count orders"))
}
