// Benchmark of the core plugin's controls (plugins/core/ui) in headless Chromium against a real
// annot serve: a Taxonomy of TOP x CHILDREN nodes and a Choices of CHOICES options on one task.
// Prints navigation -> the controls drawn, opening the taxonomy, a search keystroke -> its hits
// drawn, expanding a node of CHILDREN children, and a click on one choice among CHOICES -> painted
// selected (measured in the page: pointerdown to the end of the frame that shows it). Figures only.
//   ANNOT_BIN=<build>/bin/annot ANNOT_WEB_NODE_MODULES=<build>/web/npm/node_modules \
//     node bench/ui/editor_core_bench.mjs [top=100] [children=100] [choices=300] [runs=5]
import { skipReason, startHost, startBrowser } from '../../tests/web/harness.mjs';
import { signUp } from '../../tests/web/editor_helpers.mjs';

const TOP = Number(process.argv[2] ?? 100);
const CHILDREN = Number(process.argv[3] ?? 100);
const CHOICES = Number(process.argv[4] ?? 300);
const RUNS = Number(process.argv[5] ?? 5);

const reason = skipReason();
if (reason) {
  console.log(`cannot run: ${reason}`);
  process.exit(77);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => `${x.toFixed(1)} ms`;
const stats = (xs) => `median ${fmt(median(xs))}, max ${fmt(Math.max(...xs))} (${xs.length} runs)`;

const tree = Array.from({ length: TOP }, (_, i) => `<Choice value="Group ${i}">${
  Array.from({ length: CHILDREN }, (_, j) => `<Choice value="Item ${i}.${j}"/>`).join('')}</Choice>`).join('');
const choices = Array.from({ length: CHOICES }, (_, i) => `<Choice value="Option ${i}"/>`).join('');
const config = `<View><Text name="text" value="$text"/>
  <Choices name="many" toName="text" choice="multiple" layout="inline">${choices}</Choices>
  <Taxonomy name="tax" toName="text">${tree}</Taxonomy></View>`;

const host = await startHost();
const browser = await startBrowser();
const { page } = browser;
page.setDefaultTimeout(120000);
try {
  await signUp(page, host.base, 'bench@example.com');
  const ids = await page.evaluate(async ({ config }) => {
    const headers = { 'Content-Type': 'application/json', 'X-CSRFToken': decodeURIComponent(document.cookie.match(/csrftoken=([^;]*)/)[1]) };
    const call = async (method, url, body) => {
      const r = await fetch(url, { method, headers, body: JSON.stringify(body) });
      if (!r.ok) throw new Error(`${method} ${url}: HTTP ${r.status} ${await r.text()}`);
      return r.json();
    };
    const p = await call('POST', '/api/projects', { title: 'Core bench', label_config: config });
    await call('POST', `/api/projects/${p.id}/import`, [{ text: 'A task to classify.' }]);
    const tasks = await (await fetch(`/api/tasks?project=${p.id}`)).json();
    return { projectId: p.id, taskId: tasks.tasks[0].id };
  }, { config });
  const url = `${host.base}/projects/${ids.projectId}/data?task=${ids.taskId}`;
  console.log(`config: taxonomy ${TOP} x ${CHILDREN} (${TOP * (CHILDREN + 1)} nodes), choices ${CHOICES}; ${config.length} characters`);

  const loads = [];
  for (let run = 0; run < RUNS; run += 1) {
    await page.goto(url);
    await page.waitForFunction((n) => document.querySelectorAll('[data-control="many"] .ac-choice').length === n &&
      document.querySelector('[data-control="tax"] .ac-tax-open'), CHOICES, { polling: 'raf' });
    loads.push(await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())))));
  }
  console.log(`navigation -> controls drawn: ${stats(loads)}`);

  // In-page timings: an action (a click or an input event), then the end of the first frame where
  // the condition holds: `count` elements match `sel` (at least `min`), or `sel` has class `cls`.
  const timed = (spec) => page.evaluate((spec) => new Promise((resolve) => {
    const t0 = performance.now();
    if (spec.click) document.querySelector(spec.click).click();
    if (spec.input) {
      const el = document.querySelector(spec.input[0]);
      el.value = spec.input[1];
      el.dispatchEvent(new Event('input', { bubbles: true }));
    }
    const done = () => {
      const { sel, count, min, cls } = spec.until;
      if (cls) return document.querySelector(sel)?.classList.contains(cls);
      const n = document.querySelectorAll(sel).length;
      return count !== undefined ? n === count : n >= min;
    };
    const check = () => (done() ? requestAnimationFrame(() => resolve(performance.now() - t0)) : requestAnimationFrame(check));
    requestAnimationFrame(check);
  }), spec);

  const opens = [];
  const searches = [];
  const expands = [];
  for (let run = 0; run < RUNS; run += 1) {
    await page.goto(url);
    await page.locator('[data-control="tax"] .ac-tax-open').waitFor();
    const rows = '[data-control="tax"] .ac-tax-row';
    opens.push(await timed({ click: '[data-control="tax"] .ac-tax-open', until: { sel: rows, count: TOP } }));
    expands.push(await timed({ click: `${rows}[data-path="Group ${run}"] button`, until: { sel: rows, count: TOP + CHILDREN } }));
    // One keystroke narrowing the search to one group's items ("Item 7." matches CHILDREN items).
    searches.push(await timed({ input: ['[data-control="tax"] .ac-tax-search', `Item ${run}.`],
      until: { sel: '[data-control="tax"] .ac-tax-hit', min: Math.min(CHILDREN, 300) } }));
  }
  console.log(`taxonomy: open (${TOP} rows) ${stats(opens)}`);
  console.log(`taxonomy: expand a node of ${CHILDREN} ${stats(expands)}`);
  console.log(`taxonomy: search keystroke -> hits drawn ${stats(searches)}`);

  const clicks = [];
  for (let run = 0; run < 10; run += 1) {
    const i = Math.floor(((run + 0.5) / 10) * CHOICES);
    const sel = `[data-control="many"] .ac-choice[data-value="Option ${i}"]`;
    clicks.push(await timed({ click: sel, until: { sel, cls: 'ac-on' } }));
  }
  console.log(`choices: click -> painted selected among ${CHOICES}: ${stats(clicks)}`);
  if (browser.problems.length) console.log(`page problems: ${browser.problems.join('; ')}`);
} finally {
  await browser.close();
  await host.stop();
}
