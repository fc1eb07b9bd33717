//! Auditors' use cases: history by stream or correlation, state as of a version or a time
//! (folded from the stored events, upcast on the way), differences between two points, and
//! the tamper checks.

use chrono::{DateTime, Utc};
use cqrs_es::Aggregate;
use serde_json::Value;
use waybill_domain::case::{Case, CASE_AGGREGATE_TYPE};
use waybill_domain::customer::{Customer, CUSTOMER_AGGREGATE_TYPE};
use waybill_domain::network::{Site, SITE_AGGREGATE_TYPE};
use waybill_domain::network::{Vehicle, VEHICLE_AGGREGATE_TYPE};
use waybill_domain::order::{Order, ORDER_AGGREGATE_TYPE};
use waybill_domain::returns::{Return, RETURN_AGGREGATE_TYPE};
use waybill_domain::route::{Route, ROUTE_AGGREGATE_TYPE};
use waybill_domain::shipment::{Shipment, SHIPMENT_AGGREGATE_TYPE};
use waybill_projections::log::{self, StoredEvent};

use crate::error::{AppError, ErrorCode};
use crate::privacy::{self, Audience};
use crate::services::Services;

/// A point in a stream's life.
#[derive(Clone, Copy, Debug)]
pub enum AsOf {
    /// After the event with this sequence number (0 = before the first).
    Version(i64),
    /// After every event recorded at or before this instant.
    Time(DateTime<Utc>),
}

/// A stream's state at one point.
#[derive(Clone, Debug, PartialEq)]
pub struct StateAt {
    pub version: i64,
    pub recorded_at: Option<DateTime<Utc>>,
    pub state: Value,
}

/// One changed value between two states; `path` is a JSON pointer.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub path: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// The stream types time travel knows how to fold: every aggregate Waybill has.
pub const FOLDABLE: &[&str] = &[
    ORDER_AGGREGATE_TYPE,
    SHIPMENT_AGGREGATE_TYPE,
    ROUTE_AGGREGATE_TYPE,
    RETURN_AGGREGATE_TYPE,
    CUSTOMER_AGGREGATE_TYPE,
    CASE_AGGREGATE_TYPE,
    SITE_AGGREGATE_TYPE,
    VEHICLE_AGGREGATE_TYPE,
];

/// The stored name of a stream type, matched without regard to case (`customer`, `CUSTOMER`
/// → `Customer`); an unknown name is refused with the list, since a filter on a name that can
/// never match would answer "nothing happened" when it was misspelt.
pub fn stream_type(field: &str, name: &str) -> Result<&'static str, AppError> {
    waybill_domain::event_types::stream_types()
        .find(|known| known.eq_ignore_ascii_case(name.trim()))
        .ok_or_else(|| {
            let known: Vec<&str> = waybill_domain::event_types::stream_types().collect();
            AppError::invalid_input(
                field,
                format!(
                    "unknown stream type {name:?}; the stream types are {}",
                    known.join(", ")
                ),
            )
        })
}

fn fold<A: Aggregate>(events: &[StoredEvent]) -> Result<Value, AppError> {
    let mut aggregate = A::default();
    for e in events {
        let event: A::Event = serde_json::from_value(e.payload.clone()).map_err(|err| {
            AppError::internal(
                &format!(
                    "reading {} {}#{}",
                    e.aggregate_type, e.aggregate_id, e.sequence
                ),
                &err,
            )
        })?;
        aggregate.apply(event);
    }
    let folded = serde_json::to_value(&aggregate)
        .map_err(|e| AppError::internal("showing a folded state", &e))?;
    // Every aggregate is `{ state: Option<…> }`; that wrapper is plumbing, the state is what
    // an auditor asked for.
    Ok(match folded {
        Value::Object(mut members) if members.len() == 1 && members.contains_key("state") => {
            members.remove("state").unwrap_or(Value::Null)
        }
        other => other,
    })
}

impl Services {
    pub async fn stream_history(
        &self,
        stream_type: &str,
        stream_id: &str,
        after_sequence: i64,
        limit: i64,
    ) -> Result<Vec<StoredEvent>, AppError> {
        Ok(log::read_stream(&self.db, stream_type, stream_id, after_sequence, limit).await?)
    }

    pub async fn correlated_events(
        &self,
        correlation_id: &str,
        limit: i64,
    ) -> Result<Vec<StoredEvent>, AppError> {
        Ok(log::read_correlated(&self.db, correlation_id, limit).await?)
    }

