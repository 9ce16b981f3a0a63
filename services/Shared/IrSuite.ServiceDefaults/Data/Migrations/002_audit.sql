-- The audit trail (decision 0013): one append-only, hash-chained record per RPC served, written in the same
-- transaction as the state change it audits. Identifiers only (the caller's subject, the patient pseudonym, the
-- referral id): never names, birth dates or clinical free text.
CREATE TABLE IF NOT EXISTS audit_record (
    seq            BIGINT PRIMARY KEY,
    occurred_at_ms BIGINT NOT NULL,
    actor          TEXT NOT NULL,
    actor_roles    TEXT NOT NULL,
    action         TEXT NOT NULL,
    access         TEXT NOT NULL,
    patient_id     TEXT NULL,
    resource       TEXT NULL,
    outcome        TEXT NOT NULL,
    trace_id       TEXT NULL,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_record_patient ON audit_record (patient_id, occurred_at_ms, seq);
CREATE INDEX IF NOT EXISTS audit_record_actor ON audit_record (actor, occurred_at_ms, seq);

-- The chain's head: appenders serialise on this one row (UPDATE ... RETURNING), so sequence numbers have no gaps.
CREATE TABLE IF NOT EXISTS audit_head (
    id        INTEGER PRIMARY KEY,
    last_seq  BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, last_seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000')
ON CONFLICT (id) DO NOTHING;

-- Append-only: the database refuses to change or remove a record (an administrator must drop the trigger first,
-- which the hash chain then shows).
-- dialect: sqlite
CREATE TRIGGER IF NOT EXISTS audit_record_no_update BEFORE UPDATE ON audit_record
BEGIN
    SELECT RAISE(ABORT, 'audit_record is append-only');
END;
CREATE TRIGGER IF NOT EXISTS audit_record_no_delete BEFORE DELETE ON audit_record
BEGIN
    SELECT RAISE(ABORT, 'audit_record is append-only');
END;
-- dialect: postgres
CREATE OR REPLACE FUNCTION audit_record_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_record is append-only';
END
$$;
DROP TRIGGER IF EXISTS audit_record_no_change ON audit_record;
CREATE TRIGGER audit_record_no_change BEFORE UPDATE OR DELETE ON audit_record
    FOR EACH ROW EXECUTE FUNCTION audit_record_append_only();
DROP TRIGGER IF EXISTS audit_record_no_truncate ON audit_record;
CREATE TRIGGER audit_record_no_truncate BEFORE TRUNCATE ON audit_record
    FOR EACH STATEMENT EXECUTE FUNCTION audit_record_append_only();
-- dialect: all
