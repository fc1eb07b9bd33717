-- Tamper evidence, part 1: a hash chain per stream, computed at write time (see the PostgreSQL
-- migration of the same name for the design). `waybill_sha256` is registered on every
-- connection Waybill opens (projections::sqlite_functions).
ALTER TABLE events ADD COLUMN prev_hash text;
ALTER TABLE events ADD COLUMN hash text;

DROP TRIGGER IF EXISTS events_number_global_position;
CREATE TRIGGER events_number_global_position
AFTER INSERT ON events
FOR EACH ROW
BEGIN
    UPDATE events
       SET global_position = (SELECT IFNULL(MAX(global_position), 0) + 1 FROM events),
           prev_hash = COALESCE(
               (SELECT p.hash FROM events p
                 WHERE p.aggregate_type = NEW.aggregate_type AND p.aggregate_id = NEW.aggregate_id
                   AND p.sequence = NEW.sequence - 1),
               '0000000000000000000000000000000000000000000000000000000000000000')
     WHERE rowid = NEW.rowid;
    UPDATE events
       SET hash = waybill_sha256(prev_hash || '|' ||
           length(aggregate_type) || ':' || aggregate_type || '|' ||
           length(aggregate_id)   || ':' || aggregate_id   || '|' ||
           length(event_type)     || ':' || event_type     || '|' ||
           length(event_version)  || ':' || event_version  || '|' ||
           length(payload)        || ':' || payload        || '|' ||
           length(metadata)       || ':' || metadata       || '|' ||
           length(event_id)       || ':' || event_id       || '|' ||
           length(recorded_at)    || ':' || recorded_at)
     WHERE rowid = NEW.rowid;
END;
