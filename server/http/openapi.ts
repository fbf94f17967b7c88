// The OpenAPI 3.1 description of /api/v1. A test checks real responses against these schemas, so the document
// cannot quietly drift from the server.

import { API_ROUTES } from './api.ts';
import { API_ROUTES_SPEC, CONTROL, ID, line, text } from './openapi-routes.ts';
import {
  BASE_DATABASES, DATA_TYPES, FORMAT_CATEGORIES, LEGACY_SHARE_TYPES, METHOD_CATEGORIES, PLATFORM_METHOD_TYPES, RESOURCE_STATUSES, SHARE_TYPES, UPDATE_CYCLES,
} from '../domain/vocab.ts';
import { ROLES } from '../domain/roles.ts';

const str = (extra: object = {}) => ({ type: 'string', ...extra });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const FieldError = {
  type: 'object', required: ['pointer', 'code', 'message'], additionalProperties: false,
  properties: { pointer: str(), code: str(), message: { type: 'object', required: ['zh', 'en'], properties: { zh: str(), en: str() }, additionalProperties: false } },
};

const Problem = {
  type: 'object', required: ['type', 'title', 'status', 'detail', 'title_zh', 'detail_zh', 'correlationId'],
  properties: {
    type: str({ format: 'uri' }), title: str(), status: { type: 'integer' }, detail: str(), title_zh: str(), detail_zh: str(), correlationId: str(),
    errors: { type: 'array', items: ref('FieldError') }, currentVersion: { type: 'integer' }, retryAfter: { type: 'integer', description: 'seconds (429, 503)' },
  },
};

const Classification = {
  type: 'object', required: ['classCode', 'itemCode'], additionalProperties: false,
  properties: { classCode: { enum: ['1', '2', '3'] }, itemCode: str({ pattern: '^[0-9]{2}$' }), entryCode: str({ pattern: '^[0-9]{3}$' }), subEntryCode: str({ pattern: '^([0-9]{2}){1,10}$' }) },
};

const DataItem = {
  type: 'object', required: ['name', 'dataType'], additionalProperties: false,
  properties: {
    name: line(100), nameEn: str({ maxLength: 100, pattern: '^[A-Za-z][A-Za-z0-9_ ]*$' }), dataType: { enum: Object.keys(DATA_TYPES) },
    length: { type: 'integer', minimum: 1, maximum: 1_000_000, description: 'required for 字符型 (C) items' },
    shareType: { enum: [...SHARE_TYPES, ...Object.keys(LEGACY_SHARE_TYPES)] }, open: { type: 'boolean' },
  },
};

const Census = {
  type: 'object', additionalProperties: false,
  properties: {
    ...Object.fromEntries(['totalStorageGB', 'sharedStorageGB', 'openStorageGB'].map((k) => [k, { type: 'number', minimum: 0, maximum: 1e12 }])),
    ...Object.fromEntries(['structuredRecords', 'sharedRecords', 'openRecords'].map((k) => [k, { type: 'integer', minimum: 0, maximum: 1e15 }])),
  },
};

const CODE_PATTERN = '^[1-3][0-9]{2}([0-9]{3}([0-9]{2})*)?/[0-9]+$';

/**
 * What a steward writes, as strictly as validation reads it. Rules across fields (a format type of its category, a
 * condition for 有条件共享, a node that exists, an item list for databases) are 422s the schema cannot say.
 */
