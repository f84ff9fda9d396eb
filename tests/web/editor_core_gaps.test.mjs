// Editor framework and core controls, the gaps of issue 7 (real Chromium, real host): a new annotation
// starts with the config's defaults (<Choice selected>, Rating / Number defaultValue, Taxonomy
// <Choice selected>) and is submitted with them, while a prediction or an existing annotation is
// shown as it is; <Repeater on="$images"> expanded per image (names and values indexed) labels and
// submits; ctx.renderChildren(el, node) mounts a Panel's children; hotkeys work while a Choice's
// checkbox has focus; Choices maxUsages over per-region results; Taxonomy apiUrl from a file the host
// serves and from a lazy API on 127.0.0.1 (children by `path`). No console errors, no failed requests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { exitWhenBrowserTestsCannotRun, startSession, stopSession } from './harness.mjs';
import { signUp, createProject, call, editorReady } from './editor_helpers.mjs';

exitWhenBrowserTestsCannotRun();

let host;
let browser;
let page;

before(async () => {
  ({ host, browser, page } = await startSession());
  await signUp(page, host.base, 'gaps@example.com');
});

after(() => stopSession(host, browser));

const control = (name) => page.locator(`[data-control="${name}"]`);

// The editor mounted on the page (its `annotEditor`); `fn` runs in the page with it.
const ed = (fn, arg) => page.evaluate(([f, a]) => {
  const editor = document.querySelector('.annot-editor-host').annotEditor;
  // eslint-disable-next-line no-new-func
  return new Function('editor', 'arg', `return (${f})(editor, arg);`)(editor, a);
}, [fn.toString(), arg]);

// An editor mounted straight from @annot/ui-sdk (as the gallery's preview does) on a host page.
async function mountPreview(config, data, options = {}) {
  await page.goto(`${host.base}/projects`);
  await page.evaluate(async ([c, d, o]) => {
    const { mountEditor } = await import('@annot/ui-sdk');
    const el = document.createElement('div');
    el.id = 'gaps-editor';
    document.body.appendChild(el);
    const editor = mountEditor(el, { config: c, task: { id: null, data: d }, ...o });
    await editor.ready;
  }, [config, data, options]);
  await editorReady(page);
}

async function annotationsOf(taskId, count = 1) {
  let list = [];
  for (let i = 0; i < 100 && list.length < count; ++i) {
    list = (await call(page, 'GET', `/api/tasks/${taskId}/annotations`)).body;
    if (list.length < count) await page.waitForTimeout(100);
  }
  return list;
}

// ---------------------------------------------------------------- 1. defaults of a new annotation
const DEFAULTS = `<View>
  <Text name="text" value="$text"/>
  <Choices name="mood" toName="text"><Choice value="Happy"/><Choice value="Sad" selected="true"/><Choice value="Calm" selected="true"/></Choices>
  <Choices name="tags" toName="text" choice="multiple"><Choice value="A" selected="true"/><Choice value="B"/><Choice value="C" alias="c" selected="true"/></Choices>
  <Rating name="stars" toName="text" defaultValue="3"/>
  <Number name="count" toName="text" min="0" max="10" defaultValue="7"/>
  <Taxonomy name="tax" toName="text"><Choice value="X"><Choice value="Y" selected="true"/></Choice><Choice value="Z"/></Taxonomy>
  <TextArea name="note" toName="text"/>
</View>`;

test('a new annotation starts with the config defaults and is submitted with them', async () => {
  const { projectId, taskIds } = await createProject(page, { title: 'Defaults', config: DEFAULTS,
    tasks: [{ text: 'A new one.' }] });
  await page.goto(`${host.base}/projects/${projectId}/data?task=${taskIds[0]}`);
  await editorReady(page);
  // Single choice: the first selected one only, as Label Studio.
  await control('mood').locator('label.ac-on', { hasText: 'Sad' }).waitFor();
  assert.equal(await control('mood').locator('label.ac-on').count(), 1);
  assert.deepEqual(await control('tags').locator('label.ac-on').allInnerTexts(), ['A', 'C']);
  await page.locator('[data-control="stars"][data-rating="3"]').waitFor();
  assert.equal(await control('count').locator('input').inputValue(), '7');
  await control('tax').locator('.ac-chip', { hasText: 'Y' }).waitFor();
  // The defaults are the annotation's start, not an edit: nothing to undo, no draft yet.
  assert.equal(await ed((e) => e.store.canUndo.peek()), false);
  await page.locator('.annot-submit').click();
  const [annotation] = await annotationsOf(taskIds[0]);
  const value = (from) => annotation.result.find((r) => r.from_name === from)?.value;
  assert.deepEqual(value('mood'), { choices: ['Sad'] });
  assert.deepEqual(value('tags'), { choices: ['A', 'c'] });
  assert.deepEqual(value('stars'), { rating: 3 });
  assert.deepEqual(value('count'), { number: 7 });
  assert.deepEqual(value('tax'), { taxonomy: [['X', 'Y']] });
  assert.equal(value('note'), undefined);
  for (const r of annotation.result) assert.equal(r.to_name, 'text');
  assert.deepEqual(browser.problems, []);
});

