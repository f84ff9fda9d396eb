// Regions on an Image as Konva nodes: which geometry a result has, its node in natural-pixel
// coordinates (the layers carry zoom, pan and rotation), and the percent geometry read back.
import Konva from 'konva';

// Result type -> geometry kind; `labels` (core <Labels> on an Image) is told apart by its keys.
const KIND_OF_TYPE = {
  rectangle: 'rect', rectanglelabels: 'rect',
  ellipse: 'ellipse', ellipselabels: 'ellipse',
  polygon: 'polygon', polygonlabels: 'polygon',
  keypoint: 'keypoint', keypointlabels: 'keypoint',
  brush: 'brush', brushlabels: 'brush', magicwand: 'brush',
  vector: 'vector', vectorlabels: 'vector',
  bitmask: 'bitmask', bitmasklabels: 'bitmask',
};

// Kinds whose region is a pixel mask at the image's natural size (painted, erased, moved whole).
export const isMaskKind = (kind) => kind === 'brush' || kind === 'bitmask';

// What a tool draws with: its regions' kind, except the magic wand (a fill that makes a brush mask).
export function toolKind(type) { return type === 'magicwand' ? 'wand' : (KIND_OF_TYPE[type] ?? null); }

export function regionKind(r) {
  const k = KIND_OF_TYPE[r.type];
  if (k) return k;
  const v = r.value ?? {};
  if (Array.isArray(v.points)) return 'polygon';
  if (Array.isArray(v.vertices)) return 'vector';
  if (typeof v.imageDataURL === 'string') return 'bitmask';
  if (v.rle || v.format === 'rle') return 'brush';
  if (v.radiusX !== undefined) return 'ellipse';
  if (v.height !== undefined) return 'rect';
  if (v.x !== undefined && v.y !== undefined) return 'keypoint';
  return null;
}

// CSS colour -> [r, g, b] through the canvas parser (any CSS colour works); cached.
const rgbCache = new Map();
let parser = null;
export function rgbOf(color) {
  let rgb = rgbCache.get(color);
  if (rgb) return rgb;
  parser ??= document.createElement('canvas').getContext('2d');
  parser.fillStyle = '#000';
  parser.fillStyle = color || '#f48a42';
  const s = parser.fillStyle;   // '#rrggbb' or 'rgba(r, g, b, a)'
  if (s.startsWith('#')) rgb = [1, 3, 5].map((i) => parseInt(s.slice(i, i + 2), 16));
  else rgb = s.match(/[\d.]+/g).slice(0, 3).map(Number);
  rgbCache.set(color, rgb);
  return rgb;
}

export const rgba = (color, a) => { const [r, g, b] = rgbOf(color); return `rgba(${r},${g},${b},${a})`; };

// Attributes shared by every region node: cheap drawing (no perfect draw, no stroke shadow
// pass, strokes of constant screen width whatever the zoom).
const FAST = { perfectDrawEnabled: false, shadowForStrokeEnabled: false, strokeScaleEnabled: false };

// The node of a region; `size` is {W, H} (natural pixels), `style` {color, strokeWidth, opacity}.
// Brush regions get their mask canvas from the caller (see brush.js).
export function createNode(kind, r, size, style, maskCanvas) {
  const v = r.value ?? {};
  const { W, H } = size;
  const common = { ...FAST, id: r.id, name: 'region' };
  switch (kind) {
    case 'rect':
      return new Konva.Rect({
        ...common, x: v.x * W / 100, y: v.y * H / 100, width: v.width * W / 100, height: v.height * H / 100,
        rotation: v.rotation ?? 0, stroke: style.color, strokeWidth: style.strokeWidth,
        fill: rgba(style.color, 0.2 * style.opacity),
      });
    case 'ellipse':
      return new Konva.Ellipse({
        ...common, x: v.x * W / 100, y: v.y * H / 100, radiusX: v.radiusX * W / 100, radiusY: v.radiusY * H / 100,
        rotation: v.rotation ?? 0, stroke: style.color, strokeWidth: style.strokeWidth,
        fill: rgba(style.color, 0.2 * style.opacity),
      });
    case 'polygon':
      return new Konva.Line({
        ...common, points: (v.points ?? []).flatMap(([x, y]) => [x * W / 100, y * H / 100]), closed: v.closed !== false,
        stroke: style.color, strokeWidth: style.strokeWidth, fill: rgba(style.color, 0.2 * style.opacity),
        hitStrokeWidth: 12, lineJoin: 'round',
      });
    case 'vector': {
      // An open path has no fill (Label Studio fills only closed ones).
      const closed = v.closed === true;
      return new Konva.Line({
        ...common, points: vectorPoints(v.vertices, size), closed, stroke: style.color, strokeWidth: style.strokeWidth,
        fill: closed ? rgba(style.color, 0.2 * style.opacity) : null, hitStrokeWidth: 12, lineJoin: 'round', lineCap: 'round',
      });
    }
    case 'keypoint':
      return new Konva.Circle({
        ...common, x: v.x * W / 100, y: v.y * H / 100, radius: Math.max(0.5, (v.width ?? 0.5) * W / 100),
        fill: rgba(style.color, style.opacity), stroke: '#fff', strokeWidth: 1,
      });
    case 'brush': case 'bitmask':
      return new Konva.Image({ ...common, image: maskCanvas, x: 0, y: 0, width: W, height: H, opacity: style.opacity });
    default:
      return null;
  }
}

