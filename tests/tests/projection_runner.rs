//! The projection runner's guarantees: nothing skipped behind a slow writer, nothing applied
//! twice across replicas, incremental equals rebuilt, rebuilds while reads go on.

use std::sync::Arc;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use tokio::sync::watch;
use waybill_api::commands::orders::WriteOptions;
use waybill_domain::order::sample::{cup_sku, tea_sku};
use waybill_domain::order::{AnomalyKind, FulfilLine, OrderCommand};
use waybill_domain::{Quantity, WarehouseId};
use waybill_projections::{orders, Runner, RunnerOptions};
use waybill_tests::fixtures::{order_input, PLACE};
use waybill_tests::{order_rows, Backend, Direct, TestApp};

fn small_batches() -> RunnerOptions {
    RunnerOptions {
        batch_size: 7,
        poll_interval: Duration::from_millis(5),
        crash_after_events: None,
        linger: Duration::ZERO,
    }
}

/// Writes an `OrderPlaced` for a new order id inside `tx`, bypassing the command path, so a
/// test controls when its transaction took its id and when it commits; returns the order id.
async fn insert_order_placed(tx: &mut sqlx::Transaction<'_, sqlx::Postgres>) -> String {
    let id = uuid::Uuid::now_v7().to_string();
    let mut payload =
        serde_json::to_value(waybill_domain::order::sample::sample_order_placed()).unwrap();
    payload["OrderPlaced"]["order_id"] = json!(id);
    sqlx::query(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
         VALUES ('Order', $1, 1, 'OrderPlaced', '1.0', $2::json, '{}'::json)",
    )
    .bind(&id)
    .bind(payload.to_string())
    .execute(&mut **tx)
    .await
    .unwrap();
    id
}

/// (a) A writer transaction that begins first and commits last is not skipped.
///
/// 1. Three orders are placed and committed (positions 1–3).
/// 2. A raw transaction begins, takes a transaction id and inserts an OrderPlaced event
///    (position 4) — and stays open.
/// 3. Five more orders are placed and committed (positions 5–9).
/// 4. The runner runs until idle: it must stop at position 3, because the open
///    transaction holds the fence; a naive `position > checkpoint` reader would have
///    read 5–9, moved its checkpoint to 9 and lost position 4 for ever.
/// 5. The open transaction commits; the runner applies 4 and then 5–9.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_writer_that_commits_last_is_not_skipped() {
    let Some(d) = Direct::create(
        Backend::Postgres,
        "a_writer_that_commits_last_is_not_skipped",
        RunnerOptions::default(),
    )
    .await
    else {
        return;
    };
    let waybill_projections::Db::Postgres(pool) = d.db().clone() else {
        unreachable!()
    };
    for i in 0..3 {
        d.place(&format!("FENCE-A{i}")).await;
    }
    let orders = d.runner.projection(orders::NAME).unwrap();
    d.runner.run_to_head(orders.as_ref()).await.unwrap();
    let mut slow = pool.begin().await.unwrap();
    sqlx::query("SELECT pg_current_xact_id()")
        .execute(&mut *slow)
        .await
        .unwrap();
    let late_id = insert_order_placed(&mut slow).await;
    for i in 0..5 {
        d.place(&format!("FENCE-B{i}")).await;
    }

    d.runner.run_until_idle(orders.as_ref()).await.unwrap();
    assert_eq!(
        order_rows(d.db()).await,
        3,
        "the runner must not pass the open writer"
    );
    let committed_after: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE global_position > 4")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        committed_after, 5,
        "later writers did commit: a naive reader would have skipped position 4"
    );

    slow.commit().await.unwrap();
    d.runner.run_to_head(orders.as_ref()).await.unwrap();
    assert_eq!(order_rows(d.db()).await, 9);
    assert!(waybill_projections::orders::get(d.db(), &late_id)
        .await
        .unwrap()
        .is_some());
    assert_eq!(d.runner.verify(orders::NAME).await.unwrap(), vec![]);
    d.cleanup().await;
}

