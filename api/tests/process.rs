//! The `waybill` process as an orchestrator sees it: SIGTERM drains and exits 0; a projection
//! stuck on a poison event is listed by `waybill projections stuck` from another process.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};
use waybill_api::auth::{keys, Role};
use waybill_projections::testing::{Backend, TestDb};
use waybill_projections::{with_db, Db, Tx};

mod common;

use common::{store_args, waybill};

/// A `waybill serve` child on port 0, its address, and the file its log goes to.
struct Server {
    child: Child,
    address: String,
    log: std::path::PathBuf,
    // Kept open: the server must never meet a closed standard output.
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Server {
    fn start(db: &TestDb) -> Server {
        let log = std::env::temp_dir().join(format!(
            "waybill-process-{}.log",
            uuid::Uuid::new_v4().simple()
        ));
        let mut child = waybill()
            .args(store_args(db))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut address = None;
        let mut line = String::new();
        while stdout.read_line(&mut line).unwrap() > 0 {
            if let Some(rest) = line.trim().strip_prefix("Waybill listening on http://") {
                address = rest.strip_suffix("/graphql").map(String::from);
                break;
            }
            line.clear();
        }
        Server {
            child,
            address: address.expect("the server reports its address"),
            log,
            _stdout: stdout,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the process to exit (at most `within`).
    async fn exit_status(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let deadline = tokio::time::Instant::now() + within;
        while tokio::time::Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

fn place_order(external: &str) -> Value {
    json!({
        "query": "mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { orderId position } }",
        "variables": {"i": {
            "channel": "JD", "externalNumber": external, "customerId": "c-term", "currency": "CNY",
            "lines": [{"sku": "TEA-1", "name": "Longjing tea", "quantity": 1, "unitPrice": "5000"}],
            "shippingAddress": {"recipient": "Li Lei", "phone": "13800000000", "country": "CN",
                                "province": "Zhejiang", "city": "Hangzhou", "street": "1 West Lake Rd"},
            "delivery": {"mode": "EXPRESS"}, "shippingFee": "0"
        }}
    })
}

/// Sends one write on a connection of its own; returns the order id it acknowledged.
async fn write(server_url: String, token: String, external: String) -> Result<String, String> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let resp = client
        .post(server_url)
        .bearer_auth(token)
        .json(&place_order(&external))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let body: Value = resp.json().await.map_err(|e| e.to_string())?;
    body["data"]["placeOrder"]["orderId"]
        .as_str()
        .map(String::from)
        .ok_or_else(|| body.to_string())
}

/// Holds the store's write lock from outside the server, so that a write sent now stays in
/// flight until [`release`]: `LOCK TABLE events` on PostgreSQL, `BEGIN IMMEDIATE` on SQLite.
async fn hold_the_write_lock(db: &Db) -> Tx {
    let mut tx = db.begin().await.unwrap();
    if let Tx::Postgres(conn) = &mut tx {
        sqlx::query("LOCK TABLE events IN EXCLUSIVE MODE")
            .execute(&mut **conn)
            .await
            .unwrap();
    }
    tx
}

/// PostgreSQL shows the server's INSERT waiting for the lock; SQLite has no such view, so a
/// generous pause stands in for it there (the write waits up to its 10 s busy timeout).
async fn wait_until_the_server_waits_for_the_lock(db: &Db) {
    let Db::Postgres(pool) = db else {
        tokio::time::sleep(Duration::from_secs(1)).await;
        return;
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity \
              WHERE datname = current_database() AND wait_event_type = 'Lock' \
                AND pid <> pg_backend_pid()",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        if waiting > 0 {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the write never reached the store"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn stream_exists(db: &Db, stream: &str) -> bool {
    let n: i64 = with_db!(db, read pool =>
        sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE aggregate_id = $1")
            .bind(stream)
            .fetch_one(pool)
            .await
            .unwrap());
    n > 0
}

/// SIGTERM while a write is in flight.
///
/// 1. `waybill serve` starts; three writes are acknowledged.
/// 2. The test takes the store's write lock, then sends a fourth write: it is in flight,
///    waiting for the lock.
/// 3. SIGTERM. Half a second later the process is still running (it drains) and no longer
///    accepts connections.
/// 4. The lock is released: the in-flight write completes and is acknowledged.
/// 5. The process exits with status 0, and every acknowledged write is in the store.
async fn sigterm_drains_in_flight_requests_and_exits_zero(backend: Backend) {
    let Some(db) = TestDb::create(backend, "sigterm_drains_in_flight_requests").await else {
        return;
    };
    let token = keys::create(&db.db, Role::Admin, "sigterm test")
        .await
        .unwrap()
        .token;
    let mut server = Server::start(&db);
    let graphql = server.url("/graphql");
    let mut acknowledged = Vec::new();
    for i in 0..3 {
        let id = write(graphql.clone(), token.clone(), format!("TERM-{i}"))
            .await
            .unwrap_or_else(|e| panic!("write {i}: {e}\n{}", server.log()));
        acknowledged.push(id);
    }

    let lock = hold_the_write_lock(&db.db).await;
    let in_flight = tokio::spawn(write(graphql.clone(), token.clone(), "TERM-LAST".into()));
    wait_until_the_server_waits_for_the_lock(&db.db).await;
    assert!(!in_flight.is_finished(), "the write waits for the lock");

    server.signal("-TERM");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "the server exited with a request in flight:\n{}",
        server.log()
    );
    let refused = reqwest::Client::new()
        .get(server.url("/healthz"))
        .timeout(Duration::from_secs(2))
        .send()
        .await;
    assert!(
        refused.is_err(),
        "a draining server accepts no new connections"
    );

    drop(lock); // rolls back: the server's write goes through
    let last = in_flight
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("the in-flight write got no answer: {e}\n{}", server.log()));
    acknowledged.push(last);

    let status = server
        .exit_status(Duration::from_secs(30))
        .await
        .unwrap_or_else(|| panic!("the server did not exit:\n{}", server.log()));
    assert_eq!(status.code(), Some(0), "{}", server.log());
    assert!(server.log().contains("stopped cleanly"), "{}", server.log());
    for id in &acknowledged {
        assert!(
            stream_exists(&db.db, id).await,
            "acknowledged write {id} is lost"
        );
    }
    drop(server);
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_in_flight_requests_and_exits_zero_sqlite() {
    sigterm_drains_in_flight_requests_and_exits_zero(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_in_flight_requests_and_exits_zero_postgres() {
    sigterm_drains_in_flight_requests_and_exits_zero(Backend::Postgres).await;
}

/// Ctrl-C (SIGINT) takes the same path: an idle server exits 0 at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_an_idle_server_with_status_zero() {
    let db = TestDb::create(Backend::Sqlite, "ctrl_c_stops_an_idle_server")
        .await
        .unwrap();
    let mut server = Server::start(&db);
    server.signal("-INT");
    let status = server
        .exit_status(Duration::from_secs(15))
        .await
        .unwrap_or_else(|| panic!("the server did not exit:\n{}", server.log()));
    assert_eq!(status.code(), Some(0), "{}", server.log());
    drop(server);
    db.cleanup().await;
}

/// `waybill projections stuck`, run beside a serving process, lists a projection stuck on a
/// poison event (exit status 2) and nothing once the row is repaired (exit status 0).
async fn the_cli_lists_stuck_projections(backend: Backend) {
    let Some(db) = TestDb::create(backend, "the_cli_lists_stuck_projections").await else {
        return;
    };
    with_db!(&db.db, pool => {
        sqlx::query(
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
             VALUES ('Order', 'poison-cli', 1, 'OrderPlaced', '1.0', '{\"OrderPlaced\": 7}', '{}')",
        )
        .execute(pool)
        .await
        .unwrap();
    });
    let server = Server::start(&db);
    let args = store_args(&db);
    let stuck = || {
        waybill()
            .args(&args)
            .args(["projections", "stuck"])
            .output()
            .unwrap()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let listed = loop {
        let out = stuck();
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        // The first failure is of a whole batch; the retries, one event at a time, name it.
        if out.status.code() == Some(2) && text.contains("\tat 1 OrderPlaced") {
            break text;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never listed: {text}\n{}",
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        listed.starts_with("stuck\torders\tafter position 0\tat 1 OrderPlaced"),
        "{listed}"
    );
    assert!(listed.contains("cannot project"), "{listed}");
    let status = waybill()
        .args(&args)
        .args(["projections", "status"])
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(2));
    let status = String::from_utf8_lossy(&status.stdout);
    assert!(
        status.contains("orders\tposition 0\ttx 0\tSTUCK") || status.contains("\tSTUCK"),
        "{status}"
    );
    assert!(status.contains("shipments\tposition 1"), "{status}");

    // Deleting the poison event (what an operator might do after an export) clears it too.
    with_db!(&db.db, pool => {
        sqlx::query("DELETE FROM events WHERE aggregate_id = 'poison-cli'")
            .execute(pool)
            .await
            .unwrap();
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let out = stuck();
        if out.status.success() && out.stdout.is_empty() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never cleared: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(server);
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_lists_stuck_projections_sqlite() {
    the_cli_lists_stuck_projections(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_lists_stuck_projections_postgres() {
    the_cli_lists_stuck_projections(Backend::Postgres).await;
}
