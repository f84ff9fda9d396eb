// <Text>: the task's text as one DOM text node, spans made by mouse selection with the active
// Labels tool, snapped to the granularity, drawn by SpanLayer. A region's start/end are code point
// offsets (as Label Studio saves them); the DOM side works in string indices (UTF-16 code units)
// and converts at the boundary: when a span is made and when a region is drawn.
import { makeRange } from './spans.js';
import { snapSpan } from './snap.js';
import { codePoints } from './codepoints.js';
import { rawAttr, isTrue, decode } from './data.js';
import { mountSpanTag, bindSpanLayer, listenForSpans } from './span_tag.js';

// The displayed text of a task value, or an Error saying why there is none.
function displayText(value, encoding) {
  if (value === undefined || value === null) return new Error('The task has no text for this tag');
  if (typeof value === 'object' && !Array.isArray(value)) return new Error('The task value is an object, not text');
  try {
    return decode(String(value), encoding);
  } catch {
    return new Error(`The task value is not valid ${encoding}`);
  }
}

// Where a selection boundary falls in `node` ([0, length]); null when it is in another document.
function offsetIn(full, node, container, offset) {
  if (container === node) return offset;
  try {
    const c = full.comparePoint(container, offset);
    return c <= 0 ? 0 : node.length;
  } catch {
    return null;
  }
}

export function mountText(el, ctx) {
  const valueType = String(rawAttr(ctx.attrs, 'valueType', 'text')).toLowerCase();
  const encoding = String(rawAttr(ctx.attrs, 'encoding', 'none')).toLowerCase();
  const save = String(rawAttr(ctx.attrs, 'saveTextResult', valueType === 'url' ? 'no' : 'yes')).toLowerCase() === 'yes';
  const selectable = isTrue(rawAttr(ctx.attrs, 'selectionEnabled'), true);

  const render = (wrap, text, session) => {
    const body = document.createElement('div');
    body.className = 'annot-text-body';
    const node = document.createTextNode(text);
    body.append(node);
    wrap.replaceChildren(body);
    const full = document.createRange();
    full.selectNodeContents(node);
    const cp = codePoints(text);

    const layer = bindSpanLayer(wrap, ctx, session, {
      rangesOf(r) {
        const s = r.value?.start;
        const e = r.value?.end;
        if (!Number.isInteger(s) || !Number.isInteger(e) || s < 0 || e > cp.length || e <= s) return null;
        return [makeRange(node, cp.toUnit(s), cp.toUnit(e))];
      },
      keyOf: (r) => `${r.value?.start}|${r.value?.end}`,
      sizeOf: (r) => r.value.end - r.value.start,
    });

    // A new span from the mouse selection, with the labels the labels bar has active.
    const createFromSelection = (sel) => {
      const range = sel.getRangeAt(0);
      if (!body.contains(range.commonAncestorContainer) && !range.intersectsNode(node)) return;
      const tool = ctx.activeTool?.peek();
      if (!selectable || ctx.readOnly?.peek() || !tool || !tool.labels?.length) return;
      const s = offsetIn(full, node, range.startContainer, range.startOffset);
      const e = offsetIn(full, node, range.endContainer, range.endOffset);
      if (s === null || e === null || e <= s) return;
      const granularity = String(rawAttr(tool.attrs, 'granularity') ?? rawAttr(ctx.attrs, 'granularity', 'symbol')).toLowerCase();
      const [a, b] = snapSpan(text, s, e, granularity);
      if (b <= a) return;
      const value = { start: cp.toPoint(a), end: cp.toPoint(b) };
      if (save) value.text = text.slice(a, b);
      value[tool.type] = [...tool.labels];
      ctx.addRegion({ from_name: tool.fromName, type: tool.type, value });
      sel.removeAllRanges();
    };
    listenForSpans(body, ctx, session, {
      createFromSelection,
      regionsAtHit: ([n, offset]) => (n === node ? layer.regionsAt(node, offset) : []),
    });
  };

  return mountSpanTag(el, ctx, {
    className: 'annot-text',
    defaultValueType: 'text',
    what: 'the text',
    parse: (raw) => displayText(raw, encoding),
    render,
  });
}
