//! The state of a registered customer, rebuilt from events only.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::customer::events::{CustomerEvent, CustomerRegistered};
use crate::customer::profile::Profile;
use crate::customer::values::{MarketingChannel, NpsContext, Tier};
use crate::ids::{CustomerId, OrderId};
use crate::values::SalesChannel;

/// What the aggregate needs to decide. The sets exist for duplicate checks
/// (retried policies and webhooks), not for display: read models hold the
/// full history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerState {
    pub customer_id: CustomerId,
    pub acquisition_channel: SalesChannel,
    pub profile: Profile,
    pub tier: Tier,
    pub registered_at: DateTime<Utc>,
    pub consents: BTreeSet<MarketingChannel>,
    pub points_balance: i64,
    pub orders_with_points: BTreeSet<OrderId>,
    pub referees: BTreeSet<CustomerId>,
    pub tags: BTreeSet<String>,
    pub coupons: BTreeSet<String>,
    pub interactions: BTreeSet<String>,
    pub orders_with_nps: BTreeSet<OrderId>,
}

impl CustomerState {
    pub(crate) fn from_registered(registered: CustomerRegistered) -> Self {
        Self {
            customer_id: registered.customer_id,
            acquisition_channel: registered.acquisition_channel,
            profile: registered.profile,
            tier: registered.tier,
            registered_at: registered.registered_at,
            consents: BTreeSet::new(),
            points_balance: 0,
            orders_with_points: BTreeSet::new(),
            referees: BTreeSet::new(),
            tags: BTreeSet::new(),
            coupons: BTreeSet::new(),
            interactions: BTreeSet::new(),
            orders_with_nps: BTreeSet::new(),
        }
    }

    /// Folds a post-registration event in. Infallible: events are facts.
    pub(crate) fn apply(&mut self, event: CustomerEvent) {
        match event {
            // One registration per stream; a stray second one is ignored.
            CustomerEvent::CustomerRegistered(_) => {}
            CustomerEvent::ProfileChanged { changes, .. } => {
                for change in changes {
                    change.apply_to(&mut self.profile);
                }
            }
            CustomerEvent::ConsentGranted { channel, .. } => {
                self.consents.insert(channel);
            }
            CustomerEvent::ConsentWithdrawn { channel, .. } => {
                self.consents.remove(&channel);
            }
            CustomerEvent::TierChanged { to, .. } => self.tier = to,
            CustomerEvent::PointsEarned {
                order_id, balance, ..
            } => {
                self.points_balance = balance;
                self.orders_with_points.extend(order_id);
            }
            CustomerEvent::PointsRedeemed { balance, .. } => self.points_balance = balance,
            CustomerEvent::ReferralRecorded { referee, .. } => {
                self.referees.insert(referee);
            }
            CustomerEvent::TagAdded { tag, .. } => {
                self.tags.insert(tag);
            }
            CustomerEvent::TagRemoved { tag, .. } => {
                self.tags.remove(&tag);
            }
            CustomerEvent::CouponIssued { code, .. } => {
                self.coupons.insert(code);
            }
            CustomerEvent::InteractionRecorded(interaction) => {
                self.interactions.insert(interaction.interaction_id);
            }
            CustomerEvent::NpsRecorded {
                context, order_id, ..
            } => {
                if context == NpsContext::Delivery {
                    self.orders_with_nps.extend(order_id);
                }
            }
        }
    }

    pub fn has_consent(&self, channel: MarketingChannel) -> bool {
        self.consents.contains(&channel)
    }
}
