// Helpers shared by the core plugin's tag modules: mounting Preact components, attributes, the
// Choice tree of Choices/Taxonomy, the config-tree lookups, and strftime/strptime for DateTime.
import { render } from 'preact';
import { html } from '@annot/ui-sdk';

// Renders `Component` with {ctx} into el; returns what mount() must return.
export function mountComponent(el, ctx, Component, props = {}) {
  render(html`<${Component} ctx=${ctx} ...${props} />`, el);
  return { destroy() { render(null, el); } };
}

// A one-line notice in place of a tag that cannot be shown.
export function notice(el, text) {
  const div = document.createElement('div');
  div.className = 'ac-notice';
  div.textContent = text;
  el.appendChild(div);
  return { destroy() { div.remove(); } };
}

// Label Studio's booleans: "true"/"yes"/"1" (any case).
export function isTrue(v) {
  return v === true || (typeof v === 'string' && /^(true|yes|1)$/i.test(v.trim()));
}

// A raw attribute of a config node (case-insensitive, `$vars` left as written).
export function rawAttr(node, key, fallback = undefined) {
  if (!node?.attrs) return fallback;
  if (Object.prototype.hasOwnProperty.call(node.attrs, key)) return node.attrs[key];
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(node.attrs)) if (k.toLowerCase() === lower) return v;
  return fallback;
}

// An attribute through ctx.attr when there is one (resolves $vars), else raw.
export function attr(ctx, key, fallback = undefined) {
  if (typeof ctx.attr === 'function') return ctx.attr(key, fallback);
  return rawAttr(ctx.node, key, fallback);
}

export function flag(ctx, key, fallback = false) {
  const v = attr(ctx, key);
  return v === undefined || v === null || v === '' ? fallback : isTrue(v);
}

export function numberAttr(ctx, key, fallback = undefined) {
  const v = attr(ctx, key);
  if (v === undefined || v === null || String(v).trim() === '') return fallback;
  const n = Number(v);
  return Number.isFinite(n) ? n : fallback;
}

// The control's current result payload ({choices: [...]}, {rating: 3}...) or null; reading it
// subscribes the calling component to ctx.result.
export function payloadOf(ctx) {
  const r = ctx.result?.value ?? null;
  if (r && typeof r === 'object' && 'from_name' in r && 'value' in r) return r.value ?? null;
  return r;
}

export function readOnly(ctx) {
  const r = ctx.readOnly;
  return Boolean(r && typeof r === 'object' && 'value' in r ? r.value : r);
}

// perRegion controls act on the selected region only; null when there is none (the control then
// has nothing to act on).
export function perRegion(ctx) {
  return flag(ctx, 'perRegion');
}

export function actionable(ctx) {
  if (readOnly(ctx)) return false;
  if (perRegion(ctx) && !ctx.selectedRegion?.value) return false;
  return true;
}

export function rootOf(node) {
  let n = node;
  while (n?.parent) n = n.parent;
  return n;
}

// The first node of the tree whose name attribute is `name`.
export function findNamed(node, name) {
  const stack = [rootOf(node)];
  while (stack.length) {
    const n = stack.pop();
    if (!n) continue;
    if (rawAttr(n, 'name') === name) return n;
    for (let i = n.children.length - 1; i >= 0; --i) stack.push(n.children[i]);
  }
  return null;
}

export function toNames(node) {
  return String(rawAttr(node, 'toName', '')).split(',').map((s) => s.trim()).filter(Boolean);
}

// The nodes tagged `tag` under node, looking through View-like wrappers but not into `tag` itself.
export function childrenTagged(node, tag) {
  const out = [];
  const lower = tag.toLowerCase();
  for (const c of node.children ?? []) {
    if (c.tag.toLowerCase() === lower) out.push(c);
    else out.push(...childrenTagged(c, tag));
  }
  return out;
}

// The options of Choices/Taxonomy: [{key, label, html, hint, hotkey, background, style, selected,
// maxUsages, children, path, parent}]. `key` is what results carry (alias, else value). Dynamic options come
// from task data (`value="$key"` on the control: [{value, alias?, html?, hint?, children?, ...}]).
export function optionTree(ctx) {
  const dynamic = rawAttr(ctx.node, 'value');
  const out = [];
  const build = (items, parent, fromData) => {
    const list = [];
    for (const item of items) {
      const a = fromData ? item : item.attrs;
      const get = (k) => (fromData ? item?.[k] : rawAttr(item, k));
      const value = fromData && typeof item === 'string' ? item : get('value');
      if (value === undefined || value === null) continue;
      const alias = fromData && typeof item === 'string' ? undefined : get('alias');
      const key = String(alias !== undefined && alias !== '' ? alias : value);
      const opt = {
        // html is the config author's markup; from task data it would be injected markup, so not shown.
        key, value: String(value), label: String(value), html: fromData ? undefined : get('html'), hint: a ? get('hint') : undefined,
        hotkey: a ? get('hotkey') : undefined, background: a ? (get('background') ?? get('color')) : undefined,
        style: a ? get('style') : undefined, selected: a ? isTrue(get('selected')) : false,
        maxUsages: a ? Math.max(0, Math.floor(Number(get('maxUsages')) || 0)) : 0,
        parent, path: parent ? [...parent.path, key] : [key], children: [],
      };
      const kids = fromData ? (Array.isArray(item?.children) ? item.children : []) : childrenTagged(item, 'Choice');
      opt.children = build(kids, opt, fromData);
      list.push(opt);
    }
    return list;
  };
  if (typeof dynamic === 'string' && dynamic.startsWith('$')) {
    let data = ctx.resolve ? ctx.resolve(dynamic) : undefined;
    if (typeof data === 'string') {
      try { data = JSON.parse(data); } catch { data = [data]; }
    }
    if (Array.isArray(data)) out.push(...build(data, null, true));
  }
  out.push(...build(childrenTagged(ctx.node, 'Choice'), null, false));
  return out;
}

