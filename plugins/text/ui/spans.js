// The span layer shared by Text and Paragraphs: draws regions as DOM Ranges with the CSS Custom
// Highlight API (one Highlight per colour, one for the selection; overlay rectangles where the API
// is absent), puts small label tags at span starts, hit-tests clicks and keeps all of it in step
// with ctx.regions / ctx.selection by diffing region ids, so a change touches only its own spans.

export const HAS_HIGHLIGHTS = typeof CSS !== 'undefined' && !!CSS.highlights && typeof Highlight === 'function';

let mountSeq = 0;

// A span of one text node. StaticRanges cost nothing to keep (the text never changes, so the live
// Range bookkeeping on every DOM mutation is not needed); highlights take either kind.
export function makeRange(node, start, end) {
  if (typeof StaticRange === 'function') return new StaticRange({ startContainer: node, startOffset: start, endContainer: node, endOffset: end });
  const r = document.createRange();
  r.setStart(node, start);
  r.setEnd(node, end);
  return r;
}

// A live Range (for geometry) over an abstract one.
function live(r, collapseTo = null) {
  const out = document.createRange();
  out.setStart(r.startContainer, r.startOffset);
  if (collapseTo === 'start') out.setEnd(r.startContainer, Math.min(r.startOffset + 1, r.startContainer.length));
  else out.setEnd(r.endContainer, r.endOffset);
  return out;
}

// The labels of a region (its payload list), whatever the control's payload key.
export function regionLabels(region) {
  const v = region.value ?? {};
  const key = region.type && Array.isArray(v[region.type]) ? region.type : Object.keys(v).find((k) => Array.isArray(v[k]) && k !== 'text');
  return key ? v[key].map(String) : [];
}

/**
 * new SpanLayer(root, spec): root is the positioned element holding the text; spec gives
 *   rangesOf(region) -> AbstractRange[] | null   the ranges of a region, each within one text node
 *                                         (makeRange); null: not drawable
 *   keyOf(region) -> string               the geometry, to notice moves
 *   colorOf(region) -> CSS colour
 *   showLabels: boolean
 *   onTagClick(id, event)
 */
export class SpanLayer {
  constructor(root, spec) {
    this.root_ = root;
    this.spec_ = spec;
    this.prefix_ = `annot-text-${++mountSeq}`;
    this.entries_ = new Map(); // region id -> {region, key, color, ranges, group, chip, rects}
    this.colors_ = new Map(); // colour -> {name, highlight}
    this.groups_ = new Map(); // anchor key -> {el, count, range}
    this.selected_ = new Set();
    this.pendingGroups_ = new Set();
    this.frame_ = 0;

    this.style_ = document.createElement('style');
    this.style_.dataset.annotText = this.prefix_;
    document.head.appendChild(this.style_);
    if (HAS_HIGHLIGHTS) {
      this.selectedHighlight_ = new Highlight();
      this.selectedHighlight_.priority = 10;
      CSS.highlights.set(`${this.prefix_}-sel`, this.selectedHighlight_);
      this.style_.sheet.insertRule(`::highlight(${this.prefix_}-sel) { background-color: rgba(0, 0, 0, 0.22); ` +
        'text-decoration: underline 2px; text-decoration-color: #1f2937; }');
    }

    // Rectangles behind the text (fallback painting) and tags above it.
    this.back_ = document.createElement('div');
    this.back_.className = 'annot-text-back';
    this.front_ = document.createElement('div');
    this.front_.className = 'annot-text-front';
    root.prepend(this.back_);
    root.append(this.front_);
    this.front_.addEventListener('click', (e) => {
      const chip = e.target.closest?.('[data-region-id]');
      if (chip) {
        e.stopPropagation();
        this.spec_.onTagClick?.(chip.dataset.regionId, e);
      }
    });

    // Text reflows when the width changes: every tag and fallback rectangle moves.
    this.width_ = null;
    this.resize_ = new ResizeObserver((entries) => {
      const width = entries[entries.length - 1].contentRect.width;
      const first = this.width_ === null;
      if (width === this.width_) return;
      this.width_ = width;
      // The first report is the size the tags were just placed at.
      if (!first) this.relayout();
    });
    this.resize_.observe(root);
  }

  destroy() {
    cancelAnimationFrame(this.frame_);
    this.resize_.disconnect();
    if (HAS_HIGHLIGHTS) {
      CSS.highlights.delete(`${this.prefix_}-sel`);
      for (const { name } of this.colors_.values()) CSS.highlights.delete(name);
    }
    this.style_.remove();
    this.back_.remove();
    this.front_.remove();
    this.entries_.clear();
  }

