// The magic wand: a flood fill over the image's pixels from a clicked seed, taking every
// 4-connected pixel whose colour is within `threshold` of the seed's (the largest RGB difference).
// Pure functions over RGBA bytes, so they run in Node too (tests/web/editor_image_wand.test.mjs).

// Returns a Uint8Array of W*H: 1 where the fill reached. Scanline fill: each run of a row is
// taken whole and the rows above and below are queued once per run, so no pixel is pushed twice.
export function floodFill(rgba, W, H, sx, sy, threshold) {
  const out = new Uint8Array(W * H);
  if (sx < 0 || sy < 0 || sx >= W || sy >= H) return out;
  const s = (sy * W + sx) * 4;
  const r0 = rgba[s];
  const g0 = rgba[s + 1];
  const b0 = rgba[s + 2];
  const near = (i) => {
    const o = i * 4;
    return Math.abs(rgba[o] - r0) <= threshold && Math.abs(rgba[o + 1] - g0) <= threshold && Math.abs(rgba[o + 2] - b0) <= threshold;
  };
  const stack = [sx, sy];
  while (stack.length) {
    const y = stack.pop();
    const x = stack.pop();
    const row = y * W;
    if (out[row + x] || !near(row + x)) continue;
    let l = x;
    let r = x;
    while (l > 0 && !out[row + l - 1] && near(row + l - 1)) --l;
    while (r < W - 1 && !out[row + r + 1] && near(row + r + 1)) ++r;
    out.fill(1, row + l, row + r + 1);
    for (const ny of [y - 1, y + 1]) {
      if (ny < 0 || ny >= H) continue;
      const nrow = ny * W;
      let open = false;   // inside a run of candidates on the neighbour row
      for (let i = l; i <= r; ++i) {
        const ok = !out[nrow + i] && near(nrow + i);
        if (ok && !open) stack.push(i, ny);
        open = ok;
      }
    }
  }
  return out;
}

// The filled pixels as RGBA mask bytes in `color` ([r, g, b]), alpha 255 where filled: what a
// brush region stores (see brush.js).
export function fillToRgba(fill, color) {
  const px = new Uint8ClampedArray(fill.length * 4);
  const [r, g, b] = color;
  for (let i = 0; i < fill.length; ++i) {
    if (!fill[i]) continue;
    const o = i * 4;
    px[o] = r; px[o + 1] = g; px[o + 2] = b; px[o + 3] = 255;
  }
  return px;
}
