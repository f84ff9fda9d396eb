// The text plugin's selection snapping (plugins/text/ui/snap.js) in Node: granularity word,
// sentence and paragraph, white space trimming, one-sided snaps for multi-paragraph spans, and
// surrogate pairs never split (snapping counts UTF-16 code units, as the DOM does). Then the
// conversion to and from the code point offsets results carry (plugins/text/ui/codepoints.js):
// Label Studio's offsets, identity without astral characters, lone surrogates, a 1 MB text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { snapSpan, fixSurrogates } from '../../plugins/text/ui/snap.js';
import { codePoints } from '../../plugins/text/ui/codepoints.js';

const TEXT = 'President Barack Obama visited Paris. He met the mayor!\nNext line here.';
const span = (s, e, g, side) => {
  const [a, b] = snapSpan(TEXT, s, e, g, side);
  return TEXT.slice(a, b);
};

test('symbol granularity keeps the selection as it is', () => {
  assert.equal(span(3, 13, 'symbol'), 'sident Bar');
  assert.equal(span(9, 11, 'symbol'), ' B');
});

test('word granularity grows both ends to word boundaries and trims white space', () => {
  assert.equal(span(3, 13, 'word'), 'President Barack');
  assert.equal(span(19, 24, 'word'), 'Obama visited');
  assert.equal(span(9, 18, 'word'), 'Barack Obama');
  assert.equal(span(31, 36, 'word'), 'Paris');
  // Only white space selected: nothing.
  const [a, b] = snapSpan(TEXT, 9, 10, 'word');
  assert.equal(a, b);
});

test('word granularity counts letters of any script, digits and joining marks as word characters', () => {
  const t = 'Ça coûte 1999€ à Zürich';
  const [a, b] = snapSpan(t, 4, 7, 'word');
  assert.equal(t.slice(a, b), 'coûte');
  const [c, d] = snapSpan(t, 10, 11, 'word');
  assert.equal(t.slice(c, d), '1999');
  const [e, f] = snapSpan(t, 19, 20, 'word');
  assert.equal(t.slice(e, f), 'Zürich');
});

test('sentence and paragraph granularity', () => {
  assert.equal(span(12, 14, 'sentence'), 'President Barack Obama visited Paris.');
  assert.equal(span(40, 42, 'sentence'), 'He met the mayor!');
  assert.equal(span(60, 62, 'sentence'), 'Next line here.');
  assert.equal(span(40, 42, 'paragraph'), 'President Barack Obama visited Paris. He met the mayor!');
  assert.equal(span(60, 62, 'paragraph'), 'Next line here.');
});

test('one-sided snaps leave the other edge where it is', () => {
  const [a, b] = snapSpan(TEXT, 3, TEXT.length, 'word', 'start');
  assert.equal(a, 0);
  assert.equal(b, TEXT.length);
  const [c, d] = snapSpan(TEXT, 0, 13, 'word', 'end');
  assert.equal(c, 0);
  assert.equal(d, 16);
});

test('a surrogate pair is never split: offsets stay UTF-16 code units', () => {
  const t = 'ok 😀 fine';
  // 😀 occupies units 3 and 4.
  assert.deepEqual(fixSurrogates(t, 4, 5), [3, 5]);
  assert.deepEqual(fixSurrogates(t, 3, 4), [3, 5]);
  assert.deepEqual(snapSpan(t, 4, 4 + 1, 'symbol'), [3, 5]);
  const [a, b] = snapSpan(t, 4, 5, 'word');
  assert.equal(t.slice(a, b), '😀');
  // Out-of-range input is clamped.
  assert.deepEqual(snapSpan(t, -5, 100, 'symbol'), [0, t.length]);
});

// The code point offset of every UTF-16 offset between two code points, counted the slow way.
function slowPoints(text) {
  const out = new Map([[0, 0]]);
  let unit = 0;
  let point = 0;
  for (const ch of text) {
    unit += ch.length;
    point += 1;
    out.set(unit, point);
  }
  return out;
}

