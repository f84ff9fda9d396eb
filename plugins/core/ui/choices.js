// Choices: single / single-radio / multiple, layouts (vertical, inline, select), nested Choice
// (paths with allowNested), per-Choice hotkeys, per-region results, and the Filter's quick filter.
import { html } from '@annot/ui-sdk';
import { signal } from '@preact/signals';
import {
  attr, flag, numberAttr, payloadOf, readOnly, perRegion, actionable, optionTree, eachOption, pathKey, filterOf,
  matches, mountComponent,
} from './util.js';

// What a selected option writes into value.choices: its path with allowNested, else its key.
const entryOf = (opt, nested) => (nested ? opt.path : opt.key);
const keyOfEntry = (e) => (Array.isArray(e) ? pathKey(e) : e);

function selectedKeys(payload, nested) {
  const set = new Set();
  for (const e of payload?.choices ?? []) {
    if (Array.isArray(e)) {
      set.add(pathKey(e));
      // A path names its last step too: a config that drops allowNested still shows it.
      if (!nested && e.length) set.add(e[e.length - 1]);
    } else {
      set.add(e);
      if (nested) set.add(pathKey([e]));
    }
  }
  return set;
}

function optKey(opt, nested) { return nested ? pathKey(opt.path) : opt.key; }

// The new value.choices after toggling one option (single: replace or clear; multiple: add/remove).
export function toggled(payload, opt, { single, nested }) {
  const current = (payload?.choices ?? []).filter(() => true);
  const key = optKey(opt, nested);
  const had = current.some((e) => keyOfEntry(e) === key || (!nested && Array.isArray(e) && e[e.length - 1] === key));
  if (single) return had ? [] : [entryOf(opt, nested)];
  if (had) return current.filter((e) => keyOfEntry(e) !== key && !(!nested && Array.isArray(e) && e[e.length - 1] === key));
  return [...current, entryOf(opt, nested)];
}

