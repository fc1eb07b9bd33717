//! The registry of every event type every aggregate records, at every payload version a
//! reader can meet: the current one and each older one the upcast chain still reads.
//!
//! Tables that must say something about each event type (the API's catalogue of personal
//! data, for one) test themselves against this list, so a new event type cannot slip past
//! them. Each aggregate's `*_EVENT_TYPES` is checked against a sample of every variant by
//! that aggregate's guard tests, which is what makes this list complete.

use crate::upcast::UPCASTS;

/// One kind of fact at one payload version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct EventType {
    /// The aggregate type, as stored in the `aggregate_type` column.
    pub stream_type: &'static str,
    pub event_type: &'static str,
    pub version: &'static str,
}

/// (aggregate type, every event type, the version every event type starts at).
const STREAMS: &[(&str, &[&str], &str)] = &[
    (
        crate::order::ORDER_AGGREGATE_TYPE,
        &crate::order::ORDER_EVENT_TYPES,
        crate::order::ORDER_EVENT_VERSION,
    ),
    (
        crate::shipment::SHIPMENT_AGGREGATE_TYPE,
        &crate::shipment::SHIPMENT_EVENT_TYPES,
        crate::shipment::SHIPMENT_EVENT_VERSION,
    ),
    (
        crate::route::ROUTE_AGGREGATE_TYPE,
        &crate::route::ROUTE_EVENT_TYPES,
        crate::route::ROUTE_EVENT_VERSION,
    ),
    (
        crate::returns::RETURN_AGGREGATE_TYPE,
        &crate::returns::RETURN_EVENT_TYPES,
        crate::returns::RETURN_EVENT_VERSION,
    ),
    (
        crate::customer::CUSTOMER_AGGREGATE_TYPE,
        &crate::customer::CUSTOMER_EVENT_TYPES,
        crate::customer::CUSTOMER_EVENT_VERSION,
    ),
    (
        crate::case::CASE_AGGREGATE_TYPE,
        &crate::case::CASE_EVENT_TYPES,
        crate::case::CASE_EVENT_VERSION,
    ),
    (
        crate::network::SITE_AGGREGATE_TYPE,
        &crate::network::SITE_EVENT_TYPES,
        crate::network::SITE_EVENT_VERSION,
    ),
    (
        crate::network::VEHICLE_AGGREGATE_TYPE,
        &crate::network::VEHICLE_EVENT_TYPES,
        crate::network::VEHICLE_EVENT_VERSION,
    ),
];

/// Every aggregate type, in the order of [`STREAMS`].
pub fn stream_types() -> impl Iterator<Item = &'static str> {
    STREAMS.iter().map(|(stream, _, _)| *stream)
}

/// Every (stream type, event type, version) a reader can meet, sorted. A type whose payload
/// changed appears once per version: the versions its upcasts start from, and the version
/// the chain ends at, which is the one the code writes.
pub fn every_event_type() -> Vec<EventType> {
    let mut all = Vec::new();
    for (stream_type, types, first_version) in STREAMS {
        for event_type in *types {
            let mut version: &'static str = first_version;
            // Bounded like `upcast::upcast`, so a cycle in the table cannot loop for ever.
            for _ in 0..=UPCASTS.len() {
                let Some(step) = UPCASTS
                    .iter()
                    .find(|u| u.event_type == *event_type && u.from == version)
                else {
                    break;
                };
                all.push(EventType {
                    stream_type,
                    event_type,
                    version,
                });
                version = step.to;
            }
            all.push(EventType {
                stream_type,
                event_type,
                version,
            });
        }
    }
    all.sort();
    all.dedup();
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_every_version_a_reader_can_meet() {
        let all = every_event_type();
        let fulfilled: Vec<&str> = all
            .iter()
            .filter(|t| t.event_type == "LinesFulfilled")
            .map(|t| t.version)
            .collect();
        assert_eq!(fulfilled, ["1.0", crate::order::LINES_FULFILLED_VERSION]);
        // NpsRecorded is recorded on two kinds of stream; each is its own entry.
        assert_eq!(
            all.iter().filter(|t| t.event_type == "NpsRecorded").count(),
            2
        );
        let per_stream: usize = STREAMS.iter().map(|(_, types, _)| types.len()).sum();
        // One older version each: LinesFulfilled, OrderPlaced, ReturnRequested 1.0.
        assert_eq!(all.len(), per_stream + 3);
        assert_eq!(stream_types().count(), 8);
    }
}
