// /projects/{id}/settings: what Label Studio's settings pages offer for a project. General (title,
// description, colour), the labeling interface (the config, checked live, with the create page's
// live preview on a task of the project), the labeling instructions (expert_instruction,
// show_instruction) and the annotation settings (sampling, annotations per task, overlap, skipping,
// ground truth first). One Save sends what changed with PATCH /api/projects/{id}; a config change is
// first put to the strict project-aware check (POST /api/projects/{id}/validate). The server's
// validation_errors are shown next to their fields.
import { useEffect } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import { html } from '../lib/html.js';
import { get, post, patch, del, qs } from '../lib/api.js';
import { navigate } from '../lib/router.js';
import { Layout, ProjectTabs, ErrorBox } from '../components/layout.js';
import { ExportDialog } from '../components/export-dialog.js';
import { ConfigSetup } from '../components/config-editor.js';
import { loadTemplates, sampleFor } from '../components/template-gallery.js';

// Label Studio's task samplings (Project.sampling) as its settings page describes them.
export const SAMPLINGS = [
  ['Sequential sampling', 'Sequential', 'Tasks are ordered by the data manager\'s ordering.'],
  ['Uniform sampling', 'Random', 'Tasks are chosen with uniform random.'],
  ['Uncertainty sampling', 'Uncertainty', 'Tasks are chosen by the uncertainty of their predictions (active learning).'],
];

// What happens to a skipped task (Project.skip_queue).
export const SKIP_QUEUES = [
  ['REQUEUE_FOR_OTHERS', 'Requeue skipped tasks to other annotators'],
  ['REQUEUE_FOR_ME', 'Requeue skipped tasks back to the annotator'],
  ['IGNORE_SKIPPED', 'Ignore skipped tasks (they count as done)'],
];

// The settings edited here besides the config, with how a form value becomes the API's value.
const TEXT = (v) => v;
const INTEGER = (v) => (/^\s*-?\d+\s*$/.test(v) ? Number(v) : v);   // anything else: the server says why
const FIELDS = {
  title: TEXT,
  description: TEXT,
  color: (v) => v.toUpperCase(),
  expert_instruction: TEXT,
  show_instruction: Boolean,
  sampling: TEXT,
  maximum_annotations: INTEGER,
  overlap_cohort_percentage: INTEGER,
  show_overlap_first: Boolean,
  show_ground_truth_first: Boolean,
  show_skip_button: Boolean,
  skip_queue: TEXT,
};

// The form's values of a project: strings for inputs, booleans for checkboxes.
function formOf(p) {
  const form = {};
  for (const [key, convert] of Object.entries(FIELDS)) {
    const v = p[key];
    form[key] = convert === Boolean ? Boolean(v) : v === null || v === undefined ? '' : String(v);
  }
  return form;
}

// The fields whose value differs from the project's, as the API takes them.
function changesOf(form, p) {
  const changes = {};
  for (const [key, convert] of Object.entries(FIELDS)) {
    const value = convert(form[key]);
    const current = p[key] ?? (convert === Boolean ? false : convert === TEXT ? '' : null);
    const same = typeof value === 'string' && typeof current === 'string' && key === 'color'
      ? value.toLowerCase() === current.toLowerCase() : value === current;
    if (!same) changes[key] = value;
  }
  return changes;
}

// A server message list ("These labels still exist...\nCar (1 annotation)\nPlease add ...") as the
// config editor's issues: one issue per message, its line breaks kept.
function configIssues(messages) {
  return (Array.isArray(messages) ? messages : [messages]).filter(Boolean)
    .map((message) => ({ level: 'error', line: null, message: String(message) }));
}

