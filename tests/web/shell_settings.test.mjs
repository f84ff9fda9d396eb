// The project settings page in real Chromium against the real host: every Label Studio setting the
// API stores (general, instructions, annotation) is saved on its own with PATCH and read back
// through GET /api/projects/{id}; the server's validation errors show next to their fields; the
// config editor has the create page's live preview, on a task of the project; a multi-line
// project-aware error is one message with its line breaks.
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
let projectId;
let taskId;
const CONFIG = `<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text">
    <Choice value="Positive"/>
    <Choice value="Negative"/>
  </Choices>
</View>`;
const TASK_TEXT = 'A task of this very project, shown in the preview';
const PATCH_URL = /\/api\/projects\/\d+$/;

before(async () => {
  ({ host, browser, page } = await startSession());
  await signUp(page, host.base, 'settings@example.com');
  ({ projectId, taskIds: [taskId] } = await createProject(page, { title: 'Settings test', config: CONFIG, tasks: [{ text: TASK_TEXT }] }));
});

after(() => stopSessionExpectingNoProblems(host, browser));

const project = () => ok(call(page, 'GET', `/api/projects/${projectId}`));

async function openSettings() {
  await page.goto(`${host.base}/projects/${projectId}/settings`);
  await page.locator('input[name=title]').waitFor();
}

// Each setting: how the page changes it, and the value the API then holds.
const SETTINGS = [
  ['title', () => page.fill('input[name=title]', 'Settings test (renamed)'), 'Settings test (renamed)'],
  ['description', () => page.fill('textarea[name=description]', 'Two lines\nof description'), 'Two lines\nof description'],
  ['color', () => page.fill('input[name=color]', '#3366cc'), '#3366CC'],
  ['expert_instruction', () => page.fill('textarea[name=expert_instruction]', '<p>Read the <b>whole</b> text first.</p>'),
    '<p>Read the <b>whole</b> text first.</p>'],
  ['show_instruction', () => page.locator('input[name=show_instruction]').check(), true],
  ['sampling', () => page.locator('input[name=sampling][value="Uniform sampling"]').check(), 'Uniform sampling'],
  ['sampling', () => page.locator('input[name=sampling][value="Uncertainty sampling"]').check(), 'Uncertainty sampling'],
  ['maximum_annotations', () => page.fill('input[name=maximum_annotations]', '3'), 3],
  ['overlap_cohort_percentage', () => page.fill('input[name=overlap_cohort_percentage]', '40'), 40],
  ['show_overlap_first', () => page.locator('input[name=show_overlap_first]').check(), true],
  ['show_ground_truth_first', () => page.locator('input[name=show_ground_truth_first]').check(), true],
  ['show_skip_button', () => page.locator('input[name=show_skip_button]').uncheck(), false],
  ['skip_queue', () => page.selectOption('select[name=skip_queue]', 'REQUEUE_FOR_ME'), 'REQUEUE_FOR_ME'],
  ['skip_queue', () => page.selectOption('select[name=skip_queue]', 'IGNORE_SKIPPED'), 'IGNORE_SKIPPED'],
];

test('the settings page starts from the project\'s values', async () => {
  const p = await project();
  await openSettings();
  assert.equal(await page.inputValue('input[name=title]'), p.title);
  assert.equal(await page.inputValue('input[name=maximum_annotations]'), String(p.maximum_annotations));
  assert.equal(await page.inputValue('input[name=overlap_cohort_percentage]'), String(p.overlap_cohort_percentage));
  assert.equal(await page.locator(`input[name=sampling][value="${p.sampling}"]`).isChecked(), true);
  assert.equal(await page.locator('input[name=show_skip_button]').isChecked(), p.show_skip_button);
  assert.equal(await page.inputValue('select[name=skip_queue]'), p.skip_queue);
  assert.equal((await page.inputValue('input[name=color]')).toLowerCase(), p.color.toLowerCase());
});

for (const [field, change, expected] of SETTINGS) {
  test(`${field} = ${JSON.stringify(expected)} is saved alone and read back`, async () => {
    await change();
    const request = page.waitForRequest((r) => r.method() === 'PATCH' && PATCH_URL.test(r.url()));
    await page.getByRole('button', { name: 'Save' }).click();
    assert.deepEqual((await request).postDataJSON(), { [field]: expected }, 'the PATCH sends what changed');
    await page.getByText('Saved.', { exact: true }).waitFor();
    assert.deepEqual((await project())[field], expected);
  });
}

test('a new visit shows the saved settings', async () => {
  await openSettings();
  assert.equal(await page.inputValue('input[name=title]'), 'Settings test (renamed)');
  assert.equal(await page.inputValue('textarea[name=expert_instruction]'), '<p>Read the <b>whole</b> text first.</p>');
  assert.equal(await page.locator('input[name=show_instruction]').isChecked(), true);
  assert.equal(await page.locator('input[name=sampling][value="Uncertainty sampling"]').isChecked(), true);
  assert.equal(await page.inputValue('input[name=maximum_annotations]'), '3');
  assert.equal(await page.inputValue('input[name=overlap_cohort_percentage]'), '40');
  assert.equal(await page.locator('input[name=show_overlap_first]').isChecked(), true);
  assert.equal(await page.locator('input[name=show_ground_truth_first]').isChecked(), true);
  assert.equal(await page.locator('input[name=show_skip_button]').isChecked(), false);
  assert.equal(await page.inputValue('select[name=skip_queue]'), 'IGNORE_SKIPPED');
  assert.equal(await page.inputValue('input[name=color]'), '#3366cc');
  fs.writeFileSync(path.join(artifactsDir(), 'project-settings.png'), await page.screenshot({ fullPage: true }));
});

