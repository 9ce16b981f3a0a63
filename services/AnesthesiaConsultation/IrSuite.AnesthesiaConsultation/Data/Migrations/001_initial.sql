-- Anesthesia consultation: one case per accepted referral. Lists (comorbidities, allergies, medication
-- plan, conditions) are JSON text: they are read and written whole with the case, never queried apart.
CREATE TABLE anesthesia_case (
    referral_id         TEXT PRIMARY KEY,
    patient_id          TEXT NOT NULL,
    status              INTEGER NOT NULL,
    expected_sedation   INTEGER NOT NULL DEFAULT 0,
    opened_at           {{timestamp}} NOT NULL,
    assessed            INTEGER NOT NULL DEFAULT 0,
    asa_class           INTEGER NOT NULL DEFAULT 0,
    emergency           INTEGER NOT NULL DEFAULT 0,
    comorbidities       TEXT NOT NULL DEFAULT '[]',
    allergies           TEXT NOT NULL DEFAULT '[]',
    medication_plan     TEXT NOT NULL DEFAULT '[]',
    labs_inr            {{real}} NULL,
    labs_platelets      {{real}} NULL,
    labs_taken_at       {{timestamp}} NULL,
    assessed_at         {{timestamp}} NULL,
    sedation            INTEGER NOT NULL DEFAULT 0,
    clearance           INTEGER NOT NULL DEFAULT 0,
    conditions          TEXT NOT NULL DEFAULT '[]',
    anesthesiologist_id TEXT NULL,
    signed_at           {{timestamp}} NULL,
    version             BIGINT NOT NULL
);
CREATE INDEX anesthesia_case_by_patient ON anesthesia_case (patient_id);
