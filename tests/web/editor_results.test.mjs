// Label Studio's result format both ways, on every editor example of Label Studio that has an
// annotation (../shared/fixtures/ls-editor-examples/*/annotations/*.json): the editor's store loads
// the result list into regions, per-region results and relations, and serialises it back to the same
// items (the same ids, types, values and extra keys; an `origin` is added where the input had none,
// an id where it had none). Runs in Chromium with the host's own tag catalog.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitWhenBrowserTestsCannotRun, startHost, startBrowser } from './harness.mjs';
import { signUp } from './editor_helpers.mjs';

exitWhenBrowserTestsCannotRun();

const here = path.dirname(fileURLToPath(import.meta.url));
const shared = process.env.ANNOT_SHARED_DIR || path.resolve(here, '../../../shared');
const examplesDir = path.join(shared, 'fixtures', 'ls-editor-examples');
const noFixtures = fs.existsSync(examplesDir) ? false : `no Label Studio examples at ${examplesDir} (set ANNOT_SHARED_DIR)`;

function examples() {
  const out = [];
  for (const name of fs.readdirSync(examplesDir).sort()) {
    const dir = path.join(examplesDir, name, 'annotations');
    if (!fs.existsSync(dir)) continue;
    const config = fs.readFileSync(path.join(examplesDir, name, 'config.xml'), 'utf8');
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
      const task = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
      for (const [kind, list] of [['annotation', task.annotations], ['prediction', task.predictions]]) {
        (list ?? []).forEach((a, i) => {
          if (Array.isArray(a?.result) && a.result.length) out.push({ name: `${name}/${file} ${kind} ${i}`, config, data: task.data ?? {}, result: a.result });
        });
      }
    }
  }
  return out;
}

let host;
let browser;
let page;

before(async () => {
  host = await startHost();
  browser = await startBrowser();
  page = browser.page;
  await signUp(page, host.base, 'results@example.com');
  await page.goto(`${host.base}/projects`);
});

after(async () => {
  await browser?.close();
  await host?.stop();
});

// One item as it should come back: an origin where there was none; relation labels only when some.
function expected(item) {
  const x = structuredClone(item);
  if (x.type === 'relation') {
    const out = { from_id: x.from_id, to_id: x.to_id, type: 'relation', direction: x.direction ?? 'right' };
    if (x.labels?.length) out.labels = x.labels;
    return out;
  }
  if (x.origin === undefined) x.origin = 'manual';
  return x;
}

const key = (x) => (x.type === 'relation' ? `rel:${x.from_id}>${x.to_id}` : `${x.id ?? '?'}|${x.from_name}|${x.type}`);
const sortKeys = (v) => (Array.isArray(v) ? v.map(sortKeys) : v && typeof v === 'object'
  ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])])) : v);

test('every Label Studio example result survives load -> serialise unchanged', { skip: noFixtures }, async () => {
  const cases = examples();
  assert.ok(cases.length >= 30, `only ${cases.length} example results found`);
  const t0 = Date.now();
  // As JSON text: Playwright's own serialisation of the megabytes of RLE numbers is far slower.
  const answers = JSON.parse(await page.evaluate(async (text) => {
    const list = JSON.parse(text);
    const { parseConfig, loadCatalog, configModel, AnnotationStore } = await import('/static/ui-sdk/editor/index.js');
    const catalog = await loadCatalog();
    return JSON.stringify(list.map(({ name, config, data, result }) => {
      try {
        const started = performance.now();
        const { controls } = configModel(parseConfig(config), catalog, data);
        const store = new AnnotationStore(controls);
        store.load(result);
        const loaded = { regions: store.regions.peek().length, results: store.results.peek().length, relations: store.relations.peek().length };
        return { name, out: store.toResult(), loaded, ms: performance.now() - started };
      } catch (e) {
        return { name, error: String(e.stack ?? e) };
      }
    }));
  }, JSON.stringify(cases)));
  const slow = answers.filter((a) => a.ms > 200).map((a) => `${a.name} ${Math.round(a.ms)} ms`);
  console.log(`${cases.length} results in ${Date.now() - t0} ms${slow.length ? `; slow: ${slow.join(', ')}` : ''}`);
  let checked = 0;
  for (const [i, a] of answers.entries()) {
    assert.equal(a.error, undefined, `${a.name}: ${a.error}`);
    const input = cases[i].result.filter((x) => x && typeof x === 'object');
    // Relations whose ends are not regions of this result are dropped (Label Studio drops them too).
    const ids = new Set(input.filter((x) => x.type !== 'relation').map((x) => x.id));
    const want = input.filter((x) => x.type !== 'relation' || (ids.has(x.from_id) && ids.has(x.to_id))).map(expected);
    assert.equal(a.out.length, want.length, `${a.name}: ${a.out.length} items back for ${want.length}`);
    const got = new Map(a.out.map((x) => [key(x), x]));
    for (const w of want) {
      if (w.id === undefined && w.type !== 'relation') {
        // An item without id gets one; the rest of it is unchanged.
        const match = a.out.find((x) => x.from_name === w.from_name && x.type === w.type);
        assert.ok(match?.id, `${a.name}: ${w.from_name} came back without an id`);
        const { id, ...rest } = match;
        assert.deepEqual(sortKeys(rest), sortKeys(w), `${a.name}: ${w.from_name}`);
        continue;
      }
      assert.ok(got.has(key(w)), `${a.name}: ${key(w)} is missing from ${[...got.keys()].join(', ')}`);
      assert.deepEqual(sortKeys(got.get(key(w))), sortKeys(w), `${a.name}: ${key(w)}`);
    }
    ++checked;
  }
  // The items were understood, not just copied: regions, classifications and relations all occur.
  const total = answers.reduce((t, a) => ({ regions: t.regions + a.loaded.regions, results: t.results + a.loaded.results,
    relations: t.relations + a.loaded.relations }), { regions: 0, results: 0, relations: 0 });
  assert.ok(total.regions > 100 && total.results > 10 && total.relations > 0, JSON.stringify(total));
  // image_tools: a <Labels> item sharing a rectangle's id is that region's per-region result.
  const tools = answers.find((a) => a.name.startsWith('image_tools/'));
  assert.ok(tools.loaded.results > 0 && tools.loaded.regions < cases[answers.indexOf(tools)].result.length, JSON.stringify(tools.loaded));
  console.log(`${checked} example results round-tripped (${JSON.stringify(total)})`);
});

