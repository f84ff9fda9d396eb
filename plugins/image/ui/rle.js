// Brush masks in Label Studio's format: thi.ng rle-pack over the RGBA bytes of the mask at the
// image's natural size (the same bitstream plugins/image/rle_pack.cpp reads and writes).

// Label Studio's encoder settings: 8-bit words, run-length fields of 3, 4, 8 and 16 bits.
const WORD = 8;
const RUN_SIZES = [3, 4, 8, 16];

// Big-endian bit writer into a growable byte array: bits gather in an accumulator and leave it
// a byte at a time (never more than 23 bits held, so the shifts stay within 32-bit integers).
class BitWriter {
  constructor(capacity) {
    this.buf = new Uint8Array(Math.max(16, capacity));
    this.len = 0;
    this.acc = 0;
    this.bits = 0;
  }

  write(value, bits) {
    if (bits > 16) {
      this.write(Math.floor(value / 65536), bits - 16);
      this.write(value & 0xffff, 16);
      return;
    }
    if (this.len + 4 > this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.acc = (this.acc << bits) | (value & ((1 << bits) - 1));
    this.bits += bits;
    while (this.bits >= 8) {
      this.bits -= 8;
      this.buf[this.len++] = (this.acc >>> this.bits) & 0xff;
    }
    this.acc &= (1 << this.bits) - 1;
  }

  bytes() {
    const out = this.buf.slice(0, this.len + (this.bits ? 1 : 0));
    if (this.bits) out[this.len] = (this.acc << (8 - this.bits)) & 0xff;
    return out;
  }
}

// Packs `words` (a Uint8Array, e.g. RGBA bytes) into rle-pack bytes; returns a plain array of
// byte values, which is what Label Studio's `value.rle` holds.
export function rleEncode(words) {
  const n = words.length;
  const w = new BitWriter(Math.ceil(n / 8) + 64);
  w.write(n, 32);
  w.write(WORD - 1, 5);
  for (const s of RUN_SIZES) w.write(s - 1, 4);
  const maxRun = 1 << RUN_SIZES[3];
  // The run-length field: the smallest size that holds run - 1.
  const writeRun = (run) => {
    const v = run - 1;
    let idx = 0;
    while (idx < 3 && (v >>> RUN_SIZES[idx]) !== 0) ++idx;
    w.write(idx, 2);
    w.write(v, RUN_SIZES[idx]);
  };
  const literal = (from, to) => {
    while (from < to) {
      const run = Math.min(to - from, maxRun);
      w.write(0, 1);
      writeRun(run);
      for (let i = from; i < from + run; ++i) w.write(words[i], WORD);
      from += run;
    }
  };
  let i = 0;
  let litFrom = 0;
  while (i < n) {
    let j = i + 1;
    const v = words[i];
    while (j < n && words[j] === v && j - i < maxRun) ++j;
    if (j - i >= 2) {
      literal(litFrom, i);
      w.write(1, 1);
      writeRun(j - i);
      w.write(v, WORD);
      litFrom = j;
    }
    i = j;
  }
  literal(litFrom, n);
  return Array.from(w.bytes());
}

// Unpacks rle-pack bytes (an array of byte values) into a Uint8Array of the words; throws an Error
// naming the problem on a truncated or malformed stream.
export function rleDecode(packed) {
  const data = packed instanceof Uint8Array ? packed : Uint8Array.from(packed);
  const size = data.length * 8;
  let pos = 0;
  const read = (bits) => {
    if (pos + bits > size) throw new Error(`the brush mask ends early (at bit ${pos})`);
    let v = 0;
    for (let i = 0; i < bits; ++i, ++pos) v = v * 2 + ((data[pos >> 3] >> (7 - (pos & 7))) & 1);
    return v;
  };
  const n = read(32);
  const word = read(5) + 1;
  const sizes = [read(4) + 1, read(4) + 1, read(4) + 1, read(4) + 1];
  if (word > 8) throw new Error(`the brush mask uses ${word}-bit words`);
  const out = new Uint8Array(n);
  let k = 0;
  while (k < n) {
    const repeat = read(1);
    const run = read(sizes[read(2)]) + 1;
    if (run > n - k) throw new Error(`the brush mask has a run past its ${n} words`);
    if (repeat) {
      out.fill(read(word), k, k + run);
      k += run;
    } else {
      for (let e = k + run; k < e; ++k) out[k] = read(word);
    }
  }
  return out;
}