const inputProperties = {
  classification: ref('Classification'),
  name: line(200),
  provider: { type: 'object', required: ['agencyId'], additionalProperties: false, properties: { agencyId: line(64), unit: line(100, 0) } },
  abstract: text(2000, 1),
  format: { type: 'object', required: ['category', 'type'], additionalProperties: false, properties: { category: { enum: FORMAT_CATEGORIES }, type: line(50), otherDescription: line(200, 0) } },
  dataItems: { type: 'array', maxItems: 500, items: ref('DataItem') },
  sharing: {
    type: 'object', required: ['type'], additionalProperties: false,
    properties: {
      type: { enum: [...SHARE_TYPES, ...Object.keys(LEGACY_SHARE_TYPES)], description: '完全共享 and 部分共享 (the founding document\'s words) are stored as 无条件共享 and 有条件共享' },
      condition: text(1000), basis: text(1000),
      method: { type: 'object', required: ['category'], additionalProperties: false, properties: { category: { enum: [...METHOD_CATEGORIES] }, type: { enum: [...PLATFORM_METHOD_TYPES] } } },
    },
  },
  openness: { type: 'object', required: ['isOpen'], additionalProperties: false, properties: { isOpen: { type: 'boolean' }, condition: text(1000) } },
  updateCycle: { enum: [...UPDATE_CYCLES] },
  relatedCodes: { type: 'array', maxItems: 100, items: str({ maxLength: 40, pattern: CODE_PATTERN }) },
  census: ref('Census'),
  baseDatabase: { enum: [...BASE_DATABASES, null] },
  secrecy: { enum: ['非涉密'], description: '涉密 resources may not enter the catalog (422)' },
  authoritativeSource: { type: 'array', maxItems: 500, items: line(100) },
  sourceSystem: line(200, 0),
  contact: {
    type: 'object', additionalProperties: false,
    properties: { name: line(50, 0), phone: str({ maxLength: 20, pattern: '^[0-9+\\-() ]{5,20}$' }), email: str({ maxLength: 200, pattern: `^[^\\s@${CONTROL}]+@[^\\s@${CONTROL}]+\\.[^\\s@${CONTROL}]+$` }) },
  },
  keywords: { type: 'array', maxItems: 30, items: line(30) },
};

const ResourceInput = {
  type: 'object', additionalProperties: false,
  required: ['classification', 'name', 'provider', 'abstract', 'format', 'sharing', 'openness', 'updateCycle', 'secrecy'],
  properties: inputProperties,
};

/** The whole editable record again, with the version it was based on. */
const ResourceUpdate = { ...ResourceInput, required: [...ResourceInput.required, 'version'], properties: { ...inputProperties, version: { type: 'integer', minimum: 1, maximum: 999_999_999 } } };

const Resource = {
  type: 'object', additionalProperties: false,
  required: ['id', 'code', 'name', 'provider', 'abstract', 'format', 'sharing', 'openness', 'updateCycle', 'status', 'version', 'createdAt', 'updatedAt'],
  properties: {
    ...inputProperties,
    id: str(), code: str({ pattern: CODE_PATTERN }),
    provider: { type: 'object', required: ['agencyId', 'code', 'name'], additionalProperties: false, properties: { agencyId: str(), unit: str(), code: str(), name: str() } },
    status: { enum: [...RESOURCE_STATUSES] }, version: { type: 'integer', minimum: 1 },
    createdAt: str({ format: 'date-time' }), updatedAt: str({ format: 'date-time' }), createdBy: str(), updatedBy: str(), publishedAt: str({ format: 'date-time' }),
    referrals: { type: 'array', items: { type: 'object', additionalProperties: false, properties: { id: str(), question: str(), askedBy: str(), askedAt: str(), answer: str(), answeredBy: str(), answeredAt: str() } } },
    currentAsOf: str({ format: 'date-time' }),
    revision: { type: 'object', description: 'a change of a published entry under way (its provider and the deciding bodies only)', required: ['content', 'status', 'steps'], properties: { content: { type: 'object' }, status: { enum: [...RESOURCE_STATUSES] }, steps: { type: 'array' }, returnReason: str(), batchId: str(), startedAt: str(), startedBy: str() } },
    review: {
      type: 'object', additionalProperties: false, description: 'the publication workflow on this entry',
      properties: {
        batchId: str(), returnReason: str(),
        steps: { type: 'array', items: { type: 'object', additionalProperties: false, properties: { event: str(), from: str(), to: str(), by: str(), byName: str(), at: str(), reason: str(), batchNumber: str() } } },
      },
    },
  },
};

/** The anonymous view: published entries open to the public, without contacts, census figures or systems. */
const { contact: _c, census: _ce, sourceSystem: _s, createdBy: _cb, updatedBy: _ub, ...publicProperties } = Resource.properties;
const PublicResource = { ...Resource, properties: publicProperties };

