// The image editor's mask, path and fill tools in real Chromium against the real host: a brush
// mask moved by a drag in select mode (one undo step), Vector / VectorLabels paths drawn (closed
// and open, minPoints / maxPoints) and edited (vertex drag, insert, delete, whole-path move), a
// BitmaskLabels mask painted and moved, the MagicWand's fill; every image control the host's
// catalog lists draws its own result type (or shows the "not yet supported" notice), and the
// annotations are accepted by the host's validators and read back as drawn. Undo and redo while a
// polygon is drawn take and put back its vertices, not the finished regions, and the toolbar's
// Undo / Redo are enabled when they would. No console errors or failed requests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { exitWhenBrowserTestsCannotRun, startSession, stopSession, makePng } from './harness.mjs';
import { signUp, call, createProject, editorReady, imagePoint, mouseDrag } from './editor_helpers.mjs';
import { rleDecode } from '../../plugins/image/ui/rle.js';

exitWhenBrowserTestsCannotRun();

const W = 320;
const H = 240;
// A disc of one colour (centre 240,60, radius 30) on a gradient whose every pixel differs from it
// by more than the wand's threshold: the wand's fill from inside the disc is the disc exactly.
const DISC = { x: 240, y: 60, r: 30 };
const inDisc = (x, y) => (x - DISC.x) ** 2 + (y - DISC.y) ** 2 < DISC.r ** 2;
const PNG = makePng(W, H, (x, y) => (inDisc(x, y) ? [250, 220, 40, 255] : [x * 0.5, 60 + y * 0.5, 160, 255]));
const IMAGE = `data:image/png;base64,${PNG.toString('base64')}`;

const CONFIG = `<View>
  <Image name="img" value="$image"/>
  <BrushLabels name="brush" toName="img"><Label value="Sky" background="#f76b15"/></BrushLabels>
  <VectorLabels name="lanes" toName="img" closable="true"><Label value="Lane" background="#3e63dd"/></VectorLabels>
  <Vector name="path" toName="img" minPoints="2" maxPoints="3"/>
  <BitmaskLabels name="bits" toName="img"><Label value="Cell" background="#30a46c"/></BitmaskLabels>
  <MagicWand name="wand" toName="img" defaultthreshold="10"/>
</View>`;

let host;
let browser;
let page;
let projectId;
let taskIds;

before(async () => {
  ({ host, browser, page } = await startSession());
  await signUp(page, host.base, 'tools@example.com');
  ({ projectId, taskIds } = await createProject(page, { title: 'Image tools', config: CONFIG,
    tasks: [{ image: IMAGE }, { image: IMAGE }, { image: IMAGE }] }));
});

after(() => stopSession(host, browser));

