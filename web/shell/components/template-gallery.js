// The starter-config gallery of the create page (GET /api/templates, grouped as the plugins
// registered them) and the live editor preview of a config on a sample task. Templates whose object
// tags no loaded plugin can show in the editor are marked, in the gallery and in the preview.
import { useEffect, useRef } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import { html } from '../lib/html.js';
import { get } from '../lib/api.js';
import { useStylesheet } from '../lib/stylesheet.js';
import { loadCatalog } from '../ui-sdk/editor/catalog.js';
import { parseConfig, walk } from '../ui-sdk/editor/config.js';

useStylesheet('/static/styles/gallery.css');

// The gallery is the same for every visit: fetch it once per page load.
let templatesPromise = null;
export function loadTemplates() {
  templatesPromise ??= get('/api/templates').catch((e) => { templatesPromise = null; throw e; });
  return templatesPromise;
}

// The object tags of `config` whose plugin has no editor UI (GET /api/plugins: `ui` null), once
// each; [] for a config that does not parse (the config check says why).
function tagsWithoutEditor(config, catalog) {
  let root;
  try { root = parseConfig(config); } catch { return []; }
  const tags = new Set();
  for (const node of walk(root)) {
    const info = catalog.tags.get(node.tag);
    if (info?.role === 'object' && !catalog.plugins.get(info.owner)?.ui) tags.add(node.tag);
  }
  return [...tags];
}

// value: the picked template's title ('' for a config written by hand); onPick(template | null).
export function TemplateGallery({ value, onPick }) {
  const data = useSignal(null);
  const error = useSignal(null);
  const group = useSignal(null);
  const noEditor = useSignal(new Map());   // template title -> its tags without an editor

  useEffect(() => {
    loadTemplates().then((d) => {
      data.value = d;
      group.value = d.groups?.[0] ?? null;
      // Without the catalog the cards are only not marked.
      loadCatalog().then((catalog) => {
        noEditor.value = new Map((d.templates ?? []).map((t) => [t.title, tagsWithoutEditor(t.config, catalog)]));
      }, () => {});
    }, (e) => { error.value = e; });
  }, []);

  if (error.value) return html`<div class="error-box" role="alert">The gallery could not be loaded: ${error.value.message}</div>`;
  if (!data.value) return html`<div class="gallery muted">Loading the gallery…</div>`;
  const { templates = [], groups = [] } = data.value;
  const shown = templates.filter((t) => t.group === group.value);
  return html`<div class="gallery">
    <nav class="gallery-groups" role="tablist" aria-label="Template groups">
      ${groups.map((g) => html`<button type="button" role="tab" aria-selected=${g === group.value}
          class=${'link' + (g === group.value ? ' active' : '')} onClick=${() => { group.value = g; }}>${g}</button>`)}
      <button type="button" role="tab" aria-selected=${group.value === null}
          class=${'link' + (group.value === null ? ' active' : '')} onClick=${() => { group.value = null; }}>Custom</button>
    </nav>
    <div class="gallery-cards" role="list">
      ${group.value === null
        ? html`<button type="button" role="listitem" class=${'gallery-card' + (value === '' ? ' picked' : '')}
              onClick=${() => onPick(null)}>
            <b>Write your own</b><span class="muted">Start from an empty view and write the XML by hand.</span>
          </button>`
        : shown.map((t) => {
          const missing = noEditor.value.get(t.title) ?? [];
          return html`<button type="button" role="listitem" data-template=${t.title}
              class=${'gallery-card' + (t.title === value ? ' picked' : '')} onClick=${() => onPick(t)}
              title=${missing.length ? `${missing.join(', ')}: no editor in this installation yet` : undefined}>
            <b>${t.title}</b>${missing.length ? html`<span class="no-editor-badge">No editor yet</span>` : null}
            <span class="muted">${t.details}</span>
          </button>`;
        })}
    </div>
  </div>`;
}

// Sample task data for a config: the picked template's sample, completed from every template's
// samples (by data key) so that a hand-edited config still previews on something real.
export function sampleFor(config, picked, templates) {
  const data = { ...(picked?.sample_task?.data ?? {}) };
  const keys = new Set();
  for (const m of config.matchAll(/value="\$([A-Za-z_][\w]*)/g)) keys.add(m[1]);
  for (const key of keys) {
    if (key in data) continue;
    const donor = templates?.find((t) => t.sample_task?.data && key in t.sample_task.data);
    data[key] = donor ? donor.sample_task.data[key] : `Sample text for $${key}.`;
  }
  return data;
}

// Mounts the editor on `config` with `data`, in preview mode (nothing is saved), again whenever
// either changes (debounced). `valid` false shows why there is no preview instead of a blank box.
export function ConfigPreview({ config, data, valid = true, delay = 400 }) {
  const host = useRef(null);
  const state = useSignal('idle');   // idle | loading | ready | error
  const message = useSignal('');
  const missing = useSignal([]);     // the config's object tags without an editor

  useEffect(() => {
    let live = true;
    loadCatalog().then((catalog) => { if (live) missing.value = tagsWithoutEditor(config, catalog); }, () => {});
    return () => { live = false; };
  }, [config]);

  useEffect(() => {
    if (!valid) {
      state.value = 'error';
      message.value = 'Fix the errors in the config to see the preview.';
      return undefined;
    }
    let editor = null;
    let cancelled = false;
    const timer = setTimeout(async () => {
      state.value = 'loading';
      try {
        const { mountEditor } = await import('/static/ui-sdk/editor/index.js');
        if (cancelled) return;
        editor = mountEditor(host.current, { config, task: { id: null, data }, preview: true });
        await editor.ready;
        if (!cancelled) state.value = 'ready';
      } catch (e) {
        if (cancelled) return;
        // The editor draws its own error inside the box; say it here too when it could not.
        state.value = 'error';
        message.value = `The preview failed: ${e?.message ?? e}`;
      }
    }, delay);
    return () => {
      cancelled = true;
      clearTimeout(timer);
      try { editor?.destroy(); } catch { /* already gone */ }
    };
  }, [config, JSON.stringify(data), valid]);

  const tags = missing.value;
  return html`<div class="config-preview" data-state=${state.value}>
    ${tags.length ? html`<p class="preview-no-editor" role="note"><b>${tags.join(', ')}</b>
      ${tags.length === 1 ? ' has' : ' have'} no editor in this installation yet: tasks of this config cannot be labeled
      here. A project can still be created, and its tasks imported, exported and annotated through the API.</p>` : null}
    ${state.value === 'error' ? html`<div class="preview-error" role="alert">${message.value}</div>` : null}
    ${state.value === 'loading' ? html`<div class="muted preview-loading">Rendering the preview…</div>` : null}
    <div class="preview-editor" ref=${host} data-testid="config-preview"></div>
  </div>`;
}
