// The core plugin's controls in the real editor (real Chromium, real host): a classification project
// with nested Choices (hotkey, quick Filter), single-radio Choices, per-region Choices on a
// predicted span, TextArea (lines, edit, maxSubmissions), Rating (click, hotkey, undo/redo), Number
// inside a Collapse panel (out of range refused; a pending entry sent with ctrl+enter), two
// DateTimes (date only; strftime format), Taxonomy (tree, search), Ranker with buckets (drag and
// drop) and Pairwise. Each is filled, the annotation is submitted (the host refuses any result its
// validators reject), and the stored result equals what was entered. Then display tags and the
// other layouts on a second project. No console errors or failed requests; a non-blank screenshot.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { exitWhenBrowserTestsCannotRun, pixelDeviation, artifactsDir, startSession, stopSession } from './harness.mjs';

exitWhenBrowserTestsCannotRun();

const CONFIG = `<View>
  <Header value="$title"/>
  <Text name="text" value="$text"/>
  <Labels name="ner" toName="text"><Label value="Fruit name" background="#f5a623"/></Labels>
  <Filter toName="topic" minlength="2" placeholder="Filter topics"/>
  <Choices name="topic" toName="text" choice="multiple" allowNested="true">
    <Choice value="Fruit"><Choice value="Apple"/><Choice value="Pear"/></Choice>
    <Choice value="Vegetable" hotkey="v"/>
  </Choices>
  <Choices name="sentiment" toName="text" choice="single-radio" layout="inline" required="true">
    <Choice value="Positive" hotkey="p"/>
    <Choice value="Negative" alias="neg"/>
  </Choices>
  <Choices name="span_kind" toName="text" perRegion="true">
    <Choice value="Exact"/><Choice value="Fuzzy"/>
  </Choices>
  <TextArea name="comment" toName="text" rows="2" editable="true" maxSubmissions="2" placeholder="Comment"/>
  <Rating name="stars" toName="text" maxRating="5" hotkey="s"/>
  <Collapse>
    <Panel value="More details">
      <Number name="count" toName="text" min="1" max="10"/>
    </Panel>
  </Collapse>
  <DateTime name="day" toName="text" only="date"/>
  <DateTime name="at" toName="text" format="%d.%m.%Y %H:%M"/>
  <Taxonomy name="tax" toName="text">
    <Choice value="Animals"><Choice value="Cats"/><Choice value="Dogs"/></Choice>
    <Choice value="Plants"/>
  </Taxonomy>
  <List name="results" value="$items" title="Search results"/>
  <Ranker name="rank" toName="results">
    <Bucket name="best" title="Best results"/>
    <Bucket name="bad" title="Bad results"/>
  </Ranker>
  <Text name="left" value="$left"/>
  <Text name="right" value="$right"/>
  <Pairwise name="pw" toName="left,right"/>
</View>`;

const TEXT = 'Apples and pears are sold at the market.';
const TASK = {
  data: {
    title: 'Market report', text: TEXT, left: 'The first summary', right: 'The second summary',
    items: [{ id: 'blog', title: 'A blog post', body: 'Ten tips' }, { id: 'mdn', title: 'MDN', body: 'Reference' },
      { id: 'wiki', title: 'Wiki', body: 'Encyclopedia' }],
  },
  predictions: [{ model_version: 'm1', result: [{ id: 'span1', from_name: 'ner', to_name: 'text', type: 'labels',
    value: { start: 0, end: 6, text: 'Apples', labels: ['Fruit name'] } }] }],
};

let host;
let browser;
let page;
let projectId;
let taskId;

before(async () => {
  ({ host, browser, page } = await startSession());
});

after(() => stopSession(host, browser));

// A REST call made by the page (its session cookie and CSRF header).
const api = (method, url, body) => page.evaluate(async ([m, u, b]) => {
  const { request } = await import('/static/lib/api.js');
  return request(m, u, b === null ? {} : { body: b });
}, [method, url, body ?? null]);

const control = (name) => page.locator(`[data-control="${name}"]`);

