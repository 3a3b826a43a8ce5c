-- Keys compare byte by byte, as in SQLite, whatever the database's own
-- collation: a service's instances are one key range
-- (`service-instance/<service>/` up to `service-instance/<service>0`), read
-- through the primary key's index, and the lists page by key.
ALTER TABLE resources ALTER COLUMN key TYPE TEXT COLLATE "C";
