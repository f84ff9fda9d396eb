// Comparison controls: Pairwise (left or right of two objects) and Ranker (order the items of a
// List, or sort them into Bucket columns by dragging), plus the List object they read.
import { html } from '@annot/ui-sdk';
import { useState } from 'preact/hooks';
import { attr, payloadOf, readOnly, rawAttr, findNamed, toNames, childrenTagged, isTrue, mountComponent, notice } from './util.js';

// ---------------------------------------------------------------- Pairwise
// The element the framework mounted an object tag into, when it marks them; Pairwise then also
// makes the objects themselves clickable (as Label Studio does).
function objectElement(el, name) {
  const root = el.closest('.annot-editor') ?? document;
  return root.querySelector(`.annot-tag[data-name="${CSS.escape(name)}"]`);
}

function Pairwise({ ctx, names }) {
  const ro = readOnly(ctx);
  const selected = payloadOf(ctx)?.selected ?? null;
  const style = attr(ctx, 'selectionStyle');
  const pick = (side) => { if (!ro) ctx.setResult(selected === side ? null : { selected: side }); };
  const side = (key, name, cls) => html`<button type="button" class="ac-pair ac-pair-${key} ${cls ?? ''} ${selected === key ? 'ac-on' : ''}"
      aria-pressed=${selected === key} disabled=${ro} style=${selected === key && style ? style : undefined}
      onClick=${() => pick(key)}>
    <span class="ac-pair-side">${key === 'left' ? '◀ Left' : 'Right ▶'}</span>
    <span class="ac-pair-name">${name}</span>
  </button>`;
  return html`<div class="ac-pairwise" data-control=${ctx.name} data-selected=${selected ?? ''} role="group" aria-label=${ctx.name}>
    ${side('left', names[0], attr(ctx, 'leftClass'))}
    ${side('right', names[1], attr(ctx, 'rightClass'))}
  </div>`;
}

export function mountPairwise(el, ctx) {
  const names = toNames(ctx.node);
  const m = mountComponent(el, ctx, Pairwise, { names });
  // Clicking an object selects it too; the selected one gets selectionStyle. The objects may mount
  // after this control, so they are looked up on click and on each result change.
  const onClick = (e) => {
    if (readOnly(ctx)) return;
    for (const [i, name] of names.slice(0, 2).entries()) {
      const obj = objectElement(el, name);
      if (obj && obj.contains(e.target) && !window.getSelection()?.toString()) {
        const key = i === 0 ? 'left' : 'right';
        if (payloadOf(ctx)?.selected !== key) ctx.setResult({ selected: key });
      }
    }
  };
  document.addEventListener('click', onClick);
  let dispose = null;
  let frame = 0;
  if (ctx.result?.subscribe) {
    const paint = () => {
      const sel = payloadOf(ctx)?.selected;
      for (const [i, name] of names.slice(0, 2).entries()) {
        const obj = objectElement(el, name);
        if (!obj) continue;
        const cls = attr(ctx, i === 0 ? 'leftClass' : 'rightClass');
        if (cls) obj.classList.add(...cls.split(/\s+/).filter(Boolean));
        obj.classList.toggle('ac-pair-selected', sel === (i === 0 ? 'left' : 'right'));
      }
    };
    dispose = ctx.result.subscribe(paint);
    frame = requestAnimationFrame(paint);   // the objects mount after this control when they follow it
  }
  return { destroy() { cancelAnimationFrame(frame); document.removeEventListener('click', onClick); dispose?.(); m.destroy(); } };
}

// ---------------------------------------------------------------- List / Ranker
// The items of a List node from the task data: [{id, title, body, html}] with string ids.
export function listItems(listNode, ctx) {
  if (!listNode) return [];
  let data = ctx.resolve ? ctx.resolve(rawAttr(listNode, 'value', '')) : undefined;
  if (typeof data === 'string') {
    try { data = JSON.parse(data); } catch { data = []; }
  }
  if (!Array.isArray(data)) return [];
  return data.filter((x) => x && typeof x === 'object' && x.id !== undefined && x.id !== null)
    .map((x) => ({ ...x, id: String(x.id) }));
}

