// Submit and drafts on the editor page when the network is slow or fails, in real Chromium against
// the real host: a second ctrl+enter right after a submit posts nothing, coming back to a history
// tab restores its draft (one draft per slot), edits after an Update are drafted again, a change
// made just before a failed submit (HTTP 500, no network, session ended) is kept, and a change
// made while a draft save is on its way reaches the server when the tab is switched, and an Update of an
// annotation changed elsewhere asks before replacing it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { exitWhenBrowserTestsCannotRun, startSession, stopSession } from './harness.mjs';
import { signUp, createProject, call, editorReady } from './editor_helpers.mjs';

exitWhenBrowserTestsCannotRun();

const CONFIG = `<View>
  <Text name="text" value="$text"/>
  <Choices name="topic" toName="text" choice="multiple"><Choice value="A"/><Choice value="B"/><Choice value="C"/></Choices>
</View>`;
const EMAIL = 'drafts@example.com';

let host;
let browser;
let page;
let projectId;
let taskIds;

before(async () => {
  ({ host, browser, page } = await startSession());
  await signUp(page, host.base, EMAIL);
  ({ projectId, taskIds } = await createProject(page, { title: 'Drafts', config: CONFIG,
    tasks: Array.from({ length: 8 }, (_, i) => ({ text: `Draft task ${i + 1}` })) }));
});

after(() => stopSession(host, browser));

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const ed = (fn, arg) => page.evaluate(([f, a]) => {
  const editor = document.querySelector('.annot-editor-host').annotEditor;
  return new Function('editor', 'arg', `return (${f})(editor, arg);`)(editor, a);
}, [fn.toString(), arg]);
const choices = async () => (await ed((e) => e.getResult())).find((x) => x.from_name === 'topic')?.value.choices ?? [];
const pick = (label) => page.locator('.annot-editor').getByText(label, { exact: true }).first().click();
const fetchTask = async (id) => (await call(page, 'GET', `/api/tasks/${id}`)).body;
const draftChoices = (t) => t.drafts.map((d) => d.result.find((x) => x.from_name === 'topic')?.value.choices ?? []);

// The task page of task `id`, its editor ready.
async function openTask(id) {
  await page.goto(`${host.base}/projects/${projectId}/data?task=${id}`);
  await editorReady(page);
}
const draftSaved = () => page.locator('.annot-draft-status', { hasText: 'Draft saved' }).waitFor();

// Picks A, submits, and presses ctrl+enter again as soon as the POST has answered.
async function submitTwice() {
  await pick('A');
  const posted = page.waitForResponse((r) => r.request().method() === 'POST' && /\/annotations$/.test(r.url()));
  await page.keyboard.press('Control+Enter');
  await posted;
  await page.keyboard.press('Control+Enter');
}

