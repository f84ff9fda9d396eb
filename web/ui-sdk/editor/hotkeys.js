// Keyboard shortcuts of one editor: combos like "r", "ctrl+z", "shift+alt+ArrowUp" ("cmd"/"meta"
// count as ctrl, a comma separates alternatives). Bare keys do not fire while typing in a text field.
const MODIFIERS = ['ctrl', 'shift', 'alt'];
const ALIASES = { cmd: 'ctrl', meta: 'ctrl', command: 'ctrl', control: 'ctrl', option: 'alt', ' ': 'space',
  esc: 'escape', del: 'delete', return: 'enter', up: 'arrowup', down: 'arrowdown', left: 'arrowleft', right: 'arrowright' };

// The keys of one combo as written: "ctrl+z" -> ["ctrl", "z"]. A '+' where a key is expected is
// the key itself ("shift++" -> ["shift", "+"], "+" -> ["+"]), not a separator.
export function comboParts(combo) {
  const s = String(combo).trim();
  const parts = [];
  for (let i = 0; i < s.length;) {
    const end = s.indexOf('+', i + 1);
    const part = s.slice(i, end < 0 ? s.length : end).trim();
    if (part) parts.push(part);
    if (end < 0) break;
    i = end + 1;
  }
  return parts;
}

// "Shift+Ctrl+Z" -> "ctrl+shift+z": one canonical string per combo.
export function normalizeCombo(combo) {
  const parts = comboParts(combo).map((p) => p.toLowerCase()).map((p) => ALIASES[p] ?? p);
  const mods = MODIFIERS.filter((m) => parts.includes(m));
  const keys = parts.filter((p) => !MODIFIERS.includes(p));
  return [...mods, ...keys].join('+');
}

// The canonical combo of a keydown event (layout-independent for letters and digits).
export function eventCombo(e) {
  let key;
  if (/^Key[A-Z]$/.test(e.code)) key = e.code.slice(3).toLowerCase();
  else if (/^Digit\d$/.test(e.code)) key = e.code.slice(5);
  else if (/^Numpad\d$/.test(e.code)) key = e.code.slice(6);
  else key = ALIASES[e.key.toLowerCase()] ?? e.key.toLowerCase();
  if (['control', 'shift', 'alt', 'meta'].includes(key)) return null;
  const mods = [];
  if (e.ctrlKey || e.metaKey) mods.push('ctrl');
  if (e.shiftKey) mods.push('shift');
  if (e.altKey) mods.push('alt');
  return [...mods, key].join('+');
}

// Inputs that take no typed text: keys pressed while one has focus are the editor's (a Choice's
// checkbox or radio focused by Tab must not swallow label and choice hotkeys).
const KEYLESS_INPUTS = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file', 'image']);

function typing(target) {
  if (!target || !(target instanceof Element)) return false;
  if (target.isContentEditable) return true;
  const field = target.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]');
  if (!field) return false;
  return !(field.tagName === 'INPUT' && KEYLESS_INPUTS.has(field.type));
}

// Keys a text field handles itself even with ctrl held.
const FIELD_KEYS = new Set(['ctrl+z', 'ctrl+shift+z', 'ctrl+y', 'ctrl+a', 'ctrl+c', 'ctrl+v', 'ctrl+x', 'ctrl+arrowleft',
  'ctrl+arrowright', 'ctrl+shift+arrowleft', 'ctrl+shift+arrowright', 'ctrl+backspace', 'ctrl+delete']);

export class Hotkeys {
  constructor() {
    this.bindings = new Map();   // combo -> [{handler, description, scope}] (last added wins)
    this.onKey = (e) => this.dispatch(e);
    window.addEventListener('keydown', this.onKey);
  }

  // Returns a dispose function.
  add(combo, handler, { description = '', scope = 'editor' } = {}) {
    const entries = String(combo).split(',').map((c) => normalizeCombo(c)).filter(Boolean);
    const record = { handler, description, scope };
    for (const c of entries) {
      if (!this.bindings.has(c)) this.bindings.set(c, []);
      this.bindings.get(c).push(record);
    }
    return () => {
      for (const c of entries) {
        const list = this.bindings.get(c);
        if (!list) continue;
        const i = list.indexOf(record);
        if (i >= 0) list.splice(i, 1);
        if (!list.length) this.bindings.delete(c);
      }
    };
  }

  has(combo) { return this.bindings.has(normalizeCombo(combo)); }

  // What each bound combo does now (the binding that would fire), for the keys panel.
  list() {
    return [...this.bindings].map(([combo, records]) => ({ combo, description: records[records.length - 1].description }))
      .filter((x) => x.description);
  }

  dispatch(e) {
    if (e.defaultPrevented || e.isComposing) return;
    const combo = eventCombo(e);
    if (!combo) return;
    const list = this.bindings.get(combo);
    if (!list?.length) return;
    if (typing(e.target) && (!/^(ctrl|alt)\+/.test(combo) || FIELD_KEYS.has(combo))) return;
    // Space and Enter still toggle a focused checkbox or radio.
    if ((combo === 'space' || combo === 'enter') && e.target instanceof HTMLInputElement && /^(checkbox|radio)$/.test(e.target.type)) return;
    const { handler } = list[list.length - 1];
    // A handler returning false lets the key through (e.g. nothing to act on).
    if (handler(e) === false) return;
    e.preventDefault();
    e.stopPropagation();
  }

  destroy() {
    window.removeEventListener('keydown', this.onKey);
    this.bindings.clear();
  }
}
