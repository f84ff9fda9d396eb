// /projects/{id}/data: the data manager. Views as tabs, columns from GET /api/dm/columns, a virtual
// table over GET /api/tasks (server-side pages, filters and ordering), selection including "all but
// these", and the actions (deletes, predictions to annotations, duplicates) through POST /api/dm/actions.
import { useEffect, useMemo } from 'preact/hooks';
import { useSignal, useComputed } from '@preact/signals';
import { html } from '../lib/html.js';
import { get, post, patch, del, qs } from '../lib/api.js';
import { navigate } from '../lib/router.js';
import { TaskPages } from '../lib/task-pages.js';
import { Layout, ProjectTabs, ErrorBox } from '../components/layout.js';
import { VirtualTable } from '../components/virtual-table.js';
import { FilterPanel } from '../components/filter-panel.js';
import { cellRenderer, columnWidth } from '../components/cells.js';
import { ExportDialog } from '../components/export-dialog.js';

const EMPTY_FILTERS = { conjunction: 'and', items: [] };

// Shown until a tab chooses its own columns (the server offers every task column).
const DEFAULT_VISIBLE = new Set(['id', 'completed_at', 'total_annotations', 'cancelled_annotations', 'total_predictions', 'annotators']);

// Leaf columns with their full key ("data.text" for a data field): the id, then the task's data,
// then the other task columns, as Label Studio's data manager shows them.
export function flattenColumns(columns) {
  const leaves = [];
  for (const c of columns ?? []) {
    if (Array.isArray(c.children)) continue;  // a group: its children are listed on their own
    const key = c.parent ? `${c.parent}.${c.id}` : c.id;
    const shown = c.parent === 'data' || DEFAULT_VISIBLE.has(c.id);
    leaves.push({ ...c, key, hiddenByDefault: c.visibility_defaults?.explore === false || !shown });
  }
  const rank = (c) => (c.key === 'id' ? 0 : c.parent === 'data' ? 1 : 2);
  return leaves.map((c, i) => [c, i]).sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1]).map(([c]) => c);
}

// The actions this page offers, in the server's order: the deletes, and two that change tasks in bulk.
const OFFERED_ACTIONS = new Set(['delete_tasks', 'delete_tasks_annotations', 'delete_tasks_predictions',
  'predictions_to_annotations', 'remove_duplicates']);
const UNDOABLE = new Set(['predictions_to_annotations']);

// A dialog's select fields (Label Studio's action forms: predictions_to_annotations' model version).
function formSelects(action) {
  return (action.dialog?.form ?? []).flatMap((row) => row.fields ?? []).filter((f) => f.type === 'select');
}

// The labeling stream's page: over /next ("label all"), or over a data-manager selection ("label
// these": Label Studio's selectedItems, {all, included} or {all, excluded}). The tab goes along:
// its saved filters decide what "all" is, and its ordering which task comes next (/next?view=V),
// so ticked tasks come in the table's order, not in the order they were ticked.
export function labelingUrl(projectId, selectedItems = null, viewId = null) {
  const base = `/projects/${projectId}/data?labeling=1`;
  const view = viewId !== null ? `&view=${viewId}` : '';
  if (!selectedItems) return base + view;
  return `${base}&selectedItems=${encodeURIComponent(JSON.stringify(selectedItems))}${view}`;
}

// The open tab is kept in the address as Label Studio keeps it (?tab=<view id>), so a reload or a
// shared link opens it. Replaced, not pushed: Back leaves the data manager (or, from a task opened
// here, comes back to this tab) instead of stepping through every tab clicked. Other parameters stay.
function showTabInAddress(viewId) {
  const q = new URLSearchParams(window.location.search);
  if (q.get('tab') === String(viewId)) return;
  q.set('tab', viewId);
  navigate(`${window.location.pathname}?${q}${window.location.hash}`, { replace: true });
}

