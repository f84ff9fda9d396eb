// Layout and display tags: View, Header, Style, Collapse (+ Panel), Filter, Markdown, Dialog and
// PagedView. Containers mount their children through ctx.renderChildren.
import { html } from '@annot/ui-sdk';
import { signal, effect } from '@preact/signals';
import { useRef, useEffect } from 'preact/hooks';
import { attr, flag, numberAttr, rawAttr, isTrue, toNames, filterOf, mountComponent, notice } from './util.js';

function box(el, tagName, className) {
  const div = document.createElement(tagName);
  if (className) div.className = className;
  el.appendChild(div);
  return div;
}

// ---------------------------------------------------------------- View
export function mountView(el, ctx) {
  const div = box(el, 'div', 'ac-view');
  const style = attr(ctx, 'style');
  if (style) div.style.cssText = style;
  if (String(attr(ctx, 'display', 'block')).toLowerCase() === 'inline') div.classList.add('ac-inline-view');
  const cls = attr(ctx, 'className');
  if (cls) div.classList.add(...String(cls).split(/\s+/).filter(Boolean));
  const id = attr(ctx, 'idAttr');
  if (id) div.id = id;
  const children = ctx.renderChildren(div);
  return { destroy() { children?.destroy?.(); div.remove(); } };
}

// "$key" / "$a.b" inside a longer text replaced by the task's values (Label Studio does this for
// Header and similar text: `<Header>Document ID: $document_id</Header>`); unknown keys stay.
export function substitute(ctx, text) {
  if (typeof text !== 'string' || !text.includes('$')) return text;
  if (/^\$[\w.\[\]]+$/.test(text)) return ctx.resolve(text) ?? '';
  return text.replace(/\$([A-Za-z_]\w*(?:\.\w+)*)/g, (m) => {
    const v = ctx.resolve(m);
    if (v === undefined || v === null) return m;
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  });
}

// ---------------------------------------------------------------- Header
export function mountHeader(el, ctx) {
  let text = rawAttr(ctx.node, 'value');
  if (text === undefined || text === null || text === '') text = ctx.node.text ?? '';
  text = substitute(ctx, text);
  const size = Math.min(6, Math.max(1, Math.round(numberAttr(ctx, 'size', 4))));
  const h = box(el, `h${size}`, 'ac-header');
  h.textContent = typeof text === 'object' ? JSON.stringify(text) : String(text);
  const style = attr(ctx, 'style');
  if (style) h.style.cssText = style;
  if (flag(ctx, 'underline')) h.classList.add('ac-underline');
  return { destroy() { h.remove(); } };
}

// ---------------------------------------------------------------- Style
// The element's CSS applies to the editor while this config is shown (Label Studio's behaviour).
export function mountStyle(el, ctx) {
  const style = box(el, 'style');
  style.textContent = ctx.node.text ?? '';
  return { destroy() { style.remove(); } };
}

// ---------------------------------------------------------------- Markdown
const escapeHtml = (s) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

function inlineMarkdown(s) {
  return escapeHtml(s)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^*])\*([^*]+)\*/g, '$1<em>$2</em>')
    .replace(/\[([^\]]+)\]\((https?:\/\/[^)\s]+|\/[^)\s]*)\)/g, '<a href="$2" target="_blank" rel="noopener noreferrer">$1</a>');
}

