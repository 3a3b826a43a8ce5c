-- What a list shows of each resource and record: the summary's JSON text,
-- written with every change, so that a page of a list reads it as it is
-- instead of decoding every snapshot. NULL where no list shows the
-- resource (a deleted one, a service pipeline) and on rows written before
-- this column existed; a list reads those rows whole.
ALTER TABLE resources ADD COLUMN listed TEXT;
ALTER TABLE deployments ADD COLUMN listed TEXT;
