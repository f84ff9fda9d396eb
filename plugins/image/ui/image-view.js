// The Image tag in the editor: a Konva stage showing the image with its regions, zoom/pan/rotate,
// brightness/contrast, a pager for valueList, and the drawing and editing tools ctx.activeTool picks
// (boxes, ellipses, polygons, vector paths, keypoints, brush and bitmask masks, the magic wand).
import Konva from 'konva';
import { effect, signal, batch } from '@annot/ui-sdk';
import { toolKind, regionKind, createNode, placeNode, styleNode, geometryOf, hitShape, isMaskKind,
  vectorValue, newVertexId, rgbOf, shapeBounds, shiftInside, boxBounds, boxAxes } from './shapes.js';
import { newMask, maskFromRle, maskToRle, sameBytes, Stroke, shiftMask, maskToDataUrl, paintDataUrl, maskBounds } from './brush.js';
import { floodFill, fillToRgba } from './wand.js';

// Region kinds the arrow keys move (a brush or bitmask mask moves by dragging).
const MOVABLE_KINDS = new Set(['rect', 'ellipse', 'polygon', 'vector', 'keypoint']);

// Konva's own per-frame work: no drag on right/middle buttons.
Konva.dragButtons = [0];

const TOOL_DEFAULTS = {   // opacity, strokeWidth of each tool (the attribute defaults of the tags)
  rect: [0.6, 1], ellipse: [0.6, 1], polygon: [0.6, 3], keypoint: [0.9, 1], brush: [0.6, 15],
  vector: [0.6, 3], bitmask: [0.6, 15],
};
const CLOSE_DISTANCE = 8;   // screen pixels: a click this near the first vertex closes a polygon (or a closable
                            // vector path); this near a path's last vertex it finishes the path open
const EDGE_DISTANCE = 6;    // screen pixels: a click this near a selected polygon's edge inserts a vertex
const MIN_DRAG = 3;         // screen pixels: a smaller rectangle or ellipse is a click, not a region

const bool = (v, fallback) => (v === undefined || v === null || v === '' ? fallback : String(v).toLowerCase() === 'true');
const num = (v, fallback) => { const n = Number.parseFloat(v); return Number.isFinite(n) ? n : fallback; };
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
// Percent geometry with the rounding noise of a transform taken off at the image's edges (a shape
// is kept inside while edited, but -1e-14 would still be refused as below 0).
const PERCENT_KEYS = ['x', 'y', 'width', 'height', 'radiusX', 'radiusY'];
function inPercent(value) {
  const out = { ...value };
  for (const k of PERCENT_KEYS) if (typeof out[k] === 'number') out[k] = clamp(out[k], 0, 100);
  if (Array.isArray(out.points)) out.points = out.points.map(([x, y]) => [clamp(x, 0, 100), clamp(y, 0, 100)]);
  return out;
}
// An attribute as written, whatever its case (config attributes are case-insensitive).
const attrOf = (attrs, key) => {
  if (!attrs) return undefined;
  if (key in attrs) return attrs[key];
  const k = Object.keys(attrs).find((a) => a.toLowerCase() === key.toLowerCase());
  return k === undefined ? undefined : attrs[k];
};

function button(label, title, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'annot-image-btn';
  b.textContent = label;
  b.title = title;
  b.setAttribute('aria-label', title);
  b.addEventListener('click', onClick);
  return b;
}

function slider(title, min, max, value, onInput) {
  const label = document.createElement('label');
  label.className = 'annot-image-slider';
  label.title = title;
  const input = document.createElement('input');
  Object.assign(input, { type: 'range', min, max, value });
  input.setAttribute('aria-label', title);
  input.addEventListener('input', () => onInput(Number(input.value)));
  label.append(`${title} `, input);
  return { label, input };
}

export function mountImage(el, ctx) {
  const view = new ImageView(el, ctx);
  return { destroy: () => view.destroy() };
}

class ImageView {
  constructor(el, ctx) {
    this.el = el;
    this.ctx = ctx;
    this.disposers = [];
    this.entries = new Map();     // region id -> { region, kind, node, style, mask?, anchors? }
    this.selected = new Set();
    this.page = 0;
    this.rotation = 0;
    this.scale = 1;
    this.fitScale = 1;
    this.pos = { x: 0, y: 0 };    // screen position of the image centre
    this.size = null;             // { W, H } natural pixels, once loaded
    this.mode = 'auto';           // auto (draw with the active tool) | select | pan | eraser
    this.brushSize = 15;
    this.filters = { brightness: 100, contrast: 100 };
    this.draft = null;            // the region being drawn
    // What the editor's undo / redo would do to a path being drawn (ctx.history): null when none is.
    this.draftCanUndo = signal(null);
    this.draftCanRedo = signal(null);
    this.pan = null;

    // valueList (or a value that resolves to a list) pages through images; regions carry item_index.
    const list = ctx.attr('valueList') ?? ctx.attr('value');
    this.isList = Array.isArray(list);
    this.urls = this.isList ? list.map(String) : [String(list ?? '')];

    el.classList.add('annot-image');
    el.dataset.state = 'loading';
    this.buildToolbar();
    this.stageEl = document.createElement('div');
    this.stageEl.className = 'annot-image-stage';
    this.message = document.createElement('div');
    this.message.className = 'annot-image-message';
    el.append(this.toolbar, ...this.unsupportedNotices(), this.stageEl, this.message);
    // The hook tests and scripts use to find image points on the page (see index.js).
    el.annotImage = this;

    this.stage = new Konva.Stage({ container: this.stageEl, width: Math.max(1, this.stageEl.clientWidth), height: 300 });
    // smoothing="false" shows the pixels as they are when zoomed in (the browser smooths by default).
    this.imageLayer = new Konva.Layer({ listening: false, imageSmoothingEnabled: bool(ctx.attr('smoothing'), true) });
    // Every region at rest: redrawn only when one changes. It has no hit canvas (drawing 1,000
    // shapes twice per change costs more than the pixels): regionAt() finds what a press hits.
    this.regionLayer = new Konva.Layer({ listening: false });
    this.activeLayer = new Konva.Layer();        // selected regions, anchors, transformer, the draft
    this.stage.add(this.imageLayer, this.regionLayer, this.activeLayer);
    this.layers = [this.imageLayer, this.regionLayer, this.activeLayer];
    this.imageNode = new Konva.Image({ image: null, listening: false, perfectDrawEnabled: false });
    this.imageLayer.add(this.imageNode);
    this.transformer = new Konva.Transformer({
      rotateEnabled: true, flipEnabled: false, ignoreStroke: true, keepRatio: false,
      anchorSize: 8, borderStroke: '#1f6feb', anchorStroke: '#1f6feb',
      boundBoxFunc: (oldBox, newBox) => this.boundBox(oldBox, newBox),
    });
    this.activeLayer.add(this.transformer);
    this.bindStage();
    this.bindHotkeys();

    this.resizeObserver = new ResizeObserver(() => this.layout(false));
    this.resizeObserver.observe(this.stageEl);
    performance.mark('annot-image:mount');   // the marks time the editor's start (bench/ui)
    this.load(this.page);
  }

  destroy() {
    this.destroyed = true;
    for (const d of this.disposers) d();
    this.resizeObserver.disconnect();
    window.removeEventListener('pointerup', this.onWindowUp);
    window.removeEventListener('pointermove', this.onWindowMove);
    window.removeEventListener('keydown', this.onDraftKey, true);
    this.stage.destroy();
    delete this.el.annotImage;
  }

  // ---- attributes and styles ----------------------------------------------------------------

  controlAttrs(fromName) {
    for (const c of this.ctx.controls ?? []) {
      const attrs = c.attrs ?? c.node?.attrs ?? {};
      if (attrs.name === fromName) return attrs;
    }
    return {};
  }

  styleOf(r, kind) {
    const a = this.controlAttrs(r.from_name);
    const [opacity, width] = TOOL_DEFAULTS[kind] ?? [0.6, 1];
    return { color: this.colorOf(r), opacity: num(a.opacity, opacity), strokeWidth: num(a.strokeWidth ?? a.strokewidth, width) };
  }

