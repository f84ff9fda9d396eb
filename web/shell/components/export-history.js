// The project's stored exports in the export dialog, newest first: which tasks each holds, its snapshot's
// download, each conversion's download and report (or why it failed), a conversion to the format chosen
// in the dialog, and Delete. The files stay on the server until deleted.
import { useEffect, useRef } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import { html } from '../lib/html.js';
import { get, del } from '../lib/api.js';
import { exportsUrl, conversionOf, downloadUrl, convertExport } from '../lib/exports.js';
import { ExportReport, plural } from './export-report.js';

// Which tasks a snapshot holds, from the options it was made with.
function scopeText(record) {
  const f = record.task_filter_options ?? {};
  const parts = [f.selectedItems ? 'selected tasks' : f.view !== undefined && f.view !== null ? "a tab's tasks" : null,
    f.only_with_annotations ? 'annotated only' : null].filter(Boolean);
  return parts.length ? ` (${parts.join(', ')})` : '';
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
