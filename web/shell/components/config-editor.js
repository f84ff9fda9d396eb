// The labeling-config editor: a textarea with line numbers, checked as you type through
// POST /api/projects/validate/, with errors and warnings marked at their line and listed below.
import { useEffect, useRef } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import { html } from '../lib/html.js';
import { request } from '../lib/api.js';
import { ConfigPreview } from './template-gallery.js';

// Line numbers quoted in parser messages ("line 3, column 7") when an issue has no line of its own.
function lineOf(issue) {
  if (Number.isInteger(issue.line) && issue.line > 0) return issue.line;
  const m = /line (\d+)/i.exec(issue.message || '');
  return m ? Number(m[1]) : null;
}

function normalise(body, level) {
  const list = body?.[level === 'error' ? 'errors' : 'warnings'];
  if (Array.isArray(list)) {
    return list.map((i) => ({ level, line: lineOf(i), message: i.message, tag: i.tag, attribute: i.attribute }));
  }
  return [];
}

// Checks a config; resolves to { ok, issues }. Plain DRF bodies ({"label_config": [...]}) are read too.
export async function checkConfig(config, signal) {
  try {
    const body = await request('POST', '/api/projects/validate/', { body: { label_config: config }, signal, redirectOn401: false });
    return { ok: true, issues: normalise(body, 'warning') };
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    if (e.status !== 400) return { ok: false, issues: [{ level: 'error', line: null, message: e.message }] };
    let issues = normalise(e.body, 'error');
    if (issues.length === 0) {
      const messages = e.body?.label_config ?? e.body?.validation_errors?.label_config ?? [e.message];
      issues = messages.map((message) => ({ level: 'error', line: lineOf({ message }), message }));
    }
    return { ok: false, issues: [...issues, ...normalise(e.body, 'warning')] };
  }
}

function describe(issue) {
  const where = [issue.tag ? `<${issue.tag}>` : '', issue.attribute || ''].filter(Boolean).join(', ');
  return where && !issue.message.includes(where) ? `${where}: ${issue.message}` : issue.message;
}

// value: the config text; onInput(text); onChecked({ok, issues}) after each check;
// extraIssues: more issues to show (the project-aware check of the settings page).
export function ConfigEditor({ value, onInput, onChecked, extraIssues = [] }) {
  const issues = useSignal([]);
  const checking = useSignal(false);
  const textarea = useRef(null);

  useEffect(() => {
    const abort = new AbortController();
    const timer = setTimeout(async () => {
      checking.value = true;
      try {
        const result = await checkConfig(value, abort.signal);
        issues.value = result.issues;
        onChecked?.(result);
      } catch { /* aborted: a newer check runs */ } finally {
        if (!abort.signal.aborted) checking.value = false;
      }
    }, 350);
    return () => { clearTimeout(timer); abort.abort(); };
  }, [value]);

  const all = [...issues.value, ...extraIssues];
  const lines = value.split('\n');
  const marks = new Map();
  for (const i of all) {
    if (i.line && (i.level === 'error' || !marks.has(i.line))) marks.set(i.line, i.level);
  }
  const goTo = (line) => {
    const el = textarea.current;
    if (!el || !line) return;
    let start = 0;
    for (let n = 1; n < line && n <= lines.length; ++n) start += lines[n - 1].length + 1;
    el.focus();
    el.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
  };

  return html`
    <div class="config-editor">
      <div class="code">
        <div class="gutter" aria-hidden="true">
          ${lines.map((_, n) => html`<div class=${marks.get(n + 1) ? `mark-${marks.get(n + 1)}` : ''}>${n + 1}</div>`)}
        </div>
        <textarea ref=${textarea} name="label_config" spellcheck="false" wrap="off" rows=${Math.max(12, lines.length + 1)}
                  value=${value} onInput=${(e) => onInput(e.currentTarget.value)}></textarea>
      </div>
      <div class="config-status">
        ${checking.value ? html`<span class="muted">Checking…</span>`
          : all.length === 0 ? html`<span class="ok">The config is valid.</span>` : null}
      </div>
      <ul class="issues">
        ${all.map((i) => html`
          <li class=${`issue ${i.level}`} onClick=${() => goTo(i.line)}>
            <span class="where">${i.line ? `Line ${i.line}` : 'Config'}</span>
            <span class="level">${i.level}</span>
            <span class="message">${describe(i)}</span>
          </li>`)}
      </ul>
    </div>`;
}

// The config editor beside its live preview on `sample` data, as the create and settings pages show
// them; `valid` is the editor's last check (onChecked), so a broken config explains itself.
export function ConfigSetup({ config, sample, valid, extraIssues = [], onInput, onChecked }) {
  return html`<div class="setup">
    <div class="field">
      <span class="label">Labeling config</span>
      <${ConfigEditor} value=${config} extraIssues=${extraIssues} onInput=${onInput} onChecked=${onChecked} />
    </div>
    <div class="field">
      <span class="label">Preview</span>
      <${ConfigPreview} config=${config} data=${sample} valid=${valid} />
    </div>
  </div>`;
}