export function DataManager({ projectId }) {
  const project = useSignal(null);
  const views = useSignal([]);
  const viewId = useSignal(null);
  const columns = useSignal([]);
  const actions = useSignal([]);
  const filters = useSignal(EMPTY_FILTERS);
  const ordering = useSignal([]);
  const hidden = useSignal(null);                       // null: the columns' defaults
  const widths = useSignal({});                         // resized columns: {"tasks:data.text": px}, as Label Studio's columnsWidth
  const selection = useSignal({ all: false, ids: new Set() });
  const showFilters = useSignal(false);
  const showColumns = useSignal(false);
  const showExport = useSignal(false);
  const savesPending = useSignal(0);
  const saveQueue = useMemo(() => ({ tail: Promise.resolve() }), [projectId]);
  const pending = useSignal(null);                      // the action waiting for confirmation
  const error = useSignal(null);
  const notice = useSignal('');
  const resetKey = useSignal(0);                        // bumps when the rows start again from the top
  const users = useSignal(new Map());                   // GET /api/users by id: the user columns' names

  // The rows of what the page shows (its filters and ordering as `query`), not of `view`: the server
  // reads a view's saved filters before `query`, and the save of an edit may still be on its way.
  const pages = useMemo(() => new TaskPages((page, pageSize, signal) => {
    const query = { filters: filters.peek(), ordering: ordering.peek() };
    return get('/api/tasks' + qs({
      project: projectId, page, page_size: pageSize, fields: 'task_only',
      query: JSON.stringify(query),
    }), { signal });
  }), [projectId]);

  // Project, views, columns and actions; then the first page. The users load once beside them, so
  // no cell asks for its user; without them the user columns show ids, and the table still works.
  useEffect(() => {
    get('/api/users').then((list) => {
      users.value = new Map((Array.isArray(list) ? list : list?.results ?? []).map((u) => [u.id, u]));
    }).catch(() => {});
    let gone = false;   // left before the tabs came: the address is another page's now
    (async () => {
      try {
        const [p, v, c, a] = await Promise.all([
          get(`/api/projects/${projectId}`),
          get('/api/dm/views' + qs({ project: projectId })),
          get('/api/dm/columns' + qs({ project: projectId })),
          get('/api/dm/actions' + qs({ project: projectId })),
        ]);
        project.value = p;
        document.title = `${p.title} · Data · Annot`;
        columns.value = flattenColumns(c?.columns ?? c);
        actions.value = (Array.isArray(a) ? a : []).filter((x) => !x.hidden);
        let list = Array.isArray(v) ? v : v?.results ?? [];
        if (list.length === 0) {
          // Label Studio's data manager always has at least one tab.
          list = [await post('/api/dm/views', { project: projectId, data: { title: 'Default', filters: EMPTY_FILTERS, ordering: [] } })];
        }
        if (gone) return;
        views.value = list;
        // ?tab=ID opens that tab; an id that is not one of this project's tabs opens the first
        // (and the address then names it). Without ?tab the address is left as it is.
        const wanted = new URLSearchParams(window.location.search).get('tab');
        selectView(list.find((x) => String(x.id) === wanted) ?? list[0], { address: wanted !== null });
      } catch (e) {
        error.value = e;
      }
    })();
    return () => {
      gone = true;
      pages.reset();
    };
  }, [projectId]);

  const selectView = (view, { address = true } = {}) => {
    viewId.value = view.id;
    if (address) showTabInAddress(view.id);
    filters.value = view.data?.filters?.items ? view.data.filters : EMPTY_FILTERS;
    ordering.value = Array.isArray(view.data?.ordering) ? view.data.ordering : [];
    hidden.value = Array.isArray(view.data?.hiddenColumns?.explore) ? view.data.hiddenColumns.explore : null;
    widths.value = view.data?.columnsWidth && typeof view.data.columnsWidth === 'object' ? view.data.columnsWidth : {};
    selection.value = { all: false, ids: new Set() };
    pages.total.value = null;
    resetKey.value++;
    pages.reload({ fromTop: true });
  };

  // Saves the current tab's filters, ordering and hidden columns, then reloads its rows. Saves go one
  // after another, each with the state of its edit: two PATCHes in flight at once could be applied out
  // of order, leaving an older edit saved. `savesPending` counts the saves not answered yet (the
  // export dialog exports the tab as the server has saved it, so it waits for them).
  const saveView = (reload = true) => {
    const view = views.value.find((x) => x.id === viewId.value);
    if (reload) {
      selection.value = { all: false, ids: new Set() };
      resetKey.value++;
      pages.reload({ fromTop: true });
    }
    if (!view) return saveQueue.tail;
    const data = { ...view.data, filters: filters.value, ordering: ordering.value };
    if (hidden.value) data.hiddenColumns = { ...(view.data?.hiddenColumns ?? {}), explore: hidden.value };
    data.columnsWidth = widths.value;
    savesPending.value++;
    saveQueue.tail = saveQueue.tail.then(async () => {
      try {
        const saved = await patch(`/api/dm/views/${view.id}`, { project: projectId, data });
        views.value = views.value.map((x) => (x.id === view.id ? saved ?? { ...x, data } : x));
      } catch (e) {
        error.value = e;
      } finally {
        savesPending.value--;
      }
    });
    return saveQueue.tail;
  };

  const addView = async () => {
    try {
      const view = await post('/api/dm/views', {
        project: projectId, data: { title: `Tab ${views.value.length + 1}`, filters: EMPTY_FILTERS, ordering: [] },
      });
      views.value = [...views.value, view];
      selectView(view);
    } catch (e) { error.value = e; }
  };

  const closeView = async (view) => {
    try {
      await del(`/api/dm/views/${view.id}`);
      views.value = views.value.filter((x) => x.id !== view.id);
      if (viewId.value === view.id && views.value.length) selectView(views.value[0]);
    } catch (e) { error.value = e; }
  };

  const visible = useComputed(() => {
    const hide = hidden.value ? new Set(hidden.value) : null;
    return columns.value.filter((c) => (hide ? !hide.has(`tasks:${c.key}`) : !c.hiddenByDefault));
  });
  const tableColumns = useComputed(() => visible.value.map((c) => ({
    ...c, width: columnWidth(c), cell: cellRenderer(c, users.value),
  })));
  // The table's widths by column key; the tab keeps them by Label Studio's column id ("tasks:id").
  const tableWidths = useComputed(() => Object.fromEntries(Object.entries(widths.value)
    .filter(([id, w]) => id.startsWith('tasks:') && Number.isFinite(w) && w > 0).map(([id, w]) => [id.slice(6), w])));
  const resizeColumn = (key, width) => {
    const next = { ...widths.value };
    if (width === null) delete next[`tasks:${key}`]; else next[`tasks:${key}`] = width;
    widths.value = next;
    saveView(false);
  };

  const total = pages.total.value ?? 0;
  const sel = selection.value;
  const selectedCount = sel.all ? total - sel.ids.size : sel.ids.size;
  const isSelected = (id) => (sel.all ? !sel.ids.has(id) : sel.ids.has(id));
  const toggle = (id) => {
    const ids = new Set(sel.ids);
    if (ids.has(id)) ids.delete(id); else ids.add(id);
    selection.value = { all: sel.all, ids };
  };
  const toggleAll = () => {
    selection.value = { all: !(sel.all && sel.ids.size === 0), ids: new Set() };
  };

  const sortBy = (col) => {
    const key = `tasks:${col.key}`;
    const current = ordering.value[0];
    ordering.value = current === key ? [`-${key}`] : current === `-${key}` ? [] : [key];
    saveView();
  };

  const header = (col) => {
    if (!col) {
      const all = sel.all && sel.ids.size === 0;
      const some = selectedCount > 0 && !all;
      return html`<input type="checkbox" aria-label="Select all tasks" checked=${all}
                         ref=${(el) => { if (el) el.indeterminate = some; }} onChange=${toggleAll} />`;
    }
    const key = `tasks:${col.key}`;
    const dir = ordering.value[0] === key ? '▲' : ordering.value[0] === `-${key}` ? '▼' : '';
    if (col.orderable === false) return html`<span class="th" title=${col.help || col.title}>${col.title}</span>`;
    return html`<button class="th" title=${col.help || col.title} onClick=${() => sortBy(col)}>${col.title} <span class="sort">${dir}</span></button>`;
  };
  const leading = (task) => html`<input type="checkbox" aria-label=${`Select task ${task.id}`}
    checked=${isSelected(task.id)} onChange=${() => toggle(task.id)} />`;

  // The dialogs' choices (annotators, model versions) change as people work: fetched again on opening.
  const openActions = () => {
    if (pending.value) { pending.value = null; return; }
    pending.value = 'menu';
    get('/api/dm/actions' + qs({ project: projectId }))
      .then((a) => { if (Array.isArray(a)) actions.value = a.filter((x) => !x.hidden); })
      .catch(() => {});
  };

  const runAction = async (action, form) => {
    pending.value = null;
    try {
      const selectedItems = sel.all ? { all: true, excluded: [...sel.ids] } : { all: false, included: [...sel.ids] };
      const fields = {};
      for (const f of formSelects(action)) {
        const chosen = form?.elements?.namedItem(f.name)?.value;
        if (chosen) fields[f.name] = chosen;
      }
      const answer = await post('/api/dm/actions' + qs({ id: action.id, project: projectId }), {
        selectedItems, filters: filters.value, ordering: ordering.value, ...fields,
      });
      // delete_tasks asks for a reload when the project was left without tasks, and so without tabs.
      if (answer?.reload && action.id === 'delete_tasks') { window.location.reload(); return; }
      notice.value = `${action.title}: ` + (answer?.detail ? `${answer.detail}.`
        : 'done' + (answer?.processed_items !== undefined ? ` (${answer.processed_items} tasks)` : '.'));
      selection.value = { all: false, ids: new Set() };
      pages.reload();
    } catch (e) {
      error.value = e;
    }
  };

  const name = project.value?.title ?? `Project #${projectId}`;
  const selectedItems = sel.all ? { all: true, excluded: [...sel.ids] } : { all: false, included: [...sel.ids] };
  const toolbarActions = html`<a class="button" href=${`/projects/${projectId}/import`}>Import</a>
    <button type="button" onClick=${() => { showExport.value = true; }}>Export</button>`;
  return html`<${Layout} crumbs=${[['Projects', '/projects'], [name]]} actions=${toolbarActions}>
    <${ProjectTabs} projectId=${projectId} current="data" />
    <div class="dm">
      <div class="view-tabs" role="tablist">
        ${views.value.map((v) => html`
          <div role="tab" class=${'view-tab' + (v.id === viewId.value ? ' active' : '')} aria-selected=${v.id === viewId.value}>
            <button class="link" onClick=${() => selectView(v)}>${v.data?.title || `Tab ${v.id}`}</button>
            ${views.value.length > 1 ? html`<button class="link close" title="Close this tab" onClick=${() => closeView(v)}>×</button>` : null}
          </div>`)}
        <button class="link add-tab" title="New tab" onClick=${addView}>+</button>
      </div>
      <div class="dm-toolbar">
        <div class="dropdown">
          <button disabled=${selectedCount === 0} onClick=${openActions}>
            Actions${selectedCount ? ` (${selectedCount})` : ''}
          </button>
          ${pending.value === 'menu' ? html`<ul class="menu" role="menu">
            ${actions.value.filter((a) => OFFERED_ACTIONS.has(a.id)).sort((a, b) => (a.order ?? 0) - (b.order ?? 0)).map((a) => html`
              <li role="menuitem"><button class="link" data-action=${a.id} onClick=${() => { pending.value = a; }}>${a.title}</button></li>`)}
          </ul>` : null}
        </div>
        <button class=${showFilters.value ? 'active' : ''} onClick=${() => { showFilters.value = !showFilters.value; }}>
          Filters${filters.value.items.length ? ` (${filters.value.items.length})` : ''}
        </button>
        <button class=${showColumns.value ? 'active' : ''} onClick=${() => { showColumns.value = !showColumns.value; }}>Columns</button>
        ${total > 0 ? html`<a class="button primary" href=${labelingUrl(projectId, null, viewId.value)}>Label all tasks</a>` : null}
        ${selectedCount > 0 ? html`<a class="button" href=${labelingUrl(projectId, selectedItems, viewId.value)}>Label these (${selectedCount.toLocaleString()})</a>` : null}
        <span class="muted dm-count">${pages.total.value === null ? 'Loading…' : `${total.toLocaleString()} task${total === 1 ? '' : 's'}`}${selectedCount ? ` · ${selectedCount.toLocaleString()} selected` : ''}</span>
      </div>
      ${pending.value && pending.value !== 'menu' ? html`
        <form class="card confirm" role="alertdialog" onSubmit=${(e) => { e.preventDefault(); runAction(pending.value, e.currentTarget); }}>
          <span>${pending.value.title} for ${selectedCount.toLocaleString()} task${selectedCount === 1 ? '' : 's'}?${UNDOABLE.has(pending.value.id) ? '' : ' This cannot be undone.'}</span>
          ${formSelects(actions.value.find((a) => a.id === pending.value.id) ?? pending.value).map((f) => html`<label>${f.label ?? f.name}
            <select name=${f.name}>${f.placeholder ? html`<option value="">${f.placeholder}</option>` : null}${(f.options ?? []).map((o) => (typeof o === 'object'
              ? html`<option value=${o.value}>${o.label ?? o.value}</option>` : html`<option value=${o}>${o}</option>`))}</select></label>`)}
          <button type="submit" class=${UNDOABLE.has(pending.value.id) ? 'primary' : 'danger'}>${pending.value.title}</button>
          <button type="button" onClick=${() => { pending.value = null; }}>Cancel</button>
        </form>` : null}
      ${showFilters.value ? html`<${FilterPanel} key=${viewId.value} columns=${columns.value} value=${filters.value}
          onChange=${(f) => { filters.value = f; saveView(); }} />` : null}
      ${showColumns.value ? html`<div class="card column-chooser">
        ${columns.value.map((c) => {
          const on = visible.value.includes(c);
          const flip = () => {
            const hide = new Set(hidden.value ?? columns.value.filter((x) => x.hiddenByDefault).map((x) => `tasks:${x.key}`));
            if (on) hide.add(`tasks:${c.key}`); else hide.delete(`tasks:${c.key}`);
            hidden.value = [...hide];
            saveView(false);
          };
          return html`<label><input type="checkbox" checked=${on} onChange=${flip} /> ${c.title}</label>`;
        })}
      </div>` : null}
      <${ErrorBox} error=${error.value || pages.error.value} />
      ${notice.value ? html`<div class="notice-line" role="status">${notice.value}</div>` : null}
      ${pages.total.value === 0 ? html`<div class="card notice empty">
        <h3>No tasks${filters.value.items.length ? ' match these filters' : ' yet'}</h3>
        ${filters.value.items.length ? null : html`<a class="button primary" href=${`/projects/${projectId}/import`}>Import data</a>`}
      </div>` : null}
      ${columns.value.length && pages.total.value !== 0 ? html`<${VirtualTable}
        columns=${tableColumns.value} rowCount=${total} row=${(i) => pages.row(i)} version=${pages.version.value} resetKey=${resetKey.value}
        onRange=${(a, b) => pages.ensure(a, b)} header=${header} leading=${leading}
        widths=${tableWidths.value} onResize=${resizeColumn}
        onOpen=${(task) => navigate(`/projects/${projectId}/data?task=${task.id}`)} />` : null}
    </div>
    ${showExport.value ? html`<${ExportDialog} projectId=${projectId} onClose=${() => { showExport.value = false; }}
      scope=${{
        viewId: viewId.value, total: pages.total.value,
        viewTitle: views.value.find((v) => v.id === viewId.value)?.data?.title || `Tab ${viewId.value}`,
        filtered: (filters.value.items ?? []).length > 0,
        selectedItems: selectedCount > 0 ? selectedItems : null, selectedCount,
        saving: savesPending.value > 0,
      }} />` : null}
  <//>`;
}