/// The head read-your-writes waits for is the last event in commit order, not the greatest
/// position: a transaction that took its id first (S) and inserted last holds the greater
/// position, yet the runner applies it before an event from a later transaction (B) that
/// committed in between. Waiting for `MAX(global_position)` would return before B's event
/// was applied.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_head_is_the_last_event_in_commit_order() {
    let Some(d) = Direct::create(
        Backend::Postgres,
        "the_head_is_the_last_event_in_commit_order",
        RunnerOptions::default(),
    )
    .await
    else {
        return;
    };
    let waybill_projections::Db::Postgres(pool) = d.db().clone() else {
        unreachable!()
    };
    let mut first_id = pool.begin().await.unwrap();
    sqlx::query("SELECT pg_current_xact_id()")
        .execute(&mut *first_id)
        .await
        .unwrap();
    let b = d.place("HEAD-B").await;
    let s_id = insert_order_placed(&mut first_id).await;
    first_id.commit().await.unwrap();

    let (b_position, s_position): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT global_position FROM events WHERE aggregate_id = $1), \
                (SELECT global_position FROM events WHERE aggregate_id = $2)",
    )
    .bind(&b)
    .bind(&s_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(s_position > b_position, "S drew its position after B");
    let head = waybill_projections::log::head_position(d.db())
        .await
        .unwrap();
    assert_eq!(head, b_position, "B is last in commit order");

    // The runner applies S, then B: a projection at the head has applied both.
    let orders = d.runner.projection(orders::NAME).unwrap();
    let head_checkpoint = waybill_projections::log::checkpoint_of(d.db(), head)
        .await
        .unwrap()
        .unwrap();
    d.runner.run_to_head(orders.as_ref()).await.unwrap();
    let reached = waybill_projections::checkpoint::read(d.db(), orders::NAME)
        .await
        .unwrap();
    assert!(
        reached >= head_checkpoint,
        "{reached:?} < {head_checkpoint:?}"
    );
    assert_eq!(order_rows(d.db()).await, 2);
    d.cleanup().await;
}

/// Drives a few thousand random commands against `orders` order streams. Most are valid for
/// the order's state; the rest are refused by the domain and must leave no trace.
async fn random_commands(d: &Direct, seed: u64, orders: usize, commands: usize) -> usize {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut ids = Vec::new();
    for i in 0..orders {
        ids.push(d.place(&format!("RND-{seed}-{i}")).await);
    }
    let ctx = d.context();
    let mut accepted = orders;
    for n in 0..commands {
        let id = &ids[rng.gen_range(0..ids.len())];
        let q = |n: u32| Quantity::new(n).unwrap();
        let command = match rng.gen_range(0..10) {
            0 => OrderCommand::AuthorisePayment {
                method: "alipay".into(),
                reference: format!("A{n}"),
                amount_minor: rng.gen_range(1..20_000),
            },
            1 | 2 => OrderCommand::CapturePayment {
                method: "wechat".into(),
                reference: format!("C{n}"),
                amount_minor: rng.gen_range(1..20_000),
            },
            3 => OrderCommand::Allocate {
                warehouse_id: WarehouseId::parse(["WH-HZ", "WH-SH", "WH-BJ"][rng.gen_range(0..3)])
                    .unwrap(),
            },
            4 | 5 => OrderCommand::Fulfil {
                shipment_reference: format!("S{n}"),
                lines: vec![FulfilLine {
                    sku: if rng.gen_bool(0.5) {
                        tea_sku()
                    } else {
                        cup_sku()
                    },
                    quantity: q(1),
                }],
            },
            6 => OrderCommand::MarkDelivered {
                delivered_at: chrono::Utc::now(),
            },
            7 => OrderCommand::Complete,
            8 => OrderCommand::FlagAnomaly {
                kind: AnomalyKind::ALL[rng.gen_range(0..4)],
                note: "random".into(),
            },
            _ => {
                if rng.gen_bool(0.1) {
                    OrderCommand::Cancel {
                        reason: "random".into(),
                    }
                } else {
                    OrderCommand::ClearAnomaly {
                        kind: AnomalyKind::ALL[rng.gen_range(0..4)],
                        resolution: "random".into(),
                    }
                }
            }
        };
        if d.services
            .order_command(&ctx, id, command, &WriteOptions::default())
            .await
            .is_ok()
        {
            accepted += 1;
        }
    }
    accepted
}

