// The labeling config parsed in the browser (DOMParser) into the node tree the editor and plugins
// share: {tag, attrs, children, parent}. Attribute lookups are case-insensitive as Label Studio's.
export class ConfigError extends Error {}

// Parses the XML string; throws ConfigError naming the problem when it is not well-formed.
export function parseConfig(xml) {
  if (typeof xml !== 'string' || !xml.trim()) throw new ConfigError('The labeling config is empty');
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  const error = doc.querySelector('parsererror');
  if (error) throw new ConfigError(`The labeling config is not well-formed XML: ${error.textContent.trim().split('\n')[0]}`);
  return toNode(doc.documentElement, null);
}

function toNode(element, parent) {
  const attrs = {};
  for (const a of element.attributes) attrs[a.name] = a.value;
  const node = { tag: element.tagName, attrs, children: [], parent, text: '' };
  // Text content matters for a few tags (Header's value, Style's CSS, HyperText inline markup).
  for (const child of element.childNodes) {
    if (child.nodeType === 1) node.children.push(toNode(child, node));
    else if (child.nodeType === 3 || child.nodeType === 4) node.text += child.nodeValue;
  }
  node.text = node.text.trim();
  return node;
}

// One attribute of a node, case-insensitive; `fallback` when absent.
export function nodeAttr(node, key, fallback = undefined) {
  if (Object.prototype.hasOwnProperty.call(node.attrs, key)) return node.attrs[key];
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(node.attrs)) if (k.toLowerCase() === lower) return v;
  return fallback;
}

// Label Studio's boolean attributes: "true"/"yes"/"1" (any case) are true.
export function isTrue(value) {
  return value === true || (typeof value === 'string' && /^(true|yes|1)$/i.test(value.trim()));
}

// Every node of the tree, depth first, the root included.
export function* walk(node) {
  yield node;
  for (const child of node.children) yield* walk(child);
}

// The comma-separated names of a control's toName.
export function toNames(node) {
  return String(nodeAttr(node, 'toName', '')).split(',').map((s) => s.trim()).filter(Boolean);
}

// "$key" / "$a.b" / "$list[0]" resolved against the task data; other strings are returned as is.
export function resolveValue(value, data) {
  if (typeof value !== 'string' || !value.startsWith('$')) return value;
  let cur = data;
  for (const part of value.slice(1).split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== '')) {
    if (cur === null || cur === undefined) return undefined;
    cur = cur[part];
  }
  return cur;
}

// Label Studio's Repeater, expanded before anything is mounted: each <Repeater on="$list"
// indexFlag="{{idx}}"> becomes a View (a PagedView with mode="pagination") holding one View per
// item of the list, each a copy of the Repeater's children with the flag replaced by the item's index
// in every attribute and text ("image_{{idx}}" -> "image_0", "$images[{{idx}}]" -> "$images[0]").
// A missing or non-list `on` gives no copies. Nested Repeaters expand after their parent's copy, so an
// inner `on` may use the outer index. Returns the same root (changed in place).
export function expandRepeaters(root, data) {
  const expand = (node) => {
    for (let i = 0; i < node.children.length; ++i) {
      const child = node.children[i];
      if (child.tag.toLowerCase() === 'repeater') node.children[i] = repeat(child, node);
      expand(node.children[i]);
    }
  };
  expand(root);
  return root;

  function repeat(node, parent) {
    const list = resolveValue(nodeAttr(node, 'on', ''), data);
    const flag = nodeAttr(node, 'indexFlag') || '{{idx}}';
    const paged = String(nodeAttr(node, 'mode', '')).toLowerCase() === 'pagination';
    const rest = Object.fromEntries(Object.entries(node.attrs).filter(([k]) => !['on', 'indexflag', 'mode'].includes(k.toLowerCase())));
    const out = { tag: paged ? 'PagedView' : 'View', attrs: rest, children: [], parent, text: '' };
    const count = Array.isArray(list) ? list.length : 0;
    for (let idx = 0; idx < count; ++idx) {
      const item = { tag: 'View', attrs: {}, children: [], parent: out, text: '' };
      item.children = node.children.map((c) => copy(c, item, flag, String(idx)));
      out.children.push(item);
    }
    return out;
  }
}

function copy(node, parent, flag, idx) {
  const attrs = {};
  for (const [k, v] of Object.entries(node.attrs)) attrs[k] = v.split(flag).join(idx);
  const out = { tag: node.tag, attrs, children: [], parent, text: node.text.split(flag).join(idx) };
  out.children = node.children.map((c) => copy(c, out, flag, idx));
  return out;
}
