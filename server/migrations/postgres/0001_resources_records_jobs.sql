-- A resource is one row: the core's versioned snapshot and its revision,
-- which every write compares and sets.
CREATE TABLE resources (
    key       TEXT PRIMARY KEY,
    revision  BIGINT NOT NULL,
    snapshot  TEXT NOT NULL,
    meta      TEXT NOT NULL
);

-- The record of each deployment attempt, in the order attempts started.
CREATE TABLE deployments (
    id        TEXT PRIMARY KEY,
    seq       BIGINT NOT NULL,
    resource  TEXT NOT NULL,
    record    TEXT NOT NULL
);
CREATE INDEX deployments_by_seq ON deployments (seq);

-- Engine work: a report due at a time, written with the state change that
-- caused it, claimed by a worker for a lease, deleted once applied.
CREATE TABLE jobs (
    id             BIGSERIAL PRIMARY KEY,
    due_ms         BIGINT NOT NULL,
    resource       TEXT NOT NULL,
    payload        TEXT NOT NULL,
    claimed_until  BIGINT
);
CREATE INDEX jobs_by_due ON jobs (due_ms, id);
