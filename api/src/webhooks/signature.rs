//! Carrier webhook signatures: HMAC-SHA256 over `"{timestamp}.{raw body}"` with the carrier's
//! secret, sent as `X-Waybill-Signature: sha256=<hex>` with `X-Waybill-Timestamp: <unix secs>`.
//! The timestamp is inside the signed text so a captured request cannot be replayed later
//! with a fresh timestamp.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far a request's timestamp may be from our clock.
pub const TOLERANCE_SECS: i64 = 300;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("missing X-Waybill-Timestamp or X-Waybill-Signature header")]
    Missing,
    #[error("X-Waybill-Timestamp is not a unix time in seconds")]
    BadTimestamp,
    #[error("timestamp is {0} s away from the server clock (at most {TOLERANCE_SECS} s allowed)")]
    Stale(i64),
    #[error("X-Waybill-Signature must be sha256=<64 hex digits>")]
    Malformed,
    #[error("signature does not match the body")]
    Mismatch,
}

pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Checks freshness and the HMAC (in constant time).
pub fn verify(
    secret: &[u8],
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<(), SignatureError> {
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return Err(SignatureError::Missing);
    };
    let timestamp: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| SignatureError::BadTimestamp)?;
    let skew = now.saturating_sub(timestamp);
    if skew.abs() > TOLERANCE_SECS {
        return Err(SignatureError::Stale(skew));
    }
    let hex_sig = signature
        .trim()
        .strip_prefix("sha256=")
        .ok_or(SignatureError::Malformed)?;
    let given = hex::decode(hex_sig).map_err(|_| SignatureError::Malformed)?;
    if given.len() != 32 {
        return Err(SignatureError::Malformed);
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| SignatureError::Mismatch)?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&given)
        .map_err(|_| SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_780_000_000;

    #[test]
    fn a_signed_body_verifies() {
        let sig = sign(b"s3cret", NOW, b"{\"scans\":[]}");
        assert_eq!(
            verify(
                b"s3cret",
                Some(&NOW.to_string()),
                Some(&sig),
                b"{\"scans\":[]}",
                NOW + 10
            ),
            Ok(())
        );
    }

    #[test]
    fn every_forgery_is_refused() {
        let body = b"{\"scans\":[]}";
        let sig = sign(b"s3cret", NOW, body);
        let ts = NOW.to_string();
        assert_eq!(
            verify(b"other", Some(&ts), Some(&sig), body, NOW),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"s3cret", Some(&ts), Some(&sig), b"{\"scans\":[1]}", NOW),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(
                b"s3cret",
                Some(&(NOW + 1).to_string()),
                Some(&sig),
                body,
                NOW
            ),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"s3cret", Some(&ts), Some(&sig), body, NOW + 301),
            Err(SignatureError::Stale(301))
        );
        assert_eq!(
            verify(b"s3cret", None, Some(&sig), body, NOW),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(b"s3cret", Some("yesterday"), Some(&sig), body, NOW),
            Err(SignatureError::BadTimestamp)
        );
        assert_eq!(
            verify(b"s3cret", Some(&ts), Some("md5=abc"), body, NOW),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(b"s3cret", Some(&ts), Some("sha256=zz"), body, NOW),
            Err(SignatureError::Malformed)
        );
    }
}