// A small, safe Markdown subset: headings, lists, code blocks, paragraphs, emphasis, code, links.
export function markdownToHtml(text) {
  const out = [];
  let list = null;
  let para = [];
  let code = null;
  const flush = () => {
    if (para.length) out.push(`<p>${inlineMarkdown(para.join(' '))}</p>`);
    para = [];
    if (list) out.push(`</${list}>`);
    list = null;
  };
  for (const line of String(text).split('\n')) {
    if (code !== null) {
      if (/^```/.test(line)) { out.push(`<pre><code>${escapeHtml(code.join('\n'))}</code></pre>`); code = null; } else code.push(line);
      continue;
    }
    let m;
    if (/^```/.test(line)) { flush(); code = []; } else if ((m = /^(#{1,6})\s+(.*)$/.exec(line))) {
      flush();
      out.push(`<h${m[1].length}>${inlineMarkdown(m[2])}</h${m[1].length}>`);
    } else if ((m = /^\s*([-*]|\d+\.)\s+(.*)$/.exec(line))) {
      const kind = /\d/.test(m[1]) ? 'ol' : 'ul';
      if (para.length) { out.push(`<p>${inlineMarkdown(para.join(' '))}</p>`); para = []; }
      if (list !== kind) { if (list) out.push(`</${list}>`); out.push(`<${kind}>`); list = kind; }
      out.push(`<li>${inlineMarkdown(m[2])}</li>`);
    } else if (!line.trim()) flush();
    else { if (list) { out.push(`</${list}>`); list = null; } para.push(line.trim()); }
  }
  if (code !== null) out.push(`<pre><code>${escapeHtml(code.join('\n'))}</code></pre>`);
  flush();
  return out.join('');
}

export function mountMarkdown(el, ctx) {
  let text = rawAttr(ctx.node, 'value');
  if (text === undefined || text === null || text === '') text = ctx.node.text ?? '';
  text = substitute(ctx, text);
  const div = box(el, 'div', 'ac-markdown');
  div.innerHTML = markdownToHtml(typeof text === 'string' ? text : JSON.stringify(text));
  const style = attr(ctx, 'style');
  if (style) div.style.cssText = style;
  const cls = attr(ctx, 'className');
  if (cls) div.classList.add(...String(cls).split(/\s+/).filter(Boolean));
  return { destroy() { div.remove(); } };
}

// ---------------------------------------------------------------- Dialog (legacy display)
function Dialog({ ctx }) {
  let data = attr(ctx, 'value');
  if (typeof data === 'string') {
    try { data = JSON.parse(data); } catch { data = []; }
  }
  const lines = Array.isArray(data) ? data : [];
  return html`<div class="ac-dialog" data-object=${ctx.name}>
    ${lines.map((m, i) => html`<div class="ac-dialog-line" key=${i} title=${m?.hint ?? ''}>
      <span class="ac-dialog-name">${m?.name ?? m?.author ?? ''}</span>
      <span class="ac-dialog-text">${m?.text ?? (typeof m === 'string' ? m : '')}</span>
    </div>`)}
  </div>`;
}

export function mountDialog(el, ctx) { return mountComponent(el, ctx, Dialog); }

// ---------------------------------------------------------------- Collapse + Panel
function Panel({ ctx, panel, open, index, onToggle }) {
  const body = useRef(null);
  useEffect(() => {
    // A Panel is a child-only tag the framework does not mount: its children go into the body.
    const mounted = ctx.renderChildren(body.current, panel);
    return () => mounted?.destroy?.();
  }, []);
  const isOpen = open.value.has(index);
  const title = rawAttr(panel, 'value', '');
  return html`<div class="ac-panel ${isOpen ? 'ac-open' : ''}">
    <button type="button" class="ac-panel-header" aria-expanded=${isOpen} onClick=${() => onToggle(index)}>
      <span class="ac-panel-arrow">${isOpen ? '▾' : '▸'}</span>${title}
    </button>
    <div class="ac-panel-body" ref=${body} hidden=${!isOpen}></div>
  </div>`;
}

function Collapse({ ctx, panels, open }) {
  const accordion = flag(ctx, 'accordion', true);
  const toggle = (i) => {
    const next = new Set(accordion ? [] : open.peek());
    if (open.peek().has(i)) next.delete(i); else next.add(i);
    open.value = next;
  };
  return html`<div class="ac-collapse ${flag(ctx, 'bordered') ? 'ac-bordered' : ''}">
    ${panels.map((p, i) => html`<${Panel} key=${i} ctx=${ctx} panel=${p} open=${open} index=${i} onToggle=${toggle} />`)}
  </div>`;
}

export function mountCollapse(el, ctx) {
  const panels = ctx.node.children.filter((c) => c.tag.toLowerCase() === 'panel');
  // Panels start closed, as Label Studio's; `open` on the Collapse or a Panel opens them.
  let initial = panels.map((p, i) => i).filter((i) => flag(ctx, 'open') || isTrue(rawAttr(panels[i], 'open', '')));
  if (flag(ctx, 'accordion', true)) initial = initial.slice(0, 1);
  const open = signal(new Set(initial));
  return mountComponent(el, ctx, Collapse, { panels, open });
}

// ---------------------------------------------------------------- Filter
function FilterBox({ ctx, entries, inputRef }) {
  const placeholder = attr(ctx, 'placeholder', 'Quick Filter');
  const style = attr(ctx, 'style');
  return html`<div class="ac-filter" style=${style}>
    <input ref=${inputRef} type="search" placeholder=${placeholder} aria-label=${placeholder}
      value=${entries[0]?.text.value ?? ''} onInput=${(e) => { for (const f of entries) f.text.value = e.currentTarget.value; }} />
  </div>`;
}

export function mountFilter(el, ctx) {
  const minlength = numberAttr(ctx, 'minlength', 3);
  const caseSensitive = flag(ctx, 'caseSensitive');
  const cleanup = flag(ctx, 'cleanup', true);
  const names = toNames(ctx.node);
  const text = signal('');
  const disposers = [];
  const entries = names.map((name) => {
    // The control's own filter entry (Choices reads it); `query` is the text once long enough.
    const entry = filterOf(ctx.node, name, () => ({ query: signal(''), cleanup, caseSensitive }));
    entry.cleanup = cleanup;
    entry.caseSensitive = caseSensitive;
    return { name, entry, text };
  });
  disposers.push(effect(() => {
    const t = text.value;
    const q = t.length >= minlength ? t : '';
    for (const { name, entry } of entries) {
      entry.query.value = q;
      // Labels bars are the framework's: their buttons carry data-label.
      const bar = el.closest('.annot-editor')?.querySelector(`.annot-labels[data-control="${CSS.escape(name)}"]`);
      if (!bar) continue;
      for (const b of bar.querySelectorAll('[data-label]')) {
        const label = `${b.dataset.label} ${b.textContent}`;
        b.hidden = Boolean(q) && !(caseSensitive ? label.includes(q) : label.toLowerCase().includes(q.toLowerCase()));
      }
    }
  }));
  // A choice picked in the control clears the text (cleanup); the control clears `query`.
  for (const { entry } of entries) {
    disposers.push(effect(() => { if (!entry.query.value && text.peek().length >= minlength) text.value = ''; }));
  }
  const inputRef = { current: null };
  const hotkey = attr(ctx, 'hotkey');
  if (hotkey && ctx.hotkeys?.add) {
    disposers.push(ctx.hotkeys.add(hotkey, () => { inputRef.current?.focus(); return Boolean(inputRef.current); },
      { description: 'Focus the quick filter' }));
  }
  if (!names.length) return notice(el, 'Filter: toName names no control');
  const m = mountComponent(el, ctx, FilterBox, { entries, inputRef });
  return { destroy() { for (const d of disposers) d?.(); m.destroy(); } };
}

// ---------------------------------------------------------------- PagedView
// One child at a time with previous / next; the children are all mounted (their results stay).
export function mountPagedView(el, ctx) {
  const bar = box(el, 'div', 'ac-pager');
  const pages = box(el, 'div', 'ac-pages');
  const children = ctx.renderChildren(pages);
  const page = signal(0);
  const prev = document.createElement('button');
  const next = document.createElement('button');
  const label = document.createElement('span');
  prev.type = next.type = 'button';
  prev.textContent = '‹ Previous';
  next.textContent = 'Next ›';
  bar.append(prev, label, next);
  const count = () => pages.children.length;
  prev.onclick = () => { page.value = Math.max(0, page.peek() - 1); };
  next.onclick = () => { page.value = Math.min(count() - 1, page.peek() + 1); };
  const show = () => {
    const n = count();
    [...pages.children].forEach((c, i) => { c.classList.toggle('ac-page-hidden', i !== page.value); });
    label.textContent = n ? `${page.value + 1} / ${n}` : '';
    prev.disabled = page.value <= 0;
    next.disabled = page.value >= n - 1;
  };
  const stop = effect(show);
  return { destroy() { stop(); children?.destroy?.(); bar.remove(); pages.remove(); } };
}
