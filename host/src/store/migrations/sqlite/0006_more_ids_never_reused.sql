-- 0002's rule for the rows scripts also keep ids of: a file upload, an import or a data-manager
-- tab deleted as the newest of its table freed its id, so a retried DELETE of upload 41 could take
-- the next user's upload 41, and a stale tab id opened another tab.

CREATE TRIGGER file_uploads_id_floor AFTER DELETE ON file_uploads
WHEN OLD.id > coalesce((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'id_floor.file_uploads'), 0)
BEGIN
  INSERT OR REPLACE INTO settings(key, value) VALUES ('id_floor.file_uploads', OLD.id);
END;

CREATE TRIGGER imports_id_floor AFTER DELETE ON imports
WHEN OLD.id > coalesce((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'id_floor.imports'), 0)
BEGIN
  INSERT OR REPLACE INTO settings(key, value) VALUES ('id_floor.imports', OLD.id);
END;

CREATE TRIGGER views_id_floor AFTER DELETE ON views
WHEN OLD.id > coalesce((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'id_floor.views'), 0)
BEGIN
  INSERT OR REPLACE INTO settings(key, value) VALUES ('id_floor.views', OLD.id);
END;
