//! A poison event stops only the projection that cannot read it: the others reach the head,
//! `/readyz` and the admin query name the stuck projection, its position and the cause, and
//! fixing the row lets it recover without a restart. A panicking fold or reaction is contained
//! the same way.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::watch;
use waybill_api::auth::Role;
use waybill_api::error::AppError;
use waybill_api::policies::{Policy, PolicyRunner, Reaction};
use waybill_api::services::Services;
use waybill_projections::supervision::{self, Fault};
use waybill_projections::{
    checkpoint, log, orders, with_db, with_tx, Projection, ProjectionError, Runner, RunnerOptions,
    StoredEvent, Tx,
};
use waybill_tests::fixtures::{order_input, PLACE};
use waybill_tests::wide;
use waybill_tests::{on_both_backends, Backend, Direct, TestApp};

const STUCK: &str =
    "{ stuckProjections { name checkpoint position eventType error attempts firstFailedAt } }";

async fn readyz(app: &TestApp) -> (u16, Value) {
    let resp = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("readyz");
    (resp.status().as_u16(), resp.json().await.expect("JSON"))
}

/// Polls `check` every 50 ms for up to 30 s.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        match check().await {
            Ok(()) => return,
            Err(last) if tokio::time::Instant::now() > deadline => {
                panic!("{what} did not happen within 30 s; last: {last}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// Inserts an `OrderPlaced` whose payload no version of the code can decode, as a bad import
/// or a hand edit would; returns its stream id and global position.
async fn plant_poison(app: &TestApp) -> (String, i64) {
    let stream = uuid::Uuid::new_v4().to_string();
    let db = &app.test_db.db;
    with_db!(db, pool => {
        sqlx::query(
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
             VALUES ('Order', $1, 1, 'OrderPlaced', '1.0', '{\"OrderPlaced\": {\"garbage\": true}}', '{}')",
        )
        .bind(&stream)
        .execute(pool)
        .await
        .expect("plant the poison event");
    });
    let position: i64 = with_db!(db, read pool =>
        sqlx::query_scalar("SELECT global_position FROM events WHERE aggregate_id = $1")
            .bind(&stream)
            .fetch_one(pool)
            .await
            .expect("poison position"));
    (stream, position)
}

async fn place(app: &TestApp, external: &str) -> String {
    place_at(app, external).await.0
}

/// Places an order; returns its id and position.
async fn place_at(app: &TestApp, external: &str) -> (String, i64) {
    let data = app
        .gql(PLACE, json!({"i": order_input("JD", external, "c-poison")}))
        .await;
    let id = data["placeOrder"]["orderId"].as_str().expect("order id");
    let position = wide(&data["placeOrder"]["position"]);
    (id.to_string(), position)
}

/// 1. Two orders are placed; then a poison `OrderPlaced` is planted with SQL; then another
///    order is written behind it.
/// 2. Every projection except `orders` reaches the head; `orders` stops just before the
///    poison event and stays there.
/// 3. `/readyz` says `degraded` and names `orders`, the poison's position and event type and
///    the decoding error; `stuckProjections` (admin) lists the same.
/// 4. The row is repaired (given a real order's payload): `orders` recovers on its own,
///    reaches the head, the order behind the poison is readable, and the fault is gone.
async fn a_poison_event_stops_only_its_projection_until_repaired(app: &TestApp) {
    let first = place(app, "POISON-1").await;
    place(app, "POISON-2").await;
    let (poison_stream, poison_position) = plant_poison(app).await;
    let (behind, behind_position) = place_at(app, "POISON-3").await;
    let db = app.test_db.db.clone();
    let head = log::head_position(&db).await.expect("head");

    let names: Vec<&'static str> = app
        .services
        .runner
        .projections()
        .iter()
        .map(|p| p.name())
        .collect();
    eventually("every other projection reaching the head", || {
        let db = db.clone();
        let names = names.clone();
        async move {
            for name in names.iter().filter(|n| **n != "orders") {
                let at = checkpoint::read(&db, name)
                    .await
                    .map_err(|e| e.to_string())?;
                if at.position < head {
                    return Err(format!("{name} at {} of {head}", at.position));
                }
            }
            Ok(())
        }
    })
    .await;
    let orders_at = checkpoint::read(&db, "orders").await.expect("checkpoint");
    assert!(
        orders_at.position < poison_position,
        "orders must not skip the poison event: at {}, poison at {poison_position}",
        orders_at.position
    );

    eventually("readyz naming the stuck projection", || async {
        let (status, body) = readyz(app).await;
        let stuck = &body["stuck"][0];
        if status == 200
            && body["status"] == "degraded"
            && stuck["name"] == "orders"
            && stuck["position"] == poison_position
        {
            Ok(())
        } else {
            Err(body.to_string())
        }
    })
    .await;
    let (_, body) = readyz(app).await;
    let stuck = &body["stuck"][0];
    assert_eq!(body["stuck"].as_array().map(Vec::len), Some(1), "{body}");
    assert_eq!(stuck["event_type"], "OrderPlaced", "{body}");
    assert!(
        stuck["error"]
            .as_str()
            .is_some_and(|e| e.contains("cannot project") && e.contains(&poison_stream)),
        "the cause names the event: {body}"
    );

    let listed = app.gql(STUCK, json!({})).await;
    let row = &listed["stuckProjections"][0];
    assert_eq!(row["name"], "orders", "{listed}");
    assert_eq!(wide(&row["position"]), poison_position, "{listed}");
    let orders_at = checkpoint::read(&db, "orders").await.expect("checkpoint");
    assert_eq!(
        orders_at.position,
        poison_position - 1,
        "every event before the poison is applied"
    );
    assert_eq!(wide(&row["checkpoint"]), orders_at.position, "{listed}");
    assert!(row["attempts"].as_i64().is_some_and(|n| n >= 1), "{listed}");
    let auditor = app.key(Role::Auditor).await;
    assert_eq!(app.gql_error(&auditor, STUCK, json!({})).await, "FORBIDDEN");

    // Reading one's own write behind the poison fails at once, and says why.
    let started = std::time::Instant::now();
    let (_, body) = app
        .gql_raw(
            Some(&app.admin),
            "query($id: String!, $p: Int64) { order(id: $id, consistentWith: $p) { id } }",
            json!({"id": behind, "p": behind_position}),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "CONFLICT",
        "{body}"
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("orders is stuck at position")),
        "{body}"
    );
    assert!(started.elapsed() < Duration::from_secs(2), "no long wait");

    // The repair: give the row a payload that decodes (a real order's placement).
    with_db!(&db, pool => {
        sqlx::query(
            "UPDATE events SET payload = (SELECT payload FROM events WHERE aggregate_id = $1 AND sequence = 1) \
             WHERE aggregate_id = $2",
        )
        .bind(&first)
        .bind(&poison_stream)
        .execute(pool)
        .await
        .expect("repair the row");
    });
    eventually("orders recovering", || async {
        let (_, body) = readyz(app).await;
        let at = checkpoint::read(&app.test_db.db, "orders")
            .await
            .map_err(|e| e.to_string())?;
        if body["status"] == "ready" && at.position >= head {
            Ok(())
        } else {
            Err(format!("{body}, orders at {}", at.position))
        }
    })
    .await;
    let listed = app.gql(STUCK, json!({})).await;
    assert_eq!(listed["stuckProjections"], json!([]));
    let order = app
        .gql(
            "query($id: String!) { order(id: $id) { id } }",
            json!({"id": behind}),
        )
        .await;
    assert_eq!(order["order"]["id"], behind.as_str());
}
on_both_backends!(a_poison_event_stops_only_its_projection_until_repaired);

/// A projection whose fold panics on one stream until "fixed": the bug a deploy brings.
struct PanickyProjection {
    poison: std::sync::Mutex<Option<String>>,
}

#[async_trait::async_trait]
impl Projection for PanickyProjection {
    fn name(&self) -> &'static str {
        "panicky"
    }

    fn table(&self) -> &'static str {
        "rm_panicky"
    }

    async fn create_bare_table(&self, tx: &mut Tx, table: &str) -> Result<(), ProjectionError> {
        let sql = format!("CREATE TABLE {table} (id TEXT PRIMARY KEY)");
        with_tx!(tx, conn => { sqlx::query(&sql).execute(&mut **conn).await?; });
        Ok(())
    }

    async fn apply_batch(
        &self,
        _tx: &mut Tx,
        _table: &str,
        events: &[StoredEvent],
    ) -> Result<usize, ProjectionError> {
        let poison = self.poison.lock().expect("lock").clone();
        if let Some(stream) = poison {
            if events.iter().any(|e| e.aggregate_id == stream) {
                panic!("fold bug on {stream}");
            }
        }
        Ok(events.len())
    }

    async fn documents(
        &self,
        _tx: &mut Tx,
        _table: &str,
    ) -> Result<Vec<(String, serde_json::Value)>, ProjectionError> {
        Ok(Vec::new())
    }
}

