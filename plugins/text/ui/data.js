// Task data for the text tags: the tag's value resolved against the task, fetched when
// valueType says url, decoded from base64; attribute helpers that read Label Studio's spellings.

// One attribute, case-insensitive, as written (no $ resolution), or `fallback`.
export function rawAttr(attrs, key, fallback = undefined) {
  if (!attrs) return fallback;
  if (Object.prototype.hasOwnProperty.call(attrs, key)) return attrs[key];
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(attrs)) if (k.toLowerCase() === lower) return v;
  return fallback;
}

export function isTrue(value, fallback = false) {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'boolean') return value;
  return /^(true|yes|1)$/i.test(String(value).trim());
}

// The task value the tag's `value` attribute names ("$text"), or the tag's inline text.
export function taskValue(ctx) {
  const expr = rawAttr(ctx.attrs, 'value');
  if (expr === undefined) return ctx.node?.text ?? '';
  return typeof expr === 'string' && expr.startsWith('$') ? ctx.resolve(expr) : expr;
}

// Bytes of a base64 string (white space allowed); throws on bad input.
function base64Bytes(s) {
  const bin = atob(String(s).replace(/\s+/g, ''));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i += 1) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

// Decodes as the validators count: base64 gives one unit per byte (atob), base64unicode UTF-8.
export function decode(value, encoding) {
  if (encoding === 'base64') return atob(String(value).replace(/\s+/g, ''));
  if (encoding === 'base64unicode') return new TextDecoder('utf-8').decode(base64Bytes(value));
  return value;
}

// Fetches a URL named by the task (same-origin uploads carry the session cookie).
export async function fetchText(url, signal) {
  const r = await fetch(url, { credentials: 'same-origin', signal });
  if (!r.ok) throw new Error(`${url} answered HTTP ${r.status}`);
  return r.text();
}

// A notice in place of the tag when its data cannot be shown.
export function showProblem(el, message) {
  const div = document.createElement('div');
  div.className = 'annot-text-problem';
  div.setAttribute('role', 'alert');
  div.textContent = message;
  el.replaceChildren(div);
}
