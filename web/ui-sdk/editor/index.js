// The labeling editor: mountEditor(el, options) parses the config, imports the plugins that own its
// tags, mounts each tag with a ctx (web/ui-sdk/CONTRACT.md) and renders what the framework owns:
// labels bars, the outliner, relations, per-region and visibleWhen placement, undo/redo, hotkeys and
// the submit / update / skip toolbar.
import { render } from 'preact';
import { html } from 'htm/preact';
import { signal, computed, effect, batch } from '@preact/signals';
import { parseConfig, expandRepeaters, nodeAttr, isTrue, walk, toNames, resolveValue } from './config.js';
import { loadCatalog, loadPluginModule, linkStyle } from './catalog.js';
import { AnnotationStore } from './store.js';
import { Hotkeys } from './hotkeys.js';
import { labelsOf, stableColor } from './util.js';
import { LabelsBar } from './labels-bar.js';
import { Sidebar } from './sidebar.js';
import { Toolbar } from './toolbar.js';

export { parseConfig, expandRepeaters } from './config.js';
export { loadCatalog } from './catalog.js';
export { AnnotationStore, toResult, fromResult } from './store.js';

// Auto-assigned label hotkeys, in order.
const LABEL_KEYS = '1234567890abcdefghijklmnopqrstuvwxyz';
const FRAMEWORK_KEYS = new Set(['u', 'h']);  // the framework's own bare keys: unselect, hide

// options: {config, task: {id, data}, annotation, predictions, draft, readOnly, preview,
//           onSubmit({result, lead_time}), onUpdate({result, lead_time}), onSkip({result, lead_time})
//           (each may resolve to true: saved, the editor stays locked until the page replaces it),
//           onChange(editor)}. Returns {destroy(), ready, store, getResult(), leadTime(), ...}.
export function mountEditor(el, options = {}) {
  linkStyle('/static/ui-sdk/editor/editor.css');
  const editor = new Editor(el, options);
  editor.ready = editor.start().catch((error) => {
    if (!editor.destroyed) editor.showError(error);
    throw error;
  });
  // A caller that does not await `ready` must not get an unhandled rejection on a bad config.
  editor.ready.catch(() => {});
  return editor;
}

// Starts loading what mountEditor(config) will need (the tag catalog, the owner plugins' modules
// and styles), so a page can overlap it with fetching the task. Never rejects.
export async function preloadEditor(config) {
  try {
    const root = parseConfig(config);
    const catalog = await loadCatalog();
    const owners = new Set();
    for (const node of walk(root)) {
      const owner = catalog.tags.get(node.tag)?.owner;
      if (owner) owners.add(owner);
    }
    await Promise.all([...owners].map((name) => loadPluginModule(catalog, name)));
  } catch {
    // mountEditor reports the same problem where the user sees it.
  }
}

// The parsed config's named tags: objects (name -> {node, info, name}), controls (name -> {node,
// info, name, tag, attrs, toNames, perRegion, labels}) and every node in document order. `catalog`
// is loadCatalog()'s answer; `data` the task data (dynamic labels).
export function configModel(root, catalog, data = {}) {
  const objects = new Map();
  const controls = new Map();
  const nodes = [];
  for (const node of walk(root)) {
    nodes.push(node);
    const info = catalog.tags.get(node.tag) ?? null;
    const name = nodeAttr(node, 'name');
    if (!info || !name) continue;
    if (info.role === 'object') objects.set(name, { node, info, name });
    if (info.role === 'control') {
      controls.set(name, {
        node, info, name, tag: node.tag, attrs: node.attrs,
        toNames: toNames(node).length ? toNames(node) : [name],
        perRegion: isTrue(nodeAttr(node, 'perRegion')),
        labels: info.payload === 'label_list' ? labelsOf(node, data) : [],
      });
    }
  }
  return { objects, controls, nodes };
}

class Editor {
  constructor(el, options) {
    this.el = el;
    this.options = options;
    this.task = options.task ?? { id: null, data: {} };
    if (!this.task.data || typeof this.task.data !== 'object') this.task = { ...this.task, data: {} };
    this.readOnly = signal(Boolean(options.readOnly));
    this.destroyed = false;
    this.disposers = [];
    this.beforeSendHooks = new Set();
    this.historyHooks = signal([]);   // ctx.history() handlers: edits in progress that take undo / redo first
    this.started = performance.now();
    this.linkFrom = signal(null);   // region id a relation is being drawn from
    el.classList.add('annot-editor-host');
    el.annotEditor = this;   // for tests and tools: the editor mounted here
    el.replaceChildren();
    this.frame = document.createElement('div');
    this.frame.className = 'annot-editor';
    this.frame.innerHTML = '<div class="annot-editor-toolbar"></div><div class="annot-editor-body">' +
      '<div class="annot-editor-main" data-testid="editor-main"></div><aside class="annot-editor-side"></aside></div>';
    el.appendChild(this.frame);
    this.toolbarEl = this.frame.querySelector('.annot-editor-toolbar');
    this.mainEl = this.frame.querySelector('.annot-editor-main');
    this.sideEl = this.frame.querySelector('.annot-editor-side');
    this.mainEl.innerHTML = '<div class="annot-editor-loading" role="status">Loading the editor…</div>';
  }

