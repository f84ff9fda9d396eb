// The annotation being edited: regions, classification results (whole-object and per-region) and
// relations, held as immutable snapshots in signals so one undo stack covers every change and a
// change to one region replaces only that region's object (plugins skip unchanged ones by identity).
import { signal, computed, batch } from '@preact/signals';

// Keys of a result item the framework interprets; every other key is kept as the region's `extra`.
const ENVELOPE = new Set(['id', 'from_name', 'to_name', 'type', 'value', 'origin', 'score', 'readonly', 'parentID',
  'hidden', 'locked']);
const UNDO_LIMIT = 500;
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

// A Label Studio style region id: nanoid(10).
export function newId() {
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  let id = '';
  for (const b of bytes) id += ID_ALPHABET[b & 63];
  return id;
}

const EMPTY = Object.freeze({ regions: Object.freeze([]), results: Object.freeze([]), relations: Object.freeze([]) });

export class AnnotationStore {
  // controls: Map<name, {node, info, toNames: string[], perRegion: boolean}> (from the config tree).
  constructor(controls) {
    this.controls = controls;
    this.state = signal(EMPTY);
    this.selection = signal(new Set());
    this.undoStack = [];
    this.redoStack = [];
    this.lastMerge = null;
    this.canUndo = signal(false);
    this.canRedo = signal(false);
    this.version = signal(0);   // bumps on every change (drafts autosave on it)
    this.hidden = new Set();
    this.locked = new Set();
    this.regions = computed(() => this.state.value.regions);
    this.relations = computed(() => this.state.value.relations);
    this.results = computed(() => this.state.value.results);
    this.perObject = new Map();
    // While the annotation is being saved the result must stay what is being sent: a change made
    // then would show in the editor but be lost with it (the page replaces the editor once saved).
    this.frozen = false;
  }

  // signal<Region[]> of the regions on one object tag; the array is rebuilt only when a region of
  // this object changed (same identities otherwise).
  regionsOf(objectName) {
    if (!this.perObject.has(objectName)) {
      let last = [];
      this.perObject.set(objectName, computed(() => {
        const next = this.state.value.regions.filter((r) => r.to_name === objectName);
        if (next.length === last.length && next.every((r, i) => r === last[i])) return last;
        last = next;
        return next;
      }));
    }
    return this.perObject.get(objectName);
  }

  // One region by id (a scan: cheaper per drag step than keeping an id map up to date).
  region(id) { return this.state.value.regions.find((r) => r.id === id) ?? null; }

  // ---- changes (each is one undo step; `merge` joins consecutive calls with the same key) ----
  commit(next, merge = null) {
    const current = this.state.peek();
    if (next === current || this.frozen) return;
    if (!(merge && this.lastMerge === merge && this.undoStack.length)) {
      this.undoStack.push(current);
      if (this.undoStack.length > UNDO_LIMIT) this.undoStack.shift();
    }
    this.lastMerge = merge;
    this.redoStack = [];
    batch(() => {
      this.state.value = next;
      this.canUndo.value = true;
      this.canRedo.value = false;
      this.version.value++;
    });
  }

  undo() { this.travel(this.undoStack, this.redoStack); }
  redo() { this.travel(this.redoStack, this.undoStack); }

  travel(from, to) {
    if (!from.length || this.frozen) return;
    to.push(this.state.peek());
    const next = this.withViewState(from.pop());
    this.lastMerge = null;
    batch(() => {
      this.state.value = next;
      this.canUndo.value = this.undoStack.length > 0;
      this.canRedo.value = this.redoStack.length > 0;
      this.version.value++;
      const ids = new Set(next.regions.map((r) => r.id));
      const kept = [...this.selection.peek()].filter((id) => ids.has(id));
      if (kept.length !== this.selection.peek().size) this.selection.value = new Set(kept);
    });
  }

  // hidden/locked are view state, not history: a restored snapshot takes the current flags.
  withViewState(state) {
    let changed = false;
    const regions = state.regions.map((r) => {
      const hidden = this.hidden.has(r.id);
      const locked = this.locked.has(r.id);
      if (r.hidden === hidden && r.locked === locked) return r;
      changed = true;
      return { ...r, hidden, locked };
    });
    return changed ? { ...state, regions } : state;
  }

