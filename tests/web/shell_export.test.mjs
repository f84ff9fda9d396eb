// Background exports in real Chromium against the real host: the export dialog runs a stored export
// (snapshot, then conversion, as jobs), shows what the format left out and why, offers the file, and
// lists the project's exports with their downloads until one is deleted; from the data manager, the
// tab's filters and the selection narrow both the download and the background export.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { exitWhenBrowserTestsCannotRun, artifactsDir, startSession, stopSessionExpectingNoProblems } from './harness.mjs';
import { signUp, call, ok, createProject } from './editor_helpers.mjs';

exitWhenBrowserTestsCannotRun();

let host;
let browser;
let page;
let projectId;
let taskIds;

const CONFIG = `<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="label" toName="image">
    <Label value="Cat"/><Label value="Dog"/>
  </RectangleLabels>
</View>`;

const box = (sized) => ({
  from_name: 'label', to_name: 'image', type: 'rectanglelabels', id: sized ? 'sized' : 'unsized',
  ...(sized ? { original_width: 640, original_height: 480 } : {}),
  value: { x: 10, y: 20, width: 30, height: 40, rotation: 0, rectanglelabels: ['Cat'] },
});
// One box COCO can place, one without the image's size (COCO leaves it out and says so), one task bare.
const TASKS = [
  { data: { image: '/data/upload/1/a.png' }, annotations: [{ result: [box(true)] }] },
  { data: { image: '/data/upload/1/b.png' }, annotations: [{ result: [box(false)] }] },
  { data: { image: '/data/upload/1/c.png' } },
];

// The files of a zip archive (stored or deflated entries), by name, from its central directory.
function unzip(buffer) {
  const files = {};
  let end = buffer.length - 22;
  while (end >= 0 && buffer.readUInt32LE(end) !== 0x06054b50) --end;
  assert.ok(end >= 0, 'the download is not a zip archive');
  let at = buffer.readUInt32LE(end + 16);
  for (let n = buffer.readUInt16LE(end + 10); n > 0; --n) {
    const method = buffer.readUInt16LE(at + 10);
    const size = buffer.readUInt32LE(at + 20);
    const nameLength = buffer.readUInt16LE(at + 28);
    const local = buffer.readUInt32LE(at + 42);
    const name = buffer.toString('utf8', at + 46, at + 46 + nameLength);
    const start = local + 30 + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28);
    const data = buffer.subarray(start, start + size);
    files[name] = method === 8 ? zlib.inflateRawSync(data) : data;
    at += 46 + nameLength + buffer.readUInt16LE(at + 30) + buffer.readUInt16LE(at + 32);
  }
  return files;
}

before(async () => {
  ({ host, browser, page } = await startSession());
  // The tasks name uploads that do not exist: the data manager's thumbnails of them answer 404.
  browser.expect(/\/data\/upload\/1\/[abc]\.png$/, 404);
  await signUp(page, host.base, 'exports@example.com');
  ({ projectId, taskIds } = await createProject(page, { title: 'Pets', config: CONFIG, tasks: TASKS }));
});

after(() => stopSessionExpectingNoProblems(host, browser));

async function openDialog() {
  await page.goto(`${host.base}/projects/${projectId}/data`);
  await page.getByText(`${TASKS.length} tasks`, { exact: true }).waitFor();
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Export' });
  await dialog.locator('[data-format=COCO]').waitFor();
  return dialog;
}

test('no background export yet: the dialog says so', async () => {
  const dialog = await openDialog();
  await dialog.getByText('None yet.', { exact: false }).waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
});

