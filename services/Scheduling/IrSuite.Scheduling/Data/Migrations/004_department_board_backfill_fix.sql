-- Issue 8 follow-up: corrects the board rows that 003's backfill wrote from data older than the board (decision 0015).
-- 003 put every accepted referral in READY_TO_SCHEDULE and copied only the referral's columns and the booked slot. The
-- service itself shows more, from facts scheduling had already recorded before the board existed: an accepted referral
-- under sedation waits for its anaesthesia clearance (BoardRules.AfterAccepted); the clearance's decision and sedation,
-- the pre-anaesthetic visit, a procedure under way or discontinued (its timeline, written by the same consumers that
-- feed the board); the booking's admission type (appointment). Each statement changes only rows that differ from what
-- the service would show, so rows the service wrote itself, or already corrected by a later event, are left as they
-- are. A correction counts as a change (version + 1); updated_ms is left as it was (0 for a row not changed by the
-- service since the backfill).

-- 1. A clearance signed before the board: its decision and the sedation it planned, as ClearanceSignedConsumer sets
--    them. The timeline holds one ClearanceSigned per referral (a clearance is signed once), summary
--    "<DECISION>, sedation <MODE>".
UPDATE board_entry
SET clearance = (SELECT CASE
                            WHEN t.summary LIKE 'FIT,%' THEN 'FIT'
                            WHEN t.summary LIKE 'FIT_WITH_CONDITIONS,%' THEN 'FIT_WITH_CONDITIONS'
                            WHEN t.summary LIKE 'NOT_FIT,%' THEN 'NOT_FIT'
                        END
                 FROM timeline_entry t WHERE t.referral_id = board_entry.referral_id AND t.event = 'ClearanceSigned' LIMIT 1),
    sedation = COALESCE((SELECT CASE
                                    WHEN t.summary LIKE '%, sedation LOCAL' THEN 1
                                    WHEN t.summary LIKE '%, sedation LOCAL_WITH_SEDATION' THEN 2
                                    WHEN t.summary LIKE '%, sedation CONSCIOUS_SEDATION' THEN 3
                                    WHEN t.summary LIKE '%, sedation GENERAL' THEN 4
                                END
                         FROM timeline_entry t WHERE t.referral_id = board_entry.referral_id AND t.event = 'ClearanceSigned' LIMIT 1), sedation),
    version = version + 1
WHERE clearance = ''
  AND EXISTS (SELECT 1 FROM timeline_entry t
              WHERE t.referral_id = board_entry.referral_id AND t.event = 'ClearanceSigned'
                AND (t.summary LIKE 'FIT,%' OR t.summary LIKE 'FIT_WITH_CONDITIONS,%' OR t.summary LIKE 'NOT_FIT,%'));

-- 2. Accepted, expected under sedation (not LOCAL or unspecified), without a FIT or FIT_WITH_CONDITIONS clearance:
--    AWAITING_CLEARANCE (2), not READY_TO_SCHEDULE (3). The service never writes that combination itself (the IR
--    consult, a NOT_FIT clearance and a cancelled booking all leave such a referral awaiting its clearance).
UPDATE board_entry
SET stage = 2,
    version = version + 1
WHERE stage = 3
  AND clearance NOT IN ('FIT', 'FIT_WITH_CONDITIONS')
  AND EXISTS (SELECT 1 FROM referral r
              WHERE r.referral_id = board_entry.referral_id AND r.status = 2 AND r.expected_sedation NOT IN (0, 1));

-- 3. The admission type of the live procedure booking (the one 003 took the room, bed and start from).
UPDATE board_entry
SET admission = (SELECT a.admission FROM appointment a
                 WHERE a.referral_id = board_entry.referral_id AND a.kind = 3 AND a.cancelled = 0 ORDER BY a.start_ms DESC LIMIT 1),
    version = version + 1
WHERE admission = 0
  AND COALESCE((SELECT a.admission FROM appointment a
                WHERE a.referral_id = board_entry.referral_id AND a.kind = 3 AND a.cancelled = 0 ORDER BY a.start_ms DESC LIMIT 1), 0) <> 0;

-- 4. The pre-anaesthetic visit recorded before the board.
UPDATE board_entry
SET pre_anesthetic_visit = 1,
    version = version + 1
WHERE pre_anesthetic_visit = 0
  AND EXISTS (SELECT 1 FROM timeline_entry t WHERE t.referral_id = board_entry.referral_id AND t.event = 'PreAnestheticVisitRecorded');

-- 5. A procedure started (time-out) before the board: IN_ROOM (5). The referral stays "scheduled" until the procedure
--    is completed, so 003 showed it as booked.
UPDATE board_entry
SET stage = CASE WHEN stage < 5 THEN 5 ELSE stage END,
    procedure_started_ms = (SELECT MIN(t.occurred_ms) FROM timeline_entry t
                            WHERE t.referral_id = board_entry.referral_id AND t.event = 'ProcedureStarted'),
    version = version + 1
WHERE procedure_started_ms IS NULL
  AND EXISTS (SELECT 1 FROM timeline_entry t WHERE t.referral_id = board_entry.referral_id AND t.event = 'ProcedureStarted');

-- 6. A procedure discontinued before the board: IN_ROOM, ended, DISCONTINUED (the referral stays "scheduled" too).
UPDATE board_entry
SET stage = CASE WHEN stage < 5 THEN 5 ELSE stage END,
    procedure_ended_ms = (SELECT MIN(t.occurred_ms) FROM timeline_entry t
                          WHERE t.referral_id = board_entry.referral_id AND t.event = 'ProcedureDiscontinued'),
    procedure_outcome = 'DISCONTINUED',
    version = version + 1
WHERE procedure_outcome = ''
  AND EXISTS (SELECT 1 FROM timeline_entry t WHERE t.referral_id = board_entry.referral_id AND t.event = 'ProcedureDiscontinued');