export function* eachOption(options) {
  for (const o of options) {
    yield o;
    yield* eachOption(o.children);
  }
}

// A stable string for a path (Set membership).
export const pathKey = (path) => JSON.stringify(path);

// ---- Filter: a quick filter per control name, shared by the Filter tag and the control ----
const filters = new WeakMap();   // config root -> Map<control name, {query: signal, cleanup}>

export function filterOf(node, controlName, create = null) {
  const root = rootOf(node);
  if (!filters.has(root)) filters.set(root, new Map());
  const map = filters.get(root);
  if (!map.has(controlName) && create) map.set(controlName, create());
  return map.get(controlName) ?? null;
}

// Whether an option's label passes a filter query (empty passes everything).
export function matches(option, query, caseSensitive) {
  if (!query) return true;
  const text = `${option.label} ${option.key}`;
  return caseSensitive ? text.includes(query) : text.toLowerCase().includes(query.toLowerCase());
}

// Whether a field event is the annotation being sent: ctrl/cmd+Enter in the field, or focus
// leaving it for the editor's submit / update / skip button. Fields commit pending text then, so
// what was typed is in the result that is sent.
export function submitting(e) {
  if (e.type === 'keydown') return e.key === 'Enter' && (e.ctrlKey || e.metaKey);
  return e.type === 'blur' && Boolean(e.relatedTarget?.closest?.('.annot-submit, .annot-update, .annot-skip'));
}

// ---- strftime / strptime (Python's directives, as DateTime's `format`) ----
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October',
  'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const pad = (n, w = 2) => String(n).padStart(w, '0');

// parts: {year, month (1-12), day, hour, minute, second}
export function strftime(format, p) {
  const date = new Date(p.year ?? 1970, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
  const h12 = ((p.hour ?? 0) % 12) || 12;
  const startOfYear = new Date(date.getFullYear(), 0, 1);
  const yday = Math.round((new Date(date.getFullYear(), date.getMonth(), date.getDate()) - startOfYear) / 86400000) + 1;
  const map = {
    Y: () => pad(date.getFullYear(), 4), y: () => pad(date.getFullYear() % 100), m: () => pad(date.getMonth() + 1),
    d: () => pad(date.getDate()), e: () => String(date.getDate()).padStart(2, ' '), H: () => pad(date.getHours()),
    M: () => pad(date.getMinutes()), S: () => pad(date.getSeconds()), I: () => pad(h12),
    p: () => (date.getHours() < 12 ? 'AM' : 'PM'), b: () => MONTHS[date.getMonth()].slice(0, 3),
    h: () => MONTHS[date.getMonth()].slice(0, 3), B: () => MONTHS[date.getMonth()], a: () => DAYS[date.getDay()].slice(0, 3),
    A: () => DAYS[date.getDay()], j: () => pad(yday, 3), f: () => '000000', '%': () => '%',
  };
  return format.replace(/%(.)/g, (m, d) => (map[d] ? map[d]() : m));
}

// The inverse for the same directives; null when the text does not match the format.
export function strptime(format, text) {
  const p = {};
  let i = 0;
  let pm = null;
  const num = (min, max) => {
    const m = new RegExp(`^\\d{${min},${max}}`).exec(text.slice(i));
    if (!m) return null;
    i += m[0].length;
    return Number(m[0]);
  };
  const word = (list) => {
    const rest = text.slice(i).toLowerCase();
    for (let k = 0; k < list.length; ++k) {
      for (const w of [list[k], list[k].slice(0, 3)]) {
        if (rest.startsWith(w.toLowerCase())) { i += w.length; return k; }
      }
    }
    return null;
  };
  for (let f = 0; f < format.length; ++f) {
    const c = format[f];
    if (c !== '%' || f + 1 === format.length) {
      if (text[i] !== c) return null;
      ++i;
      continue;
    }
    const d = format[++f];
    let v;
    switch (d) {
      case 'Y': v = num(4, 4); if (v === null) return null; p.year = v; break;
      case 'y': v = num(1, 2); if (v === null) return null; p.year = v < 69 ? 2000 + v : 1900 + v; break;
      case 'm': v = num(1, 2); if (v === null) return null; p.month = v; break;
      case 'd': case 'e': while (text[i] === ' ') ++i; v = num(1, 2); if (v === null) return null; p.day = v; break;
      case 'H': v = num(1, 2); if (v === null) return null; p.hour = v; break;
      case 'I': v = num(1, 2); if (v === null) return null; p.hour = v % 12; break;
      case 'M': v = num(1, 2); if (v === null) return null; p.minute = v; break;
      case 'S': v = num(1, 2); if (v === null) return null; p.second = v; break;
      case 'f': v = num(1, 9); if (v === null) return null; break;
      case 'j': v = num(1, 3); if (v === null) return null; break;
      case 'p': {
        const rest = text.slice(i, i + 2).toUpperCase();
        if (rest !== 'AM' && rest !== 'PM') return null;
        pm = rest === 'PM';
        i += 2;
        break;
      }
      case 'b': case 'B': case 'h': v = word(MONTHS); if (v === null) return null; p.month = v + 1; break;
      case 'a': case 'A': v = word(DAYS); if (v === null) return null; break;
      case '%': if (text[i] !== '%') return null; ++i; break;
      default: return null;
    }
  }
  if (i !== text.length) return null;
  if (pm !== null && p.hour !== undefined) p.hour = (p.hour % 12) + (pm ? 12 : 0);
  return p;
}
