// Paths of the OpenAPI document, one entry per route of API_ROUTES (a test checks the two lists agree).

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ 'application/json': { schema } });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
const ok = (schema: object, description = 'OK') => ({ description, content: json(schema) });
const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [String(c), problem({
  400: 'Malformed input (operator keys, bad query parameters, read-only fields)', 401: 'Not signed in', 403: 'Not allowed',
  404: 'No such record (or not visible to you)', 409: 'Version conflict or state conflict', 413: 'Body too large', 415: 'Not JSON',
  422: 'Field errors, all at once', 429: 'Too many requests (Retry-After)', 503: 'Temporarily unavailable (Retry-After), e.g. the search index is down or rebuilding',
}[c] ?? 'Error')]));
const idParam = (name = 'id') => ({ name, in: 'path', required: true, schema: { type: 'string' } });
const versionHeader = { name: 'If-Match', in: 'header', required: false, schema: { type: 'string' }, description: 'The version you read, e.g. "3" (or send `version` in the body / query)' };
const idempotencyKey = { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 200 }, description: 'a retried POST with the same key and body is answered once, not applied twice (24 h)' };
const q = (name: string, schema: object, description?: string) => ({ name, in: 'query', required: false, schema, ...(description ? { description } : {}) });

export const API_ROUTES_SPEC = {
  '/resources': {
    get: {
      operationId: 'resource.list', summary: '列出信息资源 / list the resources visible to you',
      parameters: [
        q('agency', { type: 'string' }, 'agency id; includes its sub-agencies'), q('class', { type: 'string' }, 'classification code prefix'),
        q('shareType', { type: 'string' }), q('status', { type: 'string' }), q('format', { type: 'string' }), q('updateCycle', { type: 'string' }),
        q('baseDatabase', { type: 'string' }), q('open', { type: 'boolean' }), q('sort', { enum: ['updated', 'name', 'code'] }),
        q('offset', { type: 'integer', minimum: 0 }), q('limit', { type: 'integer', minimum: 1, maximum: 100 }),
      ],
      responses: { 200: ok({ anyOf: [ref('ResourcePage'), ref('PublicResourcePage')] }), ...errors(400) },
    },
    post: {
      operationId: 'resource.create', summary: '登记信息资源 / register a resource (data stewards, own agency)',
      requestBody: { required: true, content: json(ref('ResourceInput')) },
      responses: { 201: ok(ref('ResourceWrite'), 'Created as a draft; 一数一源 overlaps listed'), ...errors(400, 401, 403, 413, 415, 422) },
    },
  },
  '/resources/by-code/{code}': {
    get: {
      operationId: 'resource.getByCode', summary: '按资源代码查询 / read by code (101001%2F00001 or 101001-00001)',
      parameters: [idParam('code')], responses: { 200: ok({ anyOf: [ref('Resource'), ref('PublicResource')] }), ...errors(400, 404) },
    },
  },
  '/resources/{id}': {
    get: { operationId: 'resource.get', summary: '查询信息资源 / read a resource', parameters: [idParam()], responses: { 200: ok({ anyOf: [ref('Resource'), ref('PublicResource')] }), ...errors(400, 404) } },
    put: {
      operationId: 'resource.update', summary: '修改信息资源 / replace the editable fields, based on the version you read',
      parameters: [idParam(), versionHeader], requestBody: { required: true, content: json({ allOf: [ref('ResourceInput')], properties: { version: { type: 'integer' } } }) },
      responses: { 200: ok(ref('ResourceWrite')), ...errors(400, 401, 403, 404, 409, 413, 415, 422) },
    },
    delete: {
      operationId: 'resource.delete', summary: '删除未发布的信息资源 / soft-delete an unpublished resource',
      parameters: [idParam(), versionHeader, q('version', { type: 'integer' })], responses: { 204: { description: 'Deleted (tombstoned)' }, ...errors(400, 401, 403, 404, 409) },
    },
  },
  '/resources/{id}/history': {
    get: { operationId: 'resource.history', summary: '变更记录 / change history', parameters: [idParam()], responses: { 200: ok(ref('History')), ...errors(401, 404) } },
  },
  '/agencies': {
    get: { operationId: 'agency.list', summary: '机关 / agencies', responses: { 200: ok(ref('AgencyPage')) } },
    post: { operationId: 'agency.create', summary: '新增机关 (system administrator)', requestBody: { required: true, content: json({ type: 'object' }) }, responses: { 201: ok(ref('Agency')), ...errors(400, 401, 403, 415, 422) } },
  },
  '/agencies/{id}': {
    get: { operationId: 'agency.get', parameters: [idParam()], responses: { 200: ok(ref('Agency')), ...errors(404) } },
    put: { operationId: 'agency.update', parameters: [idParam(), versionHeader], requestBody: { required: true, content: json({ type: 'object' }) }, responses: { 200: ok(ref('Agency')), ...errors(400, 401, 403, 404, 409, 422) } },
    delete: { operationId: 'agency.delete', parameters: [idParam(), versionHeader], responses: { 204: { description: 'Deleted' }, ...errors(401, 403, 404, 409) } },
  },
  '/classification': {
    get: { operationId: 'classification.list', summary: '信息资源分类 / classification tree', responses: { 200: ok(ref('ClassificationPage')) } },
    post: { operationId: 'classification.create', requestBody: { required: true, content: json({ type: 'object' }) }, responses: { 201: ok(ref('ClassificationNode')), ...errors(400, 401, 403, 422) } },
  },
  '/classification/{id}': {
    put: { operationId: 'classification.update', parameters: [idParam(), versionHeader], requestBody: { required: true, content: json({ type: 'object' }) }, responses: { 200: ok(ref('ClassificationNode')), ...errors(400, 401, 403, 404, 409, 422) } },
  },
  '/me': { get: { operationId: 'account.me', responses: { 200: ok(ref('Actor')), ...errors(401) } } },
  '/users': {
    get: { operationId: 'user.list', summary: 'security administrator', parameters: [q('agency', { type: 'string' }), q('offset', { type: 'integer' }), q('limit', { type: 'integer' })], responses: { 200: ok(ref('UserPage')), ...errors(401, 403) } },
    post: { operationId: 'user.create', summary: 'security administrator', requestBody: { required: true, content: json({ type: 'object' }) }, responses: { 201: ok(ref('User')), ...errors(400, 401, 403, 422) } },
  },
  '/users/{id}': {
    put: { operationId: 'user.update', parameters: [idParam(), versionHeader], requestBody: { required: true, content: json({ type: 'object' }) }, responses: { 200: ok(ref('User')), ...errors(400, 401, 403, 404, 409, 422) } },
  },
  '/users/{id}/tokens': {
    get: { operationId: 'token.list', parameters: [idParam()], responses: { 200: ok(ref('TokenPage')), ...errors(401, 403) } },
    post: { operationId: 'token.create', summary: 'the secret is in the response once', parameters: [idParam()], requestBody: { required: true, content: json({ type: 'object' }) }, responses: { 201: ok(ref('Token')), ...errors(400, 401, 403, 404, 422) } },
  },
  '/users/{id}/tokens/{tokenId}': {
    delete: { operationId: 'token.revoke', parameters: [idParam(), idParam('tokenId')], responses: { 204: { description: 'Revoked' }, ...errors(401, 403, 404) } },
  },
  '/overlaps': { get: { operationId: 'overlap.list', summary: '一数一源 findings (reviewers, information office)', responses: { 200: ok({ type: 'object' }), ...errors(401, 403) } } },
  '/audit': { get: { operationId: 'audit.list', summary: 'audit log (audit administrator)', responses: { 200: ok({ type: 'object' }), ...errors(401, 403) } } },
  '/audit/verification': {
    get: {
      operationId: 'audit.verify', summary: '审计日志校验 / verify the keyed audit chain against the checkpoint kept outside the store (audit administrator)',
      parameters: [q('scope', { enum: ['full', 'since-checkpoint'] })], responses: { 200: ok(ref('AuditVerification')), ...errors(400, 401, 403) },
    },
  },
  '/search': {
    get: {
      operationId: 'search.query', summary: '检索目录 / full-text search with facets (only what you may see)',
      parameters: [
        q('q', { type: 'string', maxLength: 200 }, 'words; Chinese is matched as phrases, pinyin and initials match names and agencies; synonyms expand'),
        q('mode', { enum: ['all', 'items'] }, 'items: search inside data item names only ("who holds 统一社会信用代码?")'),
        q('agency', { type: 'string' }, 'agency id; includes its sub-agencies'), q('class', { type: 'string', pattern: '^\\d+$' }, 'classification node code (prefix)'),
        q('shareType', { type: 'string' }), q('format', { type: 'string' }), q('updateCycle', { type: 'string' }),
        q('baseDatabase', { type: 'string' }, 'a base database, or none'), q('open', { type: 'boolean' }), q('status', { type: 'string' }),
        q('sort', { enum: ['relevance', 'name', 'updated'] }), q('page', { type: 'integer', minimum: 1 }), q('size', { type: 'integer', minimum: 1, maximum: 50 }),
      ],
      responses: { 200: ok(ref('SearchResult')), ...errors(400, 429, 503) },
    },
  },
  '/search/suggest': {
    get: { operationId: 'search.suggest', summary: '输入提示 / autocomplete', parameters: [q('q', { type: 'string' })], responses: { 200: ok(ref('Suggestions')), ...errors(400, 429, 503) } },
  },
  '/search/status': { get: { operationId: 'search.status', summary: 'index status, sync backlog (system administrator)', responses: { 200: ok({ type: 'object' }), ...errors(401, 403, 503) } } },
  '/search/dead-letters': { get: { operationId: 'search.deadLetters', summary: 'changes the index refused (system administrator)', parameters: [q('status', { enum: ['open', 'resolved'] })], responses: { 200: ok({ type: 'object' }), ...errors(401, 403) } } },
  '/search/rebuild': { post: { operationId: 'search.rebuild', summary: 'rebuild the index behind the alias, zero downtime (system administrator)', responses: { 200: ok({ type: 'object' }), ...errors(401, 403, 409, 503) } } },
  '/search/reconcile': { post: { operationId: 'search.reconcile', summary: 'find and repair drift between store and index (system administrator)', responses: { 200: ok({ type: 'object' }), ...errors(401, 403, 503) } } },
  '/requests': {
    get: {
      operationId: 'request.list', summary: '共享申请 / sharing requests: mine, to my agency (provider), the deciding bodies\' queue, all',
      parameters: [q('view', { enum: ['mine', 'provider', 'queue', 'overdue', 'all'] }), q('state', { type: 'string' }), q('offset', { type: 'integer' }), q('limit', { type: 'integer' })],
      responses: { 200: ok(ref('RequestPage')), ...errors(400, 401, 403) },
    },
    post: {
      operationId: 'request.create', summary: '提出共享申请(草稿)/ draft a request for 有条件共享 (apply) or 不予共享 (coordinate) resources',
      parameters: [idempotencyKey], requestBody: { required: true, content: json(ref('RequestInput')) }, responses: { 201: ok(ref('SharingRequest')), ...errors(400, 401, 403, 409, 422) },
    },
  },
  '/requests/{id}': { get: { operationId: 'request.get', parameters: [idParam()], responses: { 200: ok(ref('SharingRequest')), ...errors(401, 404) } } },
  '/requests/{id}/steps': {
    post: {
      operationId: 'request.step', summary: '办理一步 / take a step of the workflow (the actions listed on the request); 409 when someone else acted first',
      parameters: [idParam(), idempotencyKey], requestBody: { required: true, content: json(ref('StepInput')) }, responses: { 200: ok(ref('SharingRequest')), ...errors(400, 401, 403, 404, 409, 422) },
    },
  },
  '/grants': {
    get: {
      operationId: 'grant.list', summary: '共享授权 / grants held (mine), given (provider), or all',
      parameters: [q('view', { enum: ['mine', 'provider', 'all'] }), q('resource', { type: 'string' }), q('state', { type: 'string' }), q('offset', { type: 'integer' }), q('limit', { type: 'integer' })],
      responses: { 200: ok(ref('GrantPage')), ...errors(400, 401, 403) },
    },
    post: {
      operationId: 'grant.obtain', summary: '获取 / obtain a 无条件共享 resource at once (purpose, scope and period stated)',
      parameters: [idempotencyKey], requestBody: { required: true, content: json({ type: 'object' }) }, responses: { 201: ok(ref('Grant')), ...errors(400, 401, 403, 404, 409, 422) },
    },
  },
  '/grants/{id}': { get: { operationId: 'grant.get', parameters: [idParam()], responses: { 200: ok(ref('Grant')), ...errors(401, 404) } } },
  '/grants/{id}/steps': {
    post: {
      operationId: 'grant.step', summary: '暂停、恢复、撤销授权 / suspend, resume or revoke (information office)',
      parameters: [idParam(), idempotencyKey], requestBody: { required: true, content: json(ref('StepInput')) }, responses: { 200: ok(ref('Grant')), ...errors(400, 401, 403, 404, 409, 422) },
    },
  },
  '/resources/{id}/steps': {
    post: {
      operationId: 'resource.step', summary: '目录审查发布 / a publication step on one entry: submit, accept, return, approve, resubmit, withdraw',
      parameters: [idParam(), idempotencyKey], requestBody: { required: true, content: json(ref('StepInput')) }, responses: { 200: ok({ type: 'object' }), ...errors(400, 401, 403, 404, 409, 422) },
    },
  },
  '/batches': {
    get: { operationId: 'batch.list', summary: '发布批次 / publication batches', parameters: [q('state', { type: 'string' }), q('offset', { type: 'integer' }), q('limit', { type: 'integer' })], responses: { 200: ok({ type: 'object' }), ...errors(400, 401, 403) } },
    post: {
      operationId: 'batch.create', summary: '编制批次 / put approved entries in a numbered batch (information office)',
      parameters: [idempotencyKey], requestBody: { required: true, content: json({ type: 'object', required: ['resources'], properties: { resources: { type: 'array', items: { type: 'string' } } } }) },
      responses: { 201: ok({ type: 'object' }), ...errors(400, 401, 403, 422) },
    },
  },
  '/batches/{id}': { get: { operationId: 'batch.get', parameters: [idParam()], responses: { 200: ok({ type: 'object' }), ...errors(401, 403, 404) } } },
  '/batches/{id}/steps': {
    post: {
      operationId: 'batch.step', summary: '报市政府、批准发布、退回 / submit a batch, approve it (published), or reject it',
      parameters: [idParam(), idempotencyKey], requestBody: { required: true, content: json(ref('StepInput')) }, responses: { 200: ok({ type: 'object' }), ...errors(400, 401, 403, 404, 409, 422) },
    },
  },
  '/notifications': {
    get: { operationId: 'notice.list', summary: '消息 / my inbox: what I have to know or do', parameters: [q('unread', { type: 'boolean' }), q('offset', { type: 'integer' }), q('limit', { type: 'integer' })], responses: { 200: ok({ type: 'object' }), ...errors(400, 401) } },
  },
  '/notifications/{id}/read': { post: { operationId: 'notice.read', parameters: [idParam(), idempotencyKey], responses: { 200: ok({ type: 'object' }), ...errors(401, 404, 409) } } },
  '/settings/deadlines': {
    get: { operationId: 'settings.deadlines.get', summary: '办理时限(工作日)/ workflow deadlines in working days', responses: { 200: ok({ type: 'object' }), ...errors(401) } },
    put: { operationId: 'settings.deadlines.set', summary: 'system administrator', requestBody: { required: true, content: json({ type: 'object', properties: { review: { type: 'integer' }, reply: { type: 'integer' }, deliberation: { type: 'integer' }, version: { type: 'integer' } } }) }, responses: { 200: ok({ type: 'object' }), ...errors(400, 401, 403, 409, 422) } },
  },
  '/calendar': { get: { operationId: 'calendar.list', summary: '节假日与调休 / holidays and make-up working days of a year', parameters: [q('year', { type: 'integer' })], responses: { 200: ok({ type: 'object' }), ...errors(400, 401) } } },
  '/calendar/{date}': {
    put: { operationId: 'calendar.set', summary: 'system administrator', parameters: [idParam('date')], requestBody: { required: true, content: json({ type: 'object', required: ['kind', 'name'], properties: { kind: { enum: ['holiday', 'workday'] }, name: { type: 'string' } } }) }, responses: { 200: ok({ type: 'object' }), ...errors(400, 401, 403, 422) } },
    delete: { operationId: 'calendar.remove', parameters: [idParam('date')], responses: { 204: { description: 'Removed' }, ...errors(401, 403, 404) } },
  },
  '/grants/{id}/consents': {
    post: { operationId: 'grant.consent.ask', summary: '申请向第三方提供 / ask the provider\'s consent to pass data on (consumer)', parameters: [idParam(), idempotencyKey], requestBody: { required: true, content: json({ type: 'object', required: ['recipient', 'purpose', 'version'] }) }, responses: { 201: ok(ref('Grant')), ...errors(400, 401, 403, 404, 409, 422) } },
  },
  '/grants/{id}/consents/{consentId}/answer': {
    post: { operationId: 'grant.consent.answer', summary: '书面同意或不同意 / the provider answers in writing', parameters: [idParam(), idParam('consentId'), idempotencyKey], requestBody: { required: true, content: json({ type: 'object', required: ['decision', 'answer', 'version'] }) }, responses: { 200: ok(ref('Grant')), ...errors(400, 401, 403, 404, 409, 422) } },
  },
  '/grants/{id}/violations': {
    post: { operationId: 'grant.violation.record', summary: '违规记录、责令整改、通报批评 / record misuse, order rectification, optionally a notice and suspension (information office)', parameters: [idParam(), idempotencyKey], requestBody: { required: true, content: json({ type: 'object', required: ['description', 'rectification', 'version'] }) }, responses: { 201: ok(ref('Grant')), ...errors(400, 401, 403, 404, 409, 422) } },
  },
  '/grants/{id}/violations/{violationId}/rectified': {
    post: { operationId: 'grant.violation.rectified', summary: '确认整改 / confirm the rectification (information office)', parameters: [idParam(), idParam('violationId'), idempotencyKey], requestBody: { required: true, content: json({ type: 'object', required: ['note', 'version'] }) }, responses: { 200: ok(ref('Grant')), ...errors(400, 401, 403, 404, 409, 422) } },
  },
  '/resources/{id}/referrals': {
    post: { operationId: 'resource.referral.ask', summary: '提请审查机关:能否共享 / ask the review authority whether this may be shared (own steward)', parameters: [idParam(), idempotencyKey], requestBody: { required: true, content: json({ type: 'object', required: ['question', 'version'] }) }, responses: { 201: ok({ type: 'object' }), ...errors(400, 401, 403, 404, 409, 422) } },
  },
  '/resources/{id}/referrals/{referralId}/answer': {
    post: { operationId: 'resource.referral.answer', summary: 'the review authority answers a referral', parameters: [idParam(), idParam('referralId'), idempotencyKey], requestBody: { required: true, content: json({ type: 'object', required: ['answer', 'version'] }) }, responses: { 200: ok({ type: 'object' }), ...errors(400, 401, 403, 404, 409, 422) } },
  },
  '/resources/{id}/current': {
    post: { operationId: 'resource.confirmCurrent', summary: '确认数据已按周期更新 / confirm a published entry is current (restarts its update cycle)', parameters: [idParam(), idempotencyKey], requestBody: { required: true, content: json({ type: 'object', required: ['version'] }) }, responses: { 200: ok({ type: 'object' }), ...errors(400, 401, 403, 404, 409, 422) } },
  },
  '/dashboard': { get: { operationId: 'dashboard', summary: '工作台 / what needs doing: stale and returned entries, referrals, requests waiting', responses: { 200: ok({ type: 'object' }), ...errors(401) } } },
  '/batches/{id}/entries/{resourceId}/remove': {
    post: { operationId: 'batch.remove', summary: '移出批次 / take an entry out of a batch not yet submitted (information office)', parameters: [idParam(), idParam('resourceId'), idempotencyKey], requestBody: { required: true, content: json({ type: 'object', required: ['version'] }) }, responses: { 200: ok({ type: 'object' }), ...errors(400, 401, 403, 404, 409, 422) } },
  },
};
