// What <Text> and <Paragraphs> share: the mount's lifecycle (an inline or url value, destroy), the
// span layer bound to the editor's regions and selection, and the pointer: a drag makes a span, a
// click selects the spans under the pointer, cycling through nested ones on repeated clicks.
import { effect } from '@annot/ui-sdk';
import { SpanLayer, charAtPoint, regionLabels } from './spans.js';
import { rawAttr, isTrue, taskValue, fetchText, showProblem } from './data.js';

// Mounts a span tag: `parse(raw)` turns the task value (or the fetched text with valueType="url")
// into what `render(wrap, data, session)` draws, or an Error shown instead. `session` carries
// `destroyed`, `disposers` (run on destroy) and `layer` (destroyed with the tag).
export function mountSpanTag(el, ctx, { className, defaultValueType, what, parse, render }) {
  const wrap = document.createElement('div');
  wrap.className = className;
  wrap.dataset.name = ctx.name;
  el.append(wrap);
  const session = { destroyed: false, disposers: [], layer: null };
  const abort = new AbortController();

  const start = (data) => {
    if (session.destroyed) return;
    if (data instanceof Error) showProblem(wrap, data.message);
    else render(wrap, data, session);
  };
  const valueType = String(rawAttr(ctx.attrs, 'valueType', defaultValueType)).toLowerCase();
  if (valueType === 'url') {
    const url = taskValue(ctx);
    if (typeof url !== 'string' || !url) {
      showProblem(wrap, `The task has no URL for ${what}`);
    } else {
      wrap.textContent = 'Loading…';
      fetchText(url, abort.signal).then(
        (t) => start(parse(t)),
        (err) => !session.destroyed && showProblem(wrap, `Could not load ${what}: ${err.message}`),
      );
    }
  } else {
    start(parse(taskValue(ctx)));
  }

  return {
    destroy() {
      session.destroyed = true;
      abort.abort();
      for (const d of session.disposers) d();
      session.layer?.destroy();
      wrap.remove();
    },
  };
}

// A SpanLayer over `wrap` with the tag's geometry ({rangesOf, keyOf, sizeOf}), coloured by label
// (or highlightColor), kept in sync with the editor's regions and selection.
export function bindSpanLayer(wrap, ctx, session, geometry) {
  const highlightColor = rawAttr(ctx.attrs, 'highlightColor');
  const layer = new SpanLayer(wrap, {
    ...geometry,
    colorOf: (r) => highlightColor || ctx.labelColor(r.from_name, regionLabels(r)[0] ?? '') || '#9ca3af',
    showLabels: isTrue(rawAttr(ctx.attrs, 'showLabels'), true),
    onTagClick: (id, e) => ctx.select(id, { additive: e.shiftKey || e.ctrlKey || e.metaKey }),
  });
  session.layer = layer;
  session.disposers.push(effect(() => layer.sync(ctx.regions.value)));
  session.disposers.push(effect(() => layer.setSelection(ctx.selection.value)));
  document.fonts?.ready.then(() => !session.destroyed && layer.relayout());
  return layer;
}

// Pointer handling on `target`: a press-drag-release with a text selection calls
// `createFromSelection(selection)`; a click (under 4 px of movement) selects the regions that
// `regionsAtHit([node, offset])` names, cycling on repeated clicks. The release may happen outside
// the text (a drag past its edge), so it is heard on the document.
export function listenForSpans(target, ctx, session, { createFromSelection, regionsAtHit }) {
  const clickAt = (e) => {
    const additive = e.shiftKey || e.ctrlKey || e.metaKey;
    const hit = charAtPoint(e.clientX, e.clientY);
    const ids = hit ? regionsAtHit(hit) : [];
    if (!ids.length) {
      if (!additive) ctx.clearSelection();
      return;
    }
    const current = ctx.selection.peek();
    const at = current.size === 1 ? ids.indexOf([...current][0]) : -1;
    ctx.select(ids[(at + 1) % ids.length], { additive });
  };
  let down = null;
  target.addEventListener('pointerdown', (e) => {
    if (e.button === 0) down = { x: e.clientX, y: e.clientY };
  });
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
  document.addEventListener('pointerup', onUp);
  session.disposers.push(() => document.removeEventListener('pointerup', onUp));
}
