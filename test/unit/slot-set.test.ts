// The slot sets under the embedded index: both forms, the switch between them, and intersection against a plain
// reference over random sets.

import { expect } from 'chai';
import { BitPool, SlotSet, collectBits, forEachBit, hasBit, setBit, words } from '../../server/adapters/search/embedded/slot-set.ts';
import { mulberry32 } from '../../server/seed/random.ts';

function setOf(slots: number[], total: number): SlotSet {
  const s = new SlotSet();
  for (const x of slots) s.add(x, total);
  return s;
}

function bitsOf(slots: Iterable<number>, total: number): Uint32Array {
  const b = new Uint32Array(words(total));
  for (const x of slots) setBit(b, x);
  return b;
}

function members(bits: Uint32Array): number[] {
  const out: number[] = [];
  forEachBit(bits, (s) => out.push(s));
  return out;
}

describe('embedded index: slot sets', () => {
  it('stays a sorted array while sparse and turns into a bitset past one slot in 32', () => {
    const sparse = setOf(Array.from({ length: 100 }, (_, i) => i * 40), 4000);
    expect(sparse.dense).to.equal(false);
    const dense = setOf(Array.from({ length: 200 }, (_, i) => i * 5), 1000);
    expect(dense.dense).to.equal(true);
    for (const s of [sparse, dense]) {
      expect(s.has(0)).to.equal(true);
      expect(s.has(1)).to.equal(false);
      expect(s.has(100_000)).to.equal(false);
    }
    expect(dense.size).to.equal(200);
    expect(dense.bytes).to.be.below(200 * 4);
  });

  it('adds a slot once however often a document repeats a token', () => {
    const s = new SlotSet();
    for (const x of [3, 3, 3, 7, 7, 9]) s.add(x, 10);
    expect(s.size).to.equal(3);
  });

  it('seals each set into its smaller form: a set that went dense early but stayed small becomes an array again', () => {
    const early = new SlotSet();
    for (let i = 0; i < 70; i++) early.add(i, i + 1); // dense among the first 70 slots
    expect(early.dense).to.equal(true);
    early.seal(100_000); // but 70 of 100,000 is sparse
    expect(early.dense).to.equal(false);
    expect(early.has(69)).to.equal(true);
    expect(early.has(70)).to.equal(false);
    expect(early.bytes).to.be.at.most(70 * 4 + 16);
  });

  it('intersects any mix of sparse and dense sets under a mask exactly like a plain set intersection', () => {
    const rnd = mulberry32(42);
    const total = 5000;
    for (let round = 0; round < 60; round++) {
      const densities = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => [0.002, 0.02, 0.2, 0.8][Math.floor(rnd() * 4)]);
      const lists = densities.map((p) => Array.from({ length: total }, (_, i) => i).filter(() => rnd() < p));
      const sets = lists.map((l) => {
        const s = setOf(l, total);
        if (rnd() < 0.5) s.seal(total);
        return s;
      });
      const maskSlots = Array.from({ length: total }, (_, i) => i).filter(() => rnd() < 0.7);
      const mask = bitsOf(maskSlots, total);
      const out = new Uint32Array(words(total));
      const any = SlotSet.intersect(sets, mask, out);
      const want = maskSlots.filter((x) => lists.every((l) => l.includes(x)));
      expect(members(out), `round ${round}, densities ${densities}`).to.deep.equal(want);
      expect(any).to.equal(want.length > 0);
    }
  });

  it('ors into a bitset and collects bits in ascending order', () => {
    const out = new Uint32Array(words(300));
    setOf([1, 64, 299], 300).orInto(out);
    setOf(Array.from({ length: 150 }, (_, i) => i * 2), 300).orInto(out);
    const slots = new Int32Array(300);
    const n = collectBits(out, slots);
    const want = [...new Set([1, 64, 299, ...Array.from({ length: 150 }, (_, i) => i * 2)])].sort((a, b) => a - b);
    expect([...slots.subarray(0, n)]).to.deep.equal(want);
    expect(hasBit(out, 299)).to.equal(true);
  });

  it('hands out zeroed bitsets of the current size, reused across queries', () => {
    const pool = new BitPool();
    pool.reset(100);
    const a = pool.take();
    a.fill(0xffffffff);
    expect(a.length).to.equal(words(100));
    pool.reset(100);
    const b = pool.take();
    expect(b).to.equal(a);
    expect([...b].every((w) => w === 0)).to.equal(true);
    pool.reset(5000);
    expect(pool.take().length).to.equal(words(5000));
  });
});
