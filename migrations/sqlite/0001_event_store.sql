-- The event store written by sqlite-es, which names its own seven columns on INSERT.
-- sqlite-es detects a concurrent append by SQLITE_CONSTRAINT_PRIMARYKEY, so the composite key
-- must stay the primary key; the global position is a separate column filled by a trigger.
-- (The implicit rowid is not used: VACUUM may renumber it.)
CREATE TABLE IF NOT EXISTS events
(
    aggregate_type  text                          NOT NULL,
    aggregate_id    text                          NOT NULL,
    sequence        integer CHECK (sequence >= 0) NOT NULL,
    event_type      text                          NOT NULL,
    event_version   text                          NOT NULL,
    payload         text                          NOT NULL,
    metadata        text                          NOT NULL,
    global_position integer,
    -- Hyphenated like a PostgreSQL uuid's text, so exports hash alike on both backends.
    event_id        text                          NOT NULL DEFAULT (lower(
        hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' ||
        hex(randomblob(2)) || '-' || hex(randomblob(6)))),
    -- Microsecond-shaped like PostgreSQL's canonical form, so an export hashes alike on both.
    recorded_at     text                          NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f', 'now') || '000Z'),
    PRIMARY KEY (aggregate_type, aggregate_id, sequence)
) STRICT;

CREATE UNIQUE INDEX IF NOT EXISTS events_global_position ON events (global_position);
CREATE INDEX IF NOT EXISTS events_idempotency_key ON events (json_extract(metadata, '$.idempotency_key'))
    WHERE json_extract(metadata, '$.idempotency_key') IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_correlation_id ON events (json_extract(metadata, '$.correlation_id'));

-- SQLite has one writer at a time, so numbering inside the insert is commit order.
CREATE TRIGGER IF NOT EXISTS events_number_global_position
AFTER INSERT ON events
FOR EACH ROW
BEGIN
    UPDATE events
       SET global_position = (SELECT IFNULL(MAX(global_position), 0) + 1 FROM events)
     WHERE rowid = NEW.rowid;
END;
