-- Issue 4: readiness gate (consent, labs, anticoagulant plan), admission, recovery-bed capacity, protocol version,
-- follow-up with X-ray and the fracture-liaison referral.
ALTER TABLE referral ADD COLUMN protocol_version TEXT NOT NULL DEFAULT '';
ALTER TABLE referral ADD COLUMN osteoporosis_suspected INTEGER NOT NULL DEFAULT 0;

ALTER TABLE appointment ADD COLUMN admission INTEGER NOT NULL DEFAULT 0;
ALTER TABLE appointment ADD COLUMN protocol_version TEXT NOT NULL DEFAULT '';
ALTER TABLE appointment ADD COLUMN with_xray INTEGER NOT NULL DEFAULT 0;
CREATE INDEX appointment_by_bed ON appointment (recovery_bed, end_ms);

CREATE TABLE consent (
    referral_id      TEXT PRIMARY KEY REFERENCES referral (referral_id),
    levels           TEXT NOT NULL,
    signed_at        {{timestamp}} NOT NULL,
    practitioner_id  TEXT NOT NULL,
    protocol_version TEXT NOT NULL,
    recorded_at      {{timestamp}} NOT NULL
);

CREATE TABLE lab_result (
    referral_id          TEXT PRIMARY KEY REFERENCES referral (referral_id),
    inr                  {{real}} NOT NULL,
    platelets            {{real}} NOT NULL,
    creatinine_clearance {{real}} NULL,
    taken_at             {{timestamp}} NOT NULL,
    protocol_version     TEXT NOT NULL,
    recorded_at          {{timestamp}} NOT NULL
);

CREATE TABLE anticoagulant_plan (
    referral_id          TEXT PRIMARY KEY REFERENCES referral (referral_id),
    drugs                TEXT NOT NULL,
    earliest_at          {{timestamp}} NOT NULL,
    creatinine_clearance {{real}} NULL,
    planned_at           {{timestamp}} NOT NULL,
    protocol_version     TEXT NOT NULL
);

CREATE TABLE fracture_liaison (
    referral_id      TEXT PRIMARY KEY REFERENCES referral (referral_id),
    fracture_at      {{timestamp}} NOT NULL,
    due_by           {{timestamp}} NOT NULL,
    created_at       {{timestamp}} NOT NULL,
    protocol_version TEXT NOT NULL
);
