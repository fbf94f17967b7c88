// The OpenAPI 3.1 description of /api/v1. A test checks real responses against these schemas, so the document
// cannot quietly drift from the server.

import { API_ROUTES_SPEC } from './openapi-routes.ts';
import { DATA_TYPES, FORMAT_CATEGORIES, METHOD_CATEGORIES, PLATFORM_METHOD_TYPES, RESOURCE_STATUSES, SHARE_TYPES, UPDATE_CYCLES, BASE_DATABASES } from '../domain/vocab.ts';
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
  properties: { classCode: { enum: ['1', '2', '3'] }, itemCode: str({ pattern: '^\\d{2}$' }), entryCode: str({ pattern: '^\\d{3}$' }), subEntryCode: str({ pattern: '^(\\d{2})+$' }) },
};

const DataItem = {
  type: 'object', required: ['name', 'dataType'], additionalProperties: false,
  properties: {
    name: str({ maxLength: 100 }), nameEn: str({ maxLength: 100 }), dataType: { enum: Object.keys(DATA_TYPES) }, length: { type: 'integer', minimum: 1 },
    shareType: { enum: [...SHARE_TYPES] }, open: { type: 'boolean' },
  },
};

const Census = {
  type: 'object', additionalProperties: false,
  properties: Object.fromEntries(['totalStorageGB', 'structuredRecords', 'sharedStorageGB', 'sharedRecords', 'openStorageGB', 'openRecords'].map((k) => [k, { type: 'number', minimum: 0 }])),
};

const inputProperties = {
  classification: ref('Classification'),
  name: str({ minLength: 1, maxLength: 200 }),
  provider: { type: 'object', required: ['agencyId'], additionalProperties: false, properties: { agencyId: str(), unit: str({ maxLength: 100 }) } },
  abstract: str({ minLength: 1, maxLength: 2000 }),
  format: { type: 'object', required: ['category', 'type'], additionalProperties: false, properties: { category: { enum: FORMAT_CATEGORIES }, type: str(), otherDescription: str() } },
  dataItems: { type: 'array', items: ref('DataItem') },
  sharing: {
    type: 'object', required: ['type'], additionalProperties: false,
    properties: {
      type: { enum: [...SHARE_TYPES] }, condition: str(), basis: str(),
      method: { type: 'object', required: ['category'], additionalProperties: false, properties: { category: { enum: [...METHOD_CATEGORIES] }, type: { enum: [...PLATFORM_METHOD_TYPES] } } },
    },
  },
  openness: { type: 'object', required: ['isOpen'], additionalProperties: false, properties: { isOpen: { type: 'boolean' }, condition: str() } },
  updateCycle: { enum: [...UPDATE_CYCLES] },
  relatedCodes: { type: 'array', items: str({ pattern: '^[1-3]\\d{2}(\\d{3}(\\d{2})*)?/\\d+$' }) },
  census: ref('Census'),
  baseDatabase: { enum: [...BASE_DATABASES, null] },
  secrecy: { enum: ['非涉密', '涉密'] },
  authoritativeSource: { type: 'array', items: str() },
  sourceSystem: str({ maxLength: 200 }),
  contact: { type: 'object', additionalProperties: false, properties: { name: str(), phone: str(), email: str() } },
  keywords: { type: 'array', items: str({ maxLength: 30 }) },
};

const ResourceInput = {
  type: 'object', additionalProperties: false,
  required: ['classification', 'name', 'provider', 'abstract', 'format', 'sharing', 'openness', 'updateCycle', 'secrecy'],
  properties: inputProperties,
};

const Resource = {
  type: 'object', additionalProperties: false,
  required: ['id', 'code', 'name', 'provider', 'abstract', 'format', 'sharing', 'openness', 'updateCycle', 'status', 'version', 'createdAt', 'updatedAt'],
  properties: {
    ...inputProperties,
    id: str(), code: str({ pattern: '^[1-3]\\d{2}(\\d{3}(\\d{2})*)?/\\d+$' }),
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

const termProperties = {
  purpose: str({ maxLength: 2000 }), scope: str({ maxLength: 2000 }), facilities: str({ maxLength: 2000 }), security: str({ maxLength: 2000 }),
  basis: str({ maxLength: 2000 }), startsOn: str({ format: 'date' }), endsOn: str({ format: 'date' }),
};

const RequestInput = {
  type: 'object', required: ['resources', 'purpose', 'scope', 'facilities', 'security', 'basis', 'startsOn', 'endsOn'],
  properties: {
    resources: { type: 'array', minItems: 1, maxItems: 20, items: { type: 'object', required: ['code'], properties: { code: str(), items: { type: 'array', items: str() } } } },
    ...termProperties,
  },
};

const StepInput = {
  type: 'object', required: ['event', 'version'],
  properties: {
    event: str(), version: { type: 'integer', minimum: 1, description: 'the version you read: a step on a changed record answers 409' },
    reason: str(), basis: str(), deliveryMethod: str(), deliveryDetail: str(), deliverySchedule: str(),
  },
};

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

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: '政务信息资源目录 API', version: '1.0.0',
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
        SearchResult, Suggestions, RequestInput, StepInput, SharingRequest, Grant, AuditVerification, RequestPage: page(ref('SharingRequest')), GrantPage: page(ref('Grant')),
        History: { type: 'object', required: ['items'], additionalProperties: false, properties: { items: { type: 'array', items: ref('HistoryEntry') } } },
      },
    },
    security: [{ bearer: [] }, { session: [] }, {}],
    paths: API_ROUTES_SPEC,
  };
}