test('a COCO export in the background reports the skipped box with its task and reason, and downloads the zip', async () => {
  const dialog = await openDialog();
  await dialog.locator('#format-COCO').check();
  await dialog.locator('input[name=download_all_tasks]').uncheck();
  await dialog.getByRole('button', { name: 'Export in the background' }).click();
  const outcome = dialog.getByRole('status');
  await outcome.getByText('Exported 2 tasks as COCO.').waitFor();
  const summary = outcome.locator('summary');
  assert.equal(await summary.count(), 1, `no report to open in: ${await outcome.innerText()}`);
  assert.equal(await summary.innerText(), '2 tasks read, 1 left out, 0 warnings');
  await summary.click();
  assert.deepEqual(await outcome.getByRole('list', { name: 'Skipped tasks' }).locator('li').allInnerTexts(),
    [`Task ${taskIds[1]}: a region without original_width/original_height before the image's size is known; left out`]);
  assert.equal(await outcome.getByRole('link', { name: `Task ${taskIds[1]}` }).getAttribute('href'),
    `/projects/${projectId}/data?task=${taskIds[1]}`);

  const download = page.waitForEvent('download');
  await outcome.getByRole('link', { name: 'Download' }).click();
  const file = await download;
  assert.match(file.suggestedFilename(), new RegExp(`^project-${projectId}-at-.*\\.zip$`));
  const files = unzip(fs.readFileSync(await file.path()));
  const coco = JSON.parse(files['result.json']);
  // Only the first task's image: upstream adds an image once a region gives its size.
  assert.deepEqual(coco.images.map((i) => [i.id, i.width, i.height]), [[0, 640, 480]]);
  assert.equal(coco.annotations.length, 1, 'only the box with the image size');
  assert.deepEqual(coco.annotations[0].bbox.map((v) => Math.round(v)), [64, 96, 192, 192]);

  // The history lists it, newest first, with the snapshot and the conversion beside their reports.
  const entry = dialog.getByRole('region', { name: 'Background exports' }).locator('.export-entry').first();
  await entry.locator('[data-export-type=COCO] > a[download]').waitFor();
  await entry.locator('[data-export-type=JSON] > a[download]').waitFor();
  assert.match(await entry.locator('.export-entry-head .muted').innerText(), /· 2 tasks \(annotated only\)$/);
  assert.equal(await entry.locator('[data-export-type=COCO] summary').innerText(), '2 tasks read, 1 left out, 0 warnings');
  fs.writeFileSync(path.join(artifactsDir(), 'export-background.png'), await page.screenshot());
});

test('the JSON snapshot with every task, and the history kept across openings of the dialog', async () => {
  const dialog = await openDialog();
  await dialog.locator('.export-entry').first().waitFor();
  assert.equal(await dialog.locator('.export-entry').count(), 1, 'the COCO export of the test before');
  await dialog.locator('#format-JSON').check();
  await dialog.getByRole('button', { name: 'Export in the background' }).click();
  const outcome = dialog.getByRole('status');
  await outcome.getByText('Exported 3 tasks as JSON.').waitFor();
  const download = page.waitForEvent('download');
  await outcome.getByRole('link', { name: 'Download' }).click();
  const exported = JSON.parse(fs.readFileSync(await (await download).path(), 'utf8'));
  assert.deepEqual(exported.map((t) => t.id).sort((a, b) => a - b), taskIds);
  await dialog.locator('.export-entry').nth(1).waitFor();
  assert.equal(await dialog.locator('.export-entry').count(), 2);
  const stored = await ok(call(page, 'GET', `/api/projects/${projectId}/exports`), 'list exports');
  assert.equal(stored.length, 2);
});

test('a finished snapshot is converted to the chosen format from the list, with its report', async () => {
  const dialog = await openDialog();
  await dialog.locator('#format-COCO').check();
  const stored = (await ok(call(page, 'GET', `/api/projects/${projectId}/exports`), 'list exports')).sort((a, b) => b.id - a.id);
  const [snapshot, converted] = stored;  // the JSON snapshot of every task, then the COCO export
  assert.equal(await dialog.getByRole('button', { name: `Convert export #${converted.id} to COCO` }).count(), 0,
    'an export already converted to COCO offers no second conversion');
  await dialog.getByRole('button', { name: `Convert export #${snapshot.id} to COCO` }).click();
  const entry = dialog.locator(`[data-export="${snapshot.id}"]`);
  await entry.locator('[data-export-type=COCO] > a[download]').waitFor();
  assert.equal(await entry.locator('[data-export-type=COCO] summary').innerText(), '3 tasks read, 1 left out, 0 warnings');
  await dialog.getByRole('button', { name: `Convert export #${snapshot.id} to COCO` }).waitFor({ state: 'detached' });
  const record = await ok(call(page, 'GET', `/api/projects/${projectId}/exports/${snapshot.id}`), 'the export');
  assert.deepEqual(record.converted_formats.map((c) => [c.export_type, c.status]), [['COCO', 'completed']]);
});

