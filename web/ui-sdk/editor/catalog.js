// What the host says about tags and plugins (GET /api/config/tags, GET /api/plugins), fetched once
// per page, and the plugins' UI modules imported once each (with their stylesheets linked).
import { get } from '/static/lib/api.js';

let catalogPromise = null;
const modules = new Map();   // plugin name -> Promise<module | null>

// Resolves to {tags: Map<name, info>, plugins: Map<name, info>}; cached for the page's lifetime.
export function loadCatalog() {
  if (!catalogPromise) {
    catalogPromise = Promise.all([get('/api/config/tags'), get('/api/plugins')]).then(([t, p]) => ({
      tags: new Map((t.tags ?? []).map((tag) => [tag.name, tag])),
      plugins: new Map((p.plugins ?? []).map((plugin) => [plugin.name, plugin])),
    }));
    // A failed load is not cached: the next editor mount tries again.
    catalogPromise.catch(() => { catalogPromise = null; });
  }
  return catalogPromise;
}

// The UI module of a plugin, or null when it has none or it failed to load (the error is kept on
// the returned record so the editor can say why). Resolves to {module, error}.
export function loadPluginModule(catalog, name) {
  if (!modules.has(name)) {
    const plugin = catalog.plugins.get(name);
    if (!plugin || !plugin.ui) {
      modules.set(name, Promise.resolve({ module: null, error: null }));
    } else {
      for (const style of plugin.ui.styles ?? []) linkStyle(style.startsWith('/') ? style : `/plugins/${name}/${style}`);
      modules.set(name, import(`@annot/plugins/${name}`).then(
        (module) => ({ module, error: null }),
        (error) => ({ module: null, error })));
    }
  }
  return modules.get(name);
}

export function linkStyle(href) {
  if (document.querySelector(`link[rel="stylesheet"][href="${CSS.escape(href)}"]`)) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = href;
  document.head.appendChild(link);
}
