// The text editor (plugins/text/ui) in real Chromium against the real host: NER spans made by mouse
// selection with word granularity (two overlapping, one by double-click), a click on a span
// selects its region, hiding a region stops drawing it, a classification choice, submit; the
// annotation fetched from the API has Label Studio's offsets and text. Then Paragraphs in the
// dialogue layout (a span across two phrases, written with string indices and offsets) beside a
// Table; notices for data a tag cannot show. Offsets in code points as Label Studio saves them:
// words after emoji and other astral characters labelled by mouse (Text and Paragraphs) are saved
// with Label Studio's offsets, and annotations posted with such offsets are drawn over the right
// words. Last the drawing without the CSS Custom Highlight API. Screenshots saved and checked not
// blank; no console errors or failed requests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { exitWhenBrowserTestsCannotRun, pixelDeviation, artifactsDir, startSession, stopSession } from './harness.mjs';
import { signUp, call, createProject, editorReady, mouseDrag } from './editor_helpers.mjs';

exitWhenBrowserTestsCannotRun();

let host;
let browser;
let page;

const NER_CONFIG = `<View>
  <Labels name="ner" toName="text">
    <Label value="Person" background="#e11d48"/>
    <Label value="Title" background="#2563eb"/>
    <Label value="Location" background="#16a34a"/>
  </Labels>
  <Text name="text" value="$text" granularity="word"/>
  <Choices name="sentiment" toName="text" choice="single">
    <Choice value="Positive"/>
    <Choice value="Negative"/>
  </Choices>
</View>`;
// An emoji (two UTF-16 units, one code point) before the names: offsets count it as one.
const NER_TEXT = '😀 President Barack Obama visited Paris in June.\nThe mayor met him.';

const DIALOGUE_CONFIG = `<View>
  <ParagraphLabels name="topic" toName="dialogue">
    <Label value="Greeting" background="#f59e0b"/>
    <Label value="Question" background="#7c3aed"/>
  </ParagraphLabels>
  <Paragraphs name="dialogue" value="$dialogue" layout="dialogue"/>
  <Table name="meta" value="$meta"/>
</View>`;
const DIALOGUE = [
  { author: 'Alice', text: 'Hello there, Bob.' },
  { author: 'Bob', text: 'Hi Alice! How are you today?' },
  { author: 'Alice', text: 'Fine, thanks.' },
];

before(async () => {
  ({ host, browser, page } = await startSession());
});

after(() => stopSession(host, browser));

const api = (method, url, body) => call(page, method, url, body);

async function screenshot(name) {
  const png = await page.screenshot({ fullPage: false });
  fs.writeFileSync(path.join(artifactsDir(), `${name}.png`), png);
  const deviation = await pixelDeviation(page, png);
  assert.ok(deviation > 8, `the ${name} screenshot looks blank (luminance deviation ${deviation.toFixed(2)})`);
}

// A project with the config and tasks; returns [projectId, taskIds].
async function makeProject(title, config, tasks) {
  const { projectId, taskIds } = await createProject(page, { title, config, tasks });
  return [projectId, taskIds];
}

// Viewport points just inside the first and last characters of [start, end) of a text node that
// `locate` (run in the page) returns; a drag between them selects exactly that span.
async function spanPoints(locate, start, end) {
  return page.evaluate(({ locate, start, end }) => {
    const node = new Function(`return (${locate})`)()();
    const r = document.createRange();
    r.setStart(node, start);
    r.setEnd(node, start + 1);
    const a = r.getClientRects()[0];
    r.setStart(node, end - 1);
    r.setEnd(node, end);
    const rects = r.getClientRects();
    const b = rects[rects.length - 1];
    return { x1: a.left + 1, y1: a.top + a.height / 2, x2: b.right - 1, y2: b.top + b.height / 2 };
  }, { locate: locate.toString(), start, end });
}

const drag = ({ x1, y1, x2, y2 }) => mouseDrag(page, { x: x1, y: y1 }, { x: x2, y: y2 });

// What the page draws: ranges per CSS highlight of this plugin (selection excluded) and chips.
const drawn = () => page.evaluate(() => {
  let ranges = 0;
  for (const [name, h] of CSS.highlights) if (name.startsWith('annot-text-') && !name.endsWith('-sel')) ranges += h.size;
  let selected = 0;
  for (const [name, h] of CSS.highlights) if (name.startsWith('annot-text-') && name.endsWith('-sel')) selected += h.size;
  return { ranges, selected, chips: document.querySelectorAll('.annot-text-chip').length };
});

