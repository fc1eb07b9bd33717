//! The `waybill` binary as operators use it: schema, keys, first start, crash recovery.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::Arc;

use waybill_api::auth::{Principal, Role};
use waybill_api::commands::context::RequestContext;
use waybill_domain::order::sample::sample_place_order_for;
use waybill_domain::order::OrderCommand;
use waybill_domain::{ExternalOrderNumber, SalesChannel};
use waybill_projections::testing::{Backend, TestDb};
use waybill_projections::{checkpoint, log, orders, RunnerOptions};

mod common;

use common::{store_args, waybill};

/// The SDL is part of the contract with integrators: any change must be deliberate.
/// Run with UPDATE_SCHEMA=1 to accept a change.
#[test]
fn schema_matches_the_committed_snapshot() {
    let out = waybill().arg("schema").output().unwrap();
    assert!(out.status.success());
    let sdl = String::from_utf8(out.stdout).unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    if std::env::var("UPDATE_SCHEMA").is_ok() {
        std::fs::write(&path, &sdl).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(committed == sdl, "the GraphQL schema changed; review it and rerun with UPDATE_SCHEMA=1 to update api/schema.graphql");
}

#[tokio::test]
async fn keys_are_created_listed_and_revoked_from_the_cli() {
    let db = TestDb::create(Backend::Sqlite, "cli keys").await.unwrap();
    let args = store_args(&db);
    let out = waybill()
        .args(&args)
        .args(["keys", "create", "--role", "integrator", "--label", "erp"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(token.starts_with("wbk_"));
    let key_id = token.split('_').nth(1).unwrap().to_string();
    let list = String::from_utf8(
        waybill()
            .args(&args)
            .args(["keys", "list"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(list.contains(&key_id) && list.contains("integrator") && list.contains("active"));
    assert!(!list.contains(&token), "secrets are never listed");
    assert!(waybill()
        .args(&args)
        .args(["keys", "revoke", &key_id])
        .status()
        .unwrap()
        .success());
    let list = String::from_utf8(
        waybill()
            .args(&args)
            .args(["keys", "list"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(list.contains("revoked"));
    assert!(!waybill()
        .args(&args)
        .args(["keys", "create", "--role", "root"])
        .output()
        .unwrap()
        .status
        .success());
    assert!(!waybill()
        .args(&args)
        .args(["keys", "revoke", "unknown"])
        .output()
        .unwrap()
        .status
        .success());
    db.cleanup().await;
}

/// Reads the server's stdout until it says it is listening; returns what it printed.
fn start_serving(data_dir: &str) -> (std::process::Child, String) {
    let mut child = waybill()
        .args(["--data-dir", data_dir, "serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut printed = String::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        printed.push_str(&line);
        printed.push('\n');
        if line.contains("listening on") {
            break;
        }
    }
    (child, printed)
}

#[test]
fn the_first_start_of_an_empty_embedded_store_prints_an_admin_key_once() {
    let dir = std::env::temp_dir().join(format!(
        "waybill-first-start-{}",
        uuid::Uuid::new_v4().simple()
    ));
    let dir = dir.display().to_string();
    let (mut first, printed) = start_serving(&dir);
    first.kill().unwrap();
    first.wait().unwrap();
    assert!(
        printed.contains("wbk_"),
        "first start must print the admin key: {printed}"
    );
    let (mut second, printed) = start_serving(&dir);
    second.kill().unwrap();
    second.wait().unwrap();
    assert!(
        !printed.contains("wbk_"),
        "the key is printed once only: {printed}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// (b) Killing the runner mid-batch and restarting gives exactly the read model that a
/// from-scratch rebuild gives.
///
/// 1. 120 orders and 120 captures are written (240 events).
/// 2. `waybill projections run --once --batch-size 50` runs in a child process with a fault
///    that aborts it after 120 events: two batches (100 events) commit, the third has
///    written its read-model rows but not its checkpoint when the process dies.
/// 3. The checkpoint shows the two committed batches and nothing of the third.
/// 4. A clean restart runs to the head.
/// 5. Verification rebuilds the projection from the log into scratch tables and finds no
///    difference from the live read model.
async fn killed_mid_batch_then_restarted_equals_rebuild(backend: Backend) {
    let Some(db) = TestDb::create(backend, "killed_mid_batch_then_restarted_equals_rebuild").await
    else {
        return;
    };
    let runner = Arc::new(waybill_api::startup::runner(
        &db.db,
        RunnerOptions::default(),
    ));
    runner.ensure_tables().await.unwrap();
    let services = waybill_api::startup::services(db.db.clone(), runner.clone());
    let ctx = RequestContext::new(
        Principal {
            key_id: "test".into(),
            role: Role::Admin,
        },
        None,
        None,
    );
    for i in 0..120 {
        let place = sample_place_order_for(
            SalesChannel::Pinduoduo,
            ExternalOrderNumber::parse(&format!("CRASH-{i}")).unwrap(),
        );
        let id = services
            .place_order(&ctx, place, &Default::default())
            .await
            .unwrap()
            .stream_id;
        let capture = OrderCommand::CapturePayment {
            method: "alipay".into(),
            reference: format!("C{i}"),
            amount_minor: 100,
        };
        services
            .order_command(&ctx, &id, capture, &Default::default())
            .await
            .unwrap();
    }
    let args = store_args(&db);
    let crashed = waybill()
        .args(&args)
        .args(["projections", "run", "--once", "--batch-size", "50"])
        .env("WAYBILL_FAULT_CRASH_AFTER_EVENTS", "120")
        .output()
        .unwrap();
    let crash_log = String::from_utf8_lossy(&crashed.stderr);
    assert!(
        !crashed.status.success(),
        "the fault must kill the runner: {crash_log}"
    );
    let after_crash = checkpoint::read(&db.db, orders::NAME).await.unwrap();
    assert_eq!(
        after_crash.position, 100,
        "exactly the two committed batches survive: {crash_log}"
    );

    let restarted = waybill()
        .args(&args)
        .args(["projections", "run", "--once", "--batch-size", "50"])
        .output()
        .unwrap();
    assert!(
        restarted.status.success(),
        "{}",
        String::from_utf8_lossy(&restarted.stderr)
    );
    assert_eq!(
        checkpoint::read(&db.db, orders::NAME)
            .await
            .unwrap()
            .position,
        log::head_position(&db.db).await.unwrap()
    );
    assert_eq!(runner.verify(orders::NAME).await.unwrap(), vec![]);
    let page = orders::list(&db.db, &Default::default(), 100, None)
        .await
        .unwrap();
    assert!(
        page.has_next
            && page
                .orders
                .iter()
                .all(|o| o.captured_minor == 100 && o.version == 2)
    );

    let out = waybill()
        .args(&args)
        .args(["projections", "verify"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("orders: ok"));
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_batch_then_restarted_equals_rebuild_postgres() {
    killed_mid_batch_then_restarted_equals_rebuild(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_batch_then_restarted_equals_rebuild_sqlite() {
    killed_mid_batch_then_restarted_equals_rebuild(Backend::Sqlite).await;
}

/// `waybill audit` and `waybill export`/`import` as an auditor runs them.
async fn audit_export_import_from_the_cli(backend: Backend) {
    let Some(db) = TestDb::create(backend, "audit_export_import_from_the_cli").await else {
        return;
    };
    let runner = Arc::new(waybill_api::startup::runner(
        &db.db,
        RunnerOptions::default(),
    ));
    runner.ensure_tables().await.unwrap();
    let services = waybill_api::startup::services(db.db.clone(), runner.clone());
    let ctx = RequestContext::new(
        Principal {
            key_id: "test".into(),
            role: Role::Admin,
        },
        None,
        None,
    );
    for i in 0..4 {
        let place = sample_place_order_for(
            SalesChannel::Douyin,
            ExternalOrderNumber::parse(&format!("AUD-CLI-{i}")).unwrap(),
        );
        services
            .place_order(&ctx, place, &Default::default())
            .await
            .unwrap();
    }
    let args = store_args(&db);
    let out = waybill()
        .args(&args)
        .args(["audit", "checkpoint"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let checkpoint = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(checkpoint.contains("\"ordinal\":4"), "{checkpoint}");
    let verified = waybill()
        .args(&args)
        .args(["audit", "verify", "--checkpoint", &checkpoint])
        .output()
        .unwrap();
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );
    assert!(String::from_utf8_lossy(&verified.stdout).contains("intact"));

    let file = std::env::temp_dir().join(format!(
        "waybill-export-{}.jsonl",
        uuid::Uuid::new_v4().simple()
    ));
    // By default the export is masked as an auditor sees it; it checks, but cannot import.
    let masked = waybill()
        .args(&args)
        .args(["export", "--output"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(masked.status.success());
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.lines().count(), 4);
    assert!(
        !text.contains("Li Wei") && !text.contains("1 Longjing Road") && text.contains("L* W**"),
        "{text}"
    );
    let target = TestDb::create(Backend::Sqlite, "masked import target")
        .await
        .unwrap();
    let refused = waybill()
        .args(store_args(&target))
        .arg("import")
        .arg(&file)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--clear-pii"));
    target.cleanup().await;

    let exported = waybill()
        .args(&args)
        .args(["export", "--clear-pii", "--output"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(exported.status.success());
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.lines().count(), 4);
    assert!(text.contains("Li Wei"));
    let target = TestDb::create(Backend::Sqlite, "import target")
        .await
        .unwrap();
    let target_args = store_args(&target);
    let imported = waybill()
        .args(&target_args)
        .arg("import")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    let proof = waybill()
        .args(&target_args)
        .args(["audit", "verify", "--checkpoint", &checkpoint])
        .output()
        .unwrap();
    assert!(
        proof.status.success(),
        "the import reproduces the chain: {}",
        String::from_utf8_lossy(&proof.stdout)
    );

    // An operator's mistakes end with their reason and a failure status, never "internal".
    let import_fails_with = |target_args: &[String], file: &std::path::Path, expected: &str| {
        let out = waybill()
            .args(target_args)
            .arg("import")
            .arg(file)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(!out.status.success(), "{stderr}");
        assert!(
            stderr.contains(expected),
            "expected {expected:?} in {stderr}"
        );
        assert!(!stderr.contains("internal error"), "{stderr}");
        assert!(!stderr.contains("sqlx"), "no database chatter: {stderr}");
    };
    import_fails_with(
        &target_args,
        &file,
        "needs an empty store; this one holds 4 events",
    );
    let edited = file.with_extension("edited.jsonl");
    std::fs::write(&edited, text.replacen("Li Wei", "Li Wu", 1)).unwrap();
    let fresh = TestDb::create(Backend::Sqlite, "edited import target")
        .await
        .unwrap();
    import_fails_with(&store_args(&fresh), &edited, "the file was altered");
    let first_line = text.lines().next().unwrap();
    std::fs::write(&edited, format!("{first_line}\n{first_line}\n")).unwrap();
    import_fails_with(&store_args(&fresh), &edited, "line 2: event");
    std::fs::write(&edited, "{\"not\": \"an event\"}\n").unwrap();
    import_fails_with(
        &store_args(&fresh),
        &edited,
        "line 1: not an exported event",
    );
    let _ = std::fs::remove_file(&edited);
    fresh.cleanup().await;

    waybill_projections::with_db!(&db.db, pool => {
        sqlx::query("UPDATE events SET event_type = 'OrderCancelled' WHERE global_position = 2").execute(pool).await.unwrap();
    });
    let tampered = waybill()
        .args(&args)
        .args(["audit", "verify", "--checkpoint", &checkpoint])
        .output()
        .unwrap();
    assert!(!tampered.status.success());
    let report = String::from_utf8_lossy(&tampered.stdout);
    assert!(
        report.contains("Altered at position 2") && report.contains("does NOT hold"),
        "{report}"
    );
    let _ = std::fs::remove_file(file);
    target.cleanup().await;
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_export_import_from_the_cli_sqlite() {
    audit_export_import_from_the_cli(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_export_import_from_the_cli_postgres() {
    audit_export_import_from_the_cli(Backend::Postgres).await;
}
