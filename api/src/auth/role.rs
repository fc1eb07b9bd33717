//! Roles and what each may do. Every resolver asks [`Principal::require`] with one
//! [`Permission`]; the table below is the whole policy.

use std::fmt;
use std::str::FromStr;

use crate::error::{AppError, ErrorCode};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Admin,
    Integrator,
    Warehouse,
    Agent,
    Auditor,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Integrator,
        Role::Warehouse,
        Role::Agent,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Integrator => "integrator",
            Role::Warehouse => "warehouse",
            Role::Agent => "agent",
            Role::Auditor => "auditor",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown role {0:?} (expected admin, integrator, warehouse, agent or auditor)")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

/// Everything a caller can ask to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    ReadOrders,
    ReadEventLog,
    PlaceOrder,
    RecordPayment,
    CancelOrder,
    /// Address, delivery and line amendments.
    AmendOrder,
    AllocateOrder,
    FulfilOrder,
    RecordDelivery,
    CompleteOrder,
    FlagAnomaly,
    ClearAnomaly,
    ManageKeys,
    OperateProjections,
    /// Tamper checks, time travel and checkpoints.
    Audit,
    /// Customer 360, segments, churn watchlist, cases and service KPIs (PII masked unless
    /// `ReadCustomerPii`).
    ReadCrm,
    /// Name, phone, email, birthday and address in clear.
    ReadCustomerPii,
    /// Registering customers, profiles, consents and interactions.
    ManageCustomers,
    /// Tiers, points, referrals, tags and coupons.
    ManageLoyalty,
    OpenCase,
    /// Working a case: responses, waiting, escalation, resolution, reopening, closing.
    HandleCases,
    /// CSAT and NPS answers.
    RecordSurveys,
    /// Sites, depots, pickup points, vehicles and delivery routes (reads).
    ReadNetwork,
    /// Registering, updating and closing sites; the fleet.
    ManageNetwork,
    /// Planning (and re-planning) delivery routes.
    PlanRoutes,
    /// Sending a planned route out.
    DispatchRoutes,
    /// Stop outcomes and closing routes.
    RecordStops,
    /// Returns, their queues and analytics.
    ReadReturns,
    /// Opening a return for a customer.
    RequestReturn,
    /// Approving or rejecting a return.
    ReviewReturn,
    /// Return labels and drop-off arrangements.
    ArrangeReturnShipping,
    ReceiveReturn,
    InspectReturn,
    /// Exchanges and closing a return.
    ResolveReturn,
    /// Sending an item for repair and getting it back to the customer.
    RepairReturn,
    /// Money back to a customer, for a return or on an order.
    RecordRefund,
    ReadShipments,
    /// Labels: create or cancel a shipment.
    CreateShipment,
    /// Pick, pack and hand over, with the staff member recorded.
    WarehouseSteps,
    /// Carrier tracking scans.
    RecordScans,
}

impl Permission {
    fn allowed(self, role: Role) -> bool {
        use Permission::*;
        use Role::*;
        match self {
            ReadOrders | ReadEventLog => true,
            PlaceOrder | RecordPayment => matches!(role, Admin | Integrator),
            CancelOrder | CompleteOrder | AmendOrder => {
                matches!(role, Admin | Integrator | Agent)
            }
            AllocateOrder | FulfilOrder | RecordDelivery => {
                matches!(role, Admin | Integrator | Warehouse)
            }
            FlagAnomaly => matches!(role, Admin | Integrator | Warehouse | Agent),
            ClearAnomaly => matches!(role, Admin | Agent),
            ManageKeys | OperateProjections => matches!(role, Admin),
            Audit => matches!(role, Admin | Auditor),
            ReadCrm => !matches!(role, Warehouse),
            ReadCustomerPii | ManageLoyalty | HandleCases => matches!(role, Admin | Agent),
            ManageCustomers | OpenCase | RecordSurveys => {
                matches!(role, Admin | Agent | Integrator)
            }
            ReadNetwork => true,
            ManageNetwork => matches!(role, Admin),
            PlanRoutes | DispatchRoutes | RecordStops => matches!(role, Admin | Warehouse),
            ReadReturns => true,
            RequestReturn | ArrangeReturnShipping | RecordRefund => {
                matches!(role, Admin | Integrator | Agent)
            }
            ReviewReturn | ResolveReturn => matches!(role, Admin | Agent),
            ReceiveReturn | InspectReturn => matches!(role, Admin | Warehouse),
            RepairReturn => matches!(role, Admin | Agent | Warehouse),
            ReadShipments => true,
            CreateShipment => matches!(role, Admin | Integrator | Warehouse),
            WarehouseSteps => matches!(role, Admin | Warehouse),
            RecordScans => matches!(role, Admin | Integrator),
        }
    }
}

/// The authenticated caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub key_id: String,
    pub role: Role,
}

impl Principal {
    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if permission.allowed(self.role) {
            Ok(())
        } else {
            Err(AppError::new(
                ErrorCode::Forbidden,
                format!("role {} may not {permission:?}", self.role),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auditors_write_nothing() {
        use Permission::*;
        for p in [
            PlaceOrder,
            RecordPayment,
            CancelOrder,
            AmendOrder,
            AllocateOrder,
            FulfilOrder,
            RecordDelivery,
            CompleteOrder,
            FlagAnomaly,
            ClearAnomaly,
            ManageKeys,
            OperateProjections,
            ManageNetwork,
            PlanRoutes,
            DispatchRoutes,
            RecordStops,
            RequestReturn,
            ReviewReturn,
            ArrangeReturnShipping,
            ReceiveReturn,
            InspectReturn,
            ResolveReturn,
            RepairReturn,
            RecordRefund,
        ] {
            assert!(!p.allowed(Role::Auditor), "{p:?}");
        }
        assert!(ReadOrders.allowed(Role::Auditor) && ReadEventLog.allowed(Role::Auditor));
    }

    #[test]
    fn only_admins_manage_keys() {
        for role in Role::ALL {
            assert_eq!(
                Permission::ManageKeys.allowed(role),
                role == Role::Admin,
                "{role}"
            );
        }
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().ok(), Some(role));
        }
        assert!("root".parse::<Role>().is_err());
    }
}
