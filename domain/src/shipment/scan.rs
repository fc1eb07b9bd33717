//! Deciding `RecordScan`: dedupe the checkpoint, check its details, and
//! decide whether it moves the shipment or is kept as history only.
//!
//! Carrier webhooks are not reliably idempotent (some resend the whole
//! checkpoint list on every update), so every checkpoint gets a key and a
//! key seen before is refused with `DuplicateScan`, which the API turns into
//! an idempotent success.

use crate::shipment::commands::RecordScan;
use crate::shipment::error::ShipmentError;
use crate::shipment::events::{ScanRecorded, ShipmentEvent};
use crate::shipment::state::ShipmentState;
use crate::shipment::values::{Carrier, ScanDetails, ScanStatus, TrackingNumber};
use crate::validation::{long_text, short_text, ValidationError};

/// The dedupe key of a checkpoint.
///
/// - With a carrier event id: `id:<carrier_event_id>`. The carrier's id is
///   authoritative, even if the resent payload differs in detail.
/// - Without: `fnv:<16 hex digits>`, the 64-bit FNV-1a hash of carrier
///   code, tracking number (empty when none), `occurred_at` (seconds and
///   nanoseconds, little-endian), status code and trimmed location (empty
///   when none). Text fields are length-prefixed (u64, little-endian) so
///   no two field lists encode to the same bytes.
///
/// The prefixes keep a carrier id that happens to look like a hash from
/// colliding with one. FNV-1a is not collision resistant, which is fine: it
/// only has to tell apart the few dozen checkpoints of one shipment, and a
/// caller wanting a second record can simply send a different event id. It
/// needs no dependency and is short enough to audit.
pub fn checkpoint_key(
    carrier: Carrier,
    tracking_number: Option<&TrackingNumber>,
    scan: &RecordScan,
) -> String {
    if let Some(id) = &scan.carrier_event_id {
        return format!("id:{id}");
    }
    let mut hash = Fnv1a::new();
    hash.field(carrier.code());
    hash.field(tracking_number.map_or("", TrackingNumber::as_str));
    hash.write(&scan.occurred_at.timestamp().to_le_bytes());
    hash.write(&scan.occurred_at.timestamp_subsec_nanos().to_le_bytes());
    hash.field(scan.status.code());
    hash.field(scan.location.as_deref().map_or("", str::trim));
    format!("fnv:{:016x}", hash.finish())
}

/// 64-bit FNV-1a (Fowler–Noll–Vo), as specified at
/// <http://www.isthe.com/chongo/tech/comp/fnv/>.
pub(crate) struct Fnv1a(u64);

impl Fnv1a {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;

    pub(crate) const fn new() -> Self {
        Self(Self::OFFSET_BASIS)
    }

    pub(crate) fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(Self::PRIME);
        }
    }

    fn field(&mut self, text: &str) {
        // usize → u64 never truncates on supported targets; saturate anyway.
        let len = u64::try_from(text.len()).unwrap_or(u64::MAX);
        self.write(&len.to_le_bytes());
        self.write(text.as_bytes());
    }

    pub(crate) const fn finish(&self) -> u64 {
        self.0
    }
}

pub(super) fn record_scan(
    state: &ShipmentState,
    scan: RecordScan,
) -> Result<ShipmentEvent, ShipmentError> {
    check_scan(&scan)?;
    let checkpoint_key = checkpoint_key(state.carrier, state.tracking_number.as_ref(), &scan);
    if state.has_seen(&checkpoint_key) {
        return Err(ShipmentError::DuplicateScan { checkpoint_key });
    }
    let target = scan.status.shipment_status();
    // Equal times are in order: carriers often stamp several checkpoints
    // with the same minute, and the rank check still guards direction.
    let in_order = state
        .latest_checkpoint_at
        .is_none_or(|latest| scan.occurred_at >= latest);
    let applied = !state.status.is_terminal() && in_order && target.may_follow(state.progress);
    Ok(ShipmentEvent::ScanRecorded(ScanRecorded {
        checkpoint_key,
        carrier_event_id: scan.carrier_event_id,
        carrier: state.carrier,
        tracking_number: state.tracking_number.clone(),
        status: scan.status,
        location: scan.location,
        coordinates: scan.coordinates,
        occurred_at: scan.occurred_at,
        details: scan.details,
        applied,
        shipment_status: if applied { target } else { state.status },
    }))
}

fn check_scan(scan: &RecordScan) -> Result<(), ShipmentError> {
    if let Some(id) = &scan.carrier_event_id {
        short_text("carrier_event_id", id)?;
    }
    if let Some(location) = &scan.location {
        short_text("location", location)?;
    }
    let Some(details) = &scan.details else {
        // Exceptions drive alerts and claims; without a kind nobody can act.
        if scan.status == ScanStatus::Exception {
            return Err(ShipmentError::MissingExceptionKind);
        }
        return Ok(());
    };
    if details.status() != scan.status {
        return Err(ShipmentError::DetailsMismatch {
            status: scan.status,
            details: details.code(),
        });
    }
    match details {
        ScanDetails::AttemptFailed {
            reason,
            next_attempt_at,
        } => {
            if let Some(reason) = reason {
                long_text("reason", reason)?;
            }
            if next_attempt_at.is_some_and(|next| next <= scan.occurred_at) {
                return Err(ValidationError::EmptyWindow {
                    field: "next_attempt_at",
                }
                .into());
            }
        }
        ScanDetails::Exception { note, .. } => {
            if let Some(note) = note {
                long_text("note", note)?;
            }
        }
        // The proof type validated itself when it was built.
        ScanDetails::Delivered { .. } => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Fnv1a;

    fn fnv(bytes: &[u8]) -> u64 {
        let mut hash = Fnv1a::new();
        hash.write(bytes);
        hash.finish()
    }

    #[test]
    fn fnv1a_matches_the_published_test_vectors() {
        assert_eq!(fnv(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
