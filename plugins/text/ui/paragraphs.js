// <Paragraphs>: a list of {author, text} phrases (a dialogue with layout="dialogue"); spans across
// phrases are written as Label Studio does: start/end paragraph indices as strings (end
// inclusive), startOffset/endOffset in the first and last phrase's text (endOffset exclusive), in
// code points. The DOM side works in string indices (UTF-16 code units) and converts at the
// boundary: when a span is made and when a region is drawn.
import { makeRange } from './spans.js';
import { snapSpan } from './snap.js';
import { codePoints } from './codepoints.js';
import { rawAttr } from './data.js';
import { mountSpanTag, bindSpanLayer, listenForSpans } from './span_tag.js';

// The phrases of a task value, or an Error saying why there are none.
function phrasesOf(value, nameKey, textKey) {
  let list = value;
  if (typeof list === 'string') {
    try {
      list = JSON.parse(list);
    } catch {
      return new Error('The task value is a string, not a list of phrases (use valueType="url" for a URL)');
    }
  }
  if (!Array.isArray(list)) return new Error(`The task value is not a list of phrases ({"${nameKey}": ..., "${textKey}": ...})`);
  return list.map((p) => {
    if (p === null || typeof p !== 'object') return { author: '', text: p === null || p === undefined ? '' : String(p) };
    const t = p[textKey];
    return { author: p[nameKey] === undefined || p[nameKey] === null ? '' : String(p[nameKey]), text: t === undefined || t === null ? '' : String(t) };
  });
}

// A stable hue per author for the dialogue layout.
function authorHue(author) {
  let h = 0;
  for (let i = 0; i < author.length; i += 1) h = (h * 31 + author.charCodeAt(i)) >>> 0;
  return h % 360;
}

const index = (v) => (typeof v === 'number' ? v : /^\d+$/.test(String(v ?? '')) ? Number(v) : NaN);

