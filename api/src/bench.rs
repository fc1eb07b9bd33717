//! `waybill bench`: a load-test client that runs as its own process against a running server.
//!
//! ```text
//! waybill serve                                  # terminal 1 (prints an admin key on a new SQLite store)
//! waybill keys create --role integrator          # or use the admin key
//! waybill bench --key … --orders 5000 --clients 16 [--rebuild]
//! ```
//!
//! It places `--warmup` orders (not counted), then `--orders` orders through `placeOrder` with
//! `--clients` concurrent tasks sharing one connection pool, and prints throughput, latency
//! percentiles and how long the orders read model took to catch up after the last write.
//! `--rebuild` then rebuilds the `orders` projection in this process; it opens the store
//! directly, so pass the same `--database-url` (or `--data-dir`) as the server. Every output line
//! starts with a fixed label (`placeOrder:`, `latency ms:`, …) for grepping.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::config::StoreSettings;
use crate::error::{AppError, ErrorCode};

const PLACE_ORDER: &str = "mutation($i: PlaceOrderInput!) { placeOrder(input: $i) \
                           { orderId streamVersion position replayed } }";
const CAUGHT_UP: &str =
    "query($p: Int64) { orders(first: 1, consistentWith: $p) { edges { node { id } } } }";
const CHANNELS: [&str; 5] = ["TAOBAO", "JD", "PINDUODUO", "DOUYIN", "OWN_WEB_SHOP"];
/// (sku, name, unit price in 分).
const CATALOGUE: [(&str, &str, i64); 6] = [
    ("TEA-LJ-250", "Longjing green tea 250g", 12_800),
    ("CUP-CELADON", "Celadon tea cup", 4_500),
    ("TEA-PUER-357", "Pu'er cake 357g", 26_800),
    ("POT-YIXING", "Yixing clay teapot", 58_000),
    ("TEA-TGY-100", "Tieguanyin 100g", 6_900),
    ("TRAY-BAMBOO", "Bamboo tea tray", 15_900),
];
/// (province, city, district).
const PLACES: [(&str, &str, &str); 4] = [
    ("浙江省", "杭州市", "西湖区"),
    ("广东省", "深圳市", "南山区"),
    ("四川省", "成都市", "武侯区"),
    ("上海市", "上海市", "浦东新区"),
];
/// How many error messages to print per phase.
const SHOWN_ERRORS: usize = 5;
/// Give up waiting for the read model after this long.
const CATCH_UP_LIMIT: Duration = Duration::from_secs(120);

/// Load-test a running server through its GraphQL endpoint.
#[derive(Clone, Debug, clap::Args)]
pub struct BenchSettings {
    /// GraphQL endpoint of the running server.
    #[arg(long, default_value = "http://127.0.0.1:8080/graphql")]
    pub url: String,
    /// API key with the admin or integrator role.
    #[arg(long, env = "WAYBILL_BENCH_KEY", hide_env_values = true)]
    pub key: String,
    /// Orders to place (and measure).
    #[arg(long, default_value_t = 5000)]
    pub orders: usize,
    /// Concurrent client tasks.
    #[arg(long, default_value_t = 16)]
    pub clients: usize,
    /// Orders placed first and not counted.
    #[arg(long, default_value_t = 200)]
    pub warmup: usize,
    /// Afterwards, rebuild the orders projection in this process (needs the server's store flags).
    #[arg(long)]
    pub rebuild: bool,
}

