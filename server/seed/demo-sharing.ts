// Sharing requests and grants of the demo, so that on first start each role's pages hold something to act on:
// 市信息办 has an application to accept, 市公安局 a contact sheet to answer, the review authority a refusal to
// deliberate, and two agencies hold grants. Each record is what the workflow itself would have written, step by step.

import { addWorkingDays, cityDate, workCalendar } from '../domain/calendar.ts';
import type { Resource } from '../domain/resource.ts';
import type { Grant, RequestTerms, SharingRequest, WorkflowStep } from '../domain/workflow/entities.ts';
import { conditionalGrant } from '../domain/workflow/grant.ts';
import { REQUEST_CLOCKS, type RequestClock, type RequestEvent, type RequestState, requestMachine, requestedResource } from '../domain/workflow/request.ts';
import { type NumberSeries, nextNumber } from '../actions/numbers.ts';
import { transitionFor } from '../domain/workflow/machine.ts';
import type { Store } from '../ports/store.ts';
import { SEED_ACTOR } from './bootstrap.ts';
import { DEMO_USERS } from './demo-users.ts';

const DAY = 86_400_000;

function who(username: string) {
  const u = DEMO_USERS.find((x) => x.username === username)!;
  return { by: u.username, byName: u.displayName, byAgencyId: u.agencyId };
}

/** Steps along the table from draft; each must be a row of it, or the demo data is wrong (a start-up error). */
function walk(path: [RequestEvent, string, Record<string, string>?][], start: Date): { state: RequestState; steps: WorkflowStep<RequestState>[]; clock?: string } {
  let state: RequestState = 'draft';
  let clock: string | undefined;
  const steps: WorkflowStep<RequestState>[] = [];
  path.forEach(([event, username, fields], i) => {
    const t = transitionFor(requestMachine, state, event, 'apply');
    if (!t) throw new Error(`demo request: no ${event} from ${state}`);
    steps.push({ event, from: state, to: t.to, ...who(username), at: new Date(start.getTime() + i * DAY).toISOString(), ...(fields ? { fields } : {}) });
    state = t.to;
    clock = t.clock;
  });
  return { state, steps, clock };
}

const TERMS: RequestTerms[] = [
  { purpose: '办理企业登记时核验法定代表人身份', scope: '市工商局登记注册处窗口及网上登记系统', facilities: '政务外网,部门前置机,登记业务系统', security: '等保三级;按岗位授权;访问日志留存六个月', basis: '《市场主体登记管理条例》第十条', startsOn: '', endsOn: '' },
  { purpose: '最低生活保障家庭经济状况核对', scope: '市民政局社会救助处核对中心', facilities: '政务外网,核对平台', security: '专人专机,数据不落地', basis: '《社会救助暂行办法》第十一条', startsOn: '', endsOn: '' },
  { purpose: '传染病密切接触者排查', scope: '市卫生局疾控中心流调组', facilities: '卫生专网,流调系统', security: '等保三级,用后即删', basis: '《中华人民共和国传染病防治法》第十二条', startsOn: '', endsOn: '' },
  { purpose: '企业年报抽查时核对登记人员信息', scope: '市工商局信用监管处', facilities: '政务外网', security: '专人查询,留痕', basis: '《企业信息公示暂行条例》', startsOn: '', endsOn: '' },
];

