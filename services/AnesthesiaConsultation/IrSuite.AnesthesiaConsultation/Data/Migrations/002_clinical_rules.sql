-- Issue 4 clinical rules: the referral's levels, the site protocol version, the sedation decision inputs and
-- deviation, premedication (JSON), chosen prophylaxis, the booked slot (from ProcedureScheduled) and the
-- pre-anaesthetic visit.
ALTER TABLE anesthesia_case ADD COLUMN levels TEXT NOT NULL DEFAULT '[]';
ALTER TABLE anesthesia_case ADD COLUMN protocol_version TEXT NOT NULL DEFAULT '';
ALTER TABLE anesthesia_case ADD COLUMN anxiety INTEGER NOT NULL DEFAULT 0;
ALTER TABLE anesthesia_case ADD COLUMN prone_tolerance INTEGER NOT NULL DEFAULT 0;
ALTER TABLE anesthesia_case ADD COLUMN deviation_reason TEXT NULL;
ALTER TABLE anesthesia_case ADD COLUMN premedication TEXT NOT NULL DEFAULT '[]';
ALTER TABLE anesthesia_case ADD COLUMN antibiotic_prophylaxis TEXT NULL;
ALTER TABLE anesthesia_case ADD COLUMN slot_start {{timestamp}} NULL;
ALTER TABLE anesthesia_case ADD COLUMN slot_sedation INTEGER NOT NULL DEFAULT 0;
-- OccurredAt (Unix ms) of the booking event the slot comes from: an older event arriving late is ignored.
ALTER TABLE anesthesia_case ADD COLUMN slot_event_at_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE anesthesia_case ADD COLUMN visited_at {{timestamp}} NULL;
ALTER TABLE anesthesia_case ADD COLUMN visit_anesthesiologist_id TEXT NULL;
