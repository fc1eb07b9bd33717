//! CRM: customers (Customer 360, segments, churn watchlist) and service cases (SLA clocks,
//! KPIs). Queries read `rm_customers`, `rm_cases` and `rm_orders` and compute analytics at
//! query time (see `waybill_projections::customers::analytics`). Personal data is clear for
//! roles holding `ReadCustomerPii` and masked for the others that may read the CRM.

mod case_types;
mod cases;
mod customers;
mod enums;
mod inputs;
mod service_levels;
pub mod types;

use crate::graphql::scalars::{opt_i64, Int64};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, InputObject, MergedObject, Object};
use chrono::NaiveDate;
use waybill_projections::cases::{self as case_rm, CaseCursor, CaseFilter};
use waybill_projections::customers::analytics;
use waybill_projections::customers::{self as customer_rm, CustomerFilter};

pub use case_types::*;
pub use cases::{CaseMutations, CaseWriteResult};
pub use customers::{CustomerMutations, CustomerWriteResult};
pub use enums::*;
pub use service_levels::ServiceLevels;
pub use types::*;

use super::context::{authorize, page_cost, page_size, services};
use super::error::GqlResult;
use crate::auth::{Permission, Principal};
use crate::error::AppError;
use crate::graphql::orders::GqlSalesChannel;
use crate::graphql::timestamp::Timestamp;
use crate::services::Services;

#[derive(MergedObject, Default)]
pub struct CrmMutations(CustomerMutations, CaseMutations);

pub(crate) fn privacy(principal: &Principal) -> Privacy {
    if principal.require(Permission::ReadCustomerPii).is_ok() {
        Privacy::Clear
    } else {
        Privacy::Masked
    }
}

/// The Customer 360 for one customer, analytics computed over the whole base.
pub(crate) async fn customer_360(
    services: &Services,
    id: &str,
    as_of: Option<NaiveDate>,
    privacy: Privacy,
) -> Result<Option<Customer>, AppError> {
    let Some(view) = customer_rm::get(&services.db, id).await? else {
        return Ok(None);
    };
    let base = analytics::load_base(&services.db).await?;
    let insights = analytics::insights(&base, &services.crm.params(as_of));
    let Some(insight) = insights.get(id) else {
        return Ok(None);
    };
    let cases = base.cases.get(id).cloned().unwrap_or_default();
    let returns = analytics::returns_count(&services.db, id).await?;
    Ok(Some(Customer::build(
        &view, insight, &cases, returns, privacy,
    )))
}

async fn wait_crm(services: &Services, position: Option<i64>) -> Result<(), AppError> {
    if let Some(p) = position {
        services.wait_for(customer_rm::NAME, p).await?;
        services.wait_for(case_rm::NAME, p).await?;
    }
    Ok(())
}

#[derive(InputObject, Default)]
pub struct CustomerFilterInput {
    pub segment: Option<GqlRfmSegment>,
    pub stage: Option<GqlLifecycleStage>,
    pub tier: Option<GqlTier>,
    pub tag: Option<String>,
    /// Acquisition channel.
    pub channel: Option<GqlSalesChannel>,
}

#[derive(InputObject, Default)]
pub struct CaseFilterInput {
    pub status: Option<GqlCaseStatus>,
    pub customer_id: Option<String>,
    /// Current owner or first-contact owner.
    pub agent: Option<String>,
    pub case_type: Option<GqlCaseType>,
    pub priority: Option<GqlPriority>,
    pub opened_from: Option<Timestamp>,
    pub opened_to: Option<Timestamp>,
}

/// A half-open period `[from, to)`; either end may be open.
#[derive(InputObject, Default)]
pub struct PeriodInput {
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

#[derive(Default)]
pub struct CrmQueries;

#[Object]
impl CrmQueries {
    /// The Customer 360, or null. `asOf` fixes the day analytics are computed for.
    async fn customer(
        &self,
        ctx: &Context<'_>,
        id: String,
        as_of: Option<NaiveDate>,
        consistent_with: Option<Int64>,
    ) -> GqlResult<Option<Customer>> {
        let principal = authorize(ctx, Permission::ReadCrm)?;
        let services = services(ctx)?;
        wait_crm(services, opt_i64(consistent_with)).await?;
        Ok(customer_360(services, &id, as_of, privacy(principal)).await?)
    }

    /// Customers by id, filtered by column (tier, tag, channel) and by computed segment and
    /// lifecycle stage; a Relay connection (`first` ≤ 100).
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn customers(
        &self,
        ctx: &Context<'_>,
        filter: Option<CustomerFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        as_of: Option<NaiveDate>,
        consistent_with: Option<Int64>,
    ) -> GqlResult<Connection<String, Customer>> {
        let principal = authorize(ctx, Permission::ReadCrm)?;
        let services = services(ctx)?;
        let first = usize::try_from(page_size(first)?).unwrap_or(20);
        wait_crm(services, opt_i64(consistent_with)).await?;
        let f = filter.unwrap_or_default();
        let columns = CustomerFilter {
            tier: f.tier.map(|t| t.code().to_string()),
            tag: f.tag,
            channel: f.channel.map(|c| c.code().to_string()),
            birthday_md: None,
        };
        let matching = customer_rm::list(&services.db, &columns)
            .await
            .map_err(AppError::from)?;
        let base = analytics::load_base(&services.db)
            .await
            .map_err(AppError::from)?;
        let insights = analytics::insights(&base, &services.crm.params(as_of));
        let privacy = privacy(principal);
        let mut selected = Vec::new();
        for view in matching
            .iter()
            .filter(|v| after.as_deref().is_none_or(|a| v.customer_id.as_str() > a))
        {
            let Some(insight) = insights.get(&view.customer_id) else {
                continue;
            };
            let segment_ok = f.segment.is_none_or(|s| {
                insight.rfm.as_ref().map(|r| GqlRfmSegment::from(r.segment)) == Some(s)
            });
            let stage_ok = f
                .stage
                .is_none_or(|s| GqlLifecycleStage::from(insight.stage) == s);
            if segment_ok && stage_ok {
                selected.push((view, insight));
                if selected.len() > first {
                    break;
                }
            }
        }
        let has_next = selected.len() > first;
        selected.truncate(first);
        let mut connection = Connection::new(after.is_some(), has_next);
        for (view, insight) in selected {
            let cases = base
                .cases
                .get(&view.customer_id)
                .cloned()
                .unwrap_or_default();
            let returns = analytics::returns_count(&services.db, &view.customer_id)
                .await
                .map_err(AppError::from)?;
            let customer = Customer::build(view, insight, &cases, returns, privacy);
            connection
                .edges
                .push(Edge::new(view.customer_id.clone(), customer));
        }
        Ok(connection)
    }

