-- 0002's rule for users: a user deleted as the newest freed its id, so the next user made took it, and
-- a retried DELETE /api/users/{id}, or a script's completed_by or a tab's annotator filter holding the
-- old id, named the new user.

CREATE TRIGGER users_id_floor AFTER DELETE ON users
WHEN OLD.id > coalesce((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'id_floor.users'), 0)
BEGIN
  INSERT OR REPLACE INTO settings(key, value) VALUES ('id_floor.users', OLD.id);
END;
