// HTML written by project managers (labeling instructions) shown to every annotator: kept to
// formatting tags, links and images, so that no script, style, form or event handler of the text
// runs in the app's origin. Parsed with DOMParser (inert: nothing loads or runs while parsing).
const TAGS = new Set(['a', 'b', 'blockquote', 'br', 'code', 'div', 'em', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr',
  'i', 'img', 'li', 'ol', 'p', 'pre', 's', 'small', 'span', 'strong', 'sub', 'sup', 'table', 'tbody', 'td', 'th',
  'thead', 'tr', 'u', 'ul']);
// Elements whose content is not text to keep either (the rest of an unknown element keeps its text).
const DROP = new Set(['script', 'style', 'template', 'iframe', 'object', 'embed', 'noscript', 'svg', 'math', 'head']);
const ATTRIBUTES = { a: ['href', 'title'], img: ['src', 'alt', 'title', 'width', 'height'], td: ['colspan', 'rowspan'],
  th: ['colspan', 'rowspan'] };

function safeUrl(value, forImage) {
  // Browsers drop tabs, line breaks and other controls inside a URL ("java\nscript:" runs).
  const v = value.replace(/[\u0000-\u0020]/g, '');
  if (/^(https?:|mailto:)/i.test(v) || /^[/?#.]/.test(v) || !/^[a-z][a-z0-9+.-]*:/i.test(v)) return v;
  return forImage && /^data:image\/(png|jpeg|gif|webp);/i.test(v) ? v : null;
}

function copy(node, doc) {
  if (node.nodeType === Node.TEXT_NODE) return doc.createTextNode(node.textContent);
  if (node.nodeType !== Node.ELEMENT_NODE) return null;
  const tag = node.localName;
  if (DROP.has(tag)) return null;
  const out = TAGS.has(tag) ? doc.createElement(tag) : doc.createDocumentFragment();
  if (TAGS.has(tag)) {
    for (const name of ATTRIBUTES[tag] ?? []) {
      const value = node.getAttribute(name);
      if (value === null) continue;
      const kept = name === 'href' || name === 'src' ? safeUrl(value, name === 'src') : value;
      if (kept !== null) out.setAttribute(name, kept);
    }
    if (tag === 'a') {
      out.setAttribute('target', '_blank');
      out.setAttribute('rel', 'noopener noreferrer');
    }
  }
  for (const child of node.childNodes) {
    const c = copy(child, doc);
    if (c) out.appendChild(c);
  }
  return out;
}

// The HTML of `text` with only the allowed tags and attributes, as a string for innerHTML.
export function safeHtml(text) {
  const parsed = new DOMParser().parseFromString(String(text ?? ''), 'text/html');
  const doc = document.implementation.createHTMLDocument('');
  const root = doc.createElement('div');
  for (const child of parsed.body.childNodes) {
    const c = copy(child, doc);
    if (c) root.appendChild(c);
  }
  return root.innerHTML;
}
