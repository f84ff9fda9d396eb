// The image editor in real Chromium against the real host, as an annotator uses it: sign up, create
// an image project from the gallery's starter, import two PNGs made by the test, draw a box (label
// by hotkey), a polygon, a keypoint and a brush stroke, undo and redo, a per-region choice and a
// relation, submit; the annotation read back from the API equals what was drawn (percent, within
// 0.1) and the brush mask decodes to the stroke. Then ellipse, eraser, edits, zoom/fit, locked and
// hidden regions, and a valueList task whose regions carry item_index. No console errors or failed
// requests; a non-blank screenshot of the editor.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exitWhenBrowserTestsCannotRun, startHost, startBrowser, pixelDeviation, artifactsDir, makePng } from './harness.mjs';
import { call, editorReady, imagePoint, mouseDrag } from './editor_helpers.mjs';
import { rleDecode } from '../../plugins/image/ui/rle.js';

exitWhenBrowserTestsCannotRun();

const W = 320;
const H = 240;
const CONFIG = `<View>
  <Image name="img" value="$image" rotateControl="true" brightnessControl="true" contrastControl="true"/>
  <RectangleLabels name="box" toName="img">
    <Label value="Car" hotkey="c" background="#e5484d"/>
    <Label value="Tree"/>
  </RectangleLabels>
  <PolygonLabels name="poly" toName="img"><Label value="Road" background="#3e63dd"/></PolygonLabels>
  <KeyPointLabels name="kp" toName="img"><Label value="Eye" background="#30a46c"/></KeyPointLabels>
  <BrushLabels name="brush" toName="img"><Label value="Sky" background="#f76b15"/></BrushLabels>
  <EllipseLabels name="ell" toName="img"><Label value="Wheel" background="#8e4ec6"/></EllipseLabels>
  <Choices name="quality" toName="img" perRegion="true"><Choice value="Sharp"/><Choice value="Blurry"/></Choices>
  <Relations><Relation value="near"/></Relations>
</View>`;

let host;
let browser;
let page;
let projectId;
let taskIds;
let tmp;

before(async () => {
  host = await startHost();
  browser = await startBrowser();
  page = browser.page;
  page.setDefaultTimeout(15000);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'annot-image-test-'));
  // Two images with structure (gradients, a disc, a bar) so a screenshot of them is not flat.
  const images = [
    (x, y) => ((x - 200) ** 2 + (y - 80) ** 2 < 900 ? [250, 220, 40, 255] : [x * 0.7, 90 + y * 0.5, 160, 255]),
    (x, y) => (y > 100 && y < 130 ? [20, 20, 20, 255] : [200 - y * 0.6, x * 0.6, 120, 255]),
  ];
  images.forEach((px, i) => fs.writeFileSync(path.join(tmp, `street-${i + 1}.png`), makePng(W, H, px)));
});

