// Input controls: TextArea (lines, editable, maxSubmissions, Shortcut), Rating (icons, hotkey),
// Number (min/max/step, slider) and DateTime (date/time/month/year parts, strftime `format`).
import { html, eventCombo, normalizeCombo } from '@annot/ui-sdk';
import { useState, useRef, useEffect } from 'preact/hooks';
import {
  attr, flag, numberAttr, payloadOf, readOnly, perRegion, actionable, childrenTagged, rawAttr,
  strftime, strptime, mountComponent, submitting,
} from './util.js';

// ---------------------------------------------------------------- TextArea
function linesOf(payload) {
  const t = payload?.text;
  if (typeof t === 'string') return [t];
  return Array.isArray(t) ? t.filter((x) => typeof x === 'string') : [];
}

function TextArea({ ctx, shortcuts, inputRef, pendingRef }) {
  const rows = Math.max(1, numberAttr(ctx, 'rows', 1));
  const editable = flag(ctx, 'editable');
  const transcription = flag(ctx, 'transcription');
  const maxSubmissions = numberAttr(ctx, 'maxSubmissions', 0);
  const skipDuplicates = flag(ctx, 'skipDuplicates');
  const maxLength = numberAttr(ctx, 'maxLength', 0) || undefined;
  const placeholder = attr(ctx, 'placeholder', '');
  const showSubmit = flag(ctx, 'showSubmitButton', true);
  const prefill = attr(ctx, 'value', '');
  // The text being typed, per region for a per-region TextArea: text typed for one region and not
  // yet added stays with it when another region is selected, instead of going to that one.
  const [drafts, setDrafts] = useState({});
  const [note, setNote] = useState('');
  const ro = readOnly(ctx);
  const payload = payloadOf(ctx);
  const region = ctx.selectedRegion?.value ?? null;
  const draftKey = region?.id ?? '';
  const draft = drafts[draftKey] ?? (typeof prefill === 'string' && !prefill.startsWith('$') ? prefill : '');
  const setDraft = (text) => setDrafts((d) => ({ ...d, [draftKey]: text }));
  pendingRef.current = null;
  if (perRegion(ctx) && !region) return null;
  const lines = linesOf(payload);
  const full = maxSubmissions > 0 && lines.length >= maxSubmissions;
  const write = (next) => ctx.setResult(next.length ? { text: next } : null);

  const add = () => {
    const typed = inputRef.current?.value ?? draft;
    const text = typed.trim() ? typed : '';
    if (!text) return;
    if (skipDuplicates && lines.includes(text)) { setNote('That text was already submitted'); return; }
    if (full) return;
    write([...lines, text]);
    // Cleared now, not at the next render: a second commit in the same event (ctrl+enter in the
    // field, then the editor's beforeSend) finds nothing left to add.
    if (inputRef.current) inputRef.current.value = '';
    setDraft('');
    setNote('');
  };
  const insert = (snippet, target) => {
    const el = target ?? inputRef.current;
    if (!el) { setDraft(draft + snippet); return; }
    const start = el.selectionStart ?? el.value.length;
    const end = el.selectionEnd ?? start;
    const next = el.value.slice(0, start) + snippet + el.value.slice(end);
    if (transcription) el.value = next; else setDraft(next);
    requestAnimationFrame(() => { el.focus(); el.setSelectionRange(start + snippet.length, start + snippet.length); });
  };
  const onKeyDown = (e) => {
    const combo = eventCombo(e);  // a Shortcut's hotkey, local to its field
    const sc = shortcuts.find((s) => s.hotkey && normalizeCombo(s.hotkey) === combo);
    if (sc) { e.preventDefault(); insert(sc.value, e.currentTarget); return; }
    if (submitting(e)) {
      // Not prevented: the editor's ctrl+enter sends the annotation, with this text in it.
      if (transcription) commitText(e.currentTarget.value); else add();
      return;
    }
    if (!transcription && e.key === 'Enter' && !e.shiftKey && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      add();
    }
  };
  const Field = rows > 1 || transcription ? 'textarea' : 'input';
  // Transcription: one editable text, committed when the field loses focus (one undo step per
  // edit, not per key) or the annotation is sent.
  function commitText(v) {
    if (v === (lines[0] ?? '')) return;
    write(v ? [v] : []);
  }

  // What sending the annotation commits (ctx.beforeSend): the text in the field, this render's view.
  pendingRef.current = ro ? null : transcription ? () => { if (inputRef.current) commitText(inputRef.current.value); } : add;

  if (transcription) {
    const commit = (e) => commitText(e.currentTarget.value);
    return html`<div class="ac-textarea ac-transcription" data-control=${ctx.name}>
      <textarea ref=${inputRef} rows=${rows} name=${ctx.name} aria-label=${ctx.name} placeholder=${placeholder}
        maxlength=${maxLength} readonly=${ro} value=${lines[0] ?? ''} onKeyDown=${onKeyDown} onBlur=${commit}></textarea>
      ${shortcutBar(shortcuts, insert, ro)}
    </div>`;
  }
  const editLine = (i, value) => {
    if (value === lines[i]) return;
    const next = lines.slice();
    if (value.trim()) next[i] = value; else next.splice(i, 1);
    write(next);
  };
  return html`<div class="ac-textarea" data-control=${ctx.name}>
    ${lines.length > 0 && html`<ol class="ac-lines">
      ${lines.map((line, i) => html`<li key=${`${i}:${line}`}>
        ${editable && !ro
          ? html`<input class="ac-line-edit" value=${line} aria-label=${`Line ${i + 1} of ${ctx.name}`}
              onKeyDown=${(e) => { if (submitting(e)) editLine(i, e.currentTarget.value); else if (e.key === 'Enter') e.currentTarget.blur(); }}
              onBlur=${(e) => editLine(i, e.currentTarget.value)} />`
          : html`<span class="ac-line">${line}</span>`}
        ${!ro && html`<button type="button" class="ac-line-x" aria-label=${`Delete line ${i + 1} of ${ctx.name}`}
          onClick=${() => write(lines.filter((_, j) => j !== i))}>×</button>`}
      </li>`)}
    </ol>`}
    ${!ro && !full && html`<div class="ac-textarea-input">
      <${Field} ref=${inputRef} rows=${Field === 'textarea' ? rows : undefined} name=${ctx.name} aria-label=${ctx.name}
        placeholder=${placeholder} maxlength=${maxLength} value=${draft}
        onInput=${(e) => setDraft(e.currentTarget.value)} onKeyDown=${onKeyDown} onBlur=${(e) => { if (submitting(e)) add(); }} />
      ${showSubmit && html`<button type="button" class="ac-add" onClick=${add} disabled=${!draft.trim()}
        aria-label=${`Add to ${ctx.name}`}>Add</button>`}
    </div>`}
    ${note && html`<div class="ac-note">${note}</div>`}
    ${shortcutBar(shortcuts, insert, ro || full)}
  </div>`;
}

