// Selection snapping for text spans: granularity (symbol, word, sentence, paragraph) and never
// splitting a UTF-16 surrogate pair. Offsets here are JavaScript string indices (UTF-16 code
// units); results carry code points, converted by codepoints.js where a span is saved or drawn.

const WORD = /[\p{L}\p{N}\p{M}_]/u;
const SPACE = /\s/;

// A code unit that belongs to a word; surrogate halves count as word characters so a pair is
// never cut in two.
function isWordUnit(text, i) {
  if (i < 0 || i >= text.length) return false;
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdfff) return true;
  return WORD.test(text[i]);
}

const isHigh = (c) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c) => c >= 0xdc00 && c <= 0xdfff;

// Moves a start offset back, and an end offset forward, off the middle of a surrogate pair.
export function fixSurrogates(text, start, end) {
  if (start > 0 && start < text.length && isLow(text.charCodeAt(start)) && isHigh(text.charCodeAt(start - 1))) start -= 1;
  if (end > 0 && end < text.length && isLow(text.charCodeAt(end)) && isHigh(text.charCodeAt(end - 1))) end += 1;
  return [start, end];
}

function trim(text, start, end) {
  while (start < end && SPACE.test(text[start])) start += 1;
  while (end > start && SPACE.test(text[end - 1])) end -= 1;
  return [start, end];
}

// Where the sentence holding `i` starts: after the last ".", "!", "?" or "…" followed by white
// space, or after a line break.
function sentenceStart(text, i) {
  let k = i;
  while (k > 0) {
    const prev = text[k - 1];
    if (prev === '\n') break;
    if (SPACE.test(prev) && k >= 2 && /[.!?…]/.test(text[k - 2])) break;
    k -= 1;
  }
  return k;
}

function sentenceEnd(text, i) {
  let k = i;
  while (k < text.length) {
    const c = text[k];
    if (c === '\n') break;
    k += 1;
    if (/[.!?…]/.test(c) && (k === text.length || SPACE.test(text[k]))) break;
  }
  return k;
}

/**
 * Snaps [start, end) of `text` to the granularity. `side` limits the snap to one edge ('start' or
 * 'end') for spans whose other edge lies in another paragraph. Returns [start, end], with
 * start === end when nothing but white space was selected.
 */
export function snapSpan(text, start, end, granularity = 'symbol', side = 'both') {
  start = Math.max(0, Math.min(start, text.length));
  end = Math.max(start, Math.min(end, text.length));
  const doStart = side !== 'end';
  const doEnd = side !== 'start';
  if (granularity !== 'symbol') {
    // Coarser units never start or end on white space.
    if (doStart) while (start < end && SPACE.test(text[start])) start += 1;
    if (doEnd) while (end > start && SPACE.test(text[end - 1])) end -= 1;
    if (side === 'both' && start === end) return [start, end];
  }
  switch (granularity) {
    case 'word':
      if (doStart) while (start > 0 && isWordUnit(text, start - 1) && isWordUnit(text, start)) start -= 1;
      if (doEnd) while (end < text.length && isWordUnit(text, end - 1) && isWordUnit(text, end)) end += 1;
      break;
    case 'sentence':
      if (doStart) start = sentenceStart(text, start);
      if (doEnd) end = sentenceEnd(text, Math.max(start, end - 1));
      if (side === 'both') [start, end] = trim(text, start, end);
      break;
    case 'paragraph':
      if (doStart) while (start > 0 && text[start - 1] !== '\n') start -= 1;
      if (doEnd) while (end < text.length && text[end] !== '\n') end += 1;
      if (side === 'both') [start, end] = trim(text, start, end);
      break;
    default:
      break;
  }
  return fixSurrogates(text, start, end);
}
