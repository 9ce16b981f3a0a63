-- Scheduling: patients (the only place identity lives), referrals, appointments, the pathway timeline.
CREATE TABLE patient (
    patient_id            TEXT PRIMARY KEY,
    medical_record_number TEXT NOT NULL UNIQUE,
    family_name           TEXT NOT NULL,
    given_name            TEXT NOT NULL,
    birth_date            TEXT NOT NULL
);

CREATE TABLE referral (
    referral_id       TEXT PRIMARY KEY,
    patient_id        TEXT NOT NULL REFERENCES patient (patient_id),
    status            INTEGER NOT NULL,
    indication        INTEGER NOT NULL,
    levels            TEXT NOT NULL,
    pregnancy         INTEGER NOT NULL,
    expected_sedation INTEGER NOT NULL DEFAULT 0,
    decline_reason    TEXT NULL,
    details           TEXT NOT NULL,
    submitted_at      {{timestamp}} NOT NULL,
    version           BIGINT NOT NULL
);
CREATE INDEX referral_by_status ON referral (status, submitted_at);

CREATE TABLE appointment (
    appointment_id   TEXT PRIMARY KEY,
    referral_id      TEXT NOT NULL REFERENCES referral (referral_id),
    kind             INTEGER NOT NULL,
    start_at         {{timestamp}} NOT NULL,
    start_ms         BIGINT NOT NULL,
    end_ms           BIGINT NOT NULL,
    bed_until_ms     BIGINT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    room             TEXT NULL,
    recovery_bed     TEXT NULL,
    cancelled        INTEGER NOT NULL DEFAULT 0,
    cancel_reason    TEXT NULL
);
CREATE INDEX appointment_by_referral ON appointment (referral_id);
CREATE INDEX appointment_by_room ON appointment (room, start_ms);

CREATE TABLE timeline_entry (
    entry_id    TEXT PRIMARY KEY,
    referral_id TEXT NOT NULL,
    occurred_at {{timestamp}} NOT NULL,
    occurred_ms BIGINT NOT NULL,
    event       TEXT NOT NULL,
    source      TEXT NOT NULL,
    summary     TEXT NOT NULL
);
CREATE INDEX timeline_by_referral ON timeline_entry (referral_id, occurred_ms);
