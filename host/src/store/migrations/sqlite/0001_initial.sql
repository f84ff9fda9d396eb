-- Annot schema version 1 (SQLite): users and tokens, projects, tasks, annotations, drafts, predictions,
-- file uploads, imports, data-manager views, task locks, project summaries.
-- Timestamps are INTEGER microseconds since the Unix epoch (UTC). JSON payloads are TEXT, stored as
-- received. Booleans are INTEGER 0/1. Counters on tasks and projects are maintained by the engine
-- in the transaction that changes the rows they count (see host/src/store/README.md).

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL,
  username TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL DEFAULT '',   -- libsodium crypto_pwhash_str; '' = no password login
  first_name TEXT NOT NULL DEFAULT '',
  last_name TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  avatar TEXT NOT NULL DEFAULT '',
  is_staff INTEGER NOT NULL DEFAULT 0,
  is_superuser INTEGER NOT NULL DEFAULT 0,
  is_active INTEGER NOT NULL DEFAULT 1,
  date_joined INTEGER NOT NULL,
  last_login INTEGER,
  last_activity INTEGER
);
CREATE UNIQUE INDEX users_email ON users(email COLLATE NOCASE);

-- legacy: the 40-hex API token (one per user, shown to its owner, so kept as is);
-- personal: personal access tokens (JWT refresh); session: browser login sessions.
-- For personal and session tokens the host stores a digest or id as `key`, never the secret.
CREATE TABLE tokens (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('legacy', 'personal', 'session')),
  key TEXT NOT NULL UNIQUE,
  label TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  revoked_at INTEGER
);
CREATE INDEX tokens_user ON tokens(user_id, kind);
CREATE UNIQUE INDEX tokens_one_legacy ON tokens(user_id) WHERE kind = 'legacy';

-- Instance-wide settings (signup allowed, signing secrets, ...), owned by the host.
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE projects (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  label_config TEXT NOT NULL DEFAULT '<View></View>',
  parsed_label_config TEXT NOT NULL DEFAULT '{}',
  data_types TEXT NOT NULL DEFAULT '{}',
  expert_instruction TEXT NOT NULL DEFAULT '',
  show_instruction INTEGER NOT NULL DEFAULT 0,
  show_skip_button INTEGER NOT NULL DEFAULT 1,
  enable_empty_annotation INTEGER NOT NULL DEFAULT 1,
  show_annotation_history INTEGER NOT NULL DEFAULT 0,
  organization INTEGER NOT NULL DEFAULT 1,
  color TEXT NOT NULL DEFAULT '#FFFFFF',
  maximum_annotations INTEGER NOT NULL DEFAULT 1,
  is_published INTEGER NOT NULL DEFAULT 0,
  model_version TEXT NOT NULL DEFAULT '',
  is_draft INTEGER NOT NULL DEFAULT 0,
  created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  min_annotations_to_start_training INTEGER NOT NULL DEFAULT 0,
  start_training_on_annotation_update INTEGER NOT NULL DEFAULT 0,
  show_collab_predictions INTEGER NOT NULL DEFAULT 1,
  sampling TEXT NOT NULL DEFAULT 'Sequential sampling',
  show_ground_truth_first INTEGER NOT NULL DEFAULT 0,
  show_overlap_first INTEGER NOT NULL DEFAULT 0,
  overlap_cohort_percentage INTEGER NOT NULL DEFAULT 100,
  task_data_login TEXT,
  task_data_password TEXT,
  control_weights TEXT NOT NULL DEFAULT '{}',
  evaluate_predictions_automatically INTEGER NOT NULL DEFAULT 0,
  skip_queue TEXT NOT NULL DEFAULT 'REQUEUE_FOR_OTHERS',
  reveal_preannotations_interactively INTEGER NOT NULL DEFAULT 0,
  pinned_at INTEGER,
  -- maintained counters
  task_number INTEGER NOT NULL DEFAULT 0,
  total_annotations_number INTEGER NOT NULL DEFAULT 0,   -- annotations not cancelled
  skipped_annotations_number INTEGER NOT NULL DEFAULT 0, -- cancelled (skipped) annotations
  useful_annotation_number INTEGER NOT NULL DEFAULT 0,   -- not cancelled, not ground truth
  ground_truth_number INTEGER NOT NULL DEFAULT 0,
  total_predictions_number INTEGER NOT NULL DEFAULT 0,
  num_tasks_with_annotations INTEGER NOT NULL DEFAULT 0, -- tasks with total_annotations > 0
  finished_task_number INTEGER NOT NULL DEFAULT 0,       -- tasks with is_labeled
  -- set when the project is deleted: it is invisible at once, its rows are removed in batches
  deleted_at INTEGER
);

