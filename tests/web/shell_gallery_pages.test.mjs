// Every page of the shell, visited in real Chromium against the real host with a project holding
// tasks: no console errors, no failed requests; screenshots of the project list, the data manager
// and the create page (gallery and preview) saved as artefacts and checked not to be blank.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { exitWhenBrowserTestsCannotRun, pixelDeviation, artifactsDir, startSession, stopSession } from './harness.mjs';

exitWhenBrowserTestsCannotRun();

let host;
let browser;
let page;

before(async () => {
  ({ host, browser, page } = await startSession());
});

after(() => stopSession(host, browser));

async function screenshot(name) {
  const png = await page.screenshot({ fullPage: false });
  fs.writeFileSync(path.join(artifactsDir(), `${name}.png`), png);
  const deviation = await pixelDeviation(page, png);
  assert.ok(deviation > 8, `the ${name} screenshot looks blank (luminance deviation ${deviation.toFixed(2)})`);
}

test('every shell page renders without console errors or failed requests', async () => {
  // Signed out: the public pages.
  for (const [url, heading] of [['/user/login', 'Sign in'], ['/user/signup', 'Create your account']]) {
    await page.goto(`${host.base}${url}`);
    await page.getByRole('heading', { name: heading }).waitFor();
  }
  await page.fill('input[name=email]', 'pages@example.com');
  await page.fill('input[name=password]', 'correct horse battery');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.waitForURL(/\/projects$/);

  // A project made from a gallery starter, with tasks, through the page's own session.
  const projectId = await page.evaluate(async () => {
    const headers = { 'Content-Type': 'application/json', 'X-CSRFToken': document.cookie.match(/csrftoken=([^;]*)/)[1] };
    const { templates } = await (await fetch('/api/templates')).json();
    const t = templates.find((x) => x.title === 'Sentiment and topic');
    const p = await (await fetch('/api/projects', { method: 'POST', headers,
      body: JSON.stringify({ title: 'Reviews', label_config: t.config }) })).json();
    const tasks = Array.from({ length: 40 }, (_, i) => ({ review: `Review number ${i + 1}: ${i % 2 ? 'fine' : 'late'} delivery` }));
    const r = await fetch(`/api/projects/${p.id}/import`, { method: 'POST', headers, body: JSON.stringify(tasks) });
    if (r.status !== 201) throw new Error(`import: HTTP ${r.status}`);
    return p.id;
  });

  await page.goto(`${host.base}/projects`);
  await page.locator(`[data-project-id="${projectId}"]`).getByRole('heading', { name: 'Reviews' }).waitFor();
  await screenshot('pages-project-list');

  await page.goto(`${host.base}/projects/${projectId}/data`);
  await page.getByText('40 tasks', { exact: true }).waitFor();
  await page.getByText('Review number 1:', { exact: false }).first().waitFor();
  await screenshot('pages-data-manager');

  await page.goto(`${host.base}/projects/create`);
  await page.locator('.gallery-card').first().waitFor();
  await page.locator('.config-preview[data-state=ready]').waitFor();
  await screenshot('pages-create-project');

  for (const suffix of ['settings', 'import']) {
    await page.goto(`${host.base}/projects/${projectId}/${suffix}`);
    await page.locator('.project-tabs .tab.active').waitFor();
  }
  const first = await page.evaluate(async (id) => (await (await fetch(`/api/tasks?project=${id}&page_size=1`)).json()).tasks[0].id, projectId);
  await page.goto(`${host.base}/projects/${projectId}/data?task=${first}`);
  await page.getByText('Review number 1:', { exact: false }).first().waitFor();
  await page.goto(`${host.base}/projects/${projectId}`);
  await page.getByText('40 tasks', { exact: true }).waitFor();
  // An unknown page is a page too: the shell says so instead of going blank.
  await page.goto(`${host.base}/projects/${projectId}/no-such-page`);
  await page.locator('#app *').first().waitFor();
  assert.ok((await page.locator('#app').innerText()).trim().length > 0, 'the not-found page is blank');

  assert.deepEqual(browser.problems, []);
});
