// The MongoDB adapter's transaction loop (F21, issue 9 item 11), against a stand-in for the driver's session: write
// conflicts (112) and aborted transactions (251, TransientTransactionError) are retried with backoff until they
// succeed or the budget is spent, which ends as UnavailableError (503), never a raw driver error (500). Unknown
// commit results are committed again. (The real server runs the store contract, F21 included, when MONGODB_URI is set.)

import { expect } from 'chai';
import type { Connection } from 'mongoose';
import { MongoContext } from '../../server/adapters/store/mongo/context.ts';
import { isTransient, mapMongoError } from '../../server/adapters/store/mongo/errors.ts';
import type { Models } from '../../server/adapters/store/mongo/schema.ts';
import { UnavailableError } from '../../server/domain/errors.ts';
import { TEST_AUDIT_KEY } from '../support/fixtures.ts';

function driverError(code: number, labels: string[] = []) {
  return Object.assign(new Error(`server error ${code}`), { name: 'MongoServerError', code, errorLabels: labels });
}

function fakeConnection(plan: { run?: unknown[]; commit?: unknown[] }) {
  const calls = { started: 0, aborted: 0, committed: 0, ended: 0 };
  const session = {
    startTransaction() { calls.started++; },
    async abortTransaction() { calls.aborted++; },
    async commitTransaction() {
      calls.committed++;
      const e = plan.commit?.shift();
      if (e) throw e;
    },
    async endSession() { calls.ended++; },
  };
  const conn = { getClient: () => ({ startSession: () => session }) } as unknown as Connection;
  const fn = async () => {
    const e = plan.run?.shift();
    if (e) throw e;
    return 'done';
  };
  return { conn, calls, fn };
}

describe('MongoDB adapter: transactions under contention', () => {
  it('retries write conflicts and aborted transactions with backoff, then succeeds', async () => {
    const { conn, calls, fn } = fakeConnection({ run: [driverError(112, ['TransientTransactionError']), driverError(251), driverError(112)] });
    const ctx = new MongoContext(conn, {} as Models, () => '', TEST_AUDIT_KEY, { budgetMs: 2000, baseDelayMs: 1, maxDelayMs: 5 });
    expect(await ctx.transaction(fn)).to.equal('done');
    expect(calls).to.deep.equal({ started: 4, aborted: 3, committed: 1, ended: 1 });
  });

  it('commits again after an unknown commit result, and runs again after a transient commit failure', async () => {
    const { conn, calls, fn } = fakeConnection({ commit: [driverError(91, ['UnknownTransactionCommitResult']), driverError(112, ['TransientTransactionError'])] });
    const ctx = new MongoContext(conn, {} as Models, () => '', TEST_AUDIT_KEY, { budgetMs: 2000, baseDelayMs: 1, maxDelayMs: 5 });
    expect(await ctx.transaction(fn)).to.equal('done');
    expect(calls.started).to.equal(2);
    expect(calls.committed).to.equal(3);
  });

  it('ends as 503 (busy) when the conflicts outlast the budget, and passes other errors through', async () => {
    const { conn, fn } = fakeConnection({ run: Array.from({ length: 1000 }, () => driverError(112, ['TransientTransactionError'])) });
    const ctx = new MongoContext(conn, {} as Models, () => '', TEST_AUDIT_KEY, { budgetMs: 60, baseDelayMs: 2, maxDelayMs: 10 });
    const started = Date.now();
    const err = await ctx.transaction(fn).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(UnavailableError);
    expect((err as UnavailableError).zh).to.contain('繁忙');
    expect(Date.now() - started).to.be.below(1000);
    const other = fakeConnection({ run: [new Error('a bug')] });
    const plain = await new MongoContext(other.conn, {} as Models, () => '', TEST_AUDIT_KEY).transaction(other.fn).then(() => undefined, (e: unknown) => e);
    expect(plain).to.be.instanceOf(Error).and.not.be.instanceOf(UnavailableError);
  });

  it('knows transient errors by label and code, and maps leftovers and a full disk to 503', () => {
    expect(isTransient(driverError(112))).to.equal(true);
    expect(isTransient(driverError(251))).to.equal(true);
    expect(isTransient(driverError(2, ['TransientTransactionError']))).to.equal(true);
    expect(isTransient(driverError(11000))).to.equal(false);
    expect(mapMongoError(driverError(112))).to.be.instanceOf(UnavailableError);
    expect(mapMongoError(driverError(14031))).to.be.instanceOf(UnavailableError);
  });
});