  async start() {
    // Performance marks (annot:editor-*) let benches see where the time to interactive goes.
    performance.mark('annot:editor-start');
    this.root = expandRepeaters(parseConfig(this.options.config), this.task.data);
    this.catalog = await loadCatalog();
    performance.mark('annot:editor-catalog');
    if (this.destroyed) return this;
    this.index();
    this.store = new AnnotationStore(this.controls);
    // Labels given to regions by another Labels control (per-region results: Rectangle + Labels
    // save a labels result with the rectangle's id), by region id, as {from (that control), labels}:
    // one pass over the results instead of one per region.
    this.resultLabels = computed(() => {
      const map = new Map();
      for (const x of this.store.results.value) {
        if (!x.regionId) continue;
        const key = this.controls.get(x.from_name)?.info?.payload_key;
        const labels = key ? x.value?.[key] : null;
        if (this.controls.get(x.from_name)?.info?.payload === 'label_list' && Array.isArray(labels) && labels.length && !map.has(x.regionId)) {
          map.set(x.regionId, { from: x.from_name, labels });
        }
      }
      return map;
    });
    const owners = new Set();
    for (const node of walk(this.root)) {
      const info = this.catalog.tags.get(node.tag);
      if (info?.owner) owners.add(info.owner);
    }
    const loaded = await Promise.all([...owners].map(async (name) => [name, await loadPluginModule(this.catalog, name)]));
    if (this.destroyed) return this;
    this.modules = new Map(loaded);
    performance.mark('annot:editor-modules');
    // An object tag no plugin module can show leaves the annotator labeling what they cannot see:
    // the task is read only here (no Submit, Update or Skip), and the toolbar says why.
    this.unshown = [...this.objects.values()]
      .filter((o) => typeof this.modules.get(o.info.owner)?.module?.tags?.[o.node.tag]?.mount !== 'function')
      .map((o) => `${o.node.tag} (${o.name})`);
    if (this.unshown.length) this.readOnly.value = true;
    this.hotkeys = new Hotkeys();
    this.assignLabelHotkeys();
    this.loadInitial();
    this.renderFrame();
    this.mountTree();
    this.frame.dataset.ready = 'true';
    performance.mark('annot:editor-ready');
    return this;
  }

  // ---- the config: objects, controls, labels ----
  index() {
    ({ objects: this.objects, controls: this.controls, nodes: this.nodes } = configModel(this.root, this.catalog, this.task.data));
    // What the labels bars say to draw, per control: the labels picked (sticky until changed).
    this.picked = new Map([...this.controls.keys()].map((name) => [name, signal([])]));
    this.activeControl = new Map([...this.objects.keys()].map((name) => [name, signal(null)]));
    this.companion = new Map([...this.objects.keys()].map((name) => [name, signal(null)]));
    // <Label selected="true"> starts picked, as in Label Studio.
    for (const c of this.controls.values()) {
      const preset = c.labels.filter((l) => l.node && isTrue(nodeAttr(l.node, 'selected'))).map((l) => l.value);
      if (!preset.length) continue;
      this.picked.get(c.name).value = nodeAttr(c.node, 'choice') === 'multiple' ? preset : preset.slice(0, 1);
      for (const obj of c.toNames) {
        if (!this.activeControl.has(obj) || this.activeControl.get(obj).peek()) continue;
        if (this.isCompanion(c)) {
          this.companion.get(obj).value = c.name;
          this.activeControl.get(obj).value = this.toolsOf(obj)[0]?.name ?? null;
        } else {
          this.activeControl.get(obj).value = c.name;
        }
      }
    }
  }

  // Label hotkeys: each <Label hotkey> is kept; the others get 1..9, 0, then letters, skipping every
  // plugin's reservedHotkeys, every hotkey written in the config and the framework's own keys.
  assignLabelHotkeys() {
    const taken = new Set(FRAMEWORK_KEYS);
    for (const { module } of this.modules.values()) for (const k of module?.reservedHotkeys ?? []) taken.add(String(k).toLowerCase());
    for (const node of this.nodes) {
      const hk = nodeAttr(node, 'hotkey');
      if (hk) taken.add(String(hk).toLowerCase());
    }
    for (const c of this.controls.values()) for (const l of c.labels) if (l.hotkey) taken.add(l.hotkey.toLowerCase());
    let next = 0;
    for (const c of this.controls.values()) {
      for (const l of c.labels) {
        if (l.hotkey) continue;
        while (next < LABEL_KEYS.length && taken.has(LABEL_KEYS[next])) ++next;
        if (next >= LABEL_KEYS.length) break;
        l.hotkey = LABEL_KEYS[next];
        taken.add(l.hotkey);
      }
    }
  }

