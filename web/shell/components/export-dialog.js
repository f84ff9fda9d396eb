// The export dialog: the project's formats (GET /api/projects/{id}/export/formats; the ones that do
// not fit its config greyed with the reason), a download through the streamed easy export, and an
// export in the background that keeps its files and its report (export-history.js).
import { useEffect } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import { html } from '../lib/html.js';
import { get, qs } from '../lib/api.js';
import { useStylesheet } from '../lib/stylesheet.js';
import { ExportHistory } from './export-history.js';
import { useBackgroundExport } from './background-export.js';
import { plural } from './export-report.js';

useStylesheet('/static/styles/gallery.css');

// The download URL for one format: Label Studio's GET /api/projects/{id}/export, plus the exporter's
// own options (Annot's `options`, a JSON object) when any is set, and the tasks' scope (Annot's `view`
// and `selectedItems`: a data-manager tab and the selection in it).
export function exportUrl(projectId, { exportType, allTasks, resources, options, tasks }) {
  const set = options && Object.keys(options).length ? { options: JSON.stringify(options) } : {};
  return `/api/projects/${projectId}/export` + qs({
    exportType, download_all_tasks: allTasks ? 'true' : 'false', download_resources: resources ? 'true' : 'false', ...set,
    view: tasks?.view, selectedItems: tasks?.selectedItems ? JSON.stringify(tasks.selectedItems) : undefined,
  });
}

// Which tasks the data manager offers to export: every task, the tab's (its saved filters) or the
// selection in the tab. `scope` is what the data manager knows: {viewId, viewTitle, total (null while
// its rows load), filtered, selectedItems, selectedCount, saving (an edit of the tab not saved yet)};
// none from the settings page (every task then).
function scopeChoices(scope) {
  if (!scope) return [];
  const choices = [{ id: 'all', label: 'All tasks of the project', tasks: null }];
  if (scope.filtered) {
    const count = scope.total === null || scope.total === undefined ? 'tasks' : plural(scope.total, 'task');
    choices.push({ id: 'tab', label: `The ${count} of the tab "${scope.viewTitle}" (its filters)`,
      tasks: { view: scope.viewId } });
  }
  if (scope.selectedItems)
    choices.push({ id: 'selected', label: `The ${plural(scope.selectedCount, 'selected task')}`,
      tasks: { view: scope.viewId, selectedItems: scope.selectedItems } });
  return choices;
}

