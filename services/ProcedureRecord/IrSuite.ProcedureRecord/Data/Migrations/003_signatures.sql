-- Decision 0011: the WHO sign-out records who signed it (the caller's token subject), as the time-out records its operator.
ALTER TABLE procedure_case ADD COLUMN signed_out_by TEXT NULL;
