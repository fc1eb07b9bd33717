//! CRM output types, built from read-model rows plus query-time analytics. Personal data is
//! shown in full only to roles that may read it; others get it masked (see [`Privacy`]).

use crate::graphql::scalars::{Int64, MinorUnits};
use async_graphql::SimpleObject;
use waybill_projections::cases::CaseView;
use waybill_projections::customers::analytics::Insight;
use waybill_projections::customers::CustomerView;

use super::enums::*;
use crate::graphql::orders::GqlSalesChannel;
use crate::graphql::timestamp::Timestamp;
use crate::privacy::{self, Audience, PiiKind, Realm};

/// Whether the caller sees personal data in clear.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Privacy {
    Clear,
    Masked,
}

impl Privacy {
    /// The CRM's data through the one rule table (`crate::privacy::rules`).
    pub fn text(self, kind: PiiKind, value: Option<&str>) -> Option<String> {
        let audience = match self {
            Privacy::Clear => Audience::Clear,
            Privacy::Masked => Audience::Masked,
        };
        privacy::text(audience, Realm::Crm, kind, value)
    }

    /// Free text a customer or agent wrote; masked text stays a string.
    pub fn free_text(self, value: &str) -> String {
        self.text(PiiKind::FreeText, Some(value))
            .unwrap_or_default()
    }
}

#[derive(SimpleObject)]
pub struct CustomerProfile {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// ISO date; null when masked.
    pub birthday: Option<String>,
    pub city: Option<String>,
    pub preferred_contact: Option<GqlContactChannel>,
    /// True when personal data is masked for the caller's role.
    pub masked: bool,
}

impl CustomerProfile {
    pub fn of(view: &CustomerView, privacy: Privacy) -> CustomerProfile {
        let p = &view.profile;
        let birthday = p.birthday.map(|b| b.to_string());
        CustomerProfile {
            name: privacy
                .text(PiiKind::Name, Some(&p.name))
                .unwrap_or_default(),
            phone: privacy.text(PiiKind::Phone, p.phone.as_deref()),
            email: privacy.text(PiiKind::Email, p.email.as_deref()),
            birthday: privacy.text(PiiKind::Birthday, birthday.as_deref()),
            city: privacy.text(PiiKind::City, p.city.as_deref()),
            preferred_contact: Some(p.preferred_contact.into()),
            masked: privacy == Privacy::Masked,
        }
    }
}

#[derive(SimpleObject)]
pub struct PointsEntry {
    /// Negative for redemptions.
    pub points: Int64,
    pub reason: String,
    pub order_id: Option<String>,
    pub balance: Int64,
    pub at: Timestamp,
}

#[derive(SimpleObject)]
pub struct Coupon {
    pub code: String,
    pub amount: MinorUnits,
    pub currency: String,
    pub reason: String,
    pub expires_at: Option<Timestamp>,
    pub issued_at: Timestamp,
}

#[derive(SimpleObject)]
pub struct InteractionEntry {
    pub interaction_id: String,
    pub direction: GqlDirection,
    pub channel: GqlContactChannel,
    pub kind: GqlInteractionKind,
    pub topic: String,
    pub summary: String,
    pub agent: Option<String>,
    pub order_id: Option<String>,
    pub case_id: Option<String>,
    pub occurred_at: Timestamp,
}

#[derive(SimpleObject)]
pub struct NpsAnswer {
    pub score: i32,
    pub context: String,
    pub order_id: Option<String>,
    pub case_id: Option<String>,
    pub comment: Option<String>,
    pub at: Timestamp,
}

#[derive(SimpleObject)]
pub struct CustomerOrders {
    pub count: i32,
    pub spend: MinorUnits,
    pub refunded: MinorUnits,
    pub net: MinorUnits,
    pub average_order_value: Option<MinorUnits>,
    pub first_order_at: Option<Timestamp>,
    pub last_order_at: Option<Timestamp>,
    pub refunds: i32,
    /// Returns (RMAs) raised on the customer's orders.
    pub returns: i64,
}

