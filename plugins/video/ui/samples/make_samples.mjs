// Writes ball.webm, the video plugin's starter-config sample: 4 s of 320x180 VP8 at 25 fps, a red
// ball and a blue square crossing a grey floor, recorded by Chromium's own MediaRecorder from a
// canvas (no video tools needed). Run with the web build's node_modules:
//   NODE_PATH=<build>/web/npm/node_modules node make_samples.mjs
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(process.env.NODE_PATH ?? here, 'noop.js'));
const { chromium } = require('playwright-core');

const browser = await chromium.launch({
  executablePath: process.env.ANNOT_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required'],
});
const page = await browser.newPage();
const base64 = await page.evaluate(async () => {
  const canvas = document.createElement('canvas');
  canvas.width = 320;
  canvas.height = 180;
  document.body.appendChild(canvas);
  const ctx = canvas.getContext('2d');
  const fps = 25;
  const frames = 4 * fps;
  const draw = (i) => {
    const t = i / frames;
    ctx.fillStyle = '#9ecbff';
    ctx.fillRect(0, 0, 320, 120);
    ctx.fillStyle = '#8a8f98';
    ctx.fillRect(0, 120, 320, 60);
    ctx.fillStyle = '#e03131';
    ctx.beginPath();
    ctx.arc(20 + t * 280, 100 - Math.abs(Math.sin(t * Math.PI * 3)) * 60, 14, 0, 2 * Math.PI);
    ctx.fill();
    ctx.fillStyle = '#1971c2';
    ctx.fillRect(280 - t * 240, 130, 30, 30);
    ctx.fillStyle = '#000';
    ctx.font = '12px sans-serif';
    ctx.fillText(`frame ${i + 1}`, 8, 172);
  };
  draw(0);
  const stream = canvas.captureStream(0);
  const track = stream.getVideoTracks()[0];
  const recorder = new MediaRecorder(stream, { mimeType: 'video/webm;codecs=vp8', videoBitsPerSecond: 250_000 });
  const chunks = [];
  recorder.ondataavailable = (e) => { if (e.data.size) chunks.push(e.data); };
  const done = new Promise((resolve) => { recorder.onstop = resolve; });
  recorder.start();
  // One frame every 40 ms, each pushed explicitly so the file has exactly `frames` frames.
  for (let i = 0; i < frames; ++i) {
    draw(i);
    track.requestFrame();
    await new Promise((resolve) => setTimeout(resolve, 1000 / fps));
  }
  recorder.stop();
  await done;
  const bytes = new Uint8Array(await new Blob(chunks, { type: 'video/webm' }).arrayBuffer());
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
});
await browser.close();
fs.writeFileSync(path.join(here, 'ball.webm'), Buffer.from(base64, 'base64'));
console.log(`ball.webm: ${Buffer.from(base64, 'base64').length} bytes`);
