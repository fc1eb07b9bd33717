//! Tamper evidence: rows edited, deleted, reordered and inserted directly in SQL are each
//! detected, with the kind and position of the first bad event; exports re-import to the same
//! chain; an exported checkpoint proves the log up to it.

use waybill_domain::order::OrderCommand;
use waybill_projections::audit::{self, FindingKind};
use waybill_projections::{with_db, Db, RunnerOptions};
use waybill_tests::{Backend, Direct};

/// Three orders with three events each, all sealed.
async fn setup(backend: Backend, test: &str) -> Option<(Direct, Vec<String>)> {
    let d = Direct::create(backend, test, RunnerOptions::default()).await?;
    let ctx = d.context();
    let mut ids = Vec::new();
    for i in 0..3 {
        let id = d.place(&format!("AUDIT-{i}")).await;
        for (n, amount) in [(1, 100), (2, 200)] {
            let capture = OrderCommand::CapturePayment {
                method: "alipay".into(),
                reference: format!("R{i}-{n}"),
                amount_minor: amount,
            };
            d.services
                .order_command(&ctx, &id, capture, &Default::default())
                .await
                .map_err(|e| e.message)
                .unwrap();
        }
        ids.push(id);
    }
    d.runner.run_all_to_head().await.unwrap();
    assert_eq!(
        audit::verify(d.db()).await.unwrap(),
        vec![],
        "an untouched log verifies clean"
    );
    Some((d, ids))
}

async fn exec(db: &Db, sql: &str, id: &str) {
    with_db!(db, pool => {
        sqlx::query(sql).bind(id).execute(pool).await.unwrap();
    });
}

async fn position_of(db: &Db, id: &str, sequence: i64) -> i64 {
    with_db!(db, read pool => sqlx::query_scalar("SELECT global_position FROM events WHERE aggregate_id = $1 AND sequence = $2")
        .bind(id).bind(sequence).fetch_one(pool).await.unwrap())
}

async fn first_finding(db: &Db) -> audit::Finding {
    audit::verify(db)
        .await
        .unwrap()
        .into_iter()
        .next()
        .expect("tampering must be detected")
}

async fn an_edited_payload_is_reported(backend: Backend) {
    let Some((d, ids)) = setup(backend, "an_edited_payload_is_reported").await else {
        return;
    };
    let at = position_of(d.db(), &ids[1], 2).await;
    let sql = match backend {
        Backend::Postgres => "UPDATE events SET payload = replace(payload::text, '100', '1')::json WHERE aggregate_id = $1 AND sequence = 2",
        Backend::Sqlite => "UPDATE events SET payload = replace(payload, '100', '1') WHERE aggregate_id = $1 AND sequence = 2",
    };
    exec(d.db(), sql, &ids[1]).await;
    let f = first_finding(d.db()).await;
    assert_eq!(
        (f.kind, f.position, f.sequence),
        (FindingKind::Altered, at, Some(2)),
        "{f:?}"
    );
    d.cleanup().await;
}

async fn an_edited_time_or_actor_is_reported(backend: Backend) {
    let Some((d, ids)) = setup(backend, "an_edited_time_or_actor_is_reported").await else {
        return;
    };
    let at = position_of(d.db(), &ids[0], 3).await;
    let sql = match backend {
        Backend::Postgres => "UPDATE events SET metadata = replace(metadata::text, 'admin', 'auditor')::json WHERE aggregate_id = $1 AND sequence = 3",
        Backend::Sqlite => "UPDATE events SET metadata = replace(metadata, 'admin', 'auditor') WHERE aggregate_id = $1 AND sequence = 3",
    };
    exec(d.db(), sql, &ids[0]).await;
    let f = first_finding(d.db()).await;
    assert_eq!((f.kind, f.position), (FindingKind::Altered, at), "{f:?}");
    d.cleanup().await;
}

async fn a_deleted_event_is_reported(backend: Backend) {
    let Some((d, ids)) = setup(backend, "a_deleted_event_is_reported").await else {
        return;
    };
    let deleted = position_of(d.db(), &ids[2], 2).await;
    exec(
        d.db(),
        "DELETE FROM events WHERE aggregate_id = $1 AND sequence = 2",
        &ids[2],
    )
    .await;
    let f = first_finding(d.db()).await;
    assert_eq!(
        (f.kind, f.position),
        (FindingKind::Deleted, deleted),
        "{f:?}"
    );
    d.cleanup().await;
}

/// A stream's last event leaves no gap in its own chain: the global seal catches it.
async fn a_deleted_stream_tail_is_reported(backend: Backend) {
    let Some((d, ids)) = setup(backend, "a_deleted_stream_tail_is_reported").await else {
        return;
    };
    let deleted = position_of(d.db(), &ids[0], 3).await;
    exec(
        d.db(),
        "DELETE FROM events WHERE aggregate_id = $1 AND sequence = 3",
        &ids[0],
    )
    .await;
    let f = first_finding(d.db()).await;
    assert_eq!(
        (f.kind, f.position),
        (FindingKind::Deleted, deleted),
        "{f:?}"
    );
    d.cleanup().await;
}

