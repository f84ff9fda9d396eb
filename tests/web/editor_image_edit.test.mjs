// Editing image regions in real Chromium against the real host. Shapes stay inside the image as in
// Label Studio: a box (square and rotated), an ellipse, a polygon, a keypoint and a vector path
// dragged past each edge stop there keeping their size; a box and an ellipse resized past the border
// stop at it, a rotated box resized or turned stays inside; a polygon vertex stops at the edge; a
// brush mask moved past the edge keeps every pixel; on a turned image the bounds are the image's.
// The annotation read back from the REST API is inside 0..100 and the host takes every draft and
// update. A label of another control goes only to the selected regions its control can label
// (RectangleLabels to boxes, a plain <Labels> to any region); otherwise it is picked for the next
// drawing. Arrow keys move the selected regions (shift: ten pixels), stop at the edge, follow a turned image
// and undo as one step. A box or an ellipse drawn with the pointer leaving the image stops at its edge.
// The keys panel lists the image's keys ('+' and 'shift++' among them). No console errors or failed requests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { exitWhenBrowserTestsCannotRun, startSession, stopSession, makePng } from './harness.mjs';
import { signUp, call, createProject, editorReady, imagePoint, mouseDrag } from './editor_helpers.mjs';
import { rleDecode } from '../../plugins/image/ui/rle.js';

exitWhenBrowserTestsCannotRun();

const W = 640;
const H = 400;
const PNG = makePng(W, H, (x, y) => [x * 0.35, 60 + y * 0.4, 160 - y * 0.2, 255]);
const IMAGE = `data:image/png;base64,${PNG.toString('base64')}`;

const CONFIG = `<View>
  <Image name="img" value="$image" rotateControl="true" maxHeight="600px"/>
  <RectangleLabels name="box" toName="img"><Label value="Car" hotkey="c" background="#e5484d"/><Label value="Bus" hotkey="b"/></RectangleLabels>
  <PolygonLabels name="poly" toName="img"><Label value="Road" hotkey="r" background="#3e63dd"/></PolygonLabels>
  <EllipseLabels name="ell" toName="img"><Label value="Wheel" hotkey="w"/></EllipseLabels>
  <KeyPointLabels name="kp" toName="img"><Label value="Eye" hotkey="k"/></KeyPointLabels>
  <BrushLabels name="brush" toName="img"><Label value="Sky" hotkey="s"/></BrushLabels>
  <VectorLabels name="vec" toName="img" closable="true"><Label value="Lane" hotkey="l"/></VectorLabels>
</View>`;

let host;
let browser;
let page;
let projectId;

before(async () => {
  // A tall window (and a stage at most 600 pixels high): the pointer goes past the image's bottom
  // edge and stays on the page.
  ({ host, browser, page } = await startSession(15000, { viewport: { width: 1280, height: 1200 } }));
  await signUp(page, host.base, 'edges@example.com');
  ({ projectId } = await createProject(page, { title: 'Image edges', config: CONFIG, tasks: [{ image: IMAGE }] }));
});

after(() => stopSession(host, browser));

