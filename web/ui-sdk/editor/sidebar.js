// The editor's side panel: the selected region's actions, the outliner (regions grouped by label or
// by tool; hide, lock, delete; selection shared with the canvases; only the rows on screen are
// rendered, so 1,000+ regions cost nothing while scrolling) and the relations list.
import { html } from 'htm/preact';
import { useRef, useEffect } from 'preact/hooks';
import { useSignal, useComputed } from '@preact/signals';

const ROW = 28;         // px, every outliner row (groups and regions)
const OVERSCAN = 6;

export function Sidebar({ editor }) {
  return html`<div class="annot-side">
    <${Selected} editor=${editor} />
    <${Outliner} editor=${editor} />
    <${Relations} editor=${editor} />
  </div>`;
}

function regionTitle(editor, r) {
  const labels = editor.regionLabels(r);
  return labels.length ? labels.join(', ') : (editor.controls.get(r.from_name)?.tag ?? r.type);
}

function Selected({ editor }) {
  const { store } = editor;
  // What the panel shows, as one string: moving the selected region (a drag) changes none of it,
  // so the panel does not re-render on every step.
  const summary = useComputed(() => {
    const sel = [...store.selection.value];
    const r = sel.length === 1 ? store.region(sel[0]) : null;
    return JSON.stringify(r ? [regionTitle(editor, r), r.type, r.origin ?? 'manual', r.score ?? null] : null);
  });
  const ids = [...store.selection.value];
  if (!ids.length) return null;
  const ro = editor.readOnly.value;
  const info = JSON.parse(summary.value);
  const r = info ? { title: info[0], type: info[1], origin: info[2], score: info[3] } : null;
  return html`<section class="annot-selected" aria-label="Selected region">
    <strong>${r ? r.title : `${ids.length} regions selected`}</strong>
    ${r ? html`<small> ${r.type}${r.origin !== 'manual' ? ` · ${r.origin}` : ''}${r.score !== null ? ` · score ${r.score}` : ''}</small>` : null}
    <div class="annot-selected-actions">
      ${r && !ro ? html`<button type="button" class="annot-link" title="Create a relation (Alt+R), then pick the target region"
        onClick=${() => editor.startRelation()}>Link</button>` : null}
      ${!ro ? html`<button type="button" class="danger annot-delete-region" title="Delete (Backspace)"
        onClick=${() => store.deleteRegions(ids.filter((id) => !store.region(id)?.locked && !store.region(id)?.readonly))}>Delete</button>` : null}
      <button type="button" title="Unselect (Esc)" onClick=${() => store.clearSelection()}>Unselect</button>
    </div>
  </section>`;
}