pub async fn run(settings: BenchSettings, store: StoreSettings) -> Result<(), AppError> {
    let clients = settings.clients;
    if clients == 0 {
        return Err(AppError::invalid_input("clients", "must be at least 1"));
    }
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| AppError::internal("building the HTTP client", &e))?;
    let gql = Arc::new(Gql {
        http,
        url: settings.url.clone(),
        auth: format!("Bearer {}", settings.key),
    });
    let run_id = uuid::Uuid::new_v4().simple().to_string()[..10].to_uppercase();
    println!(
        "bench run {run_id}: {} orders, {} clients, {} warmup, against {}",
        settings.orders, settings.clients, settings.warmup, settings.url
    );

    if settings.warmup > 0 {
        let w = place_orders(&gql, &format!("{run_id}-W"), settings.warmup, clients).await;
        println!("warmup: {} ok, {} failed (not counted)", w.ok, w.failed);
        w.print_errors("warmup");
        if w.ok == 0 {
            return Err(AppError::new(
                ErrorCode::Internal,
                "every warmup request failed; is the server up and the key right?",
            ));
        }
    }

    let mut load = place_orders(&gql, &format!("{run_id}-M"), settings.orders, clients).await;
    let secs = load.wall.as_secs_f64().max(1e-9);
    println!(
        "placeOrder: {} ok, {} failed in {secs:.2} s = {:.0} commands/s",
        load.ok,
        load.failed,
        load.ok as f64 / secs
    );
    let ms = &mut load.latencies_ms;
    ms.sort_by(f64::total_cmp);
    println!(
        "latency ms: p50 {:.1} p90 {:.1} p99 {:.1} max {:.1}",
        percentile(ms, 0.50),
        percentile(ms, 0.90),
        percentile(ms, 0.99),
        ms.last().copied().unwrap_or(0.0)
    );
    println!("max position: {}", load.max_position);
    load.print_errors("placeOrder");
    let total = load.ok + load.failed;
    if load.failed * 100 > total {
        return Err(AppError::new(
            ErrorCode::Internal,
            format!(
                "{} of {total} placeOrder requests failed (more than 1%)",
                load.failed
            ),
        ));
    }

    if let (Some(last_write), true) = (load.last_write, load.max_position > 0) {
        let lag = catch_up(&gql, load.max_position, last_write).await?;
        println!(
            "projection catch-up: {:.0} ms after the last write",
            lag.as_secs_f64() * 1e3
        );
    }

    if settings.rebuild {
        let db = crate::startup::open_store(&store).await?;
        let runner = crate::startup::runner(&db, waybill_projections::RunnerOptions::default());
        runner.ensure_tables().await?;
        let started = Instant::now();
        let events = runner.rebuild("orders").await?;
        let secs = started.elapsed().as_secs_f64().max(1e-9);
        println!(
            "rebuild orders: {events} events in {secs:.2} s = {:.0} events/s",
            events as f64 / secs
        );
    }
    Ok(())
}

/// A GraphQL client: one connection pool, one key.
struct Gql {
    http: reqwest::Client,
    url: String,
    auth: String,
}

/// Why a request failed: the error code (or `HTTP`) and a readable message.
struct Failure {
    code: String,
    message: String,
}

impl Gql {
    /// Posts one operation; `Ok` only for a 2xx answer with `data` and no `errors`.
    async fn post(&self, query: &str, variables: Value) -> Result<Value, Failure> {
        let http_failure = |message: String| Failure {
            code: "HTTP".into(),
            message,
        };
        let response = self
            .http
            .post(&self.url)
            .header(reqwest::header::AUTHORIZATION, &self.auth)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .map_err(|e| http_failure(format!("request failed: {}", chain(&e))))?;
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|e| http_failure(format!("HTTP {status}: reading the body failed: {e}")))?;
        let Ok(mut body) = serde_json::from_str::<Value>(&body) else {
            let head: String = body.chars().take(200).collect();
            return Err(http_failure(format!("HTTP {status}: {head}")));
        };
        if let Some(first) = body["errors"].as_array().and_then(|e| e.first()) {
            let code = first["extensions"]["code"].as_str().unwrap_or("NO_CODE");
            let message = first["message"].as_str().unwrap_or("(no message)");
            return Err(Failure {
                code: code.to_string(),
                message: format!("HTTP {}: {message}", status.as_u16()),
            });
        }
        if !status.is_success() {
            return Err(http_failure(format!("HTTP {status}")));
        }
        Ok(body["data"].take())
    }
}

/// What one phase of placing orders produced.
#[derive(Default)]
struct Outcome {
    ok: usize,
    failed: usize,
    /// Every request's latency in milliseconds, failures included.
    latencies_ms: Vec<f64>,
    max_position: i64,
    last_write: Option<Instant>,
    errors: Vec<String>,
    wall: Duration,
}

impl Outcome {
    fn merge(&mut self, other: Outcome) {
        self.ok += other.ok;
        self.failed += other.failed;
        self.latencies_ms.extend(other.latencies_ms);
        self.max_position = self.max_position.max(other.max_position);
        self.last_write = self.last_write.max(other.last_write);
        let room = SHOWN_ERRORS.saturating_sub(self.errors.len());
        self.errors.extend(other.errors.into_iter().take(room));
    }

    fn print_errors(&self, label: &str) {
        for e in &self.errors {
            println!("{label} error: {e}");
        }
    }
}

/// Places `count` orders numbered under `prefix` with `clients` tasks pulling from one counter.
async fn place_orders(gql: &Arc<Gql>, prefix: &str, count: usize, clients: usize) -> Outcome {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients.min(count.max(1)))
        .map(|_| {
            let (gql, next, prefix) = (gql.clone(), next.clone(), prefix.to_string());
            tokio::spawn(async move {
                let mut out = Outcome::default();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        return out;
                    }
                    let sent = Instant::now();
                    let result = gql
                        .post(PLACE_ORDER, json!({ "i": order(&prefix, i) }))
                        .await;
                    out.latencies_ms.push(sent.elapsed().as_secs_f64() * 1e3);
                    match result {
                        Ok(data) => {
                            out.ok += 1;
                            let position = data["placeOrder"]["position"]
                                .as_str()
                                .and_then(|p| p.parse().ok())
                                .unwrap_or(0);
                            out.max_position = out.max_position.max(position);
                            out.last_write = Some(Instant::now());
                        }
                        Err(f) => {
                            out.failed += 1;
                            if out.errors.len() < SHOWN_ERRORS {
                                out.errors.push(format!("[{}] {}", f.code, f.message));
                            }
                        }
                    }
                }
            })
        })
        .collect();
    let mut total = Outcome::default();
    for joined in futures::future::join_all(tasks).await {
        match joined {
            Ok(out) => total.merge(out),
            Err(e) => total
                .errors
                .push(format!("[PANIC] a client task failed: {e}")),
        }
    }
    total.wall = started.elapsed();
    total
}

