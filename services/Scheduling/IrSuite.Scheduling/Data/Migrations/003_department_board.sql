-- Issue 8: the department board's projection, one row per referral on the board, written in the same transaction as
-- the state change or the consumed event it reflects (decision 0015). Codes and pseudonymous ids only.
CREATE TABLE board_entry (
    referral_id            TEXT PRIMARY KEY,
    patient_id             TEXT NOT NULL,
    stage                  BIGINT NOT NULL,
    levels                 TEXT NOT NULL,
    sedation               BIGINT NOT NULL DEFAULT 0,
    admission              BIGINT NOT NULL DEFAULT 0,
    clearance              TEXT NOT NULL DEFAULT '',
    pre_anesthetic_visit   BIGINT NOT NULL DEFAULT 0,
    room                   TEXT NOT NULL DEFAULT '',
    recovery_bed           TEXT NOT NULL DEFAULT '',
    scheduled_start_ms     BIGINT NULL,
    procedure_started_ms   BIGINT NULL,
    procedure_ended_ms     BIGINT NULL,
    procedure_outcome      TEXT NOT NULL DEFAULT '',
    skin_dose_follow_up    BIGINT NOT NULL DEFAULT 0,
    observation_started_ms BIGINT NULL,
    minimum_until_ms       BIGINT NULL,
    minimum_elapsed        BIGINT NOT NULL DEFAULT 0,
    next_check_due_ms      BIGINT NULL,
    last_check_ms          BIGINT NULL,
    check_count            BIGINT NOT NULL DEFAULT 0,
    aldrete                BIGINT NULL,
    padss                  BIGINT NULL,
    escalation_open        BIGINT NOT NULL DEFAULT 0,
    escalation_reason      TEXT NOT NULL DEFAULT '',
    escalation_level       TEXT NOT NULL DEFAULT '',
    escalation_raised_ms   BIGINT NULL,
    discharged_ms          BIGINT NULL,
    destination            TEXT NOT NULL DEFAULT '',
    updated_ms             BIGINT NOT NULL,
    version                BIGINT NOT NULL
);
CREATE INDEX board_entry_by_stage ON board_entry (stage, discharged_ms);

-- Referrals still before their procedure when the board arrives (submitted 1, accepted 2, scheduled 4) are put on it;
-- later steps are filled in by the events that follow.
INSERT INTO board_entry (referral_id, patient_id, stage, levels, sedation, room, recovery_bed, scheduled_start_ms, updated_ms, version)
SELECT r.referral_id, r.patient_id,
       CASE r.status WHEN 1 THEN 1 WHEN 2 THEN 3 ELSE 4 END,
       r.levels, r.expected_sedation,
       COALESCE((SELECT a.room FROM appointment a WHERE a.referral_id = r.referral_id AND a.kind = 3 AND a.cancelled = 0 ORDER BY a.start_ms DESC LIMIT 1), ''),
       COALESCE((SELECT a.recovery_bed FROM appointment a WHERE a.referral_id = r.referral_id AND a.kind = 3 AND a.cancelled = 0 ORDER BY a.start_ms DESC LIMIT 1), ''),
       (SELECT a.start_ms FROM appointment a WHERE a.referral_id = r.referral_id AND a.kind = 3 AND a.cancelled = 0 ORDER BY a.start_ms DESC LIMIT 1),
       0, 1
FROM referral r
WHERE r.status IN (1, 2, 4);
