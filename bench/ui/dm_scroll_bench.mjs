// Benchmark (not a test; figures go to the issue note): the data manager on a large project.
// Imports N tasks (default 1,000,000) into a fresh host, opens the data manager in headless
// chromium, scrolls it by wheel and by jumps, and reports how long rows stayed blank (loading)
// and the requestAnimationFrame intervals while scrolling.
//   ANNOT_BIN=... ANNOT_WEB_NODE_MODULES=... node bench/ui/dm_scroll_bench.mjs [tasks]
import { skipReason, startHost, startBrowser } from '../../tests/web/harness.mjs';

const N = Number(process.argv[2] || 1_000_000);
const reason = skipReason();
if (reason) { console.log(`SKIP: ${reason}`); process.exit(77); }

const host = await startHost();
const browser = await startBrowser();
const { page } = browser;
try {
  await page.goto(`${host.base}/user/signup`);
  await page.fill('input[name=email]', 'bench@example.com');
  await page.fill('input[name=password]', 'bench password 1');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.waitForURL(/\/projects$/);

  const t0 = Date.now();
  const projectId = await page.evaluate(async (n) => {
    const csrf = document.cookie.match(/csrftoken=([^;]*)/)[1];
    const headers = { 'Content-Type': 'application/json', 'X-CSRFToken': csrf, Accept: 'application/json' };
    const p = await (await fetch('/api/projects', { method: 'POST', headers,
      body: JSON.stringify({ title: 'Big', label_config: '<View><Text name="text" value="$text"/></View>' }) })).json();
    const chunk = 200_000;
    for (let start = 0; start < n; start += chunk) {
      const tasks = [];
      for (let i = start; i < Math.min(n, start + chunk); ++i) tasks.push({ text: `task number ${i}`, n: i });
      const r = await fetch(`/api/projects/${p.id}/import`, { method: 'POST', headers, body: JSON.stringify(tasks) });
      if (!r.ok) throw new Error(`import: HTTP ${r.status} ${await r.text()}`);
    }
    return p.id;
  }, N);
  console.log(`imported ${N.toLocaleString()} tasks in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const t1 = Date.now();
  await page.goto(`${host.base}/projects/${projectId}/data`);
  await page.locator('.vt-row[data-task-id]').first().waitFor({ timeout: 60000 });
  console.log(`data manager: first rows after ${Date.now() - t1} ms`);

  // In the page: per frame, whether any visible row is still loading; blank spells and frame gaps.
  await page.evaluate(() => {
    const m = { spells: [], frames: [], blankSince: null, last: performance.now(), run: true };
    window.__bench = m;
    const tick = (now) => {
      m.frames.push(now - m.last);
      m.last = now;
      const blank = document.querySelector('.vt-row.loading') !== null;
      if (blank && m.blankSince === null) m.blankSince = now;
      if (!blank && m.blankSince !== null) { m.spells.push(now - m.blankSince); m.blankSince = null; }
      if (m.run) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const box = await page.locator('.vt').boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 150; ++i) { await page.mouse.wheel(0, 600); await page.waitForTimeout(16); }
  // Jumps: dragging the scrollbar to far places.
  for (const f of [0.1, 0.5, 0.9, 0.999, 0.3, 0.7, 0.0001, 1]) {
    await page.evaluate((frac) => { const el = document.querySelector('.vt'); el.scrollTop = frac * (el.scrollHeight - el.clientHeight); }, f);
    await page.waitForTimeout(400);
  }
  for (let i = 0; i < 100; ++i) { await page.mouse.wheel(0, -900); await page.waitForTimeout(16); }
  await page.waitForTimeout(500);
  const m = await page.evaluate(() => { window.__bench.run = false; return window.__bench; });
  const q = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : 0; };
  const lastRow = await page.evaluate(() => document.querySelector('.dm-count').textContent);
  console.log(`rows: ${lastRow}`);
  console.log(`blank spells: ${m.spells.length}, p50 ${q(m.spells, 0.5).toFixed(1)} ms, p95 ${q(m.spells, 0.95).toFixed(1)} ms, max ${Math.max(0, ...m.spells).toFixed(1)} ms`);
  console.log(`rAF intervals: ${m.frames.length} frames, p50 ${q(m.frames, 0.5).toFixed(1)} ms, p95 ${q(m.frames, 0.95).toFixed(1)} ms, max ${Math.max(...m.frames).toFixed(1)} ms`);
  const fetches = await page.evaluate(() => performance.getEntriesByType('resource')
    .filter((e) => e.name.includes('/api/tasks')).map((e) => e.duration));
  console.log(`GET /api/tasks (page of 100) as the page saw it: ${fetches.length} requests, p50 ${q(fetches, 0.5).toFixed(1)} ms, p95 ${q(fetches, 0.95).toFixed(1)} ms, max ${Math.max(0, ...fetches).toFixed(1)} ms`);
  if (browser.problems.length) console.log(`problems:\n  ${browser.problems.join('\n  ')}`);
} finally {
  await browser.close();
  await host.stop();
}