const near = (a, b, what, tol = 0.1) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} is not within ${tol} of ${b}`);

const at = (xPct, yPct) => imagePoint(page, W, H, xPct, yPct);
const drag = (from, to) => mouseDrag(page, from, to);
// A change is drawn, with Konva's hit graph (what picks the shape a click lands on), at the next
// animation frame: a click meant for the new geometry waits for it (under load it came first, hit
// the old path's outline and missed the edge).
const painted = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

async function pick(selector) {
  await page.locator(selector).click();
  await page.evaluate(() => document.querySelector('.annot-image-stage').scrollIntoView({ block: 'end' }));
}

const regions = () => page.evaluate(() => [...document.querySelector('.annot-image').annotImage.entries.values()].map((e) => e.region));
const regionOf = async (fromName) => (await regions()).find((r) => r.from_name === fromName);
const waitCount = (n) => page.waitForFunction((k) => document.querySelector('.annot-image').annotImage.entries.size === k, n);

async function openTask(id) {
  await page.goto(`${host.base}/projects/${projectId}/data?task=${id}`);
  await editorReady(page);
  await page.locator('.annot-image[data-state=ready]').waitFor();
}

// The alpha channel of a W×H RGBA mask, and its bounding box.
const alphaOf = (rgba) => Uint8Array.from({ length: W * H }, (_, i) => rgba[i * 4 + 3]);
function bbox(alpha) {
  let x0 = W; let y0 = H; let x1 = -1; let y1 = -1;
  for (let y = 0; y < H; ++y) for (let x = 0; x < W; ++x) {
    if (!alpha[y * W + x]) continue;
    x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
  }
  return { x0, y0, x1, y1 };
}
// `after` is `before` moved by whole pixels (dx, dy), nothing cut off: alpha for alpha.
function assertShifted(before, after, dx, dy) {
  for (let y = 0; y < H; ++y) for (let x = 0; x < W; ++x) {
    const sx = x - dx; const sy = y - dy;
    const want = sx >= 0 && sy >= 0 && sx < W && sy < H ? before[sy * W + sx] : 0;
    if (after[y * W + x] !== want) assert.fail(`moved mask pixel (${x}, ${y}) has alpha ${after[y * W + x]}, not ${want}`);
  }
}
// A PNG data URL's RGBA pixels, decoded by the browser.
const pngPixels = (url) => page.evaluate(async (u) => {
  const img = new Image();
  img.src = u;
  await img.decode();
  const c = document.createElement('canvas');
  c.width = img.naturalWidth; c.height = img.naturalHeight;
  const g = c.getContext('2d');
  g.drawImage(img, 0, 0);
  return { w: img.naturalWidth, h: img.naturalHeight, data: [...g.getImageData(0, 0, c.width, c.height).data] };
}, url);

async function submit(taskId) {
  const saved = page.waitForResponse((r) => r.request().method() === 'POST' && /\/api\/tasks\/\d+\/annotations\/?$/.test(r.url()));
  await page.keyboard.press('Control+Enter');
  const res = await saved;
  assert.equal(res.status(), 201, `submit answered ${res.status()}: ${await res.text()}`);
  const list = await call(page, 'GET', `/api/tasks/${taskId}/annotations`);
  assert.equal(list.status, 200);
  return list.body.at(-1).result;
}

test('a brush mask is moved by a drag in select mode, as one undo step; the moved mask is submitted', async () => {
  await openTask(taskIds[0]);
  await pick('[data-control=brush] [data-label=Sky]');
  await drag(await at(10, 50), await at(30, 55));
  await waitCount(1);
  const before = (await regionOf('brush')).value.rle;
  const a0 = alphaOf(rleDecode(before));
  const box0 = bbox(a0);
  assert.ok(box0.x1 > box0.x0 && a0[Math.round(0.525 * H) * W + Math.round(0.2 * W)] > 0, 'the stroke is not in the mask');

  // Select mode: a press on the mask's pixels selects it, the drag moves it.
  await page.keyboard.press('v');
  const grab = await at(20, 52.5);
  const drop = await at(45, 70);
  await drag(grab, drop);
  await page.waitForFunction((rle) => {
    const e = [...document.querySelector('.annot-image').annotImage.entries.values()].find((x) => x.kind === 'brush');
    return e.region.value.rle !== rle && e.region.value.rle.length !== 0 && JSON.stringify(e.region.value.rle) !== JSON.stringify(rle);
  }, before);
  const moved = (await regionOf('brush')).value.rle;
  const a1 = alphaOf(rleDecode(moved));
  const box1 = bbox(a1);
  const dx = box1.x0 - box0.x0;
  const dy = box1.y0 - box0.y0;
  // By what the pointer moved, to a pixel, and pixel for pixel the same mask.
  near(dx, (drop.px - grab.px) * W / 100, 'mask moved in x (pixels)', 1);
  near(dy, (drop.py - grab.py) * H / 100, 'mask moved in y (pixels)', 1);
  assertShifted(a0, a1, dx, dy);

  // One undo step: the mask is back where it was drawn (the region stays); redo moves it again.
  await page.keyboard.press('Control+z');
  await page.waitForFunction((rle) => JSON.stringify([...document.querySelector('.annot-image').annotImage.entries.values()]
    .find((x) => x.kind === 'brush').region.value.rle) === JSON.stringify(rle), before);
  assert.equal((await regions()).length, 1);
  await page.keyboard.press('Control+Shift+z');
  await page.waitForFunction((rle) => JSON.stringify([...document.querySelector('.annot-image').annotImage.entries.values()]
    .find((x) => x.kind === 'brush').region.value.rle) === JSON.stringify(rle), moved);
  // The view shows the redone mask (decoded from the region, not a stale canvas).
  const shown = await page.evaluate(([x, y]) => {
    const e = [...document.querySelector('.annot-image').annotImage.entries.values()].find((r) => r.kind === 'brush');
    return e.mask.getContext('2d').getImageData(x, y, 1, 1).data[3];
  }, [Math.round(box1.x0 + (box1.x1 - box1.x0) / 2), Math.round(box1.y0 + (box1.y1 - box1.y0) / 2)]);
  assert.ok(shown > 0, 'the redone mask is not shown where it moved');

  const result = await submit(taskIds[0]);
  const [brush] = result.filter((r) => r.type === 'brushlabels');
  assert.equal(brush.value.format, 'rle');
  assert.deepEqual(brush.value.brushlabels, ['Sky']);
  assert.deepEqual(brush.value.rle, moved);
  assert.equal(brush.original_width, W);
  assert.deepEqual(browser.problems, []);
});

test('vector paths: a closed labelled path and an open one (maxPoints finishes it); vertices dragged, inserted, deleted; the path moved; undo', async () => {
  await openTask(taskIds[1]);
  // A closable VectorLabels path: three clicks, then a click on the first vertex closes it.
  await pick('[data-control=lanes] [data-label=Lane]');
  const tri = [await at(10, 10), await at(40, 12), await at(25, 40)];
  for (const p of tri) await page.mouse.click(p.x, p.y);
  await page.mouse.click(tri[0].x, tri[0].y);
  await waitCount(1);
  const lane = await regionOf('lanes');
  assert.equal(lane.type, 'vectorlabels');
  assert.equal(lane.value.closed, true);
  assert.deepEqual(lane.value.vectorlabels, ['Lane']);
  assert.equal(lane.value.vertices.length, 3);
  lane.value.vertices.forEach((v, i) => {
    near(v.x, tri[i].px, `lane vertex ${i} x`);
    near(v.y, tri[i].py, `lane vertex ${i} y`);
    assert.equal(typeof v.id, 'string');
    assert.equal(v.prevPointId, i ? lane.value.vertices[i - 1].id : null);
    assert.equal(v.isBezier, false);
  });
  assert.equal(new Set(lane.value.vertices.map((v) => v.id)).size, 3, 'vertex ids are not unique');

  // The bare Vector tool (maxPoints 3): the third click finishes the path, open.
  await pick('[data-control=path] .annot-tool-button');
  const line = [await at(55, 60), await at(75, 60), await at(90, 80)];
  for (const p of line) await page.mouse.click(p.x, p.y);
  await waitCount(2);
  let path = await regionOf('path');
  assert.equal(path.type, 'vector');
  assert.equal(path.value.closed, false);
  assert.equal(path.value.vertices.length, 3);
  assert.equal(path.value.vectorlabels, undefined);
  const ids = path.value.vertices.map((v) => v.id);

  // Selected (select mode, a click on the line): a click on an edge cannot add a 4th vertex...
  await page.keyboard.press('v');
  const onLine = await at(65, 60);
  await page.mouse.click(onLine.x, onLine.y);
  await page.waitForFunction(() => document.querySelector('.annot-image').annotImage.selected.size === 1);
  const mid = await at(82.5, 70);
  await page.mouse.click(mid.x, mid.y);
  await page.getByText('has at most 3 points').waitFor();
  assert.equal((await regionOf('path')).value.vertices.length, 3);
  // ...alt+click deletes the middle vertex; then a click on the edge inserts one, with a new id.
  await page.keyboard.down('Alt');
  await page.mouse.click(line[1].x, line[1].y);
  await page.keyboard.up('Alt');
  await page.waitForFunction(() => [...document.querySelector('.annot-image').annotImage.entries.values()]
    .find((e) => e.region.from_name === 'path').region.value.vertices.length === 2);
  await painted();
  path = await regionOf('path');
  assert.deepEqual(path.value.vertices.map((v) => v.id), [ids[0], ids[2]]);
  assert.equal(path.value.vertices[1].prevPointId, ids[0]);
  const edge = await at(72.5, 70);
  await page.mouse.click(edge.x, edge.y);
  await page.waitForFunction(() => [...document.querySelector('.annot-image').annotImage.entries.values()]
    .find((e) => e.region.from_name === 'path').region.value.vertices.length === 3);
  await painted();
  path = await regionOf('path');
  const [p0, p1, p2] = path.value.vertices;
  assert.equal(p0.id, ids[0]);
  assert.equal(p2.id, ids[2]);
  assert.ok(!ids.includes(p1.id), 'the inserted vertex reuses an id');
  assert.equal(p1.prevPointId, p0.id);
  assert.equal(p2.prevPointId, p1.id);
  near(p1.x, edge.px, 'inserted vertex x', 0.5);
  near(p1.y, edge.py, 'inserted vertex y', 0.5);

  // A vertex handle dragged moves that vertex only.
  const v2 = await at(p2.x, p2.y);
  const v2to = await at(p2.x - 5, p2.y + 8);
  await drag(v2, v2to);
  await page.waitForFunction((y) => [...document.querySelector('.annot-image').annotImage.entries.values()]
    .find((e) => e.region.from_name === 'path').region.value.vertices[2].y > y + 4, p2.y);
  await painted();
  let now = (await regionOf('path')).value.vertices;
  near(now[2].x, p2.x + v2to.px - v2.px, 'dragged vertex x', 0.5);
  near(now[2].y, p2.y + v2to.py - v2.py, 'dragged vertex y', 0.5);
  near(now[0].x, p0.x, 'the first vertex x');
  assert.equal(now[2].id, ids[2]);

  // A drag on the line moves the whole path by the pointer's move; undo puts it back.
  const before = now;
  const grab = await at((now[0].x + now[1].x) / 2, (now[0].y + now[1].y) / 2);
  const drop = await at((now[0].x + now[1].x) / 2 - 20, (now[0].y + now[1].y) / 2 - 30);
  await drag(grab, drop);
  await page.waitForFunction((x) => [...document.querySelector('.annot-image').annotImage.entries.values()]
    .find((e) => e.region.from_name === 'path').region.value.vertices[0].x < x - 10, before[0].x);
  now = (await regionOf('path')).value.vertices;
  now.forEach((v, i) => {
    near(v.x - before[i].x, drop.px - grab.px, `moved vertex ${i} x`, 0.5);
    near(v.y - before[i].y, drop.py - grab.py, `moved vertex ${i} y`, 0.5);
    assert.equal(v.id, before[i].id);
  });
  await page.keyboard.press('Control+z');
  await page.waitForFunction((x) => Math.abs([...document.querySelector('.annot-image').annotImage.entries.values()]
    .find((e) => e.region.from_name === 'path').region.value.vertices[0].x - x) < 1e-9, before[0].x);
  await page.keyboard.press('Control+Shift+z');
  await page.waitForFunction((x) => [...document.querySelector('.annot-image').annotImage.entries.values()]
    .find((e) => e.region.from_name === 'path').region.value.vertices[0].x < x - 10, before[0].x);

  // A path shorter than minPoints is not finished by Enter; Escape drops it. (Leaving select mode
  // returns to the path tool, still active: its button would toggle it off.)
  await page.keyboard.press('v');
  const lone = await at(10, 85);
  await page.mouse.click(lone.x, lone.y);
  await page.keyboard.press('Enter');
  await page.getByText('needs at least 2 points').waitFor();
  await page.keyboard.press('Escape');
  assert.equal((await regions()).length, 2);

  const mine = await regions();
  const result = await submit(taskIds[1]);
  for (const type of ['vectorlabels', 'vector']) {
    const [got] = result.filter((r) => r.type === type);
    const drawn = mine.find((r) => r.type === type);
    assert.equal(got.to_name, 'img');
    assert.equal(got.original_width, W);
    assert.equal(got.original_height, H);
    assert.deepEqual(got.value, drawn.value, `${type} read back differs`);
  }
  // Reopened, both paths are drawn from the stored vertices (open and closed as stored).
  await openTask(taskIds[1]);
  await waitCount(2);
  const shown = await page.evaluate(() => [...document.querySelector('.annot-image').annotImage.entries.values()]
    .map((e) => ({ type: e.region.type, n: e.node.points().length / 2, closed: e.node.closed() })));
  assert.deepEqual(shown.sort((x, y) => x.type.localeCompare(y.type)),
    [{ type: 'vector', n: 3, closed: false }, { type: 'vectorlabels', n: 3, closed: true }]);
  assert.deepEqual(browser.problems, []);
});

test('a BitmaskLabels mask is painted (a PNG the image size) and moved; the MagicWand fills the disc into the chosen brush label', async () => {
  await openTask(taskIds[2]);
  await pick('[data-control=bits] [data-label=Cell]');
  await drag(await at(10, 70), await at(30, 70));
  await waitCount(1);
  let bits = await regionOf('bits');
  assert.equal(bits.type, 'bitmasklabels');
  assert.deepEqual(bits.value.bitmasklabels, ['Cell']);
  assert.match(bits.value.imageDataURL, /^data:image\/png;base64,/);
  const png0 = await pngPixels(bits.value.imageDataURL);
  assert.deepEqual([png0.w, png0.h], [W, H]);
  const b0 = alphaOf(png0.data);
  assert.ok(b0[Math.round(0.7 * H) * W + Math.round(0.2 * W)] > 0, 'the stroke is not in the bitmask');
  assert.equal(b0[Math.round(0.2 * H) * W + Math.round(0.2 * W)], 0, 'the bitmask covers a point far from the stroke');

  await page.keyboard.press('v');
  const grab = await at(20, 70);
  const drop = await at(30, 50);
  await drag(grab, drop);
  await page.waitForFunction((u) => [...document.querySelector('.annot-image').annotImage.entries.values()]
    .find((e) => e.kind === 'bitmask').region.value.imageDataURL !== u, bits.value.imageDataURL);
  bits = await regionOf('bits');
  const b1 = alphaOf((await pngPixels(bits.value.imageDataURL)).data);
  const dx = bbox(b1).x0 - bbox(b0).x0;
  const dy = bbox(b1).y0 - bbox(b0).y0;
  near(dx, (drop.px - grab.px) * W / 100, 'bitmask moved in x (pixels)', 1);
  near(dy, (drop.py - grab.py) * H / 100, 'bitmask moved in y (pixels)', 1);
  assertShifted(b0, b1, dx, dy);
  // The eraser (e) cuts across the selected bitmask's middle; its ends stay.
  await page.keyboard.press('e');
  const mx = 20 + (drop.px - grab.px);
  const my = 70 + (drop.py - grab.py);
  await drag(await at(mx, my - 10), await at(mx, my + 10));
  await page.waitForFunction((u) => [...document.querySelector('.annot-image').annotImage.entries.values()]
    .find((e) => e.kind === 'bitmask').region.value.imageDataURL !== u, bits.value.imageDataURL);
  bits = await regionOf('bits');
  const b2 = alphaOf((await pngPixels(bits.value.imageDataURL)).data);
  const px = (xp, yp) => b2[Math.round(yp * H / 100) * W + Math.round(xp * W / 100)];
  assert.equal(px(mx, my), 0, 'the eraser left the middle of the bitmask');
  assert.ok(px(mx - 7, my) > 0 && px(mx + 7, my) > 0, 'the eraser took the ends of the bitmask');
  await page.keyboard.press('e');

  // The wand adds to the brush label chosen last: pick Sky, then the wand, click in the disc.
  await page.keyboard.press('Escape');   // nothing selected, so picking a label does not relabel
  await pick('[data-control=brush] [data-label=Sky]');
  await pick('[data-control=wand] .annot-tool-button');
  const seed = await at(DISC.x / W * 100, DISC.y / H * 100);
  await page.mouse.click(seed.x, seed.y);
  await waitCount(2);
  const filled = await regionOf('brush');
  assert.equal(filled.type, 'brushlabels');
  assert.deepEqual(filled.value.brushlabels, ['Sky']);
  const a = alphaOf(rleDecode(filled.value.rle));
  for (let y = 0; y < H; ++y) for (let x = 0; x < W; ++x) {
    if ((a[y * W + x] > 0) !== inDisc(x, y)) assert.fail(`wand fill at (${x}, ${y}): ${a[y * W + x]}, in the disc: ${inDisc(x, y)}`);
  }

  // On the gradient: a click takes the pixels within 10 of the seed's colour; pressing there and
  // dragging 40 screen pixels away widens the tolerance to 50, so the fill is larger and holds the first.
  await page.keyboard.press('Escape');
  const bg = await at(20, 20);
  await page.mouse.click(bg.x, bg.y);
  await waitCount(3);
  await page.mouse.move(bg.x, bg.y);
  await page.mouse.down();
  for (let i = 1; i <= 8; ++i) await page.mouse.move(bg.x + 5 * i, bg.y);
  await page.mouse.up();
  await waitCount(4);
  const fills = (await regions()).filter((r) => r.type === 'brushlabels' && r.id !== filled.id);
  assert.equal(fills.length, 2);
  const [narrow, wide] = fills.map((r) => alphaOf(rleDecode(r.value.rle)));
  const size = (m) => m.reduce((n, v) => n + (v > 0), 0);
  assert.ok(size(narrow) > 0 && size(wide) > 2 * size(narrow), `the drag did not widen the fill: ${size(narrow)} -> ${size(wide)}`);
  for (let i = 0; i < W * H; ++i) if (narrow[i] && !wide[i]) assert.fail(`pixel ${i} of the click's fill is not in the dragged fill`);
  assert.equal(wide[DISC.y * W + DISC.x], 0, 'the widened fill reached the disc');

  const drawnNow = await regions();
  const result = await submit(taskIds[2]);
  const [gotBits] = result.filter((r) => r.type === 'bitmasklabels');
  assert.equal(gotBits.value.imageDataURL, bits.value.imageDataURL);
  for (const r of drawnNow.filter((x) => x.type === 'brushlabels')) {
    const got = result.find((x) => x.id === r.id && x.type === 'brushlabels');
    assert.ok(got, `brush region ${r.id} not read back`);
    assert.deepEqual(got.value.rle, r.value.rle);
  }
  // Reopened, the stored bitmask is decoded from its PNG and shown where it was moved to.
  await openTask(taskIds[2]);
  await waitCount(4);
  const movedTo = { x: Math.round(0.13 * W + dx), y: Math.round(0.7 * H + dy) };   // an end of the stroke (the middle is erased)
  await page.waitForFunction(([x, y]) => {
    const e = [...document.querySelector('.annot-image').annotImage.entries.values()].find((r) => r.kind === 'bitmask');
    return e.mask.getContext('2d').getImageData(x, y, 1, 1).data[3] > 0;
  }, [movedTo.x, movedTo.y]);
  assert.deepEqual(browser.problems, []);
});

