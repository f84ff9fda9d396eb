// The labeling editor page: /projects/{id}/data?task=N opens one task; ?labeling=1[&view=V] is the
// labeling stream over /api/projects/{id}/next[?view=V] (the host locks the task for this
// annotator; with a data-manager tab, within its filters and in its ordering);
// ?labeling=1&selectedItems={all, included|excluded}[&view=V] streams over the data manager's
// selection, in the tab's order. In a stream the annotator always gets an annotation of their own
// (a new one, their draft or their annotation), never another annotator's read only.
// The page owns the API side: annotation history, predictions, drafts, submit / update / skip.
import { useEffect, useRef } from 'preact/hooks';
import { useSignal, batch } from '@preact/signals';
import { html } from '../lib/html.js';
import { get, post, patch, del } from '../lib/api.js';
import { navigate } from '../lib/router.js';
import { loadUser } from '../lib/session.js';
import { Layout, ProjectTabs, ErrorBox } from '../components/layout.js';
import { mountEditor, preloadEditor } from '../ui-sdk/editor/index.js';
import { loadCatalog } from '../ui-sdk/editor/catalog.js';
import { safeHtml } from '../lib/safe-html.js';

const DRAFT_DELAY = 700;   // ms after the last change before the draft is saved
const SETTLE_WAIT = 10000; // ms a submit waits for draft requests still on their way

export function EditorPage({ projectId, taskId = null, labeling = false, selectedItems = null, viewId = null }) {
  const project = useSignal(null);
  const me = useSignal(null);
  const task = useSignal(null);
  const slot = useSignal(null);        // {kind: 'annotation'|'new'|'prediction', id?, from?}
  const error = useSignal(null);
  const done = useSignal(false);       // the stream has no more tasks
  const reloads = useSignal(0);
  // Bumped whenever a task is (re)loaded, so the editor is always mounted afresh on what was loaded
  // (after an Update the slot is the same; the stream may hand out the same task again).
  const generation = useSignal(0);
  // The draft savers of the shown task, one per slot ('new' or my annotation), kept across
  // history-tab switches: coming back shows what was last saved there and reuses its draft id.
  const savers = useRef(new Map());
  const show = (t, s) => batch(() => {
    if (task.peek()?.id !== t.id) savers.current.clear();
    task.value = t;
    slot.value = s;
    generation.value++;
  });

  // Project and user once; the task per URL / stream step.
  useEffect(() => {
    let live = true;
    const projectLoad = get(`/api/projects/${projectId}`);
    // The plugins' modules load while the task is on its way.
    projectLoad.then((p) => preloadEditor(p.label_config), () => {});
    Promise.all([projectLoad, loadUser()]).then(([p, u]) => {
      if (!live) return;
      project.value = p;
      me.value = u;
    }).catch((e) => { if (live) error.value = e; });
    return () => { live = false; };
  }, [projectId]);

  const selectionKey = selectedItems ? JSON.stringify(selectedItems) : '';
  useEffect(() => {
    let live = true;
    error.value = null;
    // The task, the user and the tag catalog load side by side: the editor waits for all three.
    loadCatalog().catch(() => {});
    const load = taskId !== null ? get(`/api/tasks/${encodeURIComponent(taskId)}`)
      : selectedItems ? loadUser().then((u) => nextSelected(projectId, selectedItems, u.id, viewId)) : nextInStream(projectId, viewId);
    performance.mark('annot:page-task-request');
    Promise.all([load, loadUser()]).then(([t, u]) => {
      if (!live) return;
      performance.mark('annot:page-task-loaded');
      if (!t) { done.value = true; task.value = null; return; }
      // A task of another project (an old link, an edited address) is labeled under its own
      // project's config, never this one's (the server would refuse the annotation anyway).
      if (t.project != null && Number(t.project) !== projectId) {
        navigate(`/projects/${t.project}/data?task=${t.id}`, { replace: true });
        return;
      }
      done.value = false;
      show(t, defaultSlot(t, u, labeling));
    }).catch((e) => { if (live) error.value = e; });
    return () => { live = false; };
  }, [projectId, taskId, labeling, selectionKey, viewId, reloads.value]);

  const t = task.value;
  document.title = t ? `Task ${t.id} · Annot` : 'Labeling · Annot';
  const crumbs = [['Projects', '/projects'], [project.value?.title ?? `Project #${projectId}`, `/projects/${projectId}/data`],
    [t ? `Task ${t.id}` : (labeling ? 'Labeling' : `Task ${taskId}`)]];
  const next = () => { reloads.value++; };
  return html`<${Layout} crumbs=${crumbs}>
    <${ProjectTabs} projectId=${projectId} current="data" />
    <${ErrorBox} error=${error.value} />
    ${done.value ? html`<div class="card notice" role="status"><h2>No more tasks to label</h2>
      <p>Every task of this stream is labeled or taken by another annotator.</p>
      <p><a class="button" href=${`/projects/${projectId}/data`}>Back to the data manager</a></p></div>` : null}
    <${Instructions} project=${project.value} />
    ${t && project.value && me.value && slot.value ? html`
      <${History} task=${t} me=${me.value} slot=${slot} newDraft=${() => saverFor(savers.current, t, me.value, null).result} />
      <${EditorHost} key=${`${t.id}:${slotKey(slot.value)}:${generation.value}`} project=${project.value} task=${t} me=${me.value}
        slot=${slot.value} labeling=${labeling} savers=${savers.current}
        onSaved=${(annotation) => {
          if (labeling) { next(); return; }
          // Stay on the task, showing what was saved.
          get(`/api/tasks/${t.id}`).then((fresh) => {
            show(fresh, annotation ? { kind: 'annotation', id: annotation.id } : defaultSlot(fresh, me.value, false));
          }).catch((e) => { error.value = e; });
        }} />` : null}
    ${!t && !done.value && !error.value ? html`<div class="card" role="status">Loading the task…</div>` : null}
  <//>`;
}

