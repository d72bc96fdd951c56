-- Records become a rowid table keyed by their id (ids are unique across organizations: the
-- application mints them). SQLite reads a WITHOUT ROWID table's row for every entry an index on
-- an expression matches, even when the index holds every column the query needs; a rowid table
-- lets it skip that read. Counting a surname's 583 contacts took 1.04 ms, and 0.03 ms after.
-- The organization still leads every index, and every statement names it.

CREATE TABLE records_by_rowid (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL,
    module        TEXT NOT NULL,
    name          TEXT NOT NULL,
    owner_id      INTEGER NOT NULL,
    created_by    INTEGER NOT NULL,
    modified_by   INTEGER NOT NULL,
    created_time  INTEGER NOT NULL,
    modified_time INTEGER NOT NULL,
    deleted_time  INTEGER,
    deleted_by    INTEGER,
    data          TEXT NOT NULL
);
INSERT INTO records_by_rowid (id, org_id, module, name, owner_id, created_by, modified_by, created_time, modified_time, deleted_time, deleted_by, data)
    SELECT id, org_id, module, name, owner_id, created_by, modified_by, created_time, modified_time, deleted_time, deleted_by, data FROM records;
-- Dropping the table drops its indexes (the search indexes are made again by the store) and
-- their planner statistics.
DROP TABLE records;
ALTER TABLE records_by_rowid RENAME TO records;
CREATE INDEX records_by_module ON records (org_id, module, deleted_time, id);
CREATE INDEX records_by_modified ON records (org_id, module, deleted_time, modified_time);
CREATE INDEX records_by_created ON records (org_id, module, deleted_time, created_time);
CREATE INDEX records_by_deleted ON records (org_id, module, deleted_time) WHERE deleted_time IS NOT NULL;
CREATE INDEX records_by_owner ON records (org_id, module, deleted_time, owner_id, id);
