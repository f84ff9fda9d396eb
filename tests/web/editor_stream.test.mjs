// The labeling stream and drafts in real Chromium against the real host, with two annotators in two
// browser contexts: /next hands them different tasks (the host's lock), submit moves on to the next
// task, a reload in the middle of labeling restores the draft, "label these" streams over the data
// manager's selection in the table's order, another annotator's annotation is shown read only in a
// task's history, and in a stream the annotator gets a new annotation of their own instead. A task
// opened under another project's address goes to its own project (its config, not that one's).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { exitWhenBrowserTestsCannotRun, startHost, startBrowser, pixelDeviation, artifactsDir } from './harness.mjs';
import { signUp, createProject, call, editorReady, addTask } from './editor_helpers.mjs';

exitWhenBrowserTestsCannotRun();

const CONFIG = `<View>
  <Text name="text" value="$text"/>
  <Labels name="ner" toName="text"><Label value="Thing"/></Labels>
  <Choices name="topic" toName="text"><Choice value="A"/><Choice value="B"/></Choices>
</View>`;
const TASKS = Array.from({ length: 6 }, (_, i) => ({ text: `Stream task number ${i + 1}` }));

let host;
let alice;
let bob;
let projectId;
let taskIds;

before(async () => {
  host = await startHost();
  alice = await startBrowser();
  bob = await startBrowser();
  alice.page.setDefaultTimeout(15000);
  bob.page.setDefaultTimeout(15000);
  await signUp(alice.page, host.base, 'alice@example.com');
  await signUp(bob.page, host.base, 'bob@example.com');
  ({ projectId, taskIds } = await createProject(alice.page, { title: 'Stream', config: CONFIG, tasks: TASKS }));
});

after(async () => {
  await alice?.close();
  await bob?.close();
  if (host && process.exitCode) console.log(`annot log:\n${host.log()}`);
  await host?.stop();
});

const ed = (page, fn, arg) => page.evaluate(([f, a]) => {
  const editor = document.querySelector('.annot-editor-host').annotEditor;
  return new Function('editor', 'arg', `return (${f})(editor, arg);`)(editor, a);
}, [fn.toString(), arg]);

// The task the page's editor shows (its id is in the breadcrumb "Task N").
async function shownTask(page) {
  const crumb = await page.locator('.crumbs span').last().innerText();
  return Number(/Task (\d+)/.exec(crumb)[1]);
}

test('two annotators on /next get different tasks', async () => {
  await alice.page.goto(`${host.base}/projects/${projectId}/data?labeling=1`);
  await editorReady(alice.page);
  await bob.page.goto(`${host.base}/projects/${projectId}/data?labeling=1`);
  await editorReady(bob.page);
  const a = await shownTask(alice.page);
  const b = await shownTask(bob.page);
  assert.ok(taskIds.includes(a) && taskIds.includes(b));
  assert.notEqual(a, b, 'both annotators were given the same task');
  const png = await alice.page.screenshot();
  fs.writeFileSync(path.join(artifactsDir(), 'editor-stream.png'), png);
  assert.ok(await pixelDeviation(alice.page, png) > 8, 'the labeling stream screenshot looks blank');
});

test('reload in the middle of labeling: the stream gives the same task and its draft is restored', async () => {
  const page = alice.page;
  const before = await shownTask(page);
  const drawn = await ed(page, (e) => {
    const id = e.store.addRegion({ from_name: 'ner', value: { start: 0, end: 6, text: 'Stream', labels: ['Thing'] } });
    e.store.setResult('topic', null, { choices: ['B'] });
    return e.getResult().map((x) => x.id === id ? 'region' : x.from_name);
  });
  assert.deepEqual(drawn, ['region', 'topic']);
  const expected = await ed(page, (e) => e.getResult());
  await page.locator('.annot-draft-status', { hasText: 'Draft saved' }).waitFor();
  await page.reload();
  await editorReady(page);
  assert.equal(await shownTask(page), before, 'the locked task comes back after a reload');
  await page.locator('.annot-draft-status', { hasText: 'Draft restored' }).waitFor();
  assert.deepEqual(await ed(page, (e) => e.getResult()), expected);
  // The same through the task URL.
  await page.goto(`${host.base}/projects/${projectId}/data?task=${before}`);
  await editorReady(page);
  assert.deepEqual(await ed(page, (e) => e.getResult()), expected);
  // A draft saved on the way out (pagehide) is not lost either: change, reload at once.
  await ed(page, (e) => e.store.setResult('topic', null, { choices: ['A'] }));
  await page.reload();
  await editorReady(page);
  assert.deepEqual((await ed(page, (e) => e.getResult())).find((x) => x.from_name === 'topic').value, { choices: ['A'] });
  await page.goto(`${host.base}/projects/${projectId}/data?labeling=1`);
  await editorReady(page);
});

