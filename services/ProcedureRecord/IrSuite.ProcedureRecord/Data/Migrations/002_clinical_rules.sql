-- procedure-record, issue 4: booking details, protocol version, fasting, time-outs, abandoned levels, escalations,
-- dose alerts and skin follow-up on the case; expiry, UDI-DI and operator per treated level; pre-anaesthetic visits.
-- Portable SQL (SQLite and PostgreSQL): lists and small sub-records as JSON TEXT, booleans as integers 0/1 (BIGINT like 001).

ALTER TABLE procedure_case ADD COLUMN consented_levels TEXT NOT NULL DEFAULT '[]';
ALTER TABLE procedure_case ADD COLUMN sedation_mode TEXT NOT NULL DEFAULT '';
ALTER TABLE procedure_case ADD COLUMN admission TEXT NOT NULL DEFAULT '';
ALTER TABLE procedure_case ADD COLUMN allergy_classes TEXT NOT NULL DEFAULT '[]';
ALTER TABLE procedure_case ADD COLUMN pregnancy TEXT NOT NULL DEFAULT '';
ALTER TABLE procedure_case ADD COLUMN indication TEXT NOT NULL DEFAULT '';
ALTER TABLE procedure_case ADD COLUMN duration_minutes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE procedure_case ADD COLUMN scheduled_protocol_version TEXT NOT NULL DEFAULT '';
ALTER TABLE procedure_case ADD COLUMN protocol_version TEXT NOT NULL DEFAULT '';
ALTER TABLE procedure_case ADD COLUMN last_clear_liquids_at {{timestamp}} NULL;
ALTER TABLE procedure_case ADD COLUMN last_light_meal_at {{timestamp}} NULL;
ALTER TABLE procedure_case ADD COLUMN last_fatty_meal_at {{timestamp}} NULL;
ALTER TABLE procedure_case ADD COLUMN control_ct_done BIGINT NOT NULL DEFAULT 0;
ALTER TABLE procedure_case ADD COLUMN dose_alerts TEXT NOT NULL DEFAULT '[]';
ALTER TABLE procedure_case ADD COLUMN skin_follow_up TEXT NULL;
ALTER TABLE procedure_case ADD COLUMN time_outs TEXT NOT NULL DEFAULT '[]';
ALTER TABLE procedure_case ADD COLUMN abandoned_levels TEXT NOT NULL DEFAULT '[]';
ALTER TABLE procedure_case ADD COLUMN escalations TEXT NOT NULL DEFAULT '[]';

ALTER TABLE level_treatment ADD COLUMN cement_expiry TEXT NULL;
ALTER TABLE level_treatment ADD COLUMN udi_di TEXT NULL;
ALTER TABLE level_treatment ADD COLUMN operator_id TEXT NULL;
-- The recall query by lot and product (EU MDR 2017/745 art. 27(9)).
CREATE INDEX IF NOT EXISTS level_treatment_lot_product ON level_treatment (cement_lot, cement_product);

-- Pre-anaesthetic visits from anesthesia-consultation (CSP D6124-92), kept apart from the case so a visit arriving
-- before the booking is not lost; the latest visit per referral.
CREATE TABLE IF NOT EXISTS pre_anesthetic_visit (
    referral_id  TEXT PRIMARY KEY,
    visited_at   {{timestamp}} NOT NULL,
    visited_at_ms BIGINT NOT NULL
);
