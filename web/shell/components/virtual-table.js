// A virtualised table: only the rows on screen exist in the DOM. Past the browser's largest element
// height (~33M px, 1M rows of 36 px) the scroll range is scaled, so any row count scrolls the same.
// The header and every row share one set of pixel column widths (columnLayout), so a long value
// never widens its own row: cells clip it with an ellipsis. Columns are resized by dragging the
// right edge of their header (a double click gives the column its default width back).
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import { html } from '../lib/html.js';

const MAX_SCROLL_PX = 8_000_000;
export const LEAD_WIDTH = 40;     // the selection column
export const MIN_WIDTH = 50;      // the narrowest a column is dragged to
export const FLEX_WIDTH = 200;    // the least width of a column without a width of its own

// The pixel width of each column: its resized width, else its own width, else a flexible share of
// what is left of `available` (never below FLEX_WIDTH). Computed once per column set, container
// width and resize, and given to the header and to every row alike.
export function columnLayout(columns, available, resized = {}) {
  const fixed = columns.map((c) => resized[c.key] ?? (c.width || 0));
  const flexible = fixed.filter((w) => !w).length;
  const used = LEAD_WIDTH + fixed.reduce((a, b) => a + b, 0);
  const share = flexible ? Math.max(FLEX_WIDTH, Math.floor((available - used) / flexible)) : 0;
  const widths = fixed.map((w) => Math.round(w || share));
  return { widths, total: LEAD_WIDTH + widths.reduce((a, b) => a + b, 0) };
}