/// (c) Incremental == rebuilt, for a few thousand random commands, with the runner working
/// in small batches concurrently with the writers.
async fn incremental_equals_rebuilt(backend: Backend) {
    let Some(d) = Direct::create(backend, "incremental_equals_rebuilt", small_batches()).await
    else {
        return;
    };
    let (stop, shutdown) = watch::channel(false);
    let running = tokio::spawn(d.runner.clone().run(shutdown));
    let accepted = random_commands(&d, 7, 150, 3000).await;
    let _ = stop.send(true);
    running.await.unwrap();
    d.runner.run_all_to_head().await.unwrap();
    assert!(
        accepted > 1000,
        "the generator should mostly produce valid commands, got {accepted}"
    );
    assert_eq!(waybill_tests::event_count(d.db()).await, accepted as i64);

    let differences = d.runner.verify(orders::NAME).await.unwrap();
    assert!(
        differences.is_empty(),
        "incremental differs from rebuilt: {:?}",
        &differences[..differences.len().min(3)]
    );
    let before = waybill_projections::orders::list(d.db(), &Default::default(), 100, None)
        .await
        .unwrap()
        .orders;
    d.runner.rebuild(orders::NAME).await.unwrap();
    let after = waybill_projections::orders::list(d.db(), &Default::default(), 100, None)
        .await
        .unwrap()
        .orders;
    assert_eq!(before, after);
    assert_eq!(d.runner.verify(orders::NAME).await.unwrap(), vec![]);
    d.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incremental_equals_rebuilt_postgres() {
    incremental_equals_rebuilt(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incremental_equals_rebuilt_sqlite() {
    incremental_equals_rebuilt(Backend::Sqlite).await;
}

/// Many replicas, one projection: three runners with their own connection pools race over
/// the same log while writers append. Each event must be applied exactly once: the result
/// equals a rebuild, and every document's version equals its stream's length.
async fn replicas_apply_each_event_once(backend: Backend) {
    let Some(d) = Direct::create(backend, "replicas_apply_each_event_once", small_batches()).await
    else {
        return;
    };
    let (stop, shutdown) = watch::channel(false);
    let mut replicas = Vec::new();
    for _ in 0..3 {
        let db = match backend {
            Backend::Postgres => {
                waybill_projections::Db::connect_postgres(&d.test_db.url().unwrap(), 4)
                    .await
                    .unwrap()
            }
            Backend::Sqlite => d.db().clone(),
        };
        let runner = Arc::new(Runner::new(
            db,
            waybill_projections::all_projections(),
            small_batches(),
        ));
        replicas.push(tokio::spawn(runner.run(shutdown.clone())));
    }
    let accepted = random_commands(&d, 11, 60, 600).await;
    // Let the replicas drain, then stop them.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let head = waybill_projections::log::head_position(d.db())
            .await
            .unwrap();
        let cp = waybill_projections::checkpoint::read(d.db(), orders::NAME)
            .await
            .unwrap();
        if cp.position == head || tokio::time::Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = stop.send(true);
    for r in replicas {
        r.await.unwrap();
    }
    assert_eq!(waybill_tests::event_count(d.db()).await, accepted as i64);
    assert_eq!(d.runner.verify(orders::NAME).await.unwrap(), vec![]);
    let page = waybill_projections::orders::list(d.db(), &Default::default(), 100, None)
        .await
        .unwrap();
    for view in page.orders {
        let stream_len: i64 = waybill_projections::with_db!(d.db(), read pool =>
            sqlx::query_scalar("SELECT MAX(sequence) FROM events WHERE aggregate_id = $1").bind(&view.order_id).fetch_one(pool).await.unwrap());
        assert_eq!(
            view.version, stream_len,
            "order {} applied a wrong number of events",
            view.order_id
        );
    }
    d.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_apply_each_event_once_postgres() {
    replicas_apply_each_event_once(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_apply_each_event_once_sqlite() {
    replicas_apply_each_event_once(Backend::Sqlite).await;
}

/// A rebuild swaps in a fresh table while the server keeps answering list queries with
/// complete results.
async fn rebuild_while_serving(backend: Backend) {
    let Some(app) = TestApp::spawn(backend, "rebuild_while_serving").await else {
        return;
    };
    let mut last = 0;
    for i in 0..40 {
        last = app
            .gql(
                PLACE,
                json!({"i": order_input("TAOBAO", &format!("RB-{i}"), "c")}),
            )
            .await["placeOrder"]["position"]
            .as_str()
            .and_then(|p| p.parse::<i64>().ok())
            .expect("position");
    }
    let query =
        "query($p: Int64) { orders(first: 100, consistentWith: $p) { edges { node { id } } } }";
    app.gql(query, json!({"p": last})).await;
    let runner = app.services.runner.clone();
    let rebuild = tokio::spawn(async move {
        runner
            .rebuild(orders::NAME)
            .await
            .map_err(|e| e.to_string())
    });
    let mut reads = 0;
    while !rebuild.is_finished() || reads < 5 {
        let data = app.gql(query, json!({})).await;
        assert_eq!(
            data["orders"]["edges"].as_array().unwrap().len(),
            40,
            "a read during the rebuild saw a partial table"
        );
        reads += 1;
    }
    let rebuilt = rebuild.await.unwrap().unwrap();
    assert!(rebuilt >= 40);
    // Writes after the swap keep flowing into the new table.
    let p = app
        .gql(PLACE, json!({"i": order_input("TAOBAO", "RB-after", "c")}))
        .await["placeOrder"]["position"]
        .clone();
    let data = app.gql(query, json!({"p": p})).await;
    assert_eq!(data["orders"]["edges"].as_array().unwrap().len(), 41);
    assert_eq!(
        app.services.runner.verify(orders::NAME).await.unwrap(),
        vec![]
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rebuild_while_serving_postgres() {
    rebuild_while_serving(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rebuild_while_serving_sqlite() {
    rebuild_while_serving(Backend::Sqlite).await;
}

/// A corrupted read-model row is reported by verification.
async fn verify_reports_a_corrupted_row(backend: Backend) {
    let Some(d) = Direct::create(
        backend,
        "verify_reports_a_corrupted_row",
        RunnerOptions::default(),
    )
    .await
    else {
        return;
    };
    let id = d.place("VERIFY-1").await;
    d.place("VERIFY-2").await;
    d.runner.run_all_to_head().await.unwrap();
    assert_eq!(d.runner.verify(orders::NAME).await.unwrap(), vec![]);
    let sql = format!("UPDATE {} SET doc = $1 WHERE id = $2", orders::TABLE);
    let mut doc = serde_json::to_value(orders::get(d.db(), &id).await.unwrap().unwrap()).unwrap();
    doc["status"] = json!("completed");
    waybill_projections::with_db!(d.db(), pool => {
        sqlx::query(&sql).bind(sqlx::types::Json(&doc)).bind(&id).execute(pool).await.unwrap();
    });
    let differences = d.runner.verify(orders::NAME).await.unwrap();
    assert_eq!(differences.len(), 1);
    assert_eq!(differences[0].key, id);
    assert_eq!(differences[0].live.as_ref().unwrap()["status"], "completed");
    assert_eq!(differences[0].rebuilt.as_ref().unwrap()["status"], "placed");
    d.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_reports_a_corrupted_row_postgres() {
    verify_reports_a_corrupted_row(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_reports_a_corrupted_row_sqlite() {
    verify_reports_a_corrupted_row(Backend::Sqlite).await;
}
