-- The event store written by postgres-es. postgres-es names its own seven columns on INSERT,
-- so every extra column here must fill itself from a default.
CREATE TABLE IF NOT EXISTS events
(
    aggregate_type  text                         NOT NULL,
    aggregate_id    text                         NOT NULL,
    sequence        bigint CHECK (sequence >= 0) NOT NULL,
    event_type      text                         NOT NULL,
    event_version   text                         NOT NULL,
    payload         json                         NOT NULL,
    metadata        json                         NOT NULL,
    -- Order of insertion, NOT of commit: readers of the global log must stay behind the
    -- visibility fence (see projections::log) and order by (transaction_id, global_position).
    global_position bigint GENERATED ALWAYS AS IDENTITY,
    transaction_id  xid8                         NOT NULL DEFAULT pg_current_xact_id(),
    event_id        uuid                         NOT NULL DEFAULT gen_random_uuid(),
    recorded_at     timestamptz                  NOT NULL DEFAULT clock_timestamp(),
    -- The primary key is what postgres-es turns into an optimistic-concurrency conflict.
    PRIMARY KEY (aggregate_type, aggregate_id, sequence)
);

CREATE UNIQUE INDEX IF NOT EXISTS events_global_position ON events (global_position);
CREATE INDEX IF NOT EXISTS events_commit_order ON events (transaction_id, global_position);
CREATE INDEX IF NOT EXISTS events_by_type ON events (aggregate_type, transaction_id, global_position);
CREATE INDEX IF NOT EXISTS events_idempotency_key ON events ((metadata ->> 'idempotency_key'))
    WHERE (metadata ->> 'idempotency_key') IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_correlation_id ON events ((metadata ->> 'correlation_id'));