test('a conversion the server refuses is shown as an error, and the dialog stays usable', async () => {
  // A project without annotations whose config turns to text under the open dialog: the snapshot is
  // taken, then COCO no longer fits the project and its conversion is refused.
  const other = await createProject(page, { title: 'Changing', config: CONFIG, tasks: TASKS.map((t) => ({ data: t.data })) });
  await page.goto(`${host.base}/projects/${other.projectId}/data`);
  await page.getByText(`${TASKS.length} tasks`, { exact: true }).waitFor();
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Export' });
  await dialog.locator('#format-COCO').check();
  await ok(call(page, 'PATCH', `/api/projects/${other.projectId}`, {
    label_config: '<View><Text name="text" value="$image"/><Choices name="c" toName="text"><Choice value="A"/></Choices></View>',
  }), 'change the config');
  browser.expect(new RegExp(`/api/projects/${other.projectId}/exports/\\d+/convert$`), 400);
  await dialog.getByRole('button', { name: 'Export in the background' }).click();
  const alert = dialog.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /export_type COCO is not available for this project/);
  assert.equal(await dialog.getByRole('button', { name: 'Export in the background' }).isDisabled(), false);
  // The snapshot stays listed (its JSON is whole); it has no COCO conversion.
  await dialog.locator('.export-entry [data-export-type=JSON] > a[download]').waitFor();
  assert.equal(await dialog.locator('.export-entry [data-export-type=COCO]').count(), 0);
});

test('closing the dialog while an export runs stops the polling; the export finishes and is listed', async () => {
  const dialog = await openDialog();
  await dialog.locator('#format-JSON').check();
  // The snapshot's polls are answered as still running, so the run keeps polling until it is stopped.
  const polls = new RegExp(`/api/projects/${projectId}/exports/\\d+$`);
  let polled = 0;
  await page.route(polls, async (route) => {
    polled++;
    try {
      const response = await route.fetch();
      await route.fulfill({ response, json: { ...(await response.json()), status: 'in_progress' } });
    } catch { /* the page aborted the request */ }
  });
  const before = (await ok(call(page, 'GET', `/api/projects/${projectId}/exports`), 'list exports')).length;
  await dialog.getByRole('button', { name: 'Export in the background' }).click();
  await dialog.getByRole('progressbar').waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  const after = polled;
  await new Promise((r) => setTimeout(r, 2500));
  assert.ok(polled <= after + 1, `the closed dialog kept polling: ${polled - after} more requests`);
  await page.unroute(polls);
  const reopened = await openDialog();
  await reopened.locator('.export-entry').nth(before).waitFor();
  const stored = await ok(call(page, 'GET', `/api/projects/${projectId}/exports`), 'list exports');
  assert.equal(stored.length, before + 1);
  assert.ok(stored.every((e) => e.status === 'completed'), JSON.stringify(stored.map((e) => e.status)));
  await page.keyboard.press('Escape');
});

test('deleting an export removes it from the list and from the server', async () => {
  const dialog = await openDialog();
  const before = await ok(call(page, 'GET', `/api/projects/${projectId}/exports`), 'list exports');
  const newest = before.sort((a, b) => b.id - a.id)[0];
  await dialog.getByRole('button', { name: `Delete export #${newest.id}` }).click();
  await dialog.locator(`[data-export="${newest.id}"]`).waitFor({ state: 'detached' });
  const after = await ok(call(page, 'GET', `/api/projects/${projectId}/exports`), 'list exports');
  assert.deepEqual(after.map((e) => e.id), before.filter((e) => e.id !== newest.id).map((e) => e.id));
  browser.expect(new RegExp(`/api/projects/${projectId}/exports/${newest.id}$`), 404);
  assert.equal((await call(page, 'GET', `/api/projects/${projectId}/exports/${newest.id}`)).status, 404);
});