// Restyles a node after a relabel, a colour change or a selection change.
export function styleNode(kind, node, style, selected) {
  const width = selected ? style.strokeWidth + 1.5 : style.strokeWidth;
  switch (kind) {
    case 'rect': case 'ellipse': case 'polygon':
      node.setAttrs({ stroke: style.color, strokeWidth: width, dash: selected ? [6, 3] : null,
        fill: rgba(style.color, (selected ? 0.35 : 0.2) * style.opacity) });
      break;
    case 'vector':
      node.setAttrs({ stroke: style.color, strokeWidth: width, dash: selected ? [6, 3] : null,
        fill: node.closed() ? rgba(style.color, (selected ? 0.35 : 0.2) * style.opacity) : null });
      break;
    case 'keypoint':
      node.setAttrs({ fill: rgba(style.color, style.opacity), stroke: selected ? '#000' : '#fff', strokeWidth: selected ? 2 : 1 });
      break;
    case 'brush': case 'bitmask':
      node.opacity(selected ? Math.min(1, style.opacity + 0.25) : style.opacity);
      break;
    default:
  }
}

// Moves an existing node to the region's geometry (undo, redo, an edit made elsewhere).
export function placeNode(kind, node, r, size) {
  const v = r.value ?? {};
  const { W, H } = size;
  switch (kind) {
    case 'rect':
      node.setAttrs({ x: v.x * W / 100, y: v.y * H / 100, width: v.width * W / 100, height: v.height * H / 100,
        rotation: v.rotation ?? 0, scaleX: 1, scaleY: 1 });
      break;
    case 'ellipse':
      node.setAttrs({ x: v.x * W / 100, y: v.y * H / 100, radiusX: v.radiusX * W / 100, radiusY: v.radiusY * H / 100,
        rotation: v.rotation ?? 0, scaleX: 1, scaleY: 1 });
      break;
    case 'polygon':
      node.setAttrs({ x: 0, y: 0, points: (v.points ?? []).flatMap(([x, y]) => [x * W / 100, y * H / 100]),
        closed: v.closed !== false });
      break;
    case 'vector':
      node.setAttrs({ x: 0, y: 0, points: vectorPoints(v.vertices, size), closed: v.closed === true });
      break;
    case 'keypoint':
      node.setAttrs({ x: v.x * W / 100, y: v.y * H / 100, radius: Math.max(0.5, (v.width ?? 0.5) * W / 100) });
      break;
    default:
  }
}

// A vector's vertices ({x, y} in percent) as flat natural-pixel points. Bezier control points are
// kept in the result but drawn as straight segments.
export function vectorPoints(vertices, { W, H }) {
  const out = [];
  for (const p of vertices ?? []) out.push(p.x * W / 100, p.y * H / 100);
  return out;
}

// A vertex id as Label Studio's vector tool writes them (unique within the path).
export const newVertexId = () => `point-${Math.random().toString(36).slice(2, 10)}`;