const EPS = 1e-9;
const near = (a, b, what, tol = 0.1) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} is not within ${tol} of ${b}`);
const at = (xPct, yPct) => imagePoint(page, W, H, xPct, yPct);
const drag = (from, to) => mouseDrag(page, from, to);
const regions = () => page.evaluate(() => [...document.querySelector('.annot-image').annotImage.entries.values()].map((e) => e.region));
const regionById = async (id) => (await regions()).find((r) => r.id === id);
const waitCount = (n) => page.waitForFunction((k) => document.querySelector('.annot-image').annotImage.entries.size === k, n);
const painted = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

async function openTask(id) {
  await page.goto(`${host.base}/projects/${projectId}/data?task=${id}`);
  await editorReady(page);
  await page.locator('.annot-image[data-state=ready]').waitFor();
}

async function newTask() {
  await call(page, 'POST', `/api/projects/${projectId}/import`, [{ image: IMAGE }]);
  const listed = await call(page, 'GET', `/api/tasks?project=${projectId}&page_size=1000`);
  return Math.max(...listed.body.tasks.map((t) => t.id));
}

// A page point past a corner of the image (the pointer leaves the image, away from its middle;
// on the page), the corner given in percent of the image: (100, 100) is its bottom-right.
async function pastCorner(xPct, yPct) {
  const size = page.viewportSize();
  const c = await at(xPct, yPct);
  const m = await at(50, 50);
  const p = { x: c.x + Math.sign(c.x - m.x) * 20, y: c.y + Math.sign(c.y - m.y) * 20 };
  assert.ok(p.x >= 2 && p.y >= 2 && p.x <= size.width - 2 && p.y <= size.height - 2, `no room past the corner (${xPct}, ${yPct}): ${JSON.stringify(c)}`);
  return p;
}
const BOTTOM_RIGHT = [100, 100];
const TOP_LEFT = [0, 0];

// Submit (or update) with ctrl+enter; the stored result read back through the REST API.
async function save(taskId) {
  const saved = page.waitForResponse((r) => /\/api\/(tasks\/\d+\/annotations|annotations\/\d+)\/?$/.test(r.url()) &&
    ['POST', 'PATCH'].includes(r.request().method()));
  await page.keyboard.press('Control+Enter');
  const res = await saved;
  assert.ok(res.status() < 300, `saving answered ${res.status()}: ${await res.text()}`);
  const list = await call(page, 'GET', `/api/tasks/${taskId}/annotations`);
  assert.equal(list.status, 200);
  return list.body.at(-1).result;
}

// The corners of a (possibly rotated) box in percent of the image, as Label Studio turns it: around
// its top-left corner, in pixels.
function corners(v) {
  const a = (v.rotation ?? 0) * Math.PI / 180;
  const w = v.width * W / 100;
  const h = v.height * H / 100;
  return [[0, 0], [w, 0], [0, h], [w, h]].map(([x, y]) => [
    v.x + (x * Math.cos(a) - y * Math.sin(a)) / W * 100, v.y + (x * Math.sin(a) + y * Math.cos(a)) / H * 100]);
}

// The percent box {x0, y0, x1, y1} a region covers.
function extent(r) {
  const v = r.value;
  let pts;
  if (r.type === 'rectanglelabels') pts = corners(v);
  else if (r.type === 'polygonlabels') pts = v.points;
  else if (r.type === 'keypointlabels') pts = [[v.x, v.y]];
  else if (r.type === 'vectorlabels') pts = v.vertices.map((p) => [p.x, p.y]);
  else if (r.type === 'ellipselabels') {
    const a = (v.rotation ?? 0) * Math.PI / 180;
    const rx = v.radiusX * W / 100;
    const ry = v.radiusY * H / 100;
    const ex = Math.hypot(rx * Math.cos(a), ry * Math.sin(a)) / W * 100;
    const ey = Math.hypot(rx * Math.sin(a), ry * Math.cos(a)) / H * 100;
    pts = [[v.x - ex, v.y - ey], [v.x + ex, v.y + ey]];
  }
  return { x0: Math.min(...pts.map((p) => p[0])), y0: Math.min(...pts.map((p) => p[1])),
    x1: Math.max(...pts.map((p) => p[0])), y1: Math.max(...pts.map((p) => p[1])) };
}

function assertInside(r, what) {
  for (const k of ['x', 'y', 'width', 'height', 'radiusX', 'radiusY']) {
    if (r.value[k] !== undefined) assert.ok(r.value[k] >= 0 && r.value[k] <= 100, `${what}: value.${k} = ${r.value[k]}`);
  }
  for (const [x, y] of r.value.points ?? r.value.vertices?.map((p) => [p.x, p.y]) ?? []) assert.ok(x >= 0 && x <= 100 && y >= 0 && y <= 100, `${what}: point ${x}, ${y}`);
  const e = extent(r);
  assert.ok(e.x0 >= -EPS && e.y0 >= -EPS && e.x1 <= 100 + EPS && e.y1 <= 100 + EPS, `${what} leaves the image: ${JSON.stringify(e)}`);
}

// The size of a region (what a move must keep).
const sizeOf = (r) => {
  const v = r.value;
  if (r.type === 'polygonlabels') return v.points.map(([x, y]) => [x - v.points[0][0], y - v.points[0][1]]).flat();
  if (r.type === 'vectorlabels') return v.vertices.map((p) => [p.x - v.vertices[0].x, p.y - v.vertices[0].y]).flat();
  return [v.width, v.height, v.radiusX, v.radiusY, v.rotation].filter((x) => x !== undefined);
};
function assertSameSize(r, before, what) {
  const a = sizeOf(r);
  const b = sizeOf(before);
  a.forEach((x, i) => near(x, b[i], `${what} size [${i}]`, 1e-6));
}

// A handle of the transformer (on the selected box or ellipse), in page coordinates.
const handle = (name) => page.evaluate((n) => {
  const v = document.querySelector('.annot-image').annotImage;
  const p = v.transformer.findOne(`.${n}`).getAbsolutePosition();
  const r = v.stageEl.getBoundingClientRect();
  return { x: Math.round(r.left + p.x), y: Math.round(r.top + p.y) };
}, name);
async function select(xPct, yPct) {
  const p = await at(xPct, yPct);
  await page.mouse.click(p.x, p.y);
  await painted();
}

const item = (id, type, value) => ({ id, from_name: { rectanglelabels: 'box', polygonlabels: 'poly', ellipselabels: 'ell',
  keypointlabels: 'kp', vectorlabels: 'vec' }[type], to_name: 'img', type, original_width: W, original_height: H, image_rotation: 0, value });

test('every shape dragged past each edge stops there keeping its size; the saved result is inside the image', async () => {
  const taskId = await newTask();
  // The box of the report (10 %, 10 %)-(30 %, 40 %), a rotated box, an ellipse, a polygon, a keypoint.
  const start = [
    item('box1', 'rectanglelabels', { x: 10, y: 10, width: 20, height: 30, rotation: 0, rectanglelabels: ['Car'] }),
    item('box2', 'rectanglelabels', { x: 50, y: 15, width: 20, height: 10, rotation: 30, rectanglelabels: ['Bus'] }),
    item('ell1', 'ellipselabels', { x: 30, y: 75, radiusX: 8, radiusY: 10, rotation: 0, ellipselabels: ['Wheel'] }),
    item('poly1', 'polygonlabels', { points: [[60, 60], [80, 60], [70, 80]], closed: true, polygonlabels: ['Road'] }),
    item('kp1', 'keypointlabels', { x: 90, y: 10, width: 1, keypointlabels: ['Eye'] }),
    item('vec1', 'vectorlabels', { vertices: [[85, 40], [97, 40], [91, 55]].map(([x, y], i) => ({ id: `v${i}`, x, y,
      prevPointId: i ? `v${i - 1}` : null, isBezier: false })), closed: true, vectorlabels: ['Lane'] }),
  ];
  const made = await call(page, 'POST', `/api/tasks/${taskId}/annotations`, { result: start });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  await openTask(taskId);
  await waitCount(6);
  await page.keyboard.press('v');
  // Each shape is grabbed by the middle of what it covers (inside each of these shapes; a keypoint
  // in a corner a little inside the image, on its dot).
  const grab = (r) => {
    const e = extent(r);
    const mid = (a, b) => Math.min(99.5, Math.max(0.5, (a + b) / 2));
    return at(mid(e.x0, e.x1), mid(e.y0, e.y1));
  };
  for (const s of start) {
    const before = await regionById(s.id);
    await drag(await grab(before), await pastCorner(...BOTTOM_RIGHT));
    await painted();
    let r = await regionById(s.id);
    assertInside(r, `${s.id} dragged past the bottom-right`);
    assertSameSize(r, before, `${s.id} dragged past the bottom-right`);
    let e = extent(r);
    near(e.x1, 100, `${s.id} right edge`, 1e-6);
    near(e.y1, 100, `${s.id} bottom edge`, 1e-6);
    await drag(await grab(r), await pastCorner(...TOP_LEFT));
    await painted();
    r = await regionById(s.id);
    assertInside(r, `${s.id} dragged past the top-left`);
    assertSameSize(r, before, `${s.id} dragged past the top-left`);
    e = extent(r);
    near(e.x0, 0, `${s.id} left edge`, 1e-6);
    near(e.y0, 0, `${s.id} top edge`, 1e-6);
    // Back where it started (undo), so it does not cover the next shape's grab point.
    await page.keyboard.press('Control+z');
    if (JSON.stringify((await regionById(s.id)).value) !== JSON.stringify(before.value)) await page.keyboard.press('Control+z');
    assert.deepEqual((await regionById(s.id)).value, before.value, `${s.id} after undo`);
    await page.keyboard.press('Escape');
    await painted();
  }
  // Once more, each shape past one corner, and saved.
  const past = { box1: BOTTOM_RIGHT, box2: TOP_LEFT, ell1: BOTTOM_RIGHT, poly1: TOP_LEFT, kp1: BOTTOM_RIGHT, vec1: BOTTOM_RIGHT };
  for (const s of start) {
    await drag(await grab(await regionById(s.id)), await pastCorner(...past[s.id]));
    await page.keyboard.press('Escape');
    await painted();
  }
  const result = await save(taskId);
  assert.equal(result.length, 6);
  for (const r of result) {
    assertInside(r, `saved ${r.id}`);
    assertSameSize(r, start.find((s) => s.id === r.id), `saved ${r.id}`);
  }
  const box = result.find((r) => r.id === 'box1').value;
  near(box.x, 80, 'box x', 1e-6);
  near(box.y, 70, 'box y', 1e-6);
  near(extent(result.find((r) => r.id === 'box2')).x0, 0, 'rotated box left edge', 1e-6);
  assert.deepEqual(browser.problems, []);
});

test('resizing stops at the border: a box, an ellipse, a rotated box (resized and turned); a polygon vertex; a brush mask moves whole', async () => {
  const taskId = await newTask();
  const start = [
    item('box1', 'rectanglelabels', { x: 10, y: 10, width: 20, height: 30, rotation: 0, rectanglelabels: ['Car'] }),
    item('box2', 'rectanglelabels', { x: 60, y: 10, width: 20, height: 10, rotation: 30, rectanglelabels: ['Bus'] }),
    item('ell1', 'ellipselabels', { x: 30, y: 75, radiusX: 8, radiusY: 10, rotation: 0, ellipselabels: ['Wheel'] }),
    item('poly1', 'polygonlabels', { points: [[60, 60], [80, 60], [70, 80]], closed: true, polygonlabels: ['Road'] }),
  ];
  assert.equal((await call(page, 'POST', `/api/tasks/${taskId}/annotations`, { result: start })).status, 201);
  await openTask(taskId);
  await waitCount(4);
  await page.keyboard.press('v');

  // The square box: its bottom-right handle past the image's corner, then its top-left one.
  await select(20, 25);
  await drag(await handle('bottom-right'), await pastCorner(...BOTTOM_RIGHT));
  let r = await regionById('box1');
  assertInside(r, 'box resized to the bottom-right');
  near(r.value.x, 10, 'box x kept', 1e-6);
  near(r.value.y, 10, 'box y kept', 1e-6);
  near(r.value.x + r.value.width, 100, 'box right edge', 1e-6);
  near(r.value.y + r.value.height, 100, 'box bottom edge', 1e-6);
  await painted();
  await drag(await handle('top-left'), await pastCorner(...TOP_LEFT));
  r = await regionById('box1');
  assertInside(r, 'box resized to the top-left');
  near(r.value.x, 0, 'box left edge', 1e-6);
  near(r.value.y, 0, 'box top edge', 1e-6);
  near(r.value.width, 100, 'box width', 1e-6);
  near(r.value.height, 100, 'box height', 1e-6);
  await page.keyboard.press('Control+z');
  await page.keyboard.press('Control+z');
  await page.keyboard.press('Escape');

  // The ellipse: its box's bottom-right handle past the corner; the top-left of its box stays.
  await select(30, 75);
  await drag(await handle('bottom-right'), await pastCorner(...BOTTOM_RIGHT));
  r = await regionById('ell1');
  assertInside(r, 'ellipse resized');
  near(r.value.x - r.value.radiusX, 22, 'ellipse left edge kept', 1e-6);
  near(r.value.y - r.value.radiusY, 65, 'ellipse top edge kept', 1e-6);
  near(r.value.x + r.value.radiusX, 100, 'ellipse right edge', 1e-6);
  near(r.value.y + r.value.radiusY, 100, 'ellipse bottom edge', 1e-6);
  await page.keyboard.press('Escape');

  // The rotated box: resized far past the corner and turned, it stays inside the image.
  const mid = corners((await regionById('box2')).value).reduce((m, [x, y]) => [m[0] + x / 4, m[1] + y / 4], [0, 0]);
  await select(...mid);
  await drag(await handle('bottom-right'), await pastCorner(...BOTTOM_RIGHT));
  r = await regionById('box2');
  assertInside(r, 'rotated box resized');
  assert.ok(r.value.width > 20, `the rotated box did not grow: ${r.value.width}`);
  near(r.value.rotation, 30, 'rotated box angle kept', 1e-6);
  await painted();
  const rotater = await handle('rotater');
  await drag(rotater, { x: rotater.x + 200, y: rotater.y + 150 });
  r = await regionById('box2');
  assertInside(r, 'rotated box turned');
  await page.keyboard.press('Escape');

  // A polygon vertex dragged past the bottom-right corner stops on it; the others stay.
  await select(70, 66);
  await drag(await at(80, 60), await pastCorner(...BOTTOM_RIGHT));
  r = await regionById('poly1');
  [[60, 60], [100, 100], [70, 80]].forEach(([x, y], i) => {
    near(r.value.points[i][0], x, `vertex ${i} x`, 1e-6);
    near(r.value.points[i][1], y, `vertex ${i} y`, 1e-6);
  });
  assertInside(r, 'polygon with a vertex dragged');
  await page.keyboard.press('Escape');

  // A brush stroke moved past the left edge: it stops there, every pixel kept.
  await page.keyboard.press('s');
  await drag(await at(20, 40), await at(30, 45));
  await waitCount(5);
  const brush = async () => (await regions()).find((x) => x.type === 'brushlabels');
  const alpha = (rle) => { const m = rleDecode(rle); return Uint8Array.from({ length: W * H }, (_, i) => m[i * 4 + 3]); };
  const a0 = alpha((await brush()).value.rle);
  await page.keyboard.press('v');
  const before = (await brush()).value.rle;
  await drag(await at(25, 42.5), await pastCorner(...TOP_LEFT));
  await page.waitForFunction((rle) => JSON.stringify([...document.querySelector('.annot-image').annotImage.entries.values()]
    .find((e) => e.kind === 'brush').region.value.rle) !== rle, JSON.stringify(before));
  const a1 = alpha((await brush()).value.rle);
  const count = (a) => a.reduce((n, v) => n + (v > 0), 0);
  assert.equal(count(a1), count(a0), 'the moved mask lost pixels');
  let x0 = W; let y0 = H;
  a1.forEach((v, i) => { if (v) { x0 = Math.min(x0, i % W); y0 = Math.min(y0, Math.floor(i / W)); } });
  assert.deepEqual([x0, y0], [0, 0], 'the mask did not stop at the top-left corner');

  const result = await save(taskId);
  for (const x of result.filter((y) => y.type !== 'brushlabels')) assertInside(x, `saved ${x.id}`);
  assert.deepEqual(browser.problems, []);
});

// The image turned a quarter (the view's rotation): the bounds are the image's, not the screen's.
test('on an image turned a quarter, a moved and a resized box stay inside the image', async () => {
  const taskId = await newTask();
  const start = [item('box1', 'rectanglelabels', { x: 10, y: 10, width: 20, height: 30, rotation: 0, rectanglelabels: ['Car'] })];
  assert.equal((await call(page, 'POST', `/api/tasks/${taskId}/annotations`, { result: start })).status, 201);
  await openTask(taskId);
  await waitCount(1);
  await page.getByRole('button', { name: 'Rotate right' }).click();
  await painted();
  await page.keyboard.press('v');
  // Past the image's bottom-right corner (the bottom-left of the screen now).
  await drag(await at(20, 25), await pastCorner(...BOTTOM_RIGHT));
  let r = await regionById('box1');
  assertInside(r, 'box moved on the turned image');
  assertSameSize(r, start[0], 'box moved on the turned image');
  near(r.value.x + r.value.width, 100, 'box right edge', 1e-6);
  near(r.value.y + r.value.height, 100, 'box bottom edge', 1e-6);
  // Past the image's top-left corner (the top-right of the screen).
  await drag(await at(90, 85), await pastCorner(...TOP_LEFT));
  r = await regionById('box1');
  assertInside(r, 'box moved on the turned image');
  near(r.value.x, 0, 'box left edge', 1e-6);
  near(r.value.y, 0, 'box top edge', 1e-6);
  // The handle at the box's own bottom-right corner (the screen's bottom-left of the box) past the
  // image's bottom-right corner.
  await painted();
  await drag(await handle('bottom-right'), await pastCorner(...BOTTOM_RIGHT));
  r = await regionById('box1');
  assertInside(r, 'box resized on the turned image');
  near(r.value.x, 0, 'box left edge kept', 1e-6);
  near(r.value.y, 0, 'box top edge kept', 1e-6);
  near(r.value.width, 100, 'box width', 1e-6);
  near(r.value.height, 100, 'box height', 1e-6);
  const result = await save(taskId);
  assertInside(result[0], 'saved box');
  assert.equal(result[0].image_rotation, 90);
  assert.deepEqual(browser.problems, []);
});

test('arrow keys move the selected regions a pixel (shift: ten), stop at the edge, follow a turned image, undo as one step; + zooms', async () => {
  const taskId = await newTask();
  const start = [item('box1', 'rectanglelabels', { x: 10, y: 10, width: 20, height: 30, rotation: 0, rectanglelabels: ['Car'] }),
    item('kp1', 'keypointlabels', { x: 80, y: 80, width: 1, keypointlabels: ['Eye'] }),
    item('poly1', 'polygonlabels', { points: [[50, 10], [60, 10], [55, 20]], polygonlabels: ['Road'] })];
  assert.equal((await call(page, 'POST', `/api/tasks/${taskId}/annotations`, { result: start })).status, 201);
  await openTask(taskId);
  await waitCount(3);
  // Nothing selected: the keys do nothing to the regions.
  await page.keyboard.press('ArrowRight');
  near((await regionById('box1')).value.x, 10, 'box x with nothing selected', 1e-9);
  await select(20, 25);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Shift+ArrowDown');
  let r = await regionById('box1');
  near(r.value.x, 10 + 3 / W * 100, 'box x after three presses', 1e-6);
  near(r.value.y, 10 + 10 / H * 100, 'box y after shift+down', 1e-6);
  assertSameSize(r, start[0], 'nudged box');
  // One undo step for the run.
  await page.keyboard.press('Control+z');
  r = await regionById('box1');
  near(r.value.x, 10, 'box x undone', 1e-6);
  near(r.value.y, 10, 'box y undone', 1e-6);
  // Stops at the edge, keeping its size.
  for (let i = 0; i < 60; ++i) await page.keyboard.press('Shift+ArrowLeft');
  r = await regionById('box1');
  near(r.value.x, 0, 'box at the left edge', 1e-6);
  assertSameSize(r, start[0], 'box at the edge');
  // A polygon and a keypoint move too.
  await select(55, 13);
  await page.keyboard.press('Shift+ArrowUp');
  const p = await regionById('poly1');
  near(p.value.points[0][1], 10 - 10 / H * 100, 'polygon moved up', 1e-6);
  near(p.value.points[2][0], 55, 'polygon x kept', 1e-6);
  await select(80, 80);
  await page.keyboard.press('ArrowLeft');
  near((await regionById('kp1')).value.x, 80 - 1 / W * 100, 'keypoint moved left', 1e-6);
  // On an image turned a quarter, right is right on the screen.
  await select(5, 25);
  await page.getByRole('button', { name: 'Rotate right' }).click();
  await painted();
  const client = () => page.evaluate(() => {
    const v = document.querySelector('.annot-image').annotImage;
    const b = [...v.entries.values()].find((e) => e.region.id === 'box1').region.value;
    return v.toClient(b.x, b.y);
  });
  const before = await client();
  await page.keyboard.press('Shift+ArrowRight');
  const after = await client();
  assert.ok(after.x - before.x > 1, `the box moved right on the screen: ${JSON.stringify({ before, after })}`);
  near(after.y, before.y, 'no vertical move on the screen', 0.5);
  // '+' zooms in as '=' does.
  const zoom = () => page.evaluate(() => Number(document.querySelector('.annot-image').dataset.zoom));
  const z0 = await zoom();
  await page.keyboard.press('+');
  await painted();
  assert.ok(await zoom() > z0, `'+' zoomed in: ${z0} -> ${await zoom()}`);
  const result = await save(taskId);
  for (const x of result) assertInside(x, `saved ${x.id}`);
  assert.deepEqual(browser.problems, []);
});

const rowTitles = () => page.locator('.annot-outliner-row .annot-row-title').allInnerTexts();
const ed = (fn, arg) => page.evaluate(([f, a]) => {
  const editor = document.querySelector('.annot-editor-host').annotEditor;
  // eslint-disable-next-line no-new-func
  return new Function('editor', 'arg', `return (${f})(editor, arg);`)(editor, a);
}, [fn.toString(), arg]);

test('a label of another control goes only to the selected regions it can label; otherwise it is picked for drawing', async () => {
  const taskId = await newTask();
  await openTask(taskId);
  // A Car box, selected.
  await page.keyboard.press('c');
  await drag(await at(10, 10), await at(30, 40));
  await waitCount(1);
  await page.keyboard.press('v');
  const inBox = await at(20, 25);
  await page.mouse.click(inBox.x, inBox.y);
  await page.waitForFunction(() => document.querySelector('.annot-image').annotImage.selected.size === 1);
  const [box] = await regions();
  // The PolygonLabels hotkey does not touch the box: Road is picked for the next drawing instead.
  await page.keyboard.press('r');
  assert.equal(await page.locator('[data-control=poly] [data-label=Road]').getAttribute('aria-pressed'), 'true');
  assert.deepEqual(await ed((e) => e.getResult().map((x) => [x.type, x.value.rectanglelabels ?? x.value.polygonlabels])),
    [['rectanglelabels', ['Car']]]);
  assert.deepEqual(await rowTitles(), ['Car']);
  // A click on Road (picked: it is unpicked) and on it again do the same.
  await page.locator('[data-control=poly] [data-label=Road]').click();
  assert.equal(await page.locator('[data-control=poly] [data-label=Road]').getAttribute('aria-pressed'), 'false');
  await page.locator('[data-control=poly] [data-label=Road]').click();
  assert.equal(await page.locator('[data-control=poly] [data-label=Road]').getAttribute('aria-pressed'), 'true');
  assert.equal(await ed((e) => e.getResult().length), 1);
  assert.equal(await page.locator('.annot-outliner-row.selected').count(), 1);
  // A label of the box's own control relabels it.
  await page.locator('[data-control=box] [data-label=Bus]').click();
  assert.deepEqual(await ed((e) => e.getResult().map((x) => x.value.rectanglelabels)), [['Bus']]);
  // Road (still picked) draws a polygon.
  await page.keyboard.press('Escape');
  const poly = [await at(60, 60), await at(80, 60), await at(70, 80)];
  for (const p of poly) await page.mouse.click(p.x, p.y);
  await page.keyboard.press('Enter');
  await waitCount(2);
  const polyId = (await regions()).find((x) => x.type === 'polygonlabels').id;
  // Both selected: Car goes to the box only, Road to the polygon only.
  await page.locator(`.annot-outliner-row[data-region-id="${box.id}"]`).click();
  await page.locator(`.annot-outliner-row[data-region-id="${polyId}"]`).click({ modifiers: ['Shift'] });
  assert.equal(await page.locator('.annot-outliner-row.selected').count(), 2);
  await page.keyboard.press('c');
  await page.keyboard.press('r');
  const labelsOf = () => ed((e) => e.getResult().map((x) => [x.id, x.type, x.value.rectanglelabels ?? x.value.polygonlabels]));
  assert.deepEqual((await labelsOf()).sort(), [[box.id, 'rectanglelabels', ['Car']], [polyId, 'polygonlabels', ['Road']]].sort());
  await page.keyboard.press('w');   // an ellipse label fits neither: nothing changes
  assert.equal(await ed((e) => e.getResult().length), 2);

  const result = await save(taskId);
  assert.deepEqual(result.map((x) => [x.id, x.type, x.value.rectanglelabels ?? x.value.polygonlabels]).sort(),
    [[box.id, 'rectanglelabels', ['Car']], [polyId, 'polygonlabels', ['Road']]].sort());
  assert.deepEqual(browser.problems, []);
});

// Label Studio's OCR template with a PolygonLabels beside it: a plain <Labels> labels any region of
// its image (and keeps giving its colour), a PolygonLabels label is not put on a <Rectangle>'s box.
test('a plain <Labels> labels any region; a typed label is not put on a box of a separate <Rectangle>', async () => {
  const config = `<View>
  <Image name="image" value="$image"/>
  <Labels name="label" toName="image"><Label value="Handwriting" background="#0000ff"/><Label value="Print" background="#00aa00"/></Labels>
  <Rectangle name="bbox" toName="image"/>
  <PolygonLabels name="poly" toName="image"><Label value="Road" background="#3e63dd"/></PolygonLabels>
