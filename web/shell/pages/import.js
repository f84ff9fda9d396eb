// /projects/{id}/import: files by drag-and-drop or picker, pasted JSON/CSV/TSV/text, or a URL.
// Imports run with ?async=true; the progress bar follows the import (or its job) until it ends.
import { useEffect } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import { html } from '../lib/html.js';
import { get, qs, csrfToken, ApiError } from '../lib/api.js';
import { Layout, ProjectTabs, ErrorBox } from '../components/layout.js';
import { ProgressBar } from '../components/progress-bar.js';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// What was pasted, as an import body: JSON as JSON; a table (tableKind) as a CSV or TSV file; any
// other text as a text file, one task per line.
export function pastedBody(text) {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    try { return JSON.parse(trimmed); } catch (e) { throw new Error(`The pasted text is not valid JSON: ${e.message}`); }
  }
  const form = new FormData();
  form.append('file', new Blob([trimmed + '\n'], { type: 'text/plain' }), `pasted.${tableKind(trimmed) ?? 'txt'}`);
  return form;
}

// A column name of a pasted table's header: a word (letters, digits, _ . -) with no spaces around it.
// Sentences put a space after their commas, so "Great product, would buy again." is not a header.
const COLUMN_NAME = /^[\p{L}_][\p{L}\p{N}_.-]*$/u;

// 'tsv' or 'csv' when pasted text is clearly a table, else null (one task per line): its first line
// is a header of two or more column names separated by tabs (TSV) or by commas or semicolons (CSV,
// the separator the host picks: ';' when the header has more of them), and every line has as many
// fields as the header.
export function tableKind(text) {
  const first = text.split('\n', 1)[0];
  const count = (c) => first.split(c).length - 1;
  const [kind, separator] = first.includes('\t') ? ['tsv', '\t'] : ['csv', count(';') > count(',') ? ';' : ','];
  const [header, ...rows] = records(text, separator);
  const table = header.length >= 2 && header.every((name) => COLUMN_NAME.test(name)) &&
    rows.length > 0 && rows.every((r) => r.length === header.length);
  return table ? kind : null;
}

// The fields of each non-blank record of delimited text; a quoted field may hold the separator,
// doubled quotes and line breaks (RFC 4180, as the host reads it).
function records(text, separator) {
  const out = [];
  let fields = [];
  let field = '';
  let quoted = false;
  const endRecord = () => {
    fields.push(field.replace(/\r$/, ''));
    if (fields.length > 1 || fields[0].trim()) out.push(fields);
    fields = [];
    field = '';
  };
  for (let i = 0; i < text.length; ++i) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; ++i; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"' && field === '') {
      quoted = true;
    } else if (c === separator) {
      fields.push(field);
      field = '';
    } else if (c === '\n') {
      endRecord();
    } else {
      field += c;
    }
  }
  endRecord();
  return out;
}

// POSTs an import body with upload progress (fetch has none): onProgress(fraction) while sending.
function send(url, body, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('Accept', 'application/json');
    const token = csrfToken();
    if (token) xhr.setRequestHeader('X-CSRFToken', token);
    let payload = body;
    if (!(body instanceof FormData) && !(body instanceof URLSearchParams)) {
      payload = JSON.stringify(body);
      xhr.setRequestHeader('Content-Type', 'application/json');
    }
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onerror = () => reject(new Error('The upload failed: the connection to the server was lost.'));
    xhr.onload = () => {
      let parsed = null;
      try { parsed = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch { parsed = xhr.responseText; }
      if (xhr.status >= 200 && xhr.status < 300) resolve(parsed);
      else reject(new ApiError(xhr.status, parsed, `The import failed: HTTP ${xhr.status}`));
    };
    xhr.send(payload);
  });
}

// The state of an import or job as { done, fraction, finished, failed, message, counts }.
function readProgress(s) {
  const state = String(s.status ?? s.state ?? '').toLowerCase();
  const p = s.progress;
  let fraction = NaN;
  if (p && typeof p === 'object') fraction = Number.isFinite(p.fraction) ? p.fraction : p.total ? p.done / p.total : NaN;
  else if (Number.isFinite(p)) fraction = p > 1 ? p / 100 : p;
  const failed = state === 'failed' || state === 'cancelled';
  const finished = failed || state === 'completed';
  const counts = s.result && typeof s.result === 'object' ? s.result : s;
  return { fraction: finished && !failed ? 1 : fraction, finished, failed, message: s.error || s.message || '', counts, state };
}

function summary(r) {
  const n = (v) => (Number.isFinite(v) ? v : 0);
  const plural = (v, word) => `${n(v)} ${word}${n(v) === 1 ? '' : 's'}`;
  const parts = [plural(r.task_count, 'task')];
  if (r.annotation_count) parts.push(plural(r.annotation_count, 'annotation'));
  if (r.prediction_count) parts.push(plural(r.prediction_count, 'prediction'));
  return `Imported ${parts.join(', ')}` + (Number.isFinite(r.duration) ? ` in ${r.duration.toFixed(2)} s.` : '.');
}