// Label Studio's OCR template: tools without labels of their own and a <Labels> beside them. The
// saved rectangle and its labels are two results with one id; the colour is the label's.
test('Rectangle and Polygon with a separate Labels are drawn, listed and reloaded in the label colour', async () => {
  const config = `<View>
  <Image name="image" value="$image"/>
  <Labels name="label" toName="image"><Label value="Handwriting" background="#0000ff"/><Label value="Print" background="#00aa00"/></Labels>
  <Rectangle name="bbox" toName="image"/>
  <Polygon name="poly" toName="image"/>
</View>`;
  const { projectId: pid, taskIds: [tid] } = await createProject(page, { title: 'OCR', config, tasks: [{ image: IMAGE }] });
  const open = async () => {
    await page.goto(`${host.base}/projects/${pid}/data?task=${tid}`);
    await editorReady(page);
    await page.locator('.annot-image[data-state=ready]').waitFor();
  };
  // The stroke the view gives each region, and the outliner's swatch, by tool.
  const colours = () => page.evaluate(() => Object.fromEntries([...document.querySelector('.annot-image').annotImage.entries.values()]
    .map((e) => [e.region.from_name, { stroke: e.node.stroke(),
      swatch: getComputedStyle(document.querySelector(`.annot-outliner-row[data-region-id="${e.region.id}"] .annot-label-swatch`)).backgroundColor }])));
  const BLUE = { stroke: '#0000ff', swatch: 'rgb(0, 0, 255)' };
  const GREEN = { stroke: '#00aa00', swatch: 'rgb(0, 170, 0)' };
  await open();
  await pick('[data-control=label] [data-label=Handwriting]');
  await drag(await at(10, 10), await at(40, 40));
  await waitCount(1);
  await page.keyboard.press('Escape');
  await pick('[data-control=poly] .annot-tool-button');
  await pick('[data-control=label] [data-label=Print]');
  for (const p of [await at(60, 60), await at(90, 60), await at(75, 90)]) await page.mouse.click(p.x, p.y);
  await page.keyboard.press('Enter');
  await waitCount(2);
  await page.keyboard.press('Escape');
  await painted();
  assert.deepEqual(await colours(), { bbox: BLUE, poly: GREEN });

  const result = await submit(tid);
  const box = result.find((r) => r.type === 'rectangle');
  assert.deepEqual(result.find((r) => r.type === 'labels' && r.id === box.id)?.value.labels, ['Handwriting']);
  // Read back from the server: the colour comes from the labels result of the same id.
  await open();
  assert.deepEqual(await colours(), { bbox: BLUE, poly: GREEN });
  // Relabelled with the Labels, the box takes the new label's colour.
  await page.getByRole('button', { name: 'Update' }).waitFor();
  await page.locator(`.annot-outliner-row[data-region-id="${box.id}"]`).click();
  await page.locator('[data-control=label] [data-label=Print]').click();
  await page.waitForFunction((id) => document.querySelector('.annot-image').annotImage.entries.get(id).node.stroke() === '#00aa00', box.id);
  assert.deepEqual((await colours()).bbox, GREEN);
  assert.deepEqual(browser.problems, []);
});

