// The editor framework in real Chromium against the real host: label hotkeys (explicit kept, the
// rest auto-assigned), sticky labels and relabelling, undo/redo with drags merged into one step,
// the outliner (grouping, hide, lock, selection, only on-screen rows for 1,000 regions), relations,
// perRegion and visibleWhen placement, the Label Studio result list sent on submit, annotation
// history and predictions, skip, the "not yet supported" notice; no console errors or failed requests.
// Regions are added the way a plugin's ctx.addRegion does (the store behind it), so these tests do
// not depend on one plugin's drawing code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { exitWhenBrowserTestsCannotRun, startHost, startBrowser, pixelDeviation, artifactsDir } from './harness.mjs';
import { signUp, createProject, call, editorReady, addTask } from './editor_helpers.mjs';

exitWhenBrowserTestsCannotRun();

const CONFIG = `<View>
  <Labels name="ner" toName="text">
    <Label value="Person" hotkey="p"/>
    <Label value="Org"/>
    <Label value="Place" background="#00aa00"/>
  </Labels>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text" perRegion="true"><Choice value="Good"/><Choice value="Bad"/></Choices>
  <TextArea name="note" toName="text" visibleWhen="region-selected" whenLabelValue="Org"/>
  <Relations><Relation value="works_for"/><Relation value="lives_in"/></Relations>
  <Choices name="kind" toName="text"><Choice value="News"/><Choice value="Ad"/></Choices>
  <TextArea name="adnote" toName="text" visibleWhen="choice-selected" whenTagName="kind" whenChoiceValue="Ad"/>
  <TextArea name="noad" toName="text" visibleWhen="choice-unselected" whenTagName="kind" whenChoiceValue="Ad"/>
  <TextArea name="general" toName="text" visibleWhen="no-region-selected"/>
</View>`;
// A 1x1 PNG: the Image tag has something to show without a request that could fail.
const PIXEL = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const TEXT = 'Ada Lovelace worked with Charles Babbage in London.';

let host;
let browser;
let page;
let projectId;
let taskIds;

before(async () => {
  host = await startHost();
  browser = await startBrowser();
  page = browser.page;
  page.setDefaultTimeout(15000);
  await signUp(page, host.base, 'framework@example.com');
  ({ projectId, taskIds } = await createProject(page, {
    config: CONFIG,
    tasks: [{ text: TEXT }, { text: 'Second task text.' }, { text: 'Third task text.' }],
  }));
});

after(async () => {
  await browser?.close();
  if (host && process.exitCode) console.log(`annot log:\n${host.log()}`);
  await host?.stop();
});

// The editor mounted on the page (mountEditor's return value).
const ed = (fn, arg) => page.evaluate(([f, a]) => {
  const editor = document.querySelector('.annot-editor-host').annotEditor;
  // eslint-disable-next-line no-new-func
  return new Function('editor', 'arg', `return (${f})(editor, arg);`)(editor, a);
}, [fn.toString(), arg]);

const span = (start, end, label) => ({ from_name: 'ner', to_name: 'text', type: 'labels',
  value: { start, end, text: TEXT.slice(start, end), labels: [label] } });

// A task of its own for each test: drafts of earlier tests are (rightly) restored on their tasks.
async function openFresh() {
  const id = await addTask(page, projectId, { text: TEXT });
  await openTask(id);
  return id;
}

async function openTask(id) {
  await page.goto(`${host.base}/projects/${projectId}/data?task=${id}`);
  await editorReady(page);
}

