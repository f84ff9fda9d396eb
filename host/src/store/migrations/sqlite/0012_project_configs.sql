-- A project's labeling config, its parsed form and its control weights move out of the projects row.
-- With 20,000 labels they fill ~2 MB of overflow pages, and every saved annotation updated the
-- project's counters in that row: SQLite read and compared every one of those pages, and each read of
-- the project read them again (a save took 2.5-4.6 ms, against 0.7-1.0 ms with a small config).
-- config_version is new with every write of the three: the store keeps their texts in memory by it, so
-- a project is read without them while they have not changed.
CREATE TABLE project_configs (
  project_id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  label_config TEXT NOT NULL DEFAULT '<View></View>',
  parsed_label_config TEXT NOT NULL DEFAULT '{}',
  control_weights TEXT NOT NULL DEFAULT '{}'
);
INSERT INTO project_configs(project_id, label_config, parsed_label_config, control_weights)
  SELECT id, label_config, parsed_label_config, control_weights FROM projects;
ALTER TABLE projects ADD COLUMN config_version TEXT NOT NULL DEFAULT '';
UPDATE projects SET config_version = lower(hex(randomblob(16)));
ALTER TABLE projects DROP COLUMN label_config;
ALTER TABLE projects DROP COLUMN parsed_label_config;
ALTER TABLE projects DROP COLUMN control_weights;