test('a prediction being edited and an existing annotation get no defaults', async () => {
  const happy = [{ from_name: 'mood', to_name: 'text', type: 'choices', value: { choices: ['Happy'] } }];
  const { projectId, taskIds } = await createProject(page, { title: 'Defaults kept out', config: DEFAULTS,
    tasks: [{ data: { text: 'Predicted.' }, predictions: [{ model_version: 'm', result: happy }] }, { text: 'Annotated.' }] });
  const saved = await call(page, 'POST', `/api/tasks/${taskIds[1]}/annotations`, { result: happy });
  assert.equal(saved.status, 201, JSON.stringify(saved.body));
  for (const id of taskIds) {
    await page.goto(`${host.base}/projects/${projectId}/data?task=${id}`);
    await editorReady(page);
    await control('mood').locator('label.ac-on', { hasText: 'Happy' }).waitFor();
    const result = await ed((e) => e.getResult());
    assert.deepEqual(result.map((r) => [r.from_name, r.value]), [['mood', { choices: ['Happy'] }]], `task ${id}`);
    assert.equal(await page.locator('[data-control="stars"][data-rating="0"]').count(), 1);
  }
  assert.deepEqual(browser.problems, []);
});

// ---------------------------------------------------------------- 2. Repeater
const REPEATER = `<View>
  <Repeater on="$images" indexFlag="{{idx}}">
    <Header value="Photo {{idx}}"/>
    <Image name="image_{{idx}}" value="$images[{{idx}}].url"/>
    <RectangleLabels name="box_{{idx}}" toName="image_{{idx}}"><Label value="Car"/></RectangleLabels>
    <Choices name="quality_{{idx}}" toName="image_{{idx}}" choice="single-radio"><Choice value="Sharp"/><Choice value="Blurry"/></Choices>
  </Repeater>
</View>`;

test('a Repeater over images: one copy per image with indexed names, labeled and submitted', async () => {
  const url = '/plugins/image/samples/street.png';
  const { projectId, taskIds } = await createProject(page, { title: 'Repeater', config: REPEATER,
    tasks: [{ images: [{ url }, { url }] }] });
  await page.goto(`${host.base}/projects/${projectId}/data?task=${taskIds[0]}`);
  await editorReady(page);
  await page.getByRole('heading', { name: 'Photo 1' }).waitFor();
  assert.equal(await page.getByRole('heading', { name: 'Photo 0' }).count(), 1);
  assert.deepEqual(await page.locator('.annot-tag[data-tag="Image"]').evaluateAll((els) => els.map((e) => e.dataset.name)),
    ['image_0', 'image_1']);
  assert.equal(await page.locator('.annot-unsupported').count(), 0);
  assert.equal(await page.getByText('{{idx}}').count(), 0);
  await control('quality_0').getByText('Sharp').click();
  await control('quality_1').getByText('Blurry').click();

  // A box on the second image, with the second copy's label.
  // The image plugin's element is the tag's own (.annot-tag.annot-image).
  const second = page.locator('.annot-image[data-name="image_1"]');
  // Both copies loaded first: the box is drawn at coordinates measured once, and an image above that
  // finished loading after the measure would move the second one under the mouse.
  for (const name of ['image_0', 'image_1'])
    await page.locator(`.annot-image[data-name="${name}"][data-state="ready"]`).waitFor();
  await page.locator('.annot-labels[data-control="box_1"] [data-label="Car"]').click();
  await second.scrollIntoViewIfNeeded();
  const box = await second.locator('.annot-image-stage').boundingBox();
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.4, { steps: 4 });
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.6, { steps: 4 });
  await page.mouse.up();
  await page.waitForFunction(() => document.querySelector('.annot-editor-host').annotEditor.store.regions.peek().length === 1);

  await page.locator('.annot-submit').click();
  const [annotation] = await annotationsOf(taskIds[0]);
  const by = (from) => annotation.result.filter((r) => r.from_name === from);
  assert.deepEqual(by('quality_0').map((r) => [r.to_name, r.type, r.value]), [['image_0', 'choices', { choices: ['Sharp'] }]]);
  assert.deepEqual(by('quality_1').map((r) => [r.to_name, r.type, r.value]), [['image_1', 'choices', { choices: ['Blurry'] }]]);
  const [rect] = by('box_1');
  assert.ok(rect, JSON.stringify(annotation.result));
  assert.equal(rect.to_name, 'image_1');
  assert.equal(rect.type, 'rectanglelabels');
  assert.deepEqual(rect.value.rectanglelabels, ['Car']);
  assert.ok(Math.abs(rect.value.x - 20) < 2 && Math.abs(rect.value.width - 40) < 2, JSON.stringify(rect.value));
  assert.equal(by('box_0').length, 0);
  assert.equal(annotation.result.length, 3);
  assert.deepEqual(browser.problems, []);
});

