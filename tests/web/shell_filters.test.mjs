// The data manager's filters in real Chromium against the real host: each tab keeps its own filters
// (the panel follows the tab), a row left blank narrows nothing (Label Studio sends only filters with
// a value), and a date picked in the browser's time zone is sent as UTC, as Label Studio's
// toISOString() sends it. The browser runs in America/New_York so that local and UTC differ.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { exitWhenBrowserTestsCannotRun, startSession, stopSessionExpectingNoProblems } from './harness.mjs';
import { signUp, call, createProject } from './editor_helpers.mjs';

exitWhenBrowserTestsCannotRun();

let host;
let browser;
let page;
let projectId;
const CONFIG = '<View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="A"/></Choices></View>';

before(async () => {
  ({ host, browser, page } = await startSession(15000, { timezoneId: 'America/New_York' }));
  await signUp(page, host.base, 'filters@example.com');
  ({ projectId } = await createProject(page, {
    config: CONFIG, tasks: [{ text: 'banana' }, { text: 'cherry' }, { text: 'lemon' }],
  }));
  await page.goto(`${host.base}/projects/${projectId}/data`);
  await page.getByText('3 tasks', { exact: true }).waitFor();
});

after(() => stopSessionExpectingNoProblems(host, browser));

const rows = () => page.locator('.filter-panel .filter-row');
const views = async () => (await call(page, 'GET', `/api/dm/views?project=${projectId}`)).body;

// The tabs as saved once `ready` holds for them: the table reloads from the page's own filters at
// once, while the tab's save (a PATCH) may still be on its way when the new count shows.
async function savedViews(ready) {
  const deadline = Date.now() + 10000;
  for (;;) {
    const list = await views();
    if (ready(list) || Date.now() > deadline) return list;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
const itemsOf = (view) => view?.data?.filters?.items ?? [];

// Adds a row for `column` (its label in the list) with `operator` and, when given, `value`.
async function addFilter(column, operator, value) {
  await page.getByRole('button', { name: 'Add filter' }).click();
  const row = rows().last();
  await row.locator('select[name=filter-column]').selectOption({ label: column });
  await row.locator('select[name=filter-operator]').selectOption({ label: operator });
  if (value !== undefined) await row.locator('input[name=filter-value]').fill(value);
}

async function apply(expectedCount) {
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByText(`${expectedCount} task${expectedCount === 1 ? '' : 's'}`, { exact: true }).waitFor();
}

test('each tab keeps its own filters, and the panel follows the tab', async () => {
  await page.getByRole('button', { name: /^Filters/ }).click();
  await addFilter('data.text', 'contains', 'an');
  await apply(1);                                  // banana
  await page.getByTitle('New tab').click();
  await page.locator('.view-tab', { hasText: 'Tab 2' }).locator('button').first().click();
  await page.getByText('3 tasks', { exact: true }).waitFor();
  assert.equal(await rows().count(), 0, 'the new tab shows the first tab\'s filter rows');
  await addFilter('data.text', 'contains', 'e');
  await apply(2);                                  // cherry, lemon
  const [first, second] = await savedViews((list) => itemsOf(list[1]).length === 1);
  assert.deepEqual(first.data.filters.items.map((i) => i.value), ['an']);
  assert.deepEqual(second.data.filters.items.map((i) => i.value), ['e']);
  await page.locator('.view-tab').first().locator('button').first().click();
  await page.getByText('1 task', { exact: true }).waitFor();
  assert.equal(await rows().count(), 1);
  assert.equal(await rows().first().locator('input[name=filter-value]').inputValue(), 'an');
});

test('a row left blank narrows nothing: its value is saved as null', async () => {
  await page.locator('.view-tab', { hasText: 'Tab 2' }).locator('button').first().click();
  await page.getByText('2 tasks', { exact: true }).waitFor();
  await page.locator('.filter-panel .filter-row button[title="Remove this filter"]').click();
  await addFilter('ID', 'equal');
  await apply(3);
  await page.getByRole('button', { name: 'Add filter' }).click();
  const row = rows().last();
  await row.locator('select[name=filter-column]').selectOption({ label: 'Labeled' });
  assert.equal(await row.locator('select[name=filter-value]').inputValue(), '', 'a Boolean row starts blank');
  await apply(3);
  const saved = itemsOf((await savedViews((list) => itemsOf(list[1]).length === 2))[1]);
  assert.deepEqual(saved.map((i) => i.value), [null, null]);
});

test('a date is the picker\'s local time sent as UTC', async () => {
  const created = new Date((await call(page, 'GET', `/api/tasks?project=${projectId}`)).body.tasks[0].created_at);
  const pad = (n) => String(n).padStart(2, '0');
  // An hour after the tasks were created, in the browser's local time (New York).
  const local = await page.evaluate((iso) => {
    const d = new Date(new Date(iso).getTime() + 3600 * 1000);
    const p = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
  }, created.toISOString());
  assert.ok(pad(1) === '01' && local.length === 16);
  for (let i = await rows().count(); i > 0; --i) await page.locator('.filter-panel .filter-row button[title="Remove this filter"]').first().click();
  await addFilter('Created at', 'greater', local);
  await apply(0);
  const [item] = itemsOf((await savedViews((list) => itemsOf(list[1])[0]?.filter === 'filter:tasks:created_at'))[1]);
  assert.match(item.value, /Z$/);
  assert.ok(Math.abs(new Date(item.value) - created - 3600 * 1000) < 61 * 1000, `${item.value} is not an hour after ${created.toISOString()}`);
  assert.equal(await rows().first().locator('input[name=filter-value]').inputValue(), local, 'the picker shows the local time again');
});
