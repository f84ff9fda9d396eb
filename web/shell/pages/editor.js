// The labeling editor page: /projects/{id}/data?task=N opens one task; ?labeling=1[&view=V] is the
// labeling stream over /api/projects/{id}/next[?view=V] (the host locks the task for this
// annotator; with a data-manager tab, within its filters and in its ordering);
// ?labeling=1&selectedItems={all, included|excluded} streams over the data manager's selection.
// The page owns the API side: annotation history, predictions, drafts, submit / update / skip.
import { useEffect, useRef } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import { html } from '../lib/html.js';
import { get, post, patch, del } from '../lib/api.js';
import { navigate } from '../lib/router.js';
import { loadUser } from '../lib/session.js';
import { Layout, ProjectTabs, ErrorBox } from '../components/layout.js';
import { mountEditor, preloadEditor } from '../ui-sdk/editor/index.js';
import { loadCatalog } from '../ui-sdk/editor/catalog.js';

const DRAFT_DELAY = 700;   // ms after the last change before the draft is saved

export function EditorPage({ projectId, taskId = null, labeling = false, selectedItems = null, viewId = null }) {
  const project = useSignal(null);
  const me = useSignal(null);
  const task = useSignal(null);
  const slot = useSignal(null);        // {kind: 'annotation'|'new'|'prediction', id?, from?}
  const error = useSignal(null);
  const done = useSignal(false);       // the stream has no more tasks
  const reloads = useSignal(0);

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
      done.value = false;
      task.value = t;
      slot.value = defaultSlot(t, u.id);
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
    ${t && project.value && me.value && slot.value ? html`
      <${History} task=${t} me=${me.value} slot=${slot} />
      <${EditorHost} key=${`${t.id}:${slotKey(slot.value)}`} project=${project.value} task=${t} me=${me.value}
        slot=${slot.value} labeling=${labeling}
        onSaved=${(annotation) => {
          if (labeling) { next(); return; }
          // Stay on the task, showing what was saved.
          get(`/api/tasks/${t.id}`).then((fresh) => {
            task.value = fresh;
            slot.value = annotation ? { kind: 'annotation', id: annotation.id } : defaultSlot(fresh, me.value.id);
          }).catch((e) => { error.value = e; });
        }} />` : null}
    ${!t && !done.value && !error.value ? html`<div class="card" role="status">Loading the task…</div>` : null}
  <//>`;
}

function slotKey(s) { return `${s.kind}:${s.id ?? ''}:${s.from ?? ''}`; }

