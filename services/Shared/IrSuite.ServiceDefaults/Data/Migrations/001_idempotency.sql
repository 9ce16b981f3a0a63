-- Idempotent commands (decision 0007): the first response of each client request id, written in the same
-- transaction as the command's state change and outbox rows. A retry with the same id replays it.
CREATE TABLE IF NOT EXISTS idempotent_request (
    request_id    TEXT PRIMARY KEY,
    method        TEXT NOT NULL,
    fingerprint   TEXT NOT NULL,
    status        INTEGER NOT NULL,
    response      TEXT NULL,
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS idempotent_request_created ON idempotent_request (created_at_ms);