// A project of its own with one IMAGE task on `config`, its editor open and the image shown.
async function openNewTask(title, config) {
  const { projectId: pid, taskIds: [tid] } = await createProject(page, { title, config, tasks: [{ image: IMAGE }] });
  await page.goto(`${host.base}/projects/${pid}/data?task=${tid}`);
  await editorReady(page);
  await page.locator('.annot-image[data-state=ready]').waitFor();
}

test('while a polygon is drawn, Backspace and Enter typed in a text field stay the field\'s', async () => {
  const config = `<View>
  <Image name="image" value="$image"/>
  <PolygonLabels name="poly" toName="image"><Label value="Road"/></PolygonLabels>
  <TextArea name="note" toName="image"/>
</View>`;
  await openNewTask('Poly keys', config);
  await pick('[data-control=poly] [data-label=Road]');
  for (const p of [await at(20, 20), await at(60, 20), await at(40, 60)]) await page.mouse.click(p.x, p.y);
  const field = page.locator('[aria-label=note]');
  await field.click();
  await page.keyboard.type('abcd');
  await page.keyboard.press('Backspace');
  assert.equal(await field.inputValue(), 'abc', 'Backspace went to the polygon');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('.annot-editor-host').annotEditor.getResult()
    .some((r) => r.type === 'textarea'));
  const result = await page.evaluate(() => document.querySelector('.annot-editor-host').annotEditor.getResult());
  assert.deepEqual(result.filter((r) => r.type === 'textarea').map((r) => r.value.text), [['abc']]);
  assert.equal(result.filter((r) => r.type === 'polygonlabels').length, 0, 'Enter closed the polygon');
  await page.keyboard.press('Escape');
});

