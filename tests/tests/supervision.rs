//! A poison event stops only the projection that cannot read it: the others reach the head,
//! `/readyz` and the admin query name the stuck projection, its position and the cause, and
//! fixing the row lets it recover without a restart.

use std::time::Duration;

use serde_json::{json, Value};
use waybill_api::auth::Role;
use waybill_projections::{checkpoint, log, with_db};
use waybill_tests::fixtures::{order_input, PLACE};
use waybill_tests::{on_both_backends, TestApp};

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
    let data = app
        .gql(PLACE, json!({"i": order_input("JD", external, "c-poison")}))
        .await;
    data["placeOrder"]["orderId"]
        .as_str()
        .expect("order id")
        .to_string()
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
    let behind = place(app, "POISON-3").await;
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
    assert_eq!(row["position"], poison_position, "{listed}");
    let orders_at = checkpoint::read(&db, "orders").await.expect("checkpoint");
    assert_eq!(
        orders_at.position,
        poison_position - 1,
        "every event before the poison is applied"
    );
    assert_eq!(row["checkpoint"], orders_at.position, "{listed}");
    assert!(row["attempts"].as_i64().is_some_and(|n| n >= 1), "{listed}");
    let auditor = app.key(Role::Auditor).await;
    assert_eq!(app.gql_error(&auditor, STUCK, json!({})).await, "FORBIDDEN");

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