// Pre-annotations written by scripts often carry no result ids: Label Studio gives each region item a
// new id, so it is drawn and listed; a classification without one stays a plain result.
test('a region item without an id becomes a region of its own', async () => {
  const out = await page.evaluate(async () => {
    const { parseConfig, loadCatalog, configModel, AnnotationStore } = await import('/static/ui-sdk/editor/index.js');
    const config = '<View><Image name="img" value="$image"/><RectangleLabels name="box" toName="img"><Label value="Car"/>' +
      '</RectangleLabels><Choices name="c" toName="img"><Choice value="A"/></Choices></View>';
    const { controls } = configModel(parseConfig(config), await loadCatalog(), { image: '/x.png' });
    const store = new AnnotationStore(controls);
    const box = (x) => ({ from_name: 'box', to_name: 'img', type: 'rectanglelabels', original_width: 100, original_height: 100,
      value: { x, y: 1, width: 5, height: 5, rotation: 0, rectanglelabels: ['Car'] } });
    store.load([box(1), box(20), { from_name: 'c', to_name: 'img', type: 'choices', value: { choices: ['A'] } }]);
    return { regions: store.regions.peek().map((r) => ({ id: r.id, x: r.value.x })), results: store.results.peek().length,
      out: store.toResult() };
  });
  assert.equal(out.regions.length, 2, JSON.stringify(out));
  assert.deepEqual(out.regions.map((r) => r.x), [1, 20]);
  assert.ok(out.regions[0].id && out.regions[1].id && out.regions[0].id !== out.regions[1].id, JSON.stringify(out.regions));
  assert.equal(out.results, 1);
  assert.equal(out.out.length, 3);
});

// Scripts sometimes give two regions one id. Grouped as one region, the second box would be saved
// with the first one's geometry: it is a region of its own with a new id, and both boxes come back.
test('two regions of one control sharing an id stay two regions', async () => {
  const out = await page.evaluate(async () => {
    const { parseConfig, loadCatalog, configModel, AnnotationStore } = await import('/static/ui-sdk/editor/index.js');
    const config = '<View><Image name="img" value="$image"/><RectangleLabels name="box" toName="img"><Label value="Car"/>' +
      '</RectangleLabels><TextArea name="note" toName="img" perRegion="true"/></View>';
    const { controls } = configModel(parseConfig(config), await loadCatalog(), { image: '/x.png' });
    const store = new AnnotationStore(controls);
    const box = (x) => ({ id: 'same', from_name: 'box', to_name: 'img', type: 'rectanglelabels', original_width: 100,
      original_height: 100, value: { x, y: 1, width: 5, height: 5, rotation: 0, rectanglelabels: ['Car'] } });
    store.load([box(1), { id: 'same', from_name: 'note', to_name: 'img', type: 'textarea', value: { text: ['first'] } }, box(20)]);
    return { regions: store.regions.peek().map((r) => ({ id: r.id, x: r.value.x })), out: store.toResult() };
  });
  assert.equal(out.regions.length, 2, JSON.stringify(out));
  assert.deepEqual(out.regions.map((r) => r.x), [1, 20]);
  assert.equal(out.regions[0].id, 'same');
  assert.notEqual(out.regions[1].id, 'same');
  const boxes = out.out.filter((x) => x.type === 'rectanglelabels').map((x) => [x.id, x.value.x]);
  assert.deepEqual(boxes, [['same', 1], [out.regions[1].id, 20]]);
  // The per-region text stays with the first region, the one its id named first.
  const note = out.out.find((x) => x.type === 'textarea');
  assert.equal(note.id, 'same');
  assert.equal(note.value.x, 1);
});

test('no console errors and no failed requests', () => {
  assert.deepEqual(browser.problems, []);
});
