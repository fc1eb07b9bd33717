//! GraphQL enums mirroring the domain's coded enums. Conversions go through the domain's
//! stable codes, so adding a variant on one side and not the other fails loudly in tests.

use waybill_domain::order::{AnomalyKind, OrderStatus, PaymentState};
use waybill_domain::values::SalesChannel;

mirror_enum!(
    /// Where an order came from.
    #[graphql(name = "SalesChannel")]
    GqlSalesChannel <=> SalesChannel {
        OwnWebShop, App, Taobao, Tmall, Jd, Pinduoduo, Douyin, Kuaishou, WechatMall, OfflineStore, LiveStream,
    }
);

mirror_enum!(
    #[graphql(name = "OrderStatus")]
    GqlOrderStatus <=> OrderStatus {
        Placed, Allocated, PartiallyFulfilled, Fulfilled, Delivered, Completed, Cancelled,
    }
);

mirror_enum!(
    #[graphql(name = "PaymentState")]
    GqlPaymentState <=> PaymentState { Unpaid, Authorised, PartiallyPaid, Paid, Failed }
);

mirror_enum!(
    /// 订单异常: reasons an order is put on hold.
    #[graphql(name = "AnomalyKind")]
    GqlAnomalyKind <=> AnomalyKind { PaymentMismatch, AddressProblem, StockShortage, SuspectedFakeOrder }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_domain_code_maps_to_a_graphql_value() {
        for c in SalesChannel::ALL {
            assert_eq!(
                GqlSalesChannel::from_code(c.code()).map(GqlSalesChannel::code),
                Some(c.code())
            );
        }
        for s in OrderStatus::ALL {
            assert_eq!(
                GqlOrderStatus::from_code(s.code()).map(GqlOrderStatus::code),
                Some(s.code())
            );
        }
        for p in PaymentState::ALL {
            assert_eq!(
                GqlPaymentState::from_code(p.code()).map(GqlPaymentState::code),
                Some(p.code())
            );
        }
        for k in AnomalyKind::ALL {
            assert_eq!(
                GqlAnomalyKind::from_code(k.code()).map(GqlAnomalyKind::code),
                Some(k.code())
            );
        }
    }
}
