// Sets of document slots for the in-memory index: postings, and the slots holding one value of a filter column.
//
// Slots are handed out in increasing order and never reused (a replaced document gets a new slot), so a set only
// ever grows at its top end. A set is a sorted Int32Array while it is sparse and a bitset once it holds more than
// one slot in 32, whichever is smaller (the idea of Roaring bitmaps, at whole-set granularity: at 100,000 documents
// the corpus's postings take 47 MB this way against 141 MB as arrays). Dense sets make the broad queries cheap
// too: a common word, a visibility filter or a facet click is a pass of word-wide ANDs over N/32 words instead of
// a test per document.
//
// Queries work on bitsets over all slots (`Uint32Array` of `words(slots)`), borrowed from a `BitPool` so a query
// allocates nothing per field or term.

/** Words of a bitset covering `slots` slots. */
export function words(slots: number): number {
  return (slots + 31) >>> 5;
}

export function hasBit(bits: Uint32Array, slot: number): boolean {
  return ((bits[slot >>> 5] >>> (slot & 31)) & 1) === 1;
}

export function setBit(bits: Uint32Array, slot: number): void {
  bits[slot >>> 5] |= 1 << (slot & 31);
}

/** Calls `visit` for every set bit, in ascending slot order. */
export function forEachBit(bits: Uint32Array, visit: (slot: number) => void): void {
  for (let w = 0; w < bits.length; w++) {
    let v = bits[w];
    while (v !== 0) {
      const low = v & -v;
      visit((w << 5) + 31 - Math.clz32(low));
      v ^= low;
    }
  }
}

/** Writes the set bits into `out` in ascending order and returns how many there were. */
export function collectBits(bits: Uint32Array, out: Int32Array): number {
  let n = 0;
  for (let w = 0; w < bits.length; w++) {
    let v = bits[w];
    while (v !== 0) {
      const low = v & -v;
      out[n++] = (w << 5) + 31 - Math.clz32(low);
      v ^= low;
    }
  }
  return n;
}

/** A sparse set turns into a bitset past one slot in 32 (where the bitset gets smaller), never below this size. */
const MIN_DENSE = 64;

export class SlotSet {
  /** Sparse form: sorted slots in `arr[0..size)`; undefined once dense. */
  private arr: Int32Array | undefined = new Int32Array(2);
  /** Dense form: bit per slot; may be shorter than a query's bitsets (missing words are zero). */
  private bits: Uint32Array | undefined;
  size = 0;
  /** The highest slot added (-1 when empty): adding the same slot twice in a row is a no-op. */
  last = -1;

  get dense(): boolean {
    return this.bits !== undefined;
  }

  /** Adds a slot not below any slot added so far. `slots` is how many slots the index has handed out. */
  add(slot: number, slots: number): void {
    if (slot === this.last) return;
    this.last = slot;
    const bits = this.bits;
    if (bits) {
      if ((slot >>> 5) >= bits.length) this.bits = grown(bits as Uint32Array<ArrayBuffer>, Math.max(words(slots), bits.length + (bits.length >>> 1)));
      setBit(this.bits!, slot);
      this.size++;
      return;
    }
    let arr = this.arr!;
    if (this.size === arr.length) {
      if (this.size >= MIN_DENSE && this.size * 32 > slots) {
        this.toDense(slots);
        this.last = -1;
        this.add(slot, slots);
        return;
      }
      // Long arrays grow by an eighth: after a bulk load is sealed, the first writes must not double every list.
      arr = this.arr = grown(arr as Int32Array<ArrayBuffer>, arr.length < 1024 ? arr.length * 2 : arr.length + (arr.length >>> 3));
    }
    arr[this.size++] = slot;
  }

  private toDense(slots: number): void {
    const bits = new Uint32Array(words(slots));
    const arr = this.arr!;
    for (let i = 0; i < this.size; i++) setBit(bits, arr[i]);
    this.bits = bits;
    this.arr = undefined;
  }

