// Taxonomy: a tree of nested Choice tags (or loaded from `apiUrl`) in a dropdown with search,
// multi-select of root-to-leaf paths (`leafsOnly`, `maxUsages`), selected paths shown as removable chips.
import { html } from '@annot/ui-sdk';
import { signal } from '@preact/signals';
import { useState, useRef, useEffect } from 'preact/hooks';
import { attr, flag, numberAttr, payloadOf, readOnly, perRegion, optionTree, eachOption, pathKey, mountComponent } from './util.js';

// At most this many search hits are drawn: a taxonomy of many thousands of nodes stays responsive.
const MAX_HITS = 300;

// ---- apiUrl: Label Studio's remote taxonomy ----
// The answer is {items: [...]} (or a bare list) of {value, alias?, hint?, color?, children?, isLeaf?};
// a node with isLeaf false and no children is loaded when expanded, from the same URL with its path
// as repeated `path` parameters (aliases where given). Credentials written in the URL go in a Basic
// Authorization header (fetch refuses them in the URL).
async function fetchItems(apiUrl, path) {
  const url = new URL(apiUrl, window.location.href);
  for (const p of path) url.searchParams.append('path', p);
  const init = {};
  if (url.username || url.password) {
    init.headers = { Authorization: `Basic ${btoa(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`)}` };
    url.username = '';
    url.password = '';
  }
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  let body;
  try { body = await res.json(); } catch { throw new Error('the answer is not JSON'); }
  const items = Array.isArray(body) ? body : body?.items;
  if (!Array.isArray(items)) throw new Error('the answer has no "items" list');
  return items;
}

function toOptions(items, parent) {
  const out = [];
  for (const item of items) {
    if (!item || typeof item !== 'object' || item.value === undefined || item.value === null) continue;
    const key = String(item.alias !== undefined && item.alias !== null && item.alias !== '' ? item.alias : item.value);
    const opt = { key, value: String(item.value), label: String(item.value), hint: item.hint ? String(item.hint) : undefined,
      background: item.color, selected: false, maxUsages: 0, parent, path: parent ? [...parent.path, key] : [key], children: [],
      lazy: item.isLeaf === false && !Array.isArray(item.children) };
    if (Array.isArray(item.children)) opt.children = toOptions(item.children, opt);
    out.push(opt);
  }
  return out;
}

// The tree of a Taxonomy: {options, loading, error} in a signal (apiUrl answers arrive later).
function treeOf(ctx) {
  const apiUrl = attr(ctx, 'apiUrl');
  if (!apiUrl) return signal({ options: optionTree(ctx), loading: false, error: null, apiUrl: null });
  const tree = signal({ options: [], loading: true, error: null, apiUrl: String(apiUrl) });
  fetchItems(String(apiUrl), []).then(
    (items) => { tree.value = { ...tree.peek(), options: toOptions(items, null), loading: false }; },
    (e) => { tree.value = { ...tree.peek(), loading: false, error: `${e.message ?? e}` }; });
  return tree;
}

function Taxonomy({ ctx, tree }) {
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState('');
  const [expanded, setExpanded] = useState(() => new Set());
  const rootRef = useRef(null);
  const searchRef = useRef(null);
  const leafsOnly = flag(ctx, 'leafsOnly');
  const showFullPath = flag(ctx, 'showFullPath');
  const separator = String(attr(ctx, 'pathSeparator', ' / '));
  const maxUsages = numberAttr(ctx, 'maxUsages', 0);
  const placeholder = String(attr(ctx, 'placeholder', 'Click to add...'));
  const ro = readOnly(ctx);
  const payload = payloadOf(ctx);
  const region = ctx.selectedRegion?.value ?? null;
  const { options, loading, error, apiUrl } = tree.value;
  const [failed, setFailed] = useState('');   // a lazy node that could not be loaded

  useEffect(() => {
    if (!open) return undefined;
    const away = (e) => { if (rootRef.current && !rootRef.current.contains(e.target)) setOpen(false); };
    document.addEventListener('pointerdown', away, true);
    searchRef.current?.focus();
    return () => document.removeEventListener('pointerdown', away, true);
  }, [open]);

  if (perRegion(ctx) && !region) return null;
  const paths = Array.isArray(payload?.taxonomy) ? payload.taxonomy.filter(Array.isArray) : [];
  const chosen = new Set(paths.map(pathKey));
  const full = maxUsages > 0 && paths.length >= maxUsages;

  const toggle = (opt) => {
    if (ro) return;
    const key = pathKey(opt.path);
    const next = chosen.has(key) ? paths.filter((p) => pathKey(p) !== key) : [...paths, opt.path];
    ctx.setResult(next.length ? { taxonomy: next } : null);
  };
  const remove = (p) => {
    const next = paths.filter((x) => pathKey(x) !== pathKey(p));
    ctx.setResult(next.length ? { taxonomy: next } : null);
  };
  const flip = (opt) => {
    const next = new Set(expanded);
    const key = pathKey(opt.path);
    if (next.has(key)) next.delete(key); else next.add(key);
    setExpanded(next);
    if (opt.lazy && !opt.loading && next.has(key)) {
      opt.loading = true;
      fetchItems(apiUrl, opt.path).then((items) => {
        opt.children = toOptions(items, opt);
        opt.lazy = false;
      }, (e) => setFailed(`${opt.label}: ${e.message ?? e}`)).finally(() => {
        opt.loading = false;
        tree.value = { ...tree.peek() };
      });
    }
  };
  const hasKids = (opt) => opt.children.length > 0 || Boolean(opt.lazy);

  const row = (opt, depth, forceOpen) => {
    const key = pathKey(opt.path);
    const isOpen = forceOpen || expanded.has(key);
    const selectable = !leafsOnly || !hasKids(opt);
    const on = chosen.has(key);
    return html`<div class="ac-tax-row" style=${{ paddingLeft: `${depth * 18}px` }} key=${key} data-path=${opt.path.join(separator)}>
      ${hasKids(opt)
        ? html`<button type="button" class="ac-tax-twisty" aria-label=${`${isOpen ? 'Collapse' : 'Expand'} ${opt.label}`}
            aria-expanded=${isOpen} onClick=${() => flip(opt)}>${isOpen ? '▾' : '▸'}</button>`
        : html`<span class="ac-tax-twisty"></span>`}
      <label class="ac-tax-label">
        ${selectable && html`<input type="checkbox" checked=${on} disabled=${ro || (full && !on)} onChange=${() => toggle(opt)} />`}
        <span title=${opt.hint ?? ''} style=${opt.background ? { borderBottom: `2px solid ${opt.background}` } : undefined}>${opt.label}</span>
        ${opt.loading && html`<span class="ac-tax-loading muted" role="status">loading…</span>`}
      </label>
    </div>`;
  };
  const rows = (list, depth) => list.flatMap((opt) => [row(opt, depth, false),
    ...(opt.children.length && expanded.has(pathKey(opt.path)) ? rows(opt.children, depth + 1) : [])]);

  let body;
  if (query.trim()) {
    // Hits with their ancestors, in tree order; capped.
    const q = query.trim().toLowerCase();
    const hits = [];
    let count = 0;
    for (const opt of eachOption(options)) {
      if (!opt.label.toLowerCase().includes(q)) continue;
      if (++count > MAX_HITS) break;
      hits.push(html`<div class="ac-tax-hit" key=${pathKey(opt.path)}>
        ${row(opt, 0, false)}<span class="ac-tax-context muted">${opt.path.slice(0, -1).join(separator)}</span></div>`);
    }
    body = hits.length ? hits : html`<div class="ac-tax-empty muted">Nothing matches “${query}”</div>`;
    if (count > MAX_HITS) body = [...hits, html`<div class="ac-tax-empty muted">More matches: type more to narrow them</div>`];
  } else if (loading) {
    body = html`<div class="ac-tax-empty muted" role="status">Loading the taxonomy…</div>`;
  } else {
    body = rows(options, 0);
  }

  // A chip shows the labels along the path where the tree knows them (aliases are stored).
  const labels = (p) => {
    const out = [];
    let list = options;
    for (const k of p) {
      const o = list?.find((x) => x.key === k);
      out.push(o ? o.label : k);
      list = o?.children;
    }
    return out;
  };
  const label = (p) => (showFullPath ? labels(p).join(separator) : labels(p).at(-1));
  return html`<div class="ac-taxonomy" ref=${rootRef} data-control=${ctx.name} data-loading=${loading}>
    ${(error || failed) && html`<div class="ac-note" role="alert">The taxonomy could not be loaded from ${apiUrl}: ${error || failed}</div>`}
    <div class="ac-tax-selected">
      ${paths.map((p) => html`<span class="ac-chip" key=${pathKey(p)} title=${labels(p).join(separator)}>${label(p)}
        ${!ro && html`<button type="button" class="ac-chip-x" aria-label=${`Remove ${p.join(separator)}`} onClick=${() => remove(p)}>×</button>`}
      </span>`)}
      <button type="button" class="ac-tax-open" aria-haspopup="tree" aria-expanded=${open} disabled=${ro}
        onClick=${() => setOpen(!open)}>${paths.length ? '+' : placeholder}</button>
    </div>
    ${open && html`<div class="ac-tax-dropdown" role="tree" aria-label=${ctx.name}
        onKeyDown=${(e) => { if (e.key === 'Escape') { e.stopPropagation(); setOpen(false); } }}>
      <input ref=${searchRef} class="ac-tax-search" type="search" placeholder="Search" value=${query}
        aria-label=${`Search ${ctx.name}`} onInput=${(e) => setQuery(e.currentTarget.value)} />
      <div class="ac-tax-tree">${body}</div>
    </div>`}
  </div>`;
}

export function mountTaxonomy(el, ctx) {
  return mountComponent(el, ctx, Taxonomy, { tree: treeOf(ctx) });
}

// What a new annotation starts with: the paths of <Choice selected="true"> (not with apiUrl).
export function taxonomyInitialValue(ctx) {
  if (attr(ctx, 'apiUrl')) return null;
  const paths = [...eachOption(optionTree(ctx))].filter((o) => o.selected).map((o) => o.path);
  return paths.length ? { taxonomy: paths } : null;
}
