// Stored exports (Label Studio's /api/projects/{id}/exports) as the export dialog runs them: a snapshot
// of the tasks taken by a job, converted to a format by another, each polled until it settles.
import { get, post } from './api.js';

const POLL_MS = 400;

export const exportsUrl = (projectId) => `/api/projects/${projectId}/exports`;

// The conversion of `record` (an export as GET .../exports/{pk} gives it) to `exportType`, if asked.
export function conversionOf(record, exportType) {
  return (record?.converted_formats ?? []).find((c) => c.export_type === exportType) ?? null;
}

// Where a finished export (or one of its conversions) is downloaded from.
export function downloadUrl(projectId, pk, exportType) {
  return `${exportsUrl(projectId)}/${pk}/download?exportType=${encodeURIComponent(exportType)}`;
}

const sleep = (ms, signal) => new Promise((resolve, reject) => {
  const timer = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => { clearTimeout(timer); reject(signal.reason); }, { once: true });
});

// GETs the export until settled(record) holds; resolves to that record.
async function pollExport(projectId, pk, settled, signal) {
  for (;;) {
    const record = await get(`${exportsUrl(projectId)}/${pk}`, { signal });
    if (settled(record)) return record;
    await sleep(POLL_MS, signal);
  }
}

// Runs one background export: the snapshot job, then for any format but JSON (the snapshot itself) its
// conversion job. onStep(text) tells what runs. Resolves to the export's final record; a failed
// snapshot rejects, a failed conversion resolves (its record says why, beside the report).
export async function runBackgroundExport(projectId, { exportType, allTasks, resources, options, tasks }, onStep, signal) {
  onStep('Taking a snapshot of the tasks…');
  // tasks: a data-manager tab ({view}) and the selection in it ({selectedItems}, Annot's extension).
  const taskFilter = { only_with_annotations: !allTasks };
  if (tasks?.view !== undefined && tasks?.view !== null) taskFilter.view = tasks.view;
  if (tasks?.selectedItems) taskFilter.selectedItems = tasks.selectedItems;
  const created = await post(exportsUrl(projectId), { task_filter_options: taskFilter }, { signal });
  const snapshot = await pollExport(projectId, created.id,
    (r) => r.status === 'completed' || r.status === 'failed', signal);
  if (snapshot.status === 'failed') throw new Error(`The snapshot failed: ${snapshot.traceback ?? 'no reason recorded'}`);
  if (exportType === 'JSON') return snapshot;
  onStep(`Converting ${(snapshot.counters?.task_number ?? 0).toLocaleString()} tasks to ${exportType}…`);
  return convertExport(projectId, created.id, { exportType, resources, options }, signal);
}

// Converts a finished snapshot to another format (POST .../convert) and waits for the conversion;
// resolves to the export's record once it completed or failed.
// onStarted() runs once the server took the conversion.
export async function convertExport(projectId, pk, { exportType, resources, options }, signal, onStarted = null) {
  const body = { export_type: exportType, download_resources: resources };
  if (options && Object.keys(options).length) body.options = options;
  await post(`${exportsUrl(projectId)}/${pk}/convert`, body, { signal });
  await onStarted?.();
  return pollExport(projectId, pk, (r) => {
    const c = conversionOf(r, exportType);
    return c !== null && (c.status === 'completed' || c.status === 'failed');
  }, signal);
}
