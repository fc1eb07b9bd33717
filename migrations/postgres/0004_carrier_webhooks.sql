-- Per-carrier secrets for signed tracking webhooks. Stored as given: an HMAC needs the secret
-- itself, unlike an API key, which only needs its hash.
CREATE TABLE IF NOT EXISTS carrier_webhook_secrets
(
    carrier    text PRIMARY KEY,
    secret     text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
