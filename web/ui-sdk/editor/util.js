// Small helpers shared by the editor and plugin UIs (re-exported by @annot/ui-sdk).
import { nodeAttr } from './config.js';
import { comboParts } from './hotkeys.js';

export const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

// Label Studio-like palette for labels without a `background`; the colour follows the label's text
// so it is the same on every task and page.
const PALETTE = ['#f5222d', '#fa8c16', '#fadb14', '#52c41a', '#13c2c2', '#1890ff', '#2f54eb', '#722ed1', '#eb2f96',
  '#a0d911', '#faad14', '#fa541c', '#08979c', '#531dab', '#c41d7f', '#096dd9'];

export function stableColor(text) {
  let h = 2166136261;
  for (let i = 0; i < text.length; ++i) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return PALETTE[(h >>> 0) % PALETTE.length];
}

// "#rgb" / "#rrggbb" / a CSS colour name -> "rgba(r, g, b, a)" (names pass through unchanged).
export function withAlpha(color, alpha) {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(color).trim());
  if (!m) return color;
  let hex = m[1];
  if (hex.length === 3) hex = [...hex].map((c) => c + c).join('');
  const n = parseInt(hex, 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

// Black or white, whichever reads better on `color` (hex only; others get black).
export function contrastText(color) {
  const m = /^#([0-9a-f]{6})$/i.exec(String(color).trim());
  if (!m) return '#000';
  const n = parseInt(m[1], 16);
  const y = 0.299 * (n >> 16) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255);
  return y > 150 ? '#000' : '#fff';
}

// How a combo is shown on a button: "ctrl+enter" -> "Ctrl+Enter", "shift++" -> "Shift++".
export function hotkeyLabel(combo) {
  if (!combo) return '';
  return comboParts(String(combo).split(',')[0]).map((p) => p[0].toUpperCase() + p.slice(1)).join('+');
}

// The labels of a Labels-family control: [{value (alias wins), text, background, hotkey, node}].
export function labelsOf(node, data) {
  const out = [];
  const dyn = nodeAttr(node, 'value');
  if (typeof dyn === 'string' && dyn.startsWith('$') && data) {
    const list = dyn.slice(1).split('.').reduce((o, k) => (o == null ? o : o[k]), data);
    if (Array.isArray(list)) {
      for (const entry of list) {
        const value = typeof entry === 'object' && entry ? String(entry.value ?? '') : String(entry);
        if (value) out.push({ value, text: value, background: entry?.background ?? null, hotkey: entry?.hotkey ?? null, node: null });
      }
    }
  }
  for (const child of node.children) {
    if (child.tag !== 'Label') continue;
    const value = nodeAttr(child, 'value', '');
    out.push({ value: nodeAttr(child, 'alias') || value, text: value, background: nodeAttr(child, 'background') ?? null,
      hotkey: nodeAttr(child, 'hotkey') || null, node: child });
  }
  return out;
}
