//! Executes one command against one stream: load, decide, append, with optimistic
//! concurrency, bounded retries and idempotency keys (stored in their own table, claimed in
//! the append's transaction: see `append.rs`).

use std::sync::Arc;
use std::time::Duration;

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, AggregateError, DomainEvent};
use tokio::sync::Notify;
use tracing::{info_span, warn, Instrument};
use uuid::Uuid;
use waybill_projections::{with_db, Db};

use super::append::{self, Append, AppendError, KeyClaim, NewEvent};
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
    ///
    /// With an idempotency key: a key already stored for this caller answers at once; the
    /// append claims the key in the same transaction as the events, so of concurrent
    /// duplicates exactly one writes and every other one answers with its result.
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
            let idempotency = options.idempotency.as_ref();
            if let Some(found) = self.replay(idempotency, ctx).await? {
                return Ok(found);
            }
            let command_id = Uuid::now_v7().to_string();
            let metadata = serde_json::to_value(ctx.metadata(&command_id, idempotency))
                .map_err(|e| AppError::internal("serialising metadata", &e))?;
            let claim = idempotency.map(|i| KeyClaim {
                principal: &ctx.principal.key_id,
                key: &i.key,
                fingerprint: &i.fingerprint,
            });
            for attempt in 1..=MAX_ATTEMPTS {
                let (mut aggregate, current) = if attempt == 1 && options.expect_new_stream {
                    (A::default(), 0)
                } else {
                    let loaded = store
                        .load(stream_id)
                        .await
                        .map_err(|e| from_aggregate_error(e, "loading a stream"))?;
                    (loaded.aggregate, loaded.current_sequence as i64)
                };
                if let Some(expected) = options.expected_version {
                    if expected != current {
                        return Err(AppError::conflict(format!(
                            "expected version {expected} but the stream is at version {current}"
                        )));
                    }
                }
                let sink = EventSink::default();
                if let Err(rejected) = aggregate.handle(command.clone(), &(), &sink).await {
                    // A concurrent request with the same key may have committed between our
                    // first look and our load: then the state we judged already holds its
                    // effect, and the right answer is that request's result.
                    if let Some(found) = self.replay(idempotency, ctx).await? {
                        return Ok(found);
                    }
                    return Err(rejected.into());
                }
                let events = serialise::<A>(sink.collect().await)?;
                if events.is_empty() {
                    return Ok(CommandOutcome {
                        stream_id: stream_id.to_string(),
                        version: current,
                        position: 0,
                        replayed: false,
                    });
                }
                let append = Append {
                    aggregate_type: A::TYPE,
                    aggregate_id: stream_id,
                    after_version: current,
                    events: &events,
                    metadata: &metadata,
                    key: claim,
                };
                match append::append(&self.db, &append).await {
                    Ok(written) => {
                        self.appended.notify_one();
                        return Ok(CommandOutcome {
                            stream_id: stream_id.to_string(),
                            version: written.version,
                            position: written.position,
                            replayed: false,
                        });
                    }
                    Err(AppendError::KeyTaken) => {
                        // The winner has committed (PostgreSQL holds our insert until it
                        // does; SQLite has one writer): its row is there to answer with.
                        return match self.replay(idempotency, ctx).await? {
                            Some(found) => Ok(found),
                            None => Err(AppError::conflict(
                                "a concurrent request with this idempotency key is in flight; retry",
                            )),
                        };
                    }
                    Err(AppendError::StreamConflict) => {
                        // A concurrent duplicate of this very request may be what won (or the
                        // stream we took for new already existed).
                        if let Some(found) = self.replay(idempotency, ctx).await? {
                            return Ok(found);
                        }
                        if options.expected_version.is_some() {
                            return Err(AppError::conflict(
                                "another write reached the stream first; reload and retry",
                            ));
                        }
                        // A stream taken for new that already existed is not contention.
                        if !(options.expect_new_stream && attempt == 1) {
                            warn!(attempt, "concurrent append; retrying after reload");
                            tokio::time::sleep(jitter(attempt)).await;
                        }
                    }
                    Err(e) => return Err(AppError::internal("appending events", &e)),
                }
            }
            Err(AppError::conflict(format!(
                "the stream kept changing under {MAX_ATTEMPTS} attempts; retry later"
            )))
        }
        .instrument(span)
        .await
    }

    /// Loads one stream and lets its aggregate decide, writing nothing: one part of a command
    /// that spans several streams (see [`CommandService::execute_all`]).
    pub async fn decide<A>(
        &self,
        store: &Store<A>,
        stream_id: &str,
        command: A::Command,
    ) -> Result<Decision<A>, AppError>
    where
        A: Aggregate<Services = ()> + 'static,
        A::Error: Into<AppError>,
    {
        let loaded = store
            .load(stream_id)
            .await
            .map_err(|e| from_aggregate_error(e, "loading a stream"))?;
        let mut aggregate = loaded.aggregate;
        let sink = EventSink::default();
        let handled = aggregate.handle(command, &(), &sink).await;
        let result = match handled {
            Err(rejected) => Err(rejected.into()),
            Ok(()) => serialise::<A>(sink.collect().await).map(|events| Decided {
                aggregate_type: A::TYPE,
                stream_id: stream_id.to_string(),
                after_version: loaded.current_sequence as i64,
                events,
            }),
        };
        Ok(Decision { aggregate, result })
    }

    /// Executes a command that spans several streams: `decide` loads and decides every
    /// stream it touches (through [`CommandService::decide`], writing nothing), and only when
    /// every part is accepted are all of them appended in one transaction, each with its own
    /// optimistic version check. A refusal anywhere writes nothing anywhere. When a concurrent
    /// append reaches one of the streams first, everything is decided again on fresh loads
    /// (bounded). The idempotency key, if any, is claimed with the first part.
    pub async fn execute_all<F, Fut>(
        &self,
        ctx: &RequestContext,
        idempotency: Option<&Idempotency>,
        decide: F,
    ) -> Result<Vec<CommandOutcome>, AppError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<Vec<Decided>, AppError>>,
    {
        let span = info_span!("command", streams = "several", request_id = %ctx.request_id);
        async {
            if let Some(found) = self.replay(idempotency, ctx).await? {
                return Ok(vec![found]);
            }
            let command_id = Uuid::now_v7().to_string();
            let metadata = serde_json::to_value(ctx.metadata(&command_id, idempotency))
                .map_err(|e| AppError::internal("serialising metadata", &e))?;
            let claim = idempotency.map(|i| KeyClaim {
                principal: &ctx.principal.key_id,
                key: &i.key,
                fingerprint: &i.fingerprint,
            });
            for attempt in 1..=MAX_ATTEMPTS {
                let parts = match decide().await {
                    Ok(parts) => parts,
                    Err(rejected) => {
                        if let Some(found) = self.replay(idempotency, ctx).await? {
                            return Ok(vec![found]);
                        }
                        return Err(rejected);
                    }
                };
                let unchanged = |parts: &[Decided]| {
                    parts
                        .iter()
                        .map(|d| CommandOutcome {
                            stream_id: d.stream_id.clone(),
                            version: d.after_version,
                            position: 0,
                            replayed: false,
                        })
                        .collect::<Vec<_>>()
                };
                if parts.iter().all(|d| d.events.is_empty()) {
                    return Ok(unchanged(&parts));
                }
                let appends: Vec<Append<'_>> = parts
                    .iter()
                    .enumerate()
                    .map(|(i, d)| Append {
                        aggregate_type: d.aggregate_type,
                        aggregate_id: &d.stream_id,
                        after_version: d.after_version,
                        events: &d.events,
                        metadata: &metadata,
                        key: if i == 0 { claim } else { None },
                    })
                    .collect();
                match append::append_all(&self.db, &appends).await {
                    Ok(written) => {
                        self.appended.notify_one();
                        return Ok(parts
                            .iter()
                            .zip(written)
                            .map(|(d, w)| CommandOutcome {
                                stream_id: d.stream_id.clone(),
                                version: w.version,
                                position: w.position,
                                replayed: false,
                            })
                            .collect());
                    }
                    Err(AppendError::KeyTaken) => {
                        return match self.replay(idempotency, ctx).await? {
                            Some(found) => Ok(vec![found]),
                            None => Err(AppError::conflict(
                                "a concurrent request with this idempotency key is in flight; retry",
                            )),
                        };
                    }
                    Err(AppendError::StreamConflict) => {
                        if let Some(found) = self.replay(idempotency, ctx).await? {
                            return Ok(vec![found]);
                        }
                        warn!(attempt, "concurrent append to one of several streams; deciding again");
                        tokio::time::sleep(jitter(attempt)).await;
                    }
                    Err(e) => return Err(AppError::internal("appending events", &e)),
                }
            }
            Err(AppError::conflict(format!(
                "the streams kept changing under {MAX_ATTEMPTS} attempts; retry later"
            )))
        }
        .instrument(span)
        .await
    }

    /// The global position of one stored event (0 if there is none): for answers built from
    /// events already in the store. A fresh append learns its position from the insert.
    pub async fn position_of(
        &self,
        aggregate_type: &str,
        stream_id: &str,
        sequence: i64,
    ) -> Result<i64, AppError> {
        let position: Option<i64> = with_db!(&self.db, read pool =>
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

    /// The answer stored for this caller's idempotency key, if any. The same key with another
    /// fingerprint is a different request under a reused key: refused, never answered.
    /// True when the idempotency key already answers a request like this one: a retry of a
    /// request that went through, whose effects all exist.
    pub async fn is_answered(
        &self,
        idempotency: Option<&Idempotency>,
        ctx: &RequestContext,
    ) -> Result<bool, AppError> {
        Ok(self.replay(idempotency, ctx).await?.is_some())
    }

    async fn replay(
        &self,
        idempotency: Option<&Idempotency>,
        ctx: &RequestContext,
    ) -> Result<Option<CommandOutcome>, AppError> {
        let Some(idem) = idempotency else {
            return Ok(None);
        };
        let found: Option<(String, String, i64, i64)> = with_db!(&self.db, read pool =>
            sqlx::query_as(
                "SELECT fingerprint, aggregate_id, version, position FROM idempotency_keys \
                  WHERE principal = $1 AND idempotency_key = $2",
            )
            .bind(&ctx.principal.key_id)
            .bind(&idem.key)
            .fetch_optional(pool)
            .await?);
        let Some((fingerprint, stream_id, version, position)) = found else {
            return Ok(None);
        };
        if fingerprint != idem.fingerprint {
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

/// One stream's part of a multi-stream command: the events its aggregate decided on
/// `after_version` (none when the stream is already as the command wants it).
#[derive(Debug)]
pub struct Decided {
    aggregate_type: &'static str,
    stream_id: String,
    after_version: i64,
    events: Vec<NewEvent>,
}

impl Decided {
    /// The stream stays as it is (a retry finding the part already done).
    pub fn nothing(mut self) -> Decided {
        self.events.clear();
        self
    }
}

/// What [`CommandService::decide`] learnt: the aggregate as the decision leaves it, and the
/// decision (or the refusal).
pub struct Decision<A> {
    pub aggregate: A,
    pub result: Result<Decided, AppError>,
}

/// Events as cqrs-es would persist them: type, version and the JSON payload.
fn serialise<A: Aggregate>(events: Vec<A::Event>) -> Result<Vec<NewEvent>, AppError> {
    events
        .into_iter()
        .map(|event| {
            Ok(NewEvent {
                event_type: event.event_type(),
                event_version: event.event_version(),
                payload: serde_json::to_value(&event)
                    .map_err(|e| AppError::internal("serialising an event", &e))?,
            })
        })
        .collect()
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