export function ProjectSettings({ projectId }) {
  const showExport = useSignal(false);
  const project = useSignal(null);
  const form = useSignal(null);
  const config = useSignal('');
  const guard = useSignal([]);      // issues from the project-aware check and the PATCH
  const fieldErrors = useSignal({}); // validation_errors of the last PATCH, by field
  const valid = useSignal(true);
  const busy = useSignal(false);
  const saved = useSignal('');
  const notSaved = useSignal('');
  const error = useSignal(null);
  const confirmDelete = useSignal(false);
  const templates = useSignal([]);
  const taskData = useSignal(null); // the data of the project's first task, for the preview

  useEffect(() => {
    get(`/api/projects/${projectId}`).then((p) => {
      project.value = p;
      form.value = formOf(p);
      config.value = p.label_config ?? '<View></View>';
      document.title = `${p.title} · Settings · Annot`;
    }).catch((e) => { error.value = e; });
    // The preview shows the config on a task of the project, completed from the gallery's samples
    // for the keys it does not have; without either it still shows placeholder text.
    get('/api/tasks' + qs({ project: projectId, page: 1, page_size: 1, fields: 'task_only' }))
      .then((r) => { taskData.value = r?.tasks?.[0]?.data ?? null; }, () => {});
    loadTemplates().then((d) => { templates.value = d.templates ?? []; }, () => {});
  }, [projectId]);

  const set = (key, value) => {
    form.value = { ...form.value, [key]: value };
    saved.value = '';
    notSaved.value = '';
    if (fieldErrors.value[key]) {
      const { [key]: _, ...rest } = fieldErrors.value;
      fieldErrors.value = rest;
    }
  };

  const onSave = async (event) => {
    event.preventDefault();
    busy.value = true;
    error.value = null;
    saved.value = '';
    notSaved.value = '';
    guard.value = [];
    fieldErrors.value = {};
    try {
      const changes = changesOf(form.value, project.value);
      if (config.value !== project.value.label_config) {
        try {
          await post(`/api/projects/${projectId}/validate`, { label_config: config.value });
        } catch (e) {
          // The annotations already made would not fit the new config: show why, save nothing.
          if (e.status === 400) {
            const v = e.body?.validation_errors;
            guard.value = configIssues(v?.non_field_errors ?? v?.label_config ?? e.message);
            notSaved.value = 'Not saved: the labeling config does not fit this project.';
            return;
          }
          throw e;
        }
        changes.label_config = config.value;
      }
      try {
        project.value = await patch(`/api/projects/${projectId}`, changes);
      } catch (e) {
        const v = e.body?.validation_errors;
        if (e.status !== 400 || !v || typeof v !== 'object') throw e;
        const byField = {};
        const other = [];
        for (const [field, messages] of Object.entries(v)) {
          const list = (Array.isArray(messages) ? messages : [messages]).map(String);
          if (field === 'label_config') guard.value = configIssues(list);
          else if (field in FIELDS) byField[field] = list;
          else other.push(field === 'non_field_errors' ? list.join('\n') : `${field}: ${list.join(' ')}`);
        }
        fieldErrors.value = byField;
        if (other.length) error.value = new Error(other.join('\n'));
        const count = Object.keys(v).length;
        notSaved.value = `Not saved: ${count === 1 ? 'a field has an error' : `${count} fields have errors`}.`;
        return;
      }
      saved.value = 'Saved.';
    } catch (e) {
      error.value = e;
    } finally {
      busy.value = false;
    }
  };

  const onDelete = async () => {
    try {
      await del(`/api/projects/${projectId}`);
      navigate('/projects');
    } catch (e) {
      error.value = e;
    }
  };

  // A field's server errors, under it.
  const errorsOf = (key) => (fieldErrors.value[key]
    ? html`<span class="field-error" role="alert" id=${`${key}-error`}>${fieldErrors.value[key].join(' ')}</span>` : null);
  const invalid = (key) => (fieldErrors.value[key] ? 'true' : undefined);
  const described = (key) => (fieldErrors.value[key] ? `${key}-error` : undefined);
  const text = (key, attrs = {}) => html`<input name=${key} value=${form.value[key]} aria-invalid=${invalid(key)}
    aria-describedby=${described(key)} ...${attrs} onInput=${(e) => set(key, e.currentTarget.value)} />`;
  const check = (key, label, help) => html`<label class="check">
      <input type="checkbox" name=${key} checked=${form.value[key]} aria-invalid=${invalid(key)}
             onChange=${(e) => set(key, e.currentTarget.checked)} />
      <span>${label}${help ? html`<span class="muted help">${help}</span>` : null}</span>
    </label>${errorsOf(key)}`;

  const name = project.value?.title ?? `Project #${projectId}`;
  const exportButton = html`<button type="button" onClick=${() => { showExport.value = true; }}>Export</button>`;
  const f = form.value;
  const sample = { ...sampleFor(config.value, null, templates.value), ...(taskData.value ?? {}) };
  return html`<${Layout} crumbs=${[['Projects', '/projects'], [name, `/projects/${projectId}/data`], ['Settings']]} actions=${exportButton}>
    <${ProjectTabs} projectId=${projectId} current="settings" />
    <${ErrorBox} error=${error.value} />
    ${f ? html`
      <form class="card form project-settings with-preview" noValidate onSubmit=${onSave}>
        <section class="settings-section" aria-labelledby="settings-general">
          <h3 id="settings-general">General</h3>
          <label>Title
            ${text('title', { required: true, minlength: 3, maxlength: 50 })}
            ${errorsOf('title')}
          </label>
          <label>Description
            <textarea name="description" rows="2" value=${f.description} aria-invalid=${invalid('description')}
                      onInput=${(e) => set('description', e.currentTarget.value)}></textarea>
            ${errorsOf('description')}
          </label>
          <label class="color">Color
            <span class="color-row">
              ${text('color', { type: 'color' })}
              <code class="muted">${f.color.toUpperCase()}</code>
            </span>
            ${errorsOf('color')}
          </label>
        </section>

        <section class="settings-section" aria-labelledby="settings-config">
          <h3 id="settings-config">Labeling interface</h3>
          <${ConfigSetup} config=${config.value} sample=${sample} valid=${valid.value} extraIssues=${guard.value}
                          onInput=${(v) => { config.value = v; guard.value = []; saved.value = ''; notSaved.value = ''; }}
                          onChecked=${(r) => { valid.value = r.ok; }} />
        </section>

        <section class="settings-section" aria-labelledby="settings-instructions">
          <h3 id="settings-instructions">Instructions</h3>
          <label>Labeling instructions
            <textarea name="expert_instruction" rows="5" value=${f.expert_instruction} aria-invalid=${invalid('expert_instruction')}
                      placeholder="What annotators should know before they label (HTML is allowed)."
                      onInput=${(e) => set('expert_instruction', e.currentTarget.value)}></textarea>
            ${errorsOf('expert_instruction')}
          </label>
          ${check('show_instruction', 'Show the instructions to annotators before labeling')}
        </section>

        <section class="settings-section" aria-labelledby="settings-annotation">
          <h3 id="settings-annotation">Annotation</h3>
          <fieldset class="field sampling">
            <legend class="label">Task sampling</legend>
            ${SAMPLINGS.map(([value, label, help]) => html`<label class="check">
              <input type="radio" name="sampling" value=${value} checked=${f.sampling === value}
                     onChange=${() => set('sampling', value)} />
              <span>${label}<span class="muted help">${help}</span></span>
            </label>`)}
            ${errorsOf('sampling')}
          </fieldset>
          <div class="settings-numbers">
            <label>Annotations per task
              ${text('maximum_annotations', { type: 'number', min: 1, step: 1 })}
              <span class="muted help">How many annotators label each task before it counts as done.</span>
              ${errorsOf('maximum_annotations')}
            </label>
            <label>Overlap (% of tasks)
              ${text('overlap_cohort_percentage', { type: 'number', min: 0, max: 100, step: 1 })}
              <span class="muted help">The share of tasks that get that many annotations; the others get one.</span>
              ${errorsOf('overlap_cohort_percentage')}
            </label>
          </div>
          ${check('show_overlap_first', 'Show tasks with overlap first')}
          ${check('show_ground_truth_first', 'Show ground-truth tasks first')}
          ${check('show_skip_button', 'Show the Skip button', 'Annotators may skip a task.')}
          <label>Skipped tasks
            <select name="skip_queue" value=${f.skip_queue} aria-invalid=${invalid('skip_queue')}
                    onChange=${(e) => set('skip_queue', e.currentTarget.value)}>
              ${SKIP_QUEUES.map(([value, label]) => html`<option value=${value}>${label}</option>`)}
            </select>
            ${errorsOf('skip_queue')}
          </label>
        </section>

        <div class="buttons">
          ${notSaved.value ? html`<span class="field-error" role="status">${notSaved.value}</span>` : null}
          ${saved.value ? html`<span class="ok">${saved.value}</span>` : null}
          <button class="primary" type="submit" disabled=${busy.value || !valid.value}>Save</button>
        </div>
      </form>
      <div class="card danger-zone">
        <h3>Delete this project</h3>
        <p class="muted">Its tasks, annotations and predictions are deleted with it.</p>
        ${confirmDelete.value
          ? html`<button class="danger" onClick=${onDelete}>Yes, delete ${name}</button>
                 <button onClick=${() => { confirmDelete.value = false; }}>Keep it</button>`
          : html`<button class="danger" onClick=${() => { confirmDelete.value = true; }}>Delete project</button>`}
      </div>` : error.value ? null : html`<p class="muted">Loading…</p>`}
    ${showExport.value ? html`<${ExportDialog} projectId=${projectId} onClose=${() => { showExport.value = false; }} />` : null}
  <//>`;
}
