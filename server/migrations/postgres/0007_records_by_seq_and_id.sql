-- ListDeployments reads records newest first, by (seq, id) descending: an
-- index on both columns hands them over in that order, where one on seq
-- alone left SQLite to sort each page's ties on id through a temporary
-- b-tree.
CREATE INDEX deployments_by_seq_and_id ON deployments (seq, id);
DROP INDEX deployments_by_seq;
