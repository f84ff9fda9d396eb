// The text plugin's selection snapping (plugins/text/ui/snap.js) in Node: granularity word,
// sentence and paragraph, white space trimming, one-sided snaps for multi-paragraph spans, and
// surrogate pairs never split (offsets are UTF-16 code units, as Label Studio's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { snapSpan, fixSurrogates } from '../../plugins/text/ui/snap.js';

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
