-- The queue counters of a project (queue_total, queue_done in GET /api/projects and /api/projects/{id})
-- read the requesting user's annotations of the listed projects. By annotations_user_task that was
-- every annotation the user made in any project, each with a seek into its task, on every request;
-- was_cancelled is there so that queue_done is counted from the index alone.
CREATE INDEX annotations_user_project ON annotations(completed_by, project_id, task_id, was_cancelled);