function shortcutBar(shortcuts, insert, disabled) {
  if (!shortcuts.length || disabled) return null;
  return html`<div class="ac-shortcuts">${shortcuts.map((s) => html`<button type="button" class="ac-shortcut"
    style=${s.background ? { borderColor: s.background } : undefined}
    onMouseDown=${(e) => e.preventDefault()} onClick=${() => insert(s.value)}
    title=${s.hotkey ? `${s.value} (${s.hotkey})` : s.value}>${s.alias || s.value}</button>`)}</div>`;
}

export function mountTextArea(el, ctx) {
  const shortcuts = childrenTagged(ctx.node, 'Shortcut').map((n) => ({
    value: rawAttr(n, 'value', ''), alias: rawAttr(n, 'alias'), hotkey: rawAttr(n, 'hotkey'), background: rawAttr(n, 'background'),
  }));
  const inputRef = { current: null };
  const disposers = [];
  const hotkey = attr(ctx, 'hotkey');
  if (hotkey && ctx.hotkeys?.add) {
    disposers.push(ctx.hotkeys.add(hotkey, () => {
      if (!inputRef.current) return false;
      inputRef.current.focus();
      return true;
    }, { description: `Focus ${ctx.name}` }));
  }
  const pendingRef = { current: null };
  if (ctx.beforeSend) disposers.push(ctx.beforeSend(() => pendingRef.current?.()));
  const m = mountComponent(el, ctx, TextArea, { shortcuts, inputRef, pendingRef });
  return { destroy() { for (const d of disposers) d?.(); m.destroy(); } };
}

