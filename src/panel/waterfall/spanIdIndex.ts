/**
 * Span ID → frame row, exact string match, first occurrence wins. Part of stage 4 (the trace
 * model). Span IDs of 16 lower-case hex digits (what Tempo, Jaeger and our backend emit) are
 * kept as two 32-bit halves in an open-addressing table of typed arrays: no string hashing,
 * nothing for the garbage collector. Any other ID (other length, upper case, not hex) goes to
 * a Map, so the answers are those of a Map over the strings.
 */

const EMPTY = -1;

/** Value of each lower-case hex digit by char code; -16 (makes the OR of all digits negative) for any other. */
const HEX = new Int8Array(128).fill(-16);
for (let c = 0; c < 10; c++) {
  HEX[48 + c] = c;
}
for (let c = 0; c < 6; c++) {
  HEX[97 + c] = 10 + c;
}

/** The 32-bit value of 8 lower-case hex digits at s[from…from+8), or -1 when they are not. */
function hex8(s: string, from: number): number {
  let v = 0;
  let bad = 0;
  for (let i = from; i < from + 8; i++) {
    const c = s.charCodeAt(i);
    const d = c < 128 ? HEX[c] : -16;
    bad |= d;
    v = v * 16 + d;
  }
  return bad < 0 ? -1 : v;
}

export class SpanIdIndex {
  /** Slot k is table[3k…3k+2]: high half, low half, row (-1: empty). One cache line per probe. */
  private readonly table: Int32Array;
  private readonly mask: number;
  private other: Map<string, number> | undefined;
  /** Rows whose ID an earlier row already had. */
  readonly duplicates: number;

  constructor(ids: ArrayLike<string>) {
    let size = 16;
    while (size < ids.length * 2) {
      size *= 2;
    }
    this.mask = size - 1;
    this.table = new Int32Array(size * 3);
    for (let k = 2; k < this.table.length; k += 3) {
      this.table[k] = EMPTY;
    }
    let duplicates = 0;
    for (let r = 0; r < ids.length; r++) {
      if (!this.insert(ids[r], r)) {
        duplicates++;
      }
    }
    this.duplicates = duplicates;
  }

  /** The row of `id`, or -1. */
  get(id: string): number {
    const h = id.length === 16 ? hex8(id, 0) : -1;
    const l = h >= 0 ? hex8(id, 8) : -1;
    if (l < 0) {
      return this.other?.get(id) ?? EMPTY;
    }
    const hi = h | 0;
    const lo = l | 0;
    const t = this.table;
    for (let slot = this.slotOf(hi, lo); ; slot = (slot + 1) & this.mask) {
      const k = slot * 3;
      const r = t[k + 2];
      if (r === EMPTY || (t[k] === hi && t[k + 1] === lo)) {
        return r;
      }
    }
  }

  private slotOf(hi: number, lo: number): number {
    return (Math.imul(hi ^ Math.imul(lo, 0x9e3779b1), 0x85ebca6b) >>> 0) & this.mask;
  }

  /** False when the ID was there already (the first row keeps it). */
  private insert(id: string, r: number): boolean {
    const h = id.length === 16 ? hex8(id, 0) : -1;
    const l = h >= 0 ? hex8(id, 8) : -1;
    if (l < 0) {
      this.other ??= new Map();
      if (this.other.has(id)) {
        return false;
      }
      this.other.set(id, r);
      return true;
    }
    const hi = h | 0;
    const lo = l | 0;
    const t = this.table;
    for (let slot = this.slotOf(hi, lo); ; slot = (slot + 1) & this.mask) {
      const k = slot * 3;
      if (t[k + 2] === EMPTY) {
        t[k] = hi;
        t[k + 1] = lo;
        t[k + 2] = r;
        return true;
      }
      if (t[k] === hi && t[k + 1] === lo) {
        return false;
      }
    }
  }
}