  // r: {from_name, to_name, type, value, ...extra}; missing to_name/type come from the control.
  // results: per-region results to attach in the same step ([{from_name, value}]).
  addRegion(r, { select = false, results = [] } = {}) {
    const control = this.controls.get(r.from_name);
    const region = {
      ...r,
      id: r.id ?? newId(),
      to_name: r.to_name ?? control?.toNames[0],
      type: r.type ?? control?.info?.result_types?.[0] ?? control?.node.tag.toLowerCase(),
      value: { ...(r.value ?? {}) },
      origin: r.origin ?? 'manual',
      hidden: false,
      locked: false,
    };
    const s = this.state.peek();
    let attached = s.results;
    for (const x of results) attached = upsertResult(attached, x.from_name, region.id, region.to_name, this.controls.get(x.from_name), x.value);
    this.commit({ ...s, regions: [...s.regions, region], results: attached });
    if (select) this.selection.value = new Set([region.id]);
    return region.id;
  }

  updateRegion(id, patch, { merge } = {}) {
    const s = this.state.peek();
    const index = s.regions.findIndex((r) => r.id === id);
    if (index < 0) return false;
    const old = s.regions[index];
    const next = { ...old, ...patch, value: patch.value ? { ...old.value, ...patch.value } : old.value };
    if (old.origin === 'prediction' && patch.origin === undefined) next.origin = 'prediction-changed';
    const regions = s.regions.slice();
    regions[index] = next;
    this.commit({ ...s, regions }, merge ? `region:${id}:${merge}` : null);
    return true;
  }

  deleteRegion(id) { return this.deleteRegions([id]); }

  deleteRegions(ids) {
    const gone = new Set(ids);
    const s = this.state.peek();
    const regions = s.regions.filter((r) => !gone.has(r.id));
    if (regions.length === s.regions.length) return false;
    this.commit({
      regions,
      results: s.results.filter((x) => !gone.has(x.regionId)),
      relations: s.relations.filter((x) => !gone.has(x.from_id) && !gone.has(x.to_id)),
    });
    const sel = this.selection.peek();
    if (ids.some((id) => sel.has(id))) this.selection.value = new Set([...sel].filter((id) => !gone.has(id)));
    return true;
  }

  // The label list of several regions at once (clicking a label with regions selected): one step.
  // Regions drawn by this control get value[payloadKey]; others get a per-region result of it.
  relabel(ids, controlName, labels) {
    const control = this.controls.get(controlName);
    const key = control?.info?.payload_key ?? 'labels';
    const s = this.state.peek();
    const targets = new Set(ids);
    let results = s.results;
    const regions = s.regions.map((r) => {
      if (!targets.has(r.id)) return r;
      if (r.from_name === controlName) {
        return { ...r, value: { ...r.value, [key]: labels }, origin: r.origin === 'prediction' ? 'prediction-changed' : r.origin };
      }
      results = upsertResult(results, controlName, r.id, r.to_name, control, labels.length ? { [key]: labels } : null);
      return r;
    });
    this.commit({ ...s, regions, results });
  }

  // A control's result for the whole object (regionId null) or for one region; value null removes it.
  setResult(controlName, regionId, value) {
    const control = this.controls.get(controlName);
    const s = this.state.peek();
    const region = regionId ? s.regions.find((r) => r.id === regionId) : null;
    if (regionId && !region) return;
    // Pairwise names itself as to_name (Label Studio's current editor); the others their first object.
    const toName = region ? region.to_name : control?.tag === 'Pairwise' ? controlName : (control?.toNames[0] ?? controlName);
    this.commit({ ...s, results: upsertResult(s.results, controlName, regionId, toName, control, value) });
  }

  // signal-friendly lookup: the result item of a control (whole object or one region), or null.
  resultOf(controlName, regionId = null) {
    return this.state.value.results.find((x) => x.from_name === controlName && (x.regionId ?? null) === regionId) ?? null;
  }

  addRelation(fromId, toId, { direction = 'right', labels = [] } = {}) {
    const s = this.state.peek();
    if (fromId === toId || s.relations.some((x) => x.from_id === fromId && x.to_id === toId)) return false;
    this.commit({ ...s, relations: [...s.relations, { from_id: fromId, to_id: toId, type: 'relation', direction, labels }] });
    return true;
  }