// columns: [{ key, title, width, sortable, cell(task) }]; rowCount; row(i) -> task | undefined;
// onRange(first, last) when the visible rows change; header(col) renders a header cell;
// leading(task, i) renders the selection cell; onOpen(task) on a row click.
// A new resetKey scrolls back to the top (another filter or order).
// widths: {key: px} of the resized columns; onResize(key, px | null) when a drag ends (null: reset).
export function VirtualTable({ columns, rowCount, row, rowHeight = 36, onRange, header, leading, onOpen, version, resetKey,
  widths = {}, onResize }) {
  const scroller = useRef(null);
  const scrollTop = useSignal(0);  // the element's own scroll position
  const offset = useSignal(0);     // the table's pixel offset (differs when the range is scaled)
  const height = useSignal(600);
  const width = useSignal(0);      // the container's inner width
  const dragging = useSignal(null);  // {key, width} while a column edge is dragged
  const geometry = useRef({ ratio: 1, max: 0, wheelTop: -1 });

  const realHeight = rowCount * rowHeight;
  const spacer = Math.min(realHeight, MAX_SCROLL_PX);
  const view = height.value - rowHeight;  // the sticky header takes one row
  // Table pixels per scrolled pixel: 1, or more past the browser's height limit.
  const ratio = spacer > view && realHeight > spacer ? (realHeight - view) / (spacer - view) : 1;
  geometry.current.ratio = ratio;
  geometry.current.max = Math.max(0, realHeight - view);

  useEffect(() => {
    const el = scroller.current;
    const g = geometry.current;
    const resize = new ResizeObserver(() => { height.value = el.clientHeight; width.value = el.clientWidth; });
    resize.observe(el);
    let frame = 0;
    const onScroll = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        scrollTop.value = el.scrollTop;
        // A scroll we did for the wheel keeps its exact offset; the scrollbar or keys map proportionally.
        if (Math.abs(el.scrollTop - g.wheelTop) > 1) offset.value = el.scrollTop * g.ratio;
      });
    };
    // In a scaled range the wheel moves by table pixels, so rows pass at their normal speed.
    const onWheel = (e) => {
      if (g.ratio === 1 || e.ctrlKey || e.deltaY === 0) return;
      e.preventDefault();
      const unit = e.deltaMode === 1 ? rowHeight : e.deltaMode === 2 ? el.clientHeight : 1;
      offset.value = Math.max(0, Math.min(g.max, offset.value + e.deltaY * unit));
      el.scrollTop = offset.value / g.ratio;
      g.wheelTop = el.scrollTop;
      scrollTop.value = el.scrollTop;
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => {
      resize.disconnect();
      el.removeEventListener('scroll', onScroll);
      el.removeEventListener('wheel', onWheel);
      cancelAnimationFrame(frame);
    };
  }, []);

  const top = Math.min(scrollTop.value, Math.max(0, spacer - view));
  const virtualTop = ratio === 1 ? top : Math.min(offset.value, geometry.current.max);
  const first = Math.max(0, Math.floor(virtualTop / rowHeight));
  const count = Math.ceil(view / rowHeight) + 2;
  const last = Math.min(rowCount - 1, first + count - 1);

  // Before paint, not after: a jump's rows are requested one frame sooner.
  useLayoutEffect(() => { if (rowCount > 0) onRange?.(first, last); }, [first, last, rowCount]);
  useEffect(() => { if (scroller.current) { scroller.current.scrollTop = 0; scrollTop.value = 0; offset.value = 0; } }, [resetKey]);

  const resized = dragging.value ? { ...widths, [dragging.value.key]: dragging.value.width } : widths;
  const layout = columnLayout(columns, width.value, resized);
  const grid = `grid-template-columns: ${LEAD_WIDTH}px ${layout.widths.map((w) => `${w}px`).join(' ')}; width: ${layout.total}px`;

  // Drags a column's right edge; the width is the page's (onResize) once the button is released.
  const startResize = (event, col, index) => {
    event.preventDefault();
    event.stopPropagation();
    const handle = event.currentTarget;
    const startX = event.clientX;
    const start = layout.widths[index];
    handle.setPointerCapture?.(event.pointerId);
    dragging.value = { key: col.key, width: start };
    const move = (e) => { dragging.value = { key: col.key, width: Math.max(MIN_WIDTH, Math.round(start + e.clientX - startX)) }; };
    const end = () => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', end);
      handle.removeEventListener('pointercancel', end);
      const w = dragging.value?.width;
      dragging.value = null;
      if (w !== undefined && w !== start) onResize?.(col.key, w);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', end);
    handle.addEventListener('pointercancel', end);
  };

  const rows = [];
  for (let i = first; i <= last; ++i) {
    const task = row(i);
    const y = top + (i * rowHeight - virtualTop);
    rows.push(html`
      <div class=${'vt-row' + (task ? '' : ' loading')} key=${i} data-row=${i} data-task-id=${task?.id}
           style=${`${grid}; transform: translateY(${y}px); height:${rowHeight}px`}
           onClick=${(e) => { if (task && !e.target.closest('.vt-lead')) onOpen?.(task); }}>
        <div class="vt-cell vt-lead">${task ? leading?.(task, i) : null}</div>
        ${columns.map((c) => html`<div class="vt-cell" data-key=${c.key}>${task ? c.cell(task) : html`<span class="skeleton"></span>`}</div>`)}
      </div>`);
  }
  return html`
    <div class="vt" ref=${scroller} data-version=${version}>
      <div class="vt-head" style=${grid}>
        <div class="vt-cell vt-lead">${header?.(null)}</div>
        ${columns.map((c, i) => html`<div class="vt-cell vt-th" data-key=${c.key}>
          ${header ? header(c) : c.title}
          <span class="vt-resize" role="separator" aria-orientation="vertical" aria-label=${`Resize ${c.title}`}
                title="Drag to resize; double-click for the default width"
                onPointerDown=${(e) => startResize(e, c, i)} onClick=${(e) => e.stopPropagation()}
                onDblClick=${(e) => { e.stopPropagation(); onResize?.(c.key, null); }}></span>
        </div>`)}
      </div>
      <div class="vt-body" style=${`height:${spacer}px; width:${layout.total}px`}>${rows}</div>
    </div>`;
}
