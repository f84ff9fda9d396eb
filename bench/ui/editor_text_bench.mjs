// Benchmark of the text editor (plugins/text/ui) in headless Chromium against a real annot serve:
// a 50,000-character text with 500 spans (an annotation made through the API). Prints the time
// from navigation to the editor being interactive (every span drawn, its label tag placed), the
// time from releasing the mouse to a new span being painted, and from a click to a span's region
// being shown selected. Not a test: figures only.
//   ANNOT_BIN=<build>/bin/annot ANNOT_WEB_NODE_MODULES=<build>/web/npm/node_modules \
//     node bench/ui/editor_text_bench.mjs [chars=50000] [spans=500] [runs=5]
import { skipReason, startHost, startBrowser } from '../../tests/web/harness.mjs';
import { signUp } from '../../tests/web/editor_helpers.mjs';

const CHARS = Number(process.argv[2] ?? 50000);
const SPANS = Number(process.argv[3] ?? 500);
const RUNS = Number(process.argv[4] ?? 5);

const reason = skipReason();
if (reason) {
  console.log(`cannot run: ${reason}`);
  process.exit(77);
}

// A deterministic text of words and sentences, exactly CHARS long.
function makeText(n) {
  const words = ['annotation', 'model', 'data', 'label', 'the', 'of', 'Paris', 'Berlin', 'Alice', 'Bob', 'quickly',
    'review', 'span', 'entity', 'text', 'and', 'a', 'with', 'June', 'platform', 'editor', 'offset', 'value'];
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  let out = '';
  let sentence = 0;
  while (out.length < n) {
    out += words[Math.floor(rnd() * words.length)];
    sentence += 1;
    if (sentence > 12 && rnd() < 0.2) {
      out += rnd() < 0.15 ? '.\n' : '. ';
      sentence = 0;
    } else {
      out += ' ';
    }
  }
  return { text: out.slice(0, n), rnd };
}