// The code point offset of a string index, and a code point slice: what Label Studio (and Python)
// count.
const cpAt = (text, unit) => [...text.slice(0, unit)].length;
const cpSlice = (text, start, end) => [...text].slice(start, end).join('');

const textNode = () => document.querySelector('.annot-text[data-name="text"] .annot-text-body').firstChild;

test('sign up', async () => {
  await signUp(page, host.base, 'ner@example.com');
});

let nerTask;
let nerProject;
test('NER: overlapping spans by mouse selection snap to words; the API gets offsets and text', async () => {
  const [projectId, [taskId]] = await makeProject('NER', NER_CONFIG, [{ text: NER_TEXT }]);
  nerTask = taskId;
  nerProject = projectId;
  await page.goto(`${host.base}/projects/${projectId}/data?task=${taskId}`);
  await editorReady(page);
  await page.locator('.annot-text-body').waitFor();
  assert.equal(await page.locator('.annot-text-body').innerText(), NER_TEXT);

  // Person: a drag from inside "Barack" to inside "Obama" snaps to "Barack Obama".
  const barack = NER_TEXT.indexOf('Barack');
  const obama = NER_TEXT.indexOf('Obama');
  await page.locator('[data-control=ner] button[data-label=Person]').click();
  await drag(await spanPoints(textNode, barack + 2, obama + 3));
  await page.locator('.annot-text-chip', { hasText: 'Person' }).waitFor();

  // Title, overlapping it: "sident Bar" snaps to "President Barack".
  const president = NER_TEXT.indexOf('President');
  await page.locator('[data-control=ner] button[data-label=Title]').click();
  await drag(await spanPoints(textNode, president + 3, barack + 3));
  await page.locator('.annot-text-chip', { hasText: 'Title' }).waitFor();

  // Location by double-clicking a word.
  const paris = NER_TEXT.indexOf('Paris');
  await page.locator('[data-control=ner] button[data-label=Location]').click();
  const p = await spanPoints(textNode, paris + 1, paris + 3);
  await page.mouse.dblclick((p.x1 + p.x2) / 2, p.y1);
  await page.locator('.annot-text-chip', { hasText: 'Location' }).waitFor();
  assert.deepEqual(await drawn(), { ranges: 3, selected: 0, chips: 3 });
  await screenshot('editor-text-ner');

  // A click inside "Obama" (covered by Person only) selects the Person region.
  const o = await spanPoints(textNode, obama + 1, obama + 2);
  await page.mouse.click((o.x1 + o.x2) / 2, o.y1);
  await page.locator('.annot-text-chip.selected', { hasText: 'Person' }).waitFor();
  assert.equal((await drawn()).selected, 1);
  // Hidden regions are not drawn; showing it again draws it again.
  await page.keyboard.press('h');
  await page.waitForFunction(() => document.querySelectorAll('.annot-text-chip').length === 2);
  assert.equal((await drawn()).ranges, 2);
  await page.keyboard.press('h');
  await page.waitForFunction(() => document.querySelectorAll('.annot-text-chip').length === 3);
  // A click on plain text clears the selection.
  const the = await spanPoints(textNode, NER_TEXT.indexOf('mayor') + 1, NER_TEXT.indexOf('mayor') + 2);
  await page.mouse.click((the.x1 + the.x2) / 2, the.y1);
  await page.waitForFunction(() => !document.querySelector('.annot-text-chip.selected'));

  // The whole-text classification (core's Choices).
  await page.locator('[data-control=sentiment]').getByText('Positive').click();

  const saved = page.waitForResponse((r) => r.url().endsWith(`/api/tasks/${taskId}/annotations`) && r.request().method() === 'POST');
  await page.locator('button.annot-submit').click();
  assert.equal((await saved).status(), 201);

  const annotations = await api('GET', `/api/tasks/${taskId}/annotations`);
  assert.equal(annotations.status, 200);
  assert.equal(annotations.body.length, 1);
  const result = annotations.body[0].result;
  const spans = result.filter((r) => r.type === 'labels').map((r) => ({ from: r.from_name, to: r.to_name, ...r.value }));
  spans.sort((a, b) => a.start - b.start);
  const cp = (unit) => cpAt(NER_TEXT, unit);
  assert.deepEqual(spans, [
    { from: 'ner', to: 'text', start: cp(president), end: cp(barack + 6), text: 'President Barack', labels: ['Title'] },
    { from: 'ner', to: 'text', start: cp(barack), end: cp(obama + 5), text: 'Barack Obama', labels: ['Person'] },
    { from: 'ner', to: 'text', start: cp(paris), end: cp(paris + 5), text: 'Paris', labels: ['Location'] },
  ]);
  // Offsets in code points: the emoji counts one, as in Label Studio.
  assert.equal(cp(president), 2);
  for (const s of spans) assert.equal(cpSlice(NER_TEXT, s.start, s.end), s.text);
  const choice = result.find((r) => r.type === 'choices');
  assert.ok(choice, `no choices item in ${JSON.stringify(result)}`);
  assert.deepEqual(choice.value, { choices: ['Positive'] });
  assert.equal(choice.to_name, 'text');
  assert.equal(new Set(result.map((r) => r.id)).size, result.length);
});

