//! Service KPIs. Percentages are `f64` in 0..=100 (NPS −100..=100): they are
//! ratios of counts, not money, and each is one exact division of integers.
//! An empty population yields `None` rather than a misleading 0.

use crate::case::SlaClock;
use crate::customer::{CSAT_MAX, CSAT_MIN, NPS_MAX};
use crate::validation::ValidationError;

/// The seeds' standard: ≥ 90 % of ordinary problems solved at first contact.
pub const FCR_TARGET_PERCENT: f64 = 90.0;

fn percent(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

/// % promoters (9–10) − % detractors (0–6), in −100..=100.
pub fn nps(scores: &[u8]) -> Result<Option<f64>, ValidationError> {
    if scores.iter().any(|s| *s > NPS_MAX) {
        return Err(ValidationError::OutOfRange {
            field: "nps_score",
            min: 0,
            max: i64::from(NPS_MAX),
        });
    }
    let promoters = scores.iter().filter(|s| **s >= 9).count();
    let detractors = scores.iter().filter(|s| **s <= 6).count();
    Ok(percent(promoters, scores.len())
        .zip(percent(detractors, scores.len()))
        .map(|(p, d)| p - d))
}

fn csat_scale(scores: &[u8]) -> Result<(), ValidationError> {
    if scores.iter().any(|s| !(CSAT_MIN..=CSAT_MAX).contains(s)) {
        return Err(ValidationError::OutOfRange {
            field: "csat",
            min: i64::from(CSAT_MIN),
            max: i64::from(CSAT_MAX),
        });
    }
    Ok(())
}

/// Share of 4–5 answers on the 1–5 scale, × 100 (the satisfied share).
pub fn csat(scores: &[u8]) -> Result<Option<f64>, ValidationError> {
    csat_scale(scores)?;
    let satisfied = scores.iter().filter(|s| **s >= 4).count();
    Ok(percent(satisfied, scores.len()))
}

/// The mean answer on the 1–5 scale. Reported beside the satisfied share
/// because the share alone cannot tell 3s from 1s.
pub fn csat_average(scores: &[u8]) -> Result<Option<f64>, ValidationError> {
    csat_scale(scores)?;
    let sum: u64 = scores.iter().map(|s| u64::from(*s)).sum();
    Ok((!scores.is_empty()).then(|| sum as f64 / scores.len() as f64))
}

/// Share of resolved cases solved at first contact, × 100. Takes each
/// resolved case's `first_contact_resolution` flag.
pub fn fcr_rate(first_contact_resolution: &[bool]) -> Option<f64> {
    let solved_first = first_contact_resolution.iter().filter(|f| **f).count();
    percent(solved_first, first_contact_resolution.len())
}

/// Met / with target, × 100.
pub fn sla_attainment(met: usize, with_target: usize) -> Option<f64> {
    percent(met.min(with_target), with_target)
}

/// Attainment over clocks: a clock fulfilled within target is met; one
/// breached or fulfilled late is missed; running or paused clocks are not
/// decided yet and are left out.
pub fn sla_attainment_of<'a>(clocks: impl IntoIterator<Item = &'a SlaClock>) -> Option<f64> {
    let (mut met, mut decided) = (0, 0);
    for clock in clocks {
        match clock {
            SlaClock::Fulfilled { within_target, .. } => {
                decided += 1;
                met += usize::from(*within_target);
            }
            SlaClock::Breached { .. } => decided += 1,
            SlaClock::Running { .. } | SlaClock::Paused { .. } => {}
        }
    }
    sla_attainment(met, decided)
}

/// The `p`th percentile (0..=100) by the nearest-rank method: the smallest
/// value with at least `p` % of values at or below it. Always an observed
/// value, so durations stay whole seconds. `p` above 100 is clamped.
pub fn percentile(values: &[i64], p: u8) -> Option<i64> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let n = sorted.len();
    let p = usize::from(p.min(100));
    // ceil(p × n / 100), at least rank 1.
    let rank = (p * n).div_ceil(100).max(1);
    sorted.get(rank.checked_sub(1)?).copied()
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;

    #[test]
    fn nps_is_promoters_minus_detractors() {
        // 4 promoters, 3 passives, 3 detractors → 40 − 30 = 10.
        let scores = [10, 9, 9, 10, 8, 7, 7, 6, 0, 3];
        assert_eq!(nps(&scores), Ok(Some(10.0)));
        assert_eq!(nps(&[10, 10]), Ok(Some(100.0)));
        assert_eq!(nps(&[0, 6]), Ok(Some(-100.0)));
        assert_eq!(nps(&[7, 8]), Ok(Some(0.0)));
        assert_eq!(nps(&[]), Ok(None));
        assert!(nps(&[11]).is_err());
    }

    #[test]
    fn csat_is_the_share_of_four_and_five() {
        assert_eq!(csat(&[5, 4, 3, 1]), Ok(Some(50.0)));
        assert_eq!(csat(&[5, 5, 4]), Ok(Some(100.0)));
        assert_eq!(csat(&[]), Ok(None));
        assert!(csat(&[0]).is_err());
        assert!(csat(&[6]).is_err());
    }

    #[test]
    fn csat_average_tells_what_the_share_cannot() {
        // Both have a 50 % satisfied share.
        assert_eq!(csat_average(&[5, 4, 3, 3]), Ok(Some(3.75)));
        assert_eq!(csat_average(&[5, 4, 1, 1]), Ok(Some(2.75)));
        assert_eq!(csat(&[5, 4, 1, 1]), Ok(Some(50.0)));
        assert_eq!(csat_average(&[]), Ok(None));
        assert!(csat_average(&[0]).is_err());
    }

    #[test]
    fn fcr_rate_against_the_target() {
        let flags = [true; 9].into_iter().chain([false]).collect::<Vec<_>>();
        assert_eq!(fcr_rate(&flags), Some(90.0));
        assert!(fcr_rate(&flags).is_some_and(|rate| rate >= FCR_TARGET_PERCENT));
        assert_eq!(fcr_rate(&[]), None);
    }

    #[test]
    fn sla_attainment_counts_decided_clocks_only() {
        let t = DateTime::<Utc>::UNIX_EPOCH;
        let clocks = [
            SlaClock::Fulfilled {
                due_at: t,
                at: t,
                within_target: true,
            },
            SlaClock::Fulfilled {
                due_at: t,
                at: t,
                within_target: false,
            },
            SlaClock::Breached { due_at: t, at: t },
            SlaClock::Fulfilled {
                due_at: t,
                at: t,
                within_target: true,
            },
            SlaClock::Running { due_at: t },
            SlaClock::Paused {
                due_at: t,
                paused_at: t,
            },
        ];
        assert_eq!(sla_attainment_of(&clocks), Some(50.0));
        assert_eq!(sla_attainment(3, 4), Some(75.0));
        assert_eq!(sla_attainment(0, 0), None);
    }

    #[test]
    fn percentiles_use_nearest_rank() {
        let seconds = [300, 60, 120, 600, 3_600, 90, 45, 1_800, 240, 180];
        assert_eq!(percentile(&seconds, 50), Some(180));
        assert_eq!(percentile(&seconds, 90), Some(1_800));
        assert_eq!(percentile(&seconds, 95), Some(3_600));
        assert_eq!(percentile(&seconds, 0), Some(45));
        assert_eq!(percentile(&seconds, 100), Some(3_600));
        assert_eq!(percentile(&seconds, 255), Some(3_600));
        assert_eq!(percentile(&[], 50), None);
    }
}
