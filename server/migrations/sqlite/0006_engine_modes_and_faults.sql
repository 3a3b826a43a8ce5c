-- The control API's state, kept in the database so every replica sees it.
--
-- Which resources' engine reports wait for a control call (manual = 1) or
-- are delivered as they fall due (manual = 0): one row per resource that
-- has its own mode (its key as the jobs name it), and the row '' for every
-- resource that has none.
CREATE TABLE engine_modes (
    resource  TEXT PRIMARY KEY,
    manual    INTEGER NOT NULL
);

-- Fault rules: the rule as the server wrote it (JSON), how many requests it
-- has matched and how many of those it failed.
CREATE TABLE faults (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    rule   TEXT NOT NULL,
    seen   INTEGER NOT NULL DEFAULT 0,
    fired  INTEGER NOT NULL DEFAULT 0
);