test('a Repeater with mode="pagination" shows one copy at a time; a missing list gives none', async () => {
  const config = `<View>
    <Repeater on="$pages" mode="pagination">
      <Text name="page_{{idx}}" value="$pages[{{idx}}].text"/>
      <Choices name="ok_{{idx}}" toName="page_{{idx}}"><Choice value="Fine"/></Choices>
    </Repeater>
    <Repeater on="$nothing"><Text name="none_{{idx}}" value="$x"/></Repeater>
  </View>`;
  await mountPreview(config, { pages: [{ text: 'First page' }, { text: 'Second page' }, { text: 'Third page' }] });
  await page.locator('.ac-pager', { hasText: '1 / 3' }).waitFor();
  await page.getByText('First page').waitFor();
  assert.equal(await page.getByText('Second page').isVisible(), false);
  await page.getByRole('button', { name: 'Next ›' }).click();
  await page.getByText('Second page').waitFor();
  await control('ok_1').getByText('Fine').click();
  const result = await ed((e) => e.getResult());
  assert.deepEqual(result.map((r) => [r.from_name, r.to_name, r.value]), [['ok_1', 'page_1', { choices: ['Fine'] }]]);
  assert.equal(await page.locator('[data-name^="none_"]').count(), 0);
  assert.deepEqual(browser.problems, []);
});

// ---------------------------------------------------------------- 3. ctx.renderChildren(el, node)
test('ctx.renderChildren(el, node) mounts the children of a node inside the tag (a Collapse Panel)', async () => {
  const config = `<View>
    <Text name="text" value="$text"/>
    <Collapse bordered="true" accordion="false">
      <Panel value="First"><Choices name="first" toName="text"><Choice value="One"/></Choices></Panel>
      <Panel value="Second"><TextArea name="second" toName="text"/><Rating name="third" toName="text"/></Panel>
    </Collapse>
  </View>`;
  await mountPreview(config, { text: 'Panels.' });
  // Each Panel's controls are in that Panel's body.
  assert.equal(await page.locator('.ac-panel', { hasText: 'First' }).locator('[data-name="first"]').count(), 1);
  assert.equal(await page.locator('.ac-panel', { hasText: 'Second' }).locator('[data-name="second"], [data-name="third"]').count(), 2);
  await page.getByRole('button', { name: 'Second' }).click();
  await control('third').getByRole('radio', { name: '2 of 5' }).click();
  assert.deepEqual((await ed((e) => e.getResult())).map((r) => r.value), [{ rating: 2 }]);
  // The call itself: a Panel's children into any element, destroy() unmounts them; a node outside
  // the tag is refused.
  const out = await ed((e) => {
    const collapse = e.nodes.find((n) => n.tag === 'Collapse');
    const second = collapse.children[1];
    const destroyers = [];
    const ctx = e.makeCtx(collapse, e.catalog.tags.get('Collapse'), destroyers);
    const el = document.createElement('div');
    document.body.appendChild(el);
    const mounted = ctx.renderChildren(el, second);
    const names = [...el.querySelectorAll('[data-name]')].map((x) => x.dataset.name);
    mounted.destroy();
    const after = el.children.length;
    el.remove();
    let refused = null;
    try { ctx.renderChildren(document.createElement('div'), e.nodes.find((n) => n.tag === 'Text')); } catch (error) { refused = error.message; }
    return { names, after, refused };
  });
  assert.deepEqual(out.names, ['second', 'third']);
  assert.equal(out.after, 0);
  assert.match(out.refused, /outside this tag/);
  assert.deepEqual(browser.problems, []);
});

