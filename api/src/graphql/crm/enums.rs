//! GraphQL mirrors of the CRM's coded enums; conversions go through the domain codes.

use async_graphql::Enum;
use waybill_domain::case::{CaseStatus, CaseType, Priority, SlaMetric};
use waybill_domain::crm::{LifecycleStage, RfmSegment};
use waybill_domain::customer::{
    ContactChannel, Direction, InteractionKind, MarketingChannel, Tier,
};

macro_rules! mirror {
    ($(#[$meta:meta])* $gql:ident <=> $domain:ident { $($variant:ident),+ $(,)? }) => {
        #[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
        $(#[$meta])*
        pub enum $gql { $($variant),+ }

        impl From<$gql> for $domain {
            fn from(v: $gql) -> $domain {
                match v { $($gql::$variant => $domain::$variant),+ }
            }
        }

        impl From<$domain> for $gql {
            fn from(v: $domain) -> $gql {
                match v { $($domain::$variant => $gql::$variant),+ }
            }
        }

        impl $gql {
            /// From a code stored in a read model.
            pub fn from_code(code: &str) -> Option<$gql> {
                code.parse::<$domain>().ok().map(Into::into)
            }

            pub fn code(self) -> &'static str {
                $domain::from(self).code()
            }
        }
    };
}

mirror!(#[graphql(name = "CaseType")] GqlCaseType <=> CaseType { Complaint, Inquiry, AfterSales });
mirror!(#[graphql(name = "CasePriority")] GqlPriority <=> Priority { Low, Normal, High, Urgent });
mirror!(#[graphql(name = "CaseStatus")] GqlCaseStatus <=> CaseStatus { Open, WaitingOnCustomer, Resolved, Closed });
mirror!(#[graphql(name = "SlaMetric")] GqlSlaMetric <=> SlaMetric { Acknowledge, Handle, ReportResult });
mirror!(#[graphql(name = "ContactChannel")] GqlContactChannel <=> ContactChannel {
    OnlineChat, Phone, Email, Sms, WechatOfficialAccount, Weibo, Douyin, AppPush, Store, LiveStream,
});
mirror!(#[graphql(name = "MarketingChannel")] GqlMarketingChannel <=> MarketingChannel { Sms, Email, Wechat, AppPush, Phone });
mirror!(#[graphql(name = "Tier")] GqlTier <=> Tier { Silver, Gold, Black });
mirror!(#[graphql(name = "InteractionDirection")] GqlDirection <=> Direction { Inbound, Outbound });
mirror!(#[graphql(name = "InteractionKind")] GqlInteractionKind <=> InteractionKind { Contact, Care });
mirror!(#[graphql(name = "RfmSegment")] GqlRfmSegment <=> RfmSegment {
    Champions, Loyal, PotentialLoyalist, New, Promising, NeedAttention, AboutToSleep, AtRisk, CantLoseThem, Hibernating, Lost,
});
mirror!(#[graphql(name = "LifecycleStage")] GqlLifecycleStage <=> LifecycleStage { Potential, New, Active, Retained, AtRisk, Churned, WonBack });