test('NER: the saved annotation reloads with its spans drawn', async () => {
  await page.reload();
  await editorReady(page);
  await page.locator('.annot-text-body').waitFor();
  await page.waitForFunction(() => document.querySelectorAll('.annot-text-chip').length === 3);
  assert.equal((await drawn()).ranges, 3);
  assert.ok(nerTask);
});

test('Paragraphs: a span across two phrases of a dialogue; the Table shows key/value rows', async () => {
  const meta = { channel: 'support', turns: 3 };
  const [projectId, [taskId]] = await makeProject('Dialogue', DIALOGUE_CONFIG, [{ dialogue: DIALOGUE, meta }]);
  await page.goto(`${host.base}/projects/${projectId}/data?task=${taskId}`);
  await editorReady(page);
  await page.locator('.annot-paragraphs-list.dialogue .annot-paragraph').nth(2).waitFor();
  const rows = await page.locator('.annot-table tr').allInnerTexts();
  assert.deepEqual(rows.map((r) => r.split('\t').map((s) => s.trim())), [['channel', 'support'], ['turns', '3']]);

  // From "Bob." in phrase 0 to "Hi Alice" in phrase 1.
  const phrase = (i) => `() => document.querySelectorAll('.annot-paragraph-text')[${i}].firstChild`;
  const from = await spanPoints(phrase(0), DIALOGUE[0].text.indexOf('Bob'), DIALOGUE[0].text.indexOf('Bob') + 1);
  const to = await spanPoints(phrase(1), 7, 8);
  await page.locator('[data-control=topic] button[data-label=Greeting]').click();
  await drag({ x1: from.x1, y1: from.y1, x2: to.x2, y2: to.y2 });
  await page.locator('.annot-text-chip', { hasText: 'Greeting' }).waitFor();
  // One range per phrase it covers.
  assert.deepEqual(await drawn(), { ranges: 2, selected: 0, chips: 1 });
  await screenshot('editor-text-dialogue');

  const saved = page.waitForResponse((r) => r.url().endsWith(`/api/tasks/${taskId}/annotations`) && r.request().method() === 'POST');
  await page.locator('button.annot-submit').click();
  assert.equal((await saved).status(), 201);
  const annotations = await api('GET', `/api/tasks/${taskId}/annotations`);
  const [item] = annotations.body[0].result;
  assert.equal(item.type, 'paragraphlabels');
  assert.equal(item.to_name, 'dialogue');
  assert.deepEqual(item.value, {
    start: '0', end: '1', startOffset: DIALOGUE[0].text.indexOf('Bob'), endOffset: 8,
    text: 'Bob.\nHi Alice', paragraphlabels: ['Greeting'],
  });
});

test('data that cannot be shown gives a notice in place of the tag, never a blank page or an error', async () => {
  const config = `<View>
  <Text name="number" value="$n"/>
  <Paragraphs name="talk" value="$p"/>
  <Table name="grid" value="$tb"/>
</View>`;
  const [projectId, [taskId]] = await makeProject('Odd data', config, [{ n: 42, p: 'not a list of phrases', tb: 'plain' }]);
  await page.goto(`${host.base}/projects/${projectId}/data?task=${taskId}`);
  await editorReady(page);
  // A number is shown as its decimal text, as Label Studio counts its offsets.
  assert.equal(await page.locator('.annot-text[data-name="number"] .annot-text-body').innerText(), '42');
  await page.locator('.annot-paragraphs[data-name="talk"] [role=alert]', { hasText: 'not a list of phrases' }).waitFor();
  await page.locator('.annot-table-wrap[data-name="grid"] [role=alert]', { hasText: 'not a table' }).waitFor();
});

