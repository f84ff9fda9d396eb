// Client-side routing over Label Studio's page URLs: the current location as a signal, and
// navigation through history.pushState (links with data-native do a full page load instead).
import { signal } from '@preact/signals';

export const location = signal(snapshot());

function snapshot() {
  return { path: window.location.pathname.replace(/\/+$/, '') || '/', query: new URLSearchParams(window.location.search) };
}

export function navigate(url, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  location.value = snapshot();
  window.scrollTo(0, 0);
}

// The page for a path: the first route whose pattern matches, with its captures.
//   routes: [[/^\/projects\/(\d+)\/data$/, (id) => ...], ...]
export function match(routes, path) {
  for (const [pattern, render] of routes) {
    const m = pattern.exec(path);
    if (m) return () => render(...m.slice(1));
  }
  return null;
}

window.addEventListener('popstate', () => { location.value = snapshot(); });

// Same-origin links navigate in place; modified clicks, other targets and data-native go to the browser.
document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const a = event.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download') || a.dataset.native !== undefined) return;
  const url = new URL(a.href, window.location.href);
  if (url.origin !== window.location.origin || url.pathname.startsWith('/api/') || url.pathname.startsWith('/data/')) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});
