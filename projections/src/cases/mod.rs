//! The `cases` projection (`rm_cases`): one document per service case, with its SLA clocks
//! and their transition history, so breach history is queryable without replaying streams.
//! `next_due_at` (earliest deadline of a running clock) is a column so the durable timer
//! policy's breach sweep is an indexed range scan. [`kpi`] computes service KPIs at query
//! time with the pure `waybill_domain::crm` functions over the rows read here.

pub mod kpi;
mod query;
mod view;

pub use query::{
    cases_of_customer, due_before, get, list, open_per_owner, CaseCursor, CaseFilter, CasePage,
};
pub use view::{apply, CaseStep, CaseView, ClockTransition, ClockView};

use waybill_domain::case::CASE_AGGREGATE_TYPE;

use crate::document::{Column, ColumnType, ColumnValue, DocumentProjection};
use crate::log::StoredEvent;
use crate::projection::ProjectionError;

pub struct CasesProjection;

pub const NAME: &str = "cases";
pub const TABLE: &str = "rm_cases";

const fn text(name: &'static str) -> Column {
    Column {
        name,
        kind: ColumnType::Text,
    }
}

const fn bigint(name: &'static str) -> Column {
    Column {
        name,
        kind: ColumnType::BigInt,
    }
}

impl DocumentProjection for CasesProjection {
    type Doc = CaseView;
    const NAME: &'static str = NAME;
    const TABLE: &'static str = TABLE;
    const COLUMNS: &'static [Column] = &[
        text("customer_id"),
        text("status"),
        text("case_type"),
        text("priority"),
        text("owner"),
        text("first_contact_owner"),
        bigint("opened_at"),
        bigint("next_due_at"),
    ];
    const INDEXES: &'static [&'static [&'static str]] = &[
        &["-opened_at", "-id"],
        &["customer_id"],
        &["owner", "status"],
        &["next_due_at"],
    ];

    fn keys(&self, event: &StoredEvent) -> Vec<String> {
        if event.aggregate_type == CASE_AGGREGATE_TYPE {
            vec![event.aggregate_id.clone()]
        } else {
            Vec::new()
        }
    }

    fn apply(
        &self,
        _key: &str,
        doc: Option<CaseView>,
        event: &StoredEvent,
    ) -> Result<Option<CaseView>, ProjectionError> {
        view::apply(doc, event)
    }

    fn column_values(&self, doc: &CaseView) -> Vec<ColumnValue> {
        vec![
            ColumnValue::Text(Some(doc.customer_id.clone())),
            ColumnValue::Text(Some(doc.status.clone())),
            ColumnValue::Text(Some(doc.case_type.clone())),
            ColumnValue::Text(Some(doc.priority.clone())),
            ColumnValue::Text(Some(doc.owner.clone())),
            ColumnValue::Text(Some(doc.first_contact_owner.clone())),
            ColumnValue::BigInt(Some(doc.opened_at.timestamp_micros())),
            ColumnValue::BigInt(doc.next_due_at().map(|t| t.timestamp_micros())),
        ]
    }
}