// The project's labeling instructions (expert_instruction, HTML), open above the task when the
// project says to show them (show_instruction), folded otherwise, as Label Studio offers them.
function Instructions({ project }) {
  const text = project?.expert_instruction;
  if (!text || !String(text).trim()) return null;
  return html`<details class="card annot-instructions" open=${project.show_instruction === true}>
    <summary>Instructions</summary>
    <div class="annot-instructions-body" dangerouslySetInnerHTML=${{ __html: safeHtml(text) }}></div>
  </details>`;
}

// A draft's user is str(user), the email, as Label Studio's AnnotationDraftSerializer gives it.
function isMine(draft, me) { return draft.user === me.email; }

function slotKey(s) { return `${s.kind}:${s.id ?? ''}:${s.from ?? ''}`; }

// What a task opens on: my draft of a new annotation, else my latest annotation, else (a task
// opened on its own, to look at) the latest one, else a new annotation (pre-filled from the first
// prediction). In the labeling stream the annotator is there to label: like Label Studio's
// lsf-sdk.js (setAnnotation -> createAnnotation), another annotator's work is never the default.
function defaultSlot(t, me, labeling) {
  const myId = me.id;
  const drafts = (t.drafts ?? []).filter((d) => isMine(d, me));
  if (drafts.some((d) => !d.annotation)) return { kind: 'new' };
  const anns = t.annotations ?? [];
  const mine = anns.filter((a) => a.completed_by === myId && !a.was_cancelled);
  if (mine.length) return { kind: 'annotation', id: mine[mine.length - 1].id };
  if (!labeling && anns.length && !anns.some((a) => a.completed_by === myId)) return { kind: 'annotation', id: anns[anns.length - 1].id };
  return { kind: 'new' };
}

async function nextInStream(projectId, viewId = null) {
  try {
    return await get(`/api/projects/${projectId}/next${viewId !== null ? `?view=${viewId}` : ''}`);
  } catch (e) {
    if (e.status === 404) return null;
    throw e;
  }
}