test('code points: Label Studio\'s offsets for text with emoji and other astral characters', () => {
  const t = 'Hi 😀 Alice met 𝒳 Bob at Acme Corp today.';
  const cp = codePoints(t);
  assert.equal(cp.astral, true);
  assert.equal(cp.length, [...t].length);
  // Alice: UTF-16 [6, 11), code points [5, 10), as Label Studio saves it.
  assert.deepEqual([cp.toPoint(6), cp.toPoint(11)], [5, 10]);
  assert.deepEqual([cp.toUnit(5), cp.toUnit(10)], [6, 11]);
  // Bob after 𝒳 (two pairs before it).
  const bob = t.indexOf('Bob');
  assert.equal(cp.toPoint(bob), bob - 2);
  assert.equal(cp.toUnit(bob - 2), bob);
  assert.equal(cp.toUnit(cp.length), t.length);
  // Every boundary both ways.
  for (const [unit, point] of slowPoints(t)) {
    assert.equal(cp.toPoint(unit), point, `toPoint(${unit})`);
    assert.equal(cp.toUnit(point), unit, `toUnit(${point})`);
  }
  // Inside a pair counts as after it; a code point offset never lands inside one.
  assert.equal(cp.toPoint(4), 4);
});

test('code points: the identity without astral characters; lone surrogates count one each', () => {
  const plain = 'Ça coûte 1999€ à Zürich — 中文';
  const cp = codePoints(plain);
  assert.equal(cp.astral, false);
  assert.equal(cp.length, plain.length);
  for (let i = 0; i <= plain.length; i += 1) {
    assert.equal(cp.toPoint(i), i);
    assert.equal(cp.toUnit(i), i);
  }
  assert.equal(codePoints('').length, 0);
  // A lone high, a lone low, a high before a pair, a pair at the very end.
  const odd = 'a\uD800b\uDC00c\uD83D\uD83D\uDE00d\uD83D\uDE00';
  const o = codePoints(odd);
  assert.equal(o.length, Array.from(odd).length);
  for (const [unit, point] of slowPoints(odd)) {
    assert.equal(o.toPoint(unit), point, `toPoint(${unit})`);
    assert.equal(o.toUnit(point), unit, `toUnit(${point})`);
  }
});

test('code points: a snapped span converts to code points and back to the same string indices', () => {
  const t = '𝒳𝒴 word 😀😀 end';
  const cp = codePoints(t);
  for (let s = 0; s < t.length; s += 1) {
    for (let e = s + 1; e <= t.length; e += 1) {
      const [a, b] = snapSpan(t, s, e, 'symbol');
      const [ps, pe] = [cp.toPoint(a), cp.toPoint(b)];
      assert.deepEqual([cp.toUnit(ps), cp.toUnit(pe)], [a, b]);
      assert.equal([...t].slice(ps, pe).join(''), t.slice(a, b));
    }
  }
});

test('code points: a 1 MB text converts quickly', () => {
  const chunk = 'The quick brown fox 🦊 jumps over the lazy dog 𝒳. ';
  const t = chunk.repeat(Math.ceil(1_000_000 / chunk.length));
  const plain = 'x'.repeat(1_000_000);
  const t0 = performance.now();
  const cp = codePoints(t);
  const id = codePoints(plain);
  const built = performance.now() - t0;
  const n = [...t].length;
  assert.equal(cp.length, n);
  assert.equal(id.length, plain.length);
  const t1 = performance.now();
  let sum = 0;
  for (let i = 0; i < 100_000; i += 1) {
    const p = (i * 7919) % (n + 1);
    const u = cp.toUnit(p);
    sum += cp.toPoint(u) - p;
  }
  const converted = performance.now() - t1;
  assert.equal(sum, 0);
  // Generous bounds: building is one pass over the text, each conversion a binary search.
  assert.ok(built < 500, `building the maps took ${built.toFixed(1)} ms`);
  assert.ok(converted < 500, `100,000 conversions took ${converted.toFixed(1)} ms`);
});
