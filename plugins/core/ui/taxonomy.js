// Taxonomy: a tree of nested Choice tags in a dropdown with search, multi-select of root-to-leaf
// paths (`leafsOnly`, `maxUsages`), selected paths shown as removable chips.
import { html } from '@annot/ui-sdk';
import { useState, useRef, useEffect } from 'preact/hooks';
import { attr, flag, numberAttr, payloadOf, readOnly, perRegion, optionTree, eachOption, pathKey, mountComponent, notice } from './util.js';

// At most this many search hits are drawn: a taxonomy of many thousands of nodes stays responsive.
const MAX_HITS = 300;

function Taxonomy({ ctx, options }) {
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
  };

  const row = (opt, depth, forceOpen) => {
    const key = pathKey(opt.path);
    const isOpen = forceOpen || expanded.has(key);
    const selectable = !leafsOnly || opt.children.length === 0;
    const on = chosen.has(key);
    return html`<div class="ac-tax-row" style=${{ paddingLeft: `${depth * 18}px` }} key=${key} data-path=${opt.path.join(separator)}>
      ${opt.children.length
        ? html`<button type="button" class="ac-tax-twisty" aria-label=${`${isOpen ? 'Collapse' : 'Expand'} ${opt.label}`}
            aria-expanded=${isOpen} onClick=${() => flip(opt)}>${isOpen ? '▾' : '▸'}</button>`
        : html`<span class="ac-tax-twisty"></span>`}
      <label class="ac-tax-label">
        ${selectable && html`<input type="checkbox" checked=${on} disabled=${ro || (full && !on)} onChange=${() => toggle(opt)} />`}
        <span title=${opt.hint ?? ''}>${opt.label}</span>
      </label>
    </div>`;
  };
  const tree = (list, depth) => list.flatMap((opt) => [row(opt, depth, false),
    ...(opt.children.length && expanded.has(pathKey(opt.path)) ? tree(opt.children, depth + 1) : [])]);

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
  } else {
    body = tree(options, 0);
  }

  const label = (p) => (showFullPath ? p.join(separator) : p[p.length - 1]);
  return html`<div class="ac-taxonomy" ref=${rootRef} data-control=${ctx.name}>
    <div class="ac-tax-selected">
      ${paths.map((p) => html`<span class="ac-chip" key=${pathKey(p)} title=${p.join(separator)}>${label(p)}
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
  if (attr(ctx, 'apiUrl')) return notice(el, 'Taxonomy with apiUrl is not yet supported in the editor');
  return mountComponent(el, ctx, Taxonomy, { options: optionTree(ctx) });
}