  labelColor(fromName, label) {
    const c = this.controls.get(fromName);
    const l = c?.labels.find((x) => x.value === label || x.text === label);
    return l?.background || stableColor(String(label ?? fromName));
  }

  // The labels of a region (its own label list, else a per-region Labels result).
  regionLabels(region) {
    return this.labelSource(region)?.labels ?? [];
  }

  // The colour of a region's first label, looked up in the control that gave it (a tool's region
  // is labelled by the Labels beside it, whose <Label background> counts); null without a label.
  regionColor(region) {
    const source = this.labelSource(region);
    return source ? this.labelColor(source.from, source.labels[0]) : null;
  }

  // {from: the control whose labels a region has, labels}, or null.
  labelSource(region) {
    const key = this.controls.get(region.from_name)?.info?.payload_key;
    const own = key && Array.isArray(region.value?.[key]) ? region.value[key] : null;
    if (own?.length) return { from: region.from_name, labels: own };
    return this.resultLabels.value.get(region.id) ?? null;
  }

  // ---- the annotation shown ----
  loadInitial() {
    const { annotation, predictions, draft } = this.options;
    if (draft?.result) this.store.load(draft.result);
    else if (annotation?.result) this.store.load(annotation.result);
    else if (!annotation && predictions?.length) this.store.load(predictions[0].result, { origin: 'prediction' });
    else this.store.load(annotation || this.readOnly.peek() ? [] : this.defaultResults());
    // Changes reach the page (drafts) after the first load.
    let first = true;
    this.disposers.push(effect(() => {
      this.store.version.value;
      if (first) { first = false; return; }
      this.options.onChange?.(this);
    }));
  }

  // What a new annotation starts with (Label Studio writes these when it creates one): each
  // whole-object control's initial value from its plugin (tags[Tag].initialValue: <Choice
  // selected>, Rating / Number defaultValue...). Not for drafts, annotations or predictions.
  defaultResults() {
    const out = [];
    const data = this.task.data;
    for (const c of this.controls.values()) {
      if (c.perRegion) continue;
      const initial = this.modules.get(c.info.owner)?.module?.tags?.[c.tag]?.initialValue;
      if (typeof initial !== 'function') continue;
      let value = null;
      try {
        value = initial({ tag: c.tag, name: c.name, node: c.node, attrs: c.node.attrs, task: this.task,
          attr: (key, fallback) => resolveValue(nodeAttr(c.node, key, fallback), data), resolve: (v) => resolveValue(v, data) });
      } catch (error) {
        console.warn(`editor: the initial value of ${c.tag} (${c.name}) failed`, error);
      }
      if (!value || typeof value !== 'object') continue;
      out.push({ from_name: c.name, to_name: c.tag === 'Pairwise' ? c.name : c.toNames[0],
        type: c.info.result_types?.[0] ?? c.tag.toLowerCase(), value, origin: 'manual' });
    }
    return out;
  }

  getResult() { return this.store.toResult(); }
  leadTime() { return Math.round((performance.now() - this.started)) / 1000; }

  // ---- actions (toolbar and hotkeys) ----
  canSave() { return !this.readOnly.value && !this.options.preview; }

  // The first required control without a result (Label Studio checks this in the editor, not the
  // server): its requiredMessage, else a sentence naming it; null when all are there.
  missingRequired() {
    const { store } = this;
    for (const c of this.controls.values()) {
      if (!isTrue(nodeAttr(c.node, 'required'))) continue;
      // A hidden control (visibleWhen) is not asked for.
      const el = this.mainEl.querySelector(`.annot-tag[data-name="${CSS.escape(c.name)}"]`);
      if (el?.closest('[hidden]') && !c.perRegion) continue;
      const message = nodeAttr(c.node, 'requiredMessage') || `"${c.name}" is required`;
      if (c.info.needs_region && !c.perRegion) {
        const used = store.regions.peek().some((r) => r.from_name === c.name) ||
          store.results.peek().some((x) => x.from_name === c.name && x.regionId);
        if (!used) return message;
      } else if (c.perRegion) {
        const regions = store.regions.peek().filter((r) => c.toNames.includes(r.to_name));
        const missing = regions.find((r) => !store.results.peek().some((x) => x.from_name === c.name && x.regionId === r.id));
        if (missing) return `${message} (region ${this.regionLabels(missing)[0] ?? missing.id})`;
      } else if (!store.results.peek().some((x) => x.from_name === c.name && !x.regionId)) {
        return message;
      }
    }
    return null;
  }

