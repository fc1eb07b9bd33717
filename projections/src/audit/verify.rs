//! Recomputes both chains and reports where the log differs from what was written.

use std::collections::{HashMap, HashSet};

use super::chain::{commit_order, event_hash, rows, AuditRow, ZERO_HASH};
use super::seal::{link, stored, SealCheckpoint};
use crate::db::{Db, DbError};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// The event's content no longer matches its hash.
    Altered,
    /// An event that was written is gone.
    Deleted,
    /// An event appears that was not written where it stands.
    Inserted,
    /// Events are in a different order than written.
    Reordered,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    /// Global position of the event concerned (for a deleted event: where it was).
    pub position: i64,
    pub stream_type: Option<String>,
    pub stream_id: Option<String>,
    pub sequence: Option<i64>,
    pub detail: String,
}

impl Finding {
    fn at(kind: FindingKind, row: &AuditRow, detail: String) -> Finding {
        Finding {
            kind,
            position: row.position,
            stream_type: Some(row.aggregate_type.clone()),
            stream_id: Some(row.aggregate_id.clone()),
            sequence: Some(row.sequence),
            detail,
        }
    }
}

/// Every finding, first (lowest position) first. Empty means both chains hold.
pub async fn verify(db: &Db) -> Result<Vec<Finding>, DbError> {
    let mut findings = verify_streams(&rows(db, "aggregate_type, aggregate_id, sequence").await?);
    findings.extend(verify_seal(
        &rows(db, commit_order(db)).await?,
        &stored(db).await?,
    ));
    // Stable: for one position the per-stream finding (more precise) stays first.
    findings.sort_by_key(|f| f.position);
    findings.dedup_by_key(|f| f.position);
    Ok(findings)
}

/// Proves the log up to an exported checkpoint is unchanged: recomputes the global chain over
/// the first `checkpoint.ordinal` events in commit order. `None` means it matches.
pub async fn verify_against(
    db: &Db,
    checkpoint: &SealCheckpoint,
) -> Result<Option<Finding>, DbError> {
    let log = rows(db, commit_order(db)).await?;
    let mut chain = ZERO_HASH.to_string();
    let mut last = 0;
    for row in log
        .iter()
        .take(usize::try_from(checkpoint.ordinal).unwrap_or(0))
    {
        chain = link(
            &chain,
            row.position,
            &event_hash(row.prev_hash.as_deref().unwrap_or(ZERO_HASH), row),
        );
        last = row.position;
    }
    if log.len() as i64 >= checkpoint.ordinal
        && chain == checkpoint.chain_hash
        && last == checkpoint.position
    {
        return Ok(None);
    }
    // Locate the first divergence with the full check; fall back to the checkpoint itself.
    let first = verify(db)
        .await?
        .into_iter()
        .find(|f| f.position <= checkpoint.position);
    Ok(Some(first.unwrap_or(Finding {
        kind: FindingKind::Altered,
        position: checkpoint.position,
        stream_type: None,
        stream_id: None,
        sequence: None,
        detail: format!(
            "the log up to ordinal {} no longer hashes to {}",
            checkpoint.ordinal, checkpoint.chain_hash
        ),
    })))
}

/// Walks each stream in sequence order, recomputing each link.
fn verify_streams(rows: &[AuditRow]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut start = 0;
    while start < rows.len() {
        let key = (&rows[start].aggregate_type, &rows[start].aggregate_id);
        let end = rows[start..]
            .iter()
            .position(|r| (&r.aggregate_type, &r.aggregate_id) != key)
            .map_or(rows.len(), |n| start + n);
        findings.extend(verify_stream(&rows[start..end]));
        start = end;
    }
    findings
}

fn verify_stream(stream: &[AuditRow]) -> Vec<Finding> {
    let mut findings: Vec<Finding> = Vec::new();
    let hashes: Vec<&str> = stream
        .iter()
        .map(|r| r.hash.as_deref().unwrap_or(""))
        .collect();
    let mut expected_sequence = 1;
    for (i, row) in stream.iter().enumerate() {
        let prev_stored = row.prev_hash.as_deref().unwrap_or(ZERO_HASH);
        if row.hash.as_deref() != Some(event_hash(prev_stored, row).as_str()) {
            findings.push(Finding::at(
                FindingKind::Altered,
                row,
                "content does not match its hash".into(),
            ));
        }
        let prev_actual = if i == 0 { ZERO_HASH } else { hashes[i - 1] };
        if row.sequence != expected_sequence {
            findings.push(Finding::at(
                FindingKind::Deleted,
                row,
                format!(
                    "sequence {expected_sequence} to {} missing before this event",
                    row.sequence - 1
                ),
            ));
        } else if prev_stored != prev_actual {
            if hashes[i + 1..].contains(&prev_stored) {
                findings.push(Finding::at(
                    FindingKind::Reordered,
                    row,
                    "written after an event that now follows it".into(),
                ));
            } else if i >= 1 && prev_stored == (if i >= 2 { hashes[i - 2] } else { ZERO_HASH }) {
                findings.push(Finding::at(
                    FindingKind::Inserted,
                    &stream[i - 1],
                    "not in the chain: the next event was written right after its predecessor"
                        .into(),
                ));
            } else {
                findings.push(Finding::at(
                    FindingKind::Deleted,
                    row,
                    "the event written before this one is gone".into(),
                ));
            }
        }
        expected_sequence = row.sequence + 1;
    }
    // One tampering breaks two links (before and after the event); report each event once,
    // as the first finding that named it.
    let mut seen = HashSet::new();
    findings.retain(|f| seen.insert(f.position));
    findings
}

/// Compares the sealed sequence with the log in commit order, and the seal with itself.
fn verify_seal(log: &[AuditRow], sealed: &[(i64, i64, String, String)]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut chain = ZERO_HASH.to_string();
    for (ordinal, position, hash, stored_chain) in sealed {
        chain = link(&chain, *position, hash);
        if &chain != stored_chain {
            findings.push(Finding {
                kind: FindingKind::Altered,
                position: *position,
                stream_type: None,
                stream_id: None,
                sequence: None,
                detail: format!("the audit seal itself was edited at ordinal {ordinal}"),
            });
            break;
        }
    }
    let in_log: HashSet<i64> = log.iter().map(|r| r.position).collect();
    let in_seal: HashSet<i64> = sealed.iter().map(|s| s.1).collect();
    let by_position: HashMap<i64, &AuditRow> = log.iter().map(|r| (r.position, r)).collect();
    for (i, (_, position, hash, _)) in sealed.iter().enumerate() {
        let Some(row) = log.get(i) else {
            findings.push(sealed_gone(*position));
            break;
        };
        if row.position == *position {
            if row.hash.as_deref() != Some(hash.as_str()) {
                findings.push(Finding::at(
                    FindingKind::Altered,
                    row,
                    "hash differs from the sealed one".into(),
                ));
            }
            continue;
        }
        findings.push(if !in_log.contains(position) {
            sealed_gone(*position)
        } else if !in_seal.contains(&row.position) {
            Finding::at(
                FindingKind::Inserted,
                row,
                "appears in the sealed part of the log but was never sealed".into(),
            )
        } else {
            let moved = by_position.get(position).copied().unwrap_or(row);
            Finding::at(
                FindingKind::Reordered,
                moved,
                "no longer where the seal put it in commit order".into(),
            )
        });
        break;
    }
    findings
}

fn sealed_gone(position: i64) -> Finding {
    Finding {
        kind: FindingKind::Deleted,
        position,
        stream_type: None,
        stream_id: None,
        sequence: None,
        detail: "a sealed event is missing from the log".into(),
    }
}