// Label Studio's vector value from flat natural-pixel points: each vertex {id, x, y, prevPointId,
// isBezier} in path order. `old` (the vertices before the edit, by id) keeps any other keys a
// vertex had (Bezier control points, moved by `shift` percent when the whole path moved).
export function vectorValue(points, ids, closed, { W, H }, old = new Map(), shift = null) {
  const vertices = [];
  for (let i = 0; i < ids.length; ++i) {
    const prev = old.get(ids[i]);
    const v = { ...(prev ?? { isBezier: false }), id: ids[i], x: points[2 * i] / W * 100, y: points[2 * i + 1] / H * 100,
      prevPointId: i ? ids[i - 1] : null };
    if (shift && prev?.isBezier) {
      for (const k of ['controlPoint1', 'controlPoint2']) {
        if (prev[k]) v[k] = { x: prev[k].x + shift.x, y: prev[k].y + shift.y };
      }
    }
    vertices.push(v);
  }
  return { vertices, closed };
}

const angle = (deg) => ((deg % 360) + 360) % 360;

// The percent geometry of a node as it is now (after a drag or a transform), for updateRegion.
export function geometryOf(kind, node, size) {
  const { W, H } = size;
  switch (kind) {
    case 'rect':
      return { x: node.x() / W * 100, y: node.y() / H * 100, width: node.width() * node.scaleX() / W * 100,
        height: node.height() * node.scaleY() / H * 100, rotation: angle(node.rotation()) };
    case 'ellipse':
      return { x: node.x() / W * 100, y: node.y() / H * 100, radiusX: node.radiusX() * node.scaleX() / W * 100,
        radiusY: node.radiusY() * node.scaleY() / H * 100, rotation: angle(node.rotation()) };
    case 'polygon': {
      const p = node.points();
      const out = [];
      for (let i = 0; i < p.length; i += 2) out.push([(p[i] + node.x()) / W * 100, (p[i + 1] + node.y()) / H * 100]);
      return { points: out };
    }
    case 'vector': {
      // Absolute points; the caller turns them into vertices (ids) with vectorValue().
      const p = node.points();
      const out = [];
      for (let i = 0; i < p.length; i += 2) out.push(p[i] + node.x(), p[i + 1] + node.y());
      return { flat: out };
    }
    case 'keypoint':
      return { x: node.x() / W * 100, y: node.y() / H * 100 };
    default:
      return {};
  }
}

// Whether natural-pixel point p is on the shape of a node (its interior, or within `slack` of a
// polygon's outline or a point), in the node's own rotated frame.
export function hitShape(kind, node, p, slack) {
  const a = -node.rotation() * Math.PI / 180;
  const dx = p.x - node.x();
  const dy = p.y - node.y();
  const lx = dx * Math.cos(a) - dy * Math.sin(a);
  const ly = dx * Math.sin(a) + dy * Math.cos(a);
  switch (kind) {
    case 'rect':
      return lx >= -slack && ly >= -slack && lx <= node.width() + slack && ly <= node.height() + slack;
    case 'ellipse': {
      const rx = node.radiusX() + slack;
      const ry = node.radiusY() + slack;
      return (lx / rx) ** 2 + (ly / ry) ** 2 <= 1;
    }
    case 'keypoint':
      return Math.hypot(dx, dy) <= node.radius() + slack;
    case 'polygon': case 'vector': {
      const pts = node.points();
      const n = pts.length / 2;
      let inside = false;
      // An open vector path has no closing edge and no inside.
      const open = kind === 'vector' && !node.closed();
      for (let i = 0, j = n - 1; i < n; j = i++) {
        if (open && i === 0) continue;
        const xi = pts[2 * i]; const yi = pts[2 * i + 1]; const xj = pts[2 * j]; const yj = pts[2 * j + 1];
        if ((yi > dy) !== (yj > dy) && dx < (xj - xi) * (dy - yi) / (yj - yi) + xi) inside = !inside;
        const len2 = (xj - xi) ** 2 + (yj - yi) ** 2 || 1;
        const t = Math.max(0, Math.min(1, ((dx - xi) * (xj - xi) + (dy - yi) * (yj - yi)) / len2));
        if (Math.hypot(dx - xi - t * (xj - xi), dy - yi - t * (yj - yi)) <= slack + 2) return true;
      }
      return inside && node.closed();
    }
    default:
      return false;
  }
}

