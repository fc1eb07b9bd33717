//! Larger hand-computed analytics tests, kept apart from the code they check.

mod churn;
mod rfm;