async fn reordered_events_are_reported(backend: Backend) {
    let Some((d, ids)) = setup(backend, "reordered_events_are_reported").await else {
        return;
    };
    let second = position_of(d.db(), &ids[1], 2).await;
    let third = position_of(d.db(), &ids[1], 3).await;
    // Swap sequences 2 and 3 through a free number (the primary key forbids a direct swap).
    for sql in [
        "UPDATE events SET sequence = 99 WHERE aggregate_id = $1 AND sequence = 2",
        "UPDATE events SET sequence = 2 WHERE aggregate_id = $1 AND sequence = 3",
        "UPDATE events SET sequence = 3 WHERE aggregate_id = $1 AND sequence = 99",
    ] {
        exec(d.db(), sql, &ids[1]).await;
    }
    let f = first_finding(d.db()).await;
    assert_eq!(f.kind, FindingKind::Reordered, "{f:?}");
    assert!(f.position == second || f.position == third, "{f:?}");
    d.cleanup().await;
}

async fn an_inserted_event_is_reported(backend: Backend) {
    let Some((d, ids)) = setup(backend, "an_inserted_event_is_reported").await else {
        return;
    };
    // Make room at sequence 2 and forge a capture there; the trigger even gives it a valid
    // link to sequence 1 — but the old sequence 2 still points past it.
    for sql in [
        "UPDATE events SET sequence = sequence + 10 WHERE aggregate_id = $1 AND sequence >= 2",
        "UPDATE events SET sequence = sequence - 9 WHERE aggregate_id = $1 AND sequence >= 12",
    ] {
        exec(d.db(), sql, &ids[2]).await;
    }
    let insert = match backend {
        Backend::Postgres => "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) SELECT aggregate_type, aggregate_id, 2, event_type, event_version, payload, metadata FROM events WHERE aggregate_id = $1 AND sequence = 3",
        Backend::Sqlite => "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) SELECT aggregate_type, aggregate_id, 2, event_type, event_version, payload, metadata FROM events WHERE aggregate_id = $1 AND sequence = 3",
    };
    exec(d.db(), insert, &ids[2]).await;
    let forged = position_of(d.db(), &ids[2], 2).await;
    let findings = audit::verify(d.db()).await.unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f.kind == FindingKind::Inserted && f.position == forged),
        "the forged event must be reported as inserted: {findings:?}"
    );
    d.cleanup().await;
}

async fn export_then_import_reproduces_the_chain(backend: Backend) {
    let Some((d, _)) = setup(backend, "export_then_import_reproduces_the_chain").await else {
        return;
    };
    let checkpoint = audit::seal_checkpoint(d.db()).await.unwrap().unwrap();
    assert_eq!(checkpoint.ordinal, 9);
    let mut exported = Vec::new();
    let n = audit::export(d.db(), &Default::default(), &|_| {}, &mut exported)
        .await
        .unwrap();
    assert_eq!(n, 9);
    // Into a fresh store of each kind: the same hashes, and the same seal once sealed.
    for target in [Backend::Sqlite, Backend::Postgres] {
        let Some(other) = Direct::create(target, "import target", RunnerOptions::default()).await
        else {
            continue;
        };
        let imported = audit::import(other.db(), &mut exported.as_slice())
            .await
            .unwrap();
        assert_eq!(imported, 9);
        other.runner.run_all_to_head().await.unwrap();
        assert_eq!(
            audit::seal_checkpoint(other.db())
                .await
                .unwrap()
                .unwrap()
                .chain_hash,
            checkpoint.chain_hash
        );
        assert_eq!(
            audit::verify_against(other.db(), &checkpoint)
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            audit::import(other.db(), &mut exported.as_slice())
                .await
                .err()
                .map(|_| ()),
            Some(()),
            "import needs an empty store"
        );
        other.cleanup().await;
    }
    // A filtered export.
    let mut one_stream = Vec::new();
    let first_id = String::from_utf8(exported.clone())
        .unwrap()
        .lines()
        .next()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["aggregate_id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .unwrap();
    let filter = audit::ExportFilter {
        stream_id: Some(first_id),
        ..Default::default()
    };
    assert_eq!(
        audit::export(d.db(), &filter, &|_| {}, &mut one_stream)
            .await
            .unwrap(),
        3
    );
    d.cleanup().await;
}

async fn a_checkpoint_proves_the_log_unchanged(backend: Backend) {
    let Some((d, ids)) = setup(backend, "a_checkpoint_proves_the_log_unchanged").await else {
        return;
    };
    let checkpoint = audit::seal_checkpoint(d.db()).await.unwrap().unwrap();
    // More events later do not disturb the proof of the earlier part.
    d.place("AUDIT-LATER").await;
    d.runner.run_all_to_head().await.unwrap();
    assert_eq!(
        audit::verify_against(d.db(), &checkpoint).await.unwrap(),
        None
    );
    exec(
        d.db(),
        "DELETE FROM events WHERE aggregate_id = $1 AND sequence = 3",
        &ids[1],
    )
    .await;
    let f = audit::verify_against(d.db(), &checkpoint)
        .await
        .unwrap()
        .expect("the proof must fail");
    assert_eq!(f.kind, FindingKind::Deleted);
    d.cleanup().await;
}

macro_rules! both {
    ($($name:ident),+) => {
        $(mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() { super::$name(super::Backend::Sqlite).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() { super::$name(super::Backend::Postgres).await }
        })+
    };
}

both!(
    an_edited_payload_is_reported,
    an_edited_time_or_actor_is_reported,
    a_deleted_event_is_reported,
    a_deleted_stream_tail_is_reported,
    reordered_events_are_reported,
    an_inserted_event_is_reported,
    export_then_import_reproduces_the_chain,
    a_checkpoint_proves_the_log_unchanged
);
