// The web shell in real Chromium against the real host: sign up, create a project (with a config
// error shown at its line first), import tasks by pasting JSON, see them in the data manager,
// delete one, open one (the labeling editor), rename the project in its settings; no console errors
// and no failed requests on any page; screenshots of the project list and data manager saved and
// checked not to be blank.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { exitWhenBrowserTestsCannotRun, pixelDeviation, artifactsDir, startSession, stopSession } from './harness.mjs';

exitWhenBrowserTestsCannotRun();

let host;
let browser;
let page;
let projectId;
const TASKS = [{ text: 'The first task, about apples' }, { text: 'The second task, about pears' }, { text: 'The third task, about plums' }];

before(async () => {
  ({ host, browser, page } = await startSession());
});

after(() => stopSession(host, browser));

// Fetches JSON the way the page does (its cookie and CSRF header), for checks against the API.
const api = (url) => page.evaluate(async (u) => {
  const r = await fetch(u, { headers: { Accept: 'application/json' } });
  return { status: r.status, body: await r.json() };
}, url);

async function screenshot(name) {
  const png = await page.screenshot({ fullPage: false });
  fs.writeFileSync(path.join(artifactsDir(), `${name}.png`), png);
  const deviation = await pixelDeviation(page, png);
  assert.ok(deviation > 8, `the ${name} screenshot looks blank (luminance deviation ${deviation.toFixed(2)})`);
}

test('an anonymous visit goes to the sign-in page without any failing request', async () => {
  await page.goto(`${host.base}/projects`);
  await page.waitForURL(/\/user\/login\?next=%2Fprojects$/);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
});

test('sign up signs in and lands on the empty project list', async () => {
  await page.getByRole('link', { name: 'Sign up' }).click();
  await page.waitForURL(/\/user\/signup/);
  await page.fill('input[name=email]', 'annotator@example.com');
  await page.fill('input[name=password]', 'correct horse battery');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.waitForURL(/\/projects$/);
  await page.getByText('No projects yet').waitFor();
  await page.getByText('annotator@example.com').waitFor();
});

test('create a project: a config error is shown at its line, the fixed config is accepted', async () => {
  await page.getByRole('link', { name: 'Create project' }).first().click();
  await page.waitForURL(/\/projects\/create$/);
  await page.fill('input[name=title]', 'Fruit reviews');
  await page.fill('textarea[name=description]', 'Sentiment of short fruit reviews');
  // A toName naming no tag: the live check answers 400 on purpose.
  browser.expect(/\/api\/projects\/validate\/?$/, 400);
  const config = await page.inputValue('textarea[name=label_config]');
  const broken = config.replace('toName="text"', 'toName="nope"');
  const brokenLine = broken.split('\n').findIndex((l) => l.includes('toName="nope"')) + 1;
  await page.fill('textarea[name=label_config]', broken);
  const issue = page.locator('.issue.error').first();
  await issue.waitFor();
  assert.match(await issue.innerText(), new RegExp(`Line ${brokenLine}`));
  assert.match(await issue.innerText(), /nope/);
  assert.ok(await page.getByRole('button', { name: 'Create' }).isDisabled(), 'an invalid config can be submitted');
  await page.fill('textarea[name=label_config]', config);
  await page.getByText('The config is valid.').waitFor();
  await page.getByRole('button', { name: 'Create' }).click();
  await page.waitForURL(/\/projects\/\d+\/data$/);
  projectId = Number(/\/projects\/(\d+)\/data$/.exec(page.url())[1]);
  await page.getByText('No tasks yet').waitFor();
});

test('import tasks by pasting JSON', async () => {
  await page.getByRole('link', { name: 'Import data' }).click();
  await page.waitForURL(new RegExp(`/projects/${projectId}/import$`));
  await page.fill('textarea[name=paste]', JSON.stringify(TASKS));
  await page.getByRole('button', { name: 'Import pasted data' }).click();
  await page.getByText(`Imported ${TASKS.length} tasks`).waitFor();
  const listed = await api(`/api/tasks?project=${projectId}`);
  assert.equal(listed.status, 200);
  assert.equal(listed.body.total, TASKS.length);
});