test("the data manager's tab and its selection narrow both the download and the background export", async () => {
  // The tab keeps the tasks after the first.
  const views = await ok(call(page, 'GET', `/api/dm/views?project=${projectId}`), 'list tabs');
  const tab = (Array.isArray(views) ? views : views.results)[0];
  const filters = { conjunction: 'and', items: [{ filter: 'filter:tasks:id', operator: 'greater', type: 'Number', value: taskIds[0] }] };
  await ok(call(page, 'PATCH', `/api/dm/views/${tab.id}`, { project: projectId, data: { ...tab.data, filters } }), 'filter the tab');
  await page.goto(`${host.base}/projects/${projectId}/data`);
  await page.getByText('2 tasks', { exact: true }).waitFor();
  const downloaded = async (link) => {
    const download = page.waitForEvent('download');
    await link.click();
    return JSON.parse(fs.readFileSync(await (await download).path(), 'utf8')).map((t) => t.id).sort((a, b) => a - b);
  };

  await page.getByRole('button', { name: 'Export', exact: true }).click();
  let dialog = page.getByRole('dialog', { name: 'Export' });
  let scope = dialog.getByRole('radiogroup', { name: 'Tasks to export' });
  assert.deepEqual((await scope.locator('label').allInnerTexts()).map((t) => t.trim()),
    ['All tasks of the project', `The 2 tasks of the tab "${tab.data?.title ?? 'Default'}" (its filters)`]);
  assert.equal(await scope.getByRole('radio', { checked: true }).getAttribute('value'), 'tab');
  await dialog.locator('#format-JSON').check();
  assert.deepEqual(await downloaded(dialog.getByRole('link', { name: 'Export' })), taskIds.slice(1));
  await dialog.waitFor({ state: 'detached' });

  // One task ticked: the selection is the default, for the background export as for the download.
  await page.locator(`.vt-row[data-task-id="${taskIds[2]}"] input[type=checkbox]`).check();
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  dialog = page.getByRole('dialog', { name: 'Export' });
  scope = dialog.getByRole('radiogroup', { name: 'Tasks to export' });
  assert.equal(await scope.locator('label').count(), 3);
  fs.writeFileSync(path.join(artifactsDir(), 'export-scope.png'), await page.screenshot());
  assert.equal((await scope.getByRole('radio', { checked: true }).locator('..').innerText()).trim(), 'The 1 selected task');
  await dialog.locator('#format-JSON').check();
  await dialog.getByRole('button', { name: 'Export in the background' }).click();
  const outcome = dialog.getByRole('status');
  await outcome.getByText('Exported 1 task as JSON.').waitFor();
  assert.deepEqual(await downloaded(outcome.getByRole('link', { name: 'Download' })), [taskIds[2]]);
  const stored = await ok(call(page, 'GET', `/api/projects/${projectId}/exports`), 'list exports');
  const newest = stored.sort((a, b) => b.id - a.id)[0];
  assert.deepEqual(newest.task_filter_options.selectedItems, { all: false, included: [taskIds[2]] });
  assert.equal(newest.task_filter_options.view, tab.id);

  await scope.getByRole('radio', { name: 'All tasks of the project' }).check();
  assert.deepEqual(await downloaded(dialog.getByRole('link', { name: 'Export' })), taskIds);
});

test("a tab's edit still being saved holds the tab's export until the server has it, and saves go in order", async () => {
  // The tab keeps the tasks after the first (the test before filtered it). Its saves are held here.
  await page.goto(`${host.base}/projects/${projectId}/data`);
  await page.getByText('2 tasks', { exact: true }).waitFor();
  const held = [];
  await page.route('**/api/dm/views/*', (route) => {
    if (route.request().method() !== 'PATCH') return route.continue();
    held.push(route);
  });
  const until = async (check) => { for (let i = 0; i < 200 && !check(); ++i) await page.waitForTimeout(25); assert.ok(check()); };
  const sort = page.locator('button.th').first();
  await sort.click();
  await until(() => held.length === 1);
  await sort.click();
  // The second edit's save waits for the first one's answer: two PATCHes at once may land out of order.
  await page.waitForTimeout(300);
  assert.equal(held.length, 1);

  await page.getByRole('button', { name: 'Export', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Export' });
  const scope = dialog.getByRole('radiogroup', { name: 'Tasks to export' });
  await dialog.locator('#format-JSON').check();
  assert.equal(await scope.getByRole('radio', { checked: true }).getAttribute('value'), 'tab');
  const note = dialog.getByText("Saving the tab's filters…");
  await note.waitFor();
  assert.equal(await dialog.getByRole('link', { name: 'Export' }).count(), 0);
  assert.ok(await dialog.getByRole('button', { name: 'Export', exact: true }).isDisabled());
  assert.ok(await dialog.getByRole('button', { name: 'Export in the background' }).isDisabled());
  // Every task does not depend on the tab.
  await scope.getByRole('radio', { name: 'All tasks of the project' }).check();
  assert.equal(await dialog.getByRole('link', { name: 'Export' }).count(), 1);
  await scope.locator('input[value=tab]').check();
  assert.equal(await dialog.getByRole('link', { name: 'Export' }).count(), 0);

  const first = held[0].request().postDataJSON();
  await held[0].continue();
  await until(() => held.length === 2);
  const second = held[1].request().postDataJSON();
  assert.notDeepEqual(second.data.ordering, first.data.ordering);
  assert.ok(await note.isVisible(), 'the second save is still on its way');
  await held[1].continue();
  await note.waitFor({ state: 'detached' });
  await page.unroute('**/api/dm/views/*');

  const download = page.waitForEvent('download');
  await dialog.getByRole('link', { name: 'Export' }).click();
  const ids = JSON.parse(fs.readFileSync(await (await download).path(), 'utf8')).map((t) => t.id).sort((a, b) => a - b);
  assert.deepEqual(ids, taskIds.slice(1));
  const saved = await ok(call(page, 'GET', `/api/dm/views?project=${projectId}`), 'list tabs');
  assert.deepEqual((Array.isArray(saved) ? saved : saved.results)[0].data.ordering, second.data.ordering);
});