test('sign up and create the project with one task carrying a predicted span', async () => {
  await page.goto(`${host.base}/user/signup`);
  await page.fill('input[name=email]', 'core@example.com');
  await page.fill('input[name=password]', 'correct horse battery');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.waitForURL(/\/projects$/);
  const project = await api('POST', '/api/projects', { title: 'Core controls', label_config: CONFIG });
  projectId = project.id;
  await api('POST', `/api/projects/${projectId}/import`, [TASK]);
  const tasks = await api('GET', `/api/tasks?project=${projectId}`);
  taskId = tasks.tasks[0].id;
  assert.ok(taskId);
});

test('the editor shows every core control', async () => {
  await page.goto(`${host.base}/projects/${projectId}/data?task=${taskId}`);
  await page.locator('.annot-editor[data-ready="true"]').waitFor();
  await page.getByRole('heading', { name: 'Market report' }).waitFor();
  for (const name of ['topic', 'sentiment', 'comment', 'stars', 'day', 'at', 'tax', 'rank', 'pw']) await control(name).waitFor();
  assert.equal(await page.locator('.annot-unsupported').filter({ hasText: /Choices|TextArea|Rating|DateTime|Taxonomy|Ranker|Pairwise|Collapse|Filter|Header|List/ }).count(), 0);
  // perRegion: hidden until a region is selected.
  assert.equal(await control('span_kind').count(), 0);
});

test('nested Choices: a child by click (after a quick filter), a top choice by hotkey', async () => {
  const filter = page.getByPlaceholder('Filter topics');
  await filter.fill('App');
  await control('topic').getByText('Vegetable').waitFor({ state: 'detached' });
  await control('topic').getByText('Apple').click();
  // cleanup: choosing clears the filter, every choice is back.
  await control('topic').getByText('Vegetable').waitFor();
  assert.equal(await filter.inputValue(), '');
  await page.locator('body').click({ position: { x: 2, y: 2 } });
  await page.keyboard.press('v');
  await control('topic').locator('label.ac-on', { hasText: 'Vegetable' }).waitFor();
});

test('single-radio Choices: click, then the hotkey replaces it', async () => {
  await control('sentiment').getByText('Negative').click();
  await control('sentiment').locator('label.ac-on', { hasText: 'Negative' }).waitFor();
  await page.keyboard.press('p');
  await control('sentiment').locator('label.ac-on', { hasText: 'Positive' }).waitFor();
  assert.equal(await control('sentiment').locator('label.ac-on').count(), 1);
});

test('per-region Choices on the predicted span', async () => {
  await page.locator('.annot-outliner-row').first().click();
  await control('span_kind').getByText('Fuzzy').click();
  await control('span_kind').locator('label.ac-on', { hasText: 'Fuzzy' }).waitFor();
  await page.keyboard.press('Escape');
  await control('span_kind').waitFor({ state: 'hidden' });
});

test('TextArea: two lines (Enter, then Add), the first edited, then no more input', async () => {
  const input = control('comment').getByRole('textbox', { name: 'comment', exact: true });
  await input.fill('First line');
  await input.press('Enter');
  await input.fill('Second line');
  await control('comment').getByRole('button', { name: 'Add to comment' }).click();
  await control('comment').locator('.ac-lines li').nth(1).waitFor();
  await control('comment').getByRole('textbox', { name: 'comment', exact: true }).waitFor({ state: 'detached' });
  const first = control('comment').getByRole('textbox', { name: 'Line 1 of comment' });
  await first.fill('First line, edited');
  await first.press('Enter');
  await page.waitForFunction(() => document.querySelector('[data-control="comment"] .ac-line-edit')?.value === 'First line, edited');
});

test('Rating: click, hotkey adds a star, undo and redo', async () => {
  await control('stars').getByRole('radio', { name: '3 of 5' }).click();
  await page.locator('[data-control="stars"][data-rating="3"]').waitFor();
  await page.locator('body').click({ position: { x: 2, y: 2 } });
  await page.keyboard.press('s');
  await page.locator('[data-control="stars"][data-rating="4"]').waitFor();
  await page.keyboard.press('Control+z');
  await page.locator('[data-control="stars"][data-rating="3"]').waitFor();
  await page.keyboard.press('Control+Shift+z');
  await page.locator('[data-control="stars"][data-rating="4"]').waitFor();
});