// ---- keeping shapes inside the image ----------------------------------------------------------

// The natural-pixel bounding box {x0, y0, x1, y1} of a region's shape as its node is now (a drag
// moves the node, a transform scales and rotates it). A keypoint counts by its centre (the value
// Label Studio keeps inside the image); null for masks.
export function shapeBounds(kind, node) {
  switch (kind) {
    case 'rect': {
      const w = node.width() * node.scaleX();
      const h = node.height() * node.scaleY();
      const a = node.rotation() * Math.PI / 180;
      const cos = Math.cos(a);
      const sin = Math.sin(a);
      const xs = [0, w * cos, -h * sin, w * cos - h * sin];
      const ys = [0, w * sin, h * cos, w * sin + h * cos];
      return { x0: node.x() + Math.min(...xs), y0: node.y() + Math.min(...ys), x1: node.x() + Math.max(...xs), y1: node.y() + Math.max(...ys) };
    }
    case 'ellipse': {
      const rx = node.radiusX() * node.scaleX();
      const ry = node.radiusY() * node.scaleY();
      const a = node.rotation() * Math.PI / 180;
      const ex = Math.hypot(rx * Math.cos(a), ry * Math.sin(a));
      const ey = Math.hypot(rx * Math.sin(a), ry * Math.cos(a));
      return { x0: node.x() - ex, y0: node.y() - ey, x1: node.x() + ex, y1: node.y() + ey };
    }
    case 'polygon': case 'vector': {
      const p = node.points();
      if (!p.length) return null;
      let x0 = Infinity; let y0 = Infinity; let x1 = -Infinity; let y1 = -Infinity;
      for (let i = 0; i < p.length; i += 2) {
        x0 = Math.min(x0, p[i]); x1 = Math.max(x1, p[i]);
        y0 = Math.min(y0, p[i + 1]); y1 = Math.max(y1, p[i + 1]);
      }
      return { x0: x0 + node.x(), y0: y0 + node.y(), x1: x1 + node.x(), y1: y1 + node.y() };
    }
    case 'keypoint':
      return { x0: node.x(), y0: node.y(), x1: node.x(), y1: node.y() };
    default:
      return null;
  }
}

// The shift (dx, dy) that brings box b inside [0, W] x [0, H] keeping its size: the shape stops at
// the edge it crossed (a shape larger than the image keeps its left / top edge at 0).
export function shiftInside(b, { W, H }) {
  const d = (lo, hi, max) => (lo < 0 ? -lo : hi > max ? max - hi : 0);
  return { dx: d(b.x0, b.x1, W), dy: d(b.y0, b.y1, H) };
}

// The image-pixel bounding box of a shape given as a Konva transformer box ({x, y, width, height,
// rotation in radians}, absolute coordinates) through `toImage` (absolute -> image pixels): the
// box itself for a rectangle, the ellipse inscribed in it for an ellipse.
export function boxBounds(kind, box, toImage) {
  const { o, a, b } = boxAxes(box, toImage);
  if (kind === 'ellipse') {
    const cx = o.x + (a.x + b.x) / 2;
    const cy = o.y + (a.y + b.y) / 2;
    const ex = Math.hypot(a.x, b.x) / 2;
    const ey = Math.hypot(a.y, b.y) / 2;
    return { x0: cx - ex, y0: cy - ey, x1: cx + ex, y1: cy + ey };
  }
  const xs = [o.x, o.x + a.x, o.x + b.x, o.x + a.x + b.x];
  const ys = [o.y, o.y + a.y, o.y + b.y, o.y + a.y + b.y];
  return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
}

// A transformer box in image pixels: its origin corner o and its two edge vectors a (width) and b
// (height).
export function boxAxes(box, toImage) {
  const cos = Math.cos(box.rotation);
  const sin = Math.sin(box.rotation);
  const o = toImage({ x: box.x, y: box.y });
  const pa = toImage({ x: box.x + box.width * cos, y: box.y + box.width * sin });
  const pb = toImage({ x: box.x - box.height * sin, y: box.y + box.height * cos });
  return { o, a: { x: pa.x - o.x, y: pa.y - o.y }, b: { x: pb.x - o.x, y: pb.y - o.y } };
}