const Overlap = {
  type: 'object', additionalProperties: false,
  required: ['authorityResourceId', 'authorityResourceCode', 'authorityResourceName', 'authorityAgencyId', 'authorityAgencyName', 'items'],
  properties: {
    authorityResourceId: str(), authorityResourceCode: str(), authorityResourceName: str(), authorityAgencyId: str(), authorityAgencyName: str(),
    items: { type: 'array', items: str() },
  },
};

const page = (item: object) => ({
  type: 'object', required: ['items', 'total', 'offset', 'limit'], additionalProperties: false,
  properties: { items: { type: 'array', items: item }, total: { type: 'integer' }, offset: { type: 'integer' }, limit: { type: 'integer' } },
});

const Agency = {
  type: 'object', required: ['id', 'version', 'name', 'code', 'kind', 'pilot', 'reviewMember'], additionalProperties: false,
  properties: { id: str(), version: { type: 'integer' }, name: str(), shortName: str(), code: str(), parentId: str(), kind: { enum: ['city', 'department', 'district', 'district_department', 'review_member'] }, pilot: { type: 'boolean' }, reviewMember: { type: 'boolean' } },
};

const ClassificationNode = {
  type: 'object', required: ['id', 'version', 'code', 'name', 'level'], additionalProperties: false,
  properties: { id: str(), version: { type: 'integer' }, code: str(), name: str(), parentCode: str(), level: { type: 'integer' } },
};

const User = {
  type: 'object', required: ['id', 'version', 'username', 'displayName', 'agencyId', 'roles', 'disabled', 'demo', 'createdAt'], additionalProperties: false,
  properties: {
    id: str(), version: { type: 'integer' }, username: str(), displayName: str(), agencyId: str(), roles: { type: 'array', items: { enum: [...ROLES] } },
    disabled: { type: 'boolean' }, demo: { type: 'boolean' }, createdAt: str({ format: 'date-time' }),
  },
};

const Actor = {
  type: 'object', required: ['userId', 'username', 'displayName', 'agencyId', 'roles'], additionalProperties: false,
  properties: { userId: str(), username: str(), displayName: str(), agencyId: str(), roles: { type: 'array', items: { enum: [...ROLES] } }, demo: { type: 'boolean' } },
};

const HistoryEntry = {
  type: 'object', required: ['entityId', 'version', 'action', 'actor', 'at', 'changes'], additionalProperties: false,
  properties: {
    entityId: str(), version: { type: 'integer' }, action: { enum: ['create', 'update', 'delete'] }, actor: str(), at: str({ format: 'date-time' }),
    changes: { type: 'array', items: { type: 'object', required: ['path'], properties: { path: str(), from: {}, to: {} } } },
  },
};

const Token = {
  type: 'object', required: ['id', 'version', 'userId', 'name', 'createdAt', 'revoked'], additionalProperties: false,
  properties: { id: str(), version: { type: 'integer' }, userId: str(), name: str(), createdAt: str(), expiresAt: str(), revoked: { type: 'boolean' }, token: str() },
};

const Bucket = { type: 'object', required: ['value', 'label', 'count'], additionalProperties: false, properties: { value: str(), label: str(), count: { type: 'integer' } } };

const SearchHit = {
  type: 'object', additionalProperties: false,
  required: ['id', 'code', 'name', 'nameHtml', 'abstractHtml', 'agency', 'shareType', 'updateCycle', 'formatCategory', 'open', 'status', 'updatedAt', 'matchedItems'],
  properties: {
    id: str(), code: str(), name: str(), nameHtml: str({ description: 'HTML-escaped, matches in <mark>' }), abstractHtml: str(),
    agency: { type: 'object', required: ['id', 'name'], additionalProperties: false, properties: { id: str(), name: str() } },
    shareType: str(), updateCycle: str(), formatCategory: str(), open: { type: 'boolean' }, status: str(), updatedAt: str(),
    matchedItems: { type: 'array', items: { type: 'object', required: ['name', 'html'], additionalProperties: false, properties: { name: str(), html: str() } } },
    action: { type: 'object', required: ['kind', 'label', 'href'], additionalProperties: false, properties: { kind: { enum: ['get', 'apply', 'coordinate', 'held'] }, label: str(), href: str() } },
  },
};