  // The region's label colour (its own labels, or those a Labels beside the tool gave it: the
  // framework pairs them by region id), else the tool's strokeColor.
  colorOf(r) {
    const a = this.controlAttrs(r.from_name);
    return this.ctx.regionColor(r) ?? a.strokeColor ?? a.strokecolor ?? '#f48a42';
  }

  editable(r) {
    return !this.ctx.readOnly.value && !r.locked && !r.readonly;
  }

  // ---- toolbar ------------------------------------------------------------------------------

  // The framework draws the tool button of every region control on this Image; the ones this view
  // cannot draw with get the framework's notice here (same class, role and words), never silence.
  unsupportedNotices() {
    return (this.ctx.controls ?? []).filter((c) => {
      const type = c.info?.result_types?.[0];
      return c.info?.needs_region && type && type !== 'labels' && !toolKind(type);
    }).map((c) => {
      const note = document.createElement('div');
      note.className = 'annot-unsupported annot-image-unsupported';
      note.setAttribute('role', 'note');
      note.dataset.control = c.name;
      note.textContent = `${c.tag} (${c.name}) is not yet supported in the editor`;
      return note;
    });
  }

  buildToolbar() {
    const bar = document.createElement('div');
    bar.className = 'annot-image-toolbar';
    bar.setAttribute('role', 'toolbar');
    const ctx = this.ctx;
    this.modeButtons = {
      select: button('Select', 'Select and move regions (V)', () => this.setMode(this.mode === 'select' ? 'auto' : 'select')),
      pan: button('Pan', 'Pan the image (G)', () => this.setMode(this.mode === 'pan' ? 'auto' : 'pan')),
      eraser: button('Eraser', 'Erase from the selected brush region (E)', () => this.setMode(this.mode === 'eraser' ? 'auto' : 'eraser')),
    };
    bar.append(this.modeButtons.select, this.modeButtons.pan);
    this.brushGroup = document.createElement('span');
    this.brushGroup.className = 'annot-image-group';
    this.brushSlider = slider('Brush size', 1, 100, this.brushSize, (v) => { this.brushSize = v; });
    this.brushGroup.append(this.modeButtons.eraser, this.brushSlider.label);
    bar.append(this.brushGroup);
    if (bool(ctx.attr('zoomControl'), true)) {
      bar.append(
        button('+', 'Zoom in (=)', () => this.zoomBy(this.zoomStep())),
        button('−', 'Zoom out (-)', () => this.zoomBy(1 / this.zoomStep())),
        button('Fit', 'Fit the image (F)', () => this.fit()),
        button('1:1', 'Actual size', () => this.actualSize()),
      );
    }
    if (bool(ctx.attr('rotateControl'), false)) {
      bar.append(button('⟲', 'Rotate left', () => this.rotate(-90)), button('⟳', 'Rotate right', () => this.rotate(90)));
    }
    if (bool(ctx.attr('brightnessControl'), false)) {
      bar.append(slider('Brightness', 0, 300, 100, (v) => { this.filters.brightness = v; this.applyFilters(); }).label);
    }
    if (bool(ctx.attr('contrastControl'), false)) {
      bar.append(slider('Contrast', 0, 300, 100, (v) => { this.filters.contrast = v; this.applyFilters(); }).label);
    }
    if (this.urls.length > 1) {
      this.pageLabel = document.createElement('span');
      this.pageLabel.className = 'annot-image-page';
      bar.append(button('‹', 'Previous image', () => this.goto(this.page - 1)), this.pageLabel,
        button('›', 'Next image', () => this.goto(this.page + 1)));
    }
    this.toolbar = bar;
  }

  setMode(mode) {
    this.cancelDraft();
    this.mode = mode;
    for (const [m, b] of Object.entries(this.modeButtons)) b.setAttribute('aria-pressed', String(m === mode));
    this.updateInteraction();
  }

  // What a press on the image does now: a tool kind, 'pan', 'eraser' or null (select).
  currentKind() {
    if (this.mode === 'pan') return 'pan';
    if (this.ctx.readOnly.value) return null;
    if (this.mode === 'eraser') return 'eraser';
    if (this.mode === 'select') return null;
    const tool = this.ctx.activeTool?.value;
    return tool ? toolKind(tool.type) : null;
  }

  updateInteraction() {
    const kind = this.currentKind();
    // Brushes, the eraser and panning paint over regions: regions stop taking the pointer then.
    const through = isMaskKind(kind) || kind === 'wand' || kind === 'eraser' || kind === 'pan' || this.isPathDraft();
    this.activeLayer.listening(!through);
    const crosshair = kind || bool(this.ctx.attr('crosshair'), false);
    this.stageEl.style.cursor = kind === 'pan' ? 'grab' : (crosshair ? 'crosshair' : 'default');
    this.brushGroup.hidden = !(isMaskKind(kind) || kind === 'eraser' || this.hasBrushTool());
    this.el.dataset.tool = kind ?? 'select';
  }

  hasBrushTool() {
    return (this.ctx.controls ?? []).some((c) => /^(brush|bitmask)/i.test(c.tag ?? c.node?.tag ?? ''));
  }

  // A polygon or vector path being drawn (clicks add vertices; keys close, finish or cancel it).
  isPathDraft() {
    return this.draft?.kind === 'polygon' || this.draft?.kind === 'vector';
  }

  applyFilters() {
    const { brightness, contrast } = this.filters;
    // A CSS filter on the image layer's canvas: the GPU does it, regions are not affected.
    this.imageLayer.getCanvas()._canvas.style.filter =
      brightness === 100 && contrast === 100 ? '' : `brightness(${brightness}%) contrast(${contrast}%)`;
  }

  // ---- loading and layout -------------------------------------------------------------------

  async load(page) {
    this.page = page;
    if (this.pageLabel) this.pageLabel.textContent = `Image ${page + 1} of ${this.urls.length}`;
    this.el.dataset.state = 'loading';
    this.cancelDraft();
    const url = this.urls[page];
    const img = new Image();
    const cors = this.ctx.attr('crossOrigin');
    if (cors && cors !== 'none') img.crossOrigin = cors;
    img.src = url;
    try {
      await img.decode();
    } catch {
      if (this.destroyed || this.page !== page) return;
      this.el.dataset.state = 'error';
      this.message.textContent = `The image could not be loaded: ${url || '(no URL in the task data)'}`;
      return;
    }
    if (this.destroyed || this.page !== page) return;
    this.message.textContent = '';
    this.size = { W: img.naturalWidth, H: img.naturalHeight };
    this.imageNode.setAttrs({ image: img, width: img.naturalWidth, height: img.naturalHeight });
    for (const e of this.entries.values()) e.node.destroy();
    this.entries.clear();
    this.selected.clear();
    performance.mark('annot-image:loaded');
    this.layout(true);
    this.startEffects();
    this.el.dataset.state = 'ready';
    performance.mark('annot-image:ready');
  }

  goto(page) {
    if (page < 0 || page >= this.urls.length || page === this.page) return;
    this.ctx.clearSelection();
    this.load(page);
  }

  // The stage fills the element's width; its height follows the image up to maxHeight.
  layout(refit) {
    const width = Math.max(1, this.stageEl.clientWidth);
    if (!this.size) { this.stage.width(width); return; }
    const [w, h] = this.rotatedSize();
    const probe = document.createElement('div');
    probe.style.cssText = `position:absolute;visibility:hidden;height:100vh;max-height:${this.ctx.attr('maxHeight') || 'calc(100vh - 194px)'}`;
    document.body.append(probe);
    const maxHeight = Math.max(120, probe.offsetHeight);
    probe.remove();
    const height = Math.round(Math.min(maxHeight, width * h / w));
    const changed = width !== this.stage.width() || height !== this.stage.height();
    this.stage.size({ width, height });
    this.fitScale = Math.min(width / w, height / h);
    if (refit || changed) this.fit();
  }

  rotatedSize() {
    const { W, H } = this.size;
    return this.rotation % 180 === 0 ? [W, H] : [H, W];
  }

  zoomStep() { return Math.max(1.01, num(this.ctx.attr('zoomBy'), 1.1)); }

  minScale() { return bool(this.ctx.attr('negativeZoom'), false) ? this.fitScale / 8 : this.fitScale; }