  // What controls hold but have not committed yet (a transcription being typed, committed on blur)
  // goes into the result now: before a submit, and before the page keeps a draft as it goes away.
  commitPending() {
    if (this.readOnly.peek() || this.store.frozen) return;
    for (const fn of this.beforeSendHooks) {
      try { fn(); } catch (e) { console.warn('beforeSend', e); }
    }
  }

  async act(kind) {
    const hook = { submit: this.options.onSubmit, update: this.options.onUpdate, skip: this.options.onSkip }[kind];
    if (!hook || this.busy?.value) return;
    if (kind !== 'skip') this.commitPending();
    this.problem.value = kind === 'skip' ? null : this.missingRequired();
    if (this.problem.value) return;
    this.busy.value = true;
    this.store.frozen = true;   // no change while saving: it would be shown, then lost
    let saved = false;
    try {
      // A hook that resolves to true has saved: the page is about to replace this editor, which
      // stays locked until then (another ctrl+enter would post a second annotation).
      saved = (await hook({ result: this.getResult(), lead_time: this.leadTime(), editor: this })) === true;
    } finally {
      if (!this.destroyed && !saved) {
        this.busy.value = false;
        this.store.frozen = false;
      }
    }
  }

  // Undo and redo (keys and toolbar buttons). A tag with an edit in progress that is not in the
  // annotation yet (a polygon being drawn) takes the step first: the annotation's own steps must
  // not change under it.
  undo() {
    if (this.readOnly.peek()) return;
    for (const h of this.historyHooks.peek()) if (h.undo?.() === true) return;
    this.store.undo();
  }

  redo() {
    if (this.readOnly.peek()) return;
    for (const h of this.historyHooks.peek()) if (h.redo?.() === true) return;
    this.store.redo();
  }

  // Whether undo / redo would do something now, for the toolbar's buttons: the first edit in
  // progress that says (ctx.history's canUndo / canRedo signals, true or false) decides, as it
  // would take the key; else the annotation's stack. key: 'canUndo' | 'canRedo'.
  canStep(key) {
    for (const h of this.historyHooks.value) {
      const can = h[key]?.value;
      if (typeof can === 'boolean') return can;
    }
    return this.store[key].value;
  }

  pickLabel(controlName, label, { additive = false } = {}) {
    const c = this.controls.get(controlName);
    if (!c) return;
    const sel = [...this.store.selection.peek()].map((id) => this.store.region(id)).filter((r) => r && this.canLabel(c, r));
    // Labels clicked while regions are selected relabel them (one undo step); selected regions this
    // control cannot label are left alone, and with none it can, the label is picked for drawing.
    if (sel.length && label !== null && !this.readOnly.peek()) {
      const multiple = nodeAttr(c.node, 'choice') === 'multiple';
      let labels = [label];
      if (multiple) {
        const current = this.labelsFrom(controlName, sel[0]);
        labels = current.includes(label) ? current.filter((x) => x !== label) : [...current, label];
      }
      this.store.relabel(sel.map((r) => r.id), controlName, labels);
      return;
    }
    const picked = this.picked.get(controlName);
    let activate;
    let next = picked.peek();
    if (label === null) {
      activate = !this.isActive(controlName);   // a tool button toggles
    } else {
      const multiple = nodeAttr(c.node, 'choice') === 'multiple' || additive;
      if (next.includes(label)) next = next.filter((x) => x !== label);
      else next = multiple ? [...next, label] : [label];
      activate = next.length > 0;
    }
    const companion = this.isCompanion(c);
    batch(() => {
      picked.value = next;
      for (const obj of c.toNames) {
        const active = this.activeControl.get(obj);
        if (!active) continue;
        if (companion) {
          // Plain <Labels> beside tools (Rectangle + Labels): its labels go with the tool drawing;
          // with no tool on, the object's first tool is taken.
          this.companion.get(obj).value = activate ? controlName : null;
          const current = this.controls.get(active.peek());
          if (activate && current?.info.payload !== 'none') active.value = this.toolsOf(obj)[0]?.name ?? null;
        } else if (activate) {
          active.value = controlName;
        } else if (active.peek() === controlName) {
          active.value = null;
        }
      }
      // One control at a time per object: picking here clears the other bars on the same objects
      // (a tool and its companion Labels go together).
      if (activate) {
        for (const [name, other] of this.controls) {
          if (name === controlName || !other.toNames.some((o) => c.toNames.includes(o))) continue;
          if ((companion && other.info.payload === 'none') || (c.info.payload === 'none' && this.isCompanion(other))) continue;
          this.picked.get(name).value = [];
          if (this.isCompanion(other)) for (const obj of other.toNames) if (this.companion.get(obj)?.peek() === name) this.companion.get(obj).value = null;
        }
      }
    });
  }