test('Number inside a Collapse panel: out of range is refused, in range kept', async () => {
  await page.getByRole('button', { name: 'More details' }).click();
  const input = control('count').locator('input');
  await input.fill('42');
  await input.press('Tab');
  await control('count').getByRole('alert').waitFor();
  assert.equal(await input.inputValue(), '42', 'the refused entry is still shown');
  await input.fill('7');   // left pending: ctrl+enter in the field sends it (the submit test)
});

test('DateTime: a date alone (ISO), and date + time written with strftime format', async () => {
  await control('day').getByLabel('day date').fill('2024-03-05');
  await page.locator('[data-control="day"][data-value="2024-03-05"]').waitFor();
  await control('at').getByLabel('at date').fill('2021-11-10');
  await control('at').getByLabel('at time').fill('09:17');
  await page.locator('[data-control="at"][data-value="10.11.2021 09:17"]').waitFor();
});

test('Taxonomy: a leaf from the tree, another item by search', async () => {
  await control('tax').locator('.ac-tax-open').click();
  await control('tax').getByRole('button', { name: 'Expand Animals' }).click();
  await control('tax').locator('.ac-tax-row', { hasText: 'Dogs' }).getByRole('checkbox').check();
  await control('tax').getByRole('searchbox').fill('plan');
  await control('tax').locator('.ac-tax-row', { hasText: 'Plants' }).getByRole('checkbox').check();
  await page.keyboard.press('Escape');
  await control('tax').locator('.ac-chip', { hasText: 'Dogs' }).waitFor();
  await control('tax').locator('.ac-chip', { hasText: 'Plants' }).waitFor();
});

test('Ranker: items dragged into the buckets', async () => {
  const item = (id) => control('rank').locator(`.ac-rank-item[data-id="${id}"]`);
  const column = (id) => control('rank').locator(`.ac-rank-column[data-column="${id}"]`);
  await item('mdn').dragTo(column('best'));
  await column('best').locator('.ac-rank-item[data-id="mdn"]').waitFor();
  await item('blog').dragTo(column('bad'));
  await column('bad').locator('.ac-rank-item[data-id="blog"]').waitFor();
  assert.equal(await column('_').locator('.ac-rank-item').count(), 1);
});

test('Pairwise: the right one', async () => {
  await control('pw').getByRole('button', { name: /Right/ }).click();
  await page.locator('[data-control="pw"][data-selected="right"]').waitFor();
});