  colorEntry_(color) {
    let c = this.colors_.get(color);
    if (c) return c;
    const name = `${this.prefix_}-c${this.colors_.size}`;
    c = { name, highlight: null };
    const css = String(color).replace(/[;{}<>]/g, '');
    if (HAS_HIGHLIGHTS) {
      c.highlight = new Highlight();
      CSS.highlights.set(name, c.highlight);
      this.style_.sheet.insertRule(`::highlight(${name}) { background-color: color-mix(in srgb, ${css} 38%, transparent); }`);
    } else {
      this.style_.sheet.insertRule(`.${name} { background-color: color-mix(in srgb, ${css} 38%, transparent); }`);
    }
    this.style_.sheet.insertRule(`.${name}-tag { background-color: ${css}; }`);
    this.colors_.set(color, c);
    return c;
  }

  // Brings the drawing in line with `regions` (hidden ones are not drawn). O(regions) compares,
  // DOM and highlight work only for regions that appeared, moved, changed colour or labels.
  sync(regions) {
    const seen = new Set();
    for (const region of regions) {
      if (region.hidden) continue;
      seen.add(region.id);
      const entry = this.entries_.get(region.id);
      if (entry && entry.region === region) continue;
      const key = this.spec_.keyOf(region);
      const color = this.spec_.colorOf(region);
      const labels = regionLabels(region).join(', ');
      if (!entry) {
        this.add_(region, key, color, labels);
        continue;
      }
      entry.region = region;
      if (entry.key !== key) {
        this.remove_(region.id);
        this.add_(region, key, color, labels);
        continue;
      }
      if (entry.color !== color) {
        this.paint_(entry, false);
        entry.color = color;
        entry.colorName = this.colorEntry_(color).name;
        this.paint_(entry, true);
        if (entry.chip) entry.chip.className = `annot-text-chip ${entry.colorName}-tag`;
      }
      if (entry.chip && entry.labels !== labels) entry.chip.textContent = labels || '·';
      entry.labels = labels;
    }
    for (const id of [...this.entries_.keys()]) if (!seen.has(id)) this.remove_(id);
    this.schedule_();
  }

  add_(region, key, color, labels) {
    const ranges = this.spec_.rangesOf(region);
    if (!ranges || !ranges.length) return;
    const colorName = this.colorEntry_(color).name;
    const entry = { region, key, color, colorName, ranges, labels, chip: null, group: null, rects: [] };
    this.entries_.set(region.id, entry);
    this.paint_(entry, true);
    if (this.selected_.has(region.id)) this.select_(entry, true);
    if (this.spec_.showLabels) {
      const anchor = key.split('|')[0];
      let group = this.groups_.get(anchor);
      if (!group) {
        const el = document.createElement('div');
        el.className = 'annot-text-tags';
        group = { el, count: 0, range: ranges[0], anchor };
        this.groups_.set(anchor, group);
        this.front_.append(el);
        this.pendingGroups_.add(group);
      }
      const chip = document.createElement('span');
      chip.className = `annot-text-chip ${colorName}-tag`;
      chip.dataset.regionId = region.id;
      chip.textContent = labels || '·';
      chip.title = labels;
      group.el.append(chip);
      group.count += 1;
      entry.chip = chip;
      entry.group = group;
      if (this.selected_.has(region.id)) chip.classList.add('selected');
    }
  }

  remove_(id) {
    const entry = this.entries_.get(id);
    if (!entry) return;
    this.paint_(entry, false);
    this.select_(entry, false);
    if (entry.chip) {
      entry.chip.remove();
      entry.group.count -= 1;
      if (entry.group.count === 0) {
        entry.group.el.remove();
        this.groups_.delete(entry.group.anchor);
        this.pendingGroups_.delete(entry.group);
      }
    }
    this.entries_.delete(id);
  }

  // Adds or removes an entry's ranges from its colour's highlight (or its fallback rectangles).
  paint_(entry, on) {
    const c = this.colors_.get(entry.color);
    if (HAS_HIGHLIGHTS) {
      for (const r of entry.ranges) {
        if (on) c.highlight.add(r);
        else c.highlight.delete(r);
      }
      return;
    }
    for (const el of entry.rects) el.remove();
    entry.rects = [];
    if (on) {
      entry.needsRects = true;
      this.pendingRects_ = true;
    }
  }

  select_(entry, on) {
    if (HAS_HIGHLIGHTS) {
      for (const r of entry.ranges) {
        if (on) this.selectedHighlight_.add(r);
        else this.selectedHighlight_.delete(r);
      }
    } else {
      for (const el of entry.rects) el.classList.toggle('selected', on);
    }
    entry.chip?.classList.toggle('selected', on);
  }