test('the server\'s errors are shown next to their fields, and nothing is saved', async () => {
  const saved = await project();
  browser.expect(PATCH_URL, 400);
  await page.fill('input[name=title]', 'ab');
  await page.fill('input[name=maximum_annotations]', '0');
  await page.fill('input[name=overlap_cohort_percentage]', '150');
  await page.getByRole('button', { name: 'Save' }).click();
  const errorOf = (selector) => page.locator('label', { has: page.locator(selector) }).locator('.field-error');
  await errorOf('input[name=maximum_annotations]').waitFor();
  assert.equal(await errorOf('input[name=maximum_annotations]').innerText(), 'Ensure this value is greater than or equal to 1.');
  assert.equal(await errorOf('input[name=overlap_cohort_percentage]').innerText(), 'Ensure this value is less than or equal to 100.');
  assert.match(await errorOf('input[name=title]').innerText(), /at least 3 characters/);
  assert.equal(await page.locator('input[name=maximum_annotations]').getAttribute('aria-invalid'), 'true');
  await page.getByText(/^Not saved: 3 fields have errors/).waitFor();
  fs.writeFileSync(path.join(artifactsDir(), 'project-settings-errors.png'), await page.screenshot({ fullPage: true }));
  assert.equal(await page.locator('.field-error[role=alert]').count(), 3, 'no other field shows an error');
  const after = await project();
  for (const key of ['title', 'maximum_annotations', 'overlap_cohort_percentage']) assert.equal(after[key], saved[key]);

  // Editing a field clears its error; the corrected form is saved.
  await page.fill('input[name=maximum_annotations]', '2');
  await errorOf('input[name=maximum_annotations]').waitFor({ state: 'detached' });
  assert.equal(await errorOf('input[name=overlap_cohort_percentage]').count(), 1);
  await page.fill('input[name=title]', 'Settings test (fixed)');
  await page.fill('input[name=overlap_cohort_percentage]', '100');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Saved.', { exact: true }).waitFor();
  assert.equal(await page.locator('.field-error').count(), 0);
  const fixed = await project();
  assert.deepEqual([fixed.title, fixed.maximum_annotations, fixed.overlap_cohort_percentage], ['Settings test (fixed)', 2, 100]);
});

test('the config editor has the live preview, on a task of the project', async () => {
  await openSettings();
  const preview = page.getByTestId('config-preview');
  await preview.locator('.annot-editor[data-ready="true"]').waitFor();
  await preview.getByText(TASK_TEXT).waitFor();
  await preview.getByText('Positive').waitFor();
  // A change shows in the preview.
  const config = await page.inputValue('textarea[name=label_config]');
  await page.fill('textarea[name=label_config]', config.replace('<Choice value="Negative"/>', '<Choice value="Negative"/>\n    <Choice value="Mixed"/>'));
  await preview.getByText('Mixed').waitFor();
  await preview.getByText(TASK_TEXT).waitFor();
  fs.writeFileSync(path.join(artifactsDir(), 'project-settings-preview.png'), await page.screenshot());
  // A config in error says why there is no preview.
  browser.expect(/\/api\/projects\/validate\/?$/, 400);
  await page.fill('textarea[name=label_config]', config.replace('toName="text"', 'toName="nope"'));
  await page.locator('.config-preview .preview-error', { hasText: 'Fix the errors in the config' }).waitFor();
  assert.ok(await page.getByRole('button', { name: 'Save' }).isDisabled());
  await page.fill('textarea[name=label_config]', config);
  await preview.locator('.annot-editor[data-ready="true"]').waitFor();
});

test('a multi-line project-aware error is one message with its line breaks', async () => {
  await ok(call(page, 'POST', `/api/tasks/${taskId}/annotations`, {
    result: [{ from_name: 'sentiment', to_name: 'text', type: 'choices', value: { choices: ['Negative'] } }],
  }));
  await openSettings();
  const config = await page.inputValue('textarea[name=label_config]');
  await page.fill('textarea[name=label_config]', config.replace('<Choice value="Negative"/>', '<Choice value="Mixed"/>'));
  await page.getByText('The config is valid.').waitFor();
  browser.expect(/\/api\/projects\/\d+\/validate\/?$/, 400);
  await page.getByRole('button', { name: 'Save' }).click();
  const issue = page.locator('.issue.error');
  await issue.first().waitFor();
  assert.equal(await issue.count(), 1, `issues: ${await issue.allInnerTexts()}`);
  const message = issue.locator('.message');
  assert.equal(await message.innerText(),
    'These labels still exist in annotations or drafts:\nNegative (1 annotation)\nPlease add labels to tag with name="sentiment".');
  // Drawn on three lines, not run together.
  const lineHeight = await message.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight));
  assert.ok((await message.boundingBox()).height >= 2.5 * lineHeight, 'the message is not drawn on its own lines');
  await page.getByText(/^Not saved: the labeling config/).waitFor();
  await issue.scrollIntoViewIfNeeded();
  fs.writeFileSync(path.join(artifactsDir(), 'project-settings-config-error.png'), await page.screenshot());
  assert.match((await project()).label_config, /value="Negative"/, 'the config was saved anyway');
});