// ---------------------------------------------------------------- Rating
const ICONS = {
  star: 'M12 2.5l2.9 6.1 6.6.8-4.9 4.6 1.3 6.6L12 17.3l-5.9 3.3 1.3-6.6-4.9-4.6 6.6-.8z',
  heart: 'M12 21s-7.5-4.6-9.6-9.2C.9 8.4 3 4.5 6.6 4.5c2.1 0 3.6 1.2 5.4 3.2 1.8-2 3.3-3.2 5.4-3.2 3.6 0 5.7 3.9 4.2 7.3C19.5 16.4 12 21 12 21z',
  fire: 'M12 22c-4.4 0-7.5-3-7.5-7.2 0-3.5 2.3-5.6 4-7.6.9-1.1 1.6-2.3 1.6-4.7 3.3 1.7 5.6 4.8 5.2 8.4 1-.6 1.7-1.7 2-3 1.4 1.5 2.2 3.8 2.2 6.2C19.5 18.8 16.4 22 12 22z',
  smile: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm-3.5 6.5a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3zm7 0a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3zM7 14h10a5 5 0 0 1-10 0z',
};

function Rating({ ctx }) {
  const max = Math.max(1, Math.round(numberAttr(ctx, 'maxRating', 5)));
  const icon = ICONS[String(attr(ctx, 'icon', 'star')).toLowerCase()] ?? ICONS.star;
  const size = String(attr(ctx, 'size', 'medium')).toLowerCase();
  const [hover, setHover] = useState(0);
  const ro = readOnly(ctx);
  const payload = payloadOf(ctx);
  const region = ctx.selectedRegion?.value ?? null;
  if (perRegion(ctx) && !region) return null;
  const value = Number.isInteger(payload?.rating) ? payload.rating : 0;
  const set = (n) => { if (!ro) ctx.setResult(n > 0 ? { rating: Math.min(n, max) } : null); };
  const shown = hover || value;
  const onKeyDown = (e) => {
    if (e.key === 'ArrowRight' || e.key === 'ArrowUp') { e.preventDefault(); set(Math.min(max, value + 1)); }
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowDown') { e.preventDefault(); set(value - 1); }
  };
  return html`<div class="ac-rating ac-size-${size}" role="radiogroup" aria-label=${ctx.name} data-control=${ctx.name}
      data-rating=${value} tabindex=${ro ? -1 : 0} onKeyDown=${onKeyDown} onMouseLeave=${() => setHover(0)}>
    ${Array.from({ length: max }, (_, i) => i + 1).map((n) => html`<button type="button" key=${n}
        class="ac-rating-item ${n <= shown ? 'ac-on' : ''}" role="radio" aria-checked=${n === value}
        aria-label=${`${n} of ${max}`} disabled=${ro} tabindex="-1"
        onMouseEnter=${() => !ro && setHover(n)} onClick=${() => set(n === value ? 0 : n)}>
      <svg viewBox="0 0 24 24" aria-hidden="true"><path d=${icon} /></svg>
    </button>`)}
  </div>`;
}

export function mountRating(el, ctx) {
  const disposers = [];
  const hotkey = attr(ctx, 'hotkey');
  if (hotkey && ctx.hotkeys?.add) {
    // Label Studio: each press adds a star; past the maximum it starts again from none.
    disposers.push(ctx.hotkeys.add(hotkey, () => {
      if (!actionable(ctx)) return false;
      const max = Math.max(1, Math.round(numberAttr(ctx, 'maxRating', 5)));
      const cur = payloadOf(ctx)?.rating ?? 0;
      const next = cur >= max ? 0 : cur + 1;
      ctx.setResult(next ? { rating: next } : null);
      return true;
    }, { description: `${ctx.name}: one more` }));
  }
  const m = mountComponent(el, ctx, Rating);
  return { destroy() { for (const d of disposers) d?.(); m.destroy(); } };
}

