// How a data-manager cell shows its value, by column type: numbers, dates, lists, booleans, image
// thumbnails, and text or JSON cut to one line.
import { html } from '../lib/html.js';

function valueAt(task, key) {
  if (key.startsWith('data.')) return task.data?.[key.slice(5)];
  return task[key];
}

function oneLine(v) {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}

export function columnWidth(col) {
  if (col.key === 'id' || col.key === 'inner_id') return 90;
  if (col.type === 'Number' || col.type === 'Boolean') return 120;
  if (col.type === 'Datetime') return 170;
  if (col.type === 'Image') return 110;
  return 0;  // flexible
}

export function cellRenderer(col) {
  const key = col.key;
  switch (col.type) {
    case 'Datetime':
      return (task) => {
        const v = valueAt(task, key);
        return v ? html`<span title=${v}>${new Date(v).toLocaleString()}</span>` : null;
      };
    case 'Boolean':
      return (task) => (valueAt(task, key) ? '✓' : '');
    case 'Image':
      return (task) => {
        const v = valueAt(task, key);
        return typeof v === 'string' && v
          ? html`<img class="thumb" src=${v} alt="" loading="lazy" onError=${(e) => { e.currentTarget.hidden = true; }} />`
          : null;
      };
    case 'List':
      return (task) => {
        const v = valueAt(task, key);
        if (!Array.isArray(v)) return v === undefined || v === null ? null : oneLine(v);
        return v.map((x) => (typeof x === 'object' && x !== null ? x.email ?? x.id ?? oneLine(x) : x)).join(', ');
      };
    default:
      return (task) => {
        const v = valueAt(task, key);
        if (v === undefined || v === null) return null;
        const text = oneLine(v);
        return html`<span title=${text.length > 40 ? text : undefined}>${text}</span>`;
      };
  }
}