export function ExportDialog({ projectId, onClose, scope = null }) {
  const formats = useSignal(null);
  const error = useSignal(null);
  const chosen = useSignal('JSON');
  const allTasks = useSignal(true);
  const resources = useSignal(false);
  // Boolean options the user turned on, per format: { COCO_WITH_IMAGES: { archive_file_names: true } }.
  const options = useSignal({});
  const background = useBackgroundExport(projectId);
  const choices = scopeChoices(scope);
  const scopeId = useSignal(choices.length ? choices[choices.length - 1].id : 'all');
  const tasks = choices.find((c) => c.id === scopeId.value)?.tasks ?? null;
  // The server exports a tab as it has saved it: wait for the data manager's saves of its last edits.
  const waitForTab = Boolean(scope?.saving && tasks?.view !== undefined);

  useEffect(() => {
    get(`/api/projects/${projectId}/export/formats`).then((list) => {
      formats.value = Array.isArray(list) ? list : [];
      const first = formats.value.find((f) => !f.disabled);
      if (first && !formats.value.some((f) => f.name === chosen.value && !f.disabled)) chosen.value = first.name;
    }, (e) => { error.value = e; });
    const onKey = (e) => { if (e.key === 'Escape') onClose(); };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [projectId]);

  const list = formats.value;
  const current = list?.find((f) => f.name === chosen.value && !f.disabled);
  const flags = (current?.options ?? []).filter((o) => o.type === 'boolean');
  const setFlags = current ? (options.value[current.name] ?? {}) : {};
  const chosenOptions = Object.fromEntries(Object.entries(setFlags).filter(([name]) => flags.some((o) => o.name === name)));
  const href = current && !waitForTab ? exportUrl(projectId, { exportType: current.name, allTasks: allTasks.value, resources: resources.value,
    options: chosenOptions, tasks }) : null;
  const startBackground = () => background.start({ exportType: current.name, allTasks: allTasks.value,
    resources: resources.value, options: chosenOptions, tasks });
  return html`<div class="modal-backdrop" onClick=${(e) => { if (e.target === e.currentTarget) onClose(); }}>
    <div class="card modal export-dialog" role="dialog" aria-modal="true" aria-labelledby="export-title">
      <h2 id="export-title">Export</h2>
      ${error.value ? html`<div class="error-box" role="alert">The formats could not be loaded: ${error.value.message}</div>` : null}
      ${list === null && !error.value ? html`<div class="muted">Loading the formats…</div>` : null}
      ${list ? html`<ul class="export-formats" role="radiogroup" aria-label="Export format">
        ${list.map((f) => html`<li class=${f.disabled ? 'disabled' : ''} data-format=${f.name}>
          <input type="radio" name="export-format" id=${`format-${f.name}`} value=${f.name}
                 disabled=${f.disabled} checked=${f.name === chosen.value && !f.disabled}
                 onChange=${() => { chosen.value = f.name; }} />
          <label for=${`format-${f.name}`}>
            <b>${f.title || f.name}</b>
            ${f.description ? html`<span class="description">${f.description}</span>` : null}
            ${f.disabled && f.reason ? html`<span class="reason">${f.reason}</span>` : null}
          </label>
        </li>`)}
      </ul>` : null}
      ${choices.length > 1 ? html`<div class="export-scope" role="radiogroup" aria-label="Tasks to export">
        <span class="muted">Tasks to export</span>
        ${choices.map((c) => html`<label><input type="radio" name="export-scope" value=${c.id} checked=${scopeId.value === c.id}
          onChange=${() => { scopeId.value = c.id; }} /> ${c.label}</label>`)}
      </div>` : null}
      <div class="export-options">
        <label><input type="checkbox" name="download_all_tasks" checked=${allTasks.value}
                      onChange=${(e) => { allTasks.value = e.currentTarget.checked; }} /> Include tasks without annotations</label>
        <label><input type="checkbox" name="download_resources" checked=${resources.value}
                      onChange=${(e) => { resources.value = e.currentTarget.checked; }} /> Include media files</label>
      </div>
      ${flags.length ? html`<div class="export-options format-options" aria-label=${`${current.title || current.name} options`}>
        ${flags.map((o) => html`<label title=${o.name}><input type="checkbox" name=${`option-${o.name}`}
            checked=${setFlags[o.name] ?? o.default === true}
            onChange=${(e) => {
              const next = { ...setFlags, [o.name]: e.currentTarget.checked };
              options.value = { ...options.value, [current.name]: next };
            }} /> ${o.description || o.name}</label>`)}
      </div>` : null}
      <div class="buttons">
        <button type="button" onClick=${onClose}>Cancel</button>
        ${waitForTab ? html`<span class="muted" aria-live="polite">Saving the tab's filters…</span>` : null}
        <button type="button" disabled=${!current || background.running || waitForTab} onClick=${startBackground}
                title="Runs as a job; keeps the file and lists the tasks the format could not hold">Export in the background</button>
        ${href
          ? html`<a class="button primary" href=${href} download data-native onClick=${() => setTimeout(onClose, 0)}>Export</a>`
          : html`<button class="primary" type="button" disabled>Export</button>`}
      </div>
      ${background.view}
      <${ExportHistory} projectId=${projectId} version=${background.version}
        convertTo=${current ? { exportType: current.name, resources: resources.value, options: chosenOptions } : null} />
    </div>
  </div>`;
}
