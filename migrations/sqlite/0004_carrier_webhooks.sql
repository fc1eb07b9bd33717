-- Per-carrier secrets for signed tracking webhooks (see the PostgreSQL migration).
CREATE TABLE IF NOT EXISTS carrier_webhook_secrets
(
    carrier    text PRIMARY KEY,
    secret     text NOT NULL,
    updated_at text NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
