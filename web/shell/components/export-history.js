// Background exports: Label Studio's stored exports (/api/projects/{id}/exports), a snapshot of the tasks
// taken by a job and converted to a format by another. Unlike the streamed download, a conversion keeps
// its report (how many tasks went out, which were skipped and why, the warnings), so the user sees what a
// format could not hold; and the files stay for later downloads until deleted.
import { useEffect, useRef } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import { html } from '../lib/html.js';
import { get, post, del } from '../lib/api.js';
import { ProgressBar } from './progress-bar.js';

const POLL_MS = 400;

const exportsUrl = (projectId) => `/api/projects/${projectId}/exports`;

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

// Which tasks a snapshot holds, from the options it was made with.
function scopeText(record) {
  const f = record.task_filter_options ?? {};
  const parts = [f.selectedItems ? 'selected tasks' : f.view !== undefined && f.view !== null ? "a tab's tasks" : null,
    f.only_with_annotations ? 'annotated only' : null].filter(Boolean);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

const plural = (n, one, many = `${one}s`) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

// A conversion's report: the counts, and the kept messages (the server keeps the first 200 of each).
export function ExportReport({ projectId, report }) {
  if (!report) return null;
  const skipped = report.skipped ?? [];
  const warnings = report.warnings ?? [];
  // A skip is a task, an item or a region the format could not hold: counted as left out, not as tasks.
  const summary = `${plural(report.tasks ?? 0, 'task')} read, ${(report.skipped_count ?? 0).toLocaleString()} left out, ` +
    plural(report.warning_count ?? 0, 'warning');
  if (!skipped.length && !warnings.length) return html`<div class="export-report muted">${summary}</div>`;
  const more = (count, shown) => (count > shown ? html`<li class="muted">… and ${(count - shown).toLocaleString()} more</li>` : null);
  return html`<details class="export-report">
    <summary>${summary}</summary>
    ${skipped.length ? html`<ul class="export-skipped" aria-label="Skipped tasks">
      ${skipped.map((s) => html`<li><a href=${`/projects/${projectId}/data?task=${s.task}`} target="_blank"
        rel="noopener" title="Opens the task in a new tab"><b>Task ${s.task}</b></a>: ${s.reason}</li>`)}
      ${more(report.skipped_count ?? 0, skipped.length)}
    </ul>` : null}
    ${warnings.length ? html`<ul class="export-warnings" aria-label="Warnings">
      ${warnings.map((w) => html`<li>${w}</li>`)}
      ${more(report.warning_count ?? 0, warnings.length)}
    </ul>` : null}
  </details>`;
}

// One stored export: its snapshot and each conversion, with their downloads and reports.
// `convertTo`: the format chosen in the dialog ({exportType, resources, options}), offered as a
// conversion of this snapshot when it has none of that format yet (or only a failed one).
function ExportEntry({ projectId, record, onDelete, deleting, convertTo, onConvert, converting }) {
  const when = record.created_at ? new Date(record.created_at).toLocaleString() : '';
  const tasks = record.counters?.task_number ?? 0;
  const existing = convertTo ? conversionOf(record, convertTo.exportType) : null;
  const canConvert = record.status === 'completed' && convertTo && convertTo.exportType !== 'JSON' &&
    (!existing || existing.status === 'failed');
  const state = record.status === 'completed' ? `${plural(tasks, 'task')}${scopeText(record)}`
    : record.status === 'failed' ? `failed: ${record.traceback ?? 'no reason recorded'}` : 'running…';
  return html`<li class="export-entry" data-export=${record.id}>
    <div class="export-entry-head">
      <b title=${record.title}>#${record.id} ${record.title}</b>
      <span class="muted">${when} · ${state}</span>
      ${canConvert ? html`<button type="button" class="link convert" disabled=${converting}
              aria-label=${`Convert export #${record.id} to ${convertTo.exportType}`}
              onClick=${() => onConvert(record)}>${converting ? 'Converting…' : `Convert to ${convertTo.exportType}`}</button>` : null}
      <button type="button" class="link delete" disabled=${deleting}
              aria-label=${`Delete export #${record.id}`} onClick=${() => onDelete(record)}>Delete</button>
    </div>
    ${record.status === 'completed' ? html`<ul class="export-files">
      <li data-export-type="JSON"><a href=${downloadUrl(projectId, record.id, 'JSON')} download data-native>JSON</a>
        <span class="muted">the snapshot</span></li>
      ${(record.converted_formats ?? []).map((c) => html`<li data-export-type=${c.export_type}>
        ${c.status === 'completed'
          ? html`<a href=${downloadUrl(projectId, record.id, c.export_type)} download data-native>${c.export_type}</a>`
          : html`<span>${c.export_type}</span>`}
        ${c.status === 'failed' ? html`<span class="reason">failed: ${c.traceback ?? 'no reason recorded'}</span>`
          : c.status !== 'completed' ? html`<span class="muted">converting…</span>` : null}
        <${ExportReport} projectId=${projectId} report=${c.report} />
      </li>`)}
    </ul>` : null}
  </li>`;
}

// The project's stored exports, newest first; reloads when `version` changes. `convertTo` as ExportEntry's.
export function ExportHistory({ projectId, version, convertTo = null }) {
  const list = useSignal(null);
  const error = useSignal(null);
  const deleting = useSignal(null);
  const converting = useSignal(null);
  const controller = useRef(null);
  useEffect(() => () => controller.current?.abort(), []);

  const load = () => get(exportsUrl(projectId)).then((records) => {
    list.value = (Array.isArray(records) ? records : []).slice().sort((a, b) => b.id - a.id);
    error.value = null;
  }, (e) => { error.value = e; });
  useEffect(() => { load(); }, [projectId, version]);

  const remove = async (record) => {
    deleting.value = record.id;
    try {
      await del(`${exportsUrl(projectId)}/${record.id}`);
      await load();
    } catch (e) {
      error.value = e;
    } finally {
      deleting.value = null;
    }
  };

  const convert = async (record) => {
    converting.value = record.id;
    controller.current = new AbortController();
    const signal = controller.current.signal;
    try {
      await convertExport(projectId, record.id, convertTo, signal, load);  // load: shows it running
      await load();
    } catch (e) {
      if (!signal.aborted) error.value = e;
    } finally {
      converting.value = null;
    }
  };

  return html`<section class="export-history" aria-label="Background exports">
    <h3>Background exports</h3>
    ${error.value ? html`<div class="error-box" role="alert">${error.value.message}</div>` : null}
    ${list.value === null && !error.value ? html`<div class="muted">Loading…</div>` : null}
    ${list.value?.length === 0 ? html`<div class="muted">None yet. An export in the background keeps its files
      here, with what each format left out and why.</div>` : null}
    ${list.value?.length ? html`<ul class="export-list">
      ${list.value.map((r) => html`<${ExportEntry} key=${r.id} projectId=${projectId} record=${r}
        deleting=${deleting.value === r.id} onDelete=${remove}
        convertTo=${converting.value === null || converting.value === r.id ? convertTo : null}
        converting=${converting.value === r.id} onConvert=${convert} />`)}
    </ul>` : null}
  </section>`;
}

// The run of a background export from the dialog: a progress bar while its jobs run, then the result
// (the report and the download) or the error.
export function useBackgroundExport(projectId) {
  const step = useSignal(null);      // what runs, while it runs
  const outcome = useSignal(null);   // { record, exportType } or { error }
  const version = useSignal(0);      // bumped when the history should reload
  const running = useSignal(null);   // the AbortController of the run

  useEffect(() => () => running.peek()?.abort(), []);

  const start = async (choice) => {
    running.peek()?.abort();
    const controller = new AbortController();
    running.value = controller;
    outcome.value = null;
    try {
      const record = await runBackgroundExport(projectId, choice, (text) => { step.value = text; }, controller.signal);
      outcome.value = { record, exportType: choice.exportType };
    } catch (e) {
      if (controller.signal.aborted) return;
      outcome.value = { error: e };
    } finally {
      if (running.peek() === controller) {
        running.value = null;
        step.value = null;
        version.value++;
      }
    }
  };

  const view = html`${step.value ? html`<${ProgressBar} label=${step.value} />` : null}
    ${outcome.value?.error ? html`<div class="error-box" role="alert">${outcome.value.error.message}</div>` : null}
    ${outcome.value?.record ? html`<${ExportOutcome} projectId=${projectId} ...${outcome.value} />` : null}`;
  return { start, running: running.value !== null, view, version: version.value };
}

function ExportOutcome({ projectId, record, exportType }) {
  // The dialog may be scrolled to its formats: the result comes into view when it arrives.
  const box = useRef(null);
  useEffect(() => { box.current?.scrollIntoView({ block: 'nearest' }); }, [record]);
  const conversion = exportType === 'JSON' ? null : conversionOf(record, exportType);
  if (conversion?.status === 'failed')
    return html`<div class="error-box" role="alert" ref=${box}>The conversion to ${exportType} failed: ${conversion.traceback ?? 'no reason recorded'}
      <${ExportReport} projectId=${projectId} report=${conversion.report} /></div>`;
  const tasks = record.counters?.task_number ?? 0;
  return html`<div class="export-outcome" role="status" ref=${box}>
    <div>Exported ${plural(tasks, 'task')} as ${exportType}.
      <a class="button primary" href=${downloadUrl(projectId, record.id, exportType)} download data-native>Download</a></div>
    ${conversion ? html`<${ExportReport} projectId=${projectId} report=${conversion.report} />` : null}
  </div>`;
}
