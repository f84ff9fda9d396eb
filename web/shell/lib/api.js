// The REST client: JSON in and out, the login cookie with the CSRF header on writes, and Label
// Studio's error envelope turned into an ApiError whose message names the problem.
import { navigate } from './router.js';

export class ApiError extends Error {
  constructor(status, body, fallback) {
    super(describe(body) || fallback);
    this.status = status;
    this.body = body;
  }
}

// The first useful sentence of an error body: validation_errors, DRF field errors, or detail.
function describe(body) {
  if (!body || typeof body !== 'object') return typeof body === 'string' ? body.slice(0, 300) : '';
  const fields = body.validation_errors ?? (body.detail === undefined ? body : null);
  if (fields && typeof fields === 'object') {
    for (const [field, messages] of Object.entries(fields)) {
      if (field === 'errors' || field === 'warnings') continue;
      const first = Array.isArray(messages) ? messages[0] : messages;
      if (typeof first === 'string' && first) return field === 'non_field_errors' ? first : `${field}: ${first}`;
    }
  }
  return typeof body.detail === 'string' ? body.detail : '';
}

export function csrfToken() {
  const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]*)/);
  return m ? decodeURIComponent(m[1]) : '';
}

// fetch with the shell's conventions. body: a plain object/array is sent as JSON; FormData,
// URLSearchParams, Blob and strings go as they are. Resolves to the parsed JSON (null for 204).
export async function request(method, url, { body, headers = {}, signal, redirectOn401 = true } = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers }, credentials: 'same-origin', signal };
  if (method !== 'GET' && method !== 'HEAD') {
    const token = csrfToken();
    if (token) init.headers['X-CSRFToken'] = token;
  }
  if (body !== undefined) {
    const plain = body !== null && typeof body === 'object' && !(body instanceof FormData) &&
      !(body instanceof URLSearchParams) && !(body instanceof Blob);
    init.body = plain ? JSON.stringify(body) : body;
    if (plain) init.headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(url, init);
  const text = await response.text();
  let parsed = null;
  if (text) {
    try { parsed = JSON.parse(text); } catch { parsed = text; }
  }
  if (!response.ok) {
    if (response.status === 401 && redirectOn401) {
      const next = window.location.pathname + window.location.search;
      navigate(`/user/login?next=${encodeURIComponent(next)}`, { replace: true });
    }
    throw new ApiError(response.status, parsed, `${method} ${url}: HTTP ${response.status}`);
  }
  return parsed;
}

export const get = (url, opts) => request('GET', url, opts);
export const post = (url, body, opts) => request('POST', url, { ...opts, body });
export const patch = (url, body, opts) => request('PATCH', url, { ...opts, body });
export const del = (url, opts) => request('DELETE', url, opts);

// A query string from an object, skipping null/undefined values.
export function qs(params) {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  const s = search.toString();
  return s ? `?${s}` : '';
}