function Outliner({ editor }) {
  const { store } = editor;
  const mode = useSignal('label');      // 'label' | 'tool' | 'none'
  const collapsed = useSignal(new Set());
  const scrollTop = useSignal(0);
  const height = useSignal(400);
  const box = useRef(null);

  // A change that only moves regions (a drag) keeps the rows as they are: the outliner shows no
  // geometry, and an unchanged rows array means no re-render at all.
  const memo = useRef({ regions: null, results: null, mode: null, collapsed: null, rows: [] });
  const regionCount = useComputed(() => store.regions.value.length);
  const rows = useComputed(() => {
    const regions = store.regions.value;
    const results = store.results.value;  // per-region Labels results change the grouping
    const m = mode.value;
    const last = memo.current;
    if (last.results === results && last.mode === m && last.collapsed === collapsed.value && sameOutline(editor, last.regions, regions)) {
      last.regions = regions;
      return last.rows;
    }
    const out = buildRows(editor, regions, m, collapsed.value);
    memo.current = { regions, results, mode: m, collapsed: collapsed.value, rows: out };
    return out;
  });

  useEffect(() => {
    const el = box.current;
    if (!el) return undefined;
    const ro = new ResizeObserver(() => { height.value = el.clientHeight || 400; });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // A region selected on a canvas scrolls into view here.
  useEffect(() => store.selection.subscribe((sel) => {
    const el = box.current;
    if (!el || sel.size !== 1) return;
    const [id] = sel;
    const index = rows.peek().findIndex((x) => x.kind === 'region' && x.region.id === id);
    if (index < 0) return;
    const top = index * ROW;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW - el.clientHeight;
  }), []);

  const all = rows.value;
  const first = Math.max(0, Math.floor(scrollTop.value / ROW) - OVERSCAN);
  const last = Math.min(all.length, Math.ceil((scrollTop.value + height.value) / ROW) + OVERSCAN);
  const sel = store.selection.value;
  const ro = editor.readOnly.value;
  const count = regionCount.value;

  return html`<section class="annot-outliner" aria-label="Regions">
    <header>
      <strong>Regions <span class="annot-count">${count}</span></strong>
      <select aria-label="Group regions" value=${mode.value} onChange=${(e) => { mode.value = e.currentTarget.value; }}>
        <option value="label">by label</option>
        <option value="tool">by tool</option>
        <option value="none">no groups</option>
      </select>
    </header>
    ${count === 0 ? html`<p class="annot-empty">No regions yet</p>` : null}
    <div class="annot-outliner-rows" ref=${box} role="listbox" aria-multiselectable="true"
      style=${`height:${Math.min(all.length * ROW + 2, Math.round(window.innerHeight * 0.45))}px`}
      onScroll=${(e) => { scrollTop.value = e.currentTarget.scrollTop; }}>
      <div style=${`height:${all.length * ROW}px;position:relative`}>
        ${all.slice(first, last).map((row, i) => {
          const top = (first + i) * ROW;
          if (row.kind === 'group') {
            const shut = collapsed.value.has(row.key);
            return html`<div key=${`g:${row.key}`} class="annot-outliner-group" style=${`top:${top}px`}>
              <button type="button" class="annot-twisty" aria-expanded=${!shut} onClick=${() => {
                const next = new Set(collapsed.value);
                if (shut) next.delete(row.key); else next.add(row.key);
                collapsed.value = next;
              }}>${shut ? '▸' : '▾'}</button>
              ${row.color ? html`<span class="annot-label-swatch" style=${`background:${row.color}`}></span>` : null}
              <span class="annot-group-title">${row.key}</span><span class="annot-count">${row.count}</span>
              <button type="button" class="annot-icon" title="Hide / show the group" onClick=${() => {
                const hide = !row.ids.every((id) => store.region(id)?.hidden);
                store.setView(row.ids, { hidden: hide });
              }}>hide</button>
            </div>`;
          }
          const r = row.region;
          const on = sel.has(r.id);
          const color = editor.regionColor(r) ?? editor.labelColor(r.from_name, r.from_name);
          return html`<div key=${r.id} role="option" aria-selected=${on} data-region-id=${r.id}
            class=${`annot-outliner-row${on ? ' selected' : ''}${r.hidden ? ' hidden-region' : ''}`} style=${`top:${top}px`}
            onClick=${(e) => store.select(r.id, { additive: e.shiftKey || e.ctrlKey || e.metaKey })}>
            <span class="annot-label-swatch" style=${`background:${color}`}></span>
            <span class="annot-row-n">${row.n}</span>
            <span class="annot-row-title">${regionTitle(editor, r)}</span>
            ${typeof r.value?.text === 'string' ? html`<span class="annot-row-text">${r.value.text.slice(0, 60)}</span>` : null}
            ${r.origin === 'prediction' ? html`<span class="annot-row-tag" title="prediction">P</span>` : null}
            <span class="annot-row-actions">
              <button type="button" class="annot-icon annot-hide" aria-pressed=${r.hidden} title=${r.hidden ? 'Show' : 'Hide'}
                onClick=${(e) => { e.stopPropagation(); store.setView([r.id], { hidden: !r.hidden }); }}>${r.hidden ? 'show' : 'hide'}</button>
              <button type="button" class="annot-icon annot-lock" aria-pressed=${r.locked} title=${r.locked ? 'Unlock' : 'Lock'}
                onClick=${(e) => { e.stopPropagation(); store.setView([r.id], { locked: !r.locked }); }}>${r.locked ? 'unlock' : 'lock'}</button>
              ${!ro ? html`<button type="button" class="annot-icon annot-del" title="Delete" disabled=${r.locked || r.readonly}
                onClick=${(e) => { e.stopPropagation(); store.deleteRegion(r.id); }}>✕</button>` : null}
            </span>
          </div>`;
        })}
      </div>
    </div>
  </section>`;
}

// The outliner's rows: groups (by label or by tool) with their regions, or just the regions.
function buildRows(editor, regions, m, collapsed) {
  if (m === 'none') return regions.map((r, i) => ({ kind: 'region', region: r, n: i + 1 }));
  const groups = new Map();
  regions.forEach((r, i) => {
    const key = m === 'label' ? (editor.regionLabels(r)[0] ?? '(no label)') : `${editor.controls.get(r.from_name)?.tag ?? r.type} · ${r.from_name}`;
    if (!groups.has(key)) groups.set(key, { key, first: r, items: [] });
    groups.get(key).items.push({ kind: 'region', region: r, n: i + 1 });
  });
  const out = [];
  for (const g of groups.values()) {
    out.push({ kind: 'group', key: g.key, count: g.items.length, color: m === 'label' ? editor.regionColor(g.first) ?? editor.labelColor(g.first.from_name, g.key) : null,
      ids: g.items.map((x) => x.region.id) });
    if (!collapsed.has(g.key)) out.push(...g.items);
  }
  return out;
}

// Whether two region lists show the same in the outliner (same ids, labels, hidden, locked).
function sameOutline(editor, a, b) {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; ++i) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x.id !== y.id || x.hidden !== y.hidden || x.locked !== y.locked || x.from_name !== y.from_name ||
        x.origin !== y.origin) return false;
    const lx = editor.regionLabels(x);
    const ly = editor.regionLabels(y);
    if (lx !== ly && (lx.length !== ly.length || lx.some((l, j) => l !== ly[j]))) return false;
  }
  return true;
}

