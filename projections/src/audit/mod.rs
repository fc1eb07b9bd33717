//! Tamper evidence over the event log.
//!
//! Two chains, for two kinds of tampering:
//! - **per stream, at write time** (a trigger, see migrations `0003_hash_chain.sql`):
//!   `hash = sha256(prev_hash | canonical(event))`. Writers to one stream are already
//!   serialised by the primary key, so this costs no extra contention. It catches an edited
//!   event, a deleted or inserted event inside a stream, and a reordering.
//! - **global, in commit order** (the `audit_chain` projection, right behind the visibility
//!   fence): `chain = sha256(prev_chain | position | hash)`. A chain over the whole log at write
//!   time would serialise every writer in the cluster; sealing behind the fence costs nothing on
//!   the write path. It catches what a per-stream chain cannot see: a deleted stream tail or a
//!   whole deleted stream, and reordering across streams. Its head, exported as a
//!   [`SealCheckpoint`], lets an auditor prove later that the log up to that point is unchanged.

mod chain;
mod export;
mod seal;
mod verify;

pub use chain::{canonical, event_hash, AuditRow, ZERO_HASH};
pub use export::{export, import, ExportFilter, ExportedEvent, ImportError};
pub use seal::{seal_checkpoint, AuditChainProjection, SealCheckpoint, NAME as SEAL_NAME};
pub use verify::{verify, verify_against, Finding, FindingKind};
