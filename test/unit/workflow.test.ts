// The workflow tables on their own: every transition, every wrong actor, every missing field, and the calendar.

import { expect } from 'chai';
import { addWorkingDays, cityDate, cityDateTime, isOverdue, isWorkingDay, workCalendar, workingDaysBetween } from '../../server/domain/calendar.ts';
import { GRANT_STATES, grantMachine, grantPartiesOf } from '../../server/domain/workflow/grant.ts';
import { available, decidedAs, step, terminalStates, transitionFor } from '../../server/domain/workflow/machine.ts';
import {
  REQUEST_DECIDING, REQUEST_EVENTS, REQUEST_FIELD_LABELS, REQUEST_STATES, type RequestKind, type RequestParty, type RequestState, requestMachine, requestPartiesOf,
} from '../../server/domain/workflow/request.ts';
import type { Actor, Role } from '../../server/domain/roles.ts';
import { RESOURCE_STATUSES } from '../../server/domain/vocab.ts';
import { PUBLICATION_DECIDING, PUBLICATION_EVENTS, batchMachine, publicationMachine, publicationPartiesOf } from '../../server/domain/workflow/publication.ts';

const PARTIES: RequestParty[] = ['applicant', 'info_office', 'reviewer', 'provider'];
const FULL = { reason: '理由', basis: '依据', deliveryMethod: '接口', deliveryDetail: '地址', deliverySchedule: '实时' };

/** Every row of the table: state, event, kind, who, where to, what it needs, which clock. */
const EXPECTED: [RequestState, string, RequestKind, RequestParty, RequestState, string[], string?][] = [
  ['draft', 'submit', 'apply', 'applicant', 'submitted', []],
  ['draft', 'withdraw', 'apply', 'applicant', 'withdrawn', []],
  ['submitted', 'accept', 'apply', 'info_office', 'under_review', [], 'review'],
  ['submitted', 'accept', 'coordinate', 'info_office', 'coordinating', [], 'deliberation'],
  ['submitted', 'return', 'apply', 'info_office', 'draft', ['reason']],
  ['submitted', 'withdraw', 'apply', 'applicant', 'withdrawn', []],
  ['under_review', 'approve', 'apply', 'reviewer', 'contact_sheet_issued', [], 'reply'],
  ['under_review', 'reject', 'apply', 'reviewer', 'rejected', ['reason']],
  ['under_review', 'withdraw', 'apply', 'applicant', 'withdrawn', []],
  ['contact_sheet_issued', 'provide', 'apply', 'provider', 'provided', ['deliveryMethod', 'deliveryDetail', 'deliverySchedule']],
  ['contact_sheet_issued', 'refuse', 'apply', 'provider', 'refused', ['reason', 'basis'], 'deliberation'],
  ['refused', 'uphold', 'apply', 'reviewer', 'refusal_upheld', ['reason']],
  ['refused', 'overrule', 'apply', 'reviewer', 'refusal_overruled', ['reason'], 'reply'],
  ['coordinating', 'uphold', 'coordinate', 'reviewer', 'refusal_upheld', ['reason']],
  ['coordinating', 'overrule', 'coordinate', 'reviewer', 'refusal_overruled', ['reason'], 'reply'],
  ['refusal_overruled', 'provide', 'apply', 'provider', 'provided', ['deliveryMethod', 'deliveryDetail', 'deliverySchedule']],
  ['provided', 'issue_task_order', 'apply', 'info_office', 'task_order_issued', []],
  ['task_order_issued', 'grant', 'apply', 'provider', 'granted', []],
];

