//! The global event feed integrators use to catch up, in commit order.

use crate::graphql::scalars::{opt_i64, Int64};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Json, Object, SimpleObject};
use waybill_projections::log::{self, Checkpoint, LogQuery, StoredEvent};

use super::context::{authorize, page_cost, page_size, services};
use super::error::GqlResult;
use crate::auth::Permission;
use crate::error::AppError;
use crate::graphql::timestamp::Timestamp;
use crate::privacy::{self, Audience};

/// One stored event.
#[derive(SimpleObject)]
pub struct Event {
    /// Global position (insertion order; the cursor gives commit order).
    pub position: Int64,
    pub event_id: String,
    pub stream_type: String,
    pub stream_id: String,
    /// Position within its stream, from 1.
    pub sequence: Int64,
    pub event_type: String,
    /// The payload's version as shown (current; old payloads are upcast on read).
    pub event_version: String,
    /// The version the payload was written with.
    pub stored_version: String,
    pub payload: Json<serde_json::Value>,
    /// Actor, correlation, causation, request and idempotency ids, occurrence time.
    pub metadata: Json<serde_json::Value>,
    pub recorded_at: Timestamp,
    /// This event's link in its stream's hash chain.
    pub hash: Option<String>,
}

impl Event {
    /// The event as `audience` may see it: personal data in the payload masked per the
    /// catalogue (`crate::privacy`); metadata and hash as stored. The only way to build one.
    pub fn seen_by(mut e: StoredEvent, audience: Audience) -> Self {
        privacy::event_payload(
            audience,
            &e.aggregate_type,
            &e.event_type,
            &e.event_version,
            &mut e.payload,
        );
        Event {
            position: Int64(e.position),
            event_id: e.event_id,
            stream_type: e.aggregate_type,
            stream_id: e.aggregate_id,
            sequence: Int64(e.sequence),
            event_type: e.event_type,
            event_version: e.event_version,
            stored_version: e.stored_version,
            payload: Json(e.payload),
            metadata: Json(e.metadata),
            recorded_at: e.recorded_at.into(),
            hash: e.hash,
        }
    }
}

/// Cursors are opaque to clients; inside they are the commit-order pair.
pub fn encode_cursor(c: Checkpoint) -> String {
    format!("{}.{}", c.tx_id, c.position)
}

pub fn decode_cursor(cursor: &str) -> Result<Checkpoint, AppError> {
    let bad =
        || AppError::invalid_input("after", format!("not a cursor from this feed: {cursor:?}"));
    let (tx, pos) = cursor.split_once('.').ok_or_else(bad)?;
    let checkpoint = Checkpoint {
        tx_id: tx.parse().map_err(|_| bad())?,
        position: pos.parse().map_err(|_| bad())?,
    };
    if checkpoint.tx_id < 0 || checkpoint.position < 0 {
        return Err(bad());
    }
    Ok(checkpoint)
}

#[derive(Default)]
pub struct EventQueries;

#[Object]
impl EventQueries {
    /// Events after a cursor, oldest first. Only committed events are returned, in commit
    /// order, so following `endCursor` never skips one. With `consistentWith` (a position from
    /// a mutation result) it first waits until that event is readable.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn events(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        first: Option<i32>,
        stream_type: Option<String>,
        consistent_with: Option<Int64>,
    ) -> GqlResult<Connection<String, Event>> {
        let audience = Audience::of(authorize(ctx, Permission::ReadEventLog)?.role);
        if let Some(p) = opt_i64(consistent_with) {
            services(ctx)?.wait_visible(p).await?;
        }
        let limit = page_size(first)?;
        let after = after
            .as_deref()
            .map(decode_cursor)
            .transpose()?
            .unwrap_or_default();
        let query = LogQuery {
            after,
            limit: limit + 1,
            aggregate_type: stream_type
                .map(|name| crate::audit::stream_type("streamType", &name).map(String::from))
                .transpose()?,
        };
        let mut events = log::read_feed(&services(ctx)?.db, &query)
            .await
            .map_err(AppError::from)?;
        let has_next = events.len() as i64 > limit;
        events.truncate(limit as usize);
        let mut connection = Connection::new(after != Checkpoint::default(), has_next);
        connection.edges.extend(
            events
                .into_iter()
                .map(|e| Edge::new(encode_cursor(e.checkpoint()), Event::seen_by(e, audience))),
        );
        Ok(connection)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = Checkpoint {
            tx_id: 812,
            position: 40,
        };
        assert_eq!(decode_cursor(&encode_cursor(c)).ok(), Some(c));
        for bad in ["", "1", "a.b", "1.-2", "-1.2", "1.2.3"] {
            assert!(decode_cursor(bad).is_err(), "{bad}");
        }
    }
}
