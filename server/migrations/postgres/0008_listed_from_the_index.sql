-- A page of a list reads each row's key and summary only: with the summary
-- in an index on the key, PostgreSQL answers a page from the index (an
-- index-only scan) instead of visiting one table page per row, which a
-- page of 100 rows stored in another order than their keys' did
-- (docs/performance.md). SQLite reads such a page fast enough without one
-- and keeps its file smaller.
CREATE INDEX resources_listed ON resources (key) INCLUDE (listed);
-- The same for ListDeployments: records by (seq, id) with their summaries.
CREATE INDEX deployments_listed ON deployments (seq, id) INCLUDE (listed);
DROP INDEX deployments_by_seq_and_id;