// ---------------------------------------------------------------- 4. hotkeys and a focused Choice
test('hotkeys fire while a Choice checkbox or radio has focus; text fields still keep their keys', async () => {
  const config = `<View>
    <Labels name="ner" toName="text"><Label value="Person" hotkey="p"/></Labels>
    <Text name="text" value="$text"/>
    <Choices name="kind" toName="text" choice="multiple"><Choice value="News" hotkey="n"/><Choice value="Ad" hotkey="a"/></Choices>
    <Choices name="tone" toName="text" choice="single-radio"><Choice value="Warm" hotkey="w"/><Choice value="Cold"/></Choices>
    <TextArea name="note" toName="text"/>
  </View>`;
  await mountPreview(config, { text: 'Keys.' });
  await control('kind').locator('input').first().focus();
  await page.keyboard.press('a');
  await control('kind').locator('label.ac-on', { hasText: 'Ad' }).waitFor();
  await page.keyboard.press('p');
  await page.locator('.annot-labels[data-control="ner"] [data-label="Person"][aria-pressed="true"]').waitFor();
  // Space still toggles the focused checkbox itself (News).
  await page.keyboard.press('Space');
  await control('kind').locator('label.ac-on', { hasText: 'News' }).waitFor();
  await control('tone').getByRole('radio').last().focus();
  await page.keyboard.press('w');
  await control('tone').locator('label.ac-on', { hasText: 'Warm' }).waitFor();
  // Typed into the TextArea, the same keys are text.
  await control('note').getByRole('textbox').fill('');
  await control('note').getByRole('textbox').press('n');
  assert.equal(await control('note').getByRole('textbox').inputValue(), 'n');
  assert.deepEqual(await control('kind').locator('label.ac-on').evaluateAll((els) => els.map((e) => e.dataset.value)), ['News', 'Ad']);
  assert.deepEqual(browser.problems, []);
});

// ---------------------------------------------------------------- 5a. Choices maxUsages
test('Choices maxUsages: a choice is used on at most that many regions of the task', async () => {
  const text = 'Alice met Bob and Carol.';
  const config = `<View>
    <Labels name="ner" toName="text"><Label value="Person"/></Labels>
    <Text name="text" value="$text"/>
    <Choices name="role" toName="text" perRegion="true" maxUsages="1">
      <Choice value="Lead"/><Choice value="Extra"/><Choice value="Guest" maxUsages="2"/>
    </Choices>
  </View>`;
  await mountPreview(config, { text });
  const ids = await ed((e, t) => [[0, 5], [10, 13], [18, 23]].map(([start, end]) => e.store.addRegion({ from_name: 'ner',
    to_name: 'text', type: 'labels', value: { start, end, text: t.slice(start, end), labels: ['Person'] } })), text);
  const pick = async (id, choice) => {
    await ed((e, i) => e.store.select(i), id);
    await control('role').getByText(choice).click();
  };
  await pick(ids[0], 'Lead');
  await control('role').locator('label.ac-on', { hasText: 'Lead' }).waitFor();
  await ed((e, i) => e.store.select(i), ids[1]);
  // Lead is used up on the first region: shown, not pickable (click, hotkey-free) here.
  const lead = control('role').locator('label', { hasText: 'Lead' });
  await control('role').locator('label.ac-used-up', { hasText: 'Lead' }).waitFor();
  assert.ok(await lead.locator('input').isDisabled());
  await lead.click({ force: true });
  assert.equal(await control('role').locator('label.ac-on').count(), 0);
  await pick(ids[1], 'Guest');
  await pick(ids[2], 'Guest');   // Guest allows two regions
  await control('role').locator('label.ac-on', { hasText: 'Guest' }).waitFor();
  // Back on the first region, Lead is still its own (unselectable elsewhere, not here).
  await ed((e, i) => e.store.select(i), ids[0]);
  await control('role').locator('label.ac-on', { hasText: 'Lead' }).waitFor();
  assert.equal(await control('role').locator('label.ac-used-up', { hasText: 'Guest' }).count(), 1);
  const result = await ed((e) => e.getResult().filter((r) => r.from_name === 'role').map((r) => [r.id, r.value.choices]));
  assert.deepEqual(result, [[ids[0], ['Lead']], [ids[1], ['Guest']], [ids[2], ['Guest']]]);
  assert.deepEqual(browser.problems, []);
});