  updateRelation(index, patch) {
    const s = this.state.peek();
    if (!s.relations[index]) return;
    const relations = s.relations.slice();
    relations[index] = { ...relations[index], ...patch };
    this.commit({ ...s, relations });
  }

  deleteRelation(index) {
    const s = this.state.peek();
    if (!s.relations[index]) return;
    this.commit({ ...s, relations: s.relations.filter((_, i) => i !== index) });
  }

  // View state (no undo step): hide or lock regions.
  setView(ids, { hidden, locked }) {
    for (const id of ids) {
      if (hidden !== undefined) (hidden ? this.hidden.add(id) : this.hidden.delete(id));
      if (locked !== undefined) (locked ? this.locked.add(id) : this.locked.delete(id));
    }
    this.state.value = this.withViewState(this.state.peek());
  }

  select(id, { additive = false } = {}) {
    if (!id) { this.clearSelection(); return; }
    if (additive) {
      const next = new Set(this.selection.peek());
      if (next.has(id)) next.delete(id); else next.add(id);
      this.selection.value = next;
    } else if (!(this.selection.peek().size === 1 && this.selection.peek().has(id))) {
      this.selection.value = new Set([id]);
    }
  }

  clearSelection() { if (this.selection.peek().size) this.selection.value = new Set(); }

  // ---- Label Studio result list <-> state ----

  // Replaces everything with a Label Studio result list (an annotation, prediction or draft); not an
  // undo step, the history starts here. `origin` overrides the items' origin (predictions).
  load(result, { origin } = {}) {
    this.hidden.clear();
    this.locked.clear();
    this.undoStack = [];
    this.redoStack = [];
    this.lastMerge = null;
    batch(() => {
      this.state.value = fromResult(Array.isArray(result) ? result : [], this.controls, origin);
      this.selection.value = new Set();
      this.canUndo.value = false;
      this.canRedo.value = false;
      this.version.value++;
    });
  }

  // The Label Studio result list of the current state.
  toResult() { return toResult(this.state.peek(), this.controls); }
}

function upsertResult(results, controlName, regionId, toName, control, value) {
  const index = results.findIndex((x) => x.from_name === controlName && (x.regionId ?? null) === (regionId ?? null));
  if (value === null || value === undefined) return index < 0 ? results : results.filter((_, i) => i !== index);
  const item = index >= 0
    ? { ...results[index], value }
    : { id: regionId ?? newId(), regionId: regionId ?? null, from_name: controlName, to_name: toName,
        type: control?.info?.result_types?.[0] ?? control?.node.tag.toLowerCase() ?? 'choices', value, origin: 'manual' };
  if (index >= 0 && item.origin === 'prediction') item.origin = 'prediction-changed';
  const next = results.slice();
  if (index >= 0) next[index] = item; else next.push(item);
  return next;
}

// The keys of a region's value that are its geometry (repeated into per-region results).
function geometry(region, controls) {
  const key = controls.get(region.from_name)?.info?.payload_key;
  const g = { ...region.value };
  if (key) delete g[key];
  return g;
}

// A classification item's own extra keys (source, meta, score...), written back unchanged.
function resultExtra(item) {
  const extra = envelope(item);
  for (const k of ['score', 'readonly', 'parentID']) if (item[k] !== undefined) extra[k] = item[k];
  return extra;
}

function envelope(item) {
  const extra = {};
  for (const [k, v] of Object.entries(item)) if (!ENVELOPE.has(k)) extra[k] = v;
  return extra;
}

// Which item of a group sharing one id is the region: the one from a control that draws regions
// (needs_region) and is not itself a classification; Labels on an image tool's region is the tool's.
function regionItem(items, controls) {
  const drawn = items.filter((x) => {
    const info = controls.get(x.from_name)?.info;
    return info ? info.needs_region : !['choices', 'textarea', 'rating', 'number', 'datetime', 'taxonomy', 'pairwise', 'ranker'].includes(x.type);
  });
  if (!drawn.length) return null;
  // A tool without labels (rectangle, polygon...) or a *labels type beats a plain `labels` item,
  // which then attaches to the region as its per-region result.
  return drawn.find((x) => controls.get(x.from_name)?.info?.payload === 'none') ??
    drawn.find((x) => x.type !== 'labels') ?? drawn[0];
}

