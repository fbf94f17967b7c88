// The register/edit form is flat (one input per field, data items as numbered rows) so it works without
// JavaScript; these two functions translate between it and the catalog record. Blank inputs are omitted so
// the validator reports them as missing rather than as empty strings.

import { classificationCode, parseClassificationCode } from '../domain/codes.ts';
import { MAX_DATA_ITEMS, type Resource } from '../domain/resource.ts';

export type FormData = Record<string, string>;
export const MAX_FORM_ITEMS = MAX_DATA_ITEMS;

function s(body: FormData, k: string): string | undefined {
  const v = body[k];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function num(v: string | undefined): number | string | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : v;
}

function list(v: string | undefined): string[] {
  return v ? v.split(/[,,、;;]+/).map((x) => x.trim()).filter(Boolean) : [];
}

function compact<T extends Record<string, unknown>>(o: T): Partial<T> | undefined {
  const out = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  return Object.keys(out).length ? out : undefined;
}

export function formToResourceInput(raw: unknown, agencyId: string): { input: Record<string, unknown>; itemRows: number[] } {
  const body = (raw && typeof raw === 'object' ? raw : {}) as FormData;
  const node = s(body, 'classNode');
  const classification = node ? (/^[1-3]$/.test(node) ? { classCode: node } : parseClassificationCode(node) ?? { classCode: node }) : undefined;
  const items: Record<string, unknown>[] = [];
  const authoritative: string[] = [];
  const itemRows: number[] = [];
  for (let i = 0; i < MAX_FORM_ITEMS; i++) {
    const name = s(body, `item_name_${i}`);
    const dataType = s(body, `item_type_${i}`);
    const length = s(body, `item_length_${i}`);
    if (!name && !dataType && !length) continue; // a blank row
    itemRows.push(i);
    items.push(compact({ name, nameEn: s(body, `item_en_${i}`), dataType, length: num(length), shareType: s(body, `item_share_${i}`), open: body[`item_open_${i}`] === 'on' ? true : undefined }) ?? {});
    if (name && body[`item_auth_${i}`] === 'on') authoritative.push(name);
  }
  const shareType = s(body, 'shareType');
  const methodCategory = s(body, 'methodCategory');
  const isOpen = body.isOpen === 'true' ? true : body.isOpen === 'false' ? false : undefined;
  const census = compact({
    totalStorageGB: num(s(body, 'census_totalStorageGB')), structuredRecords: num(s(body, 'census_structuredRecords')),
    sharedStorageGB: num(s(body, 'census_sharedStorageGB')), sharedRecords: num(s(body, 'census_sharedRecords')),
    openStorageGB: num(s(body, 'census_openStorageGB')), openRecords: num(s(body, 'census_openRecords')),
  });
  const contact = compact({ name: s(body, 'contactName'), phone: s(body, 'contactPhone'), email: s(body, 'contactEmail') });
  const input = {
    ...(classification ? { classification } : {}),
    ...compact({ name: s(body, 'name'), abstract: s(body, 'abstract') }),
    provider: compact({ agencyId, unit: s(body, 'unit') }),
    format: compact({ category: s(body, 'formatCategory'), type: s(body, 'formatType'), otherDescription: s(body, 'formatOther') }),
    dataItems: items,
    sharing: compact({
      type: shareType, condition: s(body, 'shareCondition'), basis: s(body, 'shareBasis'),
      method: shareType === '不予共享' ? undefined : compact({ category: methodCategory, type: methodCategory === '共享平台方式' ? s(body, 'methodType') : undefined }),
    }),
    openness: compact({ isOpen, condition: s(body, 'openCondition') }),
    ...compact({ updateCycle: s(body, 'updateCycle'), baseDatabase: s(body, 'baseDatabase'), secrecy: s(body, 'secrecy'), sourceSystem: s(body, 'sourceSystem') }),
    relatedCodes: list(s(body, 'relatedCodes')),
    keywords: list(s(body, 'keywords')),
    authoritativeSource: authoritative,
    ...(census ? { census } : {}),
    ...(contact ? { contact } : {}),
  };
  return { input, itemRows };
}

/** Error pointers name items by their place among the filled rows; the form names rows by their number. */
export function pointerToField(pointer: string, itemRows: number[]): string {
  return pointer.replace(/^\/dataItems\/(\d+)/, (_m, k: string) => `/dataItems/${itemRows[Number(k)] ?? k}`);
}

export function resourceToForm(r: Resource | undefined, agencyId: string): FormData {
  if (!r) return { agencyId, secrecy: '非涉密', isOpen: 'false' };
  const f: FormData = {
    classNode: classificationCode(r.classification), name: r.name, unit: r.provider.unit ?? '', abstract: r.abstract, formatCategory: r.format.category,
    formatType: r.format.type, formatOther: r.format.otherDescription ?? '', shareType: r.sharing.type, shareCondition: r.sharing.condition ?? '',
    shareBasis: r.sharing.basis ?? '', methodCategory: r.sharing.method?.category ?? '', methodType: r.sharing.method?.type ?? '',
    isOpen: String(r.openness.isOpen), openCondition: r.openness.condition ?? '', updateCycle: r.updateCycle, baseDatabase: r.baseDatabase ?? '',
    secrecy: r.secrecy, sourceSystem: r.sourceSystem ?? '', relatedCodes: r.relatedCodes.join(', '), keywords: r.keywords.join(', '),
    contactName: r.contact?.name ?? '', contactPhone: r.contact?.phone ?? '', contactEmail: r.contact?.email ?? '', version: String(r.version),
  };
  for (const [k, v] of Object.entries(r.census ?? {})) f[`census_${k}`] = String(v);
  r.dataItems.forEach((d, i) => {
    f[`item_name_${i}`] = d.name;
    f[`item_en_${i}`] = d.nameEn ?? '';
    f[`item_type_${i}`] = d.dataType;
    f[`item_length_${i}`] = d.length !== undefined ? String(d.length) : '';
    f[`item_share_${i}`] = d.shareType ?? '';
    if (r.authoritativeSource.includes(d.name)) f[`item_auth_${i}`] = 'on';
    if (d.open) f[`item_open_${i}`] = 'on';
  });
  return f;
}