  // Whether a label of control `c` may go on region `r`, as Label Studio's Label.toggleSelected
  // decides: a plain <Labels> labels any region of its objects; a typed one (RectangleLabels,
  // PolygonLabels...) only regions of its own kind, whichever control drew them (RectangleLabels
  // labels a <Rectangle>'s boxes; BrushLabels a MagicWand's masks, which are brush regions).
  canLabel(c, r) {
    if (!c.toNames.includes(r.to_name)) return false;
    const type = c.info.result_types?.[0];
    if (!type || type === 'labels') return true;
    const kind = (t) => String(t).replace(/labels$/, '');
    const own = kind(type);
    const drawnBy = this.controls.get(r.from_name)?.info?.result_types ?? [];
    return [r.type, ...drawnBy].some((t) => t && kind(t) === own);
  }

  // The labels control `controlName` gave a region: its own value, else its per-region result.
  labelsFrom(controlName, r) {
    const key = this.controls.get(controlName)?.info?.payload_key ?? 'labels';
    const value = r.from_name === controlName ? r.value : this.store.resultOf(controlName, r.id)?.value;
    return Array.isArray(value?.[key]) ? value[key] : [];
  }

  // The tool controls (payload none: Rectangle, Polygon, Brush...) that draw on an object.
  toolsOf(objectName) {
    return [...this.controls.values()].filter((c) => c.info.payload === 'none' && c.info.needs_region && c.tag !== 'Relations' &&
      c.toNames.includes(objectName));
  }

  // A plain <Labels> on objects that have tools: it labels what the tools draw.
  isCompanion(c) {
    return c.info.payload === 'label_list' && c.info.result_types?.[0] === 'labels' && c.toNames.some((o) => this.toolsOf(o).length > 0);
  }

  // ctx.addRegion of an object tag: a region drawn by a tool while a companion <Labels> has labels
  // picked gets them as its per-region Labels result, in the same undo step.
  addRegionFor(objectName, r) {
    const tool = this.toolSignal(objectName).peek();
    const attach = tool?.labelsFrom && tool.labels.length && r.from_name === tool.fromName
      ? [{ from_name: tool.labelsFrom, value: { labels: [...tool.labels] } }] : [];
    return this.store.addRegion({ to_name: objectName, ...r }, { results: attach });
  }

  isActive(controlName) {
    const c = this.controls.get(controlName);
    return c ? c.toNames.some((o) => this.activeControl.get(o)?.peek() === controlName) : false;
  }

  // The Tool an object's plugin should draw with, as a computed signal.
  toolSignal(objectName) {
    return computed(() => {
      const name = this.activeControl.get(objectName)?.value;
      if (!name) return null;
      const c = this.controls.get(name);
      const tool = { fromName: name, tag: c.tag, type: c.info.result_types?.[0] ?? c.tag.toLowerCase(), labels: this.picked.get(name).value,
        attrs: c.attrs };
      const with_ = c.info.payload === 'none' ? this.companion.get(objectName)?.value : null;
      if (with_) {
        tool.labels = this.picked.get(with_).value;
        tool.labelsFrom = with_;
      }
      return tool;
    });
  }

