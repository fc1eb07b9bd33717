//! Executes one command against one stream: load, decide, append, with optimistic
//! concurrency, bounded retries and idempotency keys.

use std::sync::Arc;
use std::time::Duration;

use cqrs_es::event_sink::EventSink;
use cqrs_es::persist::EventStoreAggregateContext;
use cqrs_es::{Aggregate, AggregateContext, AggregateError};
use sqlx::Row;
use tokio::sync::Notify;
use tracing::{info_span, warn, Instrument};
use uuid::Uuid;
use waybill_projections::{with_db, Db};

use super::context::{Idempotency, RequestContext};
use super::store::Store;
use crate::error::AppError;

/// How often a command is retried after meeting a concurrent append to its stream.
pub const MAX_ATTEMPTS: u32 = 8;

/// What a client learns when its write is durable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandOutcome {
    pub stream_id: String,
    /// The stream's version after the write (its last sequence number).
    pub version: i64,
    /// Global position of the last event written; 0 when the command changed nothing.
    pub position: i64,
    /// True when an earlier identical request answered this one and nothing was appended.
    pub replayed: bool,
}

/// Options a caller may attach to one command.
#[derive(Clone, Debug, Default)]
pub struct CommandOptions {
    pub expected_version: Option<i64>,
    pub idempotency: Option<Idempotency>,
    /// The stream is expected not to exist (a creation with a fresh or derived id): the first
    /// attempt decides against an empty aggregate without reading the store. If the stream
    /// does exist the append conflicts, and the retry loads it as usual.
    pub expect_new_stream: bool,
}

pub struct CommandService {
    db: Db,
    /// Wakes the local projection runner after an append.
    appended: Arc<Notify>,
}

