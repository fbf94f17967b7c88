// Workflow helpers shared by HTTP tests: an application's terms, an entry put in place as published, a step.

import { expect } from 'chai';
import { cityDate } from '../../server/domain/calendar.ts';
import type { Resource } from '../../server/domain/resource.ts';
import type { ShareType } from '../../server/domain/vocab.ts';
import { SYSTEM, resourceInput } from './fixtures.ts';
import type { Client, TestApp } from './harness.ts';

export const today = () => cityDate(new Date());
export const inDays = (n: number) => new Date(Date.parse(`${today()}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

export function terms(over: Record<string, unknown> = {}) {
  return {
    purpose: '核验办理营业执照的法定代表人身份', scope: '市场监管局登记窗口', facilities: '政务外网专线,部门前置机',
    security: '等保三级,访问日志留存六个月', basis: '《市场主体登记管理条例》第十条', startsOn: today(), endsOn: inDays(365), ...over,
  };
}

/** A published entry of `agencyId` (publication has its own workflow; here the entry is simply put in place). */
export async function published(app: TestApp, shareType: ShareType, name: string, agencyId = 'ag-gaj'): Promise<Resource> {
  const steward = await app.as(agencyId === 'ag-gaj' ? 'gaj' : 'gsj');
  const sharing = shareType === '不予共享' ? { type: shareType, basis: '《中华人民共和国刑事诉讼法》' } : { ...resourceInput().sharing, type: shareType };
  const created = await steward.json('/api/v1/resources', { method: 'POST', json: resourceInput({ name, provider: { agencyId }, sharing }) });
  expect(created.status, JSON.stringify(created.body)).to.equal(201);
  const r = created.body.resource as Resource;
  const stored = (await app.store.resources.get(r.id))!;
  return app.store.resources.update(r.id, { ...stored, status: 'published', publishedAt: new Date().toISOString() }, stored.version, SYSTEM);
}

export async function act(c: Client, id: string, event: string, fields: Record<string, string> = {}) {
  const cur = await c.json(`/api/v1/requests/${id}`);
  return c.json(`/api/v1/requests/${id}/steps`, { method: 'POST', json: { event, version: cur.body.version, ...fields } });
}

export const DELIVERY = { deliveryMethod: '共享平台接口', deliveryDetail: 'https://share.example.gov/api/population/v1', deliverySchedule: '实时,工作日 8:00-20:00' };


/** A publication step on an entry, at the version the actor reads now. */
export async function stepOn(c: Client, id: string, event: string, extra: Record<string, unknown> = {}) {
  const cur = await c.json(`/api/v1/resources/${id}`);
  return c.json(`/api/v1/resources/${id}/steps`, { method: 'POST', json: { event, version: cur.body.version, ...extra } });
}

export async function batchStep(c: Client, id: string, event: string, extra: Record<string, unknown> = {}) {
  const cur = await c.json(`/api/v1/batches/${id}`);
  return c.json(`/api/v1/batches/${id}/steps`, { method: 'POST', json: { event, version: cur.body.version, ...extra } });
}
