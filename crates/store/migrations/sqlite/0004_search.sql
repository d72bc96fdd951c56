-- Search and COQL. The words of each live record's text fields, for `word` search (FTS5 over
-- words the application splits and lower-cases; rowid = record id), and records by owner. The
-- indexes on fields are created by the store from the schema (store::search).

CREATE VIRTUAL TABLE record_words USING fts5(words, content = '', contentless_delete = 1, tokenize = 'ascii');

CREATE INDEX records_by_owner ON records (org_id, module, deleted_time, owner_id, id);