// Polls `fn` until it returns something truthy.
async function until(fn, what, ms = 10000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

// The request failures a test provokes on purpose are not problems of the page.
function dropProblems(pattern) {
  for (let i = browser.problems.length - 1; i >= 0; --i) if (pattern.test(browser.problems[i])) browser.problems.splice(i, 1);
}

test('a second ctrl+enter right after a submit posts nothing (task page)', async () => {
  const id = taskIds[0];
  await openTask(id);
  // The page fetches the task again before it replaces the editor: slowly here.
  const slow = /\/api\/tasks\/\d+$/;
  await page.route(slow, async (route) => { await sleep(800); await route.continue(); });
  await submitTwice();
  await page.locator('.annot-submit').click({ timeout: 300, trial: true }).then(
    () => assert.fail('the Submit button is enabled again before the editor is replaced'), () => {});
  await page.locator('.annot-update').waitFor();
  await page.unroute(slow);
  await sleep(300);
  assert.equal((await fetchTask(id)).annotations.length, 1, 'the second ctrl+enter posted a second annotation');
});

test('a second ctrl+enter right after a submit posts nothing (labeling stream)', async () => {
  const { projectId: stream } = await createProject(page, { title: 'Drafts stream', config: CONFIG,
    tasks: [{ text: 'Stream one' }, { text: 'Stream two' }, { text: 'Stream three' }] });
  await page.goto(`${host.base}/projects/${stream}/data?labeling=1`);
  await editorReady(page);
  const shown = Number(/Task (\d+)/.exec(await page.locator('.crumbs span').last().innerText())[1]);
  const slow = /\/api\/projects\/\d+\/next/;
  await page.route(slow, async (route) => { await sleep(800); await route.continue(); });
  await submitTwice();
  await page.waitForFunction((t) => !document.querySelector('.crumbs')?.innerText.includes(`Task ${t}`), shown);
  await editorReady(page);
  await page.unroute(slow);
  await sleep(300);
  assert.equal((await fetchTask(shown)).annotations.length, 1, 'the second ctrl+enter posted a second annotation');
  const annotated = (await call(page, 'GET', `/api/tasks?project=${stream}&page_size=10`)).body.tasks.filter((t) => t.total_annotations > 0);
  assert.equal(annotated.length, 1, 'the second ctrl+enter annotated the next task');
});

test('coming back to "+ New annotation" restores its draft; submit uses that one draft', async () => {
  const id = taskIds[1];
  const earlier = (await call(page, 'POST', `/api/tasks/${id}/annotations`, { result: [] })).body;
  await openTask(id);
  await page.getByRole('tab', { name: '+ New annotation' }).click();
  await page.locator('.annot-submit').waitFor();
  await pick('A');
  await draftSaved();
  await page.getByRole('tab', { name: `#${earlier.id} mine` }).click();
  await page.locator('.annot-update').waitFor();
  await page.getByRole('tab', { name: '+ New annotation' }).click();
  await page.locator('.annot-draft-status', { hasText: 'Draft restored' }).waitFor();
  assert.deepEqual(await choices(), ['A']);
  await pick('B');
  await draftSaved();
  assert.deepEqual(draftChoices(await fetchTask(id)), [['A', 'B']], 'one draft per slot, holding the last change');
  await page.keyboard.press('Control+Enter');
  await page.locator('.annot-update').waitFor();
  const t = await fetchTask(id);
  assert.deepEqual(t.drafts, [], 'the submit left a draft behind');
  assert.equal(t.annotations.length, 2);
  const submitted = t.annotations.find((a) => a.id !== earlier.id);
  assert.equal(await page.locator('.annot-history-tab.active').innerText(), `#${submitted.id} mine`);
  await page.reload();
  await editorReady(page);
  assert.equal(await page.locator('.annot-history-tab.active').innerText(), `#${submitted.id} mine`);
  assert.deepEqual(await choices(), ['A', 'B']);
});

test('after an Update, later edits of the same annotation are saved as its draft', async () => {
  const id = taskIds[2];
  await openTask(id);
  await pick('A');
  await page.keyboard.press('Control+Enter');
  await page.locator('.annot-update').waitFor();
  await editorReady(page);
  await pick('B');
  await draftSaved();
  await page.keyboard.press('Control+Enter');
  // The editor is mounted again on the updated annotation, without a draft.
  await page.locator('.annot-draft-status').waitFor({ state: 'detached' });
  await editorReady(page);
  let t = await fetchTask(id);
  assert.deepEqual(t.annotations[0].result[0].value.choices, ['A', 'B']);
  assert.deepEqual(t.drafts, []);
  await pick('C');
  await draftSaved();
  t = await fetchTask(id);
  assert.deepEqual(draftChoices(t), [['A', 'B', 'C']]);
  assert.equal(t.drafts[0].annotation, t.annotations[0].id);
  await page.reload();
  await editorReady(page);
  await page.locator('.annot-draft-status', { hasText: 'Draft restored' }).waitFor();
  assert.deepEqual(await choices(), ['A', 'B', 'C']);
});

test('a submit answered with HTTP 500: the last change is kept as the draft, the error shown', async () => {
  const id = taskIds[3];
  await openTask(id);
  await pick('A');
  await draftSaved();
  const failing = /\/api\/tasks\/\d+\/annotations$/;
  browser.expect(failing, 500);
  await page.route(failing, (route) => route.fulfill({ status: 500, contentType: 'application/json', body: '{"detail":"Internal error"}' }));
  await pick('B');
  await page.keyboard.press('Control+Enter');
  await page.locator('.error-box', { hasText: 'Internal error' }).waitFor();
  await until(async () => JSON.stringify(draftChoices(await fetchTask(id))) === '[["A","B"]]', 'the draft with the last change');
  await page.unroute(failing);
  assert.deepEqual(await choices(), ['A', 'B']);
  assert.ok(await page.locator('.annot-submit').isEnabled(), 'the editor stays locked after a failed submit');
  await page.reload();
  await editorReady(page);
  assert.deepEqual(await choices(), ['A', 'B']);
});

test('a submit without network: the last change is kept in the browser and restored', async () => {
  const id = taskIds[4];
  await openTask(id);
  await pick('A');
  await draftSaved();
  const down = /\/api\/(tasks\/\d+\/annotations|tasks\/\d+\/drafts|drafts\/\d+)$/;
  await page.route(down, (route) => route.abort('internetdisconnected'));
  await pick('B');
  await page.keyboard.press('Control+Enter');
  await page.locator('.error-box', { hasText: 'Failed to fetch' }).waitFor();
  await page.locator('.annot-draft-status', { hasText: 'Draft not saved' }).waitFor();
  await page.unroute(down);
  dropProblems(/ERR_INTERNET_DISCONNECTED/);
  await page.reload();
  await editorReady(page);
  // The page going away sends the change it still holds (a keepalive request), and keeps it in the
  // browser until that lands: the new page shows it from one or the other.
  await page.locator('.annot-draft-status', { hasText: /Unsaved changes restored|Draft restored/ }).waitFor();
  assert.deepEqual(await choices(), ['A', 'B']);
  // ...and it reaches the server as the draft once the network is back.
  await until(async () => JSON.stringify(draftChoices(await fetchTask(id))) === '[["A","B"]]', 'the draft with the last change');
  await page.keyboard.press('Control+Enter');
  await page.locator('.annot-update').waitFor();
  const t = await fetchTask(id);
  assert.deepEqual(t.annotations.map((a) => a.result[0].value.choices), [['A', 'B']]);
  assert.deepEqual(t.drafts, []);
  await page.reload();
  await editorReady(page);
  assert.equal(await page.locator('.annot-draft-status').count(), 0, 'a stale change came back after the submit');
});

test('a submit after the session ended: the page stays, says so, and the change survives signing in again', async () => {
  const id = taskIds[5];
  await openTask(id);
  await pick('A');
  await draftSaved();
  await pick('B');
  const csrf = (await browser.context.cookies()).find((c) => c.name === 'csrftoken');
  await browser.context.clearCookies();
  if (csrf) await browser.context.addCookies([csrf]);   // only the session is gone
  browser.expect(/\/api\/(tasks\/\d+\/annotations|drafts\/\d+)$/, 401);
  const url = page.url();
  try {
    await page.keyboard.press('Control+Enter');
    await page.getByRole('alert').filter({ hasText: 'Your session has ended' }).waitFor();
    assert.equal(page.url(), url, 'the page went away from the unsaved work');
    assert.deepEqual(await choices(), ['A', 'B']);
  } finally {
    browser.expect(/\/user\/signup$/, 400);   // signUp signs in an existing account after a 400
    await signUp(page, host.base, EMAIL);
  }
  await page.goto(url);
  await editorReady(page);
  assert.deepEqual(await choices(), ['A', 'B']);
  await until(async () => JSON.stringify(draftChoices(await fetchTask(id))) === '[["A","B"]]', 'the draft with the last change');
  await page.keyboard.press('Control+Enter');
  await page.locator('.annot-update').waitFor();
  assert.deepEqual((await fetchTask(id)).annotations.map((a) => a.result[0].value.choices), [['A', 'B']]);
});

test('a change made while a draft save is on its way is sent when the tab is switched', async () => {
  const id = taskIds[6];
  const earlier = (await call(page, 'POST', `/api/tasks/${id}/annotations`, { result: [] })).body;
  await openTask(id);
  await page.getByRole('tab', { name: '+ New annotation' }).click();
  await page.locator('.annot-submit').waitFor();
  const slow = /\/api\/(tasks\/\d+\/)?drafts/;
  await page.route(slow, async (route) => { await sleep(1500); await route.continue(); });
  await pick('A');
  await page.waitForRequest(slow);
  await pick('B');
  await page.getByRole('tab', { name: `#${earlier.id} mine` }).click();
  await page.locator('.annot-update').waitFor();
  await until(async () => JSON.stringify(draftChoices(await fetchTask(id))) === '[["A","B"]]', 'the draft with the last change');
  await page.unroute(slow);
  await page.getByRole('tab', { name: '+ New annotation' }).click();
  await page.locator('.annot-submit').waitFor();  // the new tab's editor, not the annotation's
  await editorReady(page);
  assert.deepEqual(await choices(), ['A', 'B']);
});

test('an Update after the annotation changed elsewhere asks before replacing it; declining keeps both', async () => {
  const imported = await call(page, 'POST', `/api/projects/${projectId}/import`, [{ text: 'Changed in another tab' }]);
  assert.equal(imported.status, 201);
  const listed = (await call(page, 'GET', `/api/tasks?project=${projectId}&page_size=1000`)).body;
  const id = Math.max(...(listed.tasks ?? listed).map((t) => t.id));
  await openTask(id);
  await pick('A');
  await page.keyboard.press('Control+Enter');
  await page.locator('.annot-update').waitFor();
  await editorReady(page);
  // Another tab saves C over it.
  const annotationId = (await fetchTask(id)).annotations[0].id;
  const other = await call(page, 'PATCH', `/api/annotations/${annotationId}`,
    { result: [{ id: 'other', from_name: 'topic', to_name: 'text', type: 'choices', value: { choices: ['C'] } }] });
  assert.equal(other.status, 200);
  browser.expect(new RegExp(`/api/annotations/${annotationId}$`), 412);
  // This tab updates to A+B: asked, declined: the other tab's C stays, A+B stays here and in the draft.
  await pick('B');
  await draftSaved();
  const asked = [];
  page.once('dialog', (d) => { asked.push(d.message()); d.dismiss(); });
  await page.keyboard.press('Control+Enter');
  await page.locator('.error-box', { hasText: 'changed since' }).waitFor();
  assert.match(asked[0] ?? '', /changed elsewhere/);
  let t = await fetchTask(id);
  assert.deepEqual(t.annotations[0].result[0].value.choices, ['C']);
  assert.deepEqual(draftChoices(t), [['A', 'B']]);
  assert.deepEqual(await choices(), ['A', 'B']);
  // Asked again, accepted: this tab's version replaces it.
  page.once('dialog', (d) => d.accept());
  await page.keyboard.press('Control+Enter');
  await page.locator('.annot-draft-status').waitFor({ state: 'detached' });
  await editorReady(page);
  t = await fetchTask(id);
  assert.deepEqual(t.annotations[0].result[0].value.choices, ['A', 'B']);
  assert.deepEqual(t.drafts, []);
});

test('no console errors and no failed requests on any page', () => {
  assert.deepEqual(browser.problems, []);
});

test('while a submit is on its way the editor takes no change: what is shown is what is saved', async () => {
  const id = taskIds[7];
  await openTask(id);
  await pick('A');
  // The POST waits until the test lets it go, so the change below surely falls inside the save.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  const slow = /\/api\/tasks\/\d+\/annotations$/;
  await page.route(slow, async (route) => { await held; await route.continue(); });
  await page.keyboard.press('Control+Enter');
  await page.locator('.annot-saving', { hasText: 'Saving' }).waitFor();
  await pick('B');
  const whileSaving = await choices();
  release();
  assert.deepEqual(whileSaving, ['A'], 'a change was taken while saving');
  await page.locator('.annot-update').waitFor();
  await page.unroute(slow);
  const t = await fetchTask(id);
  assert.deepEqual(t.annotations.map((a) => a.result[0].value.choices), [['A']]);
  assert.deepEqual(draftChoices(t), []);
});
