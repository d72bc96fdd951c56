-- Each commit adds a segment to the `word` index. FTS5 merges segments once 4 of a level exist
-- (its default); at 16 a record's words are rewritten half as often, which profiles of small
-- write groups showed to be a tenth of a write's cost, for a few more segments to read.
INSERT INTO record_words (record_words, rank) VALUES ('automerge', 16);