test('label hotkeys: explicit ones kept, the others get 1, 2, ... ; a hotkey picks its label and it stays picked', async () => {
  await openFresh();
  const bar = page.locator('.annot-labels[data-control=ner]');
  assert.equal(await bar.locator('[data-label=Person] kbd').innerText(), 'P');
  assert.equal(await bar.locator('[data-label=Org] kbd').innerText(), '1');
  assert.equal(await bar.locator('[data-label=Place] kbd').innerText(), '2');
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('2');
  assert.equal(await bar.locator('[data-label=Place]').getAttribute('aria-pressed'), 'true');
  assert.equal(await ed((e) => e.toolSignal('text').value?.labels.join()), 'Place');
  // Sticky: still picked after a region is drawn with it.
  await ed((e, s) => e.store.addRegion(s), span(0, 3, 'Place'));
  assert.equal(await bar.locator('[data-label=Place]').getAttribute('aria-pressed'), 'true');
  await page.keyboard.press('p');
  assert.equal(await bar.locator('[data-label=Person]').getAttribute('aria-pressed'), 'true');
  assert.equal(await bar.locator('[data-label=Place]').getAttribute('aria-pressed'), 'false');
  // Picking the picked label again drops it: nothing to draw with.
  await page.keyboard.press('p');
  assert.equal(await ed((e) => e.toolSignal('text').value), null);
  // "?" lists the shortcuts, labels' included.
  await page.keyboard.press('Shift+Slash');
  const keys = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await keys.waitFor();
  const listed = await keys.innerText();
  for (const text of ['Ctrl+Z', 'Undo', 'Label Org', 'Ctrl+Enter', 'Skip']) assert.ok(listed.includes(text), `"${text}" not in ${listed}`);
  await page.keyboard.press('Shift+Slash');
  await keys.waitFor({ state: 'detached' });
});

test('<Label selected="true"> starts picked', async () => {
  const config = '<View><Text name="t" value="$text"/><Labels name="l" toName="t"><Label value="A"/><Label value="B" selected="true"/></Labels></View>';
  const { projectId: pid, taskIds: ids } = await createProject(page, { title: 'Preset', config, tasks: [{ text: 'x' }] });
  await page.goto(`${host.base}/projects/${pid}/data?task=${ids[0]}`);
  await editorReady(page);
  assert.equal(await page.locator('.annot-labels [data-label=B]').getAttribute('aria-pressed'), 'true');
  assert.deepEqual(await ed((e) => e.toolSignal('t').value), { fromName: 'l', tag: 'Labels', type: 'labels', labels: ['B'],
    attrs: { name: 'l', toName: 't' } });
});

test('<Labels> beside a tool (Rectangle + Labels): the tool draws, the labels go with it as a per-region result', async () => {
  const config = `<View><Image name="img" value="$image"/><Rectangle name="rect" toName="img"/>
    <Labels name="lbl" toName="img"><Label value="Car"/><Label value="Bus"/></Labels></View>`;
  const { projectId: pid, taskIds: ids } = await createProject(page, { title: 'Tool + Labels', config,
    tasks: [{ image: PIXEL }] });
  await page.goto(`${host.base}/projects/${pid}/data?task=${ids[0]}`);
  await editorReady(page);
  await page.locator('.annot-labels[data-control=lbl] [data-label=Bus]').click();
  const tool = await ed((e) => e.toolSignal('img').value);
  assert.deepEqual({ ...tool, attrs: undefined }, { fromName: 'rect', tag: 'Rectangle', type: 'rectangle', labels: ['Bus'], labelsFrom: 'lbl', attrs: undefined });
  assert.equal(await page.locator('.annot-tool[data-control=rect] button').getAttribute('aria-pressed'), 'true');
  // What the image plugin's ctx.addRegion does with that tool: one step, Label Studio's two items.
  const id = await ed((e) => e.addRegionFor('img', { from_name: 'rect', type: 'rectangle', original_width: 100, original_height: 50,
    value: { x: 10, y: 20, width: 30, height: 40, rotation: 0 } }));
  assert.deepEqual(await ed((e) => e.getResult()), [
    { id, from_name: 'rect', to_name: 'img', type: 'rectangle', origin: 'manual', original_width: 100, original_height: 50,
      value: { x: 10, y: 20, width: 30, height: 40, rotation: 0 } },
    { id, from_name: 'lbl', to_name: 'img', type: 'labels', origin: 'manual', original_width: 100, original_height: 50,
      value: { x: 10, y: 20, width: 30, height: 40, rotation: 0, labels: ['Bus'] } },
  ]);
  assert.equal(await page.locator(`.annot-outliner-row[data-region-id="${id}"] .annot-row-title`).innerText(), 'Bus');
  await page.keyboard.press('Control+z');
  assert.deepEqual(await ed((e) => e.getResult()), []);
  // Turning the tool off and on keeps the picked label; unpicking it leaves a bare tool.
  await page.locator('.annot-tool[data-control=rect] button').click();
  assert.equal(await ed((e) => e.toolSignal('img').value), null);
  await page.locator('.annot-tool[data-control=rect] button').click();
  assert.deepEqual(await ed((e) => e.toolSignal('img').value.labels), ['Bus']);
  await page.locator('.annot-labels[data-control=lbl] [data-label=Bus]').click();
  assert.deepEqual(await ed((e) => [e.toolSignal('img').value.fromName, e.toolSignal('img').value.labels]), ['rect', []]);
});

