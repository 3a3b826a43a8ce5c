-- A resource is one row: the core's versioned snapshot and its revision,
-- which every write compares and sets.
CREATE TABLE resources (
    key       TEXT PRIMARY KEY,
    revision  INTEGER NOT NULL,
    snapshot  TEXT NOT NULL,
    meta      TEXT NOT NULL
);

-- The record of each deployment attempt, in the order attempts started.
CREATE TABLE deployments (
    id        TEXT PRIMARY KEY,
    seq       INTEGER NOT NULL,
    resource  TEXT NOT NULL,
    record    TEXT NOT NULL
);
CREATE INDEX deployments_by_seq ON deployments (seq);

-- Engine work: a report due at a time, written with the state change that
-- caused it, claimed by a worker for a lease, deleted once applied.
CREATE TABLE jobs (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    due_ms         INTEGER NOT NULL,
    resource       TEXT NOT NULL,
    payload        TEXT NOT NULL,
    claimed_until  INTEGER
);
CREATE INDEX jobs_by_due ON jobs (due_ms, id);
