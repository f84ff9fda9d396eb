// Brush masks: a canvas at the image's natural size per brush region, painted by strokes (or
// erased), read back as Label Studio's RLE (the RGBA pixels, rle-packed) when a stroke ends.
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