// Code points. Label Studio saves Alice here as {start: 5, end: 10}: 😀 counts one, not two.
const CP_CONFIG = `<View>
  <Labels name="ner" toName="text">
    <Label value="Person" background="#e11d48"/>
    <Label value="Org" background="#0891b2"/>
  </Labels>
  <Text name="text" value="$text" granularity="word"/>
</View>`;
const CP_TEXT = 'Hi 😀 Alice met 𝒳 Bob at Acme Corp today.\n👩‍👩‍👧 Zoë 🇫🇷 left.';
const CP_DIALOGUE = [
  { author: 'Ann', text: '😀 Hello 𝒳 there' },
  { author: 'Ben', text: 'Hi 👍 Ann, bye 🙂 now' },
];
const CP_DIALOGUE_CONFIG = `<View>
  <ParagraphLabels name="topic" toName="dialogue">
    <Label value="Greeting" background="#f59e0b"/>
    <Label value="Question" background="#7c3aed"/>
  </ParagraphLabels>
  <Paragraphs name="dialogue" value="$dialogue"/>
</View>`;

// The text of each drawn region, read through the outliner: a click on its row selects the region,
// whose ranges then form the selection highlight (joined with "\n" across phrases). Returns
// [{row: the outliner's text of the region, drawn}], in outliner order.
async function outlinerTexts() {
  const out = [];
  const rows = page.locator('.annot-outliner-row');
  const n = await rows.count();
  for (let i = 0; i < n; i += 1) {
    const row = rows.nth(i);
    await row.click();
    await page.waitForFunction((id) => {
      const on = document.querySelector(`.annot-outliner-row[data-region-id="${id}"]`)?.classList.contains('selected');
      const chip = document.querySelector(`.annot-text-chip.selected[data-region-id="${id}"]`);
      return on && chip && document.querySelectorAll('.annot-text-chip.selected').length === 1;
    }, await row.getAttribute('data-region-id'));
    const drawn = await page.evaluate(() => {
      const parts = [];
      for (const [name, h] of CSS.highlights) {
        if (!name.startsWith('annot-text-') || !name.endsWith('-sel')) continue;
        for (const r of h) {
          const live = document.createRange();
          live.setStart(r.startContainer, r.startOffset);
          live.setEnd(r.endContainer, r.endOffset);
          parts.push(live.toString());
        }
      }
      return parts.join('\n');
    });
    const text = row.locator('.annot-row-text');
    out.push({ row: (await text.count()) ? await text.textContent() : null, drawn });
  }
  await page.keyboard.press('Escape');
  return out;
}

// Submits the editor's annotation; resolves to it as GET /api/annotations/{id} returns it.
async function submitAndFetch(taskId) {
  const saved = page.waitForResponse((r) => r.url().endsWith(`/api/tasks/${taskId}/annotations`) && r.request().method() === 'POST');
  await page.locator('button.annot-submit').click();
  const response = await saved;
  assert.equal(response.status(), 201);
  const { id } = await response.json();
  const got = await api('GET', `/api/annotations/${id}`);
  assert.equal(got.status, 200);
  return got.body;
}