  // ---- the frame: toolbar and sidebar (Preact), the config tree (plugins' elements) ----
  renderFrame() {
    this.busy = signal(false);
    this.showKeys = signal(false);
    this.problem = signal(null);   // why the last submit was refused
    this.disposers.push(this.store.version.subscribe(() => { if (this.problem.peek()) this.problem.value = null; }));
    const h = this.hotkeys;
    // A handler that did nothing returns false: the key then keeps its default action.
    const guard = (fn) => () => (this.readOnly.peek() ? false : fn() !== false);
    this.disposers.push(
      h.add('ctrl+z', guard(() => this.undo()), { description: 'Undo' }),
      h.add('ctrl+shift+z,ctrl+y', guard(() => this.redo()), { description: 'Redo' }),
      h.add('escape', () => {
        if (this.linkFrom.peek()) { this.linkFrom.value = null; return true; }
        if (!this.store.selection.peek().size) return false;
        this.store.clearSelection();
        return true;
      }, { description: 'Unselect' }),
      h.add('u', () => {
        if (!this.store.selection.peek().size) return false;
        this.store.clearSelection();
        return true;
      }, { description: 'Unselect' }),
      h.add('delete,backspace', guard(() => {
        const ids = [...this.store.selection.peek()].filter((id) => !this.store.region(id)?.locked && !this.store.region(id)?.readonly);
        return ids.length ? this.store.deleteRegions(ids) : false;
      }), { description: 'Delete the selected regions' }),
      h.add('h', () => {
        const ids = [...this.store.selection.peek()];
        if (!ids.length) return false;
        this.store.setView(ids, { hidden: !this.store.region(ids[0])?.hidden });
        return true;
      }, { description: 'Hide the selected regions' }),
      h.add('alt+r', () => this.startRelation(), { description: 'Create a relation from the selected region' }),
      h.add('shift+?', () => { this.showKeys.value = !this.showKeys.peek(); }, { description: 'Show / hide these shortcuts' }),
    );
    if (this.options.onSubmit || this.options.onUpdate) {
      this.disposers.push(h.add('ctrl+enter', () => {
        if (!this.canSave()) return false;
        this.act(this.options.onUpdate ? 'update' : 'submit');
        return true;
      }, { description: 'Submit / update' }));
    }
    if (this.options.onSkip) {
      this.disposers.push(h.add('ctrl+space', () => {
        if (!this.canSave()) return false;
        this.act('skip');
        return true;
      }, { description: 'Skip' }));
    }
    for (const c of this.controls.values()) {
      // A tool without labels (Rectangle, Polygon...) toggles with its own hotkey attribute.
      const toolKey = c.info.payload === 'none' && c.tag !== 'Relations' ? nodeAttr(c.node, 'hotkey') : null;
      if (toolKey) this.disposers.push(h.add(toolKey, () => { this.pickLabel(c.name, null); }, { description: c.tag }));
      for (const l of c.labels) {
        if (!l.hotkey) continue;
        this.disposers.push(h.add(l.hotkey, () => { this.pickLabel(c.name, l.value); }, { description: `Label ${l.text}` }));
      }
    }
    // A relation is drawn by selecting its source (alt+r or the link button) and then its target.
    this.disposers.push(effect(() => {
      const sel = this.store.selection.value;
      const from = this.linkFrom.peek();
      if (!from || sel.size !== 1) return;
      const [to] = sel;
      if (to === from) return;
      this.store.addRelation(from, to, { labels: this.defaultRelationLabels() });
      this.linkFrom.value = null;
    }));
    render(html`<${Toolbar} editor=${this} />`, this.toolbarEl);
    render(html`<${Sidebar} editor=${this} />`, this.sideEl);
  }

  defaultRelationLabels() {
    const rel = this.nodes.find((n) => n.tag === 'Relations');
    if (!rel) return [];
    return rel.children.filter((c) => c.tag === 'Relation' && isTrue(nodeAttr(c, 'selected')))
      .map((c) => nodeAttr(c, 'alias') || nodeAttr(c, 'value'));
  }

  relationLabels() {
    const rel = this.nodes.find((n) => n.tag === 'Relations');
    if (!rel) return null;
    return { multiple: nodeAttr(rel, 'choice') === 'multiple',
      labels: rel.children.filter((c) => c.tag === 'Relation').map((c) => ({ value: nodeAttr(c, 'alias') || nodeAttr(c, 'value'),
        text: nodeAttr(c, 'value'), background: nodeAttr(c, 'background') })) };
  }

  startRelation() {
    const sel = [...this.store.selection.peek()];
    if (sel.length !== 1 || this.readOnly.peek()) return false;
    this.linkFrom.value = sel[0];
    return true;
  }

  mountTree() {
    this.mainEl.replaceChildren();
    const unmount = this.renderNode(this.root, this.mainEl);
    this.disposers.push(unmount);
  }

  // Renders one config node into `parent`; returns its destroy function.
  renderNode(node, parent) {
    const info = this.catalog.tags.get(node.tag) ?? null;
    // Child-only value tags (Label, Choice, Relation, Bucket...) belong to their parent's renderer.
    if (info?.child_only) return () => {};
    const el = document.createElement('div');
    el.className = `annot-tag annot-tag-${node.tag.toLowerCase()}`;
    el.dataset.tag = node.tag;
    const name = nodeAttr(node, 'name');
    if (name) el.dataset.name = name;
    parent.appendChild(el);
    const cleanups = [];
    const visible = this.visibility(node, info);
    if (visible) cleanups.push(effect(() => { el.hidden = !visible.value; }));
    cleanups.push(this.renderContent(node, info, el));
    return () => {
      for (const fn of cleanups.reverse()) {
        try { fn?.(); } catch (e) { console.warn('editor: a tag failed to unmount', e); }
      }
      el.remove();
    };
  }

  renderContent(node, info, el) {
    if (info?.role === 'control' && node.tag === 'Relations') return () => {};
    if (info?.role === 'control' && (info.payload === 'label_list' || info.payload === 'none')) {
      render(html`<${LabelsBar} editor=${this} control=${this.controls.get(nodeAttr(node, 'name'))} />`, el);
      return () => render(null, el);
    }
    const entry = info ? this.modules.get(info.owner) : null;
    const mount = entry?.module?.tags?.[node.tag]?.mount;
    if (typeof mount === 'function') return this.mountPlugin(node, info, el, mount);
    if (!info || (info.role === 'visual' && node.children.length) || node.tag === 'View') {
      // Layout without a plugin renderer: the children in a block, with the tag's inline style.
      if (!info && !node.children.length) return this.notice(el, node, null);
      const style = nodeAttr(node, 'style');
      if (style) el.style.cssText = style;
      const inner = node.children.map((child) => this.renderNode(child, el));
      return () => inner.forEach((fn) => fn());
    }
    return this.notice(el, node, entry?.error ?? null);
  }

