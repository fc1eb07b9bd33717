CREATE TABLE IF NOT EXISTS api_keys
(
    key_id      text PRIMARY KEY,
    secret_hash text NOT NULL,
    role        text NOT NULL,
    label       text NOT NULL DEFAULT '',
    created_at  text NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    revoked_at  text
) STRICT;

CREATE TABLE IF NOT EXISTS projection_checkpoints
(
    name       text PRIMARY KEY,
    tx_id      integer NOT NULL DEFAULT 0,
    position   integer NOT NULL DEFAULT 0,
    updated_at text    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