test('submit in the stream stores the annotation, drops the draft and moves on to another task', async () => {
  const page = alice.page;
  const first = await shownTask(page);
  const result = await ed(page, (e) => e.getResult());
  await page.keyboard.press('Control+Enter');
  await page.waitForFunction((t) => !document.querySelector('.crumbs')?.innerText.includes(`Task ${t}`), first);
  await editorReady(page);
  const second = await shownTask(page);
  assert.notEqual(second, first);
  assert.notEqual(second, await shownTask(bob.page), 'the stream gave Alice the task Bob holds');
  const t = await call(page, 'GET', `/api/tasks/${first}`);
  assert.equal(t.body.annotations.length, 1);
  assert.deepEqual(t.body.annotations[0].result, result);
  assert.deepEqual(t.body.drafts, [], 'the draft is deleted with the submit');
  // The new task starts empty (no draft of the other task leaks into it).
  assert.deepEqual(await ed(page, (e) => e.getResult()), []);
  // Skip moves on as well.
  await page.keyboard.press('Control+Space');
  await page.waitForFunction((t) => !document.querySelector('.crumbs')?.innerText.includes(`Task ${t}`), second);
  await editorReady(page);
  const skipped = await call(page, 'GET', `/api/tasks/${second}`);
  assert.equal(skipped.body.annotations[0].was_cancelled, true);
});

test("another annotator's annotation is read only in the task's history", async () => {
  const annotated = (await call(alice.page, 'GET', `/api/tasks?project=${projectId}&page_size=100`)).body.tasks
    .find((t) => t.total_annotations > 0 && t.cancelled_annotations === 0);
  assert.ok(annotated, 'no annotated task');
  const page = bob.page;
  await page.goto(`${host.base}/projects/${projectId}/data?task=${annotated.id}`);
  await editorReady(page);
  await page.locator('.annot-badge', { hasText: 'Read only' }).waitFor();
  assert.equal(await page.locator('.annot-submit, .annot-update').count(), 0);
  const before = await ed(page, (e) => e.getResult());
  await page.keyboard.press('Control+z');
  await page.keyboard.press('Backspace');
  assert.deepEqual(await ed(page, (e) => e.getResult()), before);
  // Bob starts his own annotation from the "new" tab.
  await page.getByRole('tab', { name: '+ New annotation' }).click();
  await page.locator('.annot-submit').waitFor();
  assert.deepEqual(await ed(page, (e) => e.getResult()), []);
});

test('label these: the stream follows the selection in the project\'s order, skipping done tasks', async () => {
  const page = bob.page;
  // Ticked last first: the stream still goes in the project's order.
  const chosen = [taskIds[4], taskIds[5]];
  const selected = encodeURIComponent(JSON.stringify({ all: false, included: [...chosen].reverse() }));
  await page.goto(`${host.base}/projects/${projectId}/data?labeling=1&selectedItems=${selected}`);
  await editorReady(page);
  assert.equal(await shownTask(page), chosen[0]);
  await ed(page, (e) => e.store.setResult('topic', null, { choices: ['A'] }));
  await page.locator('.annot-submit').click();
  await page.waitForFunction((t) => !document.querySelector('.crumbs')?.innerText.includes(`Task ${t}`), chosen[0]);
  await editorReady(page);
  assert.equal(await shownTask(page), chosen[1]);
  await page.locator('.annot-submit').click();
  await page.getByText('No more tasks to label').waitFor();
  // "all but these": the first task, in the project's order, neither excluded nor done by Bob.
  let allBut = encodeURIComponent(JSON.stringify({ all: true, excluded: [taskIds[0]] }));
  await page.goto(`${host.base}/projects/${projectId}/data?labeling=1&selectedItems=${allBut}`);
  await editorReady(page);
  assert.equal(await shownTask(page), taskIds[1]);
  allBut = encodeURIComponent(JSON.stringify({ all: true, excluded: taskIds.slice(0, 4) }));
  await page.goto(`${host.base}/projects/${projectId}/data?labeling=1&selectedItems=${allBut}`);
  await page.getByText('No more tasks to label').waitFor();
  // "all but these" within a tab: the tab's saved ordering (newest first) decides the order, so the
  // stream starts at the newest task rather than at the project's first open one.
  const older = await addTask(page, projectId, { text: 'tab task one' });
  const newer = await addTask(page, projectId, { text: 'tab task two' });
  const view = await call(page, 'POST', '/api/dm/views', { project: projectId, data: { title: 'Newest', ordering: ['-tasks:id'] } });
  assert.equal(view.status, 201, JSON.stringify(view.body));
  allBut = encodeURIComponent(JSON.stringify({ all: true, excluded: [newer] }));
  await page.goto(`${host.base}/projects/${projectId}/data?labeling=1&selectedItems=${allBut}&view=${view.body.id}`);
  await editorReady(page);
  assert.equal(await shownTask(page), older);
});