    /// Folds the stream's events up to `at`; `None` when the stream did not exist yet.
    pub async fn state_as_of(
        &self,
        stream_type: &str,
        stream_id: &str,
        at: AsOf,
    ) -> Result<Option<StateAt>, AppError> {
        if !FOLDABLE.contains(&stream_type) {
            return Err(AppError::invalid_input(
                "streamType",
                format!("time travel knows {FOLDABLE:?}, not {stream_type:?}"),
            ));
        }
        let all = log::read_stream(&self.db, stream_type, stream_id, 0, i64::MAX).await?;
        let head = all.last().map_or(0, |e| e.sequence);
        if let AsOf::Version(v) = at {
            if v > head {
                return Err(AppError::invalid_input(
                    "version",
                    format!("{stream_type} {stream_id} is at version {head}; version {v} has not happened"),
                )
                .with_reason("past_head"));
            }
        }
        let upto: Vec<StoredEvent> = all
            .into_iter()
            .take_while(|e| match at {
                AsOf::Version(v) => e.sequence <= v,
                AsOf::Time(t) => e.recorded_at <= t,
            })
            .collect();
        let Some(last) = upto.last() else {
            return Ok(None);
        };
        let state = match stream_type {
            ORDER_AGGREGATE_TYPE => fold::<Order>(&upto)?,
            SHIPMENT_AGGREGATE_TYPE => fold::<Shipment>(&upto)?,
            ROUTE_AGGREGATE_TYPE => fold::<Route>(&upto)?,
            RETURN_AGGREGATE_TYPE => fold::<Return>(&upto)?,
            CUSTOMER_AGGREGATE_TYPE => fold::<Customer>(&upto)?,
            CASE_AGGREGATE_TYPE => fold::<Case>(&upto)?,
            SITE_AGGREGATE_TYPE => fold::<Site>(&upto)?,
            VEHICLE_AGGREGATE_TYPE => fold::<Vehicle>(&upto)?,
            other => {
                return Err(AppError::new(
                    ErrorCode::Internal,
                    format!("no fold for {other}"),
                ))
            }
        };
        Ok(Some(StateAt {
            version: last.sequence,
            recorded_at: Some(last.recorded_at),
            state,
        }))
    }
}

/// What changed between two states of a `stream_type` stream, as `audience` may see it.
/// Changes are found on the clear states, so a masked value that changed is still listed
/// (a new phone with the same masked form shows as a change); the values shown are taken
/// from the masked states at each changed path.
pub fn diff_seen_by(
    audience: Audience,
    stream_type: &str,
    before: &Value,
    after: &Value,
) -> Vec<Change> {
    let changes = diff(before, after);
    if audience == Audience::Clear {
        return changes;
    }
    let (mut masked_before, mut masked_after) = (before.clone(), after.clone());
    privacy::stream_state(audience, stream_type, &mut masked_before);
    privacy::stream_state(audience, stream_type, &mut masked_after);
    let at = |state: &Value, path: &str| {
        if path == "/" {
            Some(state.clone())
        } else {
            state.pointer(path).cloned()
        }
    };
    changes
        .into_iter()
        .map(|c| Change {
            before: c.before.and(at(&masked_before, &c.path)),
            after: c.after.and(at(&masked_after, &c.path)),
            path: c.path,
        })
        .collect()
}

/// Every leaf that differs between two JSON values.
pub fn diff(before: &Value, after: &Value) -> Vec<Change> {
    let mut changes = Vec::new();
    walk("", Some(before), Some(after), &mut changes);
    changes
}

fn walk(path: &str, before: Option<&Value>, after: Option<&Value>, out: &mut Vec<Change>) {
    match (before, after) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let escaped = k.replace('~', "~0").replace('/', "~1");
                walk(&format!("{path}/{escaped}"), a.get(k), b.get(k), out);
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) => {
            for i in 0..a.len().max(b.len()) {
                walk(&format!("{path}/{i}"), a.get(i), b.get(i), out);
            }
        }
        (a, b) if a != b => out.push(Change {
            path: if path.is_empty() {
                "/".into()
            } else {
                path.to_string()
            },
            before: a.cloned(),
            after: b.cloned(),
        }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn diff_lists_changed_added_and_removed_leaves() {
        let a = json!({"status": "placed", "lines": [1, 2], "gone": true, "same": {"x": 1}});
        let b = json!({"status": "paid", "lines": [1, 3, 4], "new": "y", "same": {"x": 1}});
        let paths: Vec<String> = diff(&a, &b).into_iter().map(|c| c.path).collect();
        assert_eq!(
            paths,
            vec!["/gone", "/lines/1", "/lines/2", "/new", "/status"]
        );
        assert!(diff(&a, &a).is_empty());
    }

    #[test]
    fn a_masked_change_is_still_a_change() {
        let state =
            |phone: &str| json!({"profile": {"name": "Li Lei", "phone": phone}, "tier": "regular"});
        // Same first three and last four digits: the masked forms are equal.
        let (before, after) = (state("13812340000"), state("13899990000"));
        let changes = diff_seen_by(Audience::Masked, "Customer", &before, &after);
        assert_eq!(
            changes,
            vec![Change {
                path: "/profile/phone".into(),
                before: Some(json!("138****0000")),
                after: Some(json!("138****0000")),
            }]
        );
        let clear = diff_seen_by(Audience::Clear, "Customer", &before, &after);
        assert_eq!(clear[0].after, Some(json!("13899990000")));
        let created = diff_seen_by(Audience::Masked, "Customer", &Value::Null, &after);
        assert_eq!(created[0].path, "/");
        assert_eq!(
            created[0]
                .after
                .as_ref()
                .map(|s| s["profile"]["name"].clone()),
            Some(json!("L* L**"))
        );
    }
}