  fit() {
    if (!this.size) return;
    const [w, h] = this.rotatedSize();
    this.scale = this.fitScale;
    const sw = this.stage.width();
    const sh = this.stage.height();
    const halign = this.ctx.attr('horizontalAlignment', 'left');
    const valign = this.ctx.attr('verticalAlignment', 'top');
    const dw = w * this.scale;
    const dh = h * this.scale;
    this.pos = {
      x: halign === 'center' ? sw / 2 : halign === 'right' ? sw - dw / 2 : dw / 2,
      y: valign === 'center' ? sh / 2 : valign === 'bottom' ? sh - dh / 2 : dh / 2,
    };
    this.applyView();
  }

  actualSize() {
    this.zoomAt({ x: this.stage.width() / 2, y: this.stage.height() / 2 }, 1 / this.scale);
  }

  zoomBy(factor) { this.zoomAt({ x: this.stage.width() / 2, y: this.stage.height() / 2 }, factor); }

  // Zooms keeping the screen point `p` over the same image point.
  zoomAt(p, factor) {
    if (!this.size) return;
    const next = clamp(this.scale * factor, this.minScale(), Math.max(this.fitScale * 64, 16));
    const k = next / this.scale;
    this.pos = { x: p.x - (p.x - this.pos.x) * k, y: p.y - (p.y - this.pos.y) * k };
    this.scale = next;
    this.applyView();
  }

  rotate(delta) {
    this.rotation = (((this.rotation + delta) % 360) + 360) % 360;
    this.layout(true);
  }

  // One transform on the three layers: image pixels -> screen.
  applyView() {
    const { W, H } = this.size;
    for (const l of this.layers) {
      l.setAttrs({ x: this.pos.x, y: this.pos.y, offsetX: W / 2, offsetY: H / 2, scaleX: this.scale, scaleY: this.scale,
        rotation: this.rotation });
    }
    for (const e of this.entries.values()) if (e.anchors) this.sizeAnchors(e);
    this.stage.batchDraw();
    this.el.dataset.zoom = this.scale.toFixed(4);
  }

  // Screen (stage) point -> natural image pixels.
  toImage(p) {
    return this.regionLayer.getAbsoluteTransform().copy().invert().point(p);
  }