test('the data manager lists the tasks; deleting one leaves the others', async () => {
  await page.getByRole('link', { name: 'Open the data manager' }).click();
  await page.waitForURL(new RegExp(`/projects/${projectId}/data$`));
  for (const t of TASKS) await page.getByText(t.text).waitFor();
  await page.getByText(`${TASKS.length} tasks`, { exact: true }).waitFor();
  await screenshot('data-manager');

  const row = page.locator('.vt-row', { hasText: TASKS[1].text });
  const taskId = Number(await row.getAttribute('data-task-id'));
  await row.locator('input[type=checkbox]').check();
  await page.getByText('1 selected').waitFor();
  await page.getByRole('button', { name: /^Actions/ }).click();
  await page.locator('[data-action=delete_tasks]').click();
  await page.getByRole('alertdialog').getByRole('button', { name: /Delete/ }).click();
  await page.getByText(`${TASKS.length - 1} tasks`, { exact: true }).waitFor();
  await page.getByText(TASKS[1].text).waitFor({ state: 'detached' });
  const listed = await api(`/api/tasks?project=${projectId}`);
  assert.equal(listed.body.total, TASKS.length - 1);
  assert.ok(!listed.body.tasks.some((t) => t.id === taskId), 'the deleted task is still listed');
});

test('opening a task shows the labeling editor with the task, never a blank page', async () => {
  await page.locator('.vt-row', { hasText: TASKS[0].text }).locator('.vt-cell').nth(2).click();
  await page.waitForURL(/\/data\?task=\d+$/);
  await page.locator('.annot-editor[data-ready="true"]').waitFor();
  await page.getByText(TASKS[0].text).first().waitFor();
});

test('the project list shows the project with its counters', async () => {
  await page.goto(`${host.base}/projects`);
  const card = page.locator(`[data-project-id="${projectId}"]`);
  await card.getByRole('heading', { name: 'Fruit reviews' }).waitFor();
  assert.match(await card.innerText(), new RegExp(`${TASKS.length - 1}\\s*tasks`));
  await screenshot('project-list');
});

test('settings: the title is changed and saved', async () => {
  await page.goto(`${host.base}/projects/${projectId}/settings`);
  await page.fill('input[name=title]', 'Fruit reviews (v2)');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Saved.').waitFor();
  const project = await api(`/api/projects/${projectId}`);
  assert.equal(project.body.title, 'Fruit reviews (v2)');
});

test('settings: a config change passes the project-aware check and is saved', async () => {
  const config = await page.inputValue('textarea[name=label_config]');
  const changed = config.replace('<Choice value="Neutral"/>', '<Choice value="Neutral"/>\n    <Choice value="Mixed"/>');
  assert.notEqual(changed, config);
  await page.fill('textarea[name=label_config]', changed);
  await page.getByText('The config is valid.').waitFor();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Saved.').waitFor();
  const project = await api(`/api/projects/${projectId}`);
  assert.match(project.body.label_config, /value="Mixed"/);
});

test('select all but one, delete: only that one is left', async () => {
  await page.goto(`${host.base}/projects/${projectId}/data`);
  await page.getByText(`${TASKS.length - 1} tasks`, { exact: true }).waitFor();
  await page.getByRole('checkbox', { name: 'Select all tasks' }).check();
  const keep = page.locator('.vt-row', { hasText: TASKS[2].text });
  const keepId = Number(await keep.getAttribute('data-task-id'));
  await keep.locator('input[type=checkbox]').uncheck();
  await page.getByText(`${TASKS.length - 2} selected`).waitFor();
  await page.getByRole('button', { name: /^Actions/ }).click();
  await page.locator('[data-action=delete_tasks]').click();
  await page.getByRole('alertdialog').getByRole('button', { name: /Delete/ }).click();
  await page.getByText('1 task', { exact: true }).waitFor();
  const listed = await api(`/api/tasks?project=${projectId}`);
  assert.deepEqual(listed.body.tasks.map((t) => t.id), [keepId]);
});

