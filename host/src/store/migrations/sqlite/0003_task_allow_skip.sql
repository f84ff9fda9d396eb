-- Label Studio's Task.allow_skip (BooleanField(default=True, null=True)): false makes a task unskippable,
-- so an annotation that skips it is refused. Imports and POST /api/tasks set it; exports write it back.
ALTER TABLE tasks ADD COLUMN allow_skip INTEGER DEFAULT 1;