test('each drag of a box is one undo step: two moves, one Ctrl+Z, the box is where the first move left it', async () => {
  const config = `<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="box" toName="image"><Label value="Car"/></RectangleLabels>
</View>`;
  await openNewTask('Undo per drag', config);
  await pick('[data-control=box] [data-label=Car]');
  await drag(await at(10, 10), await at(30, 30));
  await waitCount(1);
  await page.keyboard.press('Escape');
  const x = () => page.evaluate(() => document.querySelector('.annot-editor-host').annotEditor.getResult()[0].value.x);
  const x0 = await x();
  await painted();
  await drag(await at(20, 20), await at(40, 20));
  await page.waitForFunction((v) => document.querySelector('.annot-editor-host').annotEditor.getResult()[0].value.x > v + 10, x0);
  const x1 = await x();
  await painted();
  await drag(await at(40, 20), await at(60, 20));
  await page.waitForFunction((v) => document.querySelector('.annot-editor-host').annotEditor.getResult()[0].value.x > v + 10, x1);
  await page.keyboard.press('Control+z');
  await page.waitForFunction((v) => document.querySelector('.annot-editor-host').annotEditor.getResult()[0].value.x < v + 10, x1);
  near(await x(), x1, 'after one undo', 0.5);
});

// Label Studio's undo while a polygon is being drawn: Ctrl+Z takes the open polygon's last vertex
// (the first one: the polygon), redo puts them back; the regions already drawn stay. With no
// polygon open, undo and redo are the annotation's again. The toolbar's Undo does the same.
test('Ctrl+Z while a polygon is drawn takes its last vertex, then the polygon; redo puts them back; other regions stay', async () => {
  const config = `<View>
  <Image name="image" value="$image"/>
  <KeyPointLabels name="kp" toName="image"><Label value="Eye"/></KeyPointLabels>
  <RectangleLabels name="box" toName="image"><Label value="Car"/></RectangleLabels>
  <PolygonLabels name="poly" toName="image"><Label value="Road"/></PolygonLabels>
</View>`;
  await openNewTask('Undo while drawing', config);
  const draftVertices = () => page.evaluate(() => {
    const d = document.querySelector('.annot-image').annotImage.draft;
    return d ? d.points.length / 2 : 0;
  });
  const types = async () => (await page.evaluate(() => document.querySelector('.annot-editor-host').annotEditor.getResult()
    .map((r) => r.type))).sort();
  await pick('[data-control=kp] [data-label=Eye]');
  const kp = await at(10, 80);
  await page.mouse.click(kp.x, kp.y);
  await waitCount(1);
  await pick('[data-control=box] [data-label=Car]');
  await drag(await at(10, 10), await at(30, 30));
  await waitCount(2);
  await pick('[data-control=poly] [data-label=Road]');
  const poly = [await at(50, 20), await at(90, 20), await at(90, 60), await at(50, 60)];
  for (const p of poly.slice(0, 3)) await page.mouse.click(p.x, p.y);
  assert.equal(await draftVertices(), 3);
  const drawn = await page.evaluate(() => document.querySelector('.annot-image').annotImage.draft.points.slice());

  await page.keyboard.press('Control+z');
  assert.equal(await draftVertices(), 2, 'Ctrl+Z did not take the last vertex');
  assert.deepEqual(await types(), ['keypointlabels', 'rectanglelabels'], 'Ctrl+Z undid a finished region');
  await page.keyboard.press('Control+Shift+z');
  assert.equal(await draftVertices(), 3, 'redo did not put the vertex back');
  assert.deepEqual(await page.evaluate(() => document.querySelector('.annot-image').annotImage.draft.points), drawn);
  // Nothing of the polygon's to redo: redo leaves the annotation alone while the polygon is open.
  await page.keyboard.press('Control+y');
  assert.equal(await draftVertices(), 3);
  assert.deepEqual(await types(), ['keypointlabels', 'rectanglelabels']);
  // The toolbar's Undo takes a vertex too.
  await page.locator('.annot-undo').click();
  assert.equal(await draftVertices(), 2, 'the Undo button did not take the last vertex');
  assert.deepEqual(await types(), ['keypointlabels', 'rectanglelabels']);
  // The last vertex undone drops the polygon; the next undo is the box's.
  await page.keyboard.press('Control+z');
  assert.equal(await draftVertices(), 1);
  await page.keyboard.press('Control+z');
  assert.equal(await page.evaluate(() => document.querySelector('.annot-image').annotImage.draft), null, 'the polygon is still open');
  assert.deepEqual(await types(), ['keypointlabels', 'rectanglelabels']);
  await page.keyboard.press('Control+z');
  await waitCount(1);
  assert.deepEqual(await types(), ['keypointlabels']);
  await page.keyboard.press('Control+Shift+z');
  await waitCount(2);
  assert.deepEqual(await types(), ['keypointlabels', 'rectanglelabels']);

  // A vertex undone, then a new one clicked: redo has nothing left; the closed polygon is one step.
  for (const p of poly.slice(0, 3)) await page.mouse.click(p.x, p.y);
  await page.keyboard.press('Control+z');
  await page.mouse.click(poly[3].x, poly[3].y);
  await page.keyboard.press('Control+Shift+z');
  assert.equal(await draftVertices(), 3);
  const placed = await page.evaluate(() => document.querySelector('.annot-image').annotImage.draft.points.slice());
  await page.mouse.click(poly[0].x, poly[0].y);
  await waitCount(3);
  const [pg] = (await page.evaluate(() => document.querySelector('.annot-editor-host').annotEditor.getResult()))
    .filter((r) => r.type === 'polygonlabels');
  assert.equal(pg.value.points.length, 3);
  pg.value.points.forEach(([x, y], i) => {
    near(x, placed[2 * i] / W * 100, `vertex ${i} x`, 1e-6);
    near(y, placed[2 * i + 1] / H * 100, `vertex ${i} y`, 1e-6);
  });
  await page.keyboard.press('Control+z');
  await waitCount(2);
  assert.deepEqual(await types(), ['keypointlabels', 'rectanglelabels']);
  assert.deepEqual(browser.problems, []);
});