export async function loadDemoSharing(store: Store, resources: Resource[], now: Date): Promise<{ requests: number; grants: number }> {
  const provider = resources.filter((r) => r.provider.agencyId === 'ag-gaj' && r.status === 'published');
  // Entries the walkthrough in the README and the browser tests start from stay untouched.
  const spare = (type: string) => provider.filter((r) => r.sharing.type === type && !/常住人口基本信息|暂住人口登记信息/.test(r.name));
  const conditional = spare('有条件共享');
  const open = spare('无条件共享');
  if (conditional.length < 4 || !open.length) return { requests: 0, grants: 0 };
  const cal = workCalendar([]);
  const number = (series: NumberSeries) => nextNumber(store, series, now);
  const today = cityDate(now);
  const period = { startsOn: today, endsOn: cityDate(new Date(now.getTime() + 364 * DAY)) };
  const item = (r: Resource, n = 3) => requestedResource(r, r.dataItems.slice(0, n).map((d) => d.name));
  const started = (days: number) => new Date(now.getTime() - days * DAY);
  const delivery = { deliveryMethod: '共享平台接口', deliveryDetail: '共享交换平台 / 人口信息核验接口', deliverySchedule: '实时,7×24' };

  const plans: { applicant: string; agency: string; resource: Resource; terms: RequestTerms; path: [RequestEvent, string, Record<string, string>?][]; days: number }[] = [
    { applicant: 'steward.gsj', agency: 'ag-gsj', resource: conditional[0], terms: TERMS[0], days: 1, path: [['submit', 'steward.gsj']] },
    { applicant: 'steward.mzj', agency: 'ag-mzj', resource: conditional[1], terms: TERMS[1], days: 4, path: [['submit', 'steward.mzj'], ['accept', 'office.xxb'], ['approve', 'reviewer.fzb']] },
    {
      applicant: 'staff.wsj', agency: 'ag-wsj', resource: conditional[2], terms: TERMS[2], days: 12,
      path: [['submit', 'staff.wsj'], ['accept', 'office.xxb'], ['approve', 'reviewer.fzb'], ['provide', 'steward.gaj', delivery], ['issue_task_order', 'office.xxb'], ['grant', 'steward.gaj']],
    },
    {
      applicant: 'steward.gsj', agency: 'ag-gsj', resource: conditional[3], terms: TERMS[3], days: 6,
      path: [['submit', 'steward.gsj'], ['accept', 'office.xxb'], ['approve', 'reviewer.fzb'], ['refuse', 'steward.gaj', { reason: '申请的信息项超出年报抽查所需', basis: '《中华人民共和国个人信息保护法》第六条' }]],
    },
  ];
  const requests: SharingRequest[] = [];
  const grants: Grant[] = [];
  for (const p of plans) {
    const { state, steps, clock } = walk(p.path, started(p.days));
    const n = await number('SQ');
    const last = steps.at(-1)!;
    const wanted = [item(p.resource)];
    const r: SharingRequest = {
      id: `req-${n.toLowerCase()}`, version: 1, number: n, kind: 'apply', state, applicantAgencyId: p.agency,
      applicantUserId: `demo:${p.applicant}`, providerAgencyId: 'ag-gaj', resources: wanted, resourceIds: wanted.map((x) => x.id), ...p.terms, ...period,
      steps, createdAt: steps[0].at, updatedAt: last.at,
    };
    const approved = steps.find((s) => s.event === 'approve');
    if (approved) r.contactSheet = { number: await number('LXD'), issuedAt: approved.at };
    const provided = steps.find((s) => s.event === 'provide');
    if (provided) r.reply = { ...delivery, at: provided.at, by: provided.by };
    const refused = steps.find((s) => s.event === 'refuse');
    if (refused) r.refusal = { reason: refused.fields!.reason, basis: refused.fields!.basis, at: refused.at, by: refused.by };
    const ordered = steps.find((s) => s.event === 'issue_task_order');
    if (ordered) r.taskOrder = { number: await number('RWS'), issuedAt: ordered.at };
    if (clock) {
      const since = cityDate(new Date(last.at));
      const days = REQUEST_CLOCKS[clock as RequestClock];
      r.deadline = { clock, days, since, due: addWorkingDays(cal, since, days) };
    }
    if (state === 'granted') {
      const grant = conditionalGrant(r, last.at);
      r.grantId = grant.id;
      grants.push(grant);
    }
    requests.push(r);
  }
  const gn = await number('GR');
  const got = item(open[0], 4);
  grants.push({
    id: `grant-${gn.toLowerCase()}`, version: 1, number: gn, kind: 'unconditional', state: 'active', consumerAgencyId: 'ag-mzj', consumerUserId: 'demo:steward.mzj',
    providerAgencyId: 'ag-gaj', resources: [got], resourceIds: [got.id], purpose: '社会救助对象身份核对', scope: '市民政局社会救助处', ...period,
    steps: [], createdAt: started(20).toISOString(), updatedAt: started(20).toISOString(),
  });
  await store.requests.createMany(requests, SEED_ACTOR);
  await store.grants.createMany(grants, SEED_ACTOR);
  return { requests: requests.length, grants: grants.length };
}
