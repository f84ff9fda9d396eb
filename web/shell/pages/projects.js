// /projects: the project list with its counters, paged like Label Studio's (page_size 30).
import { useEffect } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import { html } from '../lib/html.js';
import { get, qs } from '../lib/api.js';
import { location, navigate } from '../lib/router.js';
import { Layout, ErrorBox } from '../components/layout.js';

const PAGE_SIZE = 30;

function Counter({ value, label }) {
  return html`<div class="counter"><b>${value ?? 0}</b><span>${label}</span></div>`;
}

function ProjectCard({ p }) {
  const done = p.finished_task_number ?? p.num_tasks_with_annotations ?? 0;
  const total = p.task_number ?? 0;
  const pct = total ? Math.round((100 * done) / total) : 0;
  return html`
    <a class="card project-card" href=${`/projects/${p.id}/data`} data-project-id=${p.id}
       style=${p.color ? `border-top-color:${p.color}` : ''}>
      <h3>${p.title || `Project #${p.id}`}</h3>
      <p class="muted description">${p.description || '\u00a0'}</p>
      <div class="progress" title=${`${done} of ${total} tasks done`}><div style=${`width:${pct}%`}></div></div>
      <div class="counters">
        <${Counter} value=${total} label="tasks" />
        <${Counter} value=${done} label="done" />
        <${Counter} value=${p.total_annotations_number} label="annotations" />
        <${Counter} value=${p.skipped_annotations_number} label="skipped" />
        <${Counter} value=${p.total_predictions_number} label="predictions" />
      </div>
    </a>`;
}

export function ProjectList() {
  document.title = 'Projects · Annot';
  const page = Number(location.value.query.get('page')) || 1;
  const data = useSignal(null);
  const error = useSignal(null);

  useEffect(() => {
    const abort = new AbortController();
    get('/api/projects' + qs({ page, page_size: PAGE_SIZE }), { signal: abort.signal })
      .then((r) => { data.value = r; })
      .catch((e) => { if (e.name !== 'AbortError') error.value = e; });
    return () => abort.abort();
  }, [page]);

  const pages = data.value ? Math.max(1, Math.ceil(data.value.count / PAGE_SIZE)) : 1;
  const actions = html`<a class="button primary" href="/projects/create">Create project</a>`;
  return html`<${Layout} crumbs=${[['Projects']]} actions=${actions}>
    <${ErrorBox} error=${error.value} />
    ${data.value === null && !error.value ? html`<p class="muted">Loading projects…</p>` : null}
    ${data.value && data.value.results.length === 0 ? html`
      <div class="card notice empty">
        <h2>No projects yet</h2>
        <p>A project holds a labeling config and the tasks to label.</p>
        <a class="button primary" href="/projects/create">Create your first project</a>
      </div>` : null}
    <div class="project-grid">
      ${(data.value?.results ?? []).map((p) => html`<${ProjectCard} key=${p.id} p=${p} />`)}
    </div>
    ${pages > 1 ? html`<div class="pager">
      <button disabled=${page <= 1} onClick=${() => navigate(`/projects?page=${page - 1}`)}>Previous</button>
      <span>Page ${page} of ${pages}</span>
      <button disabled=${page >= pages} onClick=${() => navigate(`/projects?page=${page + 1}`)}>Next</button>
    </div>` : null}
  <//>`;
}
