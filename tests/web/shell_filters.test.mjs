// The data manager's filters in real Chromium against the real host: each tab keeps its own filters
// (the panel follows the tab), a row left blank narrows nothing (Label Studio sends only filters with
// a value), and a date picked in the browser's time zone is sent as UTC, as Label Studio's
// toISOString() sends it. The browser runs in America/New_York so that local and UTC differ. The
// open tab is kept in the address (?tab=<view id>), as Label Studio keeps it.
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

// Label Studio keeps the open tab in the data manager's address (?tab=<view id>): a reload or a
// shared link opens it, and an id that is not a tab of this project opens the first one. The tab
// replaces the address (no history entry per click), so Back from a task opened in a tab comes
// back to that tab; the address's other parameters stay, and ?task= still opens the editor.
test('the open tab is kept in the address as ?tab=ID: a reload, a link and Back open it; an unknown id opens the first tab', async () => {
  const [first, second] = await views();
  const tabParam = () => new URL(page.url()).searchParams.get('tab');
  const activeTitle = () => page.locator('.view-tab.active').locator('button').first().innerText();
  const clickTab = (view) => page.locator('.view-tab', { hasText: view.data.title }).locator('button').first().click();
  const shows = (n, view) => Promise.all([
    page.getByText(`${n} task${n === 1 ? '' : 's'}`, { exact: true }).waitFor(),
    page.locator('.view-tab.active', { hasText: view.data.title }).waitFor(),
  ]);

  await page.goto(`${host.base}/projects/${projectId}/data`);
  await shows(1, first);                           // banana
  assert.equal(tabParam(), null, 'the address names a tab before one was chosen');
  const entries = await page.evaluate(() => history.length);
  await clickTab(second);
  await shows(0, second);
  assert.equal(tabParam(), String(second.id));
  await clickTab(first);
  await shows(1, first);
  assert.equal(tabParam(), String(first.id));
  await clickTab(second);
  await shows(0, second);
  assert.equal(await page.evaluate(() => history.length), entries, 'a tab click added a history entry');
  await page.reload();
  await shows(0, second);
  assert.equal(await activeTitle(), second.data.title);

  // A shared link; other parameters stay when the tab changes.
  await page.goto(`${host.base}/projects/${projectId}/data?tab=${first.id}&keep=1`);
  await shows(1, first);
  await clickTab(second);
  await shows(0, second);
  assert.deepEqual([...new URL(page.url()).searchParams], [['tab', String(second.id)], ['keep', '1']]);

  // Another project's tab, or no tab at all: the first tab, named in the address, and no error.
  const other = await createProject(page, { title: 'Other tabs', config: CONFIG, tasks: [{ text: 'plum' }] });
  const foreign = await call(page, 'POST', '/api/dm/views', { project: other.projectId, data: { title: 'Elsewhere', filters: { conjunction: 'and', items: [] }, ordering: [] } });
  assert.equal(foreign.status, 201, JSON.stringify(foreign.body));
  for (const wrong of [foreign.body.id, 'nonsense']) {
    await page.goto(`${host.base}/projects/${projectId}/data?tab=${wrong}`);
    await shows(1, first);
    assert.equal(tabParam(), String(first.id), `?tab=${wrong}`);
    assert.equal(await page.locator('.error-box').count(), 0, `?tab=${wrong} showed an error`);
  }

  // A task opened from a tab: ?task= is the editor's, and Back comes back to the tab.
  await clickTab(second);
  await shows(0, second);
  await clickTab(first);
  await shows(1, first);
  await page.locator('.vt-row', { hasText: 'banana' }).locator('.vt-cell').nth(2).click();
  await page.waitForURL(/\/data\?task=\d+$/);
  await page.locator('.annot-editor[data-ready="true"]').waitFor();
  await page.goBack();
  await shows(1, first);
  assert.equal(tabParam(), String(first.id));
  const [banana] = (await call(page, 'GET', `/api/tasks?project=${projectId}`)).body.tasks.filter((t) => t.data.text === 'banana');
  await page.goto(`${host.base}/projects/${projectId}/data?tab=${second.id}&task=${banana.id}`);
  await page.locator('.annot-editor[data-ready="true"]').waitFor();
  await page.getByText('banana').first().waitFor();
  assert.equal(tabParam(), String(second.id), 'the editor dropped the tab from its address');
});