const ARROWS = { right: '→', left: '←', bi: '↔' };
const NEXT_DIRECTION = { right: 'left', left: 'bi', bi: 'right' };

function Relations({ editor }) {
  const { store } = editor;
  const relations = store.relations.value;
  const spec = editor.relationLabels();
  if (!relations.length) return null;
  const ro = editor.readOnly.value;
  const title = (id) => {
    const r = store.region(id);
    return r ? regionTitle(editor, r) : id;
  };
  return html`<section class="annot-relations" aria-label="Relations">
    <header><strong>Relations <span class="annot-count">${relations.length}</span></strong></header>
    <ul>
      ${relations.map((x, i) => html`<li key=${`${x.from_id}>${x.to_id}`} class="annot-relation">
        <button type="button" class="annot-linkend" onClick=${() => store.select(x.from_id)}>${title(x.from_id)}</button>
        <button type="button" class="annot-direction" disabled=${ro} title="Change the direction"
          onClick=${() => store.updateRelation(i, { direction: NEXT_DIRECTION[x.direction] ?? 'right' })}>${ARROWS[x.direction] ?? '→'}</button>
        <button type="button" class="annot-linkend" onClick=${() => store.select(x.to_id)}>${title(x.to_id)}</button>
        ${!ro ? html`<button type="button" class="annot-icon annot-del" title="Delete the relation" onClick=${() => store.deleteRelation(i)}>✕</button>` : null}
        ${spec?.labels.length ? html`<div class="annot-relation-labels">
          ${spec.labels.map((l) => {
            const on = (x.labels ?? []).includes(l.value);
            return html`<button type="button" key=${l.value} disabled=${ro} class=${`annot-chip${on ? ' active' : ''}`} aria-pressed=${on}
              style=${l.background ? `border-color:${l.background}${on ? `;background:${l.background}` : ''}` : ''}
              onClick=${() => {
                const cur = x.labels ?? [];
                const labels = on ? cur.filter((v) => v !== l.value) : (spec.multiple ? [...cur, l.value] : [l.value]);
                store.updateRelation(i, { labels });
              }}>${l.text}</button>`;
          })}
        </div>` : null}
      </li>`)}
    </ul>
  </section>`;
}