// ---------------------------------------------------------------- Number
function NumberInput({ ctx, inputRef }) {
  const min = numberAttr(ctx, 'min');
  const max = numberAttr(ctx, 'max');
  const step = numberAttr(ctx, 'step', 1);
  const slider = flag(ctx, 'slider');
  const [error, setError] = useState('');
  const ro = readOnly(ctx);
  const payload = payloadOf(ctx);
  const region = ctx.selectedRegion?.value ?? null;
  if (perRegion(ctx) && !region) return null;
  const value = typeof payload?.number === 'number' ? payload.number : '';
  // Uncontrolled, keyed by the stored value: a refused entry stays visible next to its error, and
  // undo/redo (a new stored value) shows the new number.
  const commit = (e) => {
    const text = e.currentTarget.value.trim();
    if (text === '') { setError(''); ctx.setResult(null); return; }
    const n = Number(text);
    if (!Number.isFinite(n)) { setError('Not a number'); return; }
    if (min !== undefined && n < min) { setError(`At least ${min}`); return; }
    if (max !== undefined && n > max) { setError(`At most ${max}`); return; }
    setError('');
    if (n !== payloadOf(ctx)?.number) ctx.setResult({ number: n });
  };
  return html`<div class="ac-number ${error ? 'ac-invalid' : ''}" data-control=${ctx.name}>
    <input key=${String(value)} ref=${inputRef} type=${slider ? 'range' : 'number'} name=${ctx.name} aria-label=${ctx.name}
      min=${min} max=${max} step=${step} defaultValue=${value} readonly=${ro} disabled=${ro && slider}
      placeholder=${attr(ctx, 'placeholder', '')} onChange=${commit} aria-invalid=${Boolean(error)}
      onKeyDown=${(e) => { if (submitting(e)) commit(e); }} />
    ${slider && html`<output>${value}</output>`}
    ${error && html`<span class="ac-note" role="alert">${error}</span>`}
  </div>`;
}

export function mountNumber(el, ctx) {
  const inputRef = { current: null };
  const disposers = [];
  const hotkey = attr(ctx, 'hotkey');
  if (hotkey && ctx.hotkeys?.add) {
    disposers.push(ctx.hotkeys.add(hotkey, () => {
      if (!inputRef.current) return false;
      inputRef.current.focus();
      return true;
    }, { description: `Focus ${ctx.name}` }));
  }
  const m = mountComponent(el, ctx, NumberInput, { inputRef });
  return { destroy() { for (const d of disposers) d?.(); m.destroy(); } };
}

// ---------------------------------------------------------------- DateTime
const pad = (n, w = 2) => String(n).padStart(w, '0');

// Which parts the control asks for: `only` (date, time, month, year), else the older
// showDate/showTime, else date and time.
export function dateParts(ctx) {
  const only = attr(ctx, 'only');
  if (only) {
    const set = new Set(String(only).split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));
    return { date: set.has('date'), time: set.has('time'), month: set.has('month'), year: set.has('year') };
  }
  const sd = attr(ctx, 'showDate');
  const st = attr(ctx, 'showTime');
  if (sd !== undefined || st !== undefined) return { date: flag(ctx, 'showDate'), time: flag(ctx, 'showTime'), month: false, year: false };
  return { date: true, time: true, month: false, year: false };
}

// The ISO text Label Studio stores when there is no `format`, per the parts asked for.
function isoFormat(parts) {
  if (parts.date && parts.time) return '%Y-%m-%dT%H:%M';
  if (parts.date) return '%Y-%m-%d';
  if (parts.month) return '%Y-%m';
  if (parts.year) return '%Y';
  if (parts.time) return '%H:%M';
  return '%Y-%m-%dT%H:%M';
}

// Stored text -> {year, month, day, hour, minute}, or null when it cannot be read.
function parseStored(text, format, parts) {
  if (typeof text !== 'string' || !text) return null;
  if (format) return strptime(format, text);
  const m = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?)?/.exec(text);
  if (m) return { year: +m[1], month: m[2] ? +m[2] : 1, day: m[3] ? +m[3] : 1, hour: m[4] ? +m[4] : 0, minute: m[5] ? +m[5] : 0 };
  const t = /^(\d{1,2}):(\d{2})/.exec(text);
  return t && parts.time ? { hour: +t[1], minute: +t[2] } : null;
}