// What a task opens on: my draft of a new annotation, else my latest annotation, else the latest
// one, else a new annotation (pre-filled from the first prediction).
function defaultSlot(t, myId) {
  const drafts = (t.drafts ?? []).filter((d) => d.user === myId);
  if (drafts.some((d) => !d.annotation)) return { kind: 'new' };
  const anns = t.annotations ?? [];
  const mine = anns.filter((a) => a.completed_by === myId && !a.was_cancelled);
  if (mine.length) return { kind: 'annotation', id: mine[mine.length - 1].id };
  if (anns.length && !anns.some((a) => a.completed_by === myId)) return { kind: 'annotation', id: anns[anns.length - 1].id };
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

// "Label these": the data manager's selection in order, the first task I have not annotated yet.
// {all: true, excluded} walks the pages of the data manager's tab (its filters and ordering) lazily
// (their `annotators` column says which tasks are done), so a large project costs one page per 100
// done tasks, not one request per task.
async function nextSelected(projectId, selected, myId, viewId = null) {
  if (selected.all) {
    const excluded = new Set((selected.excluded ?? []).map(Number));
    for (let page = 1; ; ++page) {
      let r;
      try {
        r = await get(`/api/tasks?project=${projectId}${viewId !== null ? `&view=${viewId}` : ''}&page=${page}&page_size=100&fields=task_only`);
      } catch (e) {
        if (e.status === 404) return null;   // past the last page
        throw e;
      }
      for (const x of r.tasks ?? []) {
        if (!excluded.has(x.id) && !(x.annotators ?? []).includes(myId)) return get(`/api/tasks/${x.id}`);
      }
      if (!r.tasks?.length || page * 100 >= r.total) return null;
    }
  }
  for (const id of (selected.included ?? []).map(Number)) {
    const t = await get(`/api/tasks/${id}`);
    if (!(t.annotations ?? []).some((a) => a.completed_by === myId)) return t;
  }
  return null;
}

function History({ task, me, slot }) {
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
      onClick=${() => { slot.value = { kind: 'new', from: cur.id }; }}>Copy into a new annotation</button>` : null}
  </div>`;
}

// One mounted editor for one (task, annotation slot); drafts are saved here.
function EditorHost({ project, task, me, slot, labeling, onSaved }) {
  const ref = useRef(null);
  const draftStatus = useSignal('');
  const error = useSignal(null);
  useEffect(() => {
    const annotation = slot.kind === 'annotation' ? (task.annotations ?? []).find((a) => a.id === slot.id) : null;
    const prediction = slot.kind === 'prediction' ? (task.predictions ?? []).find((p) => p.id === slot.id) : null;
    const fromPrediction = slot.kind === 'new' && slot.from ? (task.predictions ?? []).find((p) => p.id === slot.from) : null;
    const mine = annotation ? annotation.completed_by === me.id : slot.kind === 'new';
    const readOnly = slot.kind === 'prediction' || !mine;
    const myDrafts = (task.drafts ?? []).filter((d) => d.user === me.id);
    let draft = slot.kind === 'new' && !slot.from ? myDrafts.find((d) => !d.annotation)
      : annotation && mine ? myDrafts.find((d) => d.annotation === annotation.id) : null;
    const drafts = new DraftSaver(task.id, annotation && mine ? annotation.id : null, draft?.id ?? null, draftStatus);
    if (draft) draftStatus.value = 'Draft restored';
    const predictionsToLoad = prediction ? [prediction] : fromPrediction ? [fromPrediction]
      : slot.kind === 'new' && !(task.annotations ?? []).length ? (task.predictions ?? []) : [];
    const parentPrediction = prediction?.id ?? fromPrediction?.id ?? (slot.kind === 'new' && predictionsToLoad[0]?.id) ?? undefined;
    const finish = async (body, saved) => {
      error.value = null;
      try {
        await drafts.settle();
        const answer = await body();
        drafts.forget();
        onSaved(saved ? answer : null);
      } catch (e) {
        error.value = e;
      }
    };
    const showSkip = project.show_skip_button !== false;
    const editor = mountEditor(ref.current, {
      config: project.label_config,
      task: { id: task.id, data: task.data ?? {} },
      annotation: prediction ? null : annotation,
      predictions: predictionsToLoad,
      draft: draft ?? null,
      readOnly,
      onSubmit: !readOnly && !annotation ? ({ result, lead_time }) => finish(() => post(`/api/tasks/${task.id}/annotations`, {
        result, lead_time, ...(drafts.id ? { draft_id: drafts.id } : {}),
        ...(parentPrediction ? { parent_prediction: parentPrediction } : {}),
      }), true) : undefined,
      onUpdate: !readOnly && annotation ? ({ result, lead_time }) => finish(async () => {
        const saved = await patch(`/api/annotations/${annotation.id}`, { result, lead_time: (annotation.lead_time ?? 0) + lead_time });
        if (drafts.id) await del(`/api/drafts/${drafts.id}`).catch(() => {});
        return saved;
      }, true) : undefined,
      onSkip: !readOnly && !annotation && showSkip ? ({ result, lead_time }) => finish(() => post(`/api/tasks/${task.id}/annotations`, {
        result, lead_time, was_cancelled: true, ...(drafts.id ? { draft_id: drafts.id } : {}),
      }), false) : undefined,
      onChange: readOnly ? undefined : (ed) => drafts.schedule(ed),
      toolbarExtra: () => (draftStatus.value ? html`<span class="annot-draft-status" role="status">${draftStatus.value}</span>` : null),
    });
    const flush = () => drafts.flushOnUnload();
    window.addEventListener('pagehide', flush);
    return () => {
      window.removeEventListener('pagehide', flush);
      drafts.flushNow();
      editor.destroy();
    };
  }, []);
  return html`<div>
    <${ErrorBox} error=${error.value} />
    <div ref=${ref} class="annot-editor-page" data-labeling=${labeling ? 'stream' : 'task'}></div>
  </div>`;
}

// Saves the editor's result as the annotator's draft a moment after the last change: the first
// save creates it (POST), later ones PATCH it; one request at a time, the latest state wins.
class DraftSaver {
  constructor(taskId, annotationId, draftId, status) {
    this.taskId = taskId;
    this.annotationId = annotationId;
    this.id = draftId;
    this.status = status;
    this.timer = null;
    this.inflight = null;
    this.editor = null;
    this.dirty = false;
    this.gone = false;
  }

  schedule(editor) {
    if (this.gone) return;
    this.editor = editor;
    this.dirty = true;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.save(), DRAFT_DELAY);
  }

  async save() {
    this.timer = null;
    if (this.inflight) { await this.inflight.catch(() => {}); }
    if (!this.dirty || this.gone) return;
    this.dirty = false;
    const body = { result: this.editor.getResult(), lead_time: this.editor.leadTime() };
    this.inflight = (async () => {
      if (this.id) {
        await patch(`/api/drafts/${this.id}`, body);
      } else {
        const url = this.annotationId ? `/api/tasks/${this.taskId}/annotations/${this.annotationId}/drafts`
          : `/api/tasks/${this.taskId}/drafts`;
        const d = await post(url, body);
        this.id = d.id;
      }
      this.status.value = `Draft saved ${new Date().toLocaleTimeString()}`;
    })();
    try {
      await this.inflight;
    } catch (e) {
      this.status.value = `Draft not saved: ${e.message}`;
    } finally {
      this.inflight = null;
    }
  }

  // Before submit: no timer left, the last save finished (its id goes into draft_id).
  async settle() {
    clearTimeout(this.timer);
    this.timer = null;
    this.dirty = false;
    if (this.inflight) await this.inflight.catch(() => {});
  }

  forget() { this.gone = true; clearTimeout(this.timer); }

  flushNow() {
    if (this.timer && !this.gone) { clearTimeout(this.timer); this.save(); }
    this.gone = true;
  }

  // The page is going away: a keepalive request outlives it.
  flushOnUnload() {
    if (!this.timer || this.gone || !this.editor) return;
    clearTimeout(this.timer);
    this.timer = null;
    const body = JSON.stringify({ result: this.editor.getResult(), lead_time: this.editor.leadTime() });
    const token = (document.cookie.match(/(?:^|;\s*)csrftoken=([^;]*)/) || [])[1] || '';
    const headers = { 'Content-Type': 'application/json', 'X-CSRFToken': decodeURIComponent(token) };
    const url = this.id ? `/api/drafts/${this.id}` : this.annotationId
      ? `/api/tasks/${this.taskId}/annotations/${this.annotationId}/drafts` : `/api/tasks/${this.taskId}/drafts`;
    fetch(url, { method: this.id ? 'PATCH' : 'POST', headers, body, keepalive: true, credentials: 'same-origin' }).catch(() => {});
  }
}
