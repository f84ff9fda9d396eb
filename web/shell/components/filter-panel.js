// The data manager's filters in Label Studio's grammar:
//   {conjunction, items: [{filter: "filter:tasks:<column>", operator, type, value}]}
// Edits are local until "Apply", so a half-typed value does not reload the table on every key.
import { useSignal } from '@preact/signals';
import { html } from '../lib/html.js';

const OPERATORS = {
  Number: ['equal', 'not_equal', 'greater', 'greater_or_equal', 'less', 'less_or_equal', 'exists', 'not_exists'],
  Datetime: ['greater', 'less', 'equal', 'exists', 'not_exists'],
  Boolean: ['equal'],
  String: ['contains', 'not_contains', 'equal', 'not_equal', 'starts_with', 'ends_with', 'exists', 'not_exists'],
  // Annotated by, Updated by, model versions: the server matches list items, and refuses
  // starts_with / ends_with on some of them ("operator ... is not supported on this column").
  List: ['contains', 'not_contains', 'equal', 'not_equal', 'exists', 'not_exists'],
};
const operatorsFor = (type) => OPERATORS[type] ?? OPERATORS.String;
// The filter type of a column: its own when known, else String (Text, Image... data fields).
const typeOf = (c) => (c && c.type in OPERATORS ? c.type : 'String');
const needsValue = (op) => op !== 'exists' && op !== 'not_exists';

// The value a filter is saved with. A blank one is null: Label Studio sends only filters that have a
// value, and the server skips an item whose value is null, so a half-entered row narrows nothing.
// A date is the picker's local time as UTC ISO, as Label Studio's toISOString() sends it.
function coerce(type, raw) {
  if (raw === '' || raw === null || raw === undefined) return null;
  if (type === 'Number') { const n = Number(raw); return Number.isFinite(n) ? n : raw; }
  if (type === 'Boolean') return raw === true || raw === 'true';
  if (type === 'Datetime') { const d = new Date(raw); return Number.isNaN(d.getTime()) ? raw : d.toISOString(); }
  return raw;
}

// A saved date (UTC ISO) as the picker's local "YYYY-MM-DDTHH:MM"; text the picker cannot show as is.
function localInput(value) {
  if (typeof value !== 'string' || !/[zZ]|[+-]\d\d:?\d\d$/.test(value)) return value ?? '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function FilterPanel({ columns, value, onChange }) {
  const draft = useSignal(value);
  const filterable = columns.filter((c) => c.type !== 'Image' || c.parent === 'data');
  const byFilter = new Map(filterable.map((c) => [`filter:tasks:${c.key}`, c]));

  const update = (index, changes) => {
    const items = draft.value.items.map((item, i) => (i === index ? { ...item, ...changes } : item));
    draft.value = { ...draft.value, items };
  };
  const add = () => {
    const c = filterable[0];
    if (!c) return;
    const type = typeOf(c);
    draft.value = { ...draft.value, items: [...draft.value.items, { filter: `filter:tasks:${c.key}`, operator: operatorsFor(type)[0], type, value: '' }] };
  };
  const remove = (index) => { draft.value = { ...draft.value, items: draft.value.items.filter((_, i) => i !== index) }; };
  const apply = () => {
    onChange({ ...draft.value, items: draft.value.items.map((item) => ({ ...item, value: needsValue(item.operator) ? coerce(item.type, item.value) : null })) });
  };

  return html`
    <div class="card filter-panel">
      ${draft.value.items.map((item, index) => {
        const col = byFilter.get(item.filter);
        // By the column's type, so a filter saved with another type is offered only what works.
        const ops = operatorsFor(col ? typeOf(col) : item.type);
        return html`<div class="filter-row">
          ${index === 0 ? html`<span class="conj">Where</span>` : index === 1
            ? html`<select class="conj" value=${draft.value.conjunction} onChange=${(e) => { draft.value = { ...draft.value, conjunction: e.currentTarget.value }; }}>
                <option value="and">and</option><option value="or">or</option></select>`
            : html`<span class="conj">${draft.value.conjunction}</span>`}
          <select name="filter-column" value=${item.filter} onChange=${(e) => {
            const type = typeOf(byFilter.get(e.currentTarget.value));
            update(index, { filter: e.currentTarget.value, type, operator: operatorsFor(type)[0], value: '' });
          }}>
            ${filterable.map((c) => html`<option value=${`filter:tasks:${c.key}`}>${c.parent === 'data' ? `data.${c.title}` : c.title}</option>`)}
          </select>
          <select name="filter-operator" value=${item.operator} onChange=${(e) => update(index, { operator: e.currentTarget.value })}>
            ${ops.map((op) => html`<option value=${op}>${op.replaceAll('_', ' ')}</option>`)}
          </select>
          ${!needsValue(item.operator) ? html`<span></span>`
            : item.type === 'Boolean'
              ? html`<select name="filter-value" value=${item.value === null || item.value === undefined ? '' : String(item.value)} onChange=${(e) => update(index, { value: e.currentTarget.value })}>
                  <option value="">choose…</option><option value="true">yes</option><option value="false">no</option></select>`
              : html`<input name="filter-value" value=${item.type === 'Datetime' ? localInput(item.value) : item.value ?? ''} type=${item.type === 'Number' ? 'number' : item.type === 'Datetime' ? 'datetime-local' : 'text'}
                  onInput=${(e) => update(index, { value: e.currentTarget.value })}
                  onKeyDown=${(e) => { if (e.key === 'Enter') apply(); }} />`}
          <button class="link" title="Remove this filter" onClick=${() => remove(index)}>×</button>
          ${col ? null : html`<span class="muted">(unknown column)</span>`}
        </div>`;
      })}
      <div class="buttons">
        <button onClick=${add}>Add filter</button>
        <button class="primary" onClick=${apply}>Apply</button>
      </div>
    </div>`;
}
