// The browser-test harness: a real `annot serve` on 127.0.0.1 with a temporary data directory, and
// Debian's chromium driven by playwright-core with a fresh profile, recording every console error,
// page error and failed request so a test can assert there were none.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import zlib from 'node:zlib';

export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// Why the browser tests cannot run here, or null when they can.
export function skipReason() {
  const chromium = chromiumPath();
  if (!chromium) return 'no chromium (install Debian\'s chromium: scripts/install-deps.sh --test)';
  if (!process.env.ANNOT_BIN || !fs.existsSync(process.env.ANNOT_BIN)) return `no annot binary at ANNOT_BIN=${process.env.ANNOT_BIN}`;
  if (!loadPlaywright()) return `no playwright-core under ANNOT_WEB_NODE_MODULES=${process.env.ANNOT_WEB_NODE_MODULES} (the web build runs npm ci)`;
  return null;
}

// A browser test file's first step: when the tests cannot run here, says why and exits with the code
// ctest counts as skipped (77).
export function exitWhenBrowserTestsCannotRun() {
  const reason = skipReason();
  if (!reason) return;
  console.log(`SKIP: ${reason}`);
  process.exit(77);
}

export function chromiumPath() {
  for (const p of [process.env.ANNOT_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (p && fs.existsSync(p)) return p;
  }
  return null;
}

function loadPlaywright() {
  const dir = process.env.ANNOT_WEB_NODE_MODULES;
  if (!dir) return null;
  try {
    return createRequire(path.join(dir, 'noop.js'))('playwright-core');
  } catch {
    return null;
  }
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Starts `annot serve`; resolves once /health answers. stop() ends it with SIGTERM.
export async function startHost() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'annot-web-test-'));
  const port = await freePort();
  const log = fs.openSync(path.join(dir, 'annot.log'), 'w');
  const child = spawn(process.env.ANNOT_BIN, ['serve'], {
    env: { ...process.env, ANNOT_PORT: String(port), ANNOT_HOST: '127.0.0.1', ANNOT_DATA_DIR: path.join(dir, 'data') },
    stdio: ['ignore', log, log],
  });
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });
  // Whatever ends this process (a crash, a closed stdout), the host must not outlive it.
  const reap = () => { if (!exited) child.kill('SIGKILL'); };
  process.on('exit', reap);
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20000;
  for (;;) {
    if (exited) throw new Error(`annot serve exited early (${JSON.stringify(exited)}):\n${fs.readFileSync(path.join(dir, 'annot.log'), 'utf8')}`);
    try {
      const r = await fetch(`${base}/health`);
      if (r.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error('annot serve did not answer /health within 20 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    base, dir,
    log: () => fs.readFileSync(path.join(dir, 'annot.log'), 'utf8'),
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const until = Date.now() + 10000;
        while (!exited && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
        if (!exited) child.kill('SIGKILL');
      }
      process.off('exit', reap);
      fs.closeSync(log);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// A persistent context on a fresh profile directory (as the issue asks), and one page whose
// problems are collected in `problems` (console errors, uncaught errors, failed requests, HTTP
// errors). expect(predicate) lets a step declare an HTTP error it provokes on purpose.
// `options` are more of Playwright's context options (a timezoneId, say).
export async function startBrowser(options = {}) {
  const { chromium } = loadPlaywright();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'annot-chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(), headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1280, height: 800 }, ...options,
  });
  const page = context.pages()[0] ?? await context.newPage();
  const problems = [];
  const expected = [];
  const isExpected = (url, status) => expected.some((e) => e.url.test(url) && (e.status === undefined || e.status === status));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    // Chromium reports every HTTP error response as a console error; provoked ones are allowed.
    const url = msg.location()?.url ?? '';
    const status = Number(/status of (\d+)/.exec(msg.text())?.[1]);
    if (msg.text().startsWith('Failed to load resource') && isExpected(url, status)) return;
    problems.push(`console error: ${msg.text()} (${url})`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    // A fetch the page aborted on purpose (a superseded check, a page scrolled away) is not a failure.
    if (r.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${r.method()} ${r.url()}: ${r.failure()?.errorText}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !isExpected(r.url(), r.status())) problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  return {
    context, page, problems,
    expect(url, status) { expected.push({ url, status }); },
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

// The standard deviation of a PNG's pixel luminance, computed by the browser itself (decode the
// PNG into a canvas): a blank or single-colour screenshot gives ~0.
export async function pixelDeviation(page, png) {
  const dataUrl = `data:image/png;base64,${png.toString('base64')}`;
  return page.evaluate(async (src) => {
    const img = new Image();
    img.src = src;
    await img.decode();
    const canvas = new OffscreenCanvas(img.width, img.height);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const { data } = ctx.getImageData(0, 0, img.width, img.height);
    let sum = 0;
    let sq = 0;
    const n = data.length / 4;
    for (let i = 0; i < data.length; i += 4) {
      const y = 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
      sum += y;
      sq += y * y;
    }
    const mean = sum / n;
    return Math.sqrt(Math.max(0, sq / n - mean * mean));
  }, dataUrl);
}

export function artifactsDir() {
  const dir = process.env.ANNOT_ARTIFACTS_DIR || path.join(os.tmpdir(), 'annot-web-artifacts');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

// A PNG file (RGBA, 8 bits) of width x height whose pixels `pixel(x, y)` gives as [r, g, b, a]:
// test images made on the spot, so no fixture is copied into the repository.
export function makePng(width, height, pixel) {
  const crcTable = new Int32Array(256).map((_, n) => {
    let c = n;
    for (let k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c;
  });
  const crc32 = (buf) => {
    let c = -1;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ -1) >>> 0;
  };
  const chunk = (type, data) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'ascii');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);   // 8-bit RGBA, no interlace
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; ++y) {
    raw[y * (width * 4 + 1)] = 0;   // filter: none
    for (let x = 0; x < width; ++x) raw.set(pixel(x, y), y * (width * 4 + 1) + 1 + x * 4);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

// A test file's host and browser: started in its `before`, stopped in its `after` by stopSession
// (which prints the host's log when a test failed). The page waits `timeout` ms per step.
export async function startSession(timeout = 15000, browserOptions = {}) {
  const host = await startHost();
  let browser;
  try {
    browser = await startBrowser(browserOptions);
  } catch (e) {
    await host.stop();
    throw e;
  }
  browser.page.setDefaultTimeout(timeout);
  return { host, browser, page: browser.page };
}

export async function stopSession(host, browser) {
  await browser?.close();
  if (host && process.exitCode) console.log(`annot log:\n${host.log()}`);
  await host?.stop();
}

// stopSession, then a failure when the page logged a console error or a request failed (what the
// shell tests ask of every page they visit).
export async function stopSessionExpectingNoProblems(host, browser) {
  const problems = [...(browser?.problems ?? [])];
  await stopSession(host, browser);
  if (problems.length) throw new Error(`problems on the page:\n${problems.join('\n')}`);
}