// maxUsages (on Choices, or a Choice's own): how many results of this control in the task may
// carry one choice; with perRegion that is how many regions. How many use each option now, not
// counting the result of `regionId` (the one being edited).
function usage(ctx, nested, regionId) {
  const counts = new Map();
  for (const x of ctx.results?.peek?.() ?? []) {
    if ((x.regionId ?? null) === (regionId ?? null)) continue;
    for (const k of selectedKeys(x.value, nested)) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const limit = numberAttr(ctx, 'maxUsages', 0);
  // An option that may not be picked here any more: its limit is reached elsewhere.
  return (opt) => {
    const max = opt.maxUsages || limit;
    return max > 0 && (counts.get(optKey(opt, nested)) ?? 0) >= max;
  };
}

const NO_LIMIT = () => false;

function Choices({ ctx, options, filter, limited }) {
  const choice = String(attr(ctx, 'choice', 'single')).toLowerCase();
  const single = choice !== 'multiple';
  const radio = choice === 'single-radio';
  const nested = flag(ctx, 'allowNested');
  const layout = String(attr(ctx, 'layout', '')).toLowerCase();
  const inline = flag(ctx, 'showInline') || layout === 'inline' || layout === 'horizontal';
  const required = flag(ctx, 'required');
  const ro = readOnly(ctx) || flag(ctx, 'readonly');
  const payload = payloadOf(ctx);
  const region = ctx.selectedRegion?.value ?? null;
  if (perRegion(ctx) && !region) return null;
  const selected = selectedKeys(payload, nested);
  const query = filter?.query.value ?? '';
  const caseSensitive = filter?.caseSensitive ?? false;
  // With maxUsages, re-render when another region's choices change.
  if (limited) ctx.results?.value;
  const usedUp = limited ? usage(ctx, nested, region?.id ?? null) : NO_LIMIT;

  const toggle = (opt) => {
    if (ro) return;
    if (usedUp(opt) && !selected.has(optKey(opt, nested))) return;
    const next = toggled(payloadOf(ctx), opt, { single, nested });
    ctx.setResult(next.length ? { choices: next } : null);
    if (filter?.cleanup) filter.query.value = '';
  };

  if (layout === 'select') {
    const flat = [...eachOption(options)];
    const onChange = (e) => {
      const picked = [...e.currentTarget.selectedOptions].filter((o) => o.value !== '').map((o) => flat[Number(o.value)]).filter(Boolean);
      const next = picked.filter((o) => !usedUp(o) || selected.has(optKey(o, nested))).map((o) => entryOf(o, nested));
      ctx.setResult(next.length ? { choices: single ? next.slice(0, 1) : next } : null);
    };
    return html`<div class="ac-choices ac-select" data-control=${ctx.name}>
      <select multiple=${!single} disabled=${ro} aria-label=${ctx.name} aria-required=${required} onChange=${onChange}>
        ${single && html`<option value="" selected=${!flat.some((o) => selected.has(optKey(o, nested)))}>—</option>`}
        ${flat.map((o, i) => html`<option value=${i} selected=${selected.has(optKey(o, nested))}
          disabled=${usedUp(o) && !selected.has(optKey(o, nested))}
          >${'\u00a0\u00a0'.repeat(o.path.length - 1)}${o.label}</option>`)}
      </select>
    </div>`;
  }

  // An option is shown when it or one of its descendants passes the filter.
  const visible = (opt) => matches(opt, query, caseSensitive) || opt.children.some(visible);
  // A click neither moves focus into the input (onMouseDown) nor runs the label's activation
  // (onClick), so bare hotkeys keep working after it; Space on a focused input still toggles.
  const item = (opt) => {
    if (!visible(opt)) return null;
    const on = selected.has(optKey(opt, nested));
    const full = !on && usedUp(opt);
    const style = opt.style ? opt.style : undefined;
    const title = full ? `${opt.hint ? `${opt.hint} — ` : ''}used the most times allowed in this task` : (opt.hint ?? '');
    return html`<div class="ac-choice-item ${opt.children.length ? 'ac-has-children' : ''}" key=${opt.path.join('\u0000')}>
      <label class="ac-choice ${on ? 'ac-on' : ''} ${full ? 'ac-used-up' : ''}" title=${title} style=${style} data-value=${opt.key}
        onMouseDown=${(e) => e.preventDefault()} onClick=${(e) => { e.preventDefault(); toggle(opt); }}>
        <input type=${radio ? 'radio' : 'checkbox'} name=${`${ctx.name}-choice`} checked=${on} disabled=${ro || full} />
        ${opt.background && html`<span class="ac-swatch" style=${{ background: opt.background }}></span>`}
        ${opt.html ? html`<span dangerouslySetInnerHTML=${{ __html: opt.html }}></span>` : html`<span>${opt.label}</span>`}
        ${opt.hotkey && html`<kbd class="ac-hotkey">${opt.hotkey}</kbd>`}
      </label>
      ${opt.children.length > 0 && html`<div class="ac-choice-children">${opt.children.map(item)}</div>`}
    </div>`;
  };
  return html`<div class="ac-choices ${inline ? 'ac-inline' : 'ac-vertical'} ${required ? 'ac-required' : ''}"
      role=${radio ? 'radiogroup' : 'group'} aria-label=${ctx.name} aria-required=${required} data-control=${ctx.name}>
    ${options.map(item)}
  </div>`;
}

export function mountChoices(el, ctx) {
  const options = optionTree(ctx);
  const filter = filterOf(ctx.node, ctx.name, () => ({ query: signal(''), cleanup: true, caseSensitive: false }));
  const disposers = [];
  const choice = String(attr(ctx, 'choice', 'single')).toLowerCase();
  const nested = flag(ctx, 'allowNested');
  const limited = numberAttr(ctx, 'maxUsages', 0) > 0 || [...eachOption(options)].some((o) => o.maxUsages > 0);
  for (const opt of eachOption(options)) {
    if (!opt.hotkey || !ctx.hotkeys?.add) continue;
    disposers.push(ctx.hotkeys.add(opt.hotkey, () => {
      if (!actionable(ctx) || flag(ctx, 'readonly')) return false;
      const on = selectedKeys(payloadOf(ctx), nested).has(optKey(opt, nested));
      if (limited && !on && usage(ctx, nested, ctx.selectedRegion?.peek()?.id ?? null)(opt)) return false;
      const next = toggled(payloadOf(ctx), opt, { single: choice !== 'multiple', nested });
      ctx.setResult(next.length ? { choices: next } : null);
      return true;
    }, { description: `${ctx.name}: ${opt.label}` }));
  }
  const m = mountComponent(el, ctx, Choices, { options, filter, limited });
  return { destroy() { for (const d of disposers) d?.(); m.destroy(); } };
}

// What a new annotation starts with: the <Choice selected="true"> options (the first one only when a
// single choice is allowed), as Label Studio preselects them; null when none is.
export function choicesInitialValue(ctx) {
  const nested = flag(ctx, 'allowNested');
  const picked = [...eachOption(optionTree(ctx))].filter((o) => o.selected).map((o) => entryOf(o, nested));
  if (!picked.length) return null;
  const single = String(attr(ctx, 'choice', 'single')).toLowerCase() !== 'multiple';
  return { choices: single ? picked.slice(0, 1) : picked };
}
