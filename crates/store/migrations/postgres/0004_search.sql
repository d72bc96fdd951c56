-- Search and COQL. The words of each live record's text fields, for `word` search (a tsvector
-- built from words the application splits and lower-cases, never parsed again), and records by
-- owner. The indexes on fields are created by the store from the schema (store::search).

ALTER TABLE records ADD COLUMN words tsvector;
CREATE INDEX records_words ON records USING gin (words) WHERE deleted_time IS NULL;

CREATE INDEX records_by_owner ON records (org_id, module, deleted_time, owner_id, id);