test('submit: the stored result passed the host validators and equals what was entered', async () => {
  const png = await page.screenshot({ fullPage: true });
  fs.writeFileSync(path.join(artifactsDir(), 'editor-core.png'), png);
  const deviation = await pixelDeviation(page, png);
  assert.ok(deviation > 8, `the core editor screenshot looks blank (luminance deviation ${deviation.toFixed(2)})`);

  // ctrl+enter in the Number field: the pending 7 is committed and the annotation sent.
  await control('count').locator('input').press('Control+Enter');
  // The host refuses a result its validators reject (strict results), so a stored annotation passed them.
  let annotations = [];
  for (let i = 0; i < 100 && !annotations.length; ++i) {
    annotations = await api('GET', `/api/tasks/${taskId}/annotations`);
    if (!annotations.length) await page.waitForTimeout(100);
  }
  assert.equal(annotations.length, 1, 'no annotation was stored');
  const result = annotations[0].result;
  const by = (from, region = null) => result.filter((r) => r.from_name === from && (region === null || r.id === region));
  const value = (from) => {
    const items = by(from);
    assert.equal(items.length, 1, `${from}: ${JSON.stringify(items)}`);
    return items[0].value;
  };
  assert.deepEqual(value('topic'), { choices: [['Fruit', 'Apple'], ['Vegetable']] });
  assert.deepEqual(value('sentiment'), { choices: ['Positive'] });
  assert.deepEqual(value('comment'), { text: ['First line, edited', 'Second line'] });
  assert.deepEqual(value('stars'), { rating: 4 });
  assert.deepEqual(value('count'), { number: 7 });
  assert.deepEqual(value('day'), { datetime: '2024-03-05' });
  assert.deepEqual(value('at'), { datetime: '10.11.2021 09:17' });
  assert.deepEqual(value('tax'), { taxonomy: [['Animals', 'Dogs'], ['Plants']] });
  assert.deepEqual(value('rank'), { ranker: { best: ['mdn'], bad: ['blog'] } });
  assert.deepEqual(value('pw'), { selected: 'right' });
  for (const from of ['topic', 'sentiment', 'comment', 'stars', 'count', 'day', 'at', 'tax']) {
    const [item] = by(from);
    assert.equal(item.to_name, 'text', `${from} to_name`);
    assert.equal(item.type, { topic: 'choices', sentiment: 'choices', comment: 'textarea', stars: 'rating', count: 'number',
      day: 'datetime', at: 'datetime', tax: 'taxonomy' }[from]);
  }
  assert.equal(by('rank')[0].to_name, 'results');
  assert.equal(by('rank')[0].type, 'ranker');
  assert.ok(['pw', 'left'].includes(by('pw')[0].to_name), `pairwise to_name ${by('pw')[0].to_name}`);
  assert.equal(by('pw')[0].type, 'pairwise');
  // The per-region choice shares the span's id and repeats its geometry.
  const perRegion = by('span_kind');
  assert.equal(perRegion.length, 1);
  assert.equal(perRegion[0].id, 'span1');
  assert.equal(perRegion[0].type, 'choices');
  assert.deepEqual(perRegion[0].value, { start: 0, end: 6, text: 'Apples', choices: ['Fuzzy'] });
  assert.deepEqual(browser.problems, []);
});

test('reopened, the controls show the stored annotation', async () => {
  await page.reload();
  await page.locator('.annot-editor[data-ready="true"]').waitFor();
  await control('sentiment').locator('label.ac-on', { hasText: 'Positive' }).waitFor();
  await control('topic').locator('label.ac-on', { hasText: 'Apple' }).waitFor();
  await page.locator('[data-control="stars"][data-rating="4"]').waitFor();
  await page.locator('[data-control="at"][data-value="10.11.2021 09:17"]').waitFor();
  assert.equal(await control('at').getByLabel('at time').inputValue(), '09:17');
  await control('tax').locator('.ac-chip', { hasText: 'Dogs' }).waitFor();
  await control('rank').locator('.ac-rank-column[data-column="best"] .ac-rank-item[data-id="mdn"]').waitFor();
  await page.locator('[data-control="pw"][data-selected="right"]').waitFor();
  assert.equal(await control('comment').locator('.ac-lines li').count(), 2);
  assert.deepEqual(browser.problems, []);
});

// ---- A second project: display tags (Style, View, Header with $vars, Markdown, Dialog, PagedView)
// and the other layouts (select Choices, leafsOnly Taxonomy with maxUsages, heart Rating, month and
// year DateTime, a Ranker without buckets moved by keyboard).
const CONFIG2 = `<View>
  <Style>.annot-editor .ac-header.doc-title { letter-spacing: 3px; }</Style>
  <View style="display: flex; gap: 12px" className="doc-row">
    <Header value="Document $doc.id of $doc.source" size="2" style="color: rgb(10, 20, 30)"/>
  </View>
  <Markdown value="**Bold words** and &lt;script&gt;window.pwned = 1&lt;/script&gt;"/>
  <Dialog name="chat" value="$dialog"/>
  <Text name="text" value="$text"/>
  <Labels name="who" toName="text"><Label value="Person"/><Label value="Place"/><Label value="Planet"/></Labels>
  <Filter toName="who" minlength="2" placeholder="Filter labels"/>
  <Choices name="kind" toName="text" layout="select"><Choice value="One"/><Choice value="Two"/></Choices>
  <Taxonomy name="tax" toName="text" leafsOnly="true" showFullPath="true" pathSeparator=" &gt; " maxUsages="1">
    <Choice value="A"><Choice value="A1"/><Choice value="A2"/></Choice>
    <Choice value="B"/>
  </Taxonomy>
  <Rating name="love" toName="text" icon="heart" maxRating="3"/>
  <TextArea name="note" toName="text" placeholder="Note"/>
  <DateTime name="month" toName="text" only="month"/>
  <DateTime name="year" toName="text" only="year" format="%Y-%m-%d"/>
  <List name="items" value="$items" title="Items"/>
  <Ranker name="order" toName="items"/>
  <PagedView><Header value="Page A"/><Header value="Page B"/></PagedView>
</View>`;
const TASK2 = {
  data: {
    doc: { id: 42, source: 'the archive' }, text: 'A short text.', // The host types Dialog's value as a string: the lines as JSON text.
    dialog: JSON.stringify([{ name: 'Ann', text: 'Hello there' }, { name: 'Bob', text: 'Hi Ann' }]),
    items: [{ id: 'a', title: 'Alpha' }, { id: 'b', title: 'Beta' }, { id: 'c', title: 'Gamma' }],
  },
};
let project2;
let task2;

