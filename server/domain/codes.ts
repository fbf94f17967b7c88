// Identifiers of the national standards: the unified social credit code (GB 32100-2015) of an agency and the
// information resource code (classification node + per-node sequence).

const CREDIT_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY'; // I, O, S, V, Z are excluded by GB 32100
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** The 18th character of a credit code computed from the first 17. Undefined if they use a forbidden character. */
export function creditCheckChar(first17: string): string | undefined {
  if (first17.length !== 17) return undefined;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = CREDIT_CHARSET.indexOf(first17[i]);
    if (v < 0) return undefined;
    sum += v * CREDIT_WEIGHTS[i];
  }
  const c = 31 - (sum % 31);
  return CREDIT_CHARSET[c === 31 ? 0 : c];
}

export function isValidCreditCode(code: string): boolean {
  return /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(code) && creditCheckChar(code.slice(0, 17)) === code[17];
}

/** A local organisation code (组织机构代码 style, 8 chars + check char, optionally hyphenated) for bodies without a credit code. */
export function isLocalOrgCode(code: string): boolean {
  return /^[0-9A-Z]{8}-?[0-9X]$/.test(code);
}

export interface ClassificationRef {
  classCode: string;
  itemCode?: string;
  entryCode?: string;
  subEntryCode?: string;
}

/** 类 + 项 + 目 + 细目 concatenated, e.g. {3, 07, 016, 0101} → 3070160101. */
export function classificationCode(c: ClassificationRef): string {
  return `${c.classCode}${c.itemCode ?? ''}${c.entryCode ?? ''}${c.subEntryCode ?? ''}`;
}

/** The inverse of classificationCode: split a node code into its levels. */
export function parseClassificationCode(code: string): ClassificationRef | undefined {
  const m = /^([1-3])(\d{2})(?:(\d{3})((?:\d{2})*))?$/.exec(code);
  if (!m) return undefined;
  const ref: ClassificationRef = { classCode: m[1], itemCode: m[2] };
  if (m[3]) ref.entryCode = m[3];
  if (m[4]) ref.subEntryCode = m[4];
  return ref;
}

export const RESOURCE_CODE_PATTERN = /^[1-3]\d{2}(\d{3}(\d{2})*)?\/\d+$/;
export const SEQUENCE_DIGITS = 5;

export function resourceCode(nodeCode: string, sequence: number): string {
  return `${nodeCode}/${String(sequence).padStart(SEQUENCE_DIGITS, '0')}`;
}

/** The URL- and CKAN-safe form of a resource code ("/" → "-"). */
export function codeSlug(code: string): string {
  return code.replace('/', '-');
}

export function codeFromSlug(slug: string): string {
  return slug.replace(/^(\d+)-(\d+)$/, '$1/$2');
}