  notice(el, node, error) {
    el.classList.add('annot-unsupported');
    el.setAttribute('role', 'note');
    const name = nodeAttr(node, 'name');
    el.textContent = `${node.tag}${name ? ` (${name})` : ''} is not yet supported in the editor`;
    // The object's data is still shown, so the page is never empty of the task.
    const info = this.catalog.tags.get(node.tag);
    const value = info?.role === 'object' ? resolveValue(nodeAttr(node, 'value') ?? nodeAttr(node, 'valueList'), this.task.data) : undefined;
    if (value !== undefined && value !== null) {
      const data = document.createElement('div');
      data.className = 'annot-unsupported-data';
      const textValue = typeof value === 'string' ? value : JSON.stringify(value);
      data.textContent = textValue.length > 5000 ? `${textValue.slice(0, 5000)}…` : textValue;
      el.appendChild(data);
    }
    if (error) {
      const why = document.createElement('small');
      why.textContent = ` — the plugin UI failed to load: ${error.message ?? error}`;
      el.appendChild(why);
    }
    return () => {};
  }

  mountPlugin(node, info, el, mount) {
    const destroyers = [];
    const ctx = this.makeCtx(node, info, destroyers);
    let instance = null;
    try {
      instance = mount(el, ctx);
    } catch (error) {
      el.replaceChildren();
      this.notice(el, node, error);
      el.textContent = `${node.tag} failed to render: ${error.message ?? error}`;
    }
    if (instance && typeof instance.then === 'function') {
      instance.then((i) => { if (ctx.destroyed) i?.destroy?.(); else instance = i; },
        (error) => { el.textContent = `${node.tag} failed to render: ${error.message ?? error}`; });
    }
    return () => {
      ctx.destroyed = true;
      if (instance && typeof instance.destroy === 'function') instance.destroy();
      for (const fn of destroyers.reverse()) fn();
      el.replaceChildren();
    };
  }

  makeCtx(node, info, destroyers) {
    const editor = this;
    const store = this.store;
    const name = nodeAttr(node, 'name') ?? null;
    const control = info?.role === 'control' ? this.controls.get(name) : null;
    const data = this.task.data;
    const guard = (fn) => (...args) => (editor.readOnly.peek() ? null : fn(...args));
    const ctx = {
      tag: node.tag,
      name,
      attrs: node.attrs,
      node,
      info,
      task: this.task,
      readOnly: this.readOnly,
      selection: store.selection,
      select: (id, opts) => store.select(id, opts),
      clearSelection: () => store.clearSelection(),
      attr: (key, fallback) => resolveValue(nodeAttr(node, key, fallback), data),
      resolve: (v) => resolveValue(v, data),
      assetUrl: (path) => `/plugins/${info?.owner}/${String(path).replace(/^\/+/, '')}`,
      labelColor: (fromName, label) => editor.labelColor(fromName, label),
      regionLabels: (region) => editor.regionLabels(region),
      regionColor: (region) => editor.regionColor(region),
      // `of` (this node or one inside it, e.g. a Collapse's Panel) names whose children to mount.
      renderChildren(target, of = node) {
        let up = of;
        while (up && up !== node) up = up.parent;
        if (!up) throw new Error(`${node.tag}: renderChildren was given a node outside this tag`);
        const inner = of.children.map((child) => editor.renderNode(child, target));
        const destroy = () => { while (inner.length) inner.pop()(); };
        destroyers.push(destroy);
        return { destroy };
      },
      hotkeys: {
        add(combo, handler, opts) {
          const dispose = editor.hotkeys.add(combo, handler, opts);
          destroyers.push(dispose);
          return dispose;
        },
      },
      onDestroy(fn) { destroyers.push(fn); },
      // fn() runs right before a submit or update reads the result: a control commits input the
      // user typed but has not added yet, whatever has focus (a click on Submit, ctrl+enter, a script).
      beforeSend(fn) {
        editor.beforeSendHooks.add(fn);
        const dispose = () => editor.beforeSendHooks.delete(fn);
        destroyers.push(dispose);
        return dispose;
      },
      // {undo(), redo(), canUndo?, canRedo?}: the editor's undo and redo ask these first; one returning
      // true took the step (an edit in progress, e.g. a vertex of a polygon being drawn), else the
      // annotation's runs. canUndo / canRedo (signal<boolean | null>) say what the toolbar's buttons show.
      history(handlers) {
        // A new array, so the toolbar re-reads the handlers' canUndo / canRedo.
        editor.historyHooks.value = [...editor.historyHooks.peek(), handlers];
        const dispose = () => { editor.historyHooks.value = editor.historyHooks.peek().filter((h) => h !== handlers); };
        destroyers.push(dispose);
        return dispose;
      },
      updateRegion: guard((id, patch, opts) => {
        const r = store.region(id);
        if (!r || r.readonly || (r.locked && !opts?.force)) return false;
        return store.updateRegion(id, patch, opts);
      }),
      deleteRegion: guard((id) => {
        const r = store.region(id);
        if (!r || r.locked || r.readonly) return false;
        return store.deleteRegion(id);
      }),
      destroyed: false,
    };
    if (info?.role === 'object') {
      ctx.regions = store.regionsOf(name);
      ctx.activeTool = this.toolSignal(name);
      ctx.controls = [...this.controls.values()].filter((c) => c.toNames.includes(name));
      ctx.addRegion = guard((r) => editor.addRegionFor(name, r));
    } else {
      ctx.regions = store.regions;
      ctx.addRegion = guard((r) => store.addRegion(r));
    }
    if (control) {
      ctx.control = control;
      ctx.selectedRegion = computed(() => {
        const sel = store.selection.value;
        if (sel.size !== 1) return null;
        const [id] = sel;
        const r = store.region(id);
        return r && control.toNames.includes(r.to_name) ? r : null;
      });
      ctx.result = computed(() => {
        if (control.perRegion) {
          const r = ctx.selectedRegion.value;
          return r ? (store.resultOf(name, r.id)?.value ?? null) : null;
        }
        return store.resultOf(name, null)?.value ?? null;
      });
      // Every result of this control: the whole object's and each region's ({regionId, value}).
      ctx.results = computed(() => store.results.value.filter((x) => x.from_name === name)
        .map((x) => ({ regionId: x.regionId ?? null, value: x.value })));
      ctx.setResult = guard((value) => {
        if (control.perRegion) {
          const r = ctx.selectedRegion.peek();
          if (!r) return;
          store.setResult(name, r.id, value);
        } else {
          store.setResult(name, null, value);
        }
      });
    }
    return ctx;
  }

