// Links a stylesheet of the shell once (components that bring their own CSS call it at import).
const linked = new Set();

export function useStylesheet(href) {
  if (linked.has(href)) return;
  linked.add(href);
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = href;
  document.head.appendChild(link);
}