function DateTime({ ctx }) {
  const parts = dateParts(ctx);
  const format = attr(ctx, 'format') || null;
  const min = attr(ctx, 'min');
  const max = attr(ctx, 'max');
  const ro = readOnly(ctx);
  const payload = payloadOf(ctx);
  const region = ctx.selectedRegion?.value ?? null;
  const stored = payload?.datetime ?? null;
  const p = parseStored(stored, format, parts);
  const [local, setLocal] = useState({});
  useEffect(() => { setLocal({}); }, [stored]);
  if (perRegion(ctx) && !region) return null;

  // The inputs' texts: what the user typed since the last store, else the stored value's parts.
  const fields = {
    date: local.date ?? (p?.year !== undefined && p?.month !== undefined && p?.day !== undefined ? `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}` : ''),
    time: local.time ?? (p?.hour !== undefined ? `${pad(p.hour)}:${pad(p.minute ?? 0)}` : ''),
    month: local.month ?? (p?.year !== undefined && p?.month !== undefined ? `${pad(p.year, 4)}-${pad(p.month)}` : ''),
    year: local.year ?? (p?.year !== undefined ? String(p.year) : ''),
  };
  const store = (changed) => {
    const f = { ...fields, ...changed };
    setLocal({ ...local, ...changed });
    const out = {};
    let complete = true;
    if (parts.date) {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(f.date);
      if (m) Object.assign(out, { year: +m[1], month: +m[2], day: +m[3] }); else complete = false;
    } else if (parts.month) {
      const m = /^(\d{4})-(\d{2})$/.exec(f.month);
      if (m) Object.assign(out, { year: +m[1], month: +m[2] }); else complete = false;
    } else if (parts.year) {
      if (/^\d{4}$/.test(f.year)) out.year = +f.year; else complete = false;
    }
    if (parts.time) {
      const m = /^(\d{2}):(\d{2})/.exec(f.time);
      if (m) Object.assign(out, { hour: +m[1], minute: +m[2] }); else complete = false;
    }
    const empty = Object.entries(f).every(([k, v]) => !parts[k] || !v);
    if (empty) { if (stored !== null) ctx.setResult(null); return; }
    if (!complete) return;
    const text = strftime(format ?? isoFormat(parts), out);
    if (text !== stored) ctx.setResult({ datetime: text });
  };
  const dateMin = min && /^\d{4}-\d{2}-\d{2}/.test(min) ? min.slice(0, 10) : undefined;
  const dateMax = max && /^\d{4}-\d{2}-\d{2}/.test(max) ? max.slice(0, 10) : undefined;
  return html`<div class="ac-datetime" data-control=${ctx.name} data-value=${stored ?? ''}>
    ${parts.date && html`<input type="date" aria-label=${`${ctx.name} date`} value=${fields.date} min=${dateMin} max=${dateMax}
      readonly=${ro} onChange=${(e) => store({ date: e.currentTarget.value })} />`}
    ${!parts.date && parts.month && html`<input type="month" aria-label=${`${ctx.name} month`} value=${fields.month}
      min=${dateMin?.slice(0, 7)} max=${dateMax?.slice(0, 7)} readonly=${ro} onChange=${(e) => store({ month: e.currentTarget.value })} />`}
    ${!parts.date && !parts.month && parts.year && html`<input type="number" class="ac-year" aria-label=${`${ctx.name} year`}
      value=${fields.year} min=${dateMin?.slice(0, 4) ?? 1000} max=${dateMax?.slice(0, 4) ?? 9999} step="1" placeholder="YYYY"
      readonly=${ro} onChange=${(e) => store({ year: e.currentTarget.value })} />`}
    ${parts.time && html`<input type="time" aria-label=${`${ctx.name} time`} value=${fields.time} readonly=${ro}
      onChange=${(e) => store({ time: e.currentTarget.value })} />`}
    ${stored && !p && html`<span class="ac-note">Stored as “${stored}”</span>`}
  </div>`;
}

export function mountDateTime(el, ctx) { return mountComponent(el, ctx, DateTime); }

// ---------------------------------------------------------------- initial values
// What a new annotation starts with (Label Studio's defaultValue): a whole star count within
// 1..maxRating, a number within min..max; null when absent or unusable.
export function ratingInitialValue(ctx) {
  const n = numberAttr(ctx, 'defaultValue');
  const max = Math.max(1, Math.round(numberAttr(ctx, 'maxRating', 5)));
  if (n === undefined || !Number.isInteger(n) || n < 1) return null;
  return { rating: Math.min(n, max) };
}

export function numberInitialValue(ctx) {
  const n = numberAttr(ctx, 'defaultValue');
  if (n === undefined) return null;
  const min = numberAttr(ctx, 'min');
  const max = numberAttr(ctx, 'max');
  if ((min !== undefined && n < min) || (max !== undefined && n > max)) return null;
  return { number: n };
}