CREATE TABLE file_uploads (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  file TEXT NOT NULL,             -- path under the upload root, e.g. "12/0f3a9c1d-cat.jpg"
  original_name TEXT NOT NULL DEFAULT '',
  size INTEGER NOT NULL DEFAULT 0,
  content_type TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);
CREATE INDEX file_uploads_project ON file_uploads(project_id);
CREATE INDEX file_uploads_user ON file_uploads(user_id) WHERE user_id IS NOT NULL;

-- An import writes its tasks in batches while rows_hidden = 1; readers skip the rows of such
-- imports. Publishing flips rows_hidden and adds the staged counters to the project in one short
-- commit. A failed or interrupted import keeps rows_hidden = 1 until its rows are removed.
CREATE TABLE imports (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  status TEXT NOT NULL DEFAULT 'created' CHECK (status IN ('created', 'in_progress', 'completed', 'failed')),
  rows_hidden INTEGER NOT NULL DEFAULT 1,
  error TEXT NOT NULL DEFAULT '',
  task_count INTEGER NOT NULL DEFAULT 0,
  annotation_count INTEGER NOT NULL DEFAULT 0,
  prediction_count INTEGER NOT NULL DEFAULT 0,
  draft_count INTEGER NOT NULL DEFAULT 0,
  -- staged counter deltas, added to the project on publish
  cancelled_count INTEGER NOT NULL DEFAULT 0,
  ground_truth_count INTEGER NOT NULL DEFAULT 0,
  useful_count INTEGER NOT NULL DEFAULT 0,
  tasks_with_annotations INTEGER NOT NULL DEFAULT 0,
  labeled_tasks INTEGER NOT NULL DEFAULT 0,
  last_model_version TEXT NOT NULL DEFAULT '',
  -- the ids its tasks got: every staged task has an id in [first, last] (and this import_id), so
  -- removing or listing them is a primary-key range scan, with no index on tasks.import_id
  first_task_id INTEGER,
  last_task_id INTEGER,
  duration REAL NOT NULL DEFAULT 0,
  file_upload_ids TEXT NOT NULL DEFAULT '[]',
  could_be_tasks_list INTEGER NOT NULL DEFAULT 0,
  found_formats TEXT NOT NULL DEFAULT '{}',
  data_columns TEXT NOT NULL DEFAULT '[]',
  meta TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  finished_at INTEGER
);
CREATE INDEX imports_project ON imports(project_id);
CREATE INDEX imports_hidden ON imports(project_id) WHERE rows_hidden = 1;

-- Summary rows an import will add to project_summary when it is published.
CREATE TABLE import_summary (
  import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
  kind INTEGER NOT NULL,
  name TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  count INTEGER NOT NULL,
  PRIMARY KEY (import_id, kind, name, label)
) WITHOUT ROWID;

CREATE TABLE tasks (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  inner_id INTEGER NOT NULL,       -- 1-based per project; grows with id inside a project
  data TEXT NOT NULL,              -- JSON object
  meta TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  is_labeled INTEGER NOT NULL DEFAULT 0,
  overlap INTEGER NOT NULL DEFAULT 1,
  total_annotations INTEGER NOT NULL DEFAULT 0,     -- annotations not cancelled
  cancelled_annotations INTEGER NOT NULL DEFAULT 0,
  total_predictions INTEGER NOT NULL DEFAULT 0,
  ground_truth INTEGER NOT NULL DEFAULT 0,          -- has a ground-truth annotation
  completed_at INTEGER,                             -- newest non-cancelled annotation's created_at
  predictions_score REAL,                           -- mean prediction score
  avg_lead_time REAL,
  comment_count INTEGER NOT NULL DEFAULT 0,
  unresolved_comment_count INTEGER NOT NULL DEFAULT 0,
  last_comment_updated_at INTEGER,
  file_upload_id INTEGER REFERENCES file_uploads(id) ON DELETE SET NULL,
  import_id INTEGER                                 -- the import that created the task
);
CREATE UNIQUE INDEX tasks_project_inner ON tasks(project_id, inner_id);
CREATE INDEX tasks_project_stream ON tasks(project_id, is_labeled, inner_id);
-- Covers the data manager's counter filters and its totals without touching the rows.
CREATE INDEX tasks_project_counts ON tasks(project_id, total_annotations, id, total_predictions);
CREATE INDEX tasks_file_upload ON tasks(file_upload_id) WHERE file_upload_id IS NOT NULL;