  // visibleWhen (Label Studio's four conditions) and perRegion placement, as a signal, or null when
  // the node is always shown.
  visibility(node, info) {
    const store = this.store;
    const conditions = [];
    const name = nodeAttr(node, 'name');
    const control = info?.role === 'control' ? this.controls.get(name) : null;
    if (control?.perRegion) {
      conditions.push(() => {
        const sel = store.selection.value;
        if (sel.size !== 1) return false;
        const r = store.region([...sel][0]);
        return Boolean(r && control.toNames.includes(r.to_name));
      });
    }
    const when = nodeAttr(node, 'visibleWhen');
    if (when) {
      const tagName = nodeAttr(node, 'whenTagName');
      const labelValue = nodeAttr(node, 'whenLabelValue');
      const choiceValues = String(nodeAttr(node, 'whenChoiceValue', '')).split(',').map((s) => s.trim()).filter(Boolean);
      const regionSelected = () => {
        const regions = [...store.selection.value].map((id) => store.region(id)).filter(Boolean);
        return regions.some((r) => (!tagName || r.from_name === tagName || r.to_name === tagName ||
          store.results.value.some((x) => x.regionId === r.id && x.from_name === tagName)) &&
          (!labelValue || this.regionLabels(r).includes(labelValue)));
      };
      const choiceSelected = () => store.results.value.some((x) => {
        if (tagName && x.from_name !== tagName) return false;
        if (!tagName && !Array.isArray(x.value?.choices)) return false;
        const picked = (x.value?.choices ?? x.value?.taxonomy ?? []).flat();
        return choiceValues.length ? choiceValues.some((v) => picked.includes(v)) : picked.length > 0;
      });
      if (when === 'region-selected') conditions.push(regionSelected);
      else if (when === 'no-region-selected') conditions.push(() => store.selection.value.size === 0);
      else if (when === 'choice-selected') conditions.push(choiceSelected);
      else if (when === 'choice-unselected') conditions.push(() => !choiceSelected());
    }
    if (!conditions.length) return null;
    return computed(() => conditions.every((c) => c()));
  }

  showError(error) {
    this.mainEl.replaceChildren();
    const box = document.createElement('div');
    box.className = 'annot-editor-error';
    box.setAttribute('role', 'alert');
    box.textContent = `The editor cannot open this task: ${error?.message ?? error}`;
    this.mainEl.appendChild(box);
  }

  destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const fn of this.disposers.reverse()) {
      try { fn(); } catch (e) { console.warn('editor: cleanup failed', e); }
    }
    this.disposers = [];
    render(null, this.toolbarEl);
    render(null, this.sideEl);
    this.hotkeys?.destroy();
    this.el.replaceChildren();
    this.el.classList.remove('annot-editor-host');
    delete this.el.annotEditor;
  }
}
