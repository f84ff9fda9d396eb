-- Ids are never given twice, as Label Studio's are not: scripts, ML backends and webhooks keep them, and stored
-- exports and uploads sit under project ids. SQLite gives a new row max(id) + 1, so deleting the newest row
-- would free its id: the largest id deleted from each table is kept in settings ('id_floor.<table>') and
-- inserts start above it (store/sqlite/ops_common.cpp, id_above_floor()).

CREATE TRIGGER projects_id_floor AFTER DELETE ON projects
WHEN OLD.id > coalesce((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'id_floor.projects'), 0)
BEGIN
  INSERT OR REPLACE INTO settings(key, value) VALUES ('id_floor.projects', OLD.id);
END;

CREATE TRIGGER tasks_id_floor AFTER DELETE ON tasks
WHEN OLD.id > coalesce((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'id_floor.tasks'), 0)
BEGIN
  INSERT OR REPLACE INTO settings(key, value) VALUES ('id_floor.tasks', OLD.id);
END;

CREATE TRIGGER annotations_id_floor AFTER DELETE ON annotations
WHEN OLD.id > coalesce((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'id_floor.annotations'), 0)
BEGIN
  INSERT OR REPLACE INTO settings(key, value) VALUES ('id_floor.annotations', OLD.id);
END;

CREATE TRIGGER predictions_id_floor AFTER DELETE ON predictions
WHEN OLD.id > coalesce((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'id_floor.predictions'), 0)
BEGIN
  INSERT OR REPLACE INTO settings(key, value) VALUES ('id_floor.predictions', OLD.id);
END;

CREATE TRIGGER drafts_id_floor AFTER DELETE ON drafts
WHEN OLD.id > coalesce((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'id_floor.drafts'), 0)
BEGIN
  INSERT OR REPLACE INTO settings(key, value) VALUES ('id_floor.drafts', OLD.id);
END;