// The toolbar's Undo and Redo are enabled exactly when Ctrl+Z / Ctrl+Shift+Z would do something:
// an open polygon's vertices count on a new annotation with no region yet, and while it is open
// the annotation's redo is out of reach (the keys leave it alone), so Redo is off then.
test('the toolbar\'s Undo and Redo follow a polygon being drawn, with no region drawn yet', async () => {
  const config = `<View>
  <Image name="image" value="$image"/>
  <PolygonLabels name="poly" toName="image"><Label value="Road"/></PolygonLabels>
</View>`;
  await openNewTask('Undo buttons while drawing', config);
  const draftVertices = () => page.evaluate(() => {
    const d = document.querySelector('.annot-image').annotImage.draft;
    return d ? d.points.length / 2 : 0;
  });
  const enabled = () => page.evaluate(() => ({ undo: !document.querySelector('.annot-undo').disabled,
    redo: !document.querySelector('.annot-redo').disabled }));
  // The buttons re-render a moment after the change: wait for the state, then say which it is.
  async function buttons(undo, redo, what) {
    await page.waitForFunction(([u, r]) => document.querySelector('.annot-undo').disabled === !u
      && document.querySelector('.annot-redo').disabled === !r, [undo, redo], { timeout: 2000 }).catch(() => {});
    assert.deepEqual(await enabled(), { undo, redo }, what);
  }
  await buttons(false, false, 'a new annotation has nothing to undo');
  await pick('[data-control=poly] [data-label=Road]');
  const poly = [await at(50, 20), await at(90, 20), await at(90, 60), await at(50, 60)];
  for (const p of poly.slice(0, 3)) await page.mouse.click(p.x, p.y);
  assert.equal(await draftVertices(), 3);
  await buttons(true, false, 'Undo is off while a polygon is drawn on an empty annotation');

  // The buttons do what the keys do: a vertex taken, then put back.
  await page.locator('.annot-undo').click();
  assert.equal(await draftVertices(), 2, 'the Undo button did not take the last vertex');
  await buttons(true, true, 'Redo is off with a vertex undone');
  await page.locator('.annot-redo').click();
  assert.equal(await draftVertices(), 3, 'the Redo button did not put the vertex back');
  await buttons(true, false, 'after the vertex was put back');

  // Closed, the polygon is the annotation's step; undone, the annotation has a redo step, which
  // a new open polygon holds back (Ctrl+Shift+Z does nothing then) until Escape drops it.
  await page.mouse.click(poly[3].x, poly[3].y);
  await page.mouse.click(poly[0].x, poly[0].y);
  await waitCount(1);
  await buttons(true, false, 'after the polygon was closed');
  await page.locator('.annot-undo').click();
  await waitCount(0);
  await buttons(false, true, 'after the polygon was undone');
  await page.mouse.click(poly[0].x, poly[0].y);
  assert.equal(await draftVertices(), 1);
  await buttons(true, false, 'Redo is on while a new polygon is open');
  await page.keyboard.press('Control+Shift+z');
  assert.equal(await draftVertices(), 1);
  await waitCount(0);
  await page.keyboard.press('Escape');
  assert.equal(await draftVertices(), 0);
  await buttons(false, true, 'after the open polygon was dropped');
  await page.locator('.annot-redo').click();
  await waitCount(1);
  await buttons(true, false, 'after the polygon was redone');
  assert.deepEqual(browser.problems, []);
});

