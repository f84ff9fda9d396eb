// The import page in real Chromium against the real host: a queued file can be taken off the list
// (a file that failed no longer blocks the others).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, startSession, stopSession } from './harness.mjs';
import { signUp, call } from './editor_helpers.mjs';

const reason = skipReason();
if (reason) {
  console.log(`SKIP: ${reason}`);
  process.exit(77);
}

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

after(() => {
  if (browser?.problems.length) assert.fail(`problems on the page:\n${browser.problems.join('\n')}`);
  return stopSession(host, browser);
});

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
