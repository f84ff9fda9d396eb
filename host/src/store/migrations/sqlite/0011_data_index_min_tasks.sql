-- A data key's index now waits until its project has had store_options::data_index_min_tasks tasks
-- (5,000 by default): SQLite parses every index of the schema when a connection opens and after each
-- schema change, so an index per key of every small project slowed every CLI command and reader as
-- projects came. `final` marks a decision taken under that rule, on a full project; earlier decisions
-- (0) are taken again at the next open: a small project's index is dropped and its key waits.
ALTER TABLE data_indexes ADD COLUMN final INTEGER NOT NULL DEFAULT 0;