export function mountParagraphs(el, ctx) {
  const nameKey = rawAttr(ctx.attrs, 'nameKey', 'author');
  const textKey = rawAttr(ctx.attrs, 'textKey', 'text');
  const dialogue = String(rawAttr(ctx.attrs, 'layout', 'none')).toLowerCase() === 'dialogue';
  const save = String(rawAttr(ctx.attrs, 'saveTextResult', 'yes')).toLowerCase() === 'yes';

  const render = (wrap, phrases, session) => {
    const list = document.createElement('div');
    list.className = `annot-paragraphs-list${dialogue ? ' dialogue' : ''}`;
    const nodes = [];
    const fulls = [];
    const byNode = new Map();
    phrases.forEach((p, i) => {
      const row = document.createElement('div');
      row.className = 'annot-paragraph';
      row.dataset.index = String(i);
      if (p.author) {
        const who = document.createElement('div');
        who.className = 'annot-paragraph-author';
        who.textContent = p.author;
        row.append(who);
        if (dialogue) row.style.setProperty('--author-hue', String(authorHue(p.author)));
      }
      const body = document.createElement('div');
      body.className = 'annot-paragraph-text';
      const node = document.createTextNode(p.text);
      body.append(node);
      row.append(body);
      list.append(row);
      nodes.push(node);
      byNode.set(node, i);
      const full = document.createRange();
      full.selectNodeContents(node);
      fulls.push(full);
    });
    wrap.replaceChildren(list);
    // Code point maps per phrase, made when a span first touches the phrase.
    const maps = [];
    const cpOf = (i) => (maps[i] ??= codePoints(nodes[i].data));

    // A selection boundary as [phrase, offset]: inside a phrase's text directly, otherwise (an
    // author name, the gap between phrases) the nearest phrase text on the inner side.
    const locate = (container, offset, isStart) => {
      const at = byNode.get(container);
      if (at !== undefined) return [at, offset];
      if (!nodes.length) return null;
      try {
        // The first phrase whose text ends at or after the point.
        let lo = 0;
        let hi = nodes.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (fulls[mid].comparePoint(container, offset) > 0) lo = mid + 1;
          else hi = mid;
        }
        if (isStart) return lo < nodes.length ? [lo, 0] : null;
        // An end point before phrase `lo` ends the span at the end of phrase lo-1.
        if (lo < nodes.length && fulls[lo].comparePoint(container, offset) === 0) return [lo, offset];
        return lo > 0 ? [lo - 1, nodes[lo - 1].length] : null;
      } catch {
        return null;
      }
    };

    // A region's phrases and its offsets in them as string indices (its own are code points).
    const span = (r) => {
      const v = r.value ?? {};
      const s = index(v.start);
      const e = index(v.end);
      if (!Number.isInteger(s) || !Number.isInteger(e) || s < 0 || e >= nodes.length || e < s) return null;
      const unit = (p, offset) => {
        const cp = cpOf(p);
        return cp.toUnit(Math.max(0, Math.min(offset, cp.length)));
      };
      const so = Number.isInteger(v.startOffset) ? unit(s, v.startOffset) : 0;
      const eo = Number.isInteger(v.endOffset) ? unit(e, v.endOffset) : nodes[e].length;
      return { s, e, so, eo };
    };

    const layer = bindSpanLayer(wrap, ctx, session, {
      rangesOf(r) {
        const g = span(r);
        if (!g || (g.s === g.e && g.eo <= g.so)) return null;
        const ranges = [];
        for (let p = g.s; p <= g.e; p += 1) {
          const a = p === g.s ? g.so : 0;
          const b = p === g.e ? g.eo : nodes[p].length;
          if (b <= a) continue;
          ranges.push(makeRange(nodes[p], a, b));
        }
        return ranges;
      },
      keyOf: (r) => {
        const v = r.value ?? {};
        return `${v.start}:${v.startOffset}|${v.end}:${v.endOffset}`;
      },
      sizeOf: (r) => {
        const g = span(r);
        if (!g) return Infinity;
        if (g.s === g.e) return g.eo - g.so;
        let n = nodes[g.s].length - g.so + g.eo;
        for (let p = g.s + 1; p < g.e; p += 1) n += nodes[p].length;
        return n;
      },
    });

    const createFromSelection = (sel) => {
      const range = sel.getRangeAt(0);
      if (!range.intersectsNode(list)) return;
      const tool = ctx.activeTool?.peek();
      if (ctx.readOnly?.peek() || !tool || !tool.labels?.length) return;
      const a = locate(range.startContainer, range.startOffset, true);
      const b = locate(range.endContainer, range.endOffset, false);
      if (!a || !b) return;
      let [ps, os] = a;
      let [pe, oe] = b;
      // A selection that ends at the very start of a phrase (or starts at the very end of one)
      // does not reach into it.
      while (pe > ps && oe === 0) {
        pe -= 1;
        oe = nodes[pe].length;
      }
      while (ps < pe && os >= nodes[ps].length) {
        ps += 1;
        os = 0;
      }
      if (pe < ps || (pe === ps && oe <= os)) return;
      const granularity = String(rawAttr(tool.attrs, 'granularity', 'symbol')).toLowerCase();
      if (ps === pe) {
        [os, oe] = snapSpan(nodes[ps].data, os, oe, granularity);
      } else {
        os = snapSpan(nodes[ps].data, os, nodes[ps].length, granularity, 'start')[0];
        oe = snapSpan(nodes[pe].data, 0, oe, granularity, 'end')[1];
      }
      if (ps === pe && oe <= os) return;
      const value = { start: String(ps), end: String(pe), startOffset: cpOf(ps).toPoint(os), endOffset: cpOf(pe).toPoint(oe) };
      if (save) {
        const parts = [];
        for (let p = ps; p <= pe; p += 1) parts.push(nodes[p].data.slice(p === ps ? os : 0, p === pe ? oe : undefined));
        value.text = parts.join('\n');
      }
      value[tool.type] = [...tool.labels];
      ctx.addRegion({ from_name: tool.fromName, type: tool.type, value });
      sel.removeAllRanges();
    };

    listenForSpans(list, ctx, session, {
      createFromSelection,
      regionsAtHit: ([node, offset]) => (byNode.has(node) ? layer.regionsAt(node, offset) : []),
    });
  };

  return mountSpanTag(el, ctx, {
    className: 'annot-text annot-paragraphs',
    defaultValueType: 'json',
    what: 'the paragraphs',
    parse: (raw) => phrasesOf(raw, nameKey, textKey),
    render,
  });
}
