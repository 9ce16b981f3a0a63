-- Issue 4: the booking's context carried by ProcedureCompleted, the applied site protocol, the escalation, the scores
-- recorded per round and what the discharge recorded (coded instructions, scores, call and follow-up due).

ALTER TABLE observation ADD COLUMN admission TEXT NULL;
ALTER TABLE observation ADD COLUMN sedation_mode TEXT NULL;
ALTER TABLE observation ADD COLUMN close_neuro_watch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE observation ADD COLUMN skin_dose_follow_up INTEGER NOT NULL DEFAULT 0;
ALTER TABLE observation ADD COLUMN indication TEXT NULL;
ALTER TABLE observation ADD COLUMN protocol_version TEXT NULL;
ALTER TABLE observation ADD COLUMN escalation_reason TEXT NULL;
ALTER TABLE observation ADD COLUMN escalation_raised_at {{timestamp}} NULL;
ALTER TABLE observation ADD COLUMN escalation_resolved_at {{timestamp}} NULL;
ALTER TABLE observation ADD COLUMN escalation_resolved_by TEXT NULL;
ALTER TABLE observation ADD COLUMN escalation_outcome TEXT NULL;
ALTER TABLE observation ADD COLUMN instruction_codes TEXT NULL;
ALTER TABLE observation ADD COLUMN discharge_protocol_version TEXT NULL;
ALTER TABLE observation ADD COLUMN aldrete_at_discharge INTEGER NULL;
ALTER TABLE observation ADD COLUMN padss_at_discharge INTEGER NULL;
ALTER TABLE observation ADD COLUMN escort_present INTEGER NULL;
ALTER TABLE observation ADD COLUMN post_call_due_at {{timestamp}} NULL;
ALTER TABLE observation ADD COLUMN follow_up_due_date TEXT NULL;
ALTER TABLE observation ADD COLUMN follow_up_window_days INTEGER NULL;
ALTER TABLE observation ADD COLUMN overdue_at_discharge INTEGER NULL;

ALTER TABLE observation_round ADD COLUMN aldrete_activity INTEGER NULL;
ALTER TABLE observation_round ADD COLUMN aldrete_respiration INTEGER NULL;
ALTER TABLE observation_round ADD COLUMN aldrete_circulation INTEGER NULL;
ALTER TABLE observation_round ADD COLUMN aldrete_consciousness INTEGER NULL;
ALTER TABLE observation_round ADD COLUMN aldrete_oxygen_saturation INTEGER NULL;
ALTER TABLE observation_round ADD COLUMN padss_vital_signs INTEGER NULL;
ALTER TABLE observation_round ADD COLUMN padss_ambulation INTEGER NULL;
ALTER TABLE observation_round ADD COLUMN padss_nausea_vomiting INTEGER NULL;
ALTER TABLE observation_round ADD COLUMN padss_pain INTEGER NULL;
ALTER TABLE observation_round ADD COLUMN padss_surgical_bleeding INTEGER NULL;
