//! GraphQL enums for returns, mirroring the domain's coded enums through their stable codes.

use async_graphql::Enum;
use waybill_domain::returns::{
    InspectionDecision, ItemCondition, RefundPolicy, Resolution, ReturnOutcome, ReturnReason,
    ReturnStatus, ReviewDecision,
};
use waybill_projections::returns::ReturnStage;

mirror_enum!(
    /// Why the goods come back. Only CHANGED_MIND is a no-reason return (七天无理由); the
    /// others are the seller's fault and get the longer quality window.
    #[graphql(name = "ReturnReason")]
    GqlReturnReason <=> ReturnReason {
        Damaged, WrongItem, NotAsDescribed, QualityProblem, ChangedMind, LateDelivery, MissingParts,
    }
);

mirror_enum!(
    /// How a return is settled.
    #[graphql(name = "ReturnResolution")]
    GqlResolution <=> Resolution { Refund, Exchange, Repair }
);

mirror_enum!(
    /// What inspection found.
    #[graphql(name = "ItemCondition")]
    GqlItemCondition <=> ItemCondition { Resellable, Damaged, MissingParts }
);

mirror_enum!(
    /// What happens to inspected units: always explicit.
    #[graphql(name = "InspectionDecision")]
    GqlInspectionDecision <=> InspectionDecision { Restock, WriteOff }
);

mirror_enum!(
    /// Whether the money went out after the goods arrived or before (极速退款).
    #[graphql(name = "RefundPolicy")]
    GqlRefundPolicy <=> RefundPolicy { AfterReceipt, BeforeReceipt }
);

mirror_enum!(
    /// Where a return is, by its most advanced milestone.
    #[graphql(name = "ReturnStatus")]
    GqlReturnStatus <=> ReturnStatus {
        Requested, Approved, Rejected, Received, Inspected, Refunded, ExchangeShipped, InRepair,
        Repaired, RepairReturned, Closed,
    }
);

mirror_enum!(
    /// An agent's review of a return request.
    #[graphql(name = "ReviewDecision")]
    GqlReviewDecision <=> ReviewDecision { Approved, Rejected }
);

mirror_enum!(
    /// How a closed return ended.
    #[graphql(name = "ReturnOutcome")]
    GqlReturnOutcome <=> ReturnOutcome { Rejected, Refunded, Exchanged, Repaired }
);

/// Which work queue a return waits in.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(name = "ReturnStage")]
pub enum GqlReturnStage {
    AwaitingReview,
    AwaitingReceipt,
    AwaitingInspection,
    AwaitingResolution,
    Resolved,
    Rejected,
    Closed,
}

impl From<ReturnStage> for GqlReturnStage {
    fn from(s: ReturnStage) -> Self {
        match s {
            ReturnStage::AwaitingReview => GqlReturnStage::AwaitingReview,
            ReturnStage::AwaitingReceipt => GqlReturnStage::AwaitingReceipt,
            ReturnStage::AwaitingInspection => GqlReturnStage::AwaitingInspection,
            ReturnStage::AwaitingResolution => GqlReturnStage::AwaitingResolution,
            ReturnStage::Resolved => GqlReturnStage::Resolved,
            ReturnStage::Rejected => GqlReturnStage::Rejected,
            ReturnStage::Closed => GqlReturnStage::Closed,
        }
    }
}

impl From<GqlReturnStage> for ReturnStage {
    fn from(s: GqlReturnStage) -> Self {
        match s {
            GqlReturnStage::AwaitingReview => ReturnStage::AwaitingReview,
            GqlReturnStage::AwaitingReceipt => ReturnStage::AwaitingReceipt,
            GqlReturnStage::AwaitingInspection => ReturnStage::AwaitingInspection,
            GqlReturnStage::AwaitingResolution => ReturnStage::AwaitingResolution,
            GqlReturnStage::Resolved => ReturnStage::Resolved,
            GqlReturnStage::Rejected => ReturnStage::Rejected,
            GqlReturnStage::Closed => ReturnStage::Closed,
        }
    }
}

/// Buckets for refund totals (UTC; weeks start on Monday).
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq, Default)]
pub enum RefundPeriod {
    #[default]
    Day,
    Week,
    Month,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_domain_code_maps_to_a_graphql_value() {
        for r in ReturnReason::ALL {
            assert_eq!(
                GqlReturnReason::from_code(r.code()).map(GqlReturnReason::code),
                Some(r.code())
            );
        }
        for s in ReturnStatus::ALL {
            assert_eq!(
                GqlReturnStatus::from_code(s.code()).map(GqlReturnStatus::code),
                Some(s.code())
            );
        }
        for o in ReturnOutcome::ALL {
            assert_eq!(
                GqlReturnOutcome::from_code(o.code()).map(GqlReturnOutcome::code),
                Some(o.code())
            );
        }
        for r in Resolution::ALL {
            assert_eq!(
                GqlResolution::from_code(r.code()).map(GqlResolution::code),
                Some(r.code())
            );
        }
        for c in ItemCondition::ALL {
            assert_eq!(
                GqlItemCondition::from_code(c.code()).map(GqlItemCondition::code),
                Some(c.code())
            );
        }
        for d in InspectionDecision::ALL {
            assert_eq!(
                GqlInspectionDecision::from_code(d.code()).map(GqlInspectionDecision::code),
                Some(d.code())
            );
        }
        for p in RefundPolicy::ALL {
            assert_eq!(
                GqlRefundPolicy::from_code(p.code()).map(GqlRefundPolicy::code),
                Some(p.code())
            );
        }
        for s in ReturnStage::ALL {
            assert_eq!(ReturnStage::from(GqlReturnStage::from(s)), s);
        }
    }
}