let cpProject;
let cpTasks;
test('code points: words after emoji and astral characters are saved with Label Studio\'s offsets', async () => {
  [cpProject, cpTasks] = await makeProject('Code points', CP_CONFIG, [{ text: CP_TEXT }, { text: CP_TEXT }]);
  const taskId = cpTasks[0];
  await page.goto(`${host.base}/projects/${cpProject}/data?task=${taskId}`);
  await editorReady(page);
  await page.locator('.annot-text-body').waitFor();
  assert.equal(await page.locator('.annot-text-body').innerText(), CP_TEXT);

  const label = (name) => page.locator(`[data-control=ner] button[data-label=${name}]`).click();
  const word = (w) => CP_TEXT.indexOf(w);
  // Alice after 😀; Bob after 𝒳; "Acme Corp" by a drag from inside one word to inside the next;
  // Zoë after a family emoji (three astral characters joined by two ZWJs) and before a flag.
  await label('Person');
  await drag(await spanPoints(textNode, word('Alice') + 1, word('Alice') + 3));
  await page.locator('.annot-text-chip', { hasText: 'Person' }).waitFor();
  await drag(await spanPoints(textNode, word('Bob'), word('Bob') + 3));
  await page.waitForFunction(() => document.querySelectorAll('.annot-text-chip').length === 2);
  await drag(await spanPoints(textNode, word('Zoë') + 1, word('Zoë') + 2));
  await page.waitForFunction(() => document.querySelectorAll('.annot-text-chip').length === 3);
  await label('Org');
  await drag(await spanPoints(textNode, word('Acme') + 2, word('Corp') + 2));
  await page.locator('.annot-text-chip', { hasText: 'Org' }).waitFor();
  assert.deepEqual(await drawn(), { ranges: 4, selected: 0, chips: 4 });

  const annotation = await submitAndFetch(taskId);
  const spans = annotation.result.map((r) => ({ from: r.from_name, to: r.to_name, type: r.type, ...r.value }));
  spans.sort((a, b) => a.start - b.start);
  // Label Studio's offsets, written out: code points, end exclusive.
  assert.deepEqual(spans, [
    { from: 'ner', to: 'text', type: 'labels', start: 5, end: 10, text: 'Alice', labels: ['Person'] },
    { from: 'ner', to: 'text', type: 'labels', start: 17, end: 20, text: 'Bob', labels: ['Person'] },
    { from: 'ner', to: 'text', type: 'labels', start: 24, end: 33, text: 'Acme Corp', labels: ['Org'] },
    { from: 'ner', to: 'text', type: 'labels', start: 47, end: 50, text: 'Zoë', labels: ['Person'] },
  ]);
  for (const s of spans) {
    assert.equal(s.start, cpAt(CP_TEXT, word(s.text)));
    assert.equal(cpSlice(CP_TEXT, s.start, s.end), s.text);
  }
  // Reloaded, each region is drawn over its own words again.
  await page.reload();
  await editorReady(page);
  await page.waitForFunction(() => document.querySelectorAll('.annot-text-chip').length === 4);
  const texts = await outlinerTexts();
  assert.deepEqual(texts.map((t) => t.drawn).sort(), ['Acme Corp', 'Alice', 'Bob', 'Zoë']);
  for (const t of texts) assert.equal(t.drawn, t.row);
});

test('code points: an annotation posted with Label Studio\'s offsets is drawn over the right words', async () => {
  const taskId = cpTasks[1];
  // Region ids as Label Studio writes them (the editor takes a result without one for no region).
  const span = (start, end, labels) => ({
    id: `cp${start}`, from_name: 'ner', to_name: 'text', type: 'labels',
    value: { start, end, text: cpSlice(CP_TEXT, start, end), labels },
  });
  // Read as UTF-16 indices these would cover " Alic", " 𝒳 B", "p tod" and half a family emoji.
  const result = [span(5, 10, ['Person']), span(15, 20, ['Person']), span(34, 39, ['Org']), span(41, 50, ['Org'])];
  assert.deepEqual(result.map((r) => r.value.text), ['Alice', '𝒳 Bob', 'today', '👩‍👩‍👧 Zoë']);
  const posted = await api('POST', `/api/tasks/${taskId}/annotations`, { result });
  assert.equal(posted.status, 201, JSON.stringify(posted.body));

  await page.goto(`${host.base}/projects/${cpProject}/data?task=${taskId}`);
  await editorReady(page);
  await page.waitForFunction(() => document.querySelectorAll('.annot-text-chip').length === 4);
  assert.equal((await drawn()).ranges, 4);
  const texts = await outlinerTexts();
  assert.deepEqual(texts.map((t) => t.drawn).sort(), ['Alice', 'today', '𝒳 Bob', '👩‍👩‍👧 Zoë'].sort());
  for (const t of texts) assert.equal(t.drawn, t.row);
});

