// Proving the audit log (security baseline; issue 9, F20). The chain is keyed (domain/audit.ts); its head is sealed
// into a checkpoint outside the store every few seconds, after the records since the last checkpoint were verified,
// so a broken chain is never blessed by a newer checkpoint. Start-up verifies what was appended since the last
// checkpoint; the audit administrator and `npm run audit:verify` verify the whole chain against the checkpoint.
// What this detects: any record edited, removed or re-hashed without the key (the chain breaks), the tail cut off
// (the store ends before the checkpoint), the checkpoint forged or moved back (its seal).

import { type ChainHead, type ChainReport, type Checkpoint, EMPTY_CHAIN, checkpointSealed, sealCheckpoint, verifyChain } from '../domain/audit.ts';
import type { AuditRecord } from '../domain/entities.ts';
import type { Logger } from '../log.ts';
import type { CheckpointStore } from '../ports/checkpoint.ts';
import type { AuditLog } from '../ports/store.ts';
import { defineAction } from './define.ts';
import { readQuery } from './input.ts';

export type AuditProblemCode = 'checkpoint_unreadable' | 'checkpoint_forged' | 'truncated' | 'rewritten' | 'broken' | 'unavailable';

export interface AuditState {
  ok: boolean;
  /** What the last verification covered: the records since the checkpoint, or the whole chain. */
  scope: 'since-checkpoint' | 'full' | 'not-yet';
  verifiedAt?: string;
  /** Records checked by that verification. */
  checked: number;
  /** Where the verified chain ends. */
  head?: ChainHead;
  checkpoint?: { seq: number; hash: string; at: string; where: string };
  /** Records up to here come from before the chain was keyed: only as strong as an unkeyed chain. */
  legacyUntil?: number;
  problem?: { code: AuditProblemCode; seq?: number; zh: string; en: string };
}

const PROBLEMS: Record<AuditProblemCode, (seq?: number) => { zh: string; en: string }> = {
  checkpoint_unreadable: () => ({ zh: '审计检查点文件无法读取', en: 'the audit checkpoint cannot be read' }),
  checkpoint_forged: () => ({ zh: '审计检查点的签名不符:检查点被改动或密钥不对', en: 'the audit checkpoint\'s seal does not match: it was altered, or the key is not the one it was sealed with' }),
  truncated: (seq) => ({ zh: `审计日志在第 ${seq} 条之后被截断(检查点之后的记录缺失)`, en: `the audit log was cut off: records up to the checkpoint (seq ${seq}) are missing` }),
  rewritten: (seq) => ({ zh: `审计日志第 ${seq} 条与检查点不符:记录被改写`, en: `audit record ${seq} does not match the checkpoint: it was rewritten` }),
  broken: (seq) => ({ zh: `审计日志链在第 ${seq} 条处断开:记录被改动、删除或伪造`, en: `the audit chain breaks at record ${seq}: a record was edited, removed or forged` }),
  unavailable: () => ({ zh: '目录存储暂不可用,审计日志未能校验', en: 'the store is unavailable; the audit log could not be verified' }),
};

async function recordAt(log: AuditLog, seq: number): Promise<AuditRecord | undefined> {
  for await (const r of log.records(seq)) return r.seq === seq ? r : undefined;
  return undefined;
}

export class AuditTrail {
  private current: AuditState = { ok: true, scope: 'not-yet', checked: 0 };
  /** The end of the chain as far as it was verified; checkpoints never go past it. */
  private verified: ChainHead | undefined;
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** Carried into every checkpoint once a legacy prefix was adopted. */
  private legacyUntil = 0;

  constructor(
    private readonly log: AuditLog,
    private readonly key: Buffer,
    private readonly checkpoints: CheckpointStore,
    private readonly now: () => Date = () => new Date(),
    private readonly logger?: Logger,
  ) {}

  state(): AuditState {
    return this.current;
  }

  /** Verifies the records since the checkpoint (start-up), or the whole chain (`full`), and compares with the checkpoint. */
  async verify(scope: 'since-checkpoint' | 'full'): Promise<AuditState> {
    const verifiedAt = this.now().toISOString();
    const fail = (code: AuditProblemCode, checked: number, seq?: number, extra: Partial<AuditState> = {}): AuditState =>
      this.settle({ ok: false, scope, verifiedAt, checked, problem: { code, ...(seq !== undefined ? { seq } : {}), ...PROBLEMS[code](seq) }, ...extra });
    let cp: Checkpoint | undefined;
    try {
      cp = await this.checkpoints.read();
    } catch {
      return fail('checkpoint_unreadable', 0);
    }
    if (cp && !checkpointSealed(this.key, cp)) return fail('checkpoint_forged', 0);
    let checkpoint = cp ? { seq: cp.seq, hash: cp.hash, at: cp.at, where: this.checkpoints.where } : undefined;
    this.legacyUntil = cp?.legacyUntil ?? 0;
    try {
      let report: ChainReport;
      if (scope === 'full') {
        report = await verifyChain(this.log.records(1), this.key, EMPTY_CHAIN, this.legacyUntil);
        if (!report.ok) return fail('broken', report.checked, report.brokenAt, { checkpoint, head: report.head });
        if (cp && report.head.seq < cp.seq) return fail('truncated', report.checked, cp.seq, { checkpoint, head: report.head });
        if (cp && cp.seq > 0 && (await recordAt(this.log, cp.seq))?.hash !== cp.hash) return fail('rewritten', report.checked, cp.seq, { checkpoint, head: report.head });
      } else {
        let start = EMPTY_CHAIN;
        if (cp && cp.seq > 0) {
          const at = await recordAt(this.log, cp.seq);
          if (!at) return fail('truncated', 0, cp.seq, { checkpoint });
          if (at.hash !== cp.hash) return fail('rewritten', 0, cp.seq, { checkpoint });
          start = { seq: cp.seq, hash: cp.hash };
        }
        report = await verifyChain(this.log.records(start.seq + 1), this.key, start);
        if (!report.ok && !cp) {
          const adopted = await this.adoptLegacy();
          if (adopted) {
            report = adopted.report;
            checkpoint = adopted.checkpoint;
          }
        }
        if (!report.ok) return fail('broken', report.checked, report.brokenAt, { checkpoint, head: report.head });
      }
      this.verified = report.head;
      return this.settle({
        ok: true, scope, verifiedAt, checked: report.checked, head: report.head, ...(checkpoint ? { checkpoint } : {}), ...(this.legacyUntil ? { legacyUntil: this.legacyUntil } : {}),
      });
    } catch {
      // The store could not be read: that says nothing about the chain, so the last verdict stands beside the reason.
      return { ...this.current, ok: false, problem: { code: 'unavailable', ...PROBLEMS.unavailable() } };
    }
  }

