CREATE TABLE IF NOT EXISTS api_keys
(
    key_id      text PRIMARY KEY,
    secret_hash text        NOT NULL,
    role        text        NOT NULL,
    label       text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

-- One row per projection (and per scratch rebuild of one). For PostgreSQL the checkpoint is the
-- pair (transaction id, global position) of the last event applied; SQLite uses position only.
CREATE TABLE IF NOT EXISTS projection_checkpoints
(
    name       text PRIMARY KEY,
    tx_id      bigint      NOT NULL DEFAULT 0,
    position   bigint      NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);
