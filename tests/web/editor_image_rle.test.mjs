// The image editor's brush codec (plugins/image/ui/rle.js) in Node: round trips, refusal of broken
// streams, and Label Studio's own editor masks re-encoded byte for byte (read in place from
// ../shared, skipped with the reason when it is absent).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rleEncode, rleDecode } from '../../plugins/image/ui/rle.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const shared = process.env.ANNOT_SHARED_DIR || path.resolve(here, '../../../shared');

test('round trips: empty, constant, alternating, long runs past the 16-bit field, random', () => {
  const cases = [new Uint8Array(0), new Uint8Array(1000).fill(7), Uint8Array.from({ length: 999 }, (_, i) => i & 1 ? 255 : 0),
    new Uint8Array(200000).fill(3), Uint8Array.from({ length: 70000 }, (_, i) => (i * 2654435761) >>> 24)];
  const mixed = new Uint8Array(300000);
  for (let i = 0; i < mixed.length; ++i) mixed[i] = (i % 4 === 3 && i > 100000 && i < 150000) ? 200 : 0;
  cases.push(mixed);
  for (const words of cases) {
    const packed = rleEncode(words);
    assert.ok(packed.every((b) => Number.isInteger(b) && b >= 0 && b <= 255));
    assert.deepEqual(rleDecode(packed), words);
  }
  // A mask of equal words packs into a few bytes (repeat chunks of up to 65,536 words).
  assert.ok(rleEncode(new Uint8Array(200000).fill(3)).length < 30);
});

test('broken streams are refused with a reason, never read past the end', () => {
  const packed = rleEncode(Uint8Array.from({ length: 500 }, (_, i) => i % 13));
  assert.throws(() => rleDecode(packed.slice(0, 5)), /ends early/);
  assert.throws(() => rleDecode(packed.slice(0, packed.length - 20)), /ends early/);
  // A header declaring 3 words followed by a repeat run of 8.
  const bad = rleEncode(new Uint8Array(8).fill(1));
  bad[3] = 3;
  assert.throws(() => rleDecode(bad), /run past/);
});

test("Label Studio's editor masks re-encode byte for byte and decode to width x height x 4", (t) => {
  const files = ['image_tools', 'image_segmentation', 'image_magic_wand']
    .map((n) => path.join(shared, 'fixtures/ls-editor-examples', n, 'annotations/1.json'));
  if (!fs.existsSync(files[0])) { t.skip(`Label Studio's fixtures are not at ${shared}`); return; }
  let masks = 0;
  for (const f of files) {
    const items = [];
    (function walk(j) {
      if (Array.isArray(j)) j.forEach(walk);
      else if (j && typeof j === 'object') {
        if (j.value?.rle) items.push(j);
        Object.values(j).forEach(walk);
      }
    }(JSON.parse(fs.readFileSync(f, 'utf8'))));
    assert.ok(items.length > 0, f);
    for (const it of items) {
      const words = rleDecode(it.value.rle);
      if (it.original_width) assert.equal(words.length, it.original_width * it.original_height * 4, f);
      assert.deepEqual(rleEncode(words), it.value.rle, f);
      ++masks;
    }
  }
  assert.ok(masks >= 3);
});