  /**
   * A store from before the keyed chain (no checkpoint yet, the first record not keyed): its records verify as the
   * unkeyed chain they were, and what was appended since as keyed. Then that prefix is sealed as legacy into the
   * first checkpoint, so it can never grow afterwards. It is only as strong as an unkeyed chain, and says so.
   */
  private async adoptLegacy(): Promise<{ report: ChainReport; checkpoint: NonNullable<AuditState['checkpoint']> } | undefined> {
    const legacy = await verifyChain(this.log.records(1), this.key, EMPTY_CHAIN, Number.MAX_SAFE_INTEGER);
    if (legacy.head.seq === 0) return undefined;
    const rest = await verifyChain(this.log.records(legacy.head.seq + 1), this.key, legacy.head);
    if (!rest.ok) return undefined;
    const sealed = sealCheckpoint(this.key, rest.head, this.now().toISOString(), legacy.head.seq);
    await this.checkpoints.write(sealed);
    this.legacyUntil = legacy.head.seq;
    this.logger?.warn('audit log from before the keyed chain adopted as a legacy prefix', { legacyUntil: legacy.head.seq, head: rest.head.seq });
    return { report: { ok: true, checked: legacy.checked + rest.checked, head: rest.head }, checkpoint: { seq: sealed.seq, hash: sealed.hash, at: sealed.at, where: this.checkpoints.where } };
  }

  /**
   * Verifies what was appended since the last verification and, when the chain holds, seals its new end into the
   * checkpoint. Nothing is checkpointed once a problem was found: a broken chain must not be blessed.
   */
  checkpoint(): Promise<void> {
    this.running ??= this.advance().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async advance(): Promise<void> {
    if (!this.verified || (!this.current.ok && this.current.problem?.code !== 'unavailable')) return;
    let report: ChainReport;
    try {
      report = await verifyChain(this.log.records(this.verified.seq + 1), this.key, this.verified);
    } catch {
      return; // the store is down: try again next time
    }
    if (!report.ok) {
      this.settle({ ...this.current, ok: false, problem: { code: 'broken', seq: report.brokenAt, ...PROBLEMS.broken(report.brokenAt) } });
      this.logger?.error('audit chain broken', { seq: report.brokenAt, reason: report.reason });
      return;
    }
    const moved = report.head.seq !== this.verified.seq;
    this.verified = report.head;
    if (this.current.problem?.code === 'unavailable') this.settle({ ...this.current, ok: true, problem: undefined });
    if (!moved && this.current.checkpoint?.seq === report.head.seq) return;
    const sealed = sealCheckpoint(this.key, report.head, this.now().toISOString(), this.legacyUntil || undefined);
    try {
      await this.checkpoints.write(sealed);
      this.current = { ...this.current, head: report.head, checkpoint: { seq: sealed.seq, hash: sealed.hash, at: sealed.at, where: this.checkpoints.where } };
    } catch (e) {
      this.logger?.warn('audit checkpoint could not be written', { where: this.checkpoints.where, error: e instanceof Error ? e.message : String(e) });
    }
  }

  /** A record was appended: checkpoint shortly (several appends in a burst make one checkpoint). */
  advanced(): void {
    if (this.soon || !this.timer) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      void this.checkpoint();
    }, 200);
    this.soon.unref();
  }

  /** Checkpoints every `everyMs` (appends made by other processes or instances are picked up this way). */
  start(everyMs = 5000): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.checkpoint(), everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.soon);
    this.timer = undefined;
    this.soon = undefined;
    await this.checkpoint();
  }

  private settle(s: AuditState): AuditState {
    if (!s.ok && s.problem && s.problem.code !== 'unavailable' && this.current.problem?.code !== s.problem.code) {
      this.logger?.error('audit log verification failed', { code: s.problem.code, seq: s.problem.seq, scope: s.scope });
    }
    this.current = s;
    return s;
  }
}

/** The audit administrator verifies the whole chain against the checkpoint, on demand. */
export const verifyAudit = defineAction({
  name: 'audit.verify',
  permission: ['audit_admin'],
  input: (raw) => readQuery(raw.query, { scope: ['full', 'since-checkpoint'] as const }),
  run: async (_actor, q, ctx) => {
    if (!ctx.auditTrail) return { ok: false, scope: 'not-yet', checked: 0 } satisfies AuditState;
    const state = await ctx.auditTrail.verify(q.scope ?? 'full');
    await ctx.audit({ action: 'audit.verify', outcome: state.ok ? 'success' : 'failure', detail: { scope: state.scope, checked: state.checked, problem: state.problem?.code } });
    return state;
  },
});
