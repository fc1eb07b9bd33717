//! GraphQL inputs for order commands, parsed once into domain commands.

use crate::graphql::scalars::{Int64, MinorUnits};
use async_graphql::{Enum, InputObject, OneofObject};
use chrono::{DateTime, Utc};
use waybill_domain::address::{Address, AddressFields, GeoPoint};
use waybill_domain::delivery::DeliveryMode;
use waybill_domain::ids::{CustomerId, WarehouseId};
use waybill_domain::money::Currency;
use waybill_domain::order::{FulfilLine, OrderLine, PlaceOrder, PromotionRequest};
use waybill_domain::validation::ValidationError;
use waybill_domain::values::{ExternalOrderNumber, Quantity, Sku};

use super::enums::GqlSalesChannel;
use super::pricing::{pricing_input, ChannelPromotionInput};
use crate::error::AppError;
use crate::graphql::timestamp::Timestamp;

/// A rule broken inside an input object, named as the GraphQL input field (the domain's
/// `unit_price` is the caller's `unitPrice`).
pub(super) fn invalid(e: ValidationError) -> AppError {
    AppError::invalid_input(lower_camel(e.field()), e)
}

fn lower_camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn quantity(field: &str, q: i64) -> Result<Quantity, AppError> {
    u32::try_from(q)
        .ok()
        .and_then(|q| Quantity::new(q).ok())
        .ok_or_else(|| {
            AppError::invalid_input(
                field,
                format!(
                    "{field} must be a whole number from 1 to {}, got {q}",
                    u32::MAX
                ),
            )
        })
}

#[derive(InputObject, Debug)]
pub struct OrderLineInput {
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    /// Price of one unit in minor units (分 for CNY).
    pub unit_price: MinorUnits,
}

#[derive(InputObject, Debug)]
pub struct CoordinatesInput {
    pub lat: f64,
    pub lon: f64,
}

#[derive(InputObject, Debug)]
pub struct AddressInput {
    pub recipient: String,
    pub phone: String,
    pub country: String,
    pub province: String,
    pub city: String,
    pub district: Option<String>,
    pub street: String,
    pub postal_code: Option<String>,
    pub coordinates: Option<CoordinatesInput>,
}

#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum DeliveryModeKind {
    Express,
    SelfPickup,
    Scheduled,
}

#[derive(InputObject, Debug)]
pub struct DeliveryInput {
    pub mode: DeliveryModeKind,
    /// Required for SELF_PICKUP.
    pub pickup_point: Option<String>,
    /// Required for SCHEDULED.
    pub window_start: Option<Timestamp>,
    pub window_end: Option<Timestamp>,
}

#[derive(InputObject, Debug)]
pub struct MemberPriceInput {
    pub sku: String,
    pub member_unit_price: MinorUnits,
}

#[derive(InputObject, Debug)]
pub struct PercentageDiscountInput {
    pub name: String,
    /// 1–99 percent off the running merchandise total.
    pub percent: i32,
}

/// 满减: spend at least `threshold`, get `reduction` off.
#[derive(InputObject, Debug)]
pub struct ThresholdReductionInput {
    pub name: String,
    pub threshold: MinorUnits,
    pub reduction: MinorUnits,
}

#[derive(InputObject, Debug)]
pub struct FixedCouponInput {
    pub code: String,
    pub amount: MinorUnits,
}

#[derive(InputObject, Debug)]
pub struct PointsRedemptionInput {
    pub points: Int64,
    /// Value of one point in minor units.
    pub minor_per_point: MinorUnits,
}

/// One promotion; exactly one field is set. Waybill computes the amount each takes off,
/// in a fixed order: member price, percentage, threshold, coupon, points.
#[derive(OneofObject, Debug)]
pub enum PromotionInput {
    MemberPrice(MemberPriceInput),
    PercentageDiscount(PercentageDiscountInput),
    ThresholdReduction(ThresholdReductionInput),
    FixedCoupon(FixedCouponInput),
    PointsRedemption(PointsRedemptionInput),
}

#[derive(InputObject, Debug)]
pub struct PlaceOrderInput {
    pub channel: GqlSalesChannel,
    /// The channel's own order number; unique per channel.
    pub external_number: String,
    pub customer_id: String,
    pub lines: Vec<OrderLineInput>,
    /// ISO 4217 code, e.g. CNY.
    pub currency: String,
    pub shipping_address: AddressInput,
    pub delivery: DeliveryInput,
    /// Waybill's own promotions: own web shop and app orders only.
    #[graphql(default)]
    pub promotions: Vec<PromotionInput>,
    /// The channel's promotions with their amounts: every other channel.
    #[graphql(default)]
    pub channel_promotions: Vec<ChannelPromotionInput>,
    /// What the buyer paid (lines − discounts + shipping), as the channel reports it.
    pub paid_total: Option<MinorUnits>,
    #[graphql(default)]
    pub shipping_fee: MinorUnits,
    /// When the channel took the order; defaults to now.
    pub placed_at: Option<Timestamp>,
}

