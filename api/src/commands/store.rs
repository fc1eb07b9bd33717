//! Reading streams: cqrs-es's plain `PersistedEventStore` over either backend (not the
//! snapshot or aggregate stores, which apply new events twice in cqrs-es 0.5.0), with the
//! domain's upcasters. Appending is ours (`append.rs`): it must write the idempotency key in
//! the events' transaction, which the cqrs-es repositories cannot.

use cqrs_es::persist::EventStoreAggregateContext;
use cqrs_es::persist::{EventUpcaster, PersistedEventStore, SerializedEvent};
use cqrs_es::{Aggregate, AggregateError, EventEnvelope, EventStore};
use postgres_es::PostgresEventRepository;
use sqlite_es::SqliteEventRepository;
use waybill_projections::Db;

pub enum Store<A: Aggregate> {
    Postgres(PersistedEventStore<PostgresEventRepository, A>),
    Sqlite(PersistedEventStore<SqliteEventRepository, A>),
}

/// Hands old payloads to the domain's upcast chain before cqrs-es deserialises them.
struct DomainUpcaster;

impl EventUpcaster for DomainUpcaster {
    fn can_upcast(&self, event_type: &str, event_version: &str) -> bool {
        waybill_domain::upcast::needs_upcast(event_type, event_version)
    }

    fn upcast(&self, mut event: SerializedEvent) -> SerializedEvent {
        let payload = std::mem::take(&mut event.payload);
        match waybill_domain::upcast::upcast(
            &event.event_type,
            &event.event_version,
            payload.clone(),
        ) {
            Ok((version, upcast)) => {
                event.event_version = version;
                event.payload = upcast;
            }
            // Left as stored: deserialisation then fails loudly instead of misreading it.
            Err(e) => {
                tracing::error!(error = %e, aggregate_id = %event.aggregate_id, "upcast failed");
                event.payload = payload;
            }
        }
        event
    }
}

fn upcasters() -> Vec<Box<dyn EventUpcaster>> {
    vec![Box::new(DomainUpcaster)]
}

impl<A: Aggregate + 'static> Store<A> {
    pub fn new(db: &Db) -> Store<A> {
        match db {
            Db::Postgres(pool) => Store::Postgres(
                PersistedEventStore::new_event_store(PostgresEventRepository::new(pool.clone()))
                    .with_upcasters(upcasters()),
            ),
            Db::Sqlite { write, .. } => Store::Sqlite(
                PersistedEventStore::new_event_store(SqliteEventRepository::new(write.clone()))
                    .with_upcasters(upcasters()),
            ),
        }
    }

    pub async fn load(
        &self,
        id: &str,
    ) -> Result<EventStoreAggregateContext<A>, AggregateError<A::Error>> {
        match self {
            Store::Postgres(s) => s.load_aggregate(id).await,
            Store::Sqlite(s) => s.load_aggregate(id).await,
        }
    }

    pub async fn load_events(
        &self,
        id: &str,
    ) -> Result<Vec<EventEnvelope<A>>, AggregateError<A::Error>> {
        match self {
            Store::Postgres(s) => s.load_events(id).await,
            Store::Sqlite(s) => s.load_events(id).await,
        }
    }
}
