// The MongoDB adapter's pure parts: Cond → filter and sort translation, and the entity ↔ document mapping.
// No server needed; the adapter's contract suite (test/contract) runs when MONGODB_URI is set.

import { expect } from 'chai';
import { fromRaw, toRaw } from '../../server/adapters/store/mongo/collection.ts';
import {
  type MongoFilter, escapeRegex, liveFilter, sanitizeFilter, translateCond, translateSort,
} from '../../server/adapters/store/mongo/filter.ts';
import { PATH_TYPES } from '../../server/adapters/store/mongo/paths.ts';
import { type Cond, INDEXED_PATHS } from '../../server/ports/store.ts';

/** The filter as the server sees it (the trusted marker is a symbol, which BSON and JSON drop). */
function plain(f: MongoFilter): unknown {
  return JSON.parse(JSON.stringify(f));
}

/** sanitizeFilter passes the object through unchanged (it is marked with mongoose.trusted). */
function trusted(v: unknown): boolean {
  const probe: MongoFilter = { p: v };
  sanitizeFilter(probe);
  return probe.p === v;
}

const NEVER = { _id: { $in: [] } };
const res = (c: Cond) => translateCond('resources', c);

describe('mongo adapter: Cond → MongoDB filter', () => {
  describe('equality', () => {
    it('translates eq to a plain field match, dotted paths included', () => {
      expect(plain(res({ path: 'status', eq: 'published' }))).to.deep.equal({ status: 'published' });
      expect(plain(res({ path: 'provider.agencyId', eq: 'a1' }))).to.deep.equal({ 'provider.agencyId': 'a1' });
      expect(plain(res({ path: 'openness.isOpen', eq: true }))).to.deep.equal({ 'openness.isOpen': true });
      expect(plain(translateCond('classification', { path: 'level', eq: 2 }))).to.deep.equal({ level: 2 });
    });

    it('translates eq null to {path: null}, which matches a missing or null field (SQL IS NULL)', () => {
      expect(res({ path: 'baseDatabase', eq: null })).to.deep.equal({ baseDatabase: null });
    });

    it('is type-strict like the embedded adapter: a value of the wrong type matches nothing', () => {
      expect(plain(translateCond('classification', { path: 'level', eq: '1' }))).to.deep.equal(NEVER);
      expect(plain(res({ path: 'status', eq: 5 }))).to.deep.equal(NEVER);
      expect(plain(res({ path: 'openness.isOpen', eq: 'true' }))).to.deep.equal(NEVER);
    });

    it('compares array paths element-wise as strings, as the embedded side table does', () => {
      expect(res({ path: 'authorityItems', eq: '公民身份号码' })).to.deep.equal({ authorityItems: '公民身份号码' });
      expect(res({ path: 'authorityItems', eq: 7 })).to.deep.equal({ authorityItems: '7' });
    });
  });

  describe('membership', () => {
    it('translates in to $in, marked trusted so sanitizeFilter keeps the operator', () => {
      const f = res({ path: 'provider.agencyId', in: ['a2', 'zz'] });
      expect(plain(f)).to.deep.equal({ 'provider.agencyId': { $in: ['a2', 'zz'] } });
      expect(trusted(f['provider.agencyId'])).to.equal(true);
    });

    it('matches nothing for in [] and drops values of the wrong type', () => {
      expect(plain(res({ path: 'provider.agencyId', in: [] }))).to.deep.equal(NEVER);
      expect(plain(res({ path: 'status', in: ['draft', 3, null] }))).to.deep.equal({ status: { $in: ['draft', null] } });
      expect(plain(res({ path: 'status', in: [3] }))).to.deep.equal(NEVER);
    });

    it('matches array paths when any element is in the list', () => {
      expect(plain(res({ path: 'authorityItems', in: ['公民身份号码', '姓名'] }))).to.deep.equal({ authorityItems: { $in: ['公民身份号码', '姓名'] } });
    });
  });

  describe('prefix', () => {
    it('translates prefix to a $regex anchored at the start', () => {
      const f = res({ path: 'classNode', prefix: '10' });
      expect(plain(f)).to.deep.equal({ classNode: { $regex: '^10' } });
      expect(trusted(f.classNode)).to.equal(true);
    });

    it('escapes every regular-expression metacharacter in the prefix', () => {
      const prefix = String.raw`a.b*c+d?e^f$g(h)i[j]k{l}m|n\o/p-q`;
      const { $regex } = res({ path: 'name', prefix }).name as { $regex: string };
      const re = new RegExp($regex);
      expect(re.test(`${prefix}tail`)).to.equal(true);
      expect(re.test(`x${prefix}`)).to.equal(false);
      expect(re.test('aXb')).to.equal(false);
      expect($regex).to.equal(String.raw`^a\.b\*c\+d\?e\^f\$g\(h\)i\[j\]k\{l\}m\|n\\o/p-q`);
    });

    it('keeps Chinese text literal and writes NUL as \\x00, which MongoDB accepts', () => {
      expect(escapeRegex('发改委(市)')).to.equal(String.raw`发改委\(市\)`);
      expect(escapeRegex('a\0b')).to.equal(String.raw`a\x00b`);
      expect(new RegExp(`^${escapeRegex('a\0b')}`).test('a\0bc')).to.equal(true);
    });

    it('refuses prefix on array paths and matches nothing on non-string paths, like the embedded adapter', () => {
      expect(() => res({ path: 'authorityItems', prefix: '公民' })).to.throw(/array/);
      expect(plain(translateCond('classification', { path: 'level', prefix: '1' }))).to.deep.equal(NEVER);
    });
  });

  describe('or / and', () => {
    it('translates or to $or and and to $and, nested', () => {
      const f = res({ and: [{ path: 'status', eq: 'published' }, { or: [{ path: 'provider.agencyId', eq: 'a1' }, { path: 'classNode', prefix: '30' }] }] });
      expect(plain(f)).to.deep.equal({
        $and: [{ status: 'published' }, { $or: [{ 'provider.agencyId': 'a1' }, { classNode: { $regex: '^30' } }] }],
      });
    });

    it('treats an empty or as false and an empty and as true', () => {
      expect(plain(res({ or: [] }))).to.deep.equal(NEVER);
      expect(res({ and: [] })).to.deep.equal({});
    });

    it('restricts to live documents', () => {
      expect(plain(liveFilter('resources', { path: 'status', eq: 'draft' }))).to.deep.equal({ deleted: false, status: 'draft' });
      expect(liveFilter('resources', undefined)).to.deep.equal({ deleted: false });
    });
  });

  describe('safety', () => {
    it('refuses paths that are not indexed for the collection, however deeply nested', () => {
      expect(() => res({ path: 'contact.phone', eq: 'x' })).to.throw(/not indexed/);
      expect(() => res({ or: [{ path: 'status', eq: 'x' }, { and: [{ path: 'abstract', prefix: 'x' }] }] })).to.throw(/abstract is not indexed/);
      expect(() => translateCond('agencies', { path: 'level', eq: 1 })).to.throw(/not indexed for agencies/);
      for (const path of ['_id', 'deleted', 'seq', 'version', '$where', 'constructor', '__proto__']) {
        expect(() => res({ path, eq: 'x' }), path).to.throw(/not indexed/);
      }
    });

    it('refuses operator objects and other non-scalars smuggled in as values', () => {
      const bad = [{ $ne: null }, { $gt: '' }, ['a'], undefined, Number.NaN, Number.POSITIVE_INFINITY];
      for (const v of bad) {
        expect(() => res({ path: 'code', eq: v as never }), String(v)).to.throw(/scalars/);
        expect(() => res({ path: 'code', in: [v as never] }), String(v)).to.throw(/scalars/);
      }
      expect(() => res({ path: 'code', prefix: { $ne: null } as never })).to.throw(/string/);
      expect(() => res({ path: 'code', in: 'a' as never })).to.throw(/array/);
      expect(() => res({ or: { path: 'code', eq: 'a' } as never })).to.throw(/array/);
      expect(() => res({ path: 'code' } as never)).to.throw(/unknown/);
    });

    it('produces filters that sanitizeFilter leaves intact, while it still neutralises operators we did not build', () => {
      const f = liveFilter('resources', {
        or: [{ path: 'code', in: ['a', 'b'] }, { and: [{ path: 'name', prefix: '常住' }, { path: 'status', eq: 'draft' }] }],
      });
      const before = plain(f);
      expect(plain(sanitizeFilter(f))).to.deep.equal(before);
      const injected: MongoFilter = { deleted: false, code: { $ne: null } };
      expect(plain(sanitizeFilter(injected))).to.deep.equal({ deleted: false, code: { $eq: { $ne: null } } });
    });
  });
});

