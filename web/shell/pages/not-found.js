// Any other URL under the shell: say so, with a way back.
import { html } from '../lib/html.js';
import { Layout } from '../components/layout.js';

export function NotFound({ path }) {
  document.title = 'Not found · Annot';
  return html`<${Layout} crumbs=${[['Projects', '/projects']]}>
    <div class="card notice"><h2>No page at ${path}</h2><p><a href="/projects">Back to the projects</a></p></div>
  <//>`;
}