/// A policy that panics on one stream's events until fixed, and one that only counts.
struct PanickyPolicy {
    poison: std::sync::Mutex<Option<String>>,
}

#[async_trait::async_trait]
impl Policy for PanickyPolicy {
    fn name(&self) -> &'static str {
        "panicky"
    }

    async fn react(&self, _: &Services, reaction: &Reaction<'_>) -> Result<(), AppError> {
        let poison = self.poison.lock().expect("lock").clone();
        if poison.as_deref() == Some(reaction.event.aggregate_id.as_str()) {
            panic!("reaction bug on {}", reaction.event.aggregate_id);
        }
        Ok(())
    }
}

struct CountingPolicy(AtomicUsize);

#[async_trait::async_trait]
impl Policy for CountingPolicy {
    fn name(&self) -> &'static str {
        "counting"
    }

    async fn react(&self, _: &Services, _: &Reaction<'_>) -> Result<(), AppError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

async fn fault_named(db: &waybill_projections::Db, name: &str) -> Option<Fault> {
    supervision::list(db)
        .await
        .expect("faults")
        .into_iter()
        .find(|f| f.name == name)
}

/// A panic in a fold or in a policy's reaction is caught: logged, recorded with the exact
/// event, retried with backoff; the projection and policy beside it reach the head; once
/// the bug is gone, both recover by themselves.
///
/// 1. A runner drives a panicking projection and the orders projection; a policy runner
///    drives a panicking policy and a counting one. Both panic on the second order's stream.
/// 2. Three orders are placed: orders and the counting policy reach the head; `panicky` and
///    `policy:panicky` are recorded as faults at the second order's position, with the panic
///    message as the cause, and stay just before it.
/// 3. The bug is "fixed": both catch up and their faults are cleared.
async fn panics_are_contained_and_recovered_from(backend: Backend) {
    let Some(d) = Direct::create(
        backend,
        "panics_are_contained_and_recovered_from",
        RunnerOptions {
            poll_interval: Duration::from_millis(10),
            ..RunnerOptions::default()
        },
    )
    .await
    else {
        return;
    };
    let db = d.db().clone();
    let projection = Arc::new(PanickyProjection {
        poison: Default::default(),
    });
    let orders = d.runner.projection(orders::NAME).expect("orders");
    let runner = Arc::new(Runner::new(
        db.clone(),
        vec![projection.clone(), orders],
        RunnerOptions {
            poll_interval: Duration::from_millis(10),
            ..RunnerOptions::default()
        },
    ));
    runner.ensure_tables().await.expect("tables");
    let policy = Arc::new(PanickyPolicy {
        poison: Default::default(),
    });
    let counting = Arc::new(CountingPolicy(AtomicUsize::new(0)));
    let policies = Arc::new(PolicyRunner::new(
        d.services.clone(),
        vec![policy.clone(), counting.clone()],
    ));

    d.place("PANIC-1").await;
    let second = d.place("PANIC-2").await;
    *projection.poison.lock().unwrap() = Some(second.clone());
    *policy.poison.lock().unwrap() = Some(second.clone());
    d.place("PANIC-3").await;
    let head = log::head_position(&db).await.expect("head");
    let second_position: i64 = with_db!(&db, read pool =>
        sqlx::query_scalar("SELECT global_position FROM events WHERE aggregate_id = $1")
            .bind(&second)
            .fetch_one(pool)
            .await
            .expect("position"));

    let (stop, shutdown) = watch::channel(false);
    let runner_task = tokio::spawn(runner.clone().run(shutdown.clone()));
    let policy_task = tokio::spawn(policies.clone().run(shutdown));

    eventually("the healthy neighbours reaching the head", || async {
        let orders_at = checkpoint::read(&db, orders::NAME)
            .await
            .map_err(|e| e.to_string())?;
        let counted = checkpoint::read(&db, "policy:counting")
            .await
            .map_err(|e| e.to_string())?;
        let faults = (
            fault_named(&db, "panicky").await,
            fault_named(&db, "policy:panicky").await,
        );
        match faults {
            (Some(p), Some(q))
                if orders_at.position == head
                    && counted.position == head
                    && p.position == Some(second_position)
                    && q.position == Some(second_position) =>
            {
                Ok(())
            }
            other => Err(format!(
                "orders {} counting {} of {head}; faults {other:?}",
                orders_at.position, counted.position
            )),
        }
    })
    .await;
    let fault = fault_named(&db, "panicky").await.expect("fault");
    assert!(fault.error.contains("panicked: fold bug on"), "{fault:?}");
    assert_eq!(fault.checkpoint, second_position - 1, "{fault:?}");
    let policy_fault = fault_named(&db, "policy:panicky").await.expect("fault");
    assert!(
        policy_fault.error.contains("panicked: reaction bug on"),
        "{policy_fault:?}"
    );
    assert_eq!(
        checkpoint::read(&db, "panicky").await.expect("cp").position,
        second_position - 1,
        "nothing skipped"
    );
    assert_eq!(
        counting.0.load(Ordering::SeqCst),
        usize::try_from(head).unwrap()
    );

    *projection.poison.lock().unwrap() = None;
    *policy.poison.lock().unwrap() = None;
    eventually("both recovering", || async {
        let p = checkpoint::read(&db, "panicky")
            .await
            .map_err(|e| e.to_string())?;
        let q = checkpoint::read(&db, "policy:panicky")
            .await
            .map_err(|e| e.to_string())?;
        let faults = supervision::list(&db).await.map_err(|e| e.to_string())?;
        if p.position == head && q.position == head && faults.is_empty() {
            Ok(())
        } else {
            Err(format!("{} {} {faults:?}", p.position, q.position))
        }
    })
    .await;
    let _ = stop.send(true);
    runner_task.await.expect("runner stops cleanly");
    policy_task.await.expect("policies stop cleanly");
    d.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panics_are_contained_and_recovered_from_sqlite() {
    panics_are_contained_and_recovered_from(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panics_are_contained_and_recovered_from_postgres() {
    panics_are_contained_and_recovered_from(Backend::Postgres).await;
}