#[derive(SimpleObject)]
pub struct Rfm {
    pub recency_days: i64,
    pub frequency: i32,
    pub monetary: MinorUnits,
    pub r: i32,
    pub f: i32,
    pub m: i32,
    pub fm: i32,
    pub segment: GqlRfmSegment,
}

#[derive(SimpleObject)]
pub struct ChurnSignal {
    /// e.g. `overdue_for_usual_rhythm`, `risky_segment`, `open_cases`.
    pub reason: String,
    /// The evidence, as JSON.
    pub evidence: String,
}

#[derive(SimpleObject)]
pub struct Clv {
    pub historical: MinorUnits,
    pub predictive: Option<MinorUnits>,
    pub observed_days: Option<i64>,
}

#[derive(SimpleObject)]
pub struct CaseSummary {
    pub id: String,
    pub status: Option<GqlCaseStatus>,
    pub case_type: Option<GqlCaseType>,
    pub subject: String,
    pub owner: String,
    pub opened_at: Timestamp,
    pub breaches: i32,
}

/// The Customer 360.
#[derive(SimpleObject)]
pub struct Customer {
    pub id: String,
    pub acquisition_channel: Option<GqlSalesChannel>,
    pub profile: CustomerProfile,
    pub tier: Option<GqlTier>,
    pub consents: Vec<GqlMarketingChannel>,
    pub points_balance: Int64,
    pub points: Vec<PointsEntry>,
    pub tags: Vec<String>,
    pub coupons: Vec<Coupon>,
    pub interactions: Vec<InteractionEntry>,
    pub nps: Vec<NpsAnswer>,
    pub orders: CustomerOrders,
    /// Outbound shipments and delivery problems.
    pub deliveries: DeliverySummary,
    pub cases: Vec<CaseSummary>,
    pub rfm: Option<Rfm>,
    pub lifecycle_stage: GqlLifecycleStage,
    pub churn_signals: Vec<ChurnSignal>,
    pub clv: Clv,
    pub registered_at: Timestamp,
    pub version: Int64,
}

#[derive(SimpleObject)]
pub struct DeliverySummary {
    pub shipments: i64,
    pub delivered: i64,
    /// Delivered after the promise, or still underway past it.
    pub late: i64,
    pub with_failed_attempts: i64,
    pub with_exceptions: i64,
}

pub fn churn_signals(insight: &Insight) -> Vec<ChurnSignal> {
    insight
        .churn
        .iter()
        .map(|reason| {
            let json = serde_json::to_value(reason).unwrap_or_default();
            ChurnSignal {
                reason: json["reason"].as_str().unwrap_or("unknown").to_string(),
                evidence: json.to_string(),
            }
        })
        .collect()
}

pub(super) fn small(n: impl TryInto<i32>) -> i32 {
    n.try_into().unwrap_or(i32::MAX)
}