test("plugins' reservedHotkeys win: label hotkeys skip the image tool keys", async (t) => {
  const plugins = await call(page, 'GET', '/api/plugins');
  const image = plugins.body.plugins.find((p) => p.name === 'image');
  if (!image?.ui) { t.skip('the image plugin has no UI bundle in this build'); return; }
  const labels = Array.from({ length: 15 }, (_, i) => `<Label value="L${i + 1}"/>`).join('');
  const config = `<View><Image name="img" value="$image"/><RectangleLabels name="box" toName="img">${labels}</RectangleLabels></View>`;
  const { projectId: pid, taskIds: ids } = await createProject(page, { title: 'Reserved keys', config, tasks: [{ image: PIXEL }] });
  await page.goto(`${host.base}/projects/${pid}/data?task=${ids[0]}`);
  await editorReady(page);
  const reserved = await page.evaluate(async () => (await import('@annot/plugins/image')).reservedHotkeys);
  const keys = await page.locator('.annot-labels[data-control=box] kbd').allInnerTexts();
  assert.equal(keys.length, 15);
  assert.deepEqual(keys.slice(0, 10), ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0']);
  for (const k of keys) assert.ok(!reserved.includes(k.toLowerCase()), `label hotkey ${k} is one of the image tool keys ${reserved}`);
  assert.ok(!keys.includes('H') && !keys.includes('U'), 'label hotkeys took the framework keys');
  // A tool key does not pick a label.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press(reserved.find((k) => /^[a-z]$/.test(k)));
  assert.equal(await page.locator('.annot-labels[data-control=box] [aria-pressed=true]').count(), 0);
});

test('a label hotkey with regions selected relabels them in one undo step', async () => {
  await openFresh();
  const ids = await ed((e, spans) => spans.map((s) => e.store.addRegion(s)), [span(0, 3, 'Person'), span(4, 12, 'Person')]);
  await page.locator(`.annot-outliner-row[data-region-id="${ids[0]}"]`).click();
  await page.locator(`.annot-outliner-row[data-region-id="${ids[1]}"]`).click({ modifiers: ['Shift'] });
  assert.equal(await page.locator('.annot-outliner-row.selected').count(), 2);
  await page.keyboard.press('1');
  const labels = await ed((e) => e.getResult().map((x) => x.value.labels.join()));
  assert.deepEqual(labels, ['Org', 'Org']);
  // The outliner follows (it skips re-rendering only for moves).
  await page.locator('.annot-outliner-group .annot-group-title', { hasText: 'Org' }).waitFor();
  assert.deepEqual(await page.locator('.annot-outliner-row .annot-row-title').allInnerTexts(), ['Org', 'Org']);
  await page.keyboard.press('Control+z');
  assert.deepEqual(await ed((e) => e.getResult().map((x) => x.value.labels.join())), ['Person', 'Person']);
});

test('undo/redo: a drag (one merge key) is one step; keys and toolbar buttons', async () => {
  await openFresh();
  const undo = page.locator('.annot-undo');
  const redo = page.locator('.annot-redo');
  assert.equal(await undo.isDisabled(), true);
  const id = await ed((e, s) => e.store.addRegion(s), span(0, 3, 'Person'));
  await ed((e, rid) => { for (let i = 1; i <= 20; ++i) e.store.updateRegion(rid, { value: { start: i, end: i + 3 } }, { merge: 'drag' }); }, id);
  assert.equal(await ed((e) => e.getResult()[0].value.start), 20);
  await page.keyboard.press('Control+z');
  assert.equal(await ed((e) => e.getResult()[0].value.start), 0, 'one undo takes back the whole drag');
  await page.keyboard.press('Control+z');
  assert.equal(await ed((e) => e.getResult().length), 0);
  assert.equal(await undo.isDisabled(), true);
  await page.keyboard.press('Control+Shift+z');
  assert.equal(await ed((e) => e.getResult().length), 1);
  await page.keyboard.press('Control+y');
  assert.equal(await ed((e) => e.getResult()[0].value.start), 20);
  assert.equal(await redo.isDisabled(), true);
  await undo.click();
  assert.equal(await ed((e) => e.getResult()[0].value.start), 0);
  await redo.click();
  assert.equal(await ed((e) => e.getResult()[0].value.start), 20);
  // Two separate drags are two steps.
  await ed((e, rid) => {
    e.store.updateRegion(rid, { value: { start: 21 } }, { merge: 'drag' });
    e.store.updateRegion(rid, { value: { end: 30 } });
    e.store.updateRegion(rid, { value: { start: 22 } }, { merge: 'drag' });
  }, id);
  await page.keyboard.press('Control+z');
  assert.equal(await ed((e) => e.getResult()[0].value.start), 21);
  // Undo inside a text field is the field's own.
  assert.equal(await ed((e) => e.store.canUndo.value), true);
});

test('outliner: grouped by label or tool, hide and lock (a locked region is not deleted), selection synced', async () => {
  await openFresh();
  const ids = await ed((e, spans) => spans.map((s) => e.store.addRegion(s)),
    [span(0, 3, 'Person'), span(4, 12, 'Person'), span(45, 51, 'Place')]);
  const groups = page.locator('.annot-outliner-group');
  assert.deepEqual(await groups.locator('.annot-group-title').allInnerTexts(), ['Person', 'Place']);
  await page.getByRole('combobox', { name: 'Group regions' }).selectOption('tool');
  assert.deepEqual(await groups.locator('.annot-group-title').allInnerTexts(), ['Labels · ner']);
  await page.getByRole('combobox', { name: 'Group regions' }).selectOption('none');
  assert.equal(await groups.count(), 0);
  // Selecting from the store (a canvas click) highlights the row; a row click selects in the store.
  await ed((e, id) => e.store.select(id), ids[2]);
  await page.locator(`.annot-outliner-row.selected[data-region-id="${ids[2]}"]`).waitFor();
  await page.locator(`.annot-outliner-row[data-region-id="${ids[1]}"]`).click();
  assert.deepEqual(await ed((e) => [...e.store.selection.value]), [ids[1]]);
  const row = page.locator(`.annot-outliner-row[data-region-id="${ids[1]}"]`);
  await row.locator('.annot-hide').click();
  assert.equal(await ed((e, id) => e.store.region(id).hidden, ids[1]), true);
  await page.locator(`.annot-outliner-row.hidden-region[data-region-id="${ids[1]}"]`).waitFor();
  // A move (the same outline) keeps the rows; a label change rebuilds them.
  await ed((e, id) => e.store.updateRegion(id, { value: { start: 1 } }, { merge: 'm' }), ids[0]);
  await ed((e, id) => e.store.updateRegion(id, { value: { labels: ['Org'] } }), ids[0]);
  await page.locator(`.annot-outliner-row[data-region-id="${ids[0]}"] .annot-row-title`, { hasText: 'Org' }).waitFor();
  await row.locator('.annot-lock').click();
  assert.equal(await ed((e, id) => e.store.region(id).locked, ids[1]), true);
  await page.keyboard.press('Backspace');
  assert.equal(await ed((e) => e.getResult().length), 3, 'a locked region survives Backspace');
  // hidden/locked are view state: not in the result, not undone.
  assert.ok(!(await ed((e) => JSON.stringify(e.getResult()))).includes('locked'));
  await row.locator('.annot-lock').click();
  await page.keyboard.press('Backspace');
  assert.equal(await ed((e) => e.getResult().length), 2);
  await page.keyboard.press('Control+z');
  assert.equal(await ed((e) => e.getResult().length), 3);
  await page.keyboard.press('Control+z');   // the label change
  await page.keyboard.press('Control+z');   // the move
  assert.equal(await ed((e, id) => e.store.region(id).hidden, ids[1]), true, 'undo keeps the view state');
});

test('outliner with 1,000 regions renders only the rows on screen and scrolls to a selected one', async () => {
  await openFresh();
  const t0 = Date.now();
  await ed((e) => {
    const result = [];
    for (let i = 0; i < 1000; ++i) {
      result.push({ id: `r${i}`, from_name: 'ner', to_name: 'text', type: 'labels', value: { start: i % 40, end: (i % 40) + 3, labels: [i % 2 ? 'Person' : 'Org'] } });
    }
    e.store.load(result);
  });
  await page.getByRole('combobox', { name: 'Group regions' }).selectOption('none');
  const rows = await page.locator('.annot-outliner-row').count();
  assert.ok(rows > 5 && rows < 80, `${rows} outliner rows in the DOM for 1,000 regions`);
  await ed((e) => e.store.select('r900'));
  await page.locator('.annot-outliner-row.selected[data-region-id="r900"]').waitFor();
  assert.ok(await page.locator('.annot-outliner-row[data-region-id="r900"]').isVisible());
  assert.ok(Date.now() - t0 < 10000);
});

test('relations: alt+r from the selected region, then the target; direction and labels from <Relations>', async () => {
  await openFresh();
  const ids = await ed((e, spans) => spans.map((s) => e.store.addRegion(s)), [span(0, 12, 'Person'), span(45, 51, 'Place')]);
  await page.locator(`.annot-outliner-row[data-region-id="${ids[0]}"]`).click();
  await page.keyboard.press('Alt+r');
  await page.locator('.annot-linking').waitFor();
  await page.locator(`.annot-outliner-row[data-region-id="${ids[1]}"]`).click();
  await page.locator('.annot-relation').waitFor();
  await page.locator('.annot-relation .annot-direction').click();
  await page.locator('.annot-relation').getByRole('button', { name: 'lives_in' }).click();
  const rel = (await ed((e) => e.getResult())).find((x) => x.type === 'relation');
  assert.deepEqual(rel, { from_id: ids[0], to_id: ids[1], type: 'relation', direction: 'left', labels: ['lives_in'] });
  // Deleting a region deletes its relations.
  await ed((e, id) => e.store.deleteRegion(id), ids[1]);
  assert.equal((await ed((e) => e.getResult())).filter((x) => x.type === 'relation').length, 0);
  await page.keyboard.press('Control+z');
  assert.equal((await ed((e) => e.getResult())).filter((x) => x.type === 'relation').length, 1);
});

test('perRegion controls show for a selected region only; visibleWhen region-selected with whenLabelValue', async () => {
  await openFresh();
  const perRegion = page.locator('.annot-tag[data-name=sentiment]');
  const note = page.locator('.annot-tag[data-name=note]');
  assert.equal(await perRegion.isHidden(), true);
  assert.equal(await note.isHidden(), true);
  const ids = await ed((e, spans) => spans.map((s) => e.store.addRegion(s)), [span(0, 12, 'Person'), span(25, 40, 'Org')]);
  await ed((e, id) => e.store.select(id), ids[0]);
  await perRegion.waitFor({ state: 'visible' });
  assert.equal(await note.isHidden(), true, 'the note wants an Org region');
  await ed((e, id) => e.store.select(id), ids[1]);
  await note.waitFor({ state: 'visible' });
  // The per-region result carries the region's id and geometry in Label Studio's format.
  await ed((e, id) => e.store.setResult('sentiment', id, { choices: ['Good'] }), ids[1]);
  const item = (await ed((e) => e.getResult())).find((x) => x.from_name === 'sentiment');
  assert.deepEqual(item, { id: ids[1], from_name: 'sentiment', to_name: 'text', type: 'choices', origin: 'manual',
    value: { start: 25, end: 40, text: TEXT.slice(25, 40), choices: ['Good'] } });
  await page.keyboard.press('Escape');
  await perRegion.waitFor({ state: 'hidden' });
});

test('visibleWhen choice-selected / choice-unselected (whenTagName, whenChoiceValue) and no-region-selected', async () => {
  await openFresh();
  const shown = async () => Object.fromEntries(await Promise.all(['adnote', 'noad', 'general'].map(async (n) =>
    [n, !(await page.locator(`.annot-tag[data-name=${n}]`).isHidden())])));
  assert.deepEqual(await shown(), { adnote: false, noad: true, general: true });
  await ed((e) => e.store.setResult('kind', null, { choices: ['News'] }));
  assert.deepEqual(await shown(), { adnote: false, noad: true, general: true });
  await ed((e) => e.store.setResult('kind', null, { choices: ['Ad'] }));
  assert.deepEqual(await shown(), { adnote: true, noad: false, general: true });
  const id = await ed((e, s) => e.store.addRegion(s), span(0, 3, 'Person'));
  await ed((e, rid) => e.store.select(rid), id);
  assert.deepEqual(await shown(), { adnote: true, noad: false, general: false });
  await page.keyboard.press('Control+z');   // the region goes, and with it the selection
  await page.keyboard.press('Control+z');   // Ad -> News
  assert.deepEqual(await shown(), { adnote: false, noad: true, general: true });
});

test('submit sends exactly the Label Studio result list; the annotation reloads the same and Update patches it', async () => {
  await openTask(taskIds[1]);
  const ids = await ed((e) => {
    const a = e.store.addRegion({ from_name: 'ner', value: { start: 0, end: 6, text: 'Second', labels: ['Org'] } });
    const b = e.store.addRegion({ from_name: 'ner', value: { start: 7, end: 11, text: 'task', labels: ['Place'] } });
    e.store.setResult('sentiment', a, { choices: ['Bad'] });
    e.store.addRelation(a, b);
    return [a, b];
  });
  const sent = await ed((e) => e.getResult());
  await page.keyboard.press('Control+Enter');
  await page.locator('.annot-update').waitFor();
  const t = await call(page, 'GET', `/api/tasks/${taskIds[1]}`);
  assert.equal(t.body.annotations.length, 1);
  const saved = t.body.annotations[0];
  assert.deepEqual(saved.result, sent);
  assert.ok(saved.lead_time > 0);
  assert.equal(saved.was_cancelled, false);
  assert.deepEqual(saved.result.find((x) => x.type === 'relation'), { from_id: ids[0], to_id: ids[1], type: 'relation', direction: 'right' });
  // Reloaded from the API, the editor serialises it back unchanged.
  await openTask(taskIds[1]);
  assert.deepEqual(await ed((e) => e.getResult()), sent);
  assert.equal(await page.locator('.annot-history-tab.active').innerText(), `#${saved.id} mine`);
  await ed((e, id) => e.store.updateRegion(id, { value: { labels: ['Person'] } }), ids[1]);
  await page.locator('.annot-update').click();
  await page.locator('.annot-update:not([disabled])').waitFor();
  const after = await call(page, 'GET', `/api/annotations/${saved.id}`);
  assert.deepEqual(after.body.result.find((x) => x.id === ids[1]).value.labels, ['Person']);
});

test('history: a prediction pre-fills a new annotation, its tab is read only, and it is copied into a new annotation', async () => {
  // A prediction and another user's annotation on the third task, through the API.
  const pred = await call(page, 'POST', '/api/predictions', { task: taskIds[2], model_version: 'm1', score: 0.5,
    result: [{ id: 'p1', from_name: 'ner', to_name: 'text', type: 'labels', value: { start: 0, end: 5, text: 'Third', labels: ['Place'] } }] });
  assert.equal(pred.status, 201, JSON.stringify(pred.body));
  await openTask(taskIds[2]);
  // No annotation yet: a new annotation pre-filled from the prediction.
  assert.equal(await page.locator('.annot-history-tab.active').innerText(), '+ New annotation');
  assert.deepEqual(await ed((e) => e.getResult().map((x) => [x.id, x.origin])), [['p1', 'prediction']]);
  await page.getByRole('tab', { name: /Prediction m1/ }).click();
  await page.locator('.annot-badge', { hasText: 'Read only' }).waitFor();
  assert.equal(await page.locator('.annot-submit').count(), 0);
  await page.getByRole('button', { name: 'Copy into a new annotation' }).click();
  await page.locator('.annot-submit').waitFor();
  await ed((e) => e.store.updateRegion('p1', { value: { end: 4 } }));
  await page.locator('.annot-submit').click();
  await page.locator('.annot-update').waitFor();
  const t = await call(page, 'GET', `/api/tasks/${taskIds[2]}`);
  const mine = t.body.annotations[0];
  assert.equal(mine.result[0].origin, 'prediction-changed');
  assert.equal(mine.parent_prediction, pred.body.id);
});

test('copying a prediction over my draft of a new annotation asks first; declined, the draft stays', async () => {
  const { projectId: pid, taskIds: [tid] } = await createProject(page, { title: 'Copy over a draft', config: CONFIG,
    tasks: [{ text: 'Fourth place' }] });
  const span = (id, labels) => [{ id, from_name: 'ner', to_name: 'text', type: 'labels', value: { start: 0, end: 6, text: 'Fourth', labels } }];
  assert.equal((await call(page, 'POST', '/api/predictions', { task: tid, model_version: 'm2', result: span('p2', ['Place']) })).status, 201);
  assert.equal((await call(page, 'POST', `/api/tasks/${tid}/drafts`, { result: span('d1', ['Person']) })).status, 201);
  await page.goto(`${host.base}/projects/${pid}/data?task=${tid}`);
  await editorReady(page);
  assert.deepEqual(await ed((e) => e.getResult().map((x) => x.id)), ['d1'], 'the draft is what opens');
  await page.getByRole('tab', { name: /Prediction m2/ }).click();
  await page.locator('.annot-badge', { hasText: 'Read only' }).waitFor();
  const asked = [];
  page.once('dialog', (d) => { asked.push(d.message()); d.dismiss(); });
  await page.getByRole('button', { name: 'Copy into a new annotation' }).click();
  await page.waitForFunction(() => true);
  assert.equal(asked.length, 1);
  assert.equal(await page.locator('.annot-submit').count(), 0, 'declined: still on the prediction');
  await page.getByRole('tab', { name: '+ New annotation' }).click();
  await page.locator('.annot-submit').waitFor();
  await editorReady(page);
  assert.deepEqual(await ed((e) => e.getResult().map((x) => x.id)), ['d1'], 'the draft was replaced');
  const drafts = (await call(page, 'GET', `/api/tasks/${tid}`)).body.drafts;
  assert.deepEqual(drafts.map((d) => d.result.map((x) => x.id)), [['d1']]);
});

test('required controls are checked before submit (requiredMessage, perRegion per region); skip is not', async () => {
  const config = `<View><Text name="text" value="$text"/>
    <Labels name="ner" toName="text"><Label value="A"/></Labels>
    <Choices name="topic" toName="text" required="true" requiredMessage="Pick a topic"><Choice value="X"/></Choices>
    <TextArea name="why" toName="text" perRegion="true" required="true"/></View>`;
  const { projectId: pid, taskIds: ids } = await createProject(page, { title: 'Required', config, tasks: [{ text: 'abc def' }] });
  await page.goto(`${host.base}/projects/${pid}/data?task=${ids[0]}`);
  await editorReady(page);
  await page.keyboard.press('Control+Enter');
  await page.getByRole('alert').filter({ hasText: 'Pick a topic' }).waitFor();
  await ed((e) => e.store.setResult('topic', null, { choices: ['X'] }));
  await page.getByRole('alert').filter({ hasText: 'Pick a topic' }).waitFor({ state: 'detached' });
  const id = await ed((e) => e.store.addRegion({ from_name: 'ner', value: { start: 0, end: 3, text: 'abc', labels: ['A'] } }));
  await page.locator('.annot-submit').click();
  await page.getByRole('alert').filter({ hasText: '"why" is required (region A)' }).waitFor();
  assert.equal((await call(page, 'GET', `/api/tasks/${ids[0]}`)).body.annotations.length, 0);
  await ed((e, rid) => e.store.setResult('why', rid, { text: ['because'] }), id);
  await page.locator('.annot-submit').click();
  await page.locator('.annot-update').waitFor();
  assert.equal((await call(page, 'GET', `/api/tasks/${ids[0]}`)).body.annotations.length, 1);
});

test('skip (ctrl+space) stores a cancelled annotation', async () => {
  const { taskIds: ids } = await createProject(page, { title: 'Skip test', config: CONFIG, tasks: [{ text: 'skip me' }] });
  await page.goto(`${host.base}/projects/${(await call(page, 'GET', `/api/tasks/${ids[0]}`)).body.project}/data?task=${ids[0]}`);
  await editorReady(page);
  await page.keyboard.press('Control+Space');
  await page.locator('.annot-history-tab', { hasText: 'skipped' }).waitFor();
  const t = await call(page, 'GET', `/api/tasks/${ids[0]}`);
  assert.equal(t.body.annotations[0].was_cancelled, true);
});

test('tags without an editor say so and still show their data, the task cannot be submitted; a bad config says why', async () => {
  const config = '<View><Audio name="audio" value="$audio"/><Labels name="l" toName="audio"><Label value="Speech"/></Labels></View>';
  const { projectId: pid, taskIds: ids } = await createProject(page, { title: 'Audio', config, tasks: [{ audio: 'https://example.com/a.wav' }] });
  await page.goto(`${host.base}/projects/${pid}/data?task=${ids[0]}`);
  await editorReady(page);
  const notice = page.locator('.annot-tag[data-tag=Audio]');
  assert.match(await notice.innerText(), /Audio \(audio\) is not yet supported in the editor/);
  assert.match(await notice.innerText(), /https:\/\/example\.com\/a\.wav/);
  await page.locator('.annot-labels[data-control=l] [data-label=Speech]').waitFor();
  // Nothing seen, nothing to submit: no Submit / Skip, and the toolbar says why.
  await page.locator('.annot-cannot-label', { hasText: 'Cannot be labeled here: Audio (audio) has no editor yet' }).waitFor();
  assert.equal(await page.locator('.annot-submit, .annot-update, .annot-skip').count(), 0, 'Submit or Skip offered');
  await page.keyboard.press('Control+Enter');
  await page.keyboard.press('Control+Space');
  await page.waitForTimeout(300);
  assert.equal((await call(page, 'GET', `/api/tasks/${ids[0]}`)).body.annotations.length, 0, 'a shortcut saved an annotation');
  const png = await page.screenshot();
  fs.writeFileSync(path.join(artifactsDir(), 'editor-unsupported.png'), png);
  assert.ok(await pixelDeviation(page, png) > 8, 'the editor screenshot looks blank');
  const error = await page.evaluate(async () => {
    const { mountEditor } = await import('@annot/ui-sdk');
    const el = document.createElement('div');
    document.body.appendChild(el);
    const editor = mountEditor(el, { config: '<View><Text name="t" value="$t"></View>', task: { id: 1, data: {} } });
    await editor.ready.catch(() => {});
    const text = el.innerText;
    editor.destroy();
    el.remove();
    return text;
  });
  assert.match(error, /The editor cannot open this task: The labeling config is not well-formed XML/);
});

test('no console errors and no failed requests on any page', () => {
  assert.deepEqual(browser.problems, []);
});