    /// Customers showing churn signals, each with its reasons, most reasons first.
    async fn churn_watchlist(
        &self,
        ctx: &Context<'_>,
        as_of: Option<NaiveDate>,
        first: Option<i32>,
    ) -> GqlResult<Vec<ChurnWatch>> {
        let principal = authorize(ctx, Permission::ReadCrm)?;
        let services = services(ctx)?;
        let first = usize::try_from(page_size(first)?).unwrap_or(20);
        let base = analytics::load_base(&services.db)
            .await
            .map_err(AppError::from)?;
        let insights = analytics::insights(&base, &services.crm.params(as_of));
        let privacy = privacy(principal);
        let mut list: Vec<ChurnWatch> = base
            .customers
            .iter()
            .filter_map(|view| {
                let insight = insights.get(&view.customer_id)?;
                (!insight.churn.is_empty()).then(|| ChurnWatch {
                    customer_id: view.customer_id.clone(),
                    name: CustomerProfile::of(view, privacy).name,
                    tier: GqlTier::from_code(&view.tier),
                    segment: insight.rfm.as_ref().map(|r| r.segment.into()),
                    lifecycle_stage: insight.stage.into(),
                    last_order_at: insight.stats.last_order_at.map(Timestamp::from),
                    reasons: churn_signals(insight),
                })
            })
            .collect();
        list.sort_by(|a, b| {
            b.reasons
                .len()
                .cmp(&a.reasons.len())
                .then_with(|| a.customer_id.cmp(&b.customer_id))
        });
        list.truncate(first);
        Ok(list)
    }

    /// The SLA targets per case type and priority, the working calendar and the roster in
    /// force (from the CRM configuration file).
    async fn service_levels(&self, ctx: &Context<'_>) -> GqlResult<ServiceLevels> {
        authorize(ctx, Permission::ReadCrm)?;
        Ok(ServiceLevels::from(&services(ctx)?.crm))
    }

    /// Service KPIs for cases opened in `period`, optionally for one agent.
    async fn service_kpis(
        &self,
        ctx: &Context<'_>,
        period: Option<PeriodInput>,
        agent: Option<String>,
    ) -> GqlResult<ServiceKpis> {
        authorize(ctx, Permission::ReadCrm)?;
        let services = services(ctx)?;
        let period = period.unwrap_or_default();
        let kpis = case_rm::kpi::service_kpis(
            &services.db,
            period.from.map(Timestamp::utc),
            period.to.map(Timestamp::utc),
            agent.as_deref(),
        )
        .await
        .map_err(AppError::from)?;
        Ok(kpis.into())
    }

    /// One case, or null.
    async fn case(
        &self,
        ctx: &Context<'_>,
        id: String,
        consistent_with: Option<Int64>,
    ) -> GqlResult<Option<Case>> {
        let privacy = privacy(authorize(ctx, Permission::ReadCrm)?);
        let services = services(ctx)?;
        wait_crm(services, opt_i64(consistent_with)).await?;
        Ok(case_rm::get(&services.db, &id)
            .await
            .map_err(AppError::from)?
            .map(|c| Case::seen_by(c, privacy)))
    }

    /// Cases, newest first; a Relay connection (`first` ≤ 100).
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn cases(
        &self,
        ctx: &Context<'_>,
        filter: Option<CaseFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        consistent_with: Option<Int64>,
    ) -> GqlResult<Connection<String, Case>> {
        let privacy = privacy(authorize(ctx, Permission::ReadCrm)?);
        let services = services(ctx)?;
        let first = page_size(first)?;
        let after = after
            .map(|a| {
                CaseCursor::decode(&a)
                    .ok_or_else(|| AppError::invalid_input("after", "not a cursor from this list"))
            })
            .transpose()?;
        wait_crm(services, opt_i64(consistent_with)).await?;
        let f = filter.unwrap_or_default();
        let filter = CaseFilter {
            status: f.status.map(|s| s.code().to_string()),
            customer_id: f.customer_id,
            owner: f.agent,
            case_type: f.case_type.map(|t| t.code().to_string()),
            priority: f.priority.map(|p| p.code().to_string()),
            opened_from: f.opened_from.map(Timestamp::utc),
            opened_to: f.opened_to.map(Timestamp::utc),
        };
        let page = case_rm::list(&services.db, &filter, first, after.as_ref())
            .await
            .map_err(AppError::from)?;
        let mut connection = Connection::new(after.is_some(), page.has_next);
        connection.edges.extend(
            page.cases
                .into_iter()
                .map(|c| Edge::new(CaseCursor::of(&c).encode(), Case::seen_by(c, privacy))),
        );
        Ok(connection)
    }
}
