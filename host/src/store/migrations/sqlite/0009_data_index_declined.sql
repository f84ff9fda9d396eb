-- A data key's index is decided on once its project has tasks: built = 1 (the index exists), 0 (not
-- built: the values are long, documents rather than references such as a Text tag's articles, and the
-- index would hold every one of them again beside the task's data; 20,000 tasks of 2.4 KB took 3.8x
-- as long to import with it, and it took 89 MB for 48 MB of text) or NULL (asked for before the
-- project had tasks: decided when its first tasks are written). Rows of existing indexes are built.
ALTER TABLE data_indexes ADD COLUMN built INTEGER DEFAULT 1;