describe('workflow: the sharing request table', () => {
  for (const [state, event, kind, by, to, needs, clock] of EXPECTED) {
    it(`${state} —${event}${kind === 'coordinate' ? ' (coordinate)' : ''}→ ${to}, by the ${by} only${needs.length ? `, needs ${needs}` : ''}`, () => {
      const ok = step(requestMachine, state, event, { parties: new Set([by]), kind, fields: FULL });
      expect(ok).to.deep.equal({ ok: true, to, ...(clock ? { clock } : {}) });
      for (const other of PARTIES.filter((p) => p !== by)) {
        const r = step(requestMachine, state, event, { parties: new Set([other]), kind, fields: FULL });
        expect(r.ok === false && r.code, `${other} tries ${event}`).to.equal('not-your-turn');
      }
      for (const missing of needs) {
        const fields = { ...FULL, [missing]: '   ' };
        const r = step(requestMachine, state, event, { parties: new Set([by]), kind, fields, labels: REQUEST_FIELD_LABELS });
        expect(r.ok === false && r.code === 'missing-fields' && r.errors.map((e) => e.pointer)).to.deep.equal([`/${missing}`]);
      }
    });
  }

  it('has no other transition: every other state × event is refused for everyone', () => {
    const listed = new Set(EXPECTED.map(([s, e, k]) => `${s}/${e}/${k}`));
    const listedAnyKind = new Set(EXPECTED.map(([s, e]) => `${s}/${e}`));
    for (const state of REQUEST_STATES) {
      for (const event of REQUEST_EVENTS) {
        for (const kind of ['apply', 'coordinate'] as const) {
          const key = `${state}/${event}/${kind}`;
          const t = transitionFor(requestMachine, state, event, kind);
          // A row that does not depend on the kind is listed once; it holds for the other kind too.
          if (listed.has(key) || (t && !t.kinds && listedAnyKind.has(`${state}/${event}`))) continue;
          const r = step(requestMachine, state, event, { parties: new Set(PARTIES), kind, fields: FULL });
          expect(r.ok === false && r.code, key).to.equal('no-such-event');
        }
      }
    }
  });

  it('ends in exactly the terminal states, and lists what a party can do', () => {
    expect(terminalStates(requestMachine).sort()).to.deep.equal(['granted', 'refusal_upheld', 'rejected', 'withdrawn'].sort());
    expect(available(requestMachine, 'contact_sheet_issued', new Set<RequestParty>(['provider']), 'apply')).to.deep.equal(['provide', 'refuse']);
    expect(available(requestMachine, 'submitted', new Set<RequestParty>(['info_office']), 'coordinate')).to.deep.equal(['accept', 'return']);
    expect(available(requestMachine, 'refusal_overruled', new Set<RequestParty>(['provider']), 'apply')).to.deep.equal(['provide']);
  });

  const actor = (agencyId: string, ...roles: Role[]): Actor => ({ userId: 'u', username: 'u', displayName: 'u', agencyId, roles });
  const r = { applicantAgencyId: 'ag-a', providerAgencyId: 'ag-p' };

  it('knows who is who on a request, and nobody decides on their own agency\'s', () => {
    expect([...requestPartiesOf(actor('ag-a', 'agency_staff'), r)]).to.deep.equal(['applicant']);
    expect([...requestPartiesOf(actor('ag-p', 'data_steward'), r)]).to.deep.equal(['provider']);
    expect([...requestPartiesOf(actor('ag-p', 'agency_staff'), r)]).to.deep.equal([]);
    expect([...requestPartiesOf(actor('ag-x', 'info_office', 'reviewer'), r)].sort()).to.deep.equal(['info_office', 'reviewer']);
    expect([...requestPartiesOf(actor('ag-a', 'data_steward', 'info_office', 'reviewer'), r)]).to.deep.equal(['applicant']);
    // A reviewer of the provider agency does not rule on its own agency's refusal.
    expect([...requestPartiesOf(actor('ag-p', 'data_steward', 'reviewer'), r)]).to.deep.equal(['provider']);
    expect([...requestPartiesOf(undefined, r)]).to.deep.equal([]);
  });
});

describe('workflow: the grant table', () => {
  it('suspends, resumes, revokes (with reasons, by 市信息办) and expires (by the clock); revoked and expired are final', () => {
    const office = new Set(['info_office'] as const);
    expect(step(grantMachine, 'active', 'suspend', { parties: office, kind: 'conditional', fields: { reason: '超范围' } })).to.deep.equal({ ok: true, to: 'suspended' });
    expect(step(grantMachine, 'suspended', 'resume', { parties: office, kind: 'conditional', fields: { reason: '已整改' } })).to.deep.equal({ ok: true, to: 'active' });
    expect(step(grantMachine, 'active', 'revoke', { parties: office, kind: 'unconditional', fields: {} }).ok).to.equal(false);
    expect(step(grantMachine, 'active', 'expire', { parties: office, kind: 'conditional', fields: {} }).ok).to.equal(false);
    expect(step(grantMachine, 'suspended', 'expire', { parties: new Set(['system'] as const), kind: 'conditional', fields: {} })).to.deep.equal({ ok: true, to: 'expired' });
    expect(terminalStates(grantMachine).sort()).to.deep.equal(['expired', 'revoked']);
    expect(GRANT_STATES).to.have.length(4);
    const consumerOffice: Actor = { userId: 'u', username: 'u', displayName: 'u', agencyId: 'ag-c', roles: ['info_office'] };
    expect([...grantPartiesOf(consumerOffice, { consumerAgencyId: 'ag-c' })]).to.deep.equal([]);
  });
});

