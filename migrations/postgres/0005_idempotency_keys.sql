-- Idempotency keys in their own table, one row per (caller, key), written in the same
-- transaction as the events the first request appended (api::commands::append). The primary
-- key is what makes a concurrent duplicate lose: its insert waits for the winner's commit and
-- then fails with a unique violation, and the loser answers with the winner's row. A lookup
-- in event metadata cannot do that: two requests both find nothing and both write.
CREATE TABLE IF NOT EXISTS idempotency_keys
(
    principal       text        NOT NULL,
    idempotency_key text        NOT NULL,
    fingerprint     text        NOT NULL,
    aggregate_type  text        NOT NULL,
    aggregate_id    text        NOT NULL,
    version         bigint      NOT NULL,
    position        bigint      NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (principal, idempotency_key)
);

-- Keys written before this table existed live only in event metadata: carry them over, so a
-- retry of an old request is still answered instead of executed again.
INSERT INTO idempotency_keys
       (principal, idempotency_key, fingerprint, aggregate_type, aggregate_id, version, position)
SELECT metadata ->> 'actor_key_id', metadata ->> 'idempotency_key',
       COALESCE(MIN(metadata ->> 'idempotency_fingerprint'), ''),
       aggregate_type, aggregate_id, MAX(sequence), MAX(global_position)
  FROM events
 WHERE metadata ->> 'idempotency_key' IS NOT NULL AND metadata ->> 'actor_key_id' IS NOT NULL
 GROUP BY metadata ->> 'actor_key_id', metadata ->> 'idempotency_key', aggregate_type, aggregate_id
    ON CONFLICT DO NOTHING;

-- Nothing looks keys up in metadata any more; the index only cost every append.
DROP INDEX IF EXISTS events_idempotency_key;