// Every control the host's catalog lets draw regions on an Image, each in its own cell of the
// image: it draws a region of its own (the wand first, before any brush label is chosen, so it
// makes a magicwand region), or the image view shows the framework's notice for it. The host
// accepts the annotation (its validators check each result). A Pdf shows the notice, and a task
// with it cannot be submitted (the annotator cannot see the document).
test('every image control of the catalog draws its own result type or shows the notice; the host accepts them all', async () => {
  const catalog = (await call(page, 'GET', '/api/config/tags')).body.tags;
  const controls = catalog.filter((t) => t.role === 'control' && t.needs_region && (t.targets ?? []).includes('Image'))
    .map((t) => t.name).sort((x, y) => (x === 'MagicWand' ? -1 : y === 'MagicWand' ? 1 : x.localeCompare(y)));
  for (const t of ['Rectangle', 'RectangleLabels', 'Polygon', 'PolygonLabels', 'Ellipse', 'EllipseLabels', 'KeyPoint',
    'KeyPointLabels', 'Brush', 'BrushLabels', 'MagicWand', 'Vector', 'VectorLabels', 'Bitmask', 'BitmaskLabels']) {
    assert.ok(controls.includes(t), `the catalog has no ${t} on Image`);
  }
  const body = controls.map((t, i) => (t.endsWith('Labels')
    ? `<${t} name="c${i}" toName="img"><Label value="L${i}"/></${t}>` : `<${t} name="c${i}" toName="img"/>`)).join('\n  ');
  const config = `<View>\n  <Image name="img" value="$image"/>\n  ${body}\n</View>`;
  const { projectId: pid, taskIds: [tid] } = await createProject(page, { title: 'Every image tool', config, tasks: [{ image: IMAGE }] });
  await page.goto(`${host.base}/projects/${pid}/data?task=${tid}`);
  await editorReady(page);
  await page.locator('.annot-image[data-state=ready]').waitFor();

  const cols = 4;
  const drawn = [];
  const noticed = [];
  for (const [i, tag] of controls.entries()) {
    const name = `c${i}`;
    // A cell of the image (4 × 4) for this control; the wand's is on the disc.
    const cx = tag === 'MagicWand' ? DISC.x / W * 100 : (i % cols) * 25 + 6;
    const cy = tag === 'MagicWand' ? DISC.y / H * 100 : Math.floor(i / cols) * 25 + 6;
    const notice = page.locator(`.annot-image-unsupported[data-control="${name}"]`);
    if (await notice.count()) {
      assert.equal(await notice.textContent(), `${tag} (${name}) is not yet supported in the editor`);
      noticed.push(tag);
      continue;
    }
    await pick(tag.endsWith('Labels') ? `[data-control=${name}] [data-label=L${i}]` : `[data-control=${name}] .annot-tool-button`);
    const count = (await regions()).length;
    const a = await at(cx, cy);
    const b = await at(cx + 12, cy + 12);
    if (/^(Rectangle|Ellipse|Brush|Bitmask)/.test(tag)) {
      await drag(a, b);
    } else if (/^Polygon/.test(tag)) {
      for (const p of [a, await at(cx + 12, cy), b]) await page.mouse.click(p.x, p.y);
      await page.keyboard.press('Enter');
    } else if (/^Vector/.test(tag)) {
      for (const p of [a, b]) await page.mouse.click(p.x, p.y);
      await page.keyboard.press('Enter');
    } else {
      await page.mouse.click(a.x, a.y);
    }
    await waitCount(count + 1);
    const r = await regionOf(name);
    assert.ok(r, `${tag} drew no region of its own`);
    assert.equal(r.type, tag.toLowerCase(), `${tag} drew a ${r.type}`);
    if (tag.endsWith('Labels')) assert.deepEqual(r.value[r.type], [`L${i}`]);
    drawn.push(tag);
    await page.keyboard.press('Escape');
  }
  assert.equal(drawn.length + noticed.length, controls.length);
  assert.deepEqual(noticed, [], `controls shown as not supported: ${noticed.join(', ')}`);

  const result = await submit(tid);
  for (const [i, tag] of controls.entries()) {
    assert.ok(result.some((r) => r.from_name === `c${i}` && r.type === tag.toLowerCase()), `no ${tag} result read back`);
  }

  const withPdf = `<View>\n  <Image name="img" value="$image"/>\n  <Rectangle name="box" toName="img"/>\n  <Pdf name="doc" value="$pdf"/>
  <Choices name="kind" toName="doc"><Choice value="Invoice"/></Choices>\n</View>`;
  const pdf = await createProject(page, { title: 'Image and PDF', config: withPdf, tasks: [{ image: IMAGE, pdf: 'https://example.invalid/a.pdf' }] });
  await page.goto(`${host.base}/projects/${pdf.projectId}/data?task=${pdf.taskIds[0]}`);
  await editorReady(page);
  await page.locator('.annot-tag-pdf.annot-unsupported', { hasText: 'Pdf (doc) is not yet supported in the editor' }).waitFor();
  await page.locator('.annot-cannot-label', { hasText: 'Cannot be labeled here: Pdf (doc) has no editor yet' }).waitFor();
  assert.equal(await page.locator('.annot-submit, .annot-skip').count(), 0, 'Submit or Skip offered');
  assert.deepEqual(browser.problems, []);
});
