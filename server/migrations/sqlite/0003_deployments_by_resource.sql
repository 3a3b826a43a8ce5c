-- A write reads its resource's newest deployment record with the row, in
-- one query.
CREATE INDEX deployments_by_resource ON deployments (resource, seq);