test('predictions become annotations through the Actions menu, with the model version chosen in its dialog', async () => {
  const { taskId } = await page.evaluate(async (pid) => {
    const headers = { 'Content-Type': 'application/json', 'X-CSRFToken': document.cookie.match(/csrftoken=([^;]*)/)[1] };
    const list = await (await fetch(`/api/tasks?project=${pid}`)).json();
    const id = list.tasks[0].id;
    for (const version of ['model-a', 'model-b']) {
      const r = await fetch('/api/predictions', { method: 'POST', headers,
        body: JSON.stringify({ task: id, result: [], model_version: version }) });
      if (r.status !== 201) throw new Error(`prediction: HTTP ${r.status}`);
    }
    return { taskId: id };
  }, projectId);
  await page.reload();
  await page.getByText('1 task', { exact: true }).waitFor();
  await page.getByRole('checkbox', { name: 'Select all tasks' }).check();
  await page.getByRole('button', { name: /^Actions/ }).click();
  await page.locator('[data-action=predictions_to_annotations]').click();
  const dialog = page.getByRole('alertdialog');
  await dialog.locator('select[name=model_version]').selectOption('model-b');
  await dialog.getByRole('button', { name: 'Create Annotations From Predictions' }).click();
  await page.getByText('Create Annotations From Predictions: Created 1 annotations.').waitFor();
  const task = await api(`/api/tasks/${taskId}`);
  assert.equal(task.body.annotations.length, 1);
  const predictions = await api(`/api/predictions?task=${taskId}`);
  const chosen = predictions.body.find((p) => p.model_version === 'model-b');
  assert.equal(task.body.annotations[0].parent_prediction, chosen.id);

  // Delete Annotations offers the project's annotators (or all); choosing the one who has it removes it.
  await page.getByRole('checkbox', { name: 'Select all tasks' }).check();
  await page.getByRole('button', { name: /^Actions/ }).click();
  await page.locator('[data-action=delete_tasks_annotations]').click();
  const select = page.getByRole('alertdialog').locator('select[name=annotator]');
  await select.locator('option').nth(1).waitFor({ state: 'attached' });  // the menu fetches the choices anew
  const labels = await select.locator('option').allInnerTexts();
  assert.equal(labels[0], 'All');
  assert.equal(labels.length, 2, `one annotator besides "All": ${labels}`);
  await select.selectOption({ index: 1 });
  await page.getByRole('alertdialog').getByRole('button', { name: 'Delete Annotations' }).click();
  await page.getByText('Delete Annotations: Deleted 1 annotations.').waitFor();
  assert.equal((await api(`/api/tasks/${taskId}`)).body.annotations.length, 0);
});

test('filters on List columns offer only the operators the server supports, and each of them works', async () => {
  await page.getByRole('button', { name: /^Filters/ }).click();
  await page.getByRole('button', { name: 'Add filter' }).click();
  const selects = page.locator('.filter-panel .filter-row select');
  const offered = async () => (await selects.nth(1).locator('option').allInnerTexts());
  await selects.first().selectOption({ label: 'Annotation results' });   // a String column keeps its text operators
  assert.ok((await offered()).includes('starts with'));
  for (const column of ['Annotated by', 'Updated by', 'Prediction model versions']) {
    await selects.first().selectOption({ label: column });
    const ops = await offered();
    assert.deepEqual(ops, ['contains', 'not contains', 'equal', 'not equal', 'exists', 'not exists'], column);
    for (const op of ops) {
      await selects.nth(1).selectOption({ label: op });
      const value = page.locator('.filter-panel input[name=filter-value]');
      if (await value.count()) await value.fill('1');
      const answer = page.waitForResponse((r) => /\/api\/tasks\?/.test(r.url()) && r.url().includes('query='));
      await page.getByRole('button', { name: 'Apply' }).click();
      assert.equal((await answer).status(), 200, `${column} ${op}`);
    }
  }
  assert.equal(await page.locator('.error-box').count(), 0);
  await page.locator('.filter-panel .filter-row button[title="Remove this filter"]').click();
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByText('1 task', { exact: true }).waitFor();
});