// An item's title and body come from task data: shown as text, never as markup.
function Item({ item }) {
  const text = (v) => (typeof v === 'string' || typeof v === 'number' ? String(v) : v ? JSON.stringify(v) : '');
  return html`${item.title && html`<div class="ac-item-title">${text(item.title)}</div>`}
    ${item.body && html`<div class="ac-item-body">${text(item.body)}</div>`}
    ${!item.title && !item.body && html`<div class="ac-item-title">${item.id}</div>`}`;
}

function ListView({ ctx, items }) {
  const title = attr(ctx, 'title');
  return html`<div class="ac-list" data-object=${ctx.name}>
    ${title && html`<div class="ac-list-title">${title}</div>`}
    ${items.map((item) => html`<div class="ac-list-item htx-ranker-item" key=${item.id} data-id=${item.id}><${Item} item=${item} /></div>`)}
  </div>`;
}

export function mountList(el, ctx) {
  // A Ranker draws the list's items itself; the List alone shows them read-only.
  const ranked = (ctx.controls ?? []).some((c) => String(c?.tag ?? c?.node?.tag ?? '').toLowerCase() === 'ranker');
  if (ranked) return { destroy() {} };
  return mountComponent(el, ctx, ListView, { items: listItems(ctx.node, ctx) });
}

// The columns and their item ids from the stored value (dict or the older flat list); items the
// value does not place start in the default column.
export function placeItems(items, columns, defaultColumn, value, rankerName) {
  const ids = new Set(items.map((x) => x.id));
  const placed = new Set();
  const cols = Object.fromEntries(columns.map((c) => [c.id, []]));
  const put = (col, list) => {
    if (!cols[col] || !Array.isArray(list)) return;
    for (const id of list.map(String)) {
      if (ids.has(id) && !placed.has(id)) { cols[col].push(id); placed.add(id); }
    }
  };
  if (Array.isArray(value)) put(defaultColumn, value);
  else if (value && typeof value === 'object') {
    for (const [k, list] of Object.entries(value)) put(k === rankerName && !cols[k] ? defaultColumn : k, list);
  }
  for (const x of items) if (!placed.has(x.id)) cols[defaultColumn].push(x.id);
  return cols;
}

// Label Studio's value: {ranker name: ids} without buckets, {bucket: ids} for every bucket with them.
export function rankerValue(cols, buckets, rankerName) {
  if (!buckets.length) return { [rankerName]: cols[rankerName] ?? [] };
  return Object.fromEntries(buckets.map((b) => [b.id, cols[b.id] ?? []]));
}

let dragging = null;   // {id, from} while an item is dragged (one drag at a time per page)

