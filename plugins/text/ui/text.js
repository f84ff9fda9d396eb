// <Text>: the task's text as one DOM text node (offsets are string indices into it), spans made by
// mouse selection with the active Labels tool, snapped to the granularity, drawn by SpanLayer.
import { effect } from '@annot/ui-sdk';
import { SpanLayer, charAtPoint, makeRange, regionLabels } from './spans.js';
import { snapSpan } from './snap.js';
import { rawAttr, isTrue, taskValue, decode, fetchText, showProblem } from './data.js';

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
  const wrap = document.createElement('div');
  wrap.className = 'annot-text';
  wrap.dataset.name = ctx.name;
  el.append(wrap);

  const valueType = String(rawAttr(ctx.attrs, 'valueType', 'text')).toLowerCase();
  const encoding = String(rawAttr(ctx.attrs, 'encoding', 'none')).toLowerCase();
  const save = String(rawAttr(ctx.attrs, 'saveTextResult', valueType === 'url' ? 'no' : 'yes')).toLowerCase() === 'yes';
  const selectable = isTrue(rawAttr(ctx.attrs, 'selectionEnabled'), true);
  const highlightColor = rawAttr(ctx.attrs, 'highlightColor');
  const showLabels = isTrue(rawAttr(ctx.attrs, 'showLabels'), true);

  let layer = null;
  let destroyed = false;
  const disposers = [];
  const abort = new AbortController();

  const start = (text) => {
    if (destroyed) return;
    if (text instanceof Error) {
      showProblem(wrap, text.message);
      return;
    }
    const body = document.createElement('div');
    body.className = 'annot-text-body';
    const node = document.createTextNode(text);
    body.append(node);
    wrap.replaceChildren(body);
    const full = document.createRange();
    full.selectNodeContents(node);

    layer = new SpanLayer(wrap, {
      rangesOf(r) {
        const s = r.value?.start;
        const e = r.value?.end;
        if (!Number.isInteger(s) || !Number.isInteger(e) || s < 0 || e > text.length || e <= s) return null;
        return [makeRange(node, s, e)];
      },
      keyOf: (r) => `${r.value?.start}|${r.value?.end}`,
      sizeOf: (r) => r.value.end - r.value.start,
      colorOf: (r) => highlightColor || ctx.labelColor(r.from_name, regionLabels(r)[0] ?? '') || '#9ca3af',
      showLabels,
      onTagClick: (id, e) => ctx.select(id, { additive: e.shiftKey || e.ctrlKey || e.metaKey }),
    });
    disposers.push(effect(() => layer.sync(ctx.regions.value)));
    disposers.push(effect(() => layer.setSelection(ctx.selection.value)));
    document.fonts?.ready.then(() => !destroyed && layer.relayout());

    // A new span from the mouse selection, with the labels the labels bar has active.
    const createFromSelection = (sel) => {
      const range = sel.getRangeAt(0);
      if (!body.contains(range.commonAncestorContainer) && !range.intersectsNode(node)) return false;
      const tool = ctx.activeTool?.peek();
      if (!selectable || ctx.readOnly?.peek() || !tool || !tool.labels?.length) return false;
      const s = offsetIn(full, node, range.startContainer, range.startOffset);
      const e = offsetIn(full, node, range.endContainer, range.endOffset);
      if (s === null || e === null || e <= s) return false;
      const granularity = String(rawAttr(tool.attrs, 'granularity') ?? rawAttr(ctx.attrs, 'granularity', 'symbol')).toLowerCase();
      const [a, b] = snapSpan(text, s, e, granularity);
      if (b <= a) return false;
      const value = { start: a, end: b };
      if (save) value.text = text.slice(a, b);
      value[tool.type] = [...tool.labels];
      ctx.addRegion({ from_name: tool.fromName, type: tool.type, value });
      sel.removeAllRanges();
      return true;
    };

    // A click on a span selects its region; clicking again cycles through the spans under it.
    const clickAt = (e) => {
      const additive = e.shiftKey || e.ctrlKey || e.metaKey;
      const hit = charAtPoint(e.clientX, e.clientY);
      const ids = hit && hit[0] === node ? layer.regionsAt(node, hit[1]) : [];
      if (!ids.length) {
        if (!additive) ctx.clearSelection();
        return;
      }
      const current = ctx.selection.peek();
      const at = current.size === 1 ? ids.indexOf([...current][0]) : -1;
      ctx.select(ids[(at + 1) % ids.length], { additive });
    };

    let down = null;
    const onDown = (e) => {
      if (e.button === 0) down = { x: e.clientX, y: e.clientY };
    };
    const onUp = (e) => {
      const was = down;
      down = null;
      if (e.button !== 0) return;
      const sel = window.getSelection();
      if (sel && sel.rangeCount && !sel.isCollapsed) {
        createFromSelection(sel);
        return;
      }
      if (was && Math.hypot(e.clientX - was.x, e.clientY - was.y) < 4) clickAt(e);
    };
    body.addEventListener('pointerdown', onDown);
    // The press may end outside the text (a drag past its edge).
    document.addEventListener('pointerup', onUp);
    disposers.push(() => document.removeEventListener('pointerup', onUp));
  };

  if (valueType === 'url') {
    const url = taskValue(ctx);
    if (typeof url !== 'string' || !url) {
      showProblem(wrap, 'The task has no URL for this text');
    } else {
      wrap.textContent = 'Loading…';
      fetchText(url, abort.signal).then(
        (t) => start(displayText(t, encoding)),
        (err) => !destroyed && showProblem(wrap, `Could not load the text: ${err.message}`),
      );
    }
  } else {
    start(displayText(taskValue(ctx), encoding));
  }

  return {
    destroy() {
      destroyed = true;
      abort.abort();
      for (const d of disposers) d();
      layer?.destroy();
      wrap.remove();
    },
  };
}
