//! Time-based customer care: the churn recall (a coupon for customers showing churn
//! signals) and birthday greetings (a scheduled outbound care interaction), plus the
//! periodic task that runs them and the SLA breach sweep.
//!
//! Each sweep takes the [`Clock`] to read, so tests run them at chosen instants. Commands
//! are keyed by what they are about and the period (customer + month for a recall,
//! customer + year for a birthday), and the aggregate refuses a duplicate coupon code or
//! interaction id, so a sweep repeated, restarted or run by two replicas acts once.

use std::sync::Arc;
use std::time::Duration;

use chrono::{Datelike, NaiveDate, TimeDelta};
use tokio::sync::watch;
use tracing::error;
use waybill_domain::customer::{CustomerCommand, Direction, Interaction, InteractionKind};
use waybill_domain::money::Currency;
use waybill_projections::customers::{self, analytics, CustomerFilter};
use waybill_projections::supervision::catching_panics;

use super::loyalty::settle;
use crate::auth::{Principal, Role};
use crate::commands::context::RequestContext;
use crate::commands::orders::WriteOptions;
use crate::crm::Clock;
use crate::error::AppError;
use crate::services::Services;

/// What a churn-recall coupon is worth (minor units, CNY) and how long it lasts.
pub const RECALL_COUPON_MINOR: i64 = 2_000;
pub const RECALL_COUPON_DAYS: i64 = 30;
pub const RECALL_REASON: &str = "churn recall";

fn context(name: &str) -> RequestContext {
    RequestContext::new(
        Principal {
            key_id: format!("policy:{name}"),
            role: Role::Admin,
        },
        None,
        None,
    )
}

fn keyed(key: String) -> WriteOptions {
    WriteOptions {
        expected_version: None,
        request: key.clone(),
        idempotency_key: Some(key),
    }
}

/// Issues one recall coupon per month to each customer on the churn watchlist.
pub async fn sweep_churn_recall(services: &Services, clock: &dyn Clock) -> Result<usize, AppError> {
    let now = clock.now();
    let params = services
        .crm
        .params(Some(services.crm.calendar.local_date(now)));
    let base = analytics::load_base(&services.db).await?;
    let insights = analytics::insights(&base, &params);
    let ctx = context("churn-recall");
    let month = params.as_of.format("%Y%m").to_string();
    let mut issued = 0;
    for insight in insights.values().filter(|i| !i.churn.is_empty()) {
        let id = &insight.customer_id;
        let command = CustomerCommand::IssueCoupon {
            code: format!("RECALL-{month}-{}", short_hash(id)),
            amount_minor: RECALL_COUPON_MINOR,
            currency: Currency::CNY,
            reason: RECALL_REASON.into(),
            expires_at: Some(now + TimeDelta::days(RECALL_COUPON_DAYS)),
            at: now,
        };
        let options = keyed(format!("churn-recall:{id}:{month}"));
        match services.customer_command(&ctx, id, command, &options).await {
            Ok(outcome) if !outcome.replayed => issued += 1,
            other => settle(other)?,
        }
    }
    Ok(issued)
}

/// A stable short tag for ids inside coupon codes (ids may be long or hold odd characters).
fn short_hash(id: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(id.as_bytes())[..6])
}

/// Schedules a birthday greeting (outbound care interaction) for today's birthdays.
pub async fn sweep_birthdays(services: &Services, clock: &dyn Clock) -> Result<usize, AppError> {
    let now = clock.now();
    let today: NaiveDate = services.crm.calendar.local_date(now);
    let filter = CustomerFilter {
        birthday_md: Some(today.format("%m-%d").to_string()),
        ..CustomerFilter::default()
    };
    let ctx = context("birthdays");
    let mut greeted = 0;
    for customer in customers::list(&services.db, &filter).await? {
        let id = &customer.customer_id;
        let interaction = Interaction {
            interaction_id: format!("birthday-{}", today.year()),
            direction: Direction::Outbound,
            channel: customer.profile.preferred_contact,
            kind: InteractionKind::Care,
            topic: "birthday greeting".into(),
            summary: format!("Birthday greeting scheduled for {today}"),
            agent: None,
            order_id: None,
            shipment_id: None,
            return_id: None,
            case_id: None,
            occurred_at: now,
        };
        let options = keyed(format!("birthday:{id}:{}", today.year()));
        let command = CustomerCommand::RecordInteraction(interaction);
        match services.customer_command(&ctx, id, command, &options).await {
            Ok(outcome) if !outcome.replayed => greeted += 1,
            other => settle(other)?,
        }
    }
    Ok(greeted)
}

/// The periodic task: SLA breaches every 30 s; churn recall and birthdays once per local day.
pub async fn run_sweeps(services: Arc<Services>, mut shutdown: watch::Receiver<bool>) {
    let mut daily_done: Option<NaiveDate> = None;
    loop {
        if *shutdown.borrow() {
            return;
        }
        let clock = services.crm.clock.as_ref();
        // A panic in a sweep is logged and retried like an error: it must not end the task.
        let breaches = catching_panics(async {
            super::sla::sweep_breaches(&services, clock)
                .await
                .map_err(|e| e.message)
        });
        if let Err(e) = breaches.await {
            error!(error = %e, "SLA breach sweep failed; will retry");
        }
        let today = services.crm.calendar.local_date(clock.now());
        if daily_done != Some(today) {
            let daily = catching_panics(async {
                let churn = sweep_churn_recall(&services, clock).await;
                let birthdays = sweep_birthdays(&services, clock).await;
                churn.and(birthdays).map_err(|e| e.message)
            });
            match daily.await {
                Ok(_) => daily_done = Some(today),
                Err(e) => error!(error = %e, "care sweep failed; will retry"),
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(30)) => {}
            _ = shutdown.changed() => return,
        }
    }
}
