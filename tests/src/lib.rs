//! Test harness: a real Waybill server on a real database, reached over real HTTP.
//!
//! Every test gets its own database — a fresh SQLite file in a temporary directory, or a
//! fresh PostgreSQL database created on the server named by `WAYBILL_TEST_DATABASE_URL`
//! (or `DATABASE_URL`). Without such a URL the PostgreSQL variants say loudly that they were
//! skipped: the message goes straight to the terminal, past the test harness's capture.

use std::net::SocketAddr;
use std::sync::Arc;

use serde_json::{json, Value};
use tokio::sync::watch;
use waybill_api::auth::{keys, Principal, Role};
use waybill_api::commands::context::RequestContext;
use waybill_api::config::{RequestLimits, ServeSettings};
use waybill_api::services::Services;
use waybill_api::startup::Application;
use waybill_projections::Db;

pub use waybill_projections::testing::{postgres_url, skip_loudly, Backend, TestDb};

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
        TestApp::spawn_with(backend, test, RequestLimits::default()).await
    }

    /// A server with its own request limits (rate limits, body size, timeout).
    pub async fn spawn_with(
        backend: Backend,
        test: &str,
        limits: RequestLimits,
    ) -> Option<TestApp> {
        TestApp::spawn_serving(backend, test, limits, None).await
    }

    /// A server reading its CRM configuration from a file holding `json` (`--crm-config`).
    pub async fn spawn_with_crm_config(
        backend: Backend,
        test: &str,
        json: &str,
    ) -> Option<TestApp> {
        let path = std::env::temp_dir().join(format!(
            "waybill-crm-{test}-{backend:?}-{}.json",
            std::process::id()
        ));
        std::fs::write(&path, json).expect("write the CRM configuration");
        let app =
            TestApp::spawn_serving(backend, test, RequestLimits::default(), Some(path.clone()))
                .await;
        let _ = std::fs::remove_file(&path);
        app
    }

    async fn spawn_serving(
        backend: Backend,
        test: &str,
        limits: RequestLimits,
        crm_config: Option<std::path::PathBuf>,
    ) -> Option<TestApp> {
        let test_db = TestDb::create(backend, test).await?;
        let settings = ServeSettings {
            listen: "127.0.0.1:0".parse().expect("address"),
            run_projections: true,
            crm_config,
            limits,
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

    /// Polls `query` as admin until `done` holds (policies and projections run in the
    /// background); panics after about ten seconds.
    pub async fn eventually(
        &self,
        query: &str,
        vars: Value,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        for _ in 0..200 {
            let data = self.gql(query, vars.clone()).await;
            if done(&data) {
                return data;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("condition never held for {query}");
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

/// Runs an async scenario once per backend, as two tests named `sqlite` and `postgres`;
/// `on_both_backends!(scenario, limits)` serves it with the given `RequestLimits`.
#[macro_export]
macro_rules! on_both_backends {
    ($scenario:ident, $limits:expr) => {
        mod $scenario {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(app) = $crate::TestApp::spawn_with(
                    $crate::Backend::Sqlite,
                    stringify!($scenario),
                    $limits,
                )
                .await
                {
                    super::$scenario(&app).await;
                    app.stop().await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::TestApp::spawn_with(
                    $crate::Backend::Postgres,
                    stringify!($scenario),
                    $limits,
                )
                .await
                {
                    super::$scenario(&app).await;
                    app.stop().await;
                }
            }
        }
    };
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
pub mod live;
pub mod permissions;
pub mod returns;
pub mod routing;

/// The application layer without HTTP, for tests that drive commands and runners directly.
pub struct Direct {
    pub test_db: TestDb,
    pub services: Arc<Services>,
    pub runner: Arc<waybill_projections::Runner>,
}

impl Direct {
    pub async fn create(
        backend: Backend,
        test: &str,
        options: waybill_projections::RunnerOptions,
    ) -> Option<Direct> {
        let test_db = TestDb::create(backend, test).await?;
        let runner = Arc::new(waybill_api::startup::runner(&test_db.db, options));
        runner.ensure_tables().await.expect("projection tables");
        let services = waybill_api::startup::services(test_db.db.clone(), runner.clone());
        Some(Direct {
            test_db,
            services,
            runner,
        })
    }

    pub fn db(&self) -> &Db {
        &self.test_db.db
    }

    pub fn context(&self) -> RequestContext {
        RequestContext::new(
            Principal {
                key_id: "direct".into(),
                role: Role::Admin,
            },
            None,
            None,
        )
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
    let sql = format!(
        "SELECT COUNT(*) FROM {}",
        waybill_projections::orders::TABLE
    );
    waybill_projections::with_db!(db, read pool =>
        sqlx::query_scalar(&sql).fetch_one(pool).await.expect("count orders"))
}

/// Events in streams of one type (policies append to other streams in the background).
pub async fn event_count_of(db: &Db, stream_type: &str) -> i64 {
    waybill_projections::with_db!(db, read pool =>
        sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE aggregate_type = $1").bind(stream_type).fetch_one(pool).await.expect("count events"))
}

/// The value of a `MinorUnits` or `Int64` field, which the API emits as a decimal string;
/// panics on anything else, so a field that slips back to a JSON number fails its test.
#[track_caller]
pub fn wide(value: &serde_json::Value) -> i64 {
    value
        .as_str()
        .and_then(|text| text.parse().ok())
        .unwrap_or_else(|| panic!("expected a 64-bit decimal string, got {value}"))
}