impl Customer {
    pub fn build(
        view: &CustomerView,
        insight: &Insight,
        cases: &[CaseView],
        returns: i64,
        privacy: Privacy,
    ) -> Customer {
        let s = &insight.stats;
        Customer {
            id: view.customer_id.clone(),
            acquisition_channel: GqlSalesChannel::from_code(&view.acquisition_channel),
            profile: CustomerProfile::of(view, privacy),
            tier: GqlTier::from_code(&view.tier),
            consents: view
                .consents
                .iter()
                .filter_map(|c| GqlMarketingChannel::from_code(c))
                .collect(),
            points_balance: Int64(view.points_balance),
            points: view
                .points
                .iter()
                .map(|p| PointsEntry {
                    points: Int64(p.points),
                    reason: p.reason.clone(),
                    order_id: p.order_id.clone(),
                    balance: Int64(p.balance),
                    at: p.at.into(),
                })
                .collect(),
            tags: view.tags.clone(),
            coupons: view
                .coupons
                .iter()
                .map(|c| Coupon {
                    code: c.code.clone(),
                    amount: MinorUnits(c.amount_minor),
                    currency: c.currency.clone(),
                    reason: c.reason.clone(),
                    expires_at: c.expires_at.map(Timestamp::from),
                    issued_at: c.issued_at.into(),
                })
                .collect(),
            interactions: view
                .interactions
                .iter()
                .map(|i| InteractionEntry {
                    interaction_id: i.interaction_id.clone(),
                    direction: i.direction.into(),
                    channel: i.channel.into(),
                    kind: i.kind.into(),
                    topic: privacy.free_text(&i.topic),
                    summary: privacy.free_text(&i.summary),
                    agent: i.agent.as_ref().map(|a| a.to_string()),
                    order_id: i.order_id.map(|o| o.to_string()),
                    case_id: i.case_id.map(|c| c.to_string()),
                    occurred_at: i.occurred_at.into(),
                })
                .collect(),
            nps: view
                .nps
                .iter()
                .map(|n| NpsAnswer {
                    score: i32::from(n.score),
                    context: n.context.clone(),
                    order_id: n.order_id.clone(),
                    case_id: n.case_id.clone(),
                    comment: privacy.text(PiiKind::FreeText, n.comment.as_deref()),
                    at: n.at.into(),
                })
                .collect(),
            orders: CustomerOrders {
                count: small(s.orders),
                spend: MinorUnits(s.spend_minor),
                refunded: MinorUnits(s.refunded_minor),
                net: MinorUnits(s.net_minor),
                average_order_value: s.aov_minor.map(MinorUnits),
                first_order_at: s.first_order_at.map(Timestamp::from),
                last_order_at: s.last_order_at.map(Timestamp::from),
                refunds: small(s.refunds),
                returns,
            },
            deliveries: DeliverySummary {
                shipments: i64::from(insight.deliveries.shipments),
                delivered: i64::from(insight.deliveries.delivered),
                late: i64::from(insight.deliveries.late),
                with_failed_attempts: i64::from(insight.deliveries.failed_attempts),
                with_exceptions: i64::from(insight.deliveries.exceptions),
            },
            cases: cases
                .iter()
                .map(|c| CaseSummary::seen_by(c, privacy))
                .collect(),
            rfm: insight.rfm.as_ref().map(|r| Rfm {
                recency_days: r.recency_days,
                frequency: small(r.frequency),
                monetary: MinorUnits(r.monetary_minor),
                r: i32::from(r.r),
                f: i32::from(r.f),
                m: i32::from(r.m),
                fm: i32::from(r.fm),
                segment: r.segment.into(),
            }),
            lifecycle_stage: insight.stage.into(),
            churn_signals: churn_signals(insight),
            clv: Clv {
                historical: MinorUnits(insight.historical_clv_minor),
                predictive: (insight.predictive_clv.map(|p| p.value_minor)).map(MinorUnits),
                observed_days: insight.predictive_clv.map(|p| p.observed_days),
            },
            registered_at: view.registered_at.into(),
            version: Int64(view.version),
        }
    }
}

impl CaseSummary {
    fn seen_by(c: &CaseView, privacy: Privacy) -> Self {
        CaseSummary {
            id: c.case_id.clone(),
            status: GqlCaseStatus::from_code(&c.status),
            case_type: GqlCaseType::from_code(&c.case_type),
            subject: privacy.free_text(&c.subject),
            owner: c.owner.clone(),
            opened_at: c.opened_at.into(),
            breaches: small(c.breaches()),
        }
    }
}

/// One customer on the churn watchlist.
#[derive(SimpleObject)]
pub struct ChurnWatch {
    pub customer_id: String,
    pub name: String,
    pub tier: Option<GqlTier>,
    pub segment: Option<GqlRfmSegment>,
    pub lifecycle_stage: GqlLifecycleStage,
    pub last_order_at: Option<Timestamp>,
    pub reasons: Vec<ChurnSignal>,
}