export function ImportPage({ projectId }) {
  const project = useSignal(null);
  const files = useSignal([]);
  const pasted = useSignal('');
  const url = useSignal('');
  const dragging = useSignal(false);
  const running = useSignal(null);   // { fraction, label } while an import runs
  const done = useSignal('');
  const error = useSignal(null);

  useEffect(() => {
    get(`/api/projects/${projectId}`).then((p) => {
      project.value = p;
      document.title = `${p.title} · Import · Annot`;
    }).catch((e) => { error.value = e; });
  }, [projectId]);

  // Sends one import and follows it to the end.
  const run = async (body) => {
    error.value = null;
    done.value = '';
    running.value = { fraction: NaN, label: 'Uploading…' };
    try {
      const answer = await send(`/api/projects/${projectId}/import` + qs({ async: 'true' }), body, (fraction) => {
        running.value = { fraction, label: `Uploading… ${Math.round(fraction * 100)}%` };
      });
      let final = answer ?? {};
      const pollUrl = answer?.import !== undefined ? `/api/projects/${projectId}/imports/${answer.import}`
        : answer?.job !== undefined ? `/api/jobs/${answer.job}` : null;
      if (pollUrl) {
        for (;;) {
          const s = readProgress(await get(pollUrl));
          const soFar = Number.isFinite(s.counts?.task_count) && s.counts.task_count > 0 ? ` ${s.counts.task_count.toLocaleString()} tasks so far` : '';
          running.value = { fraction: s.fraction, label: Number.isFinite(s.fraction) ? `Importing… ${Math.round(s.fraction * 100)}%` : `Importing…${soFar}` };
          if (s.failed) throw new Error(s.message || `The import ${s.state}`);
          if (s.finished) { final = s.counts; break; }
          await sleep(250);
        }
      }
      running.value = { fraction: 1, label: 'Done' };
      done.value = summary(final);
      files.value = [];
      pasted.value = '';
      url.value = '';
    } catch (e) {
      error.value = e;
    } finally {
      running.value = null;
    }
  };

  const importFiles = () => {
    const form = new FormData();
    for (const f of files.value) form.append('file', f, f.name);
    return run(form);
  };
  const importPasted = () => {
    try { return run(pastedBody(pasted.value)); } catch (e) { error.value = e; return null; }
  };
  const importUrl = () => run(new URLSearchParams({ url: url.value.trim() }));

  const onDrop = (event) => {
    event.preventDefault();
    dragging.value = false;
    files.value = [...files.value, ...event.dataTransfer.files];
  };

  const name = project.value?.title ?? `Project #${projectId}`;
  const busy = running.value !== null;
  return html`<${Layout} crumbs=${[['Projects', '/projects'], [name, `/projects/${projectId}/data`], ['Import']]}>
    <${ProjectTabs} projectId=${projectId} current="import" />
    <div class="import-grid">
      <section class="card">
        <h3>Files</h3>
        <div class=${'dropzone' + (dragging.value ? ' dragging' : '')}
             onDragOver=${(e) => { e.preventDefault(); dragging.value = true; }}
             onDragLeave=${() => { dragging.value = false; }} onDrop=${onDrop}>
          <p>Drop JSON, CSV, TSV, TXT or media files here, or</p>
          <label class="button">Choose files
            <input type="file" multiple hidden onChange=${(e) => { files.value = [...files.value, ...e.currentTarget.files]; e.currentTarget.value = ''; }} />
          </label>
        </div>
        ${files.value.length ? html`<ul class="file-list">
          ${files.value.map((f, i) => html`<li>${f.name} <span class="muted">${(f.size / 1024).toFixed(1)} KiB</span>
            <button type="button" class="link remove-file" title="Remove from the list" aria-label=${`Remove ${f.name}`} disabled=${busy}
              onClick=${() => { files.value = files.value.filter((_, j) => j !== i); }}>Remove</button></li>`)}
        </ul>` : null}
        <button class="primary" disabled=${busy || files.value.length === 0} onClick=${importFiles}>
          Import ${files.value.length || ''} file${files.value.length === 1 ? '' : 's'}
        </button>
      </section>
      <section class="card">
        <h3>Paste</h3>
        <textarea name="paste" rows="8" spellcheck="false" placeholder='[{"text": "first task"}, {"text": "second task"}]'
                  value=${pasted.value} onInput=${(e) => { pasted.value = e.currentTarget.value; }}></textarea>
        <p class="muted">A JSON list of tasks; or a table: a header row of column names (<code>text,label</code>,
          no spaces around the names), commas, semicolons or tabs between fields, as many fields on every row;
          any other text is one task per line.</p>
        <button class="primary" name="import-paste" disabled=${busy || !pasted.value.trim()} onClick=${importPasted}>Import pasted data</button>
      </section>
      <section class="card">
        <h3>URL</h3>
        <input name="url" type="url" placeholder="https://example.com/tasks.json" value=${url.value}
               onInput=${(e) => { url.value = e.currentTarget.value; }} />
        <button class="primary" disabled=${busy || !url.value.trim()} onClick=${importUrl}>Import from URL</button>
      </section>
    </div>
    ${running.value ? html`<${ProgressBar} fraction=${running.value.fraction} label=${running.value.label} />` : null}
    <${ErrorBox} error=${error.value} />
    ${done.value ? html`<div class="card notice success" role="status">${done.value}
      <a class="button" href=${`/projects/${projectId}/data`}>Open the data manager</a></div>` : null}
  <//>`;
}
