// Brush and bitmask masks: a canvas at the image's natural size per region, painted by strokes (or
// erased), read back as Label Studio's RLE (brush: the RGBA pixels, rle-packed) or a PNG data URL (bitmask).
import { rleEncode, rleDecode } from './rle.js';

export function newMask(W, H) {
  const canvas = document.createElement('canvas');
  canvas.width = W;
  canvas.height = H;
  return canvas;
}

// A mask canvas holding a region's stored RLE (RGBA as stored: the label colour, alpha = mask).
// A mask of another size than the image (a result from elsewhere) is refused with an Error.
export function maskFromRle(rle, W, H) {
  const canvas = newMask(W, H);
  const words = rleDecode(rle);
  if (words.length !== W * H * 4) {
    throw new Error(`the brush mask holds ${words.length} bytes, not ${W}×${H}×4`);
  }
  canvas.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(words.buffer), W, H), 0, 0);
  return canvas;
}

export function maskToRle(canvas) {
  const { data } = canvas.getContext('2d', { willReadFrequently: true }).getImageData(0, 0, canvas.width, canvas.height);
  return rleEncode(new Uint8Array(data.buffer));
}

export function sameBytes(a, b) {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; ++i) if (a[i] !== b[i]) return false;
  return true;
}

// One stroke on a mask: segments from the last point, round caps, `erase` cuts the mask away.
export class Stroke {
  constructor(canvas, { color, width, erase }) {
    this.ctx = canvas.getContext('2d', { willReadFrequently: true });
    this.ctx.save();
    this.ctx.globalCompositeOperation = erase ? 'destination-out' : 'source-over';
    this.ctx.strokeStyle = color;
    this.ctx.fillStyle = color;
    this.ctx.lineWidth = width;
    this.ctx.lineCap = 'round';
    this.ctx.lineJoin = 'round';
    this.last = null;
  }

  to(x, y) {
    const c = this.ctx;
    if (!this.last) {
      c.beginPath();
      c.arc(x, y, c.lineWidth / 2, 0, Math.PI * 2);
      c.fill();
    } else {
      c.beginPath();
      c.moveTo(this.last.x, this.last.y);
      c.lineTo(x, y);
      c.stroke();
    }
    this.last = { x, y };
  }

  end() { this.ctx.restore(); }
}

// The mask moved by whole pixels (dx, dy): a new canvas; what leaves the image is cut off.
// Whole pixels keep every alpha value as it was (a fractional shift would resample the edges).
export function shiftMask(canvas, dx, dy) {
  const out = newMask(canvas.width, canvas.height);
  const src = canvas.getContext('2d', { willReadFrequently: true }).getImageData(0, 0, canvas.width, canvas.height);
  out.getContext('2d', { willReadFrequently: true }).putImageData(src, dx, dy);
  return out;
}

// The pixel box {x0, y0, x1, y1} (inclusive) of a mask's painted pixels, or null when it is empty:
// a mask moves only as far as this box stays in the image.
export function maskBounds(canvas) {
  const W = canvas.width;
  const H = canvas.height;
  const { data } = canvas.getContext('2d', { willReadFrequently: true }).getImageData(0, 0, W, H);
  let x0 = W; let y0 = H; let x1 = -1; let y1 = -1;
  for (let y = 0; y < H; ++y) {
    const row = y * W * 4;
    let first = -1;
    for (let x = 0; x < W; ++x) if (data[row + x * 4 + 3]) { first = x; break; }
    if (first < 0) continue;
    let last = first;
    for (let x = W - 1; x > first; --x) if (data[row + x * 4 + 3]) { last = x; break; }
    if (y0 === H) y0 = y;
    y1 = y;
    if (first < x0) x0 = first;
    if (last > x1) x1 = last;
  }
  return x1 < 0 ? null : { x0, y0, x1, y1 };
}

// A bitmask region's value: the mask as a PNG data URL the image's size (Label Studio's
// `imageDataURL`; the label colour, alpha = coverage).
export function maskToDataUrl(canvas) {
  return canvas.toDataURL('image/png');
}

// Paints a stored `imageDataURL` into `canvas` once it decodes; resolves to an Error message when it
// does not decode or has another size than the image, else null.
export async function paintDataUrl(canvas, url) {
  const img = new Image();
  img.src = url;
  try {
    await img.decode();
  } catch {
    return 'the bitmask is not a decodable image';
  }
  if (img.naturalWidth !== canvas.width || img.naturalHeight !== canvas.height) {
    return `the bitmask is ${img.naturalWidth}×${img.naturalHeight}, not ${canvas.width}×${canvas.height}`;
  }
  canvas.getContext('2d', { willReadFrequently: true }).drawImage(img, 0, 0);
  return null;
}