describe('mongo adapter: sort translation', () => {
  it('sorts by the given paths in order, then _id ascending for stable pages', () => {
    const s = translateSort('resources', [{ path: 'code', dir: 'desc' }, { path: 'updatedAt', dir: 'asc' }]);
    expect(s).to.deep.equal({ code: -1, updatedAt: 1, _id: 1 });
    expect(Object.keys(s)).to.deep.equal(['code', 'updatedAt', '_id']);
    expect(translateSort('resources', undefined)).to.deep.equal({ _id: 1 });
    expect(translateSort('resources', [])).to.deep.equal({ _id: 1 });
  });

  it('keeps the first direction when a path repeats, as ORDER BY does', () => {
    expect(translateSort('resources', [{ path: 'name', dir: 'desc' }, { path: 'name', dir: 'asc' }])).to.deep.equal({ name: -1, _id: 1 });
  });

  it('refuses to sort on a path that is not indexed', () => {
    expect(() => translateSort('resources', [{ path: 'abstract', dir: 'asc' }])).to.throw(/not indexed/);
    expect(() => translateSort('users', [{ path: 'passwordHash', dir: 'asc' }])).to.throw(/not indexed/);
  });
});

describe('mongo adapter: path table and document mapping', () => {
  it('types every allowlisted path of every collection', () => {
    for (const [collection, paths] of Object.entries(INDEXED_PATHS)) {
      expect(Object.keys(PATH_TYPES[collection as keyof typeof PATH_TYPES]).sort(), collection).to.deep.equal([...paths].sort());
    }
  });

  it('stores id as _id with control fields, and reads back exactly the entity', () => {
    const entity = { id: 'r1', version: 3, name: '甲', provider: { agencyId: 'a1' }, census: {}, note: undefined };
    const raw = toRaw(entity, 42);
    expect(raw).to.deep.equal({ _id: 'r1', name: '甲', provider: { agencyId: 'a1' }, census: {}, version: 3, deleted: false, seq: 42 });
    expect(fromRaw(raw)).to.deep.equal({ id: 'r1', version: 3, name: '甲', provider: { agencyId: 'a1' }, census: {} });
    expect(toRaw(entity, 43, true).deleted).to.equal(true);
  });

  it('never lets a caller set the control fields', () => {
    const raw = toRaw({ id: 'r1', version: 1, _id: 'other', deleted: true, seq: 999, __v: 5 } as never, 7);
    expect(raw).to.deep.equal({ _id: 'r1', version: 1, deleted: false, seq: 7 });
  });
});
