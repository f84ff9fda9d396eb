// The data manager's user columns in real Chromium against the real host: "Annotated by" and
// "Updated by" show each user as Label Studio does (initials, the name or email on hover), from one
// GET /api/users, not the raw ids ([1], [{"user_id": 1}]).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { exitWhenBrowserTestsCannotRun, startSession, stopSessionExpectingNoProblems, artifactsDir } from './harness.mjs';
import { signUp, call, createProject, ok } from './editor_helpers.mjs';

exitWhenBrowserTestsCannotRun();

let host;
let browser;
let page;
const CONFIG = '<View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="A"/></Choices></View>';
const RESULT = [{ from_name: 'c', to_name: 'text', type: 'choices', value: { choices: ['A'] } }];

before(async () => {
  ({ host, browser, page } = await startSession());
});

after(() => stopSessionExpectingNoProblems(host, browser));

test('Annotated by and Updated by show the users, not their ids', async () => {
  // Bob (only an email) annotates both tasks; then Alice (with a name) annotates the first one,
  // which makes her the one who updated it last.
  await signUp(page, host.base, 'bob@example.com');
  const { projectId, taskIds: [first, second] } = await createProject(page, { config: CONFIG, tasks: [{ text: 'one' }, { text: 'two' }] });
  for (const id of [first, second]) await ok(call(page, 'POST', `/api/tasks/${id}/annotations`, { result: RESULT }));
  await signUp(page, host.base, 'alice@example.com');
  const alice = await ok(call(page, 'GET', '/api/current-user/whoami'));
  await ok(call(page, 'PATCH', `/api/users/${alice.id}`, { first_name: 'Alice', last_name: 'Liddell' }));
  await ok(call(page, 'POST', `/api/tasks/${first}/annotations`, { result: RESULT }));
  const tasks = (await ok(call(page, 'GET', `/api/tasks?project=${projectId}`))).tasks;
  assert.deepEqual(tasks.find((t) => t.id === first).updated_by, [{ user_id: alice.id }], 'the host names the last editor');

  await page.goto(`${host.base}/projects/${projectId}/data`);
  await page.getByText('2 tasks', { exact: true }).waitFor();
  await page.getByRole('button', { name: 'Columns', exact: true }).click();
  await page.locator('.column-chooser label', { hasText: 'Updated by' }).locator('input').check();
  const heads = await page.locator('.vt-head .vt-cell').allInnerTexts();
  const cell = (taskId, title) => page.locator(`.vt-row[data-task-id="${taskId}"] .vt-cell`)
    .nth(heads.findIndex((h) => h.trim().startsWith(title)));
  const users = (locator) => locator.locator('abbr.user-chip').evaluateAll((els) => els.map((e) => [e.textContent, e.title]));
  await cell(first, 'Updated by').locator('abbr.user-chip').waitFor();
  assert.deepEqual(await users(cell(first, 'Annotated by')), [['bo', 'bob@example.com'], ['AL', 'Alice Liddell']]);
  assert.deepEqual(await users(cell(second, 'Annotated by')), [['bo', 'bob@example.com']]);
  assert.deepEqual(await users(cell(first, 'Updated by')), [['AL', 'Alice Liddell']]);
  assert.doesNotMatch(await page.locator('.vt-body').innerText(), /user_id/);
  fs.writeFileSync(path.join(artifactsDir(), 'dm-user-columns.png'), await page.screenshot());
});
