-- procedure-record: one row per case (keyed by referral), its treated levels and complications.
-- Portable SQL (SQLite and PostgreSQL): ids as TEXT, level lists as JSON TEXT, integers as BIGINT,
-- enums as their names, times as {{timestamp}} plus *_ms columns where SQL compares or orders them.

CREATE TABLE IF NOT EXISTS procedure_case (
    referral_id              TEXT PRIMARY KEY,
    patient_id               TEXT NOT NULL,
    status                   TEXT NOT NULL,
    scheduled_levels         TEXT NOT NULL,
    confirmed_levels         TEXT NOT NULL,
    room                     TEXT NOT NULL,
    scheduled_start          {{timestamp}} NOT NULL,
    scheduled_start_ms       BIGINT NOT NULL,
    schedule_updated_at_ms   BIGINT NOT NULL,
    operator_id              TEXT NULL,
    signed_in_at             {{timestamp}} NULL,
    timed_out_at             {{timestamp}} NULL,
    signed_out_at            {{timestamp}} NULL,
    ended_at                 {{timestamp}} NULL,
    cancelled_at             {{timestamp}} NULL,
    dose_area_product_gy_cm2 {{real}} NULL,
    reference_air_kerma_mgy  {{real}} NULL,
    fluoroscopy_seconds      {{real}} NULL,
    ct_dlp_mgy_cm            {{real}} NULL,
    discontinue_reason       TEXT NULL,
    version                  BIGINT NOT NULL
);
-- The day's worklist: cases by scheduled start.
CREATE INDEX IF NOT EXISTS procedure_case_worklist ON procedure_case (scheduled_start_ms);

-- Trocar and cement per level (once per level).
CREATE TABLE IF NOT EXISTS level_treatment (
    referral_id         TEXT NOT NULL REFERENCES procedure_case (referral_id),
    level               TEXT NOT NULL,
    approach            TEXT NOT NULL,
    trocar_gauge        BIGINT NOT NULL,
    cement_volume_ml    {{real}} NOT NULL,
    cement_product      TEXT NOT NULL,
    cement_lot          TEXT NOT NULL,
    leakage             TEXT NOT NULL,
    leakage_symptomatic BIGINT NOT NULL,
    recorded_at         {{timestamp}} NOT NULL,
    recorded_at_ms      BIGINT NOT NULL,
    PRIMARY KEY (referral_id, level)
);
-- Cement traceability: "which patients got lot X" (EU MDR 2017/745 art. 27(9)).
CREATE INDEX IF NOT EXISTS level_treatment_lot ON level_treatment (cement_lot);

-- Complications recorded at completion, CIRSE graded.
CREATE TABLE IF NOT EXISTS complication (
    referral_id TEXT NOT NULL REFERENCES procedure_case (referral_id),
    seq         BIGINT NOT NULL,
    code        TEXT NOT NULL,
    cirse_grade BIGINT NOT NULL,
    PRIMARY KEY (referral_id, seq)
);
