//! The cqrs-es event store over either backend: the plain `PersistedEventStore` (not the
//! snapshot or aggregate stores, which apply new events twice in cqrs-es 0.5.0).

use std::collections::HashMap;

use cqrs_es::persist::EventStoreAggregateContext;
use cqrs_es::persist::PersistedEventStore;
use cqrs_es::{Aggregate, AggregateError, EventEnvelope, EventStore};
use postgres_es::PostgresEventRepository;
use sqlite_es::SqliteEventRepository;
use waybill_projections::Db;

pub enum Store<A: Aggregate> {
    Postgres(PersistedEventStore<PostgresEventRepository, A>),
    Sqlite(PersistedEventStore<SqliteEventRepository, A>),
}

impl<A: Aggregate + 'static> Store<A> {
    pub fn new(db: &Db) -> Store<A> {
        match db {
            Db::Postgres(pool) => Store::Postgres(PersistedEventStore::new_event_store(
                PostgresEventRepository::new(pool.clone()),
            )),
            Db::Sqlite { write, .. } => Store::Sqlite(PersistedEventStore::new_event_store(
                SqliteEventRepository::new(write.clone()),
            )),
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

    pub async fn commit(
        &self,
        events: Vec<A::Event>,
        context: EventStoreAggregateContext<A>,
        metadata: HashMap<String, String>,
    ) -> Result<Vec<EventEnvelope<A>>, AggregateError<A::Error>> {
        match self {
            Store::Postgres(s) => s.commit(events, context, metadata).await,
            Store::Sqlite(s) => s.commit(events, context, metadata).await,
        }
    }
}