test('import a CSV file through the file picker (multipart, async)', async () => {
  await page.goto(`${host.base}/projects/${projectId}/import`);
  await page.locator('input[type=file]').setInputFiles({
    name: 'more.csv', mimeType: 'text/csv', buffer: Buffer.from('text\nA CSV task about figs\nA CSV task about dates\n'),
  });
  await page.getByText('more.csv').waitFor();
  await page.getByRole('button', { name: 'Import 1 file' }).click();
  await page.getByText('Imported 2 tasks').waitFor();
  await page.getByRole('link', { name: 'Open the data manager' }).click();
  await page.getByText('A CSV task about dates').waitFor();
  await page.getByText('3 tasks', { exact: true }).waitFor();
});

test('import a JSON file dropped on the drop zone', async () => {
  await page.goto(`${host.base}/projects/${projectId}/import`);
  const dataTransfer = await page.evaluateHandle(() => {
    const dt = new DataTransfer();
    dt.items.add(new File([JSON.stringify([{ text: 'A dropped task about kiwis' }])], 'dropped.json', { type: 'application/json' }));
    return dt;
  });
  await page.dispatchEvent('.dropzone', 'dragover', { dataTransfer });
  await page.dispatchEvent('.dropzone', 'drop', { dataTransfer });
  await page.getByText('dropped.json').waitFor();
  await page.getByRole('button', { name: 'Import 1 file' }).click();
  await page.getByText(/Imported 1 task( in|\.)/).waitFor();
  await page.getByRole('link', { name: 'Open the data manager' }).click();
  await page.getByText('A dropped task about kiwis').waitFor();
  await page.getByText('4 tasks', { exact: true }).waitFor();
});

test('the virtual table reaches the middle and the last of 250,000 tasks (scaled scroll range)', async () => {
  // Past ~222,000 rows of 36 px the table scales its scroll range (the browser caps element heights).
  const n = 250_000;
  const bigId = await page.evaluate(async (count) => {
    const headers = { 'Content-Type': 'application/json', 'X-CSRFToken': document.cookie.match(/csrftoken=([^;]*)/)[1] };
    const p = await (await fetch('/api/projects', { method: 'POST', headers,
      body: JSON.stringify({ title: 'Large', label_config: '<View><Text name="text" value="$text"/></View>' }) })).json();
    const tasks = Array.from({ length: count }, (_, i) => ({ text: `row ${i + 1}` }));
    const r = await fetch(`/api/projects/${p.id}/import`, { method: 'POST', headers, body: JSON.stringify(tasks) });
    if (r.status !== 201) throw new Error(`import: HTTP ${r.status}`);
    return p.id;
  }, n);
  await page.goto(`${host.base}/projects/${bigId}/data`);
  await page.getByText(`${n.toLocaleString('en-US')} tasks`).waitFor();
  const scrollTo = (fraction) => page.evaluate((f) => {
    const el = document.querySelector('.vt');
    el.scrollTop = f * (el.scrollHeight - el.clientHeight);
  }, fraction);
  await scrollTo(0.5);
  await page.getByText(`row ${n / 2}`, { exact: true }).waitFor();
  await scrollTo(1);
  await page.getByText(`row ${n}`, { exact: true }).waitFor();
  assert.equal(await page.locator('.vt-row.loading').count(), 0, 'rows still loading at the end');
});

test('no console errors and no failed requests on any page', () => {
  assert.deepEqual(browser.problems, []);
});
