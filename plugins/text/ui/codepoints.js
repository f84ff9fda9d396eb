// Offsets in results are Unicode code points, as Label Studio saves them (its selection code counts
// an astral character such as an emoji as one, like Python does); the DOM (Ranges, snapping,
// highlights) counts UTF-16 code units. A CodePoints map converts between the two for one text:
// the UTF-16 index of every surrogate pair is found once, each conversion is a binary search over
// them, and a text without astral characters converts as the identity. A lone surrogate counts as
// one code point, as Array.from and Python count it.

const PAIR = /[\uD800-\uDBFF][\uDC00-\uDFFF]/;

const IDENTITY = {
  astral: false,
  toPoint: (unit) => unit,
  toUnit: (point) => point,
};

/**
 * codePoints(text) -> {length, astral, toPoint(unit), toUnit(point)}
 *   length            the text's length in code points
 *   toPoint(unit)     the code point offset of a UTF-16 offset (one between two code points; an
 *                     offset inside a pair counts as after the pair)
 *   toUnit(point)     the UTF-16 offset of a code point offset in [0, length]: always between two
 *                     code points, so a span converted from code points never splits a pair
 */
export function codePoints(text) {
  text = String(text);
  if (!PAIR.test(text)) return { ...IDENTITY, length: text.length };
  // pairs[k]: the UTF-16 index of the k-th pair's high half; pairs[k] - k is its code point index.
  let pairs = new Uint32Array(64);
  let n = 0;
  for (let i = 0, last = text.length - 1; i < last; i += 1) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        if (n === pairs.length) {
          const grown = new Uint32Array(n * 2);
          grown.set(pairs);
          pairs = grown;
        }
        pairs[n] = i;
        n += 1;
        i += 1;
      }
    }
  }
  return {
    astral: true,
    length: text.length - n,
    toPoint(unit) {
      // Pairs that end at or before `unit` count one unit less each.
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (pairs[mid] + 2 <= unit) lo = mid + 1;
        else hi = mid;
      }
      return unit - lo;
    },
    toUnit(point) {
      // Pairs that start before code point `point` count one unit more each.
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (pairs[mid] - mid < point) lo = mid + 1;
        else hi = mid;
      }
      return point + lo;
    },
  };
}
