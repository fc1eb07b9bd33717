//! Given/when/then tests for every transition and refusal of `Site` and
//! `Vehicle`.

mod site;
mod vehicle;

use chrono::{DateTime, Utc};

use crate::order::sample::SAMPLE_PLACED_AT_SECS;

pub(super) fn at(seconds_after_sample: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(SAMPLE_PLACED_AT_SECS + seconds_after_sample, 0).expect("in range")
}
