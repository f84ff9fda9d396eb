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
import { EditorNotice } from './pages/editor-notice.js';
import { NotFound } from './pages/not-found.js';

const routes = [
  [/^\/$/, () => html`<${ProjectList} />`],
  [/^\/user\/login$/, () => html`<${Login} />`],
  [/^\/user\/signup$/, () => html`<${Signup} />`],
  [/^\/projects$/, () => html`<${ProjectList} />`],
  [/^\/projects\/create$/, () => html`<${CreateProject} />`],
  [/^\/projects\/(\d+)$/, (id) => html`<${DataManager} key=${id} projectId=${Number(id)} />`],
  [/^\/projects\/(\d+)\/data$/, (id) =>
    location.value.query.has('task')
      ? html`<${EditorNotice} projectId=${Number(id)} taskId=${location.value.query.get('task')} />`
      : html`<${DataManager} key=${id} projectId=${Number(id)} />`],
  [/^\/projects\/(\d+)\/settings(?:\/.*)?$/, (id) => html`<${ProjectSettings} key=${id} projectId=${Number(id)} />`],
  [/^\/projects\/(\d+)\/import$/, (id) => html`<${ImportPage} key=${id} projectId=${Number(id)} />`],
];

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