test('display tags: Style, View style, Header with $vars, Markdown (escaped), Dialog, PagedView', async () => {
  project2 = (await api('POST', '/api/projects', { title: 'Core display', label_config: CONFIG2 })).id;
  await api('POST', `/api/projects/${project2}/import`, [TASK2]);
  task2 = (await api('GET', `/api/tasks?project=${project2}`)).tasks[0].id;
  await page.goto(`${host.base}/projects/${project2}/data?task=${task2}`);
  await page.locator('.annot-editor[data-ready="true"]').waitFor();
  const header = page.getByRole('heading', { name: 'Document 42 of the archive', level: 2 });
  await header.waitFor();
  assert.equal(await header.evaluate((h) => getComputedStyle(h).color), 'rgb(10, 20, 30)');
  await header.evaluate((h) => h.classList.add('doc-title'));
  assert.equal(await header.evaluate((h) => getComputedStyle(h).letterSpacing), '3px');
  assert.equal(await page.locator('.ac-view.doc-row').evaluate((v) => getComputedStyle(v).display), 'flex');
  await page.locator('.ac-markdown strong', { hasText: 'Bold words' }).waitFor();
  assert.match(await page.locator('.ac-markdown').innerText(), /<script>window\.pwned = 1<\/script>/);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  await page.locator('.ac-dialog-line', { hasText: 'Hello there' }).waitFor();
  assert.equal(await page.locator('.ac-dialog-line').count(), 2);
  await page.getByRole('heading', { name: 'Page A' }).waitFor();
  assert.ok(!(await page.getByRole('heading', { name: 'Page B' }).isVisible()));
  await page.getByRole('button', { name: 'Next ›' }).click();
  await page.getByRole('heading', { name: 'Page B' }).waitFor();
  assert.ok(!(await page.getByRole('heading', { name: 'Page A' }).isVisible()));
});

test('Filter over a Labels bar the framework draws', async () => {
  const bar = page.locator('.annot-labels[data-control="who"]');
  await bar.getByRole('button', { name: /Person/ }).waitFor();
  await page.getByPlaceholder('Filter labels').fill('Pl');
  await bar.getByRole('button', { name: /Person/ }).waitFor({ state: 'hidden' });
  assert.ok(await bar.getByRole('button', { name: /Place/ }).isVisible());
  assert.ok(await bar.getByRole('button', { name: /Planet/ }).isVisible());
  await page.getByPlaceholder('Filter labels').fill('P');   // below minlength: everything again
  await bar.getByRole('button', { name: /Person/ }).waitFor();
});