test('code points: Paragraphs offsets within a phrase count astral characters as one', async () => {
  const [projectId, taskIds] = await makeProject('Code point dialogue', CP_DIALOGUE_CONFIG, [{ dialogue: CP_DIALOGUE }, { dialogue: CP_DIALOGUE }]);
  const [a, b] = CP_DIALOGUE.map((p) => p.text);
  await page.goto(`${host.base}/projects/${projectId}/data?task=${taskIds[0]}`);
  await editorReady(page);
  await page.locator('.annot-paragraph').nth(1).waitFor();
  const phrase = (i) => `() => document.querySelectorAll('.annot-paragraph-text')[${i}].firstChild`;

  // Across phrases: "there" (after 😀 and 𝒳) to "Ann" (after 👍); then "bye" within phrase 1.
  await page.locator('[data-control=topic] button[data-label=Greeting]').click();
  const from = await spanPoints(phrase(0), a.indexOf('there'), a.indexOf('there') + 1);
  const to = await spanPoints(phrase(1), b.indexOf('Ann') + 2, b.indexOf('Ann') + 3);
  await drag({ x1: from.x1, y1: from.y1, x2: to.x2, y2: to.y2 });
  await page.locator('.annot-text-chip', { hasText: 'Greeting' }).waitFor();
  await page.locator('[data-control=topic] button[data-label=Question]').click();
  await drag(await spanPoints(phrase(1), b.indexOf('bye'), b.indexOf('bye') + 3));
  await page.locator('.annot-text-chip', { hasText: 'Question' }).waitFor();

  const annotation = await submitAndFetch(taskIds[0]);
  const values = annotation.result.map((r) => r.value).sort((x, y) => Number(x.start) - Number(y.start));
  assert.deepEqual(values, [
    { start: '0', end: '1', startOffset: 10, endOffset: 8, text: 'there\nHi 👍 Ann', paragraphlabels: ['Greeting'] },
    { start: '1', end: '1', startOffset: 10, endOffset: 13, text: 'bye', paragraphlabels: ['Question'] },
  ]);
  assert.equal(values[0].startOffset, cpAt(a, a.indexOf('there')));
  assert.equal(values[0].endOffset, cpAt(b, b.indexOf('Ann') + 3));
  assert.equal(cpSlice(b, values[1].startOffset, values[1].endOffset), 'bye');

  // Posted with code point offsets, drawn over the right words (phrase indices unchanged).
  const region = (start, end, startOffset, endOffset, text, label) => ({
    id: `cp${start}-${startOffset}`, from_name: 'topic', to_name: 'dialogue', type: 'paragraphlabels',
    value: { start, end, startOffset, endOffset, text, paragraphlabels: [label] },
  });
  const result = [
    region('0', '0', 8, 15, '𝒳 there', 'Greeting'),
    region('1', '1', 16, 19, 'now', 'Question'),
    region('0', '1', 2, 4, 'Hello 𝒳 there\nHi 👍', 'Greeting'),
  ];
  assert.equal(cpSlice(a, 8, 15), '𝒳 there');
  assert.equal(cpSlice(b, 16, 19), 'now');
  const posted = await api('POST', `/api/tasks/${taskIds[1]}/annotations`, { result });
  assert.equal(posted.status, 201, JSON.stringify(posted.body));
  await page.goto(`${host.base}/projects/${projectId}/data?task=${taskIds[1]}`);
  await editorReady(page);
  await page.waitForFunction(() => document.querySelectorAll('.annot-text-chip').length === 3);
  assert.equal((await drawn()).ranges, 4);
  const texts = await outlinerTexts();
  assert.deepEqual(texts.map((t) => t.drawn).sort(), ['Hello 𝒳 there\nHi 👍', 'now', '𝒳 there'].sort());
  for (const t of texts) assert.equal(t.drawn, t.row);
});

test('without the CSS Custom Highlight API, spans are drawn as rectangles behind the text', async () => {
  // Last: the init script stays for every later navigation of this page.
  await page.addInitScript(() => {
    Object.defineProperty(CSS, 'highlights', { value: undefined, configurable: true });
    window.Highlight = undefined;
  });
  await page.goto(`${host.base}/projects/${nerProject}/data?task=${nerTask}`);
  await editorReady(page);
  await page.waitForFunction(() => document.querySelectorAll('.annot-text-chip').length === 3);
  assert.equal(await page.evaluate(() => CSS.highlights), undefined);
  // One rectangle per line box of each span (all three are on one line).
  await page.waitForFunction(() => document.querySelectorAll('.annot-text-rect').length === 3);
  const obama = NER_TEXT.indexOf('Obama');
  const o = await spanPoints(textNode, obama + 1, obama + 2);
  await page.mouse.click((o.x1 + o.x2) / 2, o.y1);
  await page.locator('.annot-text-rect.selected').waitFor();
  await page.locator('.annot-text-chip.selected', { hasText: 'Person' }).waitFor();
  assert.equal(await page.locator('.annot-text-rect.selected').count(), 1);
  await page.keyboard.press('Escape');
});

test('no console errors and no failed requests on any page', () => {
  assert.deepEqual(browser.problems, []);
});