export function fromResult(result, controls, origin) {
  const regions = [];
  const results = [];
  const relations = [];
  const groups = new Map();
  const loose = [];
  for (const item of result) {
    if (!item || typeof item !== 'object') continue;
    if (item.type === 'relation') {
      relations.push({ from_id: item.from_id, to_id: item.to_id, type: 'relation', direction: item.direction ?? 'right',
        labels: Array.isArray(item.labels) ? item.labels : [] });
      continue;
    }
    if (!item.id) {
      // A region without an id (pre-annotations made by scripts often have none) is a region of its
      // own, as Label Studio gives it a new id; a classification without one stays a plain result.
      if (regionItem([item], controls)) groups.set(newId(), [item]);
      else loose.push(item);
      continue;
    }
    // Items of one region come from different controls. A second item of the same control under an id
    // is another region given a duplicate id (scripts do this): it gets an id of its own, or saving
    // would give it the first one's geometry and the region would be lost.
    const group = groups.get(item.id);
    if (!group) groups.set(item.id, [item]);
    else if (group.some((x) => x.from_name === item.from_name)) groups.set(newId(), [item]);
    else group.push(item);
  }
  for (const [id, items] of groups) {
    const main = regionItem(items, controls);
    if (main) {
      regions.push({ ...envelope(main), id, from_name: main.from_name, to_name: main.to_name, type: main.type,
        value: { ...(main.value ?? {}) }, origin: origin ?? main.origin ?? 'manual',
        ...(main.score !== undefined ? { score: main.score } : {}),
        ...(main.readonly !== undefined ? { readonly: main.readonly } : {}),
        ...(main.parentID !== undefined ? { parentID: main.parentID } : {}),
        hidden: false, locked: false });
      const geo = new Set(Object.keys(geometry(regions.at(-1), controls)));
      for (const x of items) {
        if (x === main) continue;
        // The per-region payload without the repeated geometry.
        const value = {};
        for (const [k, v] of Object.entries(x.value ?? {})) if (!geo.has(k)) value[k] = v;
        results.push({ id, regionId: id, from_name: x.from_name, to_name: x.to_name, type: x.type, value,
          origin: origin ?? x.origin ?? 'manual', extra: resultExtra(x) });
      }
    } else {
      for (const x of items) loose.push(x);
    }
  }
  for (const x of loose) {
    results.push({ id: x.id ?? newId(), regionId: null, from_name: x.from_name, to_name: x.to_name, type: x.type,
      value: { ...(x.value ?? {}) }, origin: origin ?? x.origin ?? 'manual', extra: resultExtra(x) });
  }
  const ids = new Set(regions.map((r) => r.id));
  return { regions, results, relations: relations.filter((x) => ids.has(x.from_id) && ids.has(x.to_id)) };
}

export function toResult(state, controls) {
  const out = [];
  const byId = new Map();
  for (const r of state.regions) {
    byId.set(r.id, r);
    const { hidden, locked, value, ...rest } = r;
    const item = { ...rest, value: { ...value } };
    if (item.score === undefined) delete item.score;
    out.push(item);
  }
  for (const x of state.results) {
    if (x.regionId) {
      const region = byId.get(x.regionId);
      if (!region) continue;
      const { hidden, locked, value, id, from_name, to_name, type, origin, score, readonly, parentID, ...extra } = region;
      out.push({ ...extra, ...x.extra, id: region.id, from_name: x.from_name, to_name: region.to_name, type: x.type,
        value: { ...geometry(region, controls), ...x.value }, origin: x.origin ?? 'manual' });
    } else {
      out.push({ ...x.extra, id: x.id, from_name: x.from_name, to_name: x.to_name, type: x.type, value: { ...x.value },
        origin: x.origin ?? 'manual' });
    }
  }
  for (const x of state.relations) {
    out.push({ from_id: x.from_id, to_id: x.to_id, type: 'relation', direction: x.direction ?? 'right',
      ...(x.labels?.length ? { labels: x.labels } : {}) });
  }
  return out;
}
