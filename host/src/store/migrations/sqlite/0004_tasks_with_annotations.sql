-- num_tasks_with_annotations counts, as Label Studio does (projects/functions/__init__.py::
-- annotate_num_tasks_with_annotations), the tasks with an annotation that is neither ground truth nor
-- cancelled. It used to count every task with total_annotations > 0 (ground truth included): recounted
-- once here over the visible tasks; the writes keep it from now on.
UPDATE projects SET num_tasks_with_annotations = (
  SELECT count(*) FROM tasks t WHERE t.project_id = projects.id
    AND (t.import_id IS NULL OR NOT EXISTS (SELECT 1 FROM imports i WHERE i.id = t.import_id AND i.rows_hidden = 1))
    AND EXISTS (SELECT 1 FROM annotations a WHERE a.task_id = t.id AND a.ground_truth = 0 AND a.was_cancelled = 0));
