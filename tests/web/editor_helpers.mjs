// Helpers of the editor browser tests: an account, a project with tasks and the page's own REST
// calls (its session cookie and CSRF header), so a test starts at the editor in a few requests.

// Signs up (or in) through Label Studio's JSON form routes; the page then holds the session.
export async function signUp(page, base, email, password = 'correct horse battery') {
  await page.goto(`${base}/user/login`);
  const status = await page.evaluate(async ([e, p]) => {
    const body = JSON.stringify({ email: e, password: p });
    const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
    let r = await fetch('/user/signup', { method: 'POST', headers, body });
    if (r.status === 400) r = await fetch('/user/login', { method: 'POST', headers, body });
    return r.status;
  }, [email, password]);
  if (status >= 300) throw new Error(`sign up of ${email} answered HTTP ${status}`);
}

// fetch from the page with its cookie and CSRF header; resolves to {status, body}.
export function call(page, method, url, body) {
  return page.evaluate(async ([m, u, b]) => {
    const token = (document.cookie.match(/(?:^|;\s*)csrftoken=([^;]*)/) || [])[1] || '';
    const init = { method: m, headers: { Accept: 'application/json', 'X-CSRFToken': decodeURIComponent(token) } };
    if (b !== undefined) { init.body = JSON.stringify(b); init.headers['Content-Type'] = 'application/json'; }
    const r = await fetch(u, init);
    const text = await r.text();
    let parsed = null;
    try { parsed = text ? JSON.parse(text) : null; } catch { parsed = text; }
    return { status: r.status, body: parsed };
  }, [method, url, body]);
}

// The body of an API answer that must be a success (an error naming `what` and the status otherwise).
export async function ok(promise, what = 'request') {
  const r = await promise;
  if (r.status >= 300) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

// A project with `config` and `tasks` (imported as JSON); resolves to {projectId, taskIds}.
export async function createProject(page, { title = 'Editor test', config, tasks, extra = {} }) {
  const project = await ok(call(page, 'POST', '/api/projects', { title, label_config: config, ...extra }), 'create project');
  await ok(call(page, 'POST', `/api/projects/${project.id}/import`, tasks), 'import');
  const listed = await ok(call(page, 'GET', `/api/tasks?project=${project.id}&page_size=1000`), 'list tasks');
  const taskIds = listed.tasks.map((t) => t.id).sort((a, b) => a - b);
  return { projectId: project.id, taskIds };
}

// Waits until the editor on the page has mounted every tag.
export async function editorReady(page) {
  await page.locator('.annot-editor[data-ready="true"]').waitFor();
}

// Imports one more task into the project; resolves to its id (the largest id after the import).
export async function addTask(page, projectId, data) {
  await ok(call(page, 'POST', `/api/projects/${projectId}/import`, [data]), 'import');
  const listed = await ok(call(page, 'GET', `/api/tasks?project=${projectId}&page_size=1000`), 'list tasks');
  return Math.max(...listed.tasks.map((t) => t.id));
}

// A mouse drag from `from` to `to` ({x, y} page coordinates) with intermediate moves, so the page
// sees a press, a move through the middle and a release as a hand would make them.
export async function mouseDrag(page, from, to) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 4 });
  await page.mouse.move(to.x, to.y, { steps: 4 });
  await page.mouse.up();
}

// Page coordinates of a point of the (first) image given in percent of its natural size
// (width × height), rounded to whole pixels as a mouse gives them, with the percent position that
// rounded point stands for (`px`, `py`), computed from the stage's place on the page and the zoom
// at that moment (the page may move the stage while labeling).
export async function imagePoint(page, width, height, xPct, yPct) {
  const p = await page.evaluate(([x, y]) => {
    const el = document.querySelector('.annot-image');
    const c = el.annotImage.toClient(x, y);
    const stage = el.querySelector('.annot-image-stage').getBoundingClientRect();
    return { ...c, left: stage.left, top: stage.top, scale: Number(el.dataset.zoom) };
  }, [xPct, yPct]);
  const x = Math.round(p.x);
  const y = Math.round(p.y);
  return { x, y, px: (x - p.left) / p.scale / width * 100, py: (y - p.top) / p.scale / height * 100 };
}