  // Percent of the natural size -> client (page viewport) coordinates; for tests and scripts.
  toClient(xPct, yPct) {
    const { W, H } = this.size;
    const p = this.regionLayer.getAbsoluteTransform().point({ x: xPct * W / 100, y: yPct * H / 100 });
    const box = this.stageEl.getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y };
  }

  // ---- regions ------------------------------------------------------------------------------

  startEffects() {
    if (this.effectsStarted) { this.sync(true); return; }
    this.effectsStarted = true;
    this.disposers.push(effect(() => {
      this.ctx.regions.value;
      this.ctx.selection.value;
      this.ctx.readOnly.value;
      this.sync(false);
    }));
    this.disposers.push(effect(() => {
      this.ctx.activeTool?.value;
      // A new tool from the labels bar ends select/pan/eraser modes.
      if (this.mode !== 'pan') this.mode = 'auto';
      const tool = this.ctx.activeTool?.peek();
      if (tool?.type === 'brushlabels' && tool.labels?.length) this.lastBrushTool = { ...tool, labels: [...tool.labels] };
      this.message.textContent = tool && !toolKind(tool.type) ? `${tool.tag} is not yet supported in the editor` : '';
      this.cancelDraft();
      for (const [m, b] of Object.entries(this.modeButtons)) b.setAttribute('aria-pressed', String(m === this.mode));
      this.updateInteraction();
    }));
  }

  onPage(r) { return !this.isList || (r.item_index ?? 0) === this.page; }

  // Brings the nodes in line with ctx.regions and ctx.selection: regions are compared by identity,
  // so only the ones that changed are touched; one redraw per layer.
  sync(force) {
    if (!this.size) return;
    const regions = this.ctx.regions.value;
    const readOnly = this.ctx.readOnly.value;
    if (readOnly !== this.lastReadOnly) { this.lastReadOnly = readOnly; force = true; }
    let staticDirty = false;
    const seen = new Set();
    for (const r of regions) {
      if (!this.onPage(r)) continue;
      seen.add(r.id);
      const e = this.entries.get(r.id);
      if (!e) {
        if (this.createEntry(r)) staticDirty = true;
      } else if (e.region !== r || force || e.style.color !== this.colorOf(r)) {
        this.updateEntry(e, r);
        staticDirty = true;
      }
    }
    for (const [id, e] of this.entries) {
      if (seen.has(id)) continue;
      this.deactivate(e);
      e.node.destroy();
      this.entries.delete(id);
      this.selected.delete(id);
      staticDirty = true;
    }
    // Selection: move selected regions to the active layer, the rest back.
    const want = this.ctx.selection.value;
    for (const id of [...this.selected]) {
      if (want.has(id)) continue;
      const e = this.entries.get(id);
      this.selected.delete(id);
      if (e) { this.deactivate(e); staticDirty = true; }
    }
    for (const id of want) {
      if (this.selected.has(id)) continue;
      const e = this.entries.get(id);
      if (!e) continue;
      this.selected.add(id);
      this.activate(e);
      staticDirty = true;
    }
    this.attachTransformer();
    if (staticDirty) this.regionLayer.batchDraw();
    this.activeLayer.batchDraw();
  }

  createEntry(r) {
    const kind = regionKind(r);
    if (!kind) return false;
    const style = this.styleOf(r, kind);
    let mask = null;
    if (kind === 'brush') {
      mask = this.takeMask(r);
      if (!mask) return false;
    } else if (kind === 'bitmask') {
      mask = this.takeBitmask(r);
    }
    const node = createNode(kind, r, this.size, style, mask);
    const e = { region: r, kind, node, style, mask, rle: r.value?.rle, url: r.value?.imageDataURL };
    if (kind === 'vector') e.vertexIds = (r.value?.vertices ?? []).map((v) => v.id ?? newVertexId());
    this.decorate(e);
    this.regionLayer.add(node);
    this.entries.set(r.id, e);
    return true;
  }

  // The mask canvas of a brush region: the one a stroke just painted, else decoded from its RLE.
  takeMask(r) {
    const { W, H } = this.size;
    if (this.pendingMask && sameBytes(this.pendingMask.rle, r.value?.rle)) {
      const { canvas } = this.pendingMask;
      this.pendingMask = null;
      return canvas;
    }
    if (!r.value?.rle) return newMask(W, H);
    try {
      return maskFromRle(r.value.rle, W, H);
    } catch (err) {
      this.message.textContent = `Brush region ${r.id} is not shown: ${err.message}`;
      return null;
    }
  }

  // The mask canvas of a bitmask region: the one a stroke just painted, else its PNG decoded into
  // an empty canvas (drawn when it arrives; a PNG of another size is reported, not shown).
  takeBitmask(r) {
    const url = r.value?.imageDataURL;
    if (this.pendingMask && this.pendingMask.url === url) {
      const { canvas } = this.pendingMask;
      this.pendingMask = null;
      return canvas;
    }
    const canvas = newMask(this.size.W, this.size.H);
    if (url) {
      paintDataUrl(canvas, url).then((problem) => {
        if (this.destroyed) return;
        if (problem) { this.message.textContent = `Bitmask region ${r.id} is not shown: ${problem}`; return; }
        this.entries.get(r.id)?.node.getLayer()?.batchDraw();
      });
    }
    return canvas;
  }

  updateEntry(e, r) {
    const prev = e.region;
    e.region = r;
    e.style = this.styleOf(r, e.kind);
    if (e.kind === 'brush') {
      if (!sameBytes(e.rle, r.value?.rle)) {
        const mask = this.takeMask(r);
        if (mask) { e.mask = mask; e.node.image(mask); }
      }
      e.rle = r.value?.rle;
    } else if (e.kind === 'bitmask') {
      if (e.url !== r.value?.imageDataURL) { e.mask = this.takeBitmask(r); e.node.image(e.mask); }
      e.url = r.value?.imageDataURL;
    } else if (prev.value !== r.value) {
      placeNode(e.kind, e.node, r, this.size);
      if (e.kind === 'vector') e.vertexIds = (r.value?.vertices ?? []).map((v) => v.id ?? newVertexId());
    }
    this.decorate(e);
    if (e.anchors) { this.deactivate(e); this.activate(e); }
  }

  // Visibility, editability and colours from the region's view state.
  decorate(e) {
    const r = e.region;
    e.node.visible(!r.hidden);
    e.node.draggable(this.editable(r) && !isMaskKind(e.kind));
    // A mask's node spans the whole image: mask regions are hit by their pixels (maskAt) instead,
    // and moved by startMaskMove().
    if (isMaskKind(e.kind)) e.node.listening(false);
    styleNode(e.kind, e.node, e.style, this.selected.has(r.id));
  }

  activate(e) {
    e.node.moveTo(this.activeLayer);
    this.transformer.moveToTop();
    styleNode(e.kind, e.node, e.style, true);
    if ((e.kind === 'polygon' || e.kind === 'vector') && this.editable(e.region) && !e.region.hidden) this.addAnchors(e);
  }

  deactivate(e) {
    if (e.anchors) { for (const a of e.anchors) a.destroy(); e.anchors = null; }
    if (e.node.getLayer() !== this.regionLayer) e.node.moveTo(this.regionLayer);
    styleNode(e.kind, e.node, e.style, false);
  }

  attachTransformer() {
    const nodes = [];
    if (this.selected.size === 1) {
      const e = this.entries.get([...this.selected][0]);
      if (e && (e.kind === 'rect' || e.kind === 'ellipse') && this.editable(e.region) && !e.region.hidden) {
        nodes.push(e.node);
        const canRotate = bool(this.controlAttrs(e.region.from_name).canRotate, true);
        this.transformer.rotateEnabled(e.kind === 'ellipse' || canRotate);
      }
    }
    this.transformer.nodes(nodes);
  }

  // Vertex handles of a selected polygon or vector path: drag to move, alt+click to delete.
  addAnchors(e) {
    const p = e.node.points();
    e.anchors = [];
    for (let i = 0; i < p.length; i += 2) {
      const a = new Konva.Circle({
        x: p[i] + e.node.x(), y: p[i + 1] + e.node.y(), fill: '#fff', stroke: e.style.color, strokeWidth: 1.5,
        strokeScaleEnabled: false, draggable: true, name: 'anchor', perfectDrawEnabled: false,
      });
      a.setAttr('regionId', e.region.id);
      a.setAttr('vertex', i / 2);
      this.activeLayer.add(a);
      e.anchors.push(a);
    }
    this.sizeAnchors(e);
  }

  sizeAnchors(e) {
    for (const a of e.anchors) { a.radius(5 / this.scale); a.hitStrokeWidth(6); }
  }

  // ---- committing edits ---------------------------------------------------------------------

  extra() {
    const { W, H } = this.size;
    const x = { original_width: W, original_height: H, image_rotation: this.rotation };
    if (this.isList) x.item_index = this.page;
    return x;
  }

  commitGeometry(e, mergeKey) {
    if (e.kind === 'vector') { this.commitVector(e, mergeKey); return; }
    const value = inPercent(geometryOf(e.kind, e.node, this.size));
    if (e.kind === 'polygon') e.node.setAttrs({ x: 0, y: 0, points: value.points.flatMap(([x, y]) => [x * this.size.W / 100, y * this.size.H / 100]) });
    if (e.kind === 'rect' || e.kind === 'ellipse') {
      const sx = e.node.scaleX();
      const sy = e.node.scaleY();
      if (e.kind === 'rect') e.node.setAttrs({ width: e.node.width() * sx, height: e.node.height() * sy, scaleX: 1, scaleY: 1 });
      else e.node.setAttrs({ radiusX: e.node.radiusX() * sx, radiusY: e.node.radiusY() * sy, scaleX: 1, scaleY: 1 });
    }
    this.ctx.updateRegion(e.region.id, { value, image_rotation: this.rotation }, { merge: mergeKey });
  }

  // A vector's vertices from its node: ids kept by position (e.vertexIds follows inserts and
  // deletes), other vertex keys kept by id; a whole-path move shifts Bezier control points too.
  commitVector(e, mergeKey) {
    const { W, H } = this.size;
    // In the image (a vertex is kept inside while dragged; this only drops rounding noise).
    const flat = geometryOf('vector', e.node, this.size).flat.map((v, i) => clamp(v, 0, i % 2 ? H : W));
    const shift = e.node.x() || e.node.y() ? { x: e.node.x() / W * 100, y: e.node.y() / H * 100 } : null;
    const old = new Map((e.region.value?.vertices ?? []).map((v) => [v.id, v]));
    const value = vectorValue(flat, e.vertexIds, e.node.closed(), this.size, old, shift);
    e.node.setAttrs({ x: 0, y: 0, points: flat });
    this.ctx.updateRegion(e.region.id, { value, image_rotation: this.rotation }, { merge: mergeKey });
  }

  labelValue(tool) {
    if (!tool.type.endsWith('labels')) return {};
    return { [tool.type]: [...tool.labels] };
  }

  addRegion(tool, geometry) {
    return this.ctx.addRegion({ from_name: tool.fromName, type: tool.type, value: { ...geometry, ...this.labelValue(tool) },
      ...this.extra() });
  }

  // A label tool without a chosen label cannot draw (Label Studio refuses it too).
  usableTool() {
    const tool = this.ctx.activeTool?.value;
    if (!tool) return null;
    if (tool.type.endsWith('labels') && !(tool.labels?.length)) {
      this.message.textContent = 'Choose a label first.';
      return null;
    }
    this.message.textContent = '';
    return tool;
  }

  // ---- pointer handling ---------------------------------------------------------------------

  bindStage() {
    const stage = this.stage;
    stage.on('wheel', (ev) => {
      if (!bool(this.ctx.attr('zoom'), true) || !this.size) return;
      ev.evt.preventDefault();
      const step = this.zoomStep();
      const p = stage.getPointerPosition() ?? { x: stage.width() / 2, y: stage.height() / 2 };
      this.zoomAt(p, ev.evt.deltaY < 0 ? step : 1 / step);
    });
    stage.on('pointerdown', (ev) => this.onDown(ev));
    // A drawing, a pan or a mask move follows the pointer over the whole page, not only over the
    // stage (whose own events stop at its edge): a box dragged past the image stops at the image's
    // edge, as in Label Studio, not where the pointer was last seen over the stage.
    this.onWindowMove = (ev) => {
      if (!this.draft && !this.pan && !this.maskMove) return;
      // Konva drags a shape or a transformer handle itself, and the stage's events pause meanwhile
      // (a press on a handle in select mode also starts a pan, which must not move the view).
      if (Konva.isDragging() || Konva.isTransforming()) return;
      this.stage.setPointersPositions(ev);
      this.onMove();
    };
    window.addEventListener('pointermove', this.onWindowMove);
    this.onWindowUp = (ev) => this.onUp(ev);
    window.addEventListener('pointerup', this.onWindowUp);
    stage.on('click', (ev) => this.onClick(ev));
    stage.on('dragstart', (ev) => {
      const e = this.entryOfNode(ev.target);
      if (e && ev.target === e.node) e.dragFrom = { x: e.node.x(), y: e.node.y() };
      if (e && ev.target === e.node && !this.selected.has(e.region.id)) this.ctx.select(e.region.id, { additive: false });
    });
    stage.on('dragmove', (ev) => {
      const t = ev.target;
      if (!t.hasName('anchor')) {
        // A shape dragged past the image's edge stops there, keeping its size (Label Studio's
        // dragBoundFunc); a selected path or polygon dragged whole: its vertex handles go with it.
        const e = this.entryOfNode(t);
        if (e && t === e.node) this.keepInside(e);
        if (e?.anchors && t === e.node) {
          const pts = e.node.points();
          e.anchors.forEach((a, i) => a.position({ x: pts[2 * i] + t.x(), y: pts[2 * i + 1] + t.y() }));
        }
        return;
      }
      const e = this.entries.get(t.getAttr('regionId'));
      // A vertex stops at the image's edge.
      t.position(this.clampToImage(t.position()));
      const pts = e.node.points().slice();
      const i = t.getAttr('vertex') * 2;
      pts[i] = t.x() - e.node.x();
      pts[i + 1] = t.y() - e.node.y();
      e.node.points(pts);
    });
    // Each drag, vertex drag or transform ends in one commit: one undo step per gesture (a merge key
    // per region joined a box's separate moves into one step).
    stage.on('dragend', (ev) => {
      const t = ev.target;
      if (t.hasName('anchor')) {
        const e = this.entries.get(t.getAttr('regionId'));
        if (e) this.commitGeometry(e, null);
        return;
      }
      const e = this.entryOfNode(t);
      // startDrag() on a press makes a drag of a plain click too: nothing moved, nothing to record.
      if (e && t === e.node && (Math.abs(t.x() - e.dragFrom.x) > 1e-9 || Math.abs(t.y() - e.dragFrom.y) > 1e-9)) {
        this.commitGeometry(e, null);
      }
    });
    this.transformer.on('transformend', () => {
      const node = this.transformer.nodes()[0];
      const e = node && this.entries.get(node.id());
      if (!e) return;
      // A shape that was outside the image before (an imported one) is saved inside it.
      this.keepInside(e);
      this.commitGeometry(e, null);
    });
  }

  // Arrow keys: the selected regions of this image move `step` image pixels in the arrow's direction on screen (a
  // turned image included), and stop at its edge. Presses within a second of each other are one undo step. Returns
  // false (the key goes on: the page scrolls) when nothing here can move.
  nudge(dx, dy, step) {
    if (!this.size || this.draft) return false;
    const movable = [...this.ctx.selection.value].map((id) => this.entries.get(id))
      .filter((e) => e && MOVABLE_KINDS.has(e.kind) && this.editable(e.region) && this.onPage(e.region));
    if (!movable.length) return false;
    const a = this.toImage({ x: 0, y: 0 });
    const b = this.toImage({ x: dx, y: dy });
    const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
    const now = performance.now();
    if (!(now - (this.lastNudge ?? -Infinity) < 1000)) this.nudgeRun = (this.nudgeRun ?? 0) + 1;
    this.lastNudge = now;
    for (const e of movable) {
      e.node.position({ x: e.node.x() + (b.x - a.x) / len * step, y: e.node.y() + (b.y - a.y) / len * step });
      this.keepInside(e);
      this.commitGeometry(e, `nudge:${this.nudgeRun}`);
    }
    return true;
  }

  // ---- keeping shapes inside the image ------------------------------------------------------

  // A moved shape stops at the image's edge keeping its size.
  keepInside(e) {
    const b = shapeBounds(e.kind, e.node);
    if (!b) return;
    const { dx, dy } = shiftInside(b, this.size);
    if (dx || dy) e.node.position({ x: e.node.x() + dx, y: e.node.y() + dy });
  }

  // The transformer's bounds (Konva calls it with boxes in absolute coordinates, before it scales
  // or rotates the node): a resized shape's edge stops at the image's border. A box square to the
  // image has the edges that crossed the border put back on it, as Label Studio's transformer does;
  // a rotated one (or a rotation) goes as far towards the pointer as it stays inside.
  boundBox(oldBox, newBox) {
    const node = this.transformer.nodes()[0];
    const e = node && this.entries.get(node.id());
    if (!e || !this.size) return newBox;
    const { W, H } = this.size;
    const toImage = (p) => this.toImage(p);
    const inside = (box) => {
      const b = boxBounds(e.kind, box, toImage);
      return b.x0 >= 0 && b.y0 >= 0 && b.x1 <= W && b.y1 <= H;
    };
    if (inside(newBox)) return newBox;
    const { o, a, b } = boxAxes(newBox, toImage);
    const square = (v) => Math.min(Math.abs(v.x), Math.abs(v.y)) <= 1e-6 * Math.hypot(v.x, v.y);
    if (square(a) && square(b)) {
      // Each corner clamped to the image is the corner of the box cut to the image.
      const toScreen = this.regionLayer.getAbsoluteTransform();
      const fit = (p) => toScreen.point(this.clampToImage(p));
      const O = fit(o);
      const A = fit({ x: o.x + a.x, y: o.y + a.y });
      const B = fit({ x: o.x + b.x, y: o.y + b.y });
      const cos = Math.cos(newBox.rotation);
      const sin = Math.sin(newBox.rotation);
      const width = (A.x - O.x) * cos + (A.y - O.y) * sin;
      const height = (B.y - O.y) * cos - (B.x - O.x) * sin;
      if (Math.abs(width) < 1 || Math.abs(height) < 1) return oldBox;
      return { ...newBox, x: O.x, y: O.y, width, height };
    }
    if (!inside(oldBox)) return newBox;   // outside already (imported): transformend puts it back
    // Between the old box and the new one (centre, size and angle), the furthest still inside.
    const centre = (box) => ({
      x: box.x + (box.width * Math.cos(box.rotation) - box.height * Math.sin(box.rotation)) / 2,
      y: box.y + (box.width * Math.sin(box.rotation) + box.height * Math.cos(box.rotation)) / 2,
    });
    const c0 = centre(oldBox);
    const c1 = centre(newBox);
    const turn = Math.atan2(Math.sin(newBox.rotation - oldBox.rotation), Math.cos(newBox.rotation - oldBox.rotation));
    const between = (t) => {
      const width = oldBox.width + (newBox.width - oldBox.width) * t;
      const height = oldBox.height + (newBox.height - oldBox.height) * t;
      const rotation = oldBox.rotation + turn * t;
      const cos = Math.cos(rotation);
      const sin = Math.sin(rotation);
      const cx = c0.x + (c1.x - c0.x) * t;
      const cy = c0.y + (c1.y - c0.y) * t;
      return { x: cx - (width * cos - height * sin) / 2, y: cy - (width * sin + height * cos) / 2, width, height, rotation };
    };
    let lo = 0;
    let hi = 1;
    for (let i = 0; i < 20; ++i) {
      const mid = (lo + hi) / 2;
      if (inside(between(mid))) lo = mid; else hi = mid;
    }
    return lo > 0 ? between(lo) : oldBox;
  }

  entryOfNode(node) {
    return node?.hasName?.('region') ? this.entries.get(node.id()) : null;
  }

  imagePoint() {
    const p = this.stage.getPointerPosition();
    return p && this.toImage(p);
  }

  inImage(p) {
    return p.x >= 0 && p.y >= 0 && p.x <= this.size.W && p.y <= this.size.H;
  }

  clampToImage(p) {
    return { x: clamp(p.x, 0, this.size.W), y: clamp(p.y, 0, this.size.H) };
  }

  onDown(ev) {
    if (!this.size) return;
    const button = ev.evt.button ?? 0;
    const kind = this.currentKind();
    const screen = this.stage.getPointerPosition();
    if (button === 1 || kind === 'pan') {
      this.pan = { from: screen, pos: { ...this.pos } };
      this.stageEl.style.cursor = 'grabbing';
      return;
    }
    if (button !== 0) return;
    if (ev.target.hasName('anchor')) {
      if (ev.evt.altKey) this.deleteVertex(ev.target);
      return;
    }
    if (this.draft?.kind === 'polygon') { this.polygonClick(screen); return; }
    if (this.draft?.kind === 'vector') { this.vectorClick(screen); return; }
    const p = this.imagePoint();
    const additive = ev.evt.shiftKey || ev.evt.ctrlKey || ev.evt.metaKey;
    if (!kind && !additive && ev.target === this.stage) {
      // Select mode: a press on a selected mask's pixels drags the mask (nothing else hits it).
      const m = this.selectedMaskAt(p);
      if (m) { this.startMaskMove(m, p); return; }
    }
    if (!isMaskKind(kind) && kind !== 'wand' && kind !== 'eraser') {
      // A selected region is on the active layer (Konva hits it and drags it); a region at rest is
      // found by geometry, selected (which moves it to the active layer) and dragged from here.
      const hit = this.entryOfNode(ev.target);
      const e = hit ?? (ev.target === this.stage ? this.regionAt(p, !kind) : null);
      if (e) {
        if (!this.selected.has(e.region.id) || additive) this.ctx.select(e.region.id, { additive });
        if (!hit && !additive && e.node.draggable() && e.node.getLayer() === this.activeLayer) e.node.startDrag();
        if (!hit && !additive && isMaskKind(e.kind) && this.editable(e.region) && !kind) this.startMaskMove(e, p);
        return;
      }
    }
    if (!kind) {
      // Select mode: a press on empty space clears the selection and pans.
      if (ev.target === this.stage) this.ctx.clearSelection();
      this.pan = { from: screen, pos: { ...this.pos } };
      return;
    }
    if (!this.inImage(p)) return;
    if (kind === 'eraser') { this.startStroke(p, true); return; }
    const tool = this.usableTool();
    if (!tool) return;
    switch (kind) {
      case 'rect': case 'ellipse': this.startBox(kind, tool, p, screen); break;
      case 'polygon': this.startPolygon(tool, p); break;
      case 'vector': this.startVector(tool, p); break;
      case 'keypoint': this.addKeypoint(tool, p); break;
      case 'brush': case 'bitmask': this.startStroke(p, false, tool, kind); break;
      case 'wand': this.startWand(tool, p, screen); break;
      default:
    }
  }

  onMove() {
    if (this.maskMove) {
      const at = this.imagePoint();
      if (!at) return;
      const m = this.maskMove;
      // Whole image pixels, so the committed mask is the same pixels moved (see shiftMask).
      m.dx = Math.round(at.x - m.from.x);
      m.dy = Math.round(at.y - m.from.y);
      const b = m.bounds;
      if (b) {
        m.dx = clamp(m.dx, -b.x0, this.size.W - 1 - b.x1);
        m.dy = clamp(m.dy, -b.y0, this.size.H - 1 - b.y1);
      }
      m.e.node.position({ x: m.dx, y: m.dy });
      this.activeLayer.batchDraw();
      return;
    }
    if (this.pan) {
      const s = this.stage.getPointerPosition();
      if (!s) return;
      this.pos = { x: this.pan.pos.x + s.x - this.pan.from.x, y: this.pan.pos.y + s.y - this.pan.from.y };
      this.applyView();
      return;
    }
    const d = this.draft;
    const at = d && this.imagePoint();
    if (!at) return;
    const p = this.clampToImage(at);
    if (d.kind === 'rect') {
      d.node.setAttrs({ x: Math.min(d.start.x, p.x), y: Math.min(d.start.y, p.y),
        width: Math.abs(p.x - d.start.x), height: Math.abs(p.y - d.start.y) });
    } else if (d.kind === 'ellipse') {
      d.node.setAttrs({ radiusX: Math.abs(p.x - d.start.x), radiusY: Math.abs(p.y - d.start.y) });
    } else if (d.kind === 'polygon' || d.kind === 'vector') {
      const pts = d.points.concat([p.x, p.y]);
      d.node.points(pts);
    } else if (d.kind === 'stroke') {
      d.stroke.to(p.x, p.y);
      d.moved = true;
    } else if (d.kind === 'wand') {
      // Dragging away from the seed widens the tolerance (one step per screen pixel); the fill is
      // redone at most once a frame (a large image takes tens of ms to fill).
      const s = this.stage.getPointerPosition();
      d.want = Math.round(d.base + Math.hypot(s.x - d.screen.x, s.y - d.screen.y));
      if (!d.raf && d.want !== d.threshold) {
        d.raf = requestAnimationFrame(() => {
          d.raf = 0;
          if (this.draft === d && d.want !== d.threshold) this.paintWand(d, d.want);
        });
      }
    }
    this.activeLayer.batchDraw();
  }

  onUp() {
    if (this.maskMove) { this.endMaskMove(); return; }
    if (this.pan) {
      this.pan = null;
      this.updateInteraction();
      return;
    }
    const d = this.draft;
    if (!d || this.isPathDraft()) return;
    this.draft = null;
    if (d.kind === 'rect' || d.kind === 'ellipse') {
      const node = d.node;
      node.remove();
      const big = d.kind === 'rect'
        ? Math.min(node.width(), node.height()) * this.scale >= MIN_DRAG
        : Math.min(node.radiusX(), node.radiusY()) * this.scale >= MIN_DRAG / 2;
      if (big) this.addRegion(d.tool, geometryOf(d.kind, node, this.size));
      node.destroy();
      this.activeLayer.batchDraw();
    } else if (d.kind === 'stroke') {
      d.stroke.end();
      this.endStroke(d);
    } else if (d.kind === 'wand') {
      this.endWand(d);
    }
  }

  onClick(ev) {
    // A click (no drag) on a selected polygon's edge inserts a vertex there.
    const e = this.entryOfNode(ev.target);
    if (!e || (e.kind !== 'polygon' && e.kind !== 'vector') || !e.anchors || isMaskKind(this.currentKind())) return;
    const p = this.imagePoint();
    const pts = e.node.points();
    const n = pts.length / 2;
    let best = null;
    for (let i = 0; i < n; ++i) {
      const j = (i + 1) % n;
      if (j === 0 && e.node.closed() === false) break;
      const ax = pts[2 * i]; const ay = pts[2 * i + 1]; const bx = pts[2 * j]; const by = pts[2 * j + 1];
      const len2 = (bx - ax) ** 2 + (by - ay) ** 2 || 1;
      const t = clamp(((p.x - ax) * (bx - ax) + (p.y - ay) * (by - ay)) / len2, 0, 1);
      const qx = ax + t * (bx - ax); const qy = ay + t * (by - ay);
      const dist = Math.hypot(p.x - qx, p.y - qy) * this.scale;
      if (dist <= EDGE_DISTANCE && t > 0.02 && t < 0.98 && (!best || dist < best.dist)) best = { i, dist, qx, qy };
    }
    if (!best) return;
    const next = pts.slice();
    next.splice(2 * best.i + 2, 0, best.qx, best.qy);
    e.node.points(next);
    if (e.kind === 'vector') {
      if (this.atMaxPoints(e.region.from_name, n)) { e.node.points(pts); return; }
      e.vertexIds.splice(best.i + 1, 0, newVertexId());
    }
    this.commitGeometry(e, null);
  }

  // The topmost visible region at rest under image point p (a click: one pass over the regions is
  // fine here, never on a pointer move). Brush masks count only in select mode (`withBrush`).
  regionAt(p, withBrush) {
    if (!p) return null;
    const slack = 3 / this.scale;   // a few screen pixels around thin shapes
    let hit = null;
    for (const e of this.entries.values()) {
      if (e.region.hidden || this.selected.has(e.region.id)) continue;
      if (isMaskKind(e.kind) ? withBrush && this.inImage(p) && this.maskAt(e, p) : hitShape(e.kind, e.node, p, slack)) hit = e;
    }
    return hit;
  }

  // A selected, editable mask region with a pixel at image point p.
  selectedMaskAt(p) {
    if (!p || !this.inImage(p)) return null;
    for (const id of this.selected) {
      const e = this.entries.get(id);
      if (e && isMaskKind(e.kind) && !e.region.hidden && this.editable(e.region) && this.maskAt(e, p)) return e;
    }
    return null;
  }

  // Moving a mask: its node follows the pointer (a cheap layer redraw per move); the pixels are
  // shifted and the region updated once, at the end, so the move is one undo step.
  startMaskMove(e, p) {
    // Its painted pixels stop at the image's edge, like any shape's (none is cut off).
    this.maskMove = { e, from: p, dx: 0, dy: 0, bounds: maskBounds(e.mask) };
    this.stageEl.style.cursor = 'move';
  }

  endMaskMove() {
    const { e, dx, dy } = this.maskMove;
    this.maskMove = null;
    this.updateInteraction();
    e.node.position({ x: 0, y: 0 });
    if (!dx && !dy) { this.activeLayer.batchDraw(); return; }
    e.mask = shiftMask(e.mask, dx, dy);
    e.node.image(e.mask);
    this.activeLayer.batchDraw();
    // One update for the whole drag: its own undo step (a later drag of the same mask is another).
    const merge = null;
    if (e.kind === 'brush') {
      e.rle = maskToRle(e.mask);
      this.ctx.updateRegion(e.region.id, { value: { format: 'rle', rle: e.rle } }, { merge });
    } else {
      e.url = maskToDataUrl(e.mask);
      this.ctx.updateRegion(e.region.id, { value: { imageDataURL: e.url } }, { merge });
    }
  }

  maskAt(e, p) {
    return e.mask.getContext('2d', { willReadFrequently: true }).getImageData(Math.floor(p.x), Math.floor(p.y), 1, 1).data[3] > 0;
  }

  deleteVertex(anchor) {
    const e = this.entries.get(anchor.getAttr('regionId'));
    if (!e) return;
    const n = e.node.points().length / 2;
    // Keep a triangle at least, a path of two vertices (or minPoints) at least.
    if (n <= (e.kind === 'vector' ? Math.max(e.node.closed() ? 3 : 2, this.pointBounds(e.region.from_name).min) : 3)) return;
    const pts = e.node.points().slice();
    const i = anchor.getAttr('vertex');
    pts.splice(i * 2, 2);
    e.node.points(pts);
    if (e.kind === 'vector') e.vertexIds.splice(i, 1);
    this.commitGeometry(e, null);
  }

  // The minPoints / maxPoints of a Vector control (0 / Infinity when not set).
  pointBounds(fromName) {
    const a = this.controlAttrs(fromName);
    const min = Number.parseInt(attrOf(a, 'minPoints'), 10);
    const max = Number.parseInt(attrOf(a, 'maxPoints'), 10);
    return { min: Number.isFinite(min) ? min : 0, max: Number.isFinite(max) ? max : Infinity };
  }

  atMaxPoints(fromName, n) {
    if (n < this.pointBounds(fromName).max) return false;
    this.message.textContent = `A path of ${fromName} has at most ${this.pointBounds(fromName).max} points.`;
    return true;
  }

  // ---- drawing tools ------------------------------------------------------------------------

  toolStyle(tool, kind) {
    const label = tool.labels?.[0];
    const attrs = tool.attrs ?? {};
    const [opacity, width] = TOOL_DEFAULTS[kind] ?? [0.6, 1];
    return {
      color: label ? this.ctx.labelColor(tool.labelsFrom ?? tool.fromName, label) : (attrs.strokeColor ?? '#f48a42'),
      opacity: num(attrs.opacity, opacity), strokeWidth: num(attrs.strokeWidth, width),
    };
  }

  startBox(kind, tool, p) {
    const style = this.toolStyle(tool, kind);
    const r = { id: '_draft', value: kind === 'rect' ? { x: 0, y: 0, width: 0, height: 0 } : { x: 0, y: 0, radiusX: 0, radiusY: 0 } };
    const node = createNode(kind, r, this.size, style);
    node.setAttrs({ x: p.x, y: p.y, listening: false });
    this.activeLayer.add(node);
    this.draft = { kind, tool, start: p, node };
  }

  startPolygon(tool, p) {
    const style = this.toolStyle(tool, 'polygon');
    const node = createNode('polygon', { id: '_draft', value: { points: [], closed: false } }, this.size, style);
    node.setAttrs({ closed: false, listening: false, points: [p.x, p.y] });
    this.activeLayer.add(node);
    this.draft = { kind: 'polygon', tool, points: [p.x, p.y], undone: [], node };
    this.draftChanged();
    this.updateInteraction();
    this.activeLayer.batchDraw();
  }

  polygonClick(screen) {
    const d = this.draft;
    const p = this.clampToImage(this.toImage(screen));
    const first = this.regionLayer.getAbsoluteTransform().point({ x: d.points[0], y: d.points[1] });
    if (d.points.length >= 6 && Math.hypot(first.x - screen.x, first.y - screen.y) <= CLOSE_DISTANCE) {
      this.closePolygon();
      return;
    }
    d.points.push(p.x, p.y);
    d.undone = [];
    this.draftChanged();
    d.node.points(d.points);
    this.activeLayer.batchDraw();
  }

  closePolygon() {
    const d = this.draft;
    if (!d || d.kind !== 'polygon') return;
    this.draft = null;
    this.draftChanged();
    d.node.destroy();
    this.updateInteraction();
    this.activeLayer.batchDraw();
    if (d.points.length < 6) return;
    const { W, H } = this.size;
    const points = [];
    for (let i = 0; i < d.points.length; i += 2) points.push([d.points[i] / W * 100, d.points[i + 1] / H * 100]);
    this.addRegion(d.tool, { points, closed: true });
  }

  // A vector path: clicks add vertices; a click on the first vertex closes it (closable="true"),
  // a click on the last one (a double click) or Enter finishes it open; maxPoints finishes it.
  startVector(tool, p) {
    const style = this.toolStyle(tool, 'vector');
    const node = createNode('vector', { id: '_draft', value: { vertices: [], closed: false } }, this.size, style);
    node.setAttrs({ listening: false, points: [p.x, p.y] });
    this.activeLayer.add(node);
    this.draft = { kind: 'vector', tool, points: [p.x, p.y], undone: [], node };
    this.draftChanged();
    this.updateInteraction();
    this.activeLayer.batchDraw();
    if (this.pointBounds(tool.fromName).max <= 1) this.finishVector(false);
  }

  vectorClick(screen) {
    const d = this.draft;
    const n = d.points.length / 2;
    const toScreen = (i) => this.regionLayer.getAbsoluteTransform().point({ x: d.points[2 * i], y: d.points[2 * i + 1] });
    const near = (q) => Math.hypot(q.x - screen.x, q.y - screen.y) <= CLOSE_DISTANCE;
    if (n >= 3 && bool(attrOf(d.tool.attrs, 'closable'), false) && near(toScreen(0))) {
      this.finishVector(true);
      return;
    }
    if (near(toScreen(n - 1))) {
      this.finishVector(false);
      return;
    }
    const p = this.clampToImage(this.toImage(screen));
    d.points.push(p.x, p.y);
    d.undone = [];
    this.draftChanged();
    d.node.points(d.points);
    this.activeLayer.batchDraw();
    if (n + 1 >= this.pointBounds(d.tool.fromName).max) this.finishVector(false);
  }

  finishVector(closed) {
    const d = this.draft;
    if (!d || d.kind !== 'vector') return;
    const n = d.points.length / 2;
    const need = Math.max(closed ? 3 : 2, this.pointBounds(d.tool.fromName).min);
    if (n < need) {
      // Too short to keep: the path stays open for more points (Escape drops it).
      this.message.textContent = `A path of ${d.tool.fromName} needs at least ${need} points.`;
      return;
    }
    this.message.textContent = '';
    this.draft = null;
    this.draftChanged();
    d.node.destroy();
    this.updateInteraction();
    this.activeLayer.batchDraw();
    const ids = Array.from({ length: n }, newVertexId);
    this.addRegion(d.tool, vectorValue(d.points, ids, closed, this.size));
  }

  cancelDraft() {
    const d = this.draft;
    if (!d) return;
    this.draft = null;
    this.draftChanged();
    if (d.kind === 'stroke') {
      d.stroke.end();
      this.endStroke(d);
    } else {
      if (d.raf) cancelAnimationFrame(d.raf);
      d.node.destroy();
    }
    this.updateInteraction();
    this.activeLayer.batchDraw();
  }

  // Undo while a polygon or a path is drawn: its last vertex goes (the first one: the shape), as in
  // Label Studio. The shape is not in the annotation yet, so the annotation's own steps are not
  // touched. False when nothing is being drawn (the annotation's undo runs).
  undoVertex() {
    const d = this.draft;
    if (!d || !this.isPathDraft()) return false;
    if (d.points.length <= 2) {
      this.cancelDraft();
      return true;
    }
    d.undone.push(d.points.splice(-2, 2));
    this.draftChanged();
    d.node.points(d.points);
    this.activeLayer.batchDraw();
    return true;
  }

  // Redo while a polygon or a path is drawn puts back the vertices undo took; with none, nothing
  // happens (the annotation's redo would change it under the open shape).
  redoVertex() {
    const d = this.draft;
    if (!d || !this.isPathDraft()) return false;
    const v = d.undone.pop();
    if (v) {
      d.points.push(...v);
      this.draftChanged();
      d.node.points(d.points);
      this.activeLayer.batchDraw();
    }
    return true;
  }

  // After a path draft starts, gets or loses a vertex, or ends: the editor's Undo / Redo buttons
  // show what its keys would do (undo always takes a vertex or the shape; redo only puts back
  // undone vertices, and never reaches the annotation's steps while the path is open).
  draftChanged() {
    const d = this.isPathDraft() ? this.draft : null;
    batch(() => {
      this.draftCanUndo.value = d ? true : null;
      this.draftCanRedo.value = d ? d.undone.length > 0 : null;
    });
  }

  addKeypoint(tool, p) {
    const { W, H } = this.size;
    const style = this.toolStyle(tool, 'keypoint');
    // The point's size (value.width): 5 screen pixels at least, in percent of the image width.
    const radius = Math.max(5, style.strokeWidth * 3) / this.scale;
    this.addRegion(tool, { x: p.x / W * 100, y: p.y / H * 100, width: radius / W * 100 });
  }

  // Brush strokes paint into the selected brush region of the same control, else a new mask;
  // the eraser cuts from the selected brush region.
  startStroke(p, erase, tool, kind = 'brush') {
    let target = null;
    for (const id of this.selected) {
      const e = this.entries.get(id);
      if (isMaskKind(e?.kind) && this.editable(e.region) && (erase || e.region.from_name === tool.fromName)) { target = e; break; }
    }
    if (erase && !target) {
      this.message.textContent = 'Select a brush region to erase from.';
      return;
    }
    if (target) kind = target.kind;
    let canvas;
    let node = null;
    const style = erase ? target.style : this.toolStyle(tool, kind);
    if (target) {
      canvas = target.mask;
    } else {
      canvas = newMask(this.size.W, this.size.H);
      node = new Konva.Image({ image: canvas, width: this.size.W, height: this.size.H, opacity: style.opacity, listening: false });
      this.activeLayer.add(node);
    }
    const stroke = new Stroke(canvas, { color: style.color, width: this.brushSize / this.scale, erase });
    this.draft = { kind: 'stroke', tool, target, canvas, node, stroke, mask: kind };
    stroke.to(p.x, p.y);
    this.activeLayer.batchDraw();
  }

  endStroke(d) {
    if (d.mask === 'bitmask') {
      const url = maskToDataUrl(d.canvas);
      if (d.target) {
        d.target.url = url;
        this.ctx.updateRegion(d.target.region.id, { value: { imageDataURL: url } }, { merge: null });
        return;
      }
      d.node.destroy();
      this.pendingMask = { canvas: d.canvas, url };
      this.addRegion(d.tool, { imageDataURL: url });
      return;
    }
    const rle = maskToRle(d.canvas);
    if (d.target) {
      d.target.rle = rle;
      this.ctx.updateRegion(d.target.region.id, { value: { format: 'rle', rle } }, { merge: null });
      return;
    }
    d.node.destroy();
    this.pendingMask = { canvas: d.canvas, rle };
    // Kept until sync() takes it for the new region, so the mask is not decoded again.
    this.addRegion(d.tool, { format: 'rle', rle });
  }

  // The magic wand: a press fills from the pressed pixel with the tool's defaultthreshold, a drag
  // widens it; on release the fill is a brush region. Like Label Studio's wand it adds to the brush
  // labels last chosen on this image (a brushlabels region); without one, a magicwand region of
  // the wand's own control.
  imagePixels() {
    if (this.pixels?.page === this.page) return this.pixels;
    const { W, H } = this.size;
    const canvas = newMask(W, H);
    const c = canvas.getContext('2d', { willReadFrequently: true });
    c.drawImage(this.imageNode.image(), 0, 0);
    // A cross-origin image without CORS taints the canvas: reading it throws (caught by the caller).
    this.pixels = { page: this.page, data: c.getImageData(0, 0, W, H).data };
    return this.pixels;
  }

  startWand(tool, p, screen) {
    let pixels;
    try {
      pixels = this.imagePixels();
    } catch {
      this.message.textContent = 'The magic wand cannot read this image (served from another origin without CORS).';
      return;
    }
    const target = this.wandTarget(tool);
    const style = this.toolStyle(target, 'brush');
    const canvas = newMask(this.size.W, this.size.H);
    const node = new Konva.Image({ image: canvas, width: this.size.W, height: this.size.H, opacity: style.opacity, listening: false });
    this.activeLayer.add(node);
    const base = Math.max(0, num(attrOf(tool.attrs, 'defaultthreshold'), 15));
    this.draft = { kind: 'wand', tool: target, pixels, seed: { x: Math.floor(p.x), y: Math.floor(p.y) }, screen, base,
      threshold: -1, canvas, node, color: rgbOf(style.color) };
    this.paintWand(this.draft, base);
  }

  wandTarget(tool) {
    const b = this.lastBrushTool;
    if (b && (this.ctx.controls ?? []).some((c) => c.name === b.fromName)) return b;
    return tool;
  }

  paintWand(d, threshold) {
    const { W, H } = this.size;
    d.threshold = threshold;
    const fill = floodFill(d.pixels.data, W, H, d.seed.x, d.seed.y, threshold);
    d.canvas.getContext('2d', { willReadFrequently: true }).putImageData(new ImageData(fillToRgba(fill, d.color), W, H), 0, 0);
    d.node.getLayer()?.batchDraw();
  }

  endWand(d) {
    if (d.raf) cancelAnimationFrame(d.raf);
    if (d.want !== undefined && d.want !== d.threshold) this.paintWand(d, d.want);
    const rle = maskToRle(d.canvas);
    d.node.destroy();
    this.activeLayer.batchDraw();
    this.pendingMask = { canvas: d.canvas, rle };
    this.addRegion(d.tool, { format: 'rle', rle });
  }

  // ---- hotkeys ------------------------------------------------------------------------------

  bindHotkeys() {
    const add = (combo, fn, description) => {
      const dispose = this.ctx.hotkeys?.add(combo, fn, { description });
      if (dispose) this.disposers.push(dispose);
    };
    add('v', () => this.setMode(this.mode === 'select' ? 'auto' : 'select'), 'Image: select and move regions');
    add('g', () => this.setMode(this.mode === 'pan' ? 'auto' : 'pan'), 'Image: pan (grab)');
    add('e', () => this.setMode(this.mode === 'eraser' ? 'auto' : 'eraser'), 'Image: eraser');
    add('f', () => this.fit(), 'Image: fit');
    add('=,shift++,+', () => this.zoomBy(this.zoomStep()), 'Image: zoom in');
    add('-', () => this.zoomBy(1 / this.zoomStep()), 'Image: zoom out');
    for (const [key, dx, dy] of [['ArrowLeft', -1, 0], ['ArrowRight', 1, 0], ['ArrowUp', 0, -1], ['ArrowDown', 0, 1]]) {
      add(key, () => this.nudge(dx, dy, 1), key === 'ArrowLeft' ? 'Image: move the selected regions one pixel (arrows)' : '');
      add(`shift+${key}`, () => this.nudge(dx, dy, 10), key === 'ArrowLeft' ? 'Image: move them ten pixels (shift+arrows)' : '');
    }
    add('[', () => { this.brushSize = Math.max(1, this.brushSize - 2); this.brushSlider.input.value = this.brushSize; }, 'Image: smaller brush');
    add(']', () => { this.brushSize = Math.min(100, this.brushSize + 2); this.brushSlider.input.value = this.brushSize; }, 'Image: bigger brush');
    // The editor's undo and redo (keys and toolbar) come here first: while a shape is being drawn
    // they take and put back its vertices.
    const history = this.ctx.history?.({ undo: () => this.undoVertex(), redo: () => this.redoVertex(),
      canUndo: this.draftCanUndo, canRedo: this.draftCanRedo });
    if (history) this.disposers.push(history);
    // While a polygon (a vector path) is being drawn, Enter closes (finishes) it, Escape drops it and Backspace removes its
    // last vertex (as undo does); these keys mean something else to the editor otherwise (unselect, delete), so
    // they are caught before the editor's hotkeys only then.
    this.onDraftKey = (ev) => {
      const d = this.draft;
      if (!d || !this.isPathDraft()) return;
      // Keys typed into a text field (a TextArea next to the image) are that field's.
      const t = ev.target;
      if (t instanceof Element && (t.closest('input, textarea, select') || t.isContentEditable)) return;
      if (ev.key === 'Enter') { if (d.kind === 'polygon') this.closePolygon(); else this.finishVector(false); }
      else if (ev.key === 'Escape') this.cancelDraft();
      else if (ev.key === 'Backspace') this.undoVertex();
      else return;
      ev.preventDefault();
      ev.stopPropagation();
    };
    window.addEventListener('keydown', this.onDraftKey, true);
  }

}
