// Paths of the OpenAPI document, one entry per route of API_ROUTES (a test checks the two lists agree). Each entry
// says what succeeds: parameters, the request body and the 2xx answer, described as strictly as the server checks
// them, so that any request the document allows is one the server reads (schemathesis checks exactly that, with all
// its checks, in CI). The errors every operation can answer, its security and the Idempotency-Key of every POST are
// added from the route itself by openapi.ts.

import { ENTRY_EVENTS, BATCH_EVENTS } from '../domain/workflow/publication.ts';
import { GRANT_EVENTS } from '../domain/workflow/grant.ts';
import { REQUEST_EVENTS, REQUEST_STATES } from '../domain/workflow/request.ts';
import { ROLES } from '../domain/roles.ts';
import { BASE_DATABASES, FORMAT_CATEGORIES, RESOURCE_STATUSES, SHARE_TYPES, UPDATE_CYCLES } from '../domain/vocab.ts';
import { MAX_PAGE_SIZE, SORTS } from '../domain/search.ts';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ 'application/json': { schema } });
const ok = (schema: object, description = 'OK') => ({ description, content: json(schema) });
const body = (schema: object) => ({ required: true, content: json(schema) });

/** What no text may hold (domain/plain-text.ts): C0/C1 controls but TAB, LF, CR; DEL; bidi embeddings and overrides. */
export const CONTROL = '\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069';
const BREAKS = '\\t\\n\\r\\u2028\\u2029';
/** What String.prototype.trim() removes, spelled out (regex engines disagree on \\s). */
const WS = '\\t\\n\\u000B\\u000C\\r \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF';
/** Text of several lines; `min` 1 means it must hold something besides spaces. */
export const text = (max: number, min = 0) => ({
  type: 'string', maxLength: max, ...(min ? { minLength: min, pattern: `^[^${CONTROL}]*[^${WS}${CONTROL}][^${CONTROL}]*$` } : { pattern: `^[^${CONTROL}]*$` }),
});
/** One line of text (a name): no line breaks or tabs either. */
export const line = (max: number, min = 1) => ({
  type: 'string', maxLength: max, ...(min ? { minLength: min, pattern: `^[^${CONTROL}${BREAKS}]*[^${WS}${CONTROL}${BREAKS}][^${CONTROL}${BREAKS}]*$` } : { pattern: `^[^${CONTROL}${BREAKS}]*$` }),
});
// Character classes are spelled out ([0-9], not \d): JavaScript's \d and \w are ASCII, other engines' are not.
export const ID = { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' };
const CODE = { type: 'string', maxLength: 40, pattern: '^[1-3][0-9]{2}([0-9]{3}([0-9]{2})*)?[/-][0-9]+$' };
const DATE = { type: 'string', pattern: '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$', description: 'a city date, YYYY-MM-DD (an impossible one, 2027-02-30, is 404 or 422)' };
const VERSION = { type: 'integer', minimum: 1, maximum: 999_999_999, description: 'the version you read (or send it as If-Match: "3"): a write on a changed record answers 409' };

const idParam = (name = 'id', schema: object = ID) => ({ name, in: 'path', required: true, schema });
const q = (name: string, schema: object, description?: string) => ({ name, in: 'query', required: false, schema, ...(description ? { description } : {}) });
/** A query string value: any text up to 200 characters (what search folds away is no error). */
const qs = (max = 200) => ({ type: 'string', maxLength: max });
const count = (max = 999_999_999) => ({ type: 'integer', minimum: 0, maximum: max });
const paging = (maxLimit = 100) => [q('offset', count(1_000_000)), q('limit', { type: 'integer', minimum: 1, maximum: maxLimit })];
const obj = (properties: Record<string, object>, required: string[] = []) => ({ type: 'object', additionalProperties: false, properties, ...(required.length ? { required } : {}) });
const stepBody = (events: readonly string[], fields: string[]) => obj(
  { event: { enum: [...events] }, version: VERSION, ...Object.fromEntries(fields.map((f) => [f, text(2000)])) }, ['event', 'version'],
);
const versionOnly = obj({ version: VERSION }, ['version']);
const anyObject = { type: 'object' };

export const API_ROUTES_SPEC = {
  '/resources': {
    get: {
      operationId: 'resource.list', summary: '列出信息资源 / list the resources visible to you',
      parameters: [
        q('agency', qs(), 'agency id; includes its sub-agencies'), q('class', qs(), 'classification code prefix'),
        q('shareType', { enum: [...SHARE_TYPES] }), q('status', { enum: [...RESOURCE_STATUSES] }), q('format', { enum: [...FORMAT_CATEGORIES] }),
        q('updateCycle', { enum: [...UPDATE_CYCLES] }), q('baseDatabase', { enum: [...BASE_DATABASES] }), q('open', { type: 'boolean' }),
        q('sort', { enum: ['updated', 'name', 'code'] }), ...paging(100),
      ],
      responses: { 200: ok({ anyOf: [ref('ResourcePage'), ref('PublicResourcePage')] }) },
    },
    post: {
      operationId: 'resource.create', summary: '登记信息资源 / register a resource (data stewards, own agency)',
      requestBody: body(ref('ResourceInput')), responses: { 201: ok(ref('ResourceWrite'), 'Created as a draft; 一数一源 overlaps listed') },
    },
  },
  '/resources/by-code/{code}': {
    get: {
      operationId: 'resource.getByCode', summary: '按资源代码查询 / read by code (101001%2F00001 or 101001-00001)',
      parameters: [idParam('code', CODE)], responses: { 200: ok({ anyOf: [ref('Resource'), ref('PublicResource')] }) },
    },
  },
  '/resources/{id}': {
    get: { operationId: 'resource.get', summary: '查询信息资源 / read a resource', parameters: [idParam()], responses: { 200: ok({ anyOf: [ref('Resource'), ref('PublicResource')] }) } },
    put: {
      operationId: 'resource.update', summary: '修改信息资源 / replace the editable fields, based on the version you read',
      parameters: [idParam()], requestBody: body(ref('ResourceUpdate')), responses: { 200: ok(ref('ResourceWrite')) },
    },
    delete: {
      operationId: 'resource.delete', summary: '删除未发布的信息资源 / soft-delete an unpublished resource',
      parameters: [idParam(), { ...q('version', VERSION), required: true }], responses: { 204: { description: 'Deleted (tombstoned)' } },
    },
  },
  '/resources/{id}/history': {
    get: { operationId: 'resource.history', summary: '变更记录 / change history', parameters: [idParam()], responses: { 200: ok(ref('History')) } },
  },
  '/resources/{id}/steps': {
    post: {
      operationId: 'resource.step', summary: '目录审查发布 / a publication step on one entry: submit, accept, return, approve, resubmit, withdraw',
      parameters: [idParam()], requestBody: body(stepBody(ENTRY_EVENTS, ['reason'])), responses: { 200: ok(anyObject) },
    },
  },
  '/resources/{id}/referrals': {
    post: {
      operationId: 'resource.referral.ask', summary: '提请审查机关:能否共享 / ask the review authority whether this may be shared (own steward)',
      parameters: [idParam()], requestBody: body(obj({ question: text(2000, 1), version: VERSION }, ['question', 'version'])), responses: { 201: ok(anyObject) },
    },
  },
  '/resources/{id}/referrals/{referralId}/answer': {
    post: {
      operationId: 'resource.referral.answer', summary: '答复提请 / the review authority answers a referral',
      parameters: [idParam(), idParam('referralId')], requestBody: body(obj({ answer: text(2000, 1), version: VERSION }, ['answer', 'version'])), responses: { 200: ok(anyObject) },
    },
  },
  '/resources/{id}/current': {
    post: {
      operationId: 'resource.confirmCurrent', summary: '确认数据已按周期更新 / confirm a published entry is current (restarts its update cycle)',
      parameters: [idParam()], requestBody: body(versionOnly), responses: { 200: ok(anyObject) },
    },
  },
  '/dashboard': { get: { operationId: 'dashboard', summary: '工作台 / what needs doing: stale and returned entries, referrals, requests waiting', responses: { 200: ok(anyObject) } } },
  '/batches': {
    get: {
      operationId: 'batch.list', summary: '发布批次 / publication batches',
      parameters: [q('state', { enum: ['open', 'submitted', 'approved', 'rejected'] }), ...paging(100)], responses: { 200: ok(anyObject) },
    },
    post: {
      operationId: 'batch.create', summary: '编制批次 / put approved entries in a numbered batch (information office)',
      requestBody: body(obj({ resources: { type: 'array', minItems: 1, maxItems: 500, items: ID } }, ['resources'])), responses: { 201: ok(anyObject) },
    },
  },
  '/batches/{id}': { get: { operationId: 'batch.get', summary: '查看批次 / one batch and its entries', parameters: [idParam()], responses: { 200: ok(anyObject) } } },
  '/batches/{id}/steps': {
    post: {
      operationId: 'batch.step', summary: '报市政府、批准发布、退回 / submit a batch, approve it (published), or reject it',
      parameters: [idParam()], requestBody: body(stepBody(BATCH_EVENTS, ['reason'])), responses: { 200: ok(anyObject) },
    },
  },
  '/batches/{id}/entries/{resourceId}/remove': {
    post: {
      operationId: 'batch.remove', summary: '移出批次 / take an entry out of a batch not yet submitted (information office)',
      parameters: [idParam(), idParam('resourceId')], requestBody: body(versionOnly), responses: { 200: ok(anyObject) },
    },
  },
  '/agencies': {
    get: { operationId: 'agency.list', summary: '机关 / agencies', responses: { 200: ok(ref('AgencyPage')) } },
    post: { operationId: 'agency.create', summary: '新增机关 / add an agency (system administrator)', requestBody: body(ref('AgencyInput')), responses: { 201: ok(ref('Agency')) } },
  },
  '/agencies/{id}': {
    get: { operationId: 'agency.get', summary: '查看机关 / one agency', parameters: [idParam()], responses: { 200: ok(ref('Agency')) } },
    put: { operationId: 'agency.update', summary: '修改机关 / change an agency (system administrator)', parameters: [idParam()], requestBody: body(ref('AgencyUpdate')), responses: { 200: ok(ref('Agency')) } },
    delete: { operationId: 'agency.delete', summary: '删除机关 / remove an agency with no users, entries or sub-agencies (system administrator)', parameters: [idParam(), { ...q('version', VERSION), required: true }], responses: { 204: { description: 'Deleted' } } },
  },
  '/classification': {
    get: { operationId: 'classification.list', summary: '信息资源分类 / classification tree', responses: { 200: ok(ref('ClassificationPage')) } },
    post: {
      operationId: 'classification.create', summary: '新增分类 / add a classification node (system administrator)',
      requestBody: body(obj({ code: { type: 'string', pattern: '^([1-3]|[1-3][0-9]{2}|[1-3][0-9]{5}([0-9]{2}){0,8})$' }, name: line(100) }, ['code', 'name'])), responses: { 201: ok(ref('ClassificationNode')) },
    },
  },
  '/classification/{id}': {
    put: {
      operationId: 'classification.update', summary: '修改分类名称 / rename a classification node (system administrator)', parameters: [idParam()],
      requestBody: body(obj({ code: { type: 'string', pattern: '^([1-3]|[1-3][0-9]{2}|[1-3][0-9]{5}([0-9]{2}){0,8})$' }, name: line(100), version: VERSION }, ['code', 'name', 'version'])), responses: { 200: ok(ref('ClassificationNode')) },
    },
  },
  '/me': { get: { operationId: 'account.me', summary: '我的账号 / who I am', responses: { 200: ok(ref('Actor')) } } },
  '/users': {
    get: { operationId: 'user.list', summary: '账号 / accounts (security administrator)', parameters: [q('agency', qs()), ...paging(200)], responses: { 200: ok(ref('UserPage')) } },
    post: {
      operationId: 'user.create', summary: '新建账号 / create an account (security administrator)',
      requestBody: body(obj({
        username: { type: 'string', pattern: '^[a-z][a-z0-9._-]{2,31}$' }, displayName: line(50), agencyId: ID,
        roles: { type: 'array', minItems: 1, maxItems: ROLES.length, uniqueItems: true, items: { enum: [...ROLES] } },
        password: { ...text(128, 12), description: 'refused when common, breached, guessable, or containing the username or name (B25)' },
      }, ['username', 'displayName', 'agencyId', 'roles', 'password'])),
      responses: { 201: ok(ref('User')) },
    },
  },
  '/users/{id}': {
    put: {
      operationId: 'user.update', summary: '修改账号 / change roles, agency, name or disabled (security administrator); ends the account\'s sessions and tokens',
      parameters: [idParam()],
      requestBody: body(obj({ displayName: line(50), agencyId: ID, roles: { type: 'array', minItems: 1, maxItems: ROLES.length, uniqueItems: true, items: { enum: [...ROLES] } }, disabled: { type: 'boolean' }, version: VERSION }, ['version'])),
      responses: { 200: ok(ref('User')) },
    },
  },
  '/users/{id}/tokens': {
    get: { operationId: 'token.list', summary: 'API 令牌 / an account\'s API tokens (security administrator)', parameters: [idParam()], responses: { 200: ok(ref('TokenPage')) } },
    post: {
      operationId: 'token.create', summary: '签发令牌 / issue an API token; the secret is in the response once', parameters: [idParam()],
      requestBody: body(obj({ name: line(100), expiresInDays: { type: 'integer', minimum: 1, maximum: 366 } }, ['name'])), responses: { 201: ok(ref('Token')) },
    },
  },
  '/users/{id}/tokens/{tokenId}': {
    delete: { operationId: 'token.revoke', summary: '吊销令牌 / revoke an API token', parameters: [idParam(), idParam('tokenId')], responses: { 204: { description: 'Revoked' } } },
  },
  '/overlaps': {
    get: { operationId: 'overlap.list', summary: '一数一源 findings (reviewers, information office)', parameters: [q('status', { enum: ['open', 'resolved'] }), ...paging(100)], responses: { 200: ok(anyObject) } },
  },
  '/audit': {
    get: { operationId: 'audit.list', summary: '审计日志 / the audit log, newest first (audit administrator)', parameters: [q('action', qs()), ...paging(500)], responses: { 200: ok(anyObject) } },
  },
  '/audit/verification': {
    get: {
      operationId: 'audit.verify', summary: '审计日志校验 / verify the keyed audit chain against the checkpoint kept outside the store (audit administrator)',
      parameters: [q('scope', { enum: ['full', 'since-checkpoint'] })], responses: { 200: ok(ref('AuditVerification')) },
    },
  },
  '/search': {
    get: {
      operationId: 'search.query', summary: '检索目录 / full-text search with facets (only what you may see)',
      parameters: [
        q('q', qs(), 'words; Chinese is matched as phrases, pinyin and initials match names and agencies; synonyms expand'),
        q('mode', { enum: ['all', 'items'] }, 'items: search inside data item names only ("who holds 统一社会信用代码?")'),
        q('agency', ID, 'agency id; includes its sub-agencies'), q('class', { type: 'string', pattern: '^[0-9]{1,30}$' }, 'classification node code (prefix)'),
        q('shareType', { enum: [...SHARE_TYPES] }), q('format', { enum: [...FORMAT_CATEGORIES] }), q('updateCycle', { enum: [...UPDATE_CYCLES] }),
        q('baseDatabase', { enum: [...BASE_DATABASES, 'none'] }, 'a base database, or none'), q('open', { type: 'boolean' }), q('status', { enum: [...RESOURCE_STATUSES] }),
        q('sort', { enum: [...SORTS] }), q('page', { type: 'integer', minimum: 1, maximum: 1000, description: 'page × size ≤ 1,000' }), q('size', { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE }),
      ],
      responses: { 200: ok(ref('SearchResult')) },
    },
  },
  '/search/suggest': {
    get: { operationId: 'search.suggest', summary: '输入提示 / autocomplete', parameters: [q('q', qs())], responses: { 200: ok(ref('Suggestions')) } },
  },
  '/search/status': { get: { operationId: 'search.status', summary: 'index status, sync backlog (system administrator)', responses: { 200: ok(anyObject) } } },
  '/search/dead-letters': { get: { operationId: 'search.deadLetters', summary: 'changes the index refused (system administrator)', parameters: [q('status', { enum: ['open', 'resolved'] })], responses: { 200: ok(anyObject) } } },
  '/search/rebuild': { post: { operationId: 'search.rebuild', summary: 'rebuild the index behind the alias, zero downtime (system administrator)', responses: { 200: ok(anyObject) } } },
  '/search/reconcile': { post: { operationId: 'search.reconcile', summary: 'find and repair drift between store and index (system administrator)', responses: { 200: ok(anyObject) } } },
  '/requests': {
    get: {
      operationId: 'request.list', summary: '共享申请 / sharing requests: mine, to my agency (provider), the deciding bodies\' queue, all',
      parameters: [q('view', { enum: ['mine', 'provider', 'queue', 'overdue', 'all'] }), q('state', { enum: [...REQUEST_STATES] }), ...paging(100)],
      responses: { 200: ok(ref('RequestPage')) },
    },
    post: {
      operationId: 'request.create', summary: '提出共享申请(草稿)/ draft a request for 有条件共享 (apply) or 不予共享 (coordinate) resources',
      requestBody: body(ref('RequestInput')), responses: { 201: ok(ref('SharingRequest')) },
    },
  },
  '/requests/{id}': { get: { operationId: 'request.get', summary: '查看申请 / one request', parameters: [idParam()], responses: { 200: ok(ref('SharingRequest')) } } },
  '/requests/{id}/steps': {
    post: {
      operationId: 'request.step', summary: '办理一步 / take a step of the workflow (the actions listed on the request); 409 when someone else acted first',
      parameters: [idParam()], requestBody: body(stepBody(REQUEST_EVENTS, ['reason', 'basis', 'deliveryMethod', 'deliveryDetail', 'deliverySchedule'])),
      responses: { 200: ok(ref('SharingRequest')) },
    },
  },
  '/grants': {
    get: {
      operationId: 'grant.list', summary: '共享授权 / grants held (mine), given (provider), or all',
      parameters: [q('view', { enum: ['mine', 'provider', 'all'] }), q('resource', qs()), q('state', { enum: ['active', 'suspended', 'revoked', 'expired'] }), ...paging(100)],
      responses: { 200: ok(ref('GrantPage')) },
    },
    post: {
      operationId: 'grant.obtain', summary: '获取 / obtain a 无条件共享 resource at once (purpose, scope and period stated)',
      requestBody: body(ref('ObtainInput')), responses: { 201: ok(ref('Grant')) },
    },
  },
  '/grants/{id}': { get: { operationId: 'grant.get', summary: '查看授权 / one grant', parameters: [idParam()], responses: { 200: ok(ref('Grant')) } } },
  '/grants/{id}/steps': {
    post: {
      operationId: 'grant.step', summary: '暂停、恢复、撤销授权 / suspend, resume or revoke (information office)',
      parameters: [idParam()], requestBody: body(stepBody(GRANT_EVENTS.filter((e) => e !== 'expire'), ['reason'])), responses: { 200: ok(ref('Grant')) },
    },
  },
  '/grants/{id}/consents': {
    post: {
      operationId: 'grant.consent.ask', summary: '申请向第三方提供 / ask the provider\'s consent to pass data on (consumer)', parameters: [idParam()],
      requestBody: body(obj({ recipient: line(2000), purpose: text(2000, 1), version: VERSION }, ['recipient', 'purpose', 'version'])), responses: { 201: ok(ref('Grant')) },
    },
  },
  '/grants/{id}/consents/{consentId}/answer': {
    post: {
      operationId: 'grant.consent.answer', summary: '书面同意或不同意 / the provider answers in writing', parameters: [idParam(), idParam('consentId')],
      requestBody: body(obj({ decision: { enum: ['granted', 'refused'] }, answer: text(2000, 1), version: VERSION }, ['decision', 'answer', 'version'])), responses: { 200: ok(ref('Grant')) },
    },
  },
  '/grants/{id}/violations': {
    post: {
      operationId: 'grant.violation.record', summary: '违规记录、责令整改、通报批评 / record misuse, order rectification, optionally a notice and suspension (information office)',
      parameters: [idParam()], requestBody: body(obj({ description: text(2000, 1), rectification: text(2000, 1), notice: { type: 'boolean' }, suspend: { type: 'boolean' }, version: VERSION }, ['description', 'rectification', 'version'])),
      responses: { 201: ok(ref('Grant')) },
    },
  },
  '/grants/{id}/violations/{violationId}/rectified': {
    post: {
      operationId: 'grant.violation.rectified', summary: '确认整改 / confirm the rectification (information office)', parameters: [idParam(), idParam('violationId')],
      requestBody: body(obj({ note: text(2000, 1), version: VERSION }, ['note', 'version'])), responses: { 200: ok(ref('Grant')) },
    },
  },
  '/notifications': {
    get: { operationId: 'notice.list', summary: '消息 / my inbox: what I have to know or do', parameters: [q('unread', { type: 'boolean' }), ...paging(200)], responses: { 200: ok(anyObject) } },
  },
  '/notifications/{id}/read': { post: { operationId: 'notice.read', summary: '标为已读 / mark a notice read', parameters: [idParam()], responses: { 200: ok(anyObject) } } },
  '/settings/deadlines': {
    get: { operationId: 'settings.deadlines.get', summary: '办理时限(工作日)/ workflow deadlines in working days', responses: { 200: ok(anyObject) } },
    put: {
      operationId: 'settings.deadlines.set', summary: '设置办理时限 / set the deadlines (system administrator)',
      requestBody: body(obj({ review: { type: 'integer', minimum: 1, maximum: 60 }, reply: { type: 'integer', minimum: 1, maximum: 60 }, deliberation: { type: 'integer', minimum: 1, maximum: 60 }, version: { type: 'integer', minimum: 0, maximum: 999_999_999 } }, ['review', 'reply', 'deliberation'])),
      responses: { 200: ok(anyObject) },
    },
  },
  '/calendar': {
    get: { operationId: 'calendar.list', summary: '节假日与调休 / holidays and make-up working days of a year', parameters: [q('year', { type: 'integer', minimum: 2000, maximum: 2100 })], responses: { 200: ok(anyObject) } },
  },
  '/calendar/{date}': {
    put: {
      operationId: 'calendar.set', summary: '设置节假日或调休上班日 / set a holiday or make-up working day (system administrator)', parameters: [idParam('date', DATE)],
      requestBody: body(obj({ kind: { enum: ['holiday', 'workday'] }, name: line(2000) }, ['kind', 'name'])), responses: { 200: ok(anyObject) },
    },
    delete: { operationId: 'calendar.remove', summary: '删除 / remove a calendar day (system administrator)', parameters: [idParam('date', DATE)], responses: { 204: { description: 'Removed' } } },
  },
};
