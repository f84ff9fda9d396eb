// The image editor's magic wand fill (plugins/image/ui/wand.js) in Node: 4-connectivity, the
// colour threshold, concave shapes reached through runs above and below, seeds off the image.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { floodFill, fillToRgba } from '../../plugins/image/ui/wand.js';

// RGBA bytes of a W×H image from a function of (x, y) -> [r, g, b].
function image(W, H, fn) {
  const px = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; ++y) for (let x = 0; x < W; ++x) {
    const [r, g, b] = fn(x, y);
    px.set([r, g, b, 255], (y * W + x) * 4);
  }
  return px;
}
const count = (fill) => fill.reduce((n, v) => n + v, 0);

test('fills the connected area of the seed colour only (4-connected), not a touching-by-corner or separate one', () => {
  // Two white squares on black: 2..5 and 7..9 (separate), plus one white pixel diagonal to the first.
  const W = 12; const H = 12;
  const white = (x, y) => (x >= 2 && x <= 5 && y >= 2 && y <= 5) || (x >= 7 && x <= 9 && y >= 7 && y <= 9) || (x === 6 && y === 6);
  const px = image(W, H, (x, y) => (white(x, y) ? [255, 255, 255] : [0, 0, 0]));
  const fill = floodFill(px, W, H, 3, 3, 10);
  assert.equal(count(fill), 16);
  for (let y = 0; y < H; ++y) for (let x = 0; x < W; ++x) assert.equal(fill[y * W + x], x >= 2 && x <= 5 && y >= 2 && y <= 5 ? 1 : 0);
  // From the black background: everything black, and no white pixel.
  const bg = floodFill(px, W, H, 0, 0, 10);
  assert.equal(count(bg), W * H - 16 - 9 - 1);
});

test('the threshold is the largest channel difference from the seed, inclusive', () => {
  // A horizontal ramp: red = 10 * x.
  const W = 20; const H = 3;
  const px = image(W, H, (x) => [10 * x, 50, 50]);
  assert.equal(count(floodFill(px, W, H, 5, 1, 0)), 3);          // column 5 only
  assert.equal(count(floodFill(px, W, H, 5, 1, 10)), 9);         // columns 4..6
  assert.equal(count(floodFill(px, W, H, 5, 1, 29)), 15);        // columns 3..7
  assert.equal(count(floodFill(px, W, H, 5, 1, 255)), W * H);
});

test('a maze of nested walls with one gap each (concave, turning back on itself) is filled to its innermost room', () => {
  const W = 15; const H = 15;
  // Walls on every odd ring of the square, each with one gap that leads inwards.
  const wall = (x, y) => {
    const ring = Math.min(x, y, W - 1 - x, H - 1 - y);
    if (ring % 2 !== 1) return false;
    return !(x === ring + 1 && y === ring);   // the gap in each wall ring
  };
  const px = image(W, H, (x, y) => (wall(x, y) ? [0, 0, 0] : [200, 200, 200]));
  const fill = floodFill(px, W, H, 0, 0, 5);
  let open = 0;
  for (let y = 0; y < H; ++y) for (let x = 0; x < W; ++x) if (!wall(x, y)) ++open;
  assert.equal(count(fill), open);
  assert.equal(fill[6 * W + 6], 1, 'the innermost room is not reached');
});

test('a seed off the image fills nothing; the mask bytes carry the colour with alpha 255 where filled', () => {
  const px = image(4, 4, () => [1, 2, 3]);
  assert.equal(count(floodFill(px, 4, 4, -1, 0, 10)), 0);
  assert.equal(count(floodFill(px, 4, 4, 0, 4, 10)), 0);
  const fill = Uint8Array.from([1, 0, 0, 1]);
  assert.deepEqual([...fillToRgba(fill, [9, 8, 7])], [9, 8, 7, 255, 0, 0, 0, 0, 0, 0, 0, 0, 9, 8, 7, 255]);
});
