-- procedure-record, issue 8 (decision 0016): the modality worklist's accession numbers and the OR system's performed
-- procedure steps (MPPS) with their dose, and the message ids already received (dedupe).
-- Portable SQL (SQLite and PostgreSQL), as 001-003.

-- One accession number per case (requested procedure), from one counter: a number, formatted by the service.
ALTER TABLE procedure_case ADD COLUMN accession_seq BIGINT NULL;
-- Cases booked before this migration get theirs now, in a fixed order.
UPDATE procedure_case SET accession_seq =
    (SELECT COUNT(*) FROM procedure_case p WHERE p.referral_id <= procedure_case.referral_id);
CREATE UNIQUE INDEX IF NOT EXISTS procedure_case_accession ON procedure_case (accession_seq);
-- The counter's one row: UPDATE ... RETURNING locks it, so two writers never draw the same number.
CREATE TABLE IF NOT EXISTS accession_counter (
    id       BIGINT PRIMARY KEY,
    last_seq BIGINT NOT NULL
);
INSERT INTO accession_counter (id, last_seq) SELECT 1, COALESCE(MAX(accession_seq), 0) FROM procedure_case;

-- A performed procedure step as the OR system last reported it (its id is the OR system's, bound to one case).
CREATE TABLE IF NOT EXISTS procedure_step (
    step_id                  TEXT PRIMARY KEY,
    referral_id              TEXT NOT NULL REFERENCES procedure_case (referral_id),
    status                   TEXT NOT NULL,
    started_at               {{timestamp}} NULL,
    ended_at                 {{timestamp}} NULL,
    last_report_at_ms        BIGINT NOT NULL,
    fluoroscopy_seconds      {{real}} NOT NULL,
    dose_area_product_gy_cm2 {{real}} NOT NULL,
    reference_air_kerma_mgy  {{real}} NOT NULL,
    station_ae_title         TEXT NOT NULL,
    discontinuation_reason   TEXT NOT NULL,
    reported_by              TEXT NOT NULL,
    created_at_ms            BIGINT NOT NULL,
    updated_at_ms            BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS procedure_step_referral ON procedure_step (referral_id, created_at_ms);

-- Every step report taken (applied, duplicate content or stale), by the reporting system's message id; written in the
-- same transaction as the step. Refused reports leave no row.
CREATE TABLE IF NOT EXISTS procedure_step_message (
    reporter       TEXT NOT NULL,
    message_id     TEXT NOT NULL,
    step_id        TEXT NOT NULL,
    fingerprint    TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    received_at_ms BIGINT NOT NULL,
    PRIMARY KEY (reporter, message_id)
);
-- "The same content resent under a new message id".
CREATE INDEX IF NOT EXISTS procedure_step_message_content ON procedure_step_message (step_id, fingerprint);
