-- How many tasks a data key's index decision read (migration 0009). A decision over fewer than the
-- sample's size (256) is taken again as the project's tasks double, until it has read a full sample:
-- a project whose first task was one short test text, with documents after it, would otherwise keep an
-- index of every document. NULL: decided before this migration, kept as it is.
ALTER TABLE data_indexes ADD COLUMN sampled INTEGER;
