-- Shared infrastructure tables of every service (decision 0003).

-- Transactional outbox: written in the same transaction as the state change, published by the relay.
CREATE TABLE IF NOT EXISTS outbox_message (
    seq              {{serial}} PRIMARY KEY,
    message_id       TEXT NOT NULL UNIQUE,
    message_type     TEXT NOT NULL,
    body             TEXT NOT NULL,
    traceparent      TEXT NULL,
    aggregate_id     TEXT NULL,
    created_at_ms    BIGINT NOT NULL,
    not_before_ms    BIGINT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT NULL,
    dispatched_at_ms BIGINT NULL
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox_message (not_before_ms, seq) WHERE dispatched_at_ms IS NULL;

-- Inbox: one row per (message, consumer) applied; a redelivered message finds its row and is skipped.
CREATE TABLE IF NOT EXISTS inbox_message (
    message_id     TEXT NOT NULL,
    consumer       TEXT NOT NULL,
    received_at_ms BIGINT NOT NULL,
    PRIMARY KEY (message_id, consumer)
);

-- Durable timers: a row per due time, fired exactly once by the sweeper (no broker plug-in needed).
CREATE TABLE IF NOT EXISTS due_timer (
    timer_id     TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    aggregate_id TEXT NOT NULL,
    due_at_ms    BIGINT NOT NULL,
    fired_at_ms  BIGINT NULL,
    payload      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS due_timer_pending ON due_timer (due_at_ms) WHERE fired_at_ms IS NULL;