// SPANS spans on word boundaries, 1-3 words long, some overlapping their neighbours.
function makeSpans(text, count, rnd) {
  const starts = [];
  for (let i = 0; i < text.length; i += 1) if ((i === 0 || text[i - 1] === ' ' || text[i - 1] === '\n') && /\w/.test(text[i])) starts.push(i);
  const labels = ['Person', 'Location', 'Date', 'Other'];
  const result = [];
  const step = Math.floor(starts.length / count);
  for (let k = 0; k < count; k += 1) {
    const w = k * step + (k % 7 === 0 ? -1 : 0);
    const start = starts[Math.max(0, w)];
    let end = start;
    const len = 1 + Math.floor(rnd() * 3);
    for (let j = 0; j < len; j += 1) {
      while (end < text.length && /\w/.test(text[end])) end += 1;
      if (j < len - 1) while (end < text.length && !/\w/.test(text[end])) end += 1;
    }
    result.push({ id: `s${k}`, from_name: 'ner', to_name: 'text', type: 'labels',
      value: { start, end, text: text.slice(start, end), labels: [labels[k % labels.length]] } });
  }
  return result;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => `${x.toFixed(1)} ms`;

const host = await startHost();
const browser = await startBrowser();
const { page } = browser;
page.setDefaultTimeout(60000);
try {
  await signUp(page, host.base, 'bench@example.com');

  const { text, rnd } = makeText(CHARS);
  const result = makeSpans(text, SPANS, rnd);
  const config = `<View><Labels name="ner" toName="text"><Label value="Person"/><Label value="Location"/><Label value="Date"/>
    <Label value="Other"/></Labels><Text name="text" value="$text" granularity="word"/></View>`;
  const ids = await page.evaluate(async ({ config, text, result }) => {
    const headers = { 'Content-Type': 'application/json', 'X-CSRFToken': decodeURIComponent(document.cookie.match(/csrftoken=([^;]*)/)[1]) };
    const call = async (method, url, body) => {
      const r = await fetch(url, { method, headers, body: JSON.stringify(body) });
      if (!r.ok) throw new Error(`${method} ${url}: HTTP ${r.status} ${await r.text()}`);
      return r.json();
    };
    const p = await call('POST', '/api/projects', { title: 'Text bench', label_config: config });
    await call('POST', `/api/projects/${p.id}/import`, [{ text }]);
    const tasks = await (await fetch(`/api/tasks?project=${p.id}`)).json();
    const taskId = tasks.tasks[0].id;
    await call('POST', `/api/tasks/${taskId}/annotations`, { result });
    return { projectId: p.id, taskId };
  }, { config, text, result });
  const url = `${host.base}/projects/${ids.projectId}/data?task=${ids.taskId}`;
  console.log(`text: ${text.length} characters, ${result.length} spans (annotation loaded by the editor)`);

  // Navigation -> interactive: every span's label tag in place (placed after layout) and the text selectable.
  const loads = [];
  for (let run = 0; run < RUNS; run += 1) {
    await page.goto(url);
    await page.waitForFunction((n) => {
      const chips = document.querySelectorAll('.annot-text-chip').length;
      const groups = document.querySelectorAll('.annot-text-tags');
      return chips === n && groups.length > 0 && groups[groups.length - 1].style.transform !== '';
    }, SPANS, { polling: 'raf' });
    loads.push(await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())))));
  }
  console.log(`navigation -> interactive: median ${fmt(median(loads))}, min ${fmt(Math.min(...loads))}, max ${fmt(Math.max(...loads))} (${RUNS} loads)`);

  // The same load traced: CPU time of the page's main thread (thread time, so a busy machine does
  // not inflate it), and the part spent in this plugin's modules.
  const cdp = await page.context().newCDPSession(page);
  const events = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
  const traced = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
  await page.goto(url);
  await page.waitForFunction((n) => document.querySelectorAll('.annot-text-chip').length === n &&
    [...document.querySelectorAll('.annot-text-tags')].every((g) => g.style.transform !== ''), SPANS, { polling: 'raf' });
  await cdp.send('Tracing.end');
  await traced;
  const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  let cpu = 0;
  for (const e of events) if (e.ph === 'X' && e.name === 'RunTask' && mains.has(`${e.pid}:${e.tid}`)) cpu += (e.tdur ?? 0) / 1000;
  const byKind = {};
  for (const e of events) {
    if (e.ph !== 'X' || !mains.has(`${e.pid}:${e.tid}`) || !['Layout', 'UpdateLayoutTree', 'Paint', 'PrePaint', 'EvaluateScript', 'v8.compile', 'FunctionCall', 'ParseHTML'].includes(e.name)) continue;
    byKind[e.name] = (byKind[e.name] ?? 0) + (e.tdur ?? 0) / 1000;
  }
  console.log(`navigation -> interactive, main-thread CPU: ${fmt(cpu)} (${Object.entries(byKind).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')} ms)`);

  // Span creation: mouse up -> the new span's tag painted (next frame), for spans far apart in the text.
  await page.locator('[data-control=ner] button[data-label=Other]').click();
  const creates = [];
  for (let run = 0; run < 10; run += 1) {
    const at = Math.floor(((run + 0.5) / 10) * text.length);
    const pts = await page.evaluate(({ at }) => {
      const node = document.querySelector('.annot-text-body').firstChild;
      const t = node.data;
      let s = at;
      while (s < t.length && !/\w/.test(t[s])) s += 1;
      let e = s;
      while (e < t.length && /\w/.test(t[e])) e += 1;
      const r = document.createRange();
      r.setStart(node, s);
      r.setEnd(node, e);
      // Scroll the nearest scrolling ancestor (or the window) so the word is mid-screen.
      let box = node.parentElement;
      while (box && !(box.scrollHeight > box.clientHeight && /auto|scroll/.test(getComputedStyle(box).overflowY))) box = box.parentElement;
      const before = r.getBoundingClientRect();
      if (box) box.scrollTop += before.top - box.getBoundingClientRect().top - box.clientHeight / 2;
      else window.scrollBy(0, before.top - window.innerHeight / 2);
      const rect = r.getClientRects()[0];
      return { x1: rect.left + 1, x2: rect.right - 1, y: rect.top + rect.height / 2 };
    }, { at });
    const before = await page.locator('.annot-text-chip').count();
    await page.evaluate(() => {
      window.__bench = {};
      document.addEventListener('pointerup', () => { window.__bench.t0 = performance.now(); }, { capture: true, once: true });
      const front = document.querySelector('.annot-text-front');
      const mo = new MutationObserver(() => {
        mo.disconnect();
        requestAnimationFrame(() => setTimeout(() => { window.__bench.t1 = performance.now(); }, 0));
      });
      mo.observe(front, { childList: true, subtree: true });
    });
    await page.mouse.move(pts.x1, pts.y);
    await page.mouse.down();
    await page.mouse.move(pts.x2, pts.y, { steps: 3 });
    await page.mouse.up();
    await page.waitForFunction(() => window.__bench.t1 !== undefined);
    const t = await page.evaluate(() => window.__bench.t1 - window.__bench.t0);
    const after = await page.locator('.annot-text-chip').count();
    if (after !== before + 1) throw new Error(`span ${run} was not created (${before} -> ${after} tags)`);
    creates.push(t);
  }
  console.log(`mouse up -> new span painted: median ${fmt(median(creates))}, max ${fmt(Math.max(...creates))} (10 spans, ${SPANS}+ on the page)`);

  // Click -> the span's region shown selected.
  const selects = [];
  for (let run = 0; run < 10; run += 1) {
    const chip = page.locator('.annot-text-chip').nth(run * 37);
    await chip.scrollIntoViewIfNeeded();
    const box = await chip.boundingBox();
    await page.evaluate(() => {
      window.__bench = {};
      document.addEventListener('pointerup', () => { window.__bench.t0 = performance.now(); }, { capture: true, once: true });
      const mo = new MutationObserver(() => {
        if (!document.querySelector('.annot-text-chip.selected')) return;
        mo.disconnect();
        requestAnimationFrame(() => setTimeout(() => { window.__bench.t1 = performance.now(); }, 0));
      });
      mo.observe(document.querySelector('.annot-text-front'), { attributes: true, subtree: true, attributeFilter: ['class'] });
    });
    await page.keyboard.press('Escape');
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForFunction(() => window.__bench.t1 !== undefined);
    selects.push(await page.evaluate(() => window.__bench.t1 - window.__bench.t0));
  }
  console.log(`click on a span tag -> selected and painted: median ${fmt(median(selects))}, max ${fmt(Math.max(...selects))} (10 clicks)`);
  const heap = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? 0);
  if (heap) console.log(`JS heap after the run: ${(heap / 1048576).toFixed(1)} MB`);
  if (browser.problems.length) console.log(`page problems:\n  ${browser.problems.join('\n  ')}`);
} finally {
  await browser.close();
  await host.stop();
}
