// The starter gallery, the live preview, the export dialog and "label all / label these" in real
// Chromium against the real host: pick a starter, see the editor preview it on the plugin's sample
// task (and an error, not a blank box, for a broken config), create the project; the export dialog
// lists the formats with the reasons of the disabled ones and downloads a JSON export; the data
// manager's buttons open the labeling stream over /next (within the tab's filters and ordering) and
// over the selection.
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
const TASKS = [
  { text: 'Ines Duarte opened a bakery in Porto.' },
  { text: 'The Harbour Trust met in Bergen on Monday.' },
  { text: 'Kofi Mensah works for Sunline Solar.' },
];

before(async () => {
  ({ host, browser, page } = await startSession());
});

after(() => stopSession(host, browser));

// JSON through the page's session (cookie + CSRF header), for set-up and checks against the API.
const api = (method, url, body) => page.evaluate(async ([m, u, b]) => {
  const headers = { Accept: 'application/json' };
  if (m !== 'GET') headers['X-CSRFToken'] = document.cookie.match(/csrftoken=([^;]*)/)[1];
  if (b !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(u, { method: m, headers, body: b === undefined ? undefined : JSON.stringify(b) });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}, [method, url, body]);

test('sign up', async () => {
  await page.goto(`${host.base}/user/signup`);
  await page.fill('input[name=email]', 'gallery@example.com');
  await page.fill('input[name=password]', 'correct horse battery');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.waitForURL(/\/projects$/);
});

test('the gallery lists the starters by group, as GET /api/templates serves them', async () => {
  await page.goto(`${host.base}/projects/create`);
  const served = await api('GET', '/api/templates');
  assert.equal(served.status, 200);
  assert.ok(served.body.templates.length >= 15, `only ${served.body.templates.length} templates`);
  for (const group of served.body.groups) await page.getByRole('tab', { name: group, exact: true }).waitFor();
  await page.getByRole('tab', { name: 'Computer Vision', exact: true }).click();
  const cards = page.locator('.gallery-card');
  const titles = served.body.templates.filter((t) => t.group === 'Computer Vision').map((t) => t.title);
  assert.deepEqual(await cards.locator('b').allInnerTexts(), titles);
});

test('picking a starter fills the config editor and the preview renders its sample task', async () => {
  await page.getByRole('tab', { name: 'Natural Language Processing', exact: true }).click();
  await page.locator('.gallery-card[data-template="Named entities"]').click();
  const config = await page.inputValue('textarea[name=label_config]');
  assert.match(config, /<Labels name="entity" toName="text">/);
  await page.getByText('The config is valid.').waitFor();
  const preview = page.locator('.config-preview');
  await page.locator('.config-preview[data-state=ready]').waitFor();
  // The sample task's text and the labels bar of the config, drawn by the real editor.
  await preview.getByText('Grace Okafor', { exact: false }).first().waitFor();
  await preview.getByText('Organisation').first().waitFor();
  const png = await preview.screenshot();
  fs.writeFileSync(path.join(artifactsDir(), 'gallery-preview-text.png'), png);
  const deviation = await pixelDeviation(page, png);
  assert.ok(deviation > 8, `the preview looks blank (luminance deviation ${deviation.toFixed(2)})`);
});

test('an image starter previews the image the plugin ships, without network', async () => {
  const sample = page.waitForResponse((r) => r.url().endsWith('/plugins/image/samples/street.png'));
  await page.getByRole('tab', { name: 'Computer Vision', exact: true }).click();
  await page.locator('.gallery-card[data-template="Bounding boxes"]').click();
  assert.match(await page.inputValue('textarea[name=label_config]'), /<RectangleLabels name="box"/);
  await page.locator('.config-preview[data-state=ready]').waitFor();
  assert.equal((await sample).status(), 200);
  await page.locator('.config-preview').getByText('Traffic sign').first().waitFor();
});

test('templates whose objects have no editor are marked, and their preview says what still works', async () => {
  const { templates, groups } = (await api('GET', '/api/templates')).body;
  const plugins = new Map((await api('GET', '/api/plugins')).body.plugins.map((p) => [p.name, p]));
  let marked = 0;
  for (const group of groups) {
    await page.getByRole('tab', { name: group, exact: true }).click();
    for (const t of templates.filter((x) => x.group === group)) {
      // A template's objects are its plugin's: marked exactly when that plugin has no editor UI.
      const badge = page.locator(`.gallery-card[data-template="${t.title}"] .no-editor-badge`);
      if (plugins.get(t.plugin)?.ui) {
        assert.equal(await badge.count(), 0, `${t.title} is marked`);
      } else {
        await badge.waitFor();
        assert.equal(await badge.innerText(), 'No editor yet');
        marked++;
      }
    }
  }
  assert.ok(marked > 0, 'no template without an editor (Audio, Video, HyperText, TimeSeries have none yet)');
  await page.getByRole('tab', { name: 'Audio and Speech', exact: true }).click();
  await page.locator('.gallery-card[data-template="Sound segments"]').click();
  const note = page.locator('.config-preview .preview-no-editor');
  await note.waitFor();
  assert.match(await note.innerText(), /^Audio has no editor in this installation yet: .* imported, exported and annotated through the API\.$/);
  await page.locator('.config-preview[data-state=ready]').waitFor();
  await page.locator('.config-preview .annot-cannot-label', { hasText: 'Cannot be labeled here: Audio (audio) has no editor yet' }).waitFor();
  fs.writeFileSync(path.join(artifactsDir(), 'gallery-no-editor.png'), await page.screenshot({ fullPage: true }));
  // A template with an editor has no such note.
  await page.getByRole('tab', { name: 'Computer Vision', exact: true }).click();
  await page.locator('.gallery-card[data-template="Bounding boxes"]').click();
  await note.waitFor({ state: 'detached' });
  await page.locator('.config-preview[data-state=ready]').waitFor();
  assert.equal(await page.locator('.config-preview .annot-cannot-label').count(), 0);
});

test('editing the config re-renders the preview; a broken config shows an error, not a blank box', async () => {
  const config = await page.inputValue('textarea[name=label_config]');
  await page.fill('textarea[name=label_config]', config.replace('value="Traffic sign"', 'value="Bicycle"'));
  await page.locator('.config-preview').getByText('Bicycle').first().waitFor();
  browser.expect(/\/api\/projects\/validate\/?$/, 400);
  await page.fill('textarea[name=label_config]', config.replace('</RectangleLabels>', ''));
  // The preview may try the broken config before the server's check answers (its own parse error
  // shows then); the check's answer replaces it.
  await page.locator('.config-preview .preview-error', { hasText: 'Fix the errors' }).waitFor();
  await page.fill('textarea[name=label_config]', config);
  await page.locator('.config-preview[data-state=ready]').waitFor();
});

test('create the project from the named-entities starter', async () => {
  await page.getByRole('tab', { name: 'Natural Language Processing', exact: true }).click();
  await page.locator('.gallery-card[data-template="Named entities"]').click();
  await page.fill('input[name=title]', 'People and places');
  await page.getByText('The config is valid.').waitFor();
  await page.getByRole('button', { name: 'Create' }).click();
  await page.waitForURL(/\/projects\/\d+\/data$/);
  projectId = Number(/\/projects\/(\d+)\/data$/.exec(page.url())[1]);
  const project = await api('GET', `/api/projects/${projectId}`);
  assert.match(project.body.label_config, /<Label value="Organisation"/);
  const imported = await api('POST', `/api/projects/${projectId}/import`, TASKS);
  assert.equal(imported.status, 201);
});

test('the export dialog greys the formats that do not fit, with the reason, and downloads JSON', async () => {
  await page.goto(`${host.base}/projects/${projectId}/data`);
  await page.getByText(`${TASKS.length} tasks`, { exact: true }).waitFor();
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Export' });
  await dialog.locator('[data-format=JSON]').waitFor();
  const formats = (await api('GET', `/api/projects/${projectId}/export/formats`)).body;
  const disabled = formats.filter((f) => f.disabled);
  assert.ok(disabled.length > 0, 'a text project has image formats that do not fit');
  for (const f of formats) {
    const row = dialog.locator(`[data-format="${f.name}"]`);
    assert.equal(await row.locator('input[type=radio]').isDisabled(), f.disabled, f.name);
    if (f.disabled) assert.equal(await row.locator('.reason').innerText(), f.reason);
  }
  await dialog.locator('#format-JSON').check();
  const download = page.waitForEvent('download');
  await dialog.getByRole('link', { name: 'Export' }).click();
  const file = await download;
  assert.match(file.suggestedFilename(), new RegExp(`^project-${projectId}-at-.*\\.json$`));
  const exported = JSON.parse(fs.readFileSync(await file.path(), 'utf8'));
  assert.deepEqual(exported.map((t) => t.data.text).sort(), TASKS.map((t) => t.text).sort());
  await dialog.waitFor({ state: 'detached' });
});

test('the project settings page opens the same export dialog; Escape closes it', async () => {
  await page.goto(`${host.base}/projects/${projectId}/settings`);
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Export' });
  await dialog.locator('[data-format=JSON] input[type=radio]:checked').waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  await page.goto(`${host.base}/projects/${projectId}/data`);
  await page.getByText(`${TASKS.length} tasks`, { exact: true }).waitFor();
});

test('an exporter option shows under its format and goes into the download URL', async () => {
  const config = '<View><Image name="image" value="$image"/><RectangleLabels name="box" toName="image"><Label value="Car"/></RectangleLabels></View>';
  const made = await api('POST', '/api/projects', { title: 'Cars', label_config: config });
  assert.equal(made.status, 201);
  const id = made.body.id;
  await page.goto(`${host.base}/projects/${id}/settings`);
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Export' });
  await dialog.locator('#format-JSON').check();
  assert.equal(await dialog.locator('.format-options').count(), 0, 'JSON has no options');
  await dialog.locator('#format-COCO_WITH_IMAGES').check();
  const option = dialog.locator('input[name=option-archive_file_names]');
  assert.equal(await option.isChecked(), false);
  const link = dialog.getByRole('link', { name: 'Export' });
  assert.doesNotMatch(await link.getAttribute('href'), /options=/);
  await option.check();
  const href = await link.getAttribute('href');
  const url = new URL(href, host.base);
  assert.deepEqual(JSON.parse(url.searchParams.get('options')), { archive_file_names: true });
  assert.equal(url.searchParams.get('exportType'), 'COCO_WITH_IMAGES');
  // The host takes it: the download answers 200 with a zip.
  const answer = await page.evaluate(async (u) => { const r = await fetch(u); return { status: r.status, type: r.headers.get('content-type') }; }, href);
  assert.deepEqual(answer, { status: 200, type: 'application/zip' });
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
});

test('"Label all tasks" opens the labeling stream over /next within the tab: its filters and ordering', async () => {
  // The tab leaves out Kofi's task and orders by id, newest first: the stream starts at the
  // Harbour Trust's task, where /next without the tab would start at the first task.
  const views = (await api('GET', `/api/dm/views?project=${projectId}`)).body;
  const tab = views[0];
  const filtered = {
    ...tab.data,
    filters: { conjunction: 'and', items: [{ filter: 'filter:tasks:data.text', operator: 'not_contains', type: 'String', value: 'Kofi' }] },
    ordering: ['-tasks:id'],
  };
  assert.equal((await api('PATCH', `/api/dm/views/${tab.id}`, { project: projectId, data: filtered })).status, 200);
  await page.goto(`${host.base}/projects/${projectId}/data`);
  await page.getByText('2 tasks', { exact: true }).waitFor();
  const next = page.waitForRequest((r) => r.url().includes(`/api/projects/${projectId}/next`));
  await page.getByRole('link', { name: 'Label all tasks' }).click();
  await page.waitForURL(new RegExp(`/projects/${projectId}/data\\?labeling=1&view=${tab.id}$`));
  assert.match((await next).url(), new RegExp(`/next\\?view=${tab.id}$`));
  await page.locator('.annot-editor-page').getByText(TASKS[1].text, { exact: false }).first().waitFor();
  assert.equal(await page.locator('.annot-editor-page').getByText(TASKS[0].text, { exact: false }).count(), 0);

  // The tab back as it was for the tests that follow.
  assert.equal((await api('PATCH', `/api/dm/views/${tab.id}`, { project: projectId, data: tab.data })).status, 200);
});

test('"Label these" opens the stream over the selection', async () => {
  await page.goto(`${host.base}/projects/${projectId}/data`);
  await page.getByText(`${TASKS.length} tasks`, { exact: true }).waitFor();
  const ids = [];
  for (const t of [TASKS[0], TASKS[2]]) {
    const row = page.locator('.vt-row', { hasText: t.text });
    ids.push(Number(await row.getAttribute('data-task-id')));
    await row.locator('input[type=checkbox]').check();
  }
  await page.getByRole('link', { name: 'Label these (2)' }).click();
  await page.waitForURL(/labeling=1&selectedItems=/);
  const selected = JSON.parse(new URL(page.url()).searchParams.get('selectedItems'));
  assert.deepEqual({ ...selected, included: [...selected.included].sort((a, b) => a - b) },
    { all: false, included: ids.sort((a, b) => a - b) });

  // "All but these": the selection is sent as Label Studio's {all: true, excluded}.
  await page.goto(`${host.base}/projects/${projectId}/data`);
  await page.getByText(`${TASKS.length} tasks`, { exact: true }).waitFor();
  await page.getByRole('checkbox', { name: 'Select all tasks' }).check();
  const skip = page.locator('.vt-row', { hasText: TASKS[1].text });
  const skipId = Number(await skip.getAttribute('data-task-id'));
  await skip.locator('input[type=checkbox]').uncheck();
  await page.getByRole('link', { name: 'Label these (2)' }).click();
  await page.waitForURL(/labeling=1&selectedItems=/);
  assert.deepEqual(JSON.parse(new URL(page.url()).searchParams.get('selectedItems')), { all: true, excluded: [skipId] });
});

test('no console errors and no failed requests', () => {
  assert.deepEqual(browser.problems, []);
});
