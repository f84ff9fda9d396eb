// /projects/{id}/settings: title, description and the labeling config. A config change is first
// put to the strict project-aware check (POST /api/projects/{id}/validate), then saved with PATCH.
import { useEffect } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import { html } from '../lib/html.js';
import { get, post, patch, del } from '../lib/api.js';
import { navigate } from '../lib/router.js';
import { Layout, ProjectTabs, ErrorBox } from '../components/layout.js';
import { ExportDialog } from '../components/export-dialog.js';
import { ConfigEditor } from '../components/config-editor.js';

export function ProjectSettings({ projectId }) {
  const showExport = useSignal(false);
  const project = useSignal(null);
  const title = useSignal('');
  const description = useSignal('');
  const config = useSignal('');
  const guard = useSignal([]);      // issues from the project-aware check
  const valid = useSignal(true);
  const busy = useSignal(false);
  const saved = useSignal('');
  const error = useSignal(null);
  const confirmDelete = useSignal(false);

  useEffect(() => {
    get(`/api/projects/${projectId}`).then((p) => {
      project.value = p;
      title.value = p.title ?? '';
      description.value = p.description ?? '';
      config.value = p.label_config ?? '<View></View>';
      document.title = `${p.title} · Settings · Annot`;
    }).catch((e) => { error.value = e; });
  }, [projectId]);

  const onSave = async (event) => {
    event.preventDefault();
    busy.value = true;
    error.value = null;
    saved.value = '';
    guard.value = [];
    try {
      const changes = { title: title.value, description: description.value };
      if (config.value !== project.value.label_config) {
        try {
          await post(`/api/projects/${projectId}/validate`, { label_config: config.value });
        } catch (e) {
          // The annotations already made would not fit the new config: show why, save nothing.
          if (e.status === 400) {
            guard.value = e.message.split('\n').filter(Boolean).map((message) => ({ level: 'error', line: null, message }));
            return;
          }
          throw e;
        }
        changes.label_config = config.value;
      }
      project.value = await patch(`/api/projects/${projectId}`, changes);
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

  const name = project.value?.title ?? `Project #${projectId}`;
  const exportButton = html`<button type="button" onClick=${() => { showExport.value = true; }}>Export</button>`;
  return html`<${Layout} crumbs=${[['Projects', '/projects'], [name, `/projects/${projectId}/data`], ['Settings']]} actions=${exportButton}>
    <${ProjectTabs} projectId=${projectId} current="settings" />
    <${ErrorBox} error=${error.value} />
    ${project.value ? html`
      <form class="card form" onSubmit=${onSave}>
        <label>Title
          <input name="title" required minlength="3" maxlength="50" value=${title.value}
                 onInput=${(e) => { title.value = e.currentTarget.value; }} />
        </label>
        <label>Description
          <textarea name="description" rows="2" value=${description.value}
                    onInput=${(e) => { description.value = e.currentTarget.value; }}></textarea>
        </label>
        <div class="field">
          <span class="label">Labeling config</span>
          <${ConfigEditor} value=${config.value} extraIssues=${guard.value}
                           onInput=${(v) => { config.value = v; guard.value = []; saved.value = ''; }}
                           onChecked=${(r) => { valid.value = r.ok; }} />
        </div>
        <div class="buttons">
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
