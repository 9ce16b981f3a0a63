-- Discharge: one observation per referral (opened when the procedure ends), its rounds, and the discharge.
-- Lists are JSON text; booleans are INTEGER 0/1 so the same SQL runs on SQLite and PostgreSQL.

CREATE TABLE IF NOT EXISTS observation (
    referral_id             TEXT PRIMARY KEY,
    patient_id              TEXT NOT NULL,
    started_at              {{timestamp}} NOT NULL,
    minimum_until           {{timestamp}} NOT NULL,
    minimum_elapsed_at      {{timestamp}} NULL,
    observation_count       INTEGER NOT NULL DEFAULT 0,
    discharged_at           {{timestamp}} NULL,
    destination             TEXT NULL,
    clinician_id            TEXT NULL,
    instructions            TEXT NULL,
    procedure_levels        TEXT NULL,
    procedure_cement_ml     {{real}} NULL,
    procedure_complications TEXT NULL,
    procedure_ended_at      {{timestamp}} NULL,
    version                 BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS observation_round (
    referral_id       TEXT NOT NULL REFERENCES observation (referral_id),
    seq               INTEGER NOT NULL,
    taken_at          {{timestamp}} NOT NULL,
    heart_rate        INTEGER NOT NULL,
    systolic_bp       INTEGER NOT NULL,
    diastolic_bp      INTEGER NOT NULL,
    spo2              INTEGER NOT NULL,
    respiratory_rate  INTEGER NOT NULL,
    temperature_c     {{real}} NOT NULL,
    pain_score        INTEGER NOT NULL,
    legs_neuro_normal INTEGER NOT NULL,
    puncture_site_ok  INTEGER NOT NULL,
    PRIMARY KEY (referral_id, seq)
);