describe('workflow: working-day clocks', () => {
  // 2026: National Day holiday 10-01..10-08 with make-up working days on Sunday 09-27 and Saturday 10-10.
  const cal = workCalendar([
    ...['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07', '2026-10-08'].map((date) => ({ date, kind: 'holiday' as const })),
    { date: '2026-09-27', kind: 'workday' as const }, { date: '2026-10-10', kind: 'workday' as const },
  ]);

  it('skips weekends and holidays and counts make-up working days', () => {
    expect(isWorkingDay(cal, '2026-11-28')).to.equal(false); // Saturday
    expect(isWorkingDay(cal, '2026-09-27')).to.equal(true); // Sunday, make-up day
    expect(isWorkingDay(cal, '2026-10-05')).to.equal(false); // Monday, holiday
    // Issued on Friday 11-27: 1 working day → Monday 11-30; 5 → Friday 12-04; 10 → Friday 12-11.
    expect(addWorkingDays(cal, '2026-11-27', 1)).to.equal('2026-11-30');
    expect(addWorkingDays(cal, '2026-11-27', 5)).to.equal('2026-12-04');
    expect(addWorkingDays(cal, '2026-11-27', 10)).to.equal('2026-12-11');
    // Across the holiday: from Wednesday 09-30, 5 working days are 10-09 (Fri), 10-10 (make-up Sat), 10-12, 10-13, 10-14.
    expect(addWorkingDays(cal, '2026-09-30', 5)).to.equal('2026-10-14');
    expect(workingDaysBetween(cal, '2026-09-30', '2026-10-14')).to.equal(5);
    expect(addWorkingDays(cal, '2026-09-30', 0)).to.equal('2026-09-30');
    expect(() => addWorkingDays(cal, '2026-09-30', -1)).to.throw(RangeError);
  });

  it('dates are the city\'s (UTC+8) and a deadline is overdue the day after it', () => {
    expect(cityDate(new Date('2026-11-30T17:00:00Z'))).to.equal('2026-12-01');
    expect(cityDateTime('2026-11-30T09:04:59.000Z')).to.equal('2026-11-30 17:04');
    expect(isOverdue('2026-12-01', new Date('2026-12-01T15:59:00Z'))).to.equal(false);
    expect(isOverdue('2026-12-01', new Date('2026-12-01T16:00:00Z'))).to.equal(true);
  });
});