CREATE TABLE predictions (
  id INTEGER PRIMARY KEY,
  task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  project_id INTEGER NOT NULL,
  result TEXT NOT NULL DEFAULT '[]',
  score REAL,
  model_version TEXT NOT NULL DEFAULT '',
  model_run INTEGER,
  cluster INTEGER,
  neighbors TEXT,
  mislabeling REAL NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX predictions_task ON predictions(task_id);
CREATE INDEX predictions_project_version ON predictions(project_id, model_version);

CREATE TABLE annotations (
  id INTEGER PRIMARY KEY,
  task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  project_id INTEGER NOT NULL,
  result TEXT NOT NULL DEFAULT '[]',
  completed_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  was_cancelled INTEGER NOT NULL DEFAULT 0,
  ground_truth INTEGER NOT NULL DEFAULT 0,
  lead_time REAL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  draft_created_at INTEGER,
  unique_id TEXT NOT NULL UNIQUE,
  import_id INTEGER,                -- the annotation's id in the file it was imported from
  last_action TEXT,
  last_created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  parent_prediction INTEGER REFERENCES predictions(id) ON DELETE SET NULL,
  parent_annotation INTEGER REFERENCES annotations(id) ON DELETE SET NULL,
  bulk_created INTEGER NOT NULL DEFAULT 0,
  prediction TEXT NOT NULL DEFAULT '{}',
  result_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX annotations_task ON annotations(task_id);
CREATE INDEX annotations_user_task ON annotations(completed_by, task_id);
-- No indexes on updated_by/last_created_by: every annotation sets them, and they only serve the
-- ON DELETE SET NULL scan of a (rare) user deletion.
CREATE INDEX annotations_parent_prediction ON annotations(parent_prediction) WHERE parent_prediction IS NOT NULL;
CREATE INDEX annotations_parent_annotation ON annotations(parent_annotation) WHERE parent_annotation IS NOT NULL;

CREATE TABLE drafts (
  id INTEGER PRIMARY KEY,
  task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  project_id INTEGER NOT NULL,
  user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
  annotation_id INTEGER REFERENCES annotations(id) ON DELETE CASCADE,
  result TEXT NOT NULL DEFAULT '[]',
  lead_time REAL,
  was_postponed INTEGER NOT NULL DEFAULT 0,
  import_id INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX drafts_task ON drafts(task_id);
CREATE INDEX drafts_user ON drafts(user_id);
CREATE INDEX drafts_annotation ON drafts(annotation_id) WHERE annotation_id IS NOT NULL;

-- Data-manager tabs. `data` holds {title, filters, ordering, hiddenColumns, columnsWidth, ...}.
CREATE TABLE views (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  data TEXT NOT NULL DEFAULT '{}',
  position INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX views_project ON views(project_id, position);
CREATE INDEX views_user ON views(user_id) WHERE user_id IS NOT NULL;

-- The labeling stream's locks: a task handed to a user is reserved for them until expires_at.
CREATE TABLE task_locks (
  task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  project_id INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (task_id, user_id)
) WITHOUT ROWID;
CREATE INDEX task_locks_user ON task_locks(user_id, project_id);

-- Label Studio's ProjectSummary. kind: 0 data column (name = data key, count = tasks having it),
-- 1 annotation tuple (name = "from_name|to_name|type"), 2 annotation label (name = from_name,
-- label), 3 draft label (name = from_name, label).
CREATE TABLE project_summary (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  kind INTEGER NOT NULL,
  name TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  count INTEGER NOT NULL,
  PRIMARY KEY (project_id, kind, name, label)
) WITHOUT ROWID;

-- Expression indexes on json_extract(data, '$."<key>"'), one per (project, data key), partial on
-- the project. Recorded so that they can be listed and dropped with the project.
CREATE TABLE data_indexes (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (project_id, key)
) WITHOUT ROWID;