  /**
   * After a bulk load: each set takes the smaller form for the final slot count, without growth slack. A set that
   * turned dense early in the load but stayed small goes back to an array.
   */
  seal(slots: number): void {
    if (this.bits) {
      if (this.size * 32 <= slots || this.size < MIN_DENSE) {
        const arr = new Int32Array(Math.max(this.size, 2));
        let n = 0;
        forEachBit(this.bits, (s) => {
          arr[n++] = s;
        });
        this.arr = arr;
        this.bits = undefined;
      } else if (this.bits.length > words(slots)) {
        this.bits = this.bits.slice(0, words(slots));
      }
    } else if (this.size * 32 > slots && this.size >= MIN_DENSE) {
      this.toDense(slots);
    } else {
      const keep = Math.max(this.size + (this.size >>> 4), 2);
      if (this.arr!.length > keep) this.arr = this.arr!.slice(0, keep);
    }
  }

  has(slot: number): boolean {
    if (this.bits) return (slot >>> 5) < this.bits.length && hasBit(this.bits, slot);
    const arr = this.arr!;
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (arr[mid] < slot) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.size && arr[lo] === slot;
  }

  /** out |= this. */
  orInto(out: Uint32Array): void {
    const bits = this.bits;
    if (bits) {
      const n = Math.min(bits.length, out.length);
      for (let w = 0; w < n; w++) out[w] |= bits[w];
      return;
    }
    const arr = this.arr!;
    for (let i = 0; i < this.size; i++) setBit(out, arr[i]);
  }

  /**
   * out = mask ∩ every set in `sets` (out is overwritten; all bitsets the same length). Returns whether anything is
   * left. The smallest sparse set drives when there is one; otherwise it is word-wide ANDs.
   */
  static intersect(sets: readonly SlotSet[], mask: Uint32Array, out: Uint32Array): boolean {
    let driver = -1;
    for (let i = 0; i < sets.length; i++) {
      if (!sets[i].bits && (driver < 0 || sets[i].size < sets[driver].size)) driver = i;
    }
    out.fill(0);
    if (driver < 0) {
      let any = 0;
      for (let w = 0; w < out.length; w++) {
        let v = mask[w];
        for (let i = 0; v !== 0 && i < sets.length; i++) {
          const b = sets[i].bits!;
          v &= w < b.length ? b[w] : 0;
        }
        out[w] = v;
        any |= v;
      }
      return any !== 0;
    }
    const d = sets[driver];
    const arr = d.arr!;
    // Other sparse sets are searched from where the last slot was found: the driver ascends.
    const cursors = new Int32Array(sets.length);
    let any = false;
    outer: for (let k = 0; k < d.size; k++) {
      const slot = arr[k];
      if (!hasBit(mask, slot)) continue;
      for (let i = 0; i < sets.length; i++) {
        if (i === driver) continue;
        const s = sets[i];
        if (s.bits) {
          if ((slot >>> 5) >= s.bits.length || !hasBit(s.bits, slot)) continue outer;
          continue;
        }
        const list = s.arr!;
        let lo = cursors[i];
        let hi = s.size;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (list[mid] < slot) lo = mid + 1;
          else hi = mid;
        }
        cursors[i] = lo;
        if (lo === s.size) break outer;
        if (list[lo] !== slot) continue outer;
      }
      setBit(out, slot);
      any = true;
    }
    return any;
  }

  /** Bytes held (for the memory figures). */
  get bytes(): number {
    return this.bits ? this.bits.byteLength : this.arr!.byteLength;
  }
}

type Growable = Uint32Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Float32Array<ArrayBuffer> | Float64Array<ArrayBuffer>;

/** A copy of `a` with room for `n` elements (the new ones zero). */
export function grown<A extends Growable>(a: A, n: number): A {
  const b = new (a.constructor as new (n: number) => A)(n);
  b.set(a);
  return b;
}

/**
 * Bitsets for one query, all `words(slots)` long, zeroed when handed out. Queries run synchronously, so one pool
 * per index is enough; `reset` makes every bitset available again.
 */
export class BitPool {
  private readonly free: Uint32Array[] = [];
  private readonly used: Uint32Array[] = [];
  private size = 0;

  reset(slots: number): void {
    const w = words(slots);
    for (const b of this.used) this.free.push(b);
    this.used.length = 0;
    if (w !== this.size) {
      this.size = w;
      this.free.length = 0;
    }
  }

  take(): Uint32Array {
    const b = this.free.pop() ?? new Uint32Array(this.size);
    b.fill(0);
    this.used.push(b);
    return b;
  }

  /** A pool that keeps bitsets of a query that needed many (a dozen synonyms) would hold them for good: cap it. */
  trim(keep = 64): void {
    if (this.free.length > keep) this.free.length = keep;
  }
}