// ---------------------------------------------------------------- 5b. Taxonomy apiUrl
test('Taxonomy apiUrl: the tree from a file the host serves (aliases stored, labels shown, search)', async () => {
  const config = `<View>
    <Text name="text" value="$text"/>
    <Taxonomy name="tax" toName="text" apiUrl="/plugins/core/samples/taxonomy.json" showFullPath="true"/>
  </View>`;
  await mountPreview(config, { text: 'A tree.' });
  await control('tax').locator('.ac-tax-open').click();
  await control('tax').getByRole('button', { name: 'Expand Animals' }).click();
  await control('tax').getByRole('button', { name: 'Expand Dogs' }).click();
  await control('tax').locator('.ac-tax-row', { hasText: 'Terriers' }).getByRole('checkbox').check();
  await control('tax').getByRole('searchbox').fill('flow');
  await control('tax').locator('.ac-tax-row', { hasText: 'Flowers' }).getByRole('checkbox').check();
  await control('tax').locator('.ac-chip', { hasText: 'Animals / Dogs / Terriers' }).waitFor();
  await control('tax').locator('.ac-chip', { hasText: 'Plants / Flowers' }).waitFor();
  const result = await ed((e) => e.getResult());
  assert.deepEqual(result.map((r) => r.value), [{ taxonomy: [['animals', 'dogs', 'terriers'], ['plants', 'flowers']] }]);
  assert.deepEqual(browser.problems, []);
});

test('Taxonomy apiUrl: a lazy API ($var URL) loads children by path; an unreachable one says so', async () => {
  const seen = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    seen.push(url.search);
    const path = url.searchParams.getAll('path');
    const items = !path.length
      ? [{ value: 'Africa', alias: 'AF', isLeaf: false }, { value: 'Europe', alias: 'EU', isLeaf: false }, { value: 'Nowhere' }]
      : path.join('/') === 'AF' ? [{ value: 'Kenya', alias: 'KE' }, { value: 'Ghana', alias: 'GH' }] : [];
    res.writeHead(200, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' });
    res.end(JSON.stringify({ items }));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const api = `http://127.0.0.1:${server.address().port}/taxonomy`;
    const config = `<View>
      <Text name="text" value="$text"/>
      <Taxonomy name="places" toName="text" apiUrl="$taxonomy_url" leafsOnly="true"/>
    </View>`;
    await mountPreview(config, { text: 'Places.', taxonomy_url: api });
    await control('places').locator('.ac-tax-open').click();
    await control('places').locator('.ac-tax-row', { hasText: 'Europe' }).waitFor();
    // leafsOnly: a node with children still to load is not selectable.
    assert.equal(await control('places').locator('.ac-tax-row', { hasText: 'Africa' }).getByRole('checkbox').count(), 0);
    await control('places').getByRole('button', { name: 'Expand Africa' }).click();
    await control('places').locator('.ac-tax-row', { hasText: 'Kenya' }).getByRole('checkbox').check();
    await control('places').locator('.ac-chip', { hasText: 'Kenya' }).waitFor();
    assert.deepEqual(seen, ['', '?path=AF']);
    assert.deepEqual((await ed((e) => e.getResult())).map((r) => r.value), [{ taxonomy: [['AF', 'KE']] }]);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  browser.expect(/\/plugins\/core\/samples\/missing\.json$/, 404);
  await mountPreview(`<View><Text name="text" value="$text"/>
    <Taxonomy name="gone" toName="text" apiUrl="/plugins/core/samples/missing.json"/></View>`, { text: 'x' });
  await control('gone').getByRole('alert').filter({ hasText: /could not be loaded from \/plugins\/core\/samples\/missing\.json: HTTP 404/ }).waitFor();
  assert.deepEqual(browser.problems, []);
});

// ---------------------------------------------------------------- beforeSend: typed, not added
test('text typed but not added is sent with the annotation whatever has focus (ctx.beforeSend)', async () => {
  const { projectId, taskIds } = await createProject(page, { title: 'Pending text',
    config: '<View><Text name="text" value="$text"/><TextArea name="note" toName="text" placeholder="Note"/>'
      + '<TextArea name="story" toName="text" transcription="true" placeholder="Story"/></View>',
    tasks: [{ text: 'Some words.' }] });
  await page.goto(`${host.base}/projects/${projectId}/data?task=${taskIds[0]}`);
  await editorReady(page);
  await page.getByPlaceholder('Story').fill('Once upon a time');
  await page.getByPlaceholder('Note').fill('Typed, never added');
  // A scripted click: focus stays in the Note field, so no blur says "submit" to the control.
  await page.evaluate(() => document.querySelector('.annot-submit').click());
  const [annotation] = await annotationsOf(taskIds[0]);
  assert.ok(annotation, 'no annotation was stored');
  const value = (from) => annotation.result.find((r) => r.from_name === from)?.value;
  assert.deepEqual(value('note'), { text: ['Typed, never added'] });
  assert.deepEqual(value('story'), { text: ['Once upon a time'] });
  assert.equal(annotation.result.length, 2);
  assert.deepEqual(browser.problems, []);
});