const SearchResult = {
  type: 'object', required: ['total', 'page', 'size', 'query', 'hits', 'facets'], additionalProperties: false,
  properties: {
    total: { type: 'integer' }, page: { type: 'integer' }, size: { type: 'integer' },
    query: { type: 'object', required: ['q', 'mode', 'sort', 'terms'], properties: { q: str(), mode: str(), sort: str(), terms: { type: 'array', items: { type: 'array', items: str() } } } },
    hits: { type: 'array', items: SearchHit },
    facets: { type: 'object', additionalProperties: { type: 'array', items: Bucket } },
  },
};

const Suggestions = {
  type: 'object', required: ['suggestions'], additionalProperties: false,
  properties: { suggestions: { type: 'array', items: { type: 'object', required: ['text', 'html', 'code', 'agency'], additionalProperties: false, properties: { text: str(), html: str(), code: str(), agency: str() } } } },
};

const Step = {
  type: 'object', required: ['event', 'from', 'to', 'by', 'byName', 'at'], additionalProperties: false,
  properties: { event: str(), from: str(), to: str(), by: str(), byName: str(), byAgencyId: str(), at: str(), fields: { type: 'object', additionalProperties: str() } },
};

const RequestedResource = {
  type: 'object', required: ['id', 'code', 'name', 'shareType', 'items'], additionalProperties: false,
  properties: { id: str(), code: str(), name: str(), shareType: { enum: [...SHARE_TYPES] }, items: { type: 'array', items: str() } },
};

