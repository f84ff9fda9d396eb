// The data manager's table layout in real Chromium against the real host: the header and every row
// share one set of column widths, whatever the length of the values (9, 80 and 500 characters, a
// long "Annotation results" JSON), so the columns line up; long values are cut with an ellipsis and
// shown whole on hover; a column dragged wider stays wider, in the header and the rows alike, and the
// tab keeps its width (Label Studio's columnsWidth).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { exitWhenBrowserTestsCannotRun, startSession, stopSessionExpectingNoProblems, artifactsDir } from './harness.mjs';
import { signUp, call, createProject, mouseDrag, ok } from './editor_helpers.mjs';

exitWhenBrowserTestsCannotRun();

let host;
let browser;
let page;
let projectId;
const CONFIG = '<View><Text name="text" value="$text"/><TextArea name="note" toName="text"/></View>';
const words = (first, n) => `${first} ${'lorem ipsum dolor sit amet '.repeat(Math.ceil(n / 27))}`.slice(0, n);
const TEXTS = [words('Short', 9), words('Middle', 80), words('Long', 500)];

before(async () => {
  ({ host, browser, page } = await startSession());
});

after(() => stopSessionExpectingNoProblems(host, browser));

// The boxes of the header cells and of each row's cells, by column key.
function boxes() {
  return page.evaluate(() => {
    const box = (el) => { const r = el.getBoundingClientRect(); return { x: r.x, w: r.width, right: r.right }; };
    const head = Object.fromEntries([...document.querySelectorAll('.vt-head .vt-th')].map((c) => [c.dataset.key, box(c)]));
    const rows = [...document.querySelectorAll('.vt-row[data-task-id]')].map((row) => ({
      id: Number(row.dataset.taskId),
      cells: Object.fromEntries([...row.querySelectorAll('.vt-cell[data-key]')].map((c) => [c.dataset.key, box(c)])),
    }));
    const vt = document.querySelector('.vt');
    return { head, rows, scrollWidth: vt.scrollWidth, clientWidth: vt.clientWidth };
  });
}

// Every row's cell starts and ends where its header cell does.
function assertAligned(layout, what) {
  assert.ok(layout.rows.length >= TEXTS.length, `${what}: ${layout.rows.length} rows drawn`);
  for (const row of layout.rows) {
    assert.deepEqual(Object.keys(row.cells), Object.keys(layout.head), `${what}: the columns of task ${row.id}`);
    for (const [key, h] of Object.entries(layout.head)) {
      const c = row.cells[key];
      assert.ok(Math.abs(c.x - h.x) < 1 && Math.abs(c.w - h.w) < 1,
        `${what}: task ${row.id}'s ${key} cell is at x=${c.x} (${c.w} wide), its header at x=${h.x} (${h.w} wide)`);
    }
  }
}

test('header and cells line up with values of 9, 80 and 500 characters', async () => {
  await signUp(page, host.base, 'table@example.com');
  ({ projectId } = await createProject(page, {
    config: CONFIG, tasks: TEXTS.map((text, i) => ({ text, meta: `m${i}` })),
  }));
  await page.goto(`${host.base}/projects/${projectId}/data`);
  await page.getByText('3 tasks', { exact: true }).waitFor();
  await page.locator('.vt-row[data-task-id] .cell-text', { hasText: 'm2' }).waitFor();
  const layout = await boxes();
  assert.ok('data.meta' in layout.head && 'data.text' in layout.head, `columns: ${Object.keys(layout.head)}`);
  assertAligned(layout, 'default columns');
  // The default columns fit the page: none is pushed off screen.
  assert.ok(layout.scrollWidth <= layout.clientWidth, `the table is ${layout.scrollWidth}px wide in ${layout.clientWidth}px`);

  // The 500 characters are cut with an ellipsis, shown whole on hover.
  const long = page.locator('.vt-row .vt-cell[data-key="data.text"] .cell-text', { hasText: /^Long lorem/ });
  assert.equal(await long.getAttribute('title'), TEXTS[2]);
  const clip = await long.evaluate((el) => ({ overflow: el.scrollWidth > el.clientWidth, ellipsis: getComputedStyle(el).textOverflow }));
  assert.deepEqual(clip, { overflow: true, ellipsis: 'ellipsis' });
  fs.writeFileSync(path.join(artifactsDir(), 'dm-table-layout.png'), await page.screenshot());
});

test('a long "Annotation results" column keeps the table its width and the columns in line', async () => {
  const tasks = (await ok(call(page, 'GET', `/api/tasks?project=${projectId}`))).tasks;
  const long = tasks.find((t) => t.data.text === TEXTS[2]);
  await ok(call(page, 'POST', `/api/tasks/${long.id}/annotations`, {
    result: [{ from_name: 'note', to_name: 'text', type: 'textarea', value: { text: [words('Note', 3000)] } }],
  }));
  await page.reload();
  await page.getByText('3 tasks', { exact: true }).waitFor();
  await page.getByRole('button', { name: 'Columns', exact: true }).click();
  await page.locator('.column-chooser label', { hasText: 'Annotation results' }).locator('input').check();
  const results = page.locator('.vt-row .vt-cell[data-key="annotations_results"] .cell-text', { hasText: /Note lorem/ });
  await results.waitFor();
  const layout = await boxes();
  assertAligned(layout, 'with Annotation results');
  assert.ok(layout.scrollWidth < 2 * layout.clientWidth, `the table is ${layout.scrollWidth}px wide in ${layout.clientWidth}px`);
  assert.match(await results.getAttribute('title'), /Note lorem ipsum/);
});

test('a column dragged wider is wider in the header and every row, and the tab keeps it', async () => {
  const before = (await boxes()).head['data.text'];
  const handle = await page.locator('.vt-head .vt-th[data-key="data.text"] .vt-resize').boundingBox();
  const y = handle.y + handle.height / 2;
  await mouseDrag(page, { x: handle.x + handle.width / 2, y }, { x: handle.x + handle.width / 2 + 150, y });
  const layout = await boxes();
  assert.ok(Math.abs(layout.head['data.text'].w - (before.w + 150)) <= 2, `the column is ${layout.head['data.text'].w}px, was ${before.w}px`);
  assertAligned(layout, 'after resizing');
  // The order did not change: the drag is not a click on the column's sort button.
  assert.equal(await page.locator('.vt-head .sort').filter({ hasText: /[▲▼]/ }).count(), 0);

  // Saved in the tab; a new visit draws the same width.
  let views;
  for (let tries = 0; tries < 50; ++tries) {
    views = await ok(call(page, 'GET', `/api/dm/views?project=${projectId}`));
    if (views[0]?.data?.columnsWidth?.['tasks:data.text']) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const saved = views[0].data.columnsWidth['tasks:data.text'];
  assert.ok(Math.abs(saved - layout.head['data.text'].w) <= 1, `saved ${saved}, drawn ${layout.head['data.text'].w}`);
  await page.reload();
  await page.locator('.vt-row[data-task-id] .cell-text', { hasText: 'm2' }).waitFor();
  const again = await boxes();
  assert.equal(again.head['data.text'].w, saved);
  assertAligned(again, 'after a reload');

  // A double click on the edge gives the column its default width back.
  await page.locator('.vt-head .vt-th[data-key="data.text"] .vt-resize').dblclick();
  await page.waitForFunction((w) => document.querySelector('.vt-head .vt-th[data-key="data.text"]').getBoundingClientRect().width < w, saved);
  assertAligned(await boxes(), 'after a reset');
});
