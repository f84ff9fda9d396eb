// /projects/{id}/data?task=N: the labeling editor comes in a later release. Until then this page
// says so plainly and shows the task's data, never a blank page.
import { useEffect } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import { html } from '../lib/html.js';
import { get } from '../lib/api.js';
import { Layout, ProjectTabs, ErrorBox } from '../components/layout.js';

export function EditorNotice({ projectId, taskId }) {
  document.title = `Task ${taskId} · Annot`;
  const task = useSignal(null);
  const error = useSignal(null);
  useEffect(() => {
    get(`/api/tasks/${encodeURIComponent(taskId)}`).then((t) => { task.value = t; }).catch((e) => { error.value = e; });
  }, [taskId]);
  return html`<${Layout} crumbs=${[['Projects', '/projects'], [`Project #${projectId}`, `/projects/${projectId}/data`], [`Task ${taskId}`]]}>
    <${ProjectTabs} projectId=${projectId} current="data" />
    <div class="card notice editor-notice" role="status">
      <h2>The labeling editor arrives in a later release</h2>
      <p>This build of Annot manages projects, imports and tasks; labeling task ${taskId} in the browser is not available yet.
         Annotations can still be created through the API (<code>POST /api/tasks/${taskId}/annotations</code>).</p>
      <p><a class="button" href=${`/projects/${projectId}/data`}>Back to the data manager</a></p>
    </div>
    <${ErrorBox} error=${error.value} />
    ${task.value ? html`<div class="card"><h3>Task data</h3><pre class="json">${JSON.stringify(task.value.data, null, 2)}</pre></div>` : null}
  <//>`;
}
