// <Table>: task data shown as a table: a dict as key/value rows, a list of dicts as a grid (one
// column per key), CSV/TSV text (valueType="csv|headless|separator=;", "|url" to fetch it).
import { rawAttr, taskValue, fetchText, showProblem } from './data.js';

const cellText = (v) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

// RFC 4180 CSV: quoted fields with doubled quotes, any line ending.
export function parseCsv(text, sep) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
    } else if (c === sep) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += c;
    }
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function element(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

// header: column names (or null for key/value rows); rows: arrays of cell strings.
function renderGrid(wrap, header, rows) {
  const table = element('table', 'annot-table');
  if (header) {
    const tr = element('tr');
    for (const h of header) tr.append(element('th', '', h));
    table.append(element('thead'));
    table.tHead.append(tr);
  }
  const body = element('tbody');
  for (const r of rows) {
    const tr = element('tr');
    r.forEach((cell, i) => tr.append(element(!header && i === 0 ? 'th' : 'td', '', cell)));
    body.append(tr);
  }
  table.append(body);
  wrap.replaceChildren(table);
}

function renderValue(wrap, value) {
  if (Array.isArray(value)) {
    if (value.length && value.every((v) => v && typeof v === 'object' && !Array.isArray(v))) {
      const keys = [];
      const seen = new Set();
      for (const v of value) {
        for (const k of Object.keys(v)) {
          if (seen.has(k)) continue;
          seen.add(k);
          keys.push(k);
        }
      }
      renderGrid(wrap, keys, value.map((v) => keys.map((k) => cellText(v[k]))));
    } else {
      renderGrid(wrap, null, value.map((v, i) => [String(i), cellText(v)]));
    }
    return;
  }
  if (value && typeof value === 'object') {
    renderGrid(wrap, null, Object.entries(value).map(([k, v]) => [k, cellText(v)]));
    return;
  }
  showProblem(wrap, 'The task value is not a table (a dict or a list)');
}

export function mountTable(el, ctx) {
  const wrap = element('div', 'annot-table-wrap');
  wrap.dataset.name = ctx.name;
  el.append(wrap);
  const [type, ...options] = String(rawAttr(ctx.attrs, 'valueType', 'json')).split('|').map((s) => s.trim());
  const fromUrl = options.includes('url');
  const headless = options.includes('headless');
  const sepOption = options.find((o) => o.startsWith('separator='));
  const abort = new AbortController();
  let destroyed = false;

  const show = (value) => {
    if (destroyed) return;
    if (type.toLowerCase() === 'csv' && typeof value === 'string') {
      const sep = sepOption ? sepOption.slice('separator='.length) || ',' : value.includes('\t') && !value.includes(',') ? '\t' : ',';
      const rows = parseCsv(value, sep[0]);
      if (!rows.length) return showProblem(wrap, 'The CSV is empty');
      if (headless) renderGrid(wrap, rows[0].map((_, i) => String(i)), rows);
      else renderGrid(wrap, rows[0], rows.slice(1));
      return;
    }
    if (typeof value === 'string' && fromUrl) {
      try {
        value = JSON.parse(value);
      } catch {
        return showProblem(wrap, 'The table file is not JSON');
      }
    }
    renderValue(wrap, value);
  };

  const value = taskValue(ctx);
  if (fromUrl) {
    if (typeof value !== 'string' || !value) {
      showProblem(wrap, 'The task has no URL for this table');
    } else {
      wrap.textContent = 'Loading…';
      fetchText(value, abort.signal).then(show, (err) => !destroyed && showProblem(wrap, `Could not load the table: ${err.message}`));
    }
  } else if (value === undefined || value === null) {
    showProblem(wrap, 'The task has no data for this table');
  } else {
    show(value);
  }

  return {
    destroy() {
      destroyed = true;
      abort.abort();
      wrap.remove();
    },
  };
}
