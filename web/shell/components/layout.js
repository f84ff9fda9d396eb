// The frame around every signed-in page: top bar with breadcrumbs and the user, then the page.
import { useEffect } from 'preact/hooks';
import { html } from '../lib/html.js';
import { user, loadUser } from '../lib/session.js';

export function Layout({ crumbs = [], actions = null, children }) {
  useEffect(() => {
    // A 401 here sends the browser to /user/login (lib/api.js); other errors leave the bar as is.
    loadUser().catch(() => {});
  }, []);
  const who = user.value;
  return html`
    <div class="layout">
      <header class="topbar">
        <a class="brand" href="/projects">Annot</a>
        <nav class="crumbs">
          ${crumbs.map(([label, href]) => href
            ? html`<a href=${href}>${label}</a>`
            : html`<span>${label}</span>`)}
        </nav>
        <div class="topbar-actions">${actions}</div>
        <div class="who">
          ${who ? html`<span class="email">${who.email}</span> <a href="/user/logout" data-native>Sign out</a>` : null}
        </div>
      </header>
      <main class="page">${children}</main>
    </div>`;
}

// A project's tabs: data manager, import, settings.
export function ProjectTabs({ projectId, current }) {
  const tab = (id, label, href) => html`<a class=${'tab' + (current === id ? ' active' : '')} href=${href}>${label}</a>`;
  return html`<nav class="project-tabs">
    ${tab('data', 'Data', `/projects/${projectId}/data`)}
    ${tab('import', 'Import', `/projects/${projectId}/import`)}
    ${tab('settings', 'Settings', `/projects/${projectId}/settings`)}
  </nav>`;
}

export function ErrorBox({ error }) {
  if (!error) return null;
  return html`<div class="error-box" role="alert">${String(error.message ?? error)}</div>`;
}