test('label these: ticked tasks come in the order of the table, not in the order they were ticked', async () => {
  const page = alice.page;
  const { projectId: pid, taskIds: ids } = await createProject(page, { title: 'Table order', config: CONFIG,
    tasks: ['first', 'second', 'third'].map((text) => ({ text: `Ordered task ${text}` })) });
  // A click on the ID header turns the tab's ordering to `arrow` (▲ ascending, then ▼), saved with the tab.
  const tickAndLabel = async (arrow) => {
    await page.goto(`${host.base}/projects/${pid}/data`);
    await page.getByText('3 tasks', { exact: true }).waitFor();
    const saved = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes('/api/dm/views/'));
    await page.locator('.vt-head button.th', { hasText: /^ID/ }).click();
    await page.locator('.vt-head button.th', { hasText: arrow }).waitFor();
    assert.equal((await saved).status(), 200);
    for (const id of [ids[2], ids[0], ids[1]]) await page.locator(`.vt-row[data-task-id="${id}"] input[type=checkbox]`).check();
    await page.getByRole('link', { name: 'Label these (3)' }).click();
    await page.waitForURL(/labeling=1&selectedItems=/);
    await editorReady(page);
  };
  await tickAndLabel('▲');
  assert.equal(await shownTask(page), ids[0]);
  await page.locator('.annot-submit').click();
  await page.waitForFunction((t) => !document.querySelector('.crumbs')?.innerText.includes(`Task ${t}`), ids[0]);
  await editorReady(page);
  assert.equal(await shownTask(page), ids[1]);
  // Newest first: the same ticks start at the last task (the first one is done).
  await tickAndLabel('▼');
  assert.equal(await shownTask(page), ids[2]);
  await page.locator('.annot-submit').click();
  await page.waitForFunction((t) => !document.querySelector('.crumbs')?.innerText.includes(`Task ${t}`), ids[2]);
  await editorReady(page);
  assert.equal(await shownTask(page), ids[1]);
});

test("the labeling stream gives a new annotation of one's own on a task another annotator did", async () => {
  // Two annotations per task: Bob's is there, Alice's is still wanted.
  const { projectId: pid, taskIds: [id] } = await createProject(alice.page, { title: 'Overlap', config: CONFIG,
    tasks: [{ text: 'Annotated twice' }], extra: { maximum_annotations: 2 } });
  const bobs = await call(bob.page, 'POST', `/api/tasks/${id}/annotations`, {
    result: [{ from_name: 'topic', to_name: 'text', type: 'choices', value: { choices: ['B'] } }] });
  assert.equal(bobs.status, 201, JSON.stringify(bobs.body));
  const page = alice.page;
  const selected = encodeURIComponent(JSON.stringify({ all: false, included: [id] }));
  for (const url of [`/projects/${pid}/data?labeling=1`, `/projects/${pid}/data?labeling=1&selectedItems=${selected}`]) {
    await page.goto(`${host.base}${url}`);
    await editorReady(page);
    assert.equal(await shownTask(page), id, url);
    await page.locator('.annot-submit').waitFor();
    assert.equal(await page.locator('.annot-skip').count(), 1, `${url}: no Skip`);
    assert.equal(await page.locator('.annot-badge', { hasText: 'Read only' }).count(), 0, `${url}: read only`);
    assert.equal(await page.getByRole('tab', { name: '+ New annotation' }).getAttribute('aria-selected'), 'true');
    assert.deepEqual(await ed(page, (e) => e.getResult()), [], `${url}: Bob's result is shown`);
  }
  // Bob's annotation is still in the history, read only.
  await page.getByRole('tab', { name: /bob@example\.com|user \d+/ }).click();
  await page.locator('.annot-badge', { hasText: 'Read only' }).waitFor();
  await page.getByRole('tab', { name: '+ New annotation' }).click();
  // The tab mounts a new editor after the read-only one is gone: wait for it, not for the old one.
  await page.locator('.annot-badge', { hasText: 'Read only' }).waitFor({ state: 'detached' });
  await editorReady(page);
  await ed(page, (e) => e.store.setResult('topic', null, { choices: ['A'] }));
  await page.locator('.annot-submit').click();
  await page.getByText('No more tasks to label').waitFor();
  const t = (await call(page, 'GET', `/api/tasks/${id}`)).body;
  assert.deepEqual(t.annotations.map((a) => a.result.find((x) => x.from_name === 'topic').value.choices[0]).sort(), ['A', 'B']);
});

