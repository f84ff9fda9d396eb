// The shell's entry: picks the page for the current URL and renders it into #app.
import { render } from 'preact';
import { html } from './lib/html.js';
import { location, match, navigate } from './lib/router.js';
import { csrfToken } from './lib/api.js';
import { Login } from './pages/login.js';
import { Signup } from './pages/signup.js';
import { ProjectList } from './pages/projects.js';
import { CreateProject } from './pages/create-project.js';
import { ProjectSettings } from './pages/project-settings.js';
import { ImportPage } from './pages/import.js';
import { DataManager } from './pages/data-manager.js';
import { EditorPage } from './pages/editor.js';
import { NotFound } from './pages/not-found.js';

const routes = [
  [/^\/$/, () => html`<${ProjectList} />`],
  [/^\/user\/login$/, () => html`<${Login} />`],
  [/^\/user\/signup$/, () => html`<${Signup} />`],
  [/^\/projects$/, () => html`<${ProjectList} />`],
  [/^\/projects\/create$/, () => html`<${CreateProject} />`],
  [/^\/projects\/(\d+)$/, (id) => html`<${DataManager} key=${id} projectId=${Number(id)} />`],
  [/^\/projects\/(\d+)\/data$/, (id) => editorRoute(Number(id)) ?? html`<${DataManager} key=${id} projectId=${Number(id)} />`],
  [/^\/projects\/(\d+)\/settings(?:\/.*)?$/, (id) => html`<${ProjectSettings} key=${id} projectId=${Number(id)} />`],
  [/^\/projects\/(\d+)\/import$/, (id) => html`<${ImportPage} key=${id} projectId=${Number(id)} />`],
];

// Label Studio's editor URLs: ?task=N (one task), ?labeling=1 (the /next stream) and
// ?labeling=1&selectedItems={...}[&view=V] (the data manager's selection, within tab V when it is
// "all but these"); null for the data manager itself.
function editorRoute(projectId) {
  const q = location.value.query;
  // The key names the project too: the same task under another project is another page (nothing of
  // the first project's, its config included, is kept).
  if (q.has('task')) return html`<${EditorPage} key=${`p${projectId}t${q.get('task')}`} projectId=${projectId} taskId=${q.get('task')} />`;
  if (!q.has('labeling')) return null;
  let selected = null;
  try {
    selected = q.has('selectedItems') ? JSON.parse(q.get('selectedItems')) : null;
  } catch {
    selected = null;
  }
  if (selected && (typeof selected !== 'object' || Array.isArray(selected))) selected = null;
  const view = /^\d+$/.test(q.get('view') ?? '') ? Number(q.get('view')) : null;
  return html`<${EditorPage} key=${`l${q.get('selectedItems') ?? ''}v${view ?? ''}`} projectId=${projectId} labeling=${true}
    selectedItems=${selected} viewId=${view} />`;
}

const PUBLIC = new Set(['/user/login', '/user/signup']);

function App() {
  const path = location.value.path;
  // Signing in sets the csrftoken cookie next to the (HttpOnly) session: without it no API call can
  // succeed, so go straight to the sign-in page instead of collecting a 401 on every request.
  if (!PUBLIC.has(path) && !csrfToken()) {
    queueMicrotask(() => navigate(`/user/login?next=${encodeURIComponent(path + window.location.search)}`, { replace: true }));
    return null;
  }
  const page = match(routes, path);
  return page ? page() : html`<${NotFound} path=${location.value.path} />`;
}

render(html`<${App} />`, document.getElementById('app'));
