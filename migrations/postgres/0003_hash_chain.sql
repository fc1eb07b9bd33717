-- Tamper evidence, part 1: a hash chain per stream, computed at write time by a trigger.
--
-- Per stream, because writers to one stream are already serialised by the primary key, so the
-- chain costs no extra contention; a chain over the whole log at write time would serialise
-- every writer in the cluster. The global order is sealed right behind the visibility fence by
-- the `audit_chain` projection (part 2), which is what catches a deleted stream tail.
--
-- hash = sha256(prev_hash || canonical(event)), canonical = length-prefixed fields, so no two
-- different events share a canonical form. The sequence number is deliberately left out: the
-- links define the order, which lets verification tell a reordering from an edit.
ALTER TABLE events ADD COLUMN IF NOT EXISTS prev_hash text;
ALTER TABLE events ADD COLUMN IF NOT EXISTS hash text;

CREATE OR REPLACE FUNCTION waybill_event_canonical(
    aggregate_type text, aggregate_id text, event_type text, event_version text,
    payload text, metadata text, event_id text, recorded_at text
) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT length(aggregate_type) || ':' || aggregate_type || '|' ||
           length(aggregate_id)   || ':' || aggregate_id   || '|' ||
           length(event_type)     || ':' || event_type     || '|' ||
           length(event_version)  || ':' || event_version  || '|' ||
           length(payload)        || ':' || payload        || '|' ||
           length(metadata)       || ':' || metadata       || '|' ||
           length(event_id)       || ':' || event_id       || '|' ||
           length(recorded_at)    || ':' || recorded_at
$$;

CREATE OR REPLACE FUNCTION waybill_recorded_at_text(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

CREATE OR REPLACE FUNCTION waybill_chain_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    previous text;
BEGIN
    SELECT hash INTO previous FROM events
     WHERE aggregate_type = NEW.aggregate_type AND aggregate_id = NEW.aggregate_id
       AND sequence = NEW.sequence - 1;
    NEW.prev_hash := COALESCE(previous, repeat('0', 64));
    NEW.hash := encode(sha256(convert_to(NEW.prev_hash || '|' || waybill_event_canonical(
        NEW.aggregate_type, NEW.aggregate_id, NEW.event_type, NEW.event_version,
        NEW.payload::text, NEW.metadata::text, NEW.event_id::text,
        waybill_recorded_at_text(NEW.recorded_at)), 'UTF8')), 'hex');
    RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS events_hash_chain ON events;
CREATE TRIGGER events_hash_chain BEFORE INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION waybill_chain_event();