impl PlaceOrderInput {
    pub fn parse(self, now: DateTime<Utc>) -> Result<PlaceOrder, AppError> {
        let lines = self
            .lines
            .into_iter()
            .enumerate()
            .map(|(i, l)| {
                Ok(OrderLine {
                    sku: Sku::parse(&l.sku).map_err(invalid)?,
                    name: l.name,
                    quantity: quantity(&format!("lines[{i}].quantity"), l.quantity)?,
                    unit_price_minor: l.unit_price.get(),
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        let pricing = pricing_input(self.promotions, self.channel_promotions, self.paid_total)?;
        Ok(PlaceOrder {
            channel: self.channel.into(),
            external_number: ExternalOrderNumber::parse(&self.external_number).map_err(invalid)?,
            customer_id: CustomerId::parse(&self.customer_id).map_err(invalid)?,
            lines,
            currency: Currency::parse(&self.currency).map_err(invalid)?,
            shipping_address: self.shipping_address.parse()?,
            delivery: self.delivery.parse()?,
            pricing,
            shipping_fee_minor: self.shipping_fee.get(),
            placed_at: self.placed_at.map(Timestamp::utc).unwrap_or(now),
        })
    }
}

impl AddressInput {
    pub fn parse(self) -> Result<Address, AppError> {
        let coordinates = self
            .coordinates
            .map(|c| GeoPoint::new(c.lat, c.lon))
            .transpose()
            .map_err(invalid)?;
        Address::parse(AddressFields {
            recipient: self.recipient,
            phone: self.phone,
            country: self.country,
            province: self.province,
            city: self.city,
            district: self.district,
            street: self.street,
            postal_code: self.postal_code,
            coordinates,
        })
        .map_err(invalid)
    }
}

impl DeliveryInput {
    pub fn parse(self) -> Result<DeliveryMode, AppError> {
        match self.mode {
            DeliveryModeKind::Express => Ok(DeliveryMode::Express),
            DeliveryModeKind::SelfPickup => {
                let point = self.pickup_point.ok_or_else(|| {
                    AppError::invalid_input(
                        "delivery.pickupPoint",
                        "SELF_PICKUP needs a pickupPoint",
                    )
                })?;
                DeliveryMode::self_pickup(point).map_err(invalid)
            }
            DeliveryModeKind::Scheduled => match (self.window_start, self.window_end) {
                (Some(start), Some(end)) => {
                    DeliveryMode::scheduled(start.utc(), end.utc()).map_err(invalid)
                }
                _ => Err(AppError::invalid_input(
                    "delivery.window",
                    "SCHEDULED needs windowStart and windowEnd",
                )),
            },
        }
    }
}

impl PromotionInput {
    pub(super) fn parse(self) -> Result<PromotionRequest, AppError> {
        Ok(match self {
            PromotionInput::MemberPrice(p) => PromotionRequest::MemberPrice {
                sku: Sku::parse(&p.sku).map_err(invalid)?,
                member_unit_price_minor: p.member_unit_price.get(),
            },
            PromotionInput::PercentageDiscount(p) => PromotionRequest::PercentageDiscount {
                name: p.name,
                percent: u8::try_from(p.percent).map_err(|_| {
                    AppError::invalid_input("percent", "percent must be between 1 and 99")
                })?,
            },
            PromotionInput::ThresholdReduction(p) => PromotionRequest::ThresholdReduction {
                name: p.name,
                threshold_minor: p.threshold.get(),
                reduction_minor: p.reduction.get(),
            },
            PromotionInput::FixedCoupon(p) => PromotionRequest::FixedCoupon {
                code: p.code,
                amount_minor: p.amount.get(),
            },
            PromotionInput::PointsRedemption(p) => PromotionRequest::PointsRedemption {
                points: u64::try_from(p.points.get()).map_err(|_| {
                    AppError::invalid_input("points", "points must not be negative")
                })?,
                minor_per_point: p.minor_per_point.get(),
            },
        })
    }
}

#[derive(InputObject, Debug)]
pub struct FulfilLineInput {
    pub sku: String,
    pub quantity: i64,
}

pub fn fulfil_lines(lines: Vec<FulfilLineInput>) -> Result<Vec<FulfilLine>, AppError> {
    lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            Ok(FulfilLine {
                sku: Sku::parse(&l.sku).map_err(invalid)?,
                quantity: quantity(&format!("lines[{i}].quantity"), l.quantity)?,
            })
        })
        .collect()
}

pub fn warehouse(id: &str) -> Result<WarehouseId, AppError> {
    WarehouseId::parse(id).map_err(invalid)
}

/// Free text (reasons, notes, references): trimmed length limits, nothing else.
pub fn text(field: &str, value: String, max: usize) -> Result<String, AppError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(AppError::invalid_input(
            field,
            format!("{field} must not be empty"),
        ));
    }
    if trimmed.chars().count() > max {
        return Err(AppError::invalid_input(
            field,
            format!("{field} must be at most {max} characters"),
        ));
    }
    Ok(trimmed.to_string())
}