test('a task imported with allow_skip: false offers no Skip', async () => {
  const page = alice.page;
  await call(page, 'POST', `/api/projects/${projectId}/import`, [{ data: { text: 'Must be labeled' }, allow_skip: false }]);
  const listed = (await call(page, 'GET', `/api/tasks?project=${projectId}&page_size=1000`)).body.tasks;
  const id = Math.max(...listed.map((t) => t.id));
  assert.equal(listed.find((t) => t.id === id).allow_skip, false);
  await page.goto(`${host.base}/projects/${projectId}/data?task=${id}`);
  await editorReady(page);
  await page.locator('.annot-submit').waitFor();
  assert.equal(await page.locator('.annot-skip').count(), 0, 'a Skip button is shown');
  // The shortcut does nothing either (the server's refusal is tested in host/tests).
  await page.keyboard.press('Control+Space');
  await page.waitForTimeout(300);
  assert.equal((await call(page, 'GET', `/api/tasks/${id}`)).body.annotations.length, 0, 'the shortcut skipped it');
  // A task without the flag keeps its Skip button.
  const skippable = await addTask(page, projectId, { data: { text: 'May be skipped' } });
  await page.goto(`${host.base}/projects/${projectId}/data?task=${skippable}`);
  await editorReady(page);
  await page.locator('.annot-submit').waitFor();
  assert.equal(await page.locator('.annot-skip').count(), 1);
  for (const t of [id, skippable]) assert.equal((await call(page, 'DELETE', `/api/tasks/${t}`)).status, 204);
});

test("the project's instructions are shown above the task, open when show_instruction, without their scripts", async () => {
  const page = alice.page;
  const instructions = '<h3>How to label</h3><p>Mark <b>things</b>. <a href="javascript:alert(1)">bad</a> ' +
    '<a href="https://example.com/guide">guide</a></p><img src="x" onerror="window.__pwned = 1"><script>window.__pwned = 2</script>';
  const patched = await call(page, 'PATCH', `/api/projects/${projectId}`, { expert_instruction: instructions, show_instruction: true });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  await page.goto(`${host.base}/projects/${projectId}/data?labeling=1`);
  await editorReady(page);
  const panel = page.locator('details.annot-instructions');
  assert.equal(await panel.getAttribute('open'), '', 'show_instruction: the instructions are open');
  assert.equal(await panel.locator('h3').innerText(), 'How to label');
  assert.equal(await panel.locator('b').innerText(), 'things');
  assert.equal(await panel.locator('a[href="https://example.com/guide"]').count(), 1);
  assert.equal(await panel.locator('a[href^="javascript"]').count(), 0, 'a javascript: link was kept');
  assert.equal(await panel.locator('script').count(), 0);
  assert.equal(await panel.locator('img').getAttribute('onerror'), null);
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.__pwned), undefined, 'the instructions ran script');
  // Folded when show_instruction is off; gone without instructions.
  await call(page, 'PATCH', `/api/projects/${projectId}`, { show_instruction: false });
  await page.reload();
  await editorReady(page);
  assert.equal(await page.locator('details.annot-instructions').getAttribute('open'), null);
  await call(page, 'PATCH', `/api/projects/${projectId}`, { expert_instruction: '' });
  await page.reload();
  await editorReady(page);
  assert.equal(await page.locator('details.annot-instructions').count(), 0);
});

// A task's URL under another project (an old link, an edited address): the task is never labeled
// under that project's config; the page goes to the task in its own project.
test('a task opened under another project\'s address opens in its own project, with its config', async () => {
  const page = alice.page;
  const config = `<View>
  <Text name="text" value="$text"/>
  <Choices name="mood" toName="text"><Choice value="Happy"/><Choice value="Sad"/></Choices>
</View>`;
  const other = await createProject(page, { title: 'Moods', config, tasks: [{ text: 'A task of another project' }] });
  const [id] = other.taskIds;
  await page.goto(`${host.base}/projects/${projectId}/data?task=${id}`);
  await page.waitForURL(`${host.base}/projects/${other.projectId}/data?task=${id}`);
  await editorReady(page);
  assert.equal(await shownTask(page), id);
  assert.match(await page.locator('.crumbs').innerText(), /Moods/);
  // Its own project's controls, not the Stream project's.
  assert.deepEqual(await ed(page, (e) => [...e.controls.keys()]), ['mood']);
  await page.getByText('Happy', { exact: true }).click();
  const saved = page.waitForResponse((r) => r.request().method() === 'POST' && /\/api\/tasks\/\d+\/annotations\/?$/.test(r.url()));
  await page.keyboard.press('Control+Enter');
  assert.equal((await saved).status(), 201);
  const t = (await call(page, 'GET', `/api/tasks/${id}`)).body;
  assert.deepEqual(t.annotations.map((a) => a.result.map((x) => [x.from_name, x.value.choices])), [[['mood', ['Happy']]]]);
});

test('no console errors and no failed requests on any page', () => {
  assert.deepEqual(alice.problems, []);
  assert.deepEqual(bob.problems, []);
});