</View>`;
  const { projectId: pid, taskIds: [tid] } = await createProject(page, { title: 'OCR and roads', config, tasks: [{ image: IMAGE }] });
  await page.goto(`${host.base}/projects/${pid}/data?task=${tid}`);
  await editorReady(page);
  await page.locator('.annot-image[data-state=ready]').waitFor();
  await page.locator('[data-control=label] [data-label=Handwriting]').click();
  await drag(await at(10, 10), await at(30, 40));
  await waitCount(1);
  const [box] = await regions();
  await page.locator(`.annot-outliner-row[data-region-id="${box.id}"]`).click();
  // Road does not go on the box: it is picked for drawing.
  await page.locator('[data-control=poly] [data-label=Road]').click();
  assert.equal(await page.locator('[data-control=poly] [data-label=Road]').getAttribute('aria-pressed'), 'true');
  const summary = async () => (await ed((e) => e.getResult().map((x) => [x.id, x.type, x.value.labels ?? x.value.polygonlabels ?? null]))).sort();
  assert.deepEqual(await summary(), [[box.id, 'labels', ['Handwriting']], [box.id, 'rectangle', null]]);
  // Print (the plain Labels) relabels the box, which takes its colour.
  await page.locator('[data-control=label] [data-label=Print]').click();
  assert.deepEqual(await summary(), [[box.id, 'labels', ['Print']], [box.id, 'rectangle', null]]);
  await page.waitForFunction((id) => document.querySelector('.annot-image').annotImage.entries.get(id).node.stroke() === '#00aa00', box.id);
  // A Road polygon (Road is still picked), selected, labelled by the plain Labels too.
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('[data-control=poly] [data-label=Road]').getAttribute('aria-pressed'), 'true');
  for (const p of [await at(60, 60), await at(80, 60), await at(70, 80)]) await page.mouse.click(p.x, p.y);
  await page.keyboard.press('Enter');
  await waitCount(2);
  const polyId = (await regions()).find((x) => x.type === 'polygonlabels').id;
  await page.locator(`.annot-outliner-row[data-region-id="${polyId}"]`).click();
  await page.locator('[data-control=label] [data-label=Handwriting]').click();
  const want = [[box.id, 'rectangle', null], [box.id, 'labels', ['Print']], [polyId, 'polygonlabels', ['Road']],
    [polyId, 'labels', ['Handwriting']]].sort();
  assert.deepEqual(await summary(), want);

  const saved = page.waitForResponse((r) => r.request().method() === 'POST' && /\/api\/tasks\/\d+\/annotations\/?$/.test(r.url()));
  await page.keyboard.press('Control+Enter');
  assert.equal((await saved).status(), 201);
  const list = await call(page, 'GET', `/api/tasks/${tid}/annotations`);
  assert.deepEqual(list.body[0].result.map((x) => [x.id, x.type, x.value.labels ?? x.value.polygonlabels ?? null]).sort(), want);
  assert.deepEqual(browser.problems, []);
});

// A box or an ellipse drawn with the pointer leaving the image (and the stage) on the way stops at
// the image's edge, as Label Studio's does, not where the pointer was last seen over the image.
test('a box and an ellipse drawn past the image\'s edge stop at it', async () => {
  const taskId = await newTask();
  await openTask(taskId);
  await page.keyboard.press('c');
  const a = await at(60, 60);
  await drag(a, await pastCorner(...BOTTOM_RIGHT));
  await waitCount(1);
  let box = (await regions())[0];
  near(box.value.x, a.px, 'box x');
  near(box.value.y, a.py, 'box y');
  near(box.value.x + box.value.width, 100, 'box right edge', 1e-6);
  near(box.value.y + box.value.height, 100, 'box bottom edge', 1e-6);
  const b = await at(30, 40);
  await drag(b, await pastCorner(...TOP_LEFT));
  await waitCount(2);
  box = (await regions()).find((r) => r.id !== box.id);
  near(box.value.x, 0, 'second box left edge', 1e-6);
  near(box.value.y, 0, 'second box top edge', 1e-6);
  near(box.value.width, b.px, 'second box width');
  near(box.value.height, b.py, 'second box height');
  // An ellipse is dragged out from its centre (clear of the boxes): its radii reach the edge.
  await page.keyboard.press('w');
  const c = await at(85, 55);
  await drag(c, await pastCorner(...BOTTOM_RIGHT));
  await waitCount(3);
  const ell = (await regions()).find((r) => r.type === 'ellipselabels');
  near(ell.value.x + ell.value.radiusX, 100, 'ellipse right edge', 1e-6);
  near(ell.value.y + ell.value.radiusY, 100, 'ellipse bottom edge', 1e-6);
  const result = await save(taskId);
  assert.equal(result.length, 3);
  for (const r of result) assertInside(r, `saved ${r.type}`);
  assert.deepEqual(browser.problems, []);
});

// The keys panel lists every binding with its label: the image's zoom-in is bound to '+' and
// 'shift++' (a plus typed with shift), whose '+' is the key, not a separator.
test('the keys panel opens on an image project and lists the image\'s keys, + among them', async () => {
  const taskId = await newTask();
  await openTask(taskId);
  await page.getByRole('button', { name: 'Keys' }).click();
  const panel = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await panel.waitFor();
  const rows = await panel.locator('dl > div').evaluateAll((els) => els.map((e) =>
    [e.querySelector('kbd').textContent, e.querySelector('dd').textContent]));
  const keysOf = (description) => rows.filter(([, d]) => d === description).map(([k]) => k).sort();
  assert.deepEqual(keysOf('Image: zoom in'), ['+', '=', 'Shift++']);
  assert.deepEqual(keysOf('Image: zoom out'), ['-']);
  assert.deepEqual(keysOf('Image: select and move regions'), ['V']);
  assert.deepEqual(keysOf('Undo'), ['Ctrl+Z']);
  assert.deepEqual(keysOf('Label Car'), ['C']);
  // The panel toggles with the key it names ('?': shift+/), and '+' still zooms with it shown.
  const zoom = () => page.evaluate(() => Number(document.querySelector('.annot-image').dataset.zoom));
  const z0 = await zoom();
  await page.keyboard.press('+');
  await painted();
  assert.ok(await zoom() > z0, `'+' zoomed in: ${z0} -> ${await zoom()}`);
  await page.keyboard.press('Shift+?');
  await panel.waitFor({ state: 'detached' });
  await page.keyboard.press('Shift+?');
  await panel.waitFor();
  assert.deepEqual(browser.problems, []);
});