const DATE = str({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$', description: 'a city date, from today; the period is at most three years' });

const termProperties = {
  purpose: text(2000, 1), scope: text(2000, 1), facilities: text(2000, 1), security: text(2000, 1), basis: text(2000, 1), startsOn: DATE, endsOn: DATE,
};

const Wanted = {
  type: 'object', required: ['code'], additionalProperties: false,
  properties: { code: str({ maxLength: 40, pattern: CODE_PATTERN }), items: { type: 'array', maxItems: 500, uniqueItems: true, items: line(100) } },
};

/** Which published resources of one provider, and why: every field, checked together (422 lists them all). */
const RequestInput = {
  type: 'object', additionalProperties: false, required: ['resources', 'purpose', 'scope', 'facilities', 'security', 'basis', 'startsOn', 'endsOn'],
  properties: { resources: { type: 'array', minItems: 1, maxItems: 20, items: Wanted }, ...termProperties },
};

/** 获取 of one 无条件共享 resource: purpose, scope and period. */
const ObtainInput = {
  type: 'object', additionalProperties: false, required: ['resources', 'purpose', 'scope', 'startsOn', 'endsOn'],
  properties: { resources: { type: 'array', minItems: 1, maxItems: 1, items: Wanted }, purpose: termProperties.purpose, scope: termProperties.scope, startsOn: DATE, endsOn: DATE },
};

const agencyProperties = {
  name: line(100), shortName: line(30, 0), code: { ...line(20), description: '统一社会信用代码 (check character verified) or an organisation code' },
  parentId: ID, kind: { enum: ['city', 'department', 'district', 'district_department', 'review_member'] }, pilot: { type: 'boolean' }, reviewMember: { type: 'boolean' },
};
const AgencyInput = { type: 'object', additionalProperties: false, required: ['name', 'code', 'kind'], properties: agencyProperties };
const AgencyUpdate = { type: 'object', additionalProperties: false, required: ['name', 'code', 'kind', 'version'], properties: { ...agencyProperties, version: { type: 'integer', minimum: 1, maximum: 999_999_999 } } };

const signed = (o: object) => ({ type: 'object', additionalProperties: false, properties: o });

const SharingRequest = {
  type: 'object', additionalProperties: false,
  required: ['id', 'version', 'number', 'kind', 'state', 'applicantAgencyId', 'providerAgencyId', 'resources', 'resourceIds', 'steps', 'actions', 'purpose', 'scope', 'startsOn', 'endsOn'],
  properties: {
    id: str(), version: { type: 'integer' }, number: str(), kind: { enum: ['apply', 'coordinate'] }, state: str(), applicantAgencyId: str(), applicantUserId: str(),
    providerAgencyId: str(), resources: { type: 'array', items: RequestedResource }, resourceIds: { type: 'array', items: str() }, ...termProperties,
    contactSheet: signed({ number: str(), issuedAt: str() }), taskOrder: signed({ number: str(), issuedAt: str() }),
    reply: signed({ deliveryMethod: str(), deliveryDetail: str(), deliverySchedule: str(), at: str(), by: str() }),
    refusal: signed({ reason: str(), basis: str(), at: str(), by: str() }),
    deliberation: signed({ decision: { enum: ['upheld', 'overruled'] }, reason: str(), at: str(), by: str() }),
    grantId: str(), deadline: signed({ clock: str(), days: { type: 'integer' }, since: str(), due: str(), flagged: { type: 'boolean' } }),
    steps: { type: 'array', items: Step }, actions: { type: 'array', items: str(), description: 'the steps you can take now' },
    createdAt: str(), updatedAt: str(),
  },
};

const ChainHead = { type: 'object', required: ['seq', 'hash'], additionalProperties: false, properties: { seq: { type: 'integer' }, hash: str() } };

const AuditVerification = {
  type: 'object', required: ['ok', 'scope', 'checked'], additionalProperties: false,
  properties: {
    ok: { type: 'boolean' }, scope: { enum: ['full', 'since-checkpoint', 'not-yet'] }, verifiedAt: str(), checked: { type: 'integer' }, head: ChainHead,
    legacyUntil: { type: 'integer', description: 'records up to here predate the keyed chain (an unkeyed prefix)' },
    checkpoint: { type: 'object', additionalProperties: false, properties: { seq: { type: 'integer' }, hash: str(), at: str(), where: str() } },
    problem: { type: 'object', required: ['code', 'zh', 'en'], additionalProperties: false, properties: { code: str(), seq: { type: 'integer' }, zh: str(), en: str() } },
  },
};

const Grant = {
  type: 'object', additionalProperties: false,
  required: ['id', 'version', 'number', 'kind', 'state', 'consumerAgencyId', 'providerAgencyId', 'resources', 'resourceIds', 'purpose', 'scope', 'startsOn', 'endsOn', 'steps', 'actions'],
  properties: {
    id: str(), version: { type: 'integer' }, number: str(), kind: { enum: ['unconditional', 'conditional'] }, state: { enum: ['active', 'suspended', 'revoked', 'expired'] },
    requestId: str(), consumerAgencyId: str(), consumerUserId: str(), providerAgencyId: str(), resources: { type: 'array', items: RequestedResource },
    resourceIds: { type: 'array', items: str() }, purpose: str(), scope: str(), startsOn: str(), endsOn: str(), steps: { type: 'array', items: Step },
    delivery: signed({ deliveryMethod: str(), deliveryDetail: str({ description: 'the endpoint or file: shown to the provider, and to the holder while the grant is in force' }), deliverySchedule: str() }),
    actions: { type: 'array', items: str() }, createdAt: str(), updatedAt: str(),
    consents: { type: 'array', items: signed({ id: str(), recipient: str(), purpose: str(), state: { enum: ['pending', 'granted', 'refused'] }, requestedAt: str(), requestedBy: str(), answer: str(), answeredAt: str(), answeredBy: str() }) },
    violations: { type: 'array', items: signed({ id: str(), description: str(), rectification: str(), notice: { type: 'boolean' }, recordedAt: str(), recordedBy: str(), rectifiedAt: str(), rectifiedNote: str() }) },
  },
};

const ERROR_TEXT: Record<number, string> = {
  400: 'Malformed input: forbidden keys or characters, bad query parameters, read-only fields, an id or code of the wrong form',
  401: 'Not signed in, or the API token is not valid (any more)', 403: 'Not allowed (the permission, the record, four eyes, CSRF)',
  404: 'No such record (or not visible to you)', 409: 'Version conflict, a step not possible in this state, or the same Idempotency-Key still in progress',
  413: 'Body too large (256 KB)', 415: 'Not JSON', 422: 'Field errors, all at once, in Chinese and English',
  429: 'Too many requests (Retry-After)', 503: 'Temporarily unavailable (Retry-After): the store cannot write, or the search index is down or rebuilding',
};
const problem = (c: number) => ({ description: ERROR_TEXT[c], content: { 'application/problem+json': { schema: ref('Problem') } } });
const idempotencyKey = {
  name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', pattern: '^[!-~]{1,200}$' },
  description: 'a retried POST with the same key and body is answered once, not applied twice (24 h, per account); a failed one frees the key',
};

/**
 * Every operation as the server answers it: the errors any route can give (a guard or the store can refuse any
 * request; a GET by an anonymous visitor can be rate-limited), those its permission and method add, its security,
 * and the Idempotency-Key every POST accepts. Derived from API_ROUTES, so the document cannot forget one.
 */
function completed(paths: Record<string, Record<string, any>>): Record<string, Record<string, any>> {
  const out: Record<string, Record<string, any>> = {};
  for (const [path, ops] of Object.entries(paths)) {
    out[path] = {};
    for (const [method, op] of Object.entries(ops)) {
      const route = API_ROUTES.find((r) => r.method === method && r.path.replace(/:(\w+)/g, '{$1}') === path);
      const permission = route?.action.permission;
      const codes = new Set([400, 503]);
      if (method === 'get') codes.add(429);
      if (permission !== 'public') [401, 403].forEach((c) => codes.add(c));
      // A write may name records (a resource code, a parent agency) that do not exist.
      if (path.includes('{') || method !== 'get') codes.add(404);
      if (method !== 'get') codes.add(409);
      if (op.requestBody) [413, 415, 422].forEach((c) => codes.add(c));
      if (method === 'post' || method === 'put') codes.add(422);
      out[path][method] = {
        ...op,
        parameters: [...(op.parameters ?? []), ...(method === 'post' ? [idempotencyKey] : [])],
        security: permission === 'public' ? [{}, { bearer: [] }, { session: [] }] : [{ bearer: [] }, { session: [] }],
        responses: { ...op.responses, ...Object.fromEntries([...codes].sort().map((c) => [String(c), problem(c)])) },
      };
      if (!out[path][method].parameters.length) delete out[path][method].parameters;
    }
  }
  return out;
}

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: '政务信息资源目录 API', version: '1.0.0', license: { name: 'Proprietary: the city government', identifier: 'LicenseRef-Proprietary' },
      description: 'Government information resource catalog. Errors are RFC 9457 problem details with field errors in Chinese and English.',
    },
    servers: [{ url: '/api/v1' }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'API token issued by a security administrator (gov_<id>.<secret>)' },
        session: { type: 'apiKey', in: 'cookie', name: 'sid', description: 'Browser session after signing in at /login (__Host-sid behind TLS)' },
      },
      schemas: {
        FieldError, Problem, Classification, DataItem, Census, ResourceInput, Resource, Overlap, Agency, ClassificationNode, User, Actor, HistoryEntry, Token,
        ResourcePage: page(ref('Resource')), PublicResource, PublicResourcePage: page(ref('PublicResource')), AgencyPage: page(ref('Agency')),
        ClassificationPage: page(ref('ClassificationNode')), UserPage: page(ref('User')), TokenPage: page(ref('Token')),
        ResourceWrite: { type: 'object', required: ['resource', 'overlaps'], additionalProperties: false, properties: { resource: ref('Resource'), overlaps: { type: 'array', items: ref('Overlap') } } },
        SearchResult, Suggestions, RequestInput, ObtainInput, AgencyInput, AgencyUpdate, ResourceUpdate, SharingRequest, Grant, AuditVerification, RequestPage: page(ref('SharingRequest')), GrantPage: page(ref('Grant')),
        History: { type: 'object', required: ['items'], additionalProperties: false, properties: { items: { type: 'array', items: ref('HistoryEntry') } } },
      },
    },
    paths: completed(API_ROUTES_SPEC),
  };
}