  // The selection changed: only the ids that entered or left it are touched.
  setSelection(ids) {
    const next = new Set(ids);
    for (const id of this.selected_) {
      if (!next.has(id)) {
        const e = this.entries_.get(id);
        if (e) this.select_(e, false);
      }
    }
    const added = [];
    for (const id of next) {
      if (!this.selected_.has(id)) {
        const e = this.entries_.get(id);
        if (e) {
          this.select_(e, true);
          added.push(e);
        }
      }
    }
    this.selected_ = next;
    // A region selected elsewhere (the outliner) is scrolled into view.
    if (added.length === 1) this.reveal_(added[0]);
  }

  reveal_(entry) {
    const rect = live(entry.ranges[0]).getBoundingClientRect();
    const box = this.root_.getBoundingClientRect();
    const marker = document.createElement('div');
    marker.className = 'annot-text-marker';
    marker.style.transform = `translate(${rect.left - box.left}px, ${rect.top - box.top}px)`;
    marker.style.height = `${Math.max(1, rect.height)}px`;
    this.front_.append(marker);
    marker.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    marker.remove();
  }

  // The regions drawn at one character (a Range boundary pair around it), smallest first.
  regionsAt(node, offset) {
    const hits = [];
    for (const entry of this.entries_.values()) {
      for (const r of entry.ranges) {
        // Every range lies within one text node (Text, and each phrase of Paragraphs).
        if (r.startContainer === node && offset >= r.startOffset && offset < r.endOffset) {
          hits.push({ id: entry.region.id, size: this.spec_.sizeOf?.(entry.region) ?? r.endOffset - r.startOffset });
          break;
        }
      }
    }
    hits.sort((a, b) => a.size - b.size);
    return hits.map((h) => h.id);
  }

  schedule_() {
    if (this.frame_ || (!this.pendingGroups_.size && !this.pendingRects_)) return;
    this.frame_ = requestAnimationFrame(() => {
      this.frame_ = 0;
      this.layout_();
    });
  }

  // Everything is placed again (width change, fonts loaded).
  relayout() {
    for (const g of this.groups_.values()) this.pendingGroups_.add(g);
    if (!HAS_HIGHLIGHTS) {
      for (const e of this.entries_.values()) e.needsRects = true;
      this.pendingRects_ = true;
    }
    this.schedule_();
  }

  // Reads every rectangle first, then writes: one layout for any number of tags.
  layout_() {
    const box = this.root_.getBoundingClientRect();
    const moves = [];
    for (const g of this.pendingGroups_) {
      // The first character's box: cheaper than the whole span's rectangles.
      const first = live(g.range, 'start');
      const rect = first.getClientRects()[0] ?? first.getBoundingClientRect();
      moves.push([g.el, rect.left - box.left, rect.top - box.top]);
    }
    this.pendingGroups_.clear();
    const rects = [];
    if (this.pendingRects_) {
      this.pendingRects_ = false;
      for (const e of this.entries_.values()) {
        if (!e.needsRects) continue;
        e.needsRects = false;
        for (const el of e.rects) el.remove();
        e.rects = [];
        for (const r of e.ranges) for (const cr of live(r).getClientRects()) rects.push([e, cr]);
      }
    }
    for (const [el, x, y] of moves) el.style.transform = `translate(${Math.round(x)}px, ${Math.round(y)}px)`;
    for (const [e, cr] of rects) {
      const el = document.createElement('div');
      el.className = `annot-text-rect ${e.colorName}`;
      if (this.selected_.has(e.region.id)) el.classList.add('selected');
      el.style.transform = `translate(${cr.left - box.left}px, ${cr.top - box.top}px)`;
      el.style.width = `${cr.width}px`;
      el.style.height = `${cr.height}px`;
      this.back_.append(el);
      e.rects.push(el);
    }
  }
}

// The character under a point as [node, offset] (the caret position, moved back by one when the
// point lies on the left half's previous glyph), or null.
export function charAtPoint(x, y) {
  let node;
  let offset;
  if (document.caretPositionFromPoint) {
    const p = document.caretPositionFromPoint(x, y);
    if (!p) return null;
    node = p.offsetNode;
    offset = p.offset;
  } else if (document.caretRangeFromPoint) {
    const r = document.caretRangeFromPoint(x, y);
    if (!r) return null;
    node = r.startContainer;
    offset = r.startOffset;
  } else {
    return null;
  }
  if (!node || node.nodeType !== Node.TEXT_NODE) return null;
  // The caret sits between glyphs; the clicked glyph is the one whose box holds x.
  const probe = document.createRange();
  if (offset < node.length) {
    probe.setStart(node, offset);
    probe.setEnd(node, offset + 1);
    const r = probe.getBoundingClientRect();
    if (x >= r.left && x <= r.right && y >= r.top && y <= r.bottom) return [node, offset];
  }
  if (offset > 0) {
    probe.setStart(node, offset - 1);
    probe.setEnd(node, offset);
    const r = probe.getBoundingClientRect();
    if (x >= r.left && x <= r.right && y >= r.top && y <= r.bottom) return [node, offset - 1];
  }
  return null;
}
