-- Idempotency keys in their own table (see the PostgreSQL migration of the same name). On
-- SQLite the single writer already orders the duplicates; the primary key still decides which
-- of them wrote, inside the transaction that appends the events.
CREATE TABLE IF NOT EXISTS idempotency_keys
(
    principal       text    NOT NULL,
    idempotency_key text    NOT NULL,
    fingerprint     text    NOT NULL,
    aggregate_type  text    NOT NULL,
    aggregate_id    text    NOT NULL,
    version         integer NOT NULL,
    position        integer NOT NULL,
    recorded_at     text    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (principal, idempotency_key)
) STRICT;

INSERT OR IGNORE INTO idempotency_keys
       (principal, idempotency_key, fingerprint, aggregate_type, aggregate_id, version, position)
SELECT json_extract(metadata, '$.actor_key_id'), json_extract(metadata, '$.idempotency_key'),
       COALESCE(MIN(json_extract(metadata, '$.idempotency_fingerprint')), ''),
       aggregate_type, aggregate_id, MAX(sequence), MAX(global_position)
  FROM events
 WHERE json_extract(metadata, '$.idempotency_key') IS NOT NULL
   AND json_extract(metadata, '$.actor_key_id') IS NOT NULL
 GROUP BY json_extract(metadata, '$.actor_key_id'), json_extract(metadata, '$.idempotency_key'),
          aggregate_type, aggregate_id;

DROP INDEX IF EXISTS events_idempotency_key;
