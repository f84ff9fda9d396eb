// How a data-manager cell shows its value, by column type: numbers, dates, lists, booleans, image
// thumbnails, users, and text or JSON cut to one line.
import { html } from '../lib/html.js';

// The columns that list users: "Annotated by" holds user ids ([1, 2]), "Updated by" [{user_id: 1}].
const USER_COLUMNS = new Set(['annotators', 'updated_by']);

// A user as Label Studio names one: first and last name, else the email.
function userName(u) {
  return [u.first_name, u.last_name].filter(Boolean).join(' ') || u.email || u.username || `User ${u.id}`;
}

function userId(x) {
  return typeof x === 'object' && x !== null ? x.user_id ?? x.id : x;
}

function valueAt(task, key) {
  if (key.startsWith('data.')) return task.data?.[key.slice(5)];
  return task[key];
}

function fullText(v) {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function oneLine(v) {
  const s = fullText(v);
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}

// Text cut to its column with an ellipsis (the table's CSS); the whole value on hover.
function clipped(v) {
  const s = fullText(v);
  const shown = s.length > 300 ? `${s.slice(0, 300)}…` : s;
  const title = typeof v === 'number' ? undefined : s.length > 4000 ? `${s.slice(0, 4000)}…` : s;
  return html`<span class="cell-text" title=${title}>${shown}</span>`;
}

export function columnWidth(col) {
  if (col.key === 'id' || col.key === 'inner_id') return 90;
  if (USER_COLUMNS.has(col.key)) return 140;
  if (col.type === 'Number' || col.type === 'Boolean') return 120;
  if (col.type === 'Datetime') return 170;
  if (col.type === 'Image') return 110;
  return 0;  // flexible: a share of the width the others leave (virtual-table.js)
}

// `users`: the users of GET /api/users by id, for the user columns (a user not there shows as #id).
export function cellRenderer(col, users = new Map()) {
  const key = col.key;
  if (USER_COLUMNS.has(key)) {
    // Each user's initials, with the name on hover, as Label Studio's avatars show them.
    return (task) => {
      const v = valueAt(task, key);
      if (!Array.isArray(v)) return null;
      return html`<span class="users">${v.map((x) => {
        const id = userId(x);
        const u = users.get(id);
        return html`<abbr class="user-chip" key=${id} data-user-id=${id} title=${u ? userName(u) : `User ${id}`}>${u?.initials || `#${id}`}</abbr>`;
      })}</span>`;
    };
  }
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
        if (!Array.isArray(v)) return v === undefined || v === null ? null : clipped(v);
        return clipped(v.map((x) => (typeof x === 'object' && x !== null ? x.email ?? x.id ?? oneLine(x) : x)).join(', '));
      };
    default:
      return (task) => {
        const v = valueAt(task, key);
        if (v === undefined || v === null || v === '') return null;
        return clipped(v);
      };
  }
}