after(async () => {
  await browser?.close();
  if (host && process.exitCode) console.log(`annot log:\n${host.log()}`);
  await host?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

// `toClient` is the image view's own mapping, checked against the layout in the first editor test.
const at = (xPct, yPct) => imagePoint(page, W, H, xPct, yPct);

async function layout() {
  return page.evaluate(() => {
    const el = document.querySelector('.annot-image');
    const stage = el.querySelector('.annot-image-stage').getBoundingClientRect();
    return { left: stage.left, top: stage.top, width: stage.width, height: stage.height, scale: Number(el.dataset.zoom) };
  });
}

const drag = (from, to) => mouseDrag(page, from, to);

const regionCount = () => page.evaluate(() => document.querySelector('.annot-image').annotImage.entries.size);

async function screenshot(name) {
  const png = await page.screenshot({ fullPage: false });
  fs.writeFileSync(path.join(artifactsDir(), `${name}.png`), png);
  const deviation = await pixelDeviation(page, png);
  assert.ok(deviation > 8, `the ${name} screenshot looks blank (luminance deviation ${deviation.toFixed(2)})`);
}

const near = (a, b, what) => assert.ok(Math.abs(a - b) <= 0.1, `${what}: ${a} is not within 0.1 of ${b}`);

test('sign up, create an image project from the gallery, import two PNGs through the picker', async () => {
  await page.goto(`${host.base}/user/signup`);
  await page.fill('input[name=email]', 'painter@example.com');
  await page.fill('input[name=password]', 'correct horse battery');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.waitForURL(/\/projects$/);

  await page.goto(`${host.base}/projects/create`);
  await page.fill('input[name=title]', 'Street scenes');
  // From the gallery's "Bounding boxes" starter: its live preview is this plugin's image view on
  // the sample the plugin ships...
  await page.getByRole('tab', { name: 'Computer Vision', exact: true }).click();
  await page.locator('.gallery-card[data-template="Bounding boxes"]').click();
  assert.match(await page.inputValue('textarea[name=label_config]'), /<RectangleLabels/);
  await page.locator('.config-preview .annot-image[data-state=ready]').waitFor();
  // ...extended with the other tools, a per-region choice and relations (the preview follows).
  await page.fill('textarea[name=label_config]', CONFIG);
  await page.getByText('The config is valid.').waitFor();
  await page.locator('.config-preview [data-control=brush]').waitFor();
  await page.locator('.config-preview .annot-image[data-state=ready]').waitFor();
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  await page.waitForURL(/\/projects\/\d+\/data$/);
  projectId = Number(/\/projects\/(\d+)\/data$/.exec(page.url())[1]);

  await page.goto(`${host.base}/projects/${projectId}/import`);
  await page.locator('input[type=file]').setInputFiles([path.join(tmp, 'street-1.png'), path.join(tmp, 'street-2.png')]);
  await page.getByText('street-2.png').waitFor();
  await page.getByRole('button', { name: 'Import 2 files' }).click();
  await page.getByText('Imported 2 tasks').waitFor();
  const listed = await call(page, 'GET', `/api/tasks?project=${projectId}`);
  assert.equal(listed.body.total, 2);
  taskIds = listed.body.tasks.map((t) => t.id).sort((a, b) => a - b);
  for (const t of listed.body.tasks) assert.match(t.data.image, /\.png$/);
});

test('the editor shows the image fitted to the stage, top-left aligned', async () => {
  await page.goto(`${host.base}/projects/${projectId}/data?task=${taskIds[0]}`);
  await editorReady(page);
  await page.locator('.annot-image[data-state=ready]').waitFor();
  const box = await layout();
  // Fitted: the image fills the stage's width or height exactly, at its aspect ratio.
  near(Math.min(box.width / W, box.height / H), box.scale, 'fit scale');
  const origin = await page.evaluate(() => document.querySelector('.annot-image').annotImage.toClient(0, 0));
  const corner = await page.evaluate(() => document.querySelector('.annot-image').annotImage.toClient(100, 100));
  assert.ok(Math.abs(origin.x - box.left) < 0.01 && Math.abs(origin.y - box.top) < 0.01, 'the image is not at the top-left');
  assert.ok(Math.abs(corner.x - (box.left + W * box.scale)) < 0.01 && Math.abs(corner.y - (box.top + H * box.scale)) < 0.01);
});

test('draw a box, a polygon, a keypoint and a brush stroke; undo and redo; a per-region choice and a relation; submit', async () => {
  // A box with the Car label, picked by its hotkey.
  await page.keyboard.press('c');
  const b1 = await at(10, 10);
  const b2 = await at(40, 30);
  await drag(b1, b2);
  await page.waitForFunction(() => document.querySelector('.annot-image').annotImage.entries.size === 1);

  // A polygon: three clicks, then a click on the first vertex closes it.
  await page.locator('[data-control=poly] [data-label=Road]').click();
  const poly = [await at(50, 50), await at(75, 52), await at(62, 80)];
  for (const p of poly) await page.mouse.click(p.x, p.y);
  await page.mouse.click(poly[0].x, poly[0].y);
  await page.waitForFunction(() => document.querySelector('.annot-image').annotImage.entries.size === 2);

  await page.locator('[data-control=kp] [data-label=Eye]').click();
  const kp = await at(85, 20);
  await page.mouse.click(kp.x, kp.y);
  await page.waitForFunction(() => document.querySelector('.annot-image').annotImage.entries.size === 3);

  await page.locator('[data-control=brush] [data-label=Sky]').click();
  const s1 = await at(15, 60);
  const s2 = await at(35, 85);
  await drag(s1, s2);
  await page.waitForFunction(() => document.querySelector('.annot-image').annotImage.entries.size === 4);

  // Undo takes the brush stroke away, redo brings it back.
  await page.keyboard.press('Control+z');
  await page.waitForFunction(() => document.querySelector('.annot-image').annotImage.entries.size === 3);
  await page.keyboard.press('Control+Shift+z');
  await page.waitForFunction(() => document.querySelector('.annot-image').annotImage.entries.size === 4);
  assert.equal(await regionCount(), 4);

  // Select mode; select the box and give it a per-region choice.
  await page.keyboard.press('v');
  const inBox = await at(25, 20);
  await page.mouse.click(inBox.x, inBox.y);
  await page.waitForFunction(() => document.querySelector('.annot-image').annotImage.selected.size === 1);
  await page.getByText('Sharp', { exact: true }).click();

  // A relation from the selected box to the polygon.
  await page.keyboard.press('Alt+r');
  const inPoly = await at(62, 60);
  await page.mouse.click(inPoly.x, inPoly.y);
  await page.locator('.annot-relation, [data-relation]').first().waitFor();

  await screenshot('editor-image');
  const saved = page.waitForResponse((r) => r.request().method() === 'POST' && /\/api\/tasks\/\d+\/annotations\/?$/.test(r.url()));
  await page.keyboard.press('Control+Enter');
  assert.equal((await saved).status(), 201);

  const list = await call(page, 'GET', `/api/tasks/${taskIds[0]}/annotations`);
  assert.equal(list.status, 200);
  assert.equal(list.body.length, 1);
  const result = list.body[0].result;
  const byType = (t) => result.filter((r) => r.type === t);
  for (const r of result.filter((x) => x.type !== 'relation')) {
    assert.equal(r.original_width, W, `${r.type} original_width`);
    assert.equal(r.original_height, H, `${r.type} original_height`);
    assert.equal(r.image_rotation, 0);
    assert.equal(r.to_name, 'img');
  }

  const [rect] = byType('rectanglelabels');
  near(rect.value.x, b1.px, 'box x');
  near(rect.value.y, b1.py, 'box y');
  near(rect.value.width, b2.px - b1.px, 'box width');
  near(rect.value.height, b2.py - b1.py, 'box height');
  near(rect.value.x, 10, 'box x (intended)');
  near(rect.value.height, 20, 'box height (intended)');
  assert.equal(rect.value.rotation, 0);
  assert.deepEqual(rect.value.rectanglelabels, ['Car']);

  const [pg] = byType('polygonlabels');
  assert.equal(pg.value.points.length, 3);
  pg.value.points.forEach(([x, y], i) => { near(x, poly[i].px, `vertex ${i} x`); near(y, poly[i].py, `vertex ${i} y`); });
  assert.deepEqual(pg.value.polygonlabels, ['Road']);

  const [k] = byType('keypointlabels');
  near(k.value.x, kp.px, 'keypoint x');
  near(k.value.y, kp.py, 'keypoint y');
  assert.ok(k.value.width > 0);
  assert.deepEqual(k.value.keypointlabels, ['Eye']);

  const [brush] = byType('brushlabels');
  assert.equal(brush.value.format, 'rle');
  assert.deepEqual(brush.value.brushlabels, ['Sky']);
  const mask = rleDecode(brush.value.rle);
  assert.equal(mask.length, W * H * 4);
  const alpha = (xp, yp) => mask[(Math.round(yp * H / 100) * W + Math.round(xp * W / 100)) * 4 + 3];
  assert.ok(alpha(25, 72.5) > 0, 'the middle of the stroke is not in the mask');
  assert.ok(alpha(15, 60) > 0, 'the start of the stroke is not in the mask');
  assert.equal(alpha(80, 70), 0, 'the mask covers a point far from the stroke');
  assert.equal(alpha(25, 20), 0, 'the mask covers the box');

  const [choice] = byType('choices');
  assert.equal(choice.id, rect.id, 'the per-region choice is not tied to the box');
  assert.deepEqual(choice.value.choices, ['Sharp']);
  const [rel] = byType('relation');
  assert.equal(rel.from_id, rect.id);
  assert.equal(rel.to_id, pg.id);
  assert.deepEqual(browser.problems, []);
});

test('an ellipse; erase from a brush region; move, resize and rotate a box; delete, insert and drag polygon vertices; zoom keeps the point under the cursor; locked and hidden', async () => {
  await page.goto(`${host.base}/projects/${projectId}/data?task=${taskIds[1]}`);
  await editorReady(page);
  await page.locator('.annot-image[data-state=ready]').waitFor();
  await page.keyboard.press('c');
  await drag(await at(20, 20), await at(40, 40));
  await page.locator('[data-control=poly] [data-label=Road]').click();
  const pts = [await at(60, 20), await at(90, 20), await at(90, 60), await at(60, 60)];
  for (const p of pts) await page.mouse.click(p.x, p.y);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('.annot-image').annotImage.entries.size === 2);
  // An ellipse is dragged out from its centre.
  await page.locator('[data-control=ell] [data-label=Wheel]').click();
  const e1 = await at(75, 85);
  const e2 = await at(85, 92);
  await drag(e1, e2);
  await page.waitForFunction(() => document.querySelector('.annot-image').annotImage.entries.size === 3);
  const ell = (await page.evaluate(() => [...document.querySelector('.annot-image').annotImage.entries.values()]
    .map((e) => e.region))).find((r) => r.type === 'ellipselabels');
  near(ell.value.x, e1.px, 'ellipse centre x');
  near(ell.value.y, e1.py, 'ellipse centre y');
  near(ell.value.radiusX, e2.px - e1.px, 'ellipse radiusX');
  near(ell.value.radiusY, e2.py - e1.py, 'ellipse radiusY');
  assert.deepEqual(ell.value.ellipselabels, ['Wheel']);
  // A brush stroke, then the eraser (e) across its middle, on the stroke selected in select mode (v).
  await page.locator('[data-control=brush] [data-label=Sky]').click();
  await drag(await at(10, 75), await at(50, 75));
  await page.waitForFunction(() => document.querySelector('.annot-image').annotImage.entries.size === 4);
  await page.keyboard.press('v');
  const onStroke = await at(20, 75);
  await page.mouse.click(onStroke.x, onStroke.y);
  await page.waitForFunction(() => document.querySelector('.annot-image').annotImage.selected.size === 1);
  await page.keyboard.press('e');
  await drag(await at(30, 62), await at(30, 88));
  const mask = rleDecode(await page.evaluate(() => [...document.querySelector('.annot-image').annotImage.entries.values()]
    .find((e) => e.kind === 'brush').region.value.rle));
  const alpha = (xp, yp) => mask[(Math.round(yp * H / 100) * W + Math.round(xp * W / 100)) * 4 + 3];
  assert.equal(alpha(30, 75), 0, 'the eraser left the middle of the stroke');
  assert.ok(alpha(15, 75) > 0 && alpha(45, 75) > 0, 'the eraser took the ends of the stroke');
  await page.keyboard.press('v');

  // Move the box by 10 % right and 5 % down.
  const box = await layout();
  const from = await at(30, 30);
  const to = await at(40, 35);
  await drag(from, to);
  const regions = () => page.evaluate(() => [...document.querySelector('.annot-image').annotImage.entries.values()].map((e) => e.region));
  let rect = (await regions()).find((r) => r.type === 'rectanglelabels');
  near(rect.value.x, 20 + to.px - from.px, 'moved box x');
  near(rect.value.y, 20 + to.py - from.py, 'moved box y');
  near(rect.value.width, 20, 'moved box width');

  // The selected box has a transformer: its bottom-right handle resizes, its rotation handle rotates.
  const handle = (name) => page.evaluate((n) => {
    const v = document.querySelector('.annot-image').annotImage;
    const p = v.transformer.findOne(`.${n}`).getAbsolutePosition();
    const r = v.stageEl.getBoundingClientRect();
    return { x: Math.round(r.left + p.x), y: Math.round(r.top + p.y) };
  }, name);
  const corner = await handle('bottom-right');
  await drag(corner, { x: corner.x + Math.round(5 * W / 100 * box.scale), y: corner.y });
  rect = (await regions()).find((r) => r.type === 'rectanglelabels');
  // The handle is grabbed within a screen pixel of its centre (about 0.15 % here).
  assert.ok(Math.abs(rect.value.width - 25) < 0.25, `resized box width ${rect.value.width}`);
  near(rect.value.height, 20, 'resized box height');
  const rotater = await handle('rotater');
  const centre = await at(rect.value.x + rect.value.width / 2, rect.value.y + rect.value.height / 2);
  // Dragged from above the centre to its right: a quarter turn clockwise.
  await drag(rotater, { x: centre.x + (centre.y - rotater.y), y: centre.y });
  rect = (await regions()).find((r) => r.type === 'rectanglelabels');
  assert.ok(Math.abs(rect.value.rotation - 90) < 3, `rotation ${rect.value.rotation}`);
  await page.keyboard.press('Control+z');   // back to the unrotated box
  await page.waitForFunction(() => [...document.querySelector('.annot-image').annotImage.entries.values()]
    .find((e) => e.kind === 'rect').region.value.rotation === 0);

  // Select the polygon, alt+click a vertex (deleted), then click the middle of an edge (inserted).
  const inside = await at(75, 40);
  await page.mouse.click(inside.x, inside.y);
  await page.keyboard.down('Alt');
  await page.mouse.click(pts[3].x, pts[3].y);
  await page.keyboard.up('Alt');
  await page.waitForFunction(() => [...document.querySelector('.annot-image').annotImage.entries.values()]
    .find((e) => e.kind === 'polygon').region.value.points.length === 3);
  const mid = await at(75, 20);
  await page.mouse.click(mid.x, mid.y);
  await page.waitForFunction(() => [...document.querySelector('.annot-image').annotImage.entries.values()]
    .find((e) => e.kind === 'polygon').region.value.points.length === 4);
  const pg = (await regions()).find((r) => r.type === 'polygonlabels');
  near(pg.value.points[1][0], mid.px, 'inserted vertex x');
  near(pg.value.points[1][1], 20, 'inserted vertex y');
  // Undo takes the inserted vertex out again.
  await page.keyboard.press('Control+z');
  await page.waitForFunction(() => [...document.querySelector('.annot-image').annotImage.entries.values()]
    .find((e) => e.kind === 'polygon').region.value.points.length === 3);
  // A vertex handle dragged moves that vertex only.
  const v2 = await at(90, 60);
  const v2to = await at(84, 70);
  await drag(v2, v2to);
  await page.waitForFunction(() => [...document.querySelector('.annot-image').annotImage.entries.values()]
    .find((e) => e.kind === 'polygon').region.value.points[2][1] > 65);
  const moved = (await regions()).find((r) => r.type === 'polygonlabels').value.points;
  near(moved[2][0], 90 + v2to.px - v2.px, 'dragged vertex x');
  near(moved[2][1], 60 + v2to.py - v2.py, 'dragged vertex y');
  near(moved[1][0], 90, 'the next vertex x');
  near(moved[1][1], 20, 'the next vertex y');

  // Wheel zoom around a point: that image point stays under the cursor.
  const focus = await at(50, 50);
  await page.mouse.move(focus.x, focus.y);
  await page.mouse.wheel(0, -300);
  await page.waitForFunction((s) => Number(document.querySelector('.annot-image').dataset.zoom) > s, box.scale);
  const again = await page.evaluate(() => document.querySelector('.annot-image').annotImage.toClient(50, 50));
  assert.ok(Math.abs(again.x - focus.x) < 1.5 && Math.abs(again.y - focus.y) < 1.5, `the zoom moved the point: ${JSON.stringify(again)}`);
  await page.keyboard.press('f');
  await page.waitForFunction((s) => Math.abs(Number(document.querySelector('.annot-image').dataset.zoom) - s) < 1e-3, box.scale);

  // Locked in the outliner: a drag does not move it. Hidden: not drawn, and a click there hits nothing.
  rect = (await regions()).find((r) => r.type === 'rectanglelabels');
  const row = page.locator(`.annot-outliner-row[data-region-id="${rect.id}"]`);
  await row.locator('.annot-lock').click();
  await page.keyboard.press('u');
  const c1 = await at(rect.value.x + 5, rect.value.y + 5);
  await drag(c1, { x: c1.x + 40, y: c1.y + 30 });
  const still = (await regions()).find((r) => r.id === rect.id);
  assert.deepEqual(still.value, rect.value, 'a locked box moved');
  await row.locator('.annot-hide').click();
  await page.waitForFunction((id) => !document.querySelector('.annot-image').annotImage.entries.get(id).node.visible(), rect.id);
  await page.keyboard.press('u');
  await page.mouse.click(c1.x, c1.y);
  assert.equal(await page.evaluate(() => document.querySelector('.annot-image').annotImage.selected.size), 0, 'a hidden box was selected');
  assert.deepEqual(browser.problems, []);
});

test('a valueList Image pages through its images; regions carry item_index', async () => {
  const tasks = (await call(page, 'GET', `/api/tasks?project=${projectId}`)).body.tasks;
  const urls = tasks.map((t) => t.data.image);
  const config = `<View><Image name="imgs" valueList="$images"/>
    <RectangleLabels name="box" toName="imgs"><Label value="Car" hotkey="c"/></RectangleLabels></View>`;
  const project = await call(page, 'POST', '/api/projects', { title: 'Image pairs', label_config: config });
  assert.equal(project.status, 201);
  await call(page, 'POST', `/api/projects/${project.body.id}/import`, [{ images: urls }]);
  const listed = await call(page, 'GET', `/api/tasks?project=${project.body.id}`);
  const taskId = listed.body.tasks[0].id;
  await page.goto(`${host.base}/projects/${project.body.id}/data?task=${taskId}`);
  await editorReady(page);
  await page.locator('.annot-image[data-state=ready]').waitFor();
  await page.getByText('Image 1 of 2').waitFor();
  await page.getByRole('button', { name: 'Next image' }).click();
  await page.getByText('Image 2 of 2').waitFor();
  await page.locator('.annot-image[data-state=ready]').waitFor();
  await page.keyboard.press('c');
  await drag(await at(10, 10), await at(30, 30));
  await page.waitForFunction(() => document.querySelector('.annot-image').annotImage.entries.size === 1);
  // On the first image, the region of the second one is not shown; back on the second, it is.
  await page.getByRole('button', { name: 'Previous image' }).click();
  await page.getByText('Image 1 of 2').waitFor();
  await page.locator('.annot-image[data-state=ready]').waitFor();
  assert.equal(await regionCount(), 0);
  await page.getByRole('button', { name: 'Next image' }).click();
  await page.locator('.annot-image[data-state=ready]').waitFor();
  await page.waitForFunction(() => document.querySelector('.annot-image').annotImage.entries.size === 1);
  const saved = page.waitForResponse((r) => r.request().method() === 'POST' && /\/annotations\/?$/.test(r.url()));
  await page.keyboard.press('Control+Enter');
  assert.equal((await saved).status(), 201);
  const list = await call(page, 'GET', `/api/tasks/${taskId}/annotations`);
  const [r] = list.body[0].result;
  assert.equal(r.item_index, 1);
  near(r.value.x, 10, 'x on the second image');
  assert.deepEqual(browser.problems, []);
});
