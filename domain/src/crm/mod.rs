//! Pure customer analytics: RFM segmentation, lifecycle stages, churn
//! signals, lifetime value and service KPIs.
//!
//! Everything here is a function of its arguments: projections gather the
//! facts (orders, refunds, cases, surveys) from read models and call in; the
//! same inputs always give the same answer. Money stays in integer minor
//! units; floats appear only for ratios of counts (percentages, the churn
//! gap multiplier), never for amounts.

pub mod churn;
pub mod clv;
pub mod kpi;
pub mod lifecycle;
pub mod rfm;

#[cfg(test)]
mod tests;

pub use churn::{churn_signals, median_gap_days, ChurnInput, ChurnReason, ChurnRules, OrderFact};
pub use clv::{
    historical_clv, predictive_clv, ClvError, ClvOrder, ClvParams, PredictiveClv, PurchaseSummary,
    FULL_MARGIN_BPS,
};
pub use kpi::{
    csat, csat_average, fcr_rate, nps, percentile, sla_attainment, sla_attainment_of,
    FCR_TARGET_PERCENT,
};
pub use lifecycle::{lifecycle_stage, LifecycleRules, LifecycleStage};
pub use rfm::{
    fm_score, score_rfm, segment_for, RfmInput, RfmScore, RfmSegment, SegmentRule, SEGMENT_RULES,
};
