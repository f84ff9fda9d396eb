// The import page in real Chromium against the real host: a queued file can be taken off the list
// (a file that failed no longer blocks the others), and pasted text is read as a table only when it
// clearly is one (a header of column names, as many fields on every row); plain sentences, commas
// and all, are one task per line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { exitWhenBrowserTestsCannotRun, startSession, stopSessionExpectingNoProblems } from './harness.mjs';
import { signUp, call } from './editor_helpers.mjs';

exitWhenBrowserTestsCannotRun();

let host;
let browser;
let page;
let projectId;
const CONFIG = '<View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="A"/></Choices></View>';

before(async () => {
  ({ host, browser, page } = await startSession());
  await signUp(page, host.base, 'importer@example.com');
  const project = await call(page, 'POST', '/api/projects', { title: 'Imports', label_config: CONFIG });
  assert.equal(project.status, 201);
  projectId = project.body.id;
});

after(() => stopSessionExpectingNoProblems(host, browser));

// The project's task data, oldest first; `since` leaves out the tasks there were before.
async function taskData(since = 0) {
  const { body } = await call(page, 'GET', `/api/tasks?project=${projectId}&page_size=1000`);
  return body.tasks.sort((a, b) => a.id - b.id).slice(since).map((t) => t.data);
}

test('a queued file can be removed: a file that failed no longer blocks the others', async () => {
  await page.goto(`${host.base}/projects/${projectId}/import`);
  const picker = page.locator('input[type=file]');
  await picker.setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('not json{') });
  await page.getByRole('button', { name: 'Import 1 file' }).click();
  await page.locator('.error-box', { hasText: 'Failed to parse' }).waitFor();
  await picker.setInputFiles({ name: 'good.json', mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify([{ text: 'good one' }, { text: 'good two' }])) });
  await page.getByRole('button', { name: 'Import 2 files' }).waitFor();
  await page.getByRole('button', { name: 'Remove bad.json' }).click();
  assert.deepEqual(await page.locator('.file-list li').allInnerTexts().then((l) => l.map((x) => x.split(' ')[0])), ['good.json']);
  await page.getByRole('button', { name: 'Import 1 file' }).click();
  await page.getByText('Imported 2 tasks').waitFor();
  assert.deepEqual(await taskData(), [{ text: 'good one' }, { text: 'good two' }]);
  assert.equal(await page.locator('.file-list').count(), 0, 'the imported file is still queued');
});

test('pasted sentences with commas are one task per line', async () => {
  const before = (await taskData()).length;
  const lines = ['Great product, would buy again.', 'Terrible, broke in a day.', 'Fine; nothing special, really.'];
  await page.fill('textarea[name=paste]', lines.join('\n'));
  await page.getByRole('button', { name: 'Import pasted data' }).click();
  await page.getByText('Imported 3 tasks').waitFor();
  assert.deepEqual(await taskData(before), lines.map((text) => ({ text })));
});

test('a pasted table with a header of column names is CSV or TSV', async () => {
  for (const [pasted, expected] of [
    ['text,meta\n"Hello, world",1\nSecond row,2', [{ text: 'Hello, world', meta: 1 }, { text: 'Second row', meta: 2 }]],
    ['text;meta\nsemicolons;3', [{ text: 'semicolons', meta: 3 }]],
    ['text\tmeta\ntabbed, with a comma\t4', [{ text: 'tabbed, with a comma', meta: 4 }]],
  ]) {
    const before = (await taskData()).length;
    await page.goto(`${host.base}/projects/${projectId}/import`);
    await page.fill('textarea[name=paste]', pasted);
    await page.getByRole('button', { name: 'Import pasted data' }).click();
    await page.getByText(`Imported ${expected.length} task`).waitFor();
    assert.deepEqual(await taskData(before), expected, pasted);
  }
  // The rule on its own: a header needs two names without spaces around them, and every row as
  // many fields.
  const kinds = await page.evaluate(async () => {
    const { tableKind } = await import('/static/pages/import.js');
    return ['text,label\na,b', 'Yes, no\nMaybe, so', 'text,label\nonly one field', 'text\nno separator',
      'a,b\n"multi\nline, quoted",x', 'one line,only'].map(tableKind);
  });
  assert.deepEqual(kinds, ['csv', null, null, null, 'csv', null]);
  await page.locator('.import-grid').getByText('any other text is one task per line').waitFor();
});
