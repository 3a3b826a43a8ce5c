-- Deployment ids are minted from the database, so every server on it
-- mints different ones, in order.
CREATE TABLE counters (
    name   TEXT PRIMARY KEY,
    value  INTEGER NOT NULL
);
