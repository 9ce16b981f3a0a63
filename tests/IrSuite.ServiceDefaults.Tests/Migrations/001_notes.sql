CREATE TABLE note (
    note_id    TEXT PRIMARY KEY,
    text       TEXT NOT NULL,
    created_at {{timestamp}} NOT NULL
);
