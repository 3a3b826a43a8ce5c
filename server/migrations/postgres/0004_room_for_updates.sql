-- Every write updates its resource's row and its running attempt's record
-- in place. Leaving a quarter of each page free lets PostgreSQL keep the
-- new version on the same page without touching any index (a HOT update):
-- less WAL and less work per write (docs/performance.md). Applies to pages
-- written from now on.
ALTER TABLE resources SET (fillfactor = 75);
ALTER TABLE deployments SET (fillfactor = 75);