/// Polls the orders read model until it includes `position`; returns the time since `last_write`.
async fn catch_up(gql: &Gql, position: i64, last_write: Instant) -> Result<Duration, AppError> {
    loop {
        match gql.post(CAUGHT_UP, json!({ "p": position })).await {
            Ok(_) => return Ok(last_write.elapsed()),
            // The server waits up to its own limit and then answers CONFLICT: ask again.
            Err(f) if f.code == "CONFLICT" && last_write.elapsed() < CATCH_UP_LIMIT => {}
            Err(f) => {
                return Err(AppError::new(
                    ErrorCode::Internal,
                    format!(
                        "waiting for the orders read model: [{}] {}",
                        f.code, f.message
                    ),
                ))
            }
        }
    }
}

/// An error with its causes, e.g. `error sending request: … : Connection refused`.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// A varied but always valid `PlaceOrderInput` for order `i`.
fn order(prefix: &str, i: usize) -> Value {
    let lines: Vec<(usize, i64)> = (0..1 + i % 3)
        .map(|l| ((i + l) % CATALOGUE.len(), 1 + ((i + l) % 3) as i64))
        .collect();
    let subtotal: i64 = lines.iter().map(|&(c, q)| CATALOGUE[c].2 * q).sum();
    // (promotion, the amount it takes off): the subtotal is at least 4,500 and every
    // threshold fits under it, so each amount is what Waybill's own rules would take too.
    let promotion = match i % 8 {
        1 => Some((
            json!({ "fixedCoupon": { "code": format!("BENCH{}", i % 50), "amount": 1_000 } }),
            1_000.min(subtotal),
        )),
        3 => Some((
            json!({ "percentageDiscount": { "name": "618 大促", "percent": 10 } }),
            subtotal / 10,
        )),
        5 => Some((
            json!({ "thresholdReduction": {
                "name": "满减", "threshold": subtotal.min(19_900), "reduction": 2_000 } }),
            2_000.min(subtotal),
        )),
        _ => None,
    };
    let channel = CHANNELS[i % CHANNELS.len()];
    // Waybill prices its own web shop; every other channel states its amounts.
    let (promotions, channel_promotions) = match promotion {
        None => (json!([]), json!([])),
        Some((p, _)) if channel == "OWN_WEB_SHOP" => (json!([p]), json!([])),
        Some((p, off)) => (
            json!([]),
            json!([{ "promotion": p, "amountOff": off.to_string() }]),
        ),
    };
    let delivery = match i % 10 {
        7 => json!({ "mode": "SELF_PICKUP", "pickupPoint": format!("菜鸟驿站 {}", i % 40) }),
        9 => {
            let start = chrono::Utc::now() + chrono::Duration::days(1);
            let end = start + chrono::Duration::hours(2);
            json!({ "mode": "SCHEDULED", "windowStart": start.to_rfc3339(), "windowEnd": end.to_rfc3339() })
        }
        _ => json!({ "mode": "EXPRESS" }),
    };
    let (province, city, district) = PLACES[i % PLACES.len()];
    json!({
        "channel": channel,
        "externalNumber": format!("BENCH-{prefix}-{i:07}"),
        "customerId": format!("bench-cust-{}", i % 997),
        "currency": "CNY",
        "lines": lines.iter().map(|&(c, q)| json!({
            "sku": CATALOGUE[c].0, "name": CATALOGUE[c].1, "quantity": q, "unitPrice": CATALOGUE[c].2,
        })).collect::<Vec<_>>(),
        "shippingAddress": {
            "recipient": "张三", "phone": "+86 138 0000 0000", "country": "CN",
            "province": province, "city": city, "district": district,
            "street": format!("文三路 {} 号", 1 + i % 300), "postalCode": "310000",
            "coordinates": i.is_multiple_of(2).then(|| json!({ "lat": 30.27, "lon": 120.15 })),
        },
        "delivery": delivery,
        "promotions": promotions,
        "channelPromotions": channel_promotions,
        "shippingFee": if subtotal >= 9_900 { 0 } else { 800 },
    })
}