impl CommandService {
    pub fn new(db: Db, appended: Arc<Notify>) -> CommandService {
        CommandService { db, appended }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Loads the stream, lets the aggregate decide, appends what it decided.
    pub async fn execute<A>(
        &self,
        store: &Store<A>,
        stream_id: &str,
        command: A::Command,
        ctx: &RequestContext,
        options: &CommandOptions,
    ) -> Result<CommandOutcome, AppError>
    where
        A: Aggregate<Services = ()> + 'static,
        A::Command: Clone + Send + Sync,
        A::Error: Into<AppError>,
    {
        let span =
            info_span!("command", aggregate = A::TYPE, stream_id, request_id = %ctx.request_id);
        async {
            if let Some(found) = self.replay(options.idempotency.as_ref(), ctx).await? {
                return Ok(found);
            }
            let command_id = Uuid::now_v7().to_string();
            for attempt in 1..=MAX_ATTEMPTS {
                let mut context = if attempt == 1 && options.expect_new_stream {
                    EventStoreAggregateContext {
                        aggregate_id: stream_id.to_string(),
                        aggregate: A::default(),
                        current_sequence: 0,
                        current_snapshot: None,
                    }
                } else {
                    store
                        .load(stream_id)
                        .await
                        .map_err(|e| from_aggregate_error(e, "loading a stream"))?
                };
                let current = context.current_sequence as i64;
                if let Some(expected) = options.expected_version {
                    if expected != current {
                        return Err(AppError::conflict(format!(
                            "expected version {expected} but the stream is at version {current}"
                        )));
                    }
                }
                let sink = EventSink::default();
                if let Err(rejected) = context
                    .aggregate()
                    .handle(command.clone(), &(), &sink)
                    .await
                {
                    // A concurrent request with the same key may have committed between our
                    // first look and our load: then the state we judged already holds its
                    // effect, and the right answer is that request's result.
                    if let Some(found) = self.replay(options.idempotency.as_ref(), ctx).await? {
                        return Ok(found);
                    }
                    return Err(rejected.into());
                }
                let events = sink.collect().await;
                if events.is_empty() {
                    return Ok(CommandOutcome {
                        stream_id: stream_id.to_string(),
                        version: current,
                        position: 0,
                        replayed: false,
                    });
                }
                let metadata = ctx.metadata(&command_id, options.idempotency.as_ref());
                match store.commit(events, context, metadata).await {
                    Ok(written) => {
                        let version = written.last().map_or(current, |e| e.sequence as i64);
                        let position = self.position_of(A::TYPE, stream_id, version).await?;
                        self.appended.notify_one();
                        return Ok(CommandOutcome {
                            stream_id: stream_id.to_string(),
                            version,
                            position,
                            replayed: false,
                        });
                    }
                    Err(AggregateError::AggregateConflict) => {
                        if options.expected_version.is_some() {
                            return Err(AppError::conflict(
                                "another write reached the stream first; reload and retry",
                            ));
                        }
                        // A concurrent duplicate of this very request may be what won (or the
                        // stream we took for new already existed).
                        if let Some(found) = self.replay(options.idempotency.as_ref(), ctx).await? {
                            return Ok(found);
                        }
                        // A stream taken for new that already existed is not contention.
                        if !(options.expect_new_stream && attempt == 1) {
                            warn!(attempt, "concurrent append; retrying after reload");
                            tokio::time::sleep(jitter(attempt)).await;
                        }
                    }
                    Err(e) => return Err(from_aggregate_error(e, "appending events")),
                }
            }
            Err(AppError::conflict(format!(
                "the stream kept changing under {MAX_ATTEMPTS} attempts; retry later"
            )))
        }
        .instrument(span)
        .await
    }

    pub async fn position_of(
        &self,
        aggregate_type: &str,
        stream_id: &str,
        sequence: i64,
    ) -> Result<i64, AppError> {
        let position: Option<i64> = with_db!(&self.db, pool =>
            sqlx::query_scalar(
                "SELECT global_position FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence = $3",
            )
            .bind(aggregate_type)
            .bind(stream_id)
            .bind(sequence)
            .fetch_optional(pool)
            .await?);
        Ok(position.unwrap_or(0))
    }

    /// The first answer given to this idempotency key by this caller, if any.
    async fn replay(
        &self,
        idempotency: Option<&Idempotency>,
        ctx: &RequestContext,
    ) -> Result<Option<CommandOutcome>, AppError> {
        let Some(idem) = idempotency else {
            return Ok(None);
        };
        let sql = match self.db.backend() {
            waybill_projections::Backend::Postgres => {
                "SELECT aggregate_id, MAX(sequence) AS version, MAX(global_position) AS position, \
                        MIN(metadata ->> 'idempotency_fingerprint') AS fingerprint \
                   FROM events \
                  WHERE metadata ->> 'idempotency_key' = $1 AND metadata ->> 'actor_key_id' = $2 \
                  GROUP BY aggregate_type, aggregate_id"
            }
            waybill_projections::Backend::Sqlite => {
                "SELECT aggregate_id, MAX(sequence) AS version, MAX(global_position) AS position, \
                        MIN(json_extract(metadata, '$.idempotency_fingerprint')) AS fingerprint \
                   FROM events \
                  WHERE json_extract(metadata, '$.idempotency_key') = $1 \
                    AND json_extract(metadata, '$.actor_key_id') = $2 \
                  GROUP BY aggregate_type, aggregate_id"
            }
        };
        let found = with_db!(&self.db, pool =>
            sqlx::query(sql)
                .bind(&idem.key)
                .bind(&ctx.principal.key_id)
                .fetch_optional(pool)
                .await?
                .map(|row| -> Result<(String, i64, i64, Option<String>), sqlx::Error> {
                    Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?, row.try_get(3)?))
                })
                .transpose()?);
        let Some((stream_id, version, position, fingerprint)) = found else {
            return Ok(None);
        };
        if fingerprint.as_deref() != Some(idem.fingerprint.as_str()) {
            return Err(AppError::invalid_input(
                "idempotencyKey",
                "this idempotency key was already used for a different request",
            ));
        }
        Ok(Some(CommandOutcome {
            stream_id,
            version,
            position,
            replayed: true,
        }))
    }
}

fn jitter(attempt: u32) -> Duration {
    let base = 2u64.saturating_pow(attempt.min(6));
    Duration::from_millis(base + u64::from(rand::random::<u8>() % 8))
}

fn from_aggregate_error<E: std::error::Error + Into<AppError>>(
    e: AggregateError<E>,
    context: &str,
) -> AppError {
    match e {
        AggregateError::UserError(e) => e.into(),
        AggregateError::AggregateConflict => AppError::conflict("concurrent write; retry"),
        AggregateError::DatabaseConnectionError(e)
        | AggregateError::DeserializationError(e)
        | AggregateError::UnexpectedError(e) => AppError::internal(context, e.as_ref()),
    }
}