describe('workflow: the catalog publication table', () => {
  const P = ['steward', 'info_office', 'reviewer', 'city_government'] as const;
  const ROWS: [string, string, (typeof P)[number], string, string[]][] = [
    ['draft', 'submit', 'steward', 'submitted', []],
    ['submitted', 'accept', 'info_office', 'under_review', []],
    ['submitted', 'return', 'info_office', 'returned', ['reason']],
    ['under_review', 'approve', 'reviewer', 'approved', []],
    ['under_review', 'return', 'reviewer', 'returned', ['reason']],
    ['returned', 'resubmit', 'steward', 'submitted', []],
    ['approved', 'batch', 'info_office', 'in_batch', []],
    ['in_batch', 'unbatch', 'info_office', 'approved', []],
    ['in_batch', 'submit_batch', 'info_office', 'batch_submitted', []],
    ['batch_submitted', 'publish', 'city_government', 'published', []],
    ['batch_submitted', 'reject_batch', 'city_government', 'approved', ['reason']],
    ['published', 'withdraw', 'info_office', 'withdrawn', ['reason']],
  ];
  it('has exactly these transitions, each for one party, with its required fields', () => {
    for (const [from, event, by, to, needs] of ROWS) {
      const ok = step(publicationMachine, from as never, event, { parties: new Set([by]), kind: 'entry', fields: { reason: '理由' } });
      expect(ok, `${from} ${event}`).to.deep.equal({ ok: true, to });
      for (const other of P.filter((p) => p !== by)) {
        const r = step(publicationMachine, from as never, event, { parties: new Set([other]), kind: 'entry', fields: { reason: '理由' } });
        expect(r.ok === false && r.code, `${other} ${event}`).to.equal('not-your-turn');
      }
      for (const n of needs) expect(step(publicationMachine, from as never, event, { parties: new Set([by]), kind: 'entry', fields: {} }).ok, `${event} without ${n}`).to.equal(false);
    }
    const listed = new Set(ROWS.map(([s, e]) => `${s}/${e}`));
    for (const s of RESOURCE_STATUSES) {
      for (const e of PUBLICATION_EVENTS) {
        if (listed.has(`${s}/${e}`)) continue;
        const r = step(publicationMachine, s, e, { parties: new Set(P), kind: 'entry', fields: { reason: '理由' } });
        expect(r.ok === false && r.code, `${s}/${e}`).to.equal('no-such-event');
      }
    }
    expect(terminalStates(publicationMachine)).to.deep.equal(['withdrawn']);
  });

  it('nobody decides on their own agency\'s entry; the city approver is the city government', () => {
    const a = (agencyId: string, ...roles: Role[]): Actor => ({ userId: 'u', username: 'u', displayName: 'u', agencyId, roles });
    expect([...publicationPartiesOf(a('ag-p', 'data_steward'), 'ag-p')]).to.deep.equal(['steward']);
    expect([...publicationPartiesOf(a('ag-p', 'reviewer', 'info_office'), 'ag-p')]).to.deep.equal([]);
    expect([...publicationPartiesOf(a('ag-x', 'reviewer'), 'ag-p')]).to.deep.equal(['reviewer']);
    expect([...publicationPartiesOf(a('ag-city', 'city_approver'), 'ag-p')]).to.deep.equal(['city_government']);
    expect([...publicationPartiesOf(a('ag-city', 'leadership'), 'ag-p')]).to.deep.equal([]);
    expect(step(batchMachine, 'submitted', 'reject', { parties: new Set(['city_government']), kind: 'batch', fields: {} }).ok).to.equal(false);
  });

  it('four eyes: a person who decided as one party does not decide as another on the same record (B24)', () => {
    const steps = [{ event: 'submit', from: 'draft', by: 'steward' }, { event: 'accept', from: 'submitted', by: 'dual' }];
    const eyes = { deciding: PUBLICATION_DECIDING, decidedAs: decidedAs(publicationMachine, steps, 'entry', 'dual') };
    expect([...eyes.decidedAs]).to.deep.equal(['info_office']);
    const both = new Set(['info_office', 'reviewer'] as const);
    const r = step(publicationMachine, 'under_review', 'approve', { parties: both, kind: 'entry', fields: {}, fourEyes: eyes });
    expect(r.ok === false && r.code).to.equal('four-eyes');
    expect(available(publicationMachine, 'under_review', both, 'entry', eyes)).to.deep.equal([]);
    // The same party again (a second round after a resubmission) is one decision-maker, not two.
    expect(step(publicationMachine, 'submitted', 'accept', { parties: both, kind: 'entry', fields: {}, fourEyes: eyes }).ok).to.equal(true);
    // Someone else is unaffected, and so is the steward's own act.
    expect(step(publicationMachine, 'under_review', 'approve', { parties: both, kind: 'entry', fields: {}, fourEyes: { deciding: PUBLICATION_DECIDING, decidedAs: decidedAs(publicationMachine, steps, 'entry', 'other') } }).ok).to.equal(true);
    const requestEyes = { deciding: REQUEST_DECIDING, decidedAs: decidedAs(requestMachine, [{ event: 'accept', from: 'submitted', by: 'dual' }], 'coordinate', 'dual') };
    expect(step(requestMachine, 'coordinating', 'uphold', { parties: new Set(['reviewer'] as const), kind: 'coordinate', fields: { reason: 'x' }, fourEyes: requestEyes }).ok).to.equal(false);
  });
});