// "Label these": the first task of the data manager's selection that I have not annotated yet, in
// the table's order. The selection goes to GET /api/tasks as Label Studio's selectedItems, with the
// tab (its filters and ordering) when it came along, so the host hands the pages out in the tab's
// order; their `annotators` column says which tasks are done, so a large selection costs one page
// per 100 done tasks, not one request per task.
async function nextSelected(projectId, selected, myId, viewId = null) {
  const query = encodeURIComponent(JSON.stringify({ selectedItems: selected }));
  for (let page = 1; ; ++page) {
    let r;
    try {
      r = await get(`/api/tasks?project=${projectId}${viewId !== null ? `&view=${viewId}` : ''}&page=${page}&page_size=100&fields=task_only&query=${query}`);
    } catch (e) {
      if (e.status === 404) return null;   // past the last page
      throw e;
    }
    for (const x of r.tasks ?? []) {
      if (!(x.annotators ?? []).includes(myId)) return get(`/api/tasks/${x.id}`);
    }
    if (!r.tasks?.length || page * 100 >= r.total) return null;
  }
}

// `newDraft`: the result of my draft of a new annotation, if any (what a copied prediction replaces).
function History({ task, me, slot, newDraft = null }) {
  const anns = task.annotations ?? [];
  const preds = task.predictions ?? [];
  const cur = slot.value;
  const tab = (active, label, onClick, extra = '') => html`<button type="button" role="tab" aria-selected=${active}
    class=${`annot-history-tab${active ? ' active' : ''}${extra}`} onClick=${onClick}>${label}</button>`;
  return html`<div class="annot-history" role="tablist" aria-label="Annotations of this task">
    ${anns.map((a) => tab(cur.kind === 'annotation' && cur.id === a.id,
      `#${a.id} ${a.completed_by === me.id ? 'mine' : (a.created_username || `user ${a.completed_by ?? '?'}`)}${a.was_cancelled ? ' (skipped)' : ''}`,
      () => { slot.value = { kind: 'annotation', id: a.id }; }))}
    ${preds.map((p) => tab(cur.kind === 'prediction' && cur.id === p.id,
      `Prediction${p.model_version ? ` ${p.model_version}` : ''}${typeof p.score === 'number' ? ` (${p.score.toFixed(2)})` : ''}`,
      () => { slot.value = { kind: 'prediction', id: p.id }; }, ' prediction'))}
    ${tab(cur.kind === 'new', cur.from ? 'New (from prediction)' : '+ New annotation', () => { slot.value = { kind: 'new' }; }, ' new')}
    ${cur.kind === 'prediction' ? html`<button type="button" class="annot-copy-prediction"
      onClick=${() => {
        // The copy becomes the new annotation's draft: one with work in it is not replaced unasked.
        const draft = newDraft?.();
        if (draft?.length && !window.confirm('Replace your draft of the new annotation with this prediction?')) return;
        slot.value = { kind: 'new', from: cur.id };
      }}>Copy into a new annotation</button>` : null}
  </div>`;
}

// One mounted editor for one (task, annotation slot); drafts are saved here.
function EditorHost({ project, task, me, slot, labeling, savers, onSaved }) {
  const ref = useRef(null);
  const draftStatus = useSignal('');
  const error = useSignal(null);
  useEffect(() => {
    const annotation = slot.kind === 'annotation' ? (task.annotations ?? []).find((a) => a.id === slot.id) : null;
    const prediction = slot.kind === 'prediction' ? (task.predictions ?? []).find((p) => p.id === slot.id) : null;
    const fromPrediction = slot.kind === 'new' && slot.from ? (task.predictions ?? []).find((p) => p.id === slot.from) : null;
    const mine = annotation ? annotation.completed_by === me.id : slot.kind === 'new';
    const readOnly = slot.kind === 'prediction' || !mine;
    // This slot's saver (a copied prediction goes into the same "new" draft); what it holds wins
    // over the annotation, except when a prediction is being copied.
    const drafts = readOnly ? null : saverFor(savers, task, me, annotation?.id ?? null);
    const draft = drafts?.result && !slot.from ? { result: drafts.result } : null;
    if (draft) draftStatus.value = drafts.unsent ? 'Unsaved changes restored' : 'Draft restored';
    const predictionsToLoad = prediction ? [prediction] : fromPrediction ? [fromPrediction]
      : slot.kind === 'new' && !(task.annotations ?? []).length ? (task.predictions ?? []) : [];
    const parentPrediction = prediction?.id ?? fromPrediction?.id ?? (slot.kind === 'new' && predictionsToLoad[0]?.id) ?? undefined;
    // Resolves to true once saved (the editor stays locked until it is replaced); on a failure the
    // change goes back to the draft saver and the error is shown.
    const finish = async (body, saved) => {
      error.value = null;
      try {
        await drafts.settle();
        const answer = await body();
        drafts.forget();
        onSaved(saved ? answer : null);
        return true;
      } catch (e) {
        drafts.resume();
        error.value = e;
        return false;
      }
    };
    // A lost session must not send the page away from unsaved work: SaveError says to sign in again.
    const opts = { redirectOn401: false };
    // A task imported with allow_skip: false cannot be skipped (the server refuses it too).
    const showSkip = project.show_skip_button !== false && task.allow_skip !== false;
    const editor = mountEditor(ref.current, {
      config: project.label_config,
      task: { id: task.id, data: task.data ?? {} },
      annotation: prediction ? null : annotation,
      predictions: predictionsToLoad,
      draft,
      readOnly,
      onSubmit: !readOnly && !annotation ? ({ result, lead_time }) => finish(() => post(`/api/tasks/${task.id}/annotations`, {
        result, lead_time, ...(drafts.id ? { draft_id: drafts.id } : {}),
        ...(parentPrediction ? { parent_prediction: parentPrediction } : {}),
      }, opts), true) : undefined,
      onUpdate: !readOnly && annotation ? ({ result, lead_time }) => finish(async () => {
        const url = `/api/annotations/${annotation.id}`;
        const body = { result, lead_time: (annotation.lead_time ?? 0) + lead_time };
        // If-Match: an update made elsewhere since this page loaded (another tab, a script) is not silently
        // replaced; the user chooses. Declining keeps this version here and in the draft.
        let saved;
        try {
          saved = await patch(url, body, annotation.updated_at ? { ...opts, headers: { 'If-Match': `"${annotation.updated_at}"` } } : opts);
        } catch (e) {
          if (e.status !== 412) throw e;
          if (!window.confirm('This annotation was changed elsewhere after you opened it. Replace that version with yours? ' +
            'Cancel keeps your changes here; reload the page to see the other version.')) throw e;
          saved = await patch(url, body, opts);
        }
        if (drafts.id) await del(`/api/drafts/${drafts.id}`, opts).catch(() => {});
        return saved;
      }, true) : undefined,
      onSkip: !readOnly && !annotation && showSkip ? ({ result, lead_time }) => finish(() => post(`/api/tasks/${task.id}/annotations`, {
        result, lead_time, was_cancelled: true, ...(drafts.id ? { draft_id: drafts.id } : {}),
      }, opts), false) : undefined,
      onChange: readOnly ? undefined : () => drafts.schedule(),
      toolbarExtra: () => (draftStatus.value ? html`<span class="annot-draft-status" role="status">${draftStatus.value}</span>` : null),
    });
    drafts?.attach(editor, draftStatus);
    // Changes restored from this browser go to the server as the draft.
    if (draft && drafts.unsent) editor.ready.then(() => drafts.schedule(), () => {});
    const flush = () => drafts?.flushOnUnload();
    window.addEventListener('pagehide', flush);
    return () => {
      window.removeEventListener('pagehide', flush);
      drafts?.detach(editor);
      editor.destroy();
    };
  }, []);
  return html`<div>
    <${SaveError} error=${error.value} />
    <div ref=${ref} class="annot-editor-page" data-labeling=${labeling ? 'stream' : 'task'}></div>
  </div>`;
}

// Why a submit / update / skip failed. A lost session must not send the page away from unsaved
// work (the login page would drop it): the user signs in again in another tab and submits again.
function SaveError({ error }) {
  if (error?.status !== 401) return html`<${ErrorBox} error=${error} />`;
  const next = encodeURIComponent(window.location.pathname + window.location.search);
  const text = ['Your session has ended: nothing was saved on the server. Your changes are kept in this browser. ',
    ' (a new tab), then submit again.'];
  return html`<div class="error-box" role="alert">${text[0]}<a href=${`/user/login?next=${next}`} target="_blank" rel="noopener">Sign in again</a>${text[1]}</div>`;
}

// The saver of one slot of the task ('new' when annotationId is null), from `savers` unless the
// one there was used up by a submit / update.
function saverFor(savers, task, me, annotationId) {
  const key = `${task.id}:${annotationId ?? 'new'}`;
  let saver = savers.get(key);
  if (!saver || saver.forgotten) {
    const draft = (task.drafts ?? []).find((d) => isMine(d, me) && (annotationId ? d.annotation === annotationId : !d.annotation));
    saver = new DraftSaver(task.id, annotationId, draft ?? null, `annot:unsaved:${me.id}:${key}`);
    savers.set(key, saver);
  }
  return saver;
}

// JSON with sorted keys: the server may store a result with its keys in another order.
function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

// Saves the editor's result as the annotator's draft a moment after the last change: the first
// save creates it (POST), later ones PATCH it; one request at a time, in order, so the latest state
// wins. It outlives its editor (history-tab switches): the last change is sent when the editor goes.
// A change the server did not get (a failed save, a lost session, no network) is kept in this
// browser's localStorage under `stashKey` and restored the next time the slot is shown.
class DraftSaver {
  constructor(taskId, annotationId, draft, stashKey) {
    this.taskId = taskId;
    this.annotationId = annotationId;
    this.id = draft?.id ?? null;
    this.result = draft?.result ?? null;   // what the draft holds or is about to: restored on remount
    this.stashKey = stashKey;
    this.timer = null;
    this.inflight = null;    // the chain of draft requests
    this.editor = null;
    this.status = null;
    this.dirty = false;      // the editor changed since the last snapshot
    this.held = null;        // a snapshot not sent yet
    this.latest = null;      // the newest snapshot taken, until the server has it
    this.paused = false;     // a submit is on its way: nothing is sent meanwhile
    this.forgotten = false;  // submitted: the draft is gone
    this.unsent = false;     // `result` came from the stash, not from the server
    const stash = readStash(stashKey);
    if (stash && canonical(stash.result) !== canonical(this.result)) {
      this.result = stash.result;
      this.unsent = true;
    } else if (stash) {
      dropStash(stashKey);
    }
  }

  attach(editor, status) { this.editor = editor; this.status = status; }

  // The editor goes (another tab, another task): its last change is read now and sent.
  detach(editor) {
    if (this.editor !== editor) return;
    this.save();
    this.editor = null;
    this.status = null;
  }

  schedule() {
    if (this.forgotten || !this.editor) return;
    this.dirty = true;
    clearTimeout(this.timer);
    this.timer = this.paused ? null : setTimeout(() => this.save(), DRAFT_DELAY);
  }

  // Takes the editor's state if it changed, and sends what is held unless a submit is on its way.
  save() {
    clearTimeout(this.timer);
    this.timer = null;
    if (this.forgotten) return;
    this.snapshot();
    if (!this.held || this.paused) return;
    const body = this.held;
    this.held = null;
    const run = (this.inflight ?? Promise.resolve()).then(() => this.send(body));
    this.inflight = run;
    run.then(() => { if (this.inflight === run) this.inflight = null; });
  }

  // Takes the editor's state if it changed since the last snapshot.
  snapshot() {
    if (!this.dirty || !this.editor?.store) return;
    this.held = { result: this.editor.getResult(), lead_time: this.editor.leadTime() };
    this.latest = this.held;
    this.result = this.held.result;
    this.dirty = false;
  }

  // Never rejects (the chain goes on).
  async send(body) {
    if (this.forgotten) return;
    const opts = { redirectOn401: false };
    try {
      if (this.id) {
        await patch(`/api/drafts/${this.id}`, body, opts);
      } else {
        const url = this.annotationId ? `/api/tasks/${this.taskId}/annotations/${this.annotationId}/drafts`
          : `/api/tasks/${this.taskId}/drafts`;
        const d = await post(url, body, opts);
        this.id = d.id;
      }
      if (this.latest === body) {
        this.latest = null;
        this.unsent = false;
        dropStash(this.stashKey);
      }
      this.setStatus(`Draft saved ${new Date().toLocaleTimeString()}`);
    } catch (e) {
      // Only the newest snapshot goes to the stash: an older request failing (one cut off by a
      // reload) must not put its older result over the newer one kept there.
      if (this.latest === body || !readStash(this.stashKey)) writeStash(this.stashKey, this.latest ?? body);
      this.setStatus(`Draft not saved: ${e.message}`);
    }
  }

  setStatus(text) { if (this.status) this.status.value = text; }

  // Before submit: no timer left, the draft requests finished (the id goes into draft_id). Changes
  // stay pending: a failed submit sends them as the draft (resume).
  // A draft request that never answers does not hold the submit back past SETTLE_WAIT: the
  // annotation goes without the draft's id (the draft is then left, not the work).
  async settle() {
    this.paused = true;
    clearTimeout(this.timer);
    this.timer = null;
    const deadline = Date.now() + SETTLE_WAIT;
    while (this.inflight && Date.now() < deadline) {
      const wait = new Promise((resolve) => setTimeout(resolve, deadline - Date.now()));
      await Promise.race([this.inflight, wait]);
    }
  }

  resume() {
    this.paused = false;
    this.save();
  }

  forget() {
    this.forgotten = true;
    clearTimeout(this.timer);
    this.held = null;
    this.latest = null;
    this.dirty = false;
    dropStash(this.stashKey);
  }

  // The page is going away: a keepalive request outlives it, and this browser keeps the change in
  // case that request fails.
  flushOnUnload() {
    if (this.forgotten) return;
    // Text still being typed (a transcription commits on blur) is part of what is kept.
    if (!this.paused && this.editor?.store) {
      const before = canonical(this.editor.getResult());
      this.editor.commitPending?.();
      if (canonical(this.editor.getResult()) !== before) this.dirty = true;
    }
    this.snapshot();
    clearTimeout(this.timer);
    this.timer = null;
    // A submit on its way may not land: this browser keeps what it sends until it does.
    if (this.paused) {
      if (this.editor?.store) writeStash(this.stashKey, { result: this.editor.getResult(), lead_time: this.editor.leadTime() });
      return;
    }
    // What the server may not have yet: a snapshot not sent, or one queued or on its way.
    const body = this.held ?? this.latest;
    if (!body) return;
    writeStash(this.stashKey, body);
    // A POST on its way would make this a second draft; the stash covers that change.
    if (this.inflight && !this.id) return;
    this.held = null;
    const token = (document.cookie.match(/(?:^|;\s*)csrftoken=([^;]*)/) || [])[1] || '';
    const headers = { 'Content-Type': 'application/json', 'X-CSRFToken': decodeURIComponent(token) };
    const url = this.id ? `/api/drafts/${this.id}` : this.annotationId
      ? `/api/tasks/${this.taskId}/annotations/${this.annotationId}/drafts` : `/api/tasks/${this.taskId}/drafts`;
    fetch(url, { method: this.id ? 'PATCH' : 'POST', headers, body: JSON.stringify(body), keepalive: true, credentials: 'same-origin' })
      .then((r) => (r.ok ? r.json() : null)).then((d) => {
        if (!d) return;
        this.id ??= d.id;   // the page lived on (back/forward cache)
        dropStash(this.stashKey);
      }).catch(() => {});
  }
}

function readStash(key) {
  try {
    const v = JSON.parse(window.localStorage.getItem(key));
    return Array.isArray(v?.result) ? v : null;
  } catch {
    return null;
  }
}

function writeStash(key, body) {
  try { window.localStorage.setItem(key, JSON.stringify({ result: body.result, lead_time: body.lead_time, at: Date.now() })); } catch { /* full or disabled */ }
}

function dropStash(key) {
  try { window.localStorage.removeItem(key); } catch { /* disabled */ }
}