function Ranker({ ctx, items, columns, defaultColumn, buckets }) {
  const ro = readOnly(ctx);
  const stored = payloadOf(ctx)?.ranker ?? null;
  const cols = placeItems(items, columns, defaultColumn, stored, ctx.name);
  const byId = new Map(items.map((x) => [x.id, x]));
  const [drop, setDrop] = useState(null);   // {col, index} of the insertion marker

  const move = (id, toCol, index) => {
    const next = Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, v.filter((x) => x !== id)]));
    const list = next[toCol];
    const from = Object.keys(cols).find((k) => cols[k].includes(id));
    // The index was computed with the item still in its old place.
    let at = index;
    if (from === toCol && cols[from].indexOf(id) < index) at -= 1;
    list.splice(Math.max(0, Math.min(at, list.length)), 0, id);
    const value = rankerValue(next, buckets, ctx.name);
    if (JSON.stringify(value) !== JSON.stringify(rankerValue(cols, buckets, ctx.name)) || stored === null) ctx.setResult({ ranker: value });
  };
  const indexAt = (colEl, clientY) => {
    const rows = [...colEl.querySelectorAll(':scope > .ac-rank-items > .ac-rank-item')];
    const i = rows.findIndex((r) => { const b = r.getBoundingClientRect(); return clientY < b.top + b.height / 2; });
    return i < 0 ? rows.length : i;
  };
  const onKeyDown = (e, id, col) => {
    if (ro || !e.altKey) return;
    const i = cols[col].indexOf(id);
    const ci = columns.findIndex((c) => c.id === col);
    if (e.key === 'ArrowUp' && i > 0) move(id, col, i - 1);
    else if (e.key === 'ArrowDown' && i < cols[col].length - 1) move(id, col, i + 2);
    else if (e.key === 'ArrowLeft' && ci > 0) move(id, columns[ci - 1].id, cols[columns[ci - 1].id].length);
    else if (e.key === 'ArrowRight' && ci < columns.length - 1) move(id, columns[ci + 1].id, cols[columns[ci + 1].id].length);
    else return;
    e.preventDefault();
    const target = e.currentTarget.closest('.ac-ranker');
    requestAnimationFrame(() => target?.querySelector(`.ac-rank-item[data-id="${CSS.escape(id)}"]`)?.focus());
  };

  return html`<div class="ac-ranker" data-control=${ctx.name}>
    ${columns.map((c) => html`<div class="ac-rank-column htx-ranker-column" key=${c.id} data-column=${c.id} style=${c.style}
        onDragOver=${(e) => { if (!dragging || ro) return; e.preventDefault(); const index = indexAt(e.currentTarget, e.clientY); if (drop?.col !== c.id || drop?.index !== index) setDrop({ col: c.id, index }); }}
        onDragLeave=${(e) => { if (!e.currentTarget.contains(e.relatedTarget)) setDrop(null); }}
        onDrop=${(e) => { if (!dragging || ro) return; e.preventDefault(); move(dragging.id, c.id, indexAt(e.currentTarget, e.clientY)); dragging = null; setDrop(null); }}>
      <div class="ac-rank-title">${c.title} <span class="ac-count">${cols[c.id].length}</span></div>
      <div class="ac-rank-items">
        ${cols[c.id].map((id, i) => html`${drop?.col === c.id && drop.index === i && html`<div class="ac-rank-marker"></div>`}
          <div class="ac-rank-item htx-ranker-item" key=${id} data-id=${id} draggable=${!ro} tabindex="0"
            aria-label=${`${byId.get(id)?.title ?? id} (${c.title}, ${i + 1} of ${cols[c.id].length}); alt+arrows move it`}
            onDragStart=${(e) => { dragging = { id, from: c.id }; e.dataTransfer.effectAllowed = 'move'; e.dataTransfer.setData('text/plain', id); }}
            onDragEnd=${() => { dragging = null; setDrop(null); }}
            onKeyDown=${(e) => onKeyDown(e, id, c.id)}>
            <${Item} item=${byId.get(id)} />
          </div>`)}
        ${drop?.col === c.id && drop.index >= cols[c.id].length && html`<div class="ac-rank-marker"></div>`}
      </div>
    </div>`)}
  </div>`;
}

export function mountRanker(el, ctx) {
  const [listName] = toNames(ctx.node);
  const listNode = listName ? findNamed(ctx.node, listName) : null;
  const items = listItems(listNode, ctx);
  const buckets = childrenTagged(ctx.node, 'Bucket').map((b) => ({
    id: rawAttr(b, 'name'), title: rawAttr(b, 'title') ?? rawAttr(b, 'name'), style: rawAttr(b, 'style'),
    isDefault: isTrue(rawAttr(b, 'default')),
  })).filter((b) => b.id);
  const listTitle = (listNode && rawAttr(listNode, 'title')) || 'Items';
  let columns;
  let defaultColumn;
  if (!buckets.length) {
    columns = [{ id: ctx.name, title: listTitle }];
    defaultColumn = ctx.name;
  } else {
    const def = buckets.find((b) => b.isDefault);
    // Unsorted items wait in "_" (not part of the result) unless a bucket is the default.
    columns = def ? buckets : [{ id: '_', title: listTitle }, ...buckets];
    defaultColumn = def ? def.id : '_';
  }
  if (!listNode) return notice(el, `Ranker ${ctx.name}: toName names no List`);
  return mountComponent(el, ctx, Ranker, { items, columns, defaultColumn, buckets });
}