test('other layouts: select Choices, leafsOnly Taxonomy, heart Rating, month/year DateTime, keyboard Ranker', async () => {
  await control('kind').locator('select').selectOption({ label: 'Two' });
  await control('tax').locator('.ac-tax-open').click();
  await control('tax').getByRole('button', { name: 'Expand A' }).click();
  assert.equal(await control('tax').locator('.ac-tax-row[data-path="A"] input').count(), 0, 'a parent is selectable with leafsOnly');
  await control('tax').locator('.ac-tax-row[data-path="A > A2"] input').check();
  assert.ok(await control('tax').locator('.ac-tax-row[data-path="B"] input').isDisabled(), 'maxUsages=1 lets a second item be picked');
  await page.keyboard.press('Escape');
  await control('tax').locator('.ac-chip', { hasText: 'A > A2' }).waitFor();
  await control('love').getByRole('radio', { name: '2 of 3' }).click();
  await control('month').getByLabel('month month').fill('2024-07');
  await page.locator('[data-control="month"][data-value="2024-07"]').waitFor();
  const year = control('year').getByLabel('year year');
  await year.fill('1999');
  await year.press('Tab');
  await page.locator('[data-control="year"][data-value="1999-01-01"]').waitFor();
  await control('order').locator('.ac-rank-item[data-id="a"]').focus();
  await page.keyboard.press('Alt+ArrowDown');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-control="order"] .ac-rank-item')].map((e) => e.dataset.id).join() === 'b,a,c');
  // Typed but not added with Enter: pressing Submit takes it along.
  await page.getByPlaceholder('Note').fill('A pending note');

  await page.locator('.annot-submit').click();
  let annotations = [];
  for (let i = 0; i < 100 && !annotations.length; ++i) {
    annotations = await api('GET', `/api/tasks/${task2}/annotations`);
    if (!annotations.length) await page.waitForTimeout(100);
  }
  assert.equal(annotations.length, 1, 'no annotation was stored');
  const value = (from) => annotations[0].result.find((r) => r.from_name === from)?.value;
  assert.deepEqual(value('kind'), { choices: ['Two'] });
  assert.deepEqual(value('tax'), { taxonomy: [['A', 'A2']] });
  assert.deepEqual(value('love'), { rating: 2 });
  assert.deepEqual(value('month'), { datetime: '2024-07' });
  assert.deepEqual(value('year'), { datetime: '1999-01-01' });
  assert.deepEqual(value('order'), { ranker: { order: ['b', 'a', 'c'] } });
  assert.deepEqual(value('note'), { text: ['A pending note'] });
  assert.equal(annotations[0].result.length, 7);
  assert.deepEqual(browser.problems, []);
});

test('strftime / strptime round trips and Markdown escaping (the modules the page loaded)', async () => {
  const out = await page.evaluate(async () => {
    const { strftime, strptime } = await import('/plugins/core/util.js');
    const { markdownToHtml } = await import('/plugins/core/layout.js');
    const p = { year: 2021, month: 11, day: 5, hour: 21, minute: 7, second: 9 };
    const formats = ['%Y-%m-%d', '%d.%m.%Y %H:%M', '%Y-%m-%dT%H:%M:%S', '%b %d %Y %I:%M %p', '%B %Y', '%j', '%y/%m/%d'];
    return {
      round: formats.map((f) => { const t = strftime(f, p); return [f, t, strptime(f, t)]; }),
      bad: strptime('%Y-%m-%d', '2021-1x-05'),
      md: markdownToHtml('# T\n- a *b*\n- [l](javascript:alert(1))\n\n<img src=x onerror=alert(1)>'),
    };
  });
  const [iso, dotted, full, us, monthName, yday, short] = out.round;
  assert.equal(iso[1], '2021-11-05');
  assert.equal(dotted[1], '05.11.2021 21:07');
  assert.equal(full[1], '2021-11-05T21:07:09');
  assert.equal(us[1], 'Nov 05 2021 09:07 PM');
  assert.equal(monthName[1], 'November 2021');
  assert.equal(yday[1], '309');
  assert.equal(short[1], '21/11/05');
  assert.deepEqual(full[2], { year: 2021, month: 11, day: 5, hour: 21, minute: 7, second: 9 });
  assert.deepEqual(us[2], { year: 2021, month: 11, day: 5, hour: 21, minute: 7 });
  assert.deepEqual(dotted[2], { year: 2021, month: 11, day: 5, hour: 21, minute: 7 });
  assert.equal(out.bad, null);
  assert.ok(!out.md.includes('<img'), out.md);
  assert.ok(!out.md.includes('href="javascript'), out.md);
  assert.match(out.md, /<h1>T<\/h1><ul><li>a <em>b<\/em><\/li>/);
});
