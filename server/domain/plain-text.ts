// What free text may hold (B21). Text in this catalog is read by people and by other agencies' systems; characters
// that are invisible, that move the cursor, or that make text display in another order than it is stored (the
// "Trojan Source" bidi controls) have no business in it, and lone surrogates are not text at all.

/**
 * C0 and C1 controls (TAB, LF and CR excepted: multi-line fields keep their lines), DEL, and the bidi embeddings,
 * overrides and isolates (U+202A–U+202E, U+2066–U+2069). The plain directional marks (LRM, RLM, ALM) are allowed:
 * they cannot reorder what is shown.
 */
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u;

export type TextProblem = 'control_character' | 'lone_surrogate';

export function textProblem(s: string): TextProblem | undefined {
  if (!s.isWellFormed()) return 'lone_surrogate';
  if (FORBIDDEN.test(s)) return 'control_character';
  return undefined;
}

/** Line breaks and tabs: fine in an abstract or a reason, not in a name. */
const LINE_BREAK = /[\t\n\r\u2028\u2029]/u;

export function hasLineBreak(s: string): boolean {
  return LINE_BREAK.test(s);
}

export const TEXT_PROBLEM_MESSAGES: Record<TextProblem | 'line_break', { zh: string; en: string }> = {
  control_character: { zh: '含有控制字符或改变文字方向的字符,请删除后重试', en: 'contains control characters or bidirectional overrides' },
  lone_surrogate: { zh: '含有无效的字符编码', en: 'contains an invalid character encoding (a lone surrogate)' },
  line_break: { zh: '不能包含换行或制表符', en: 'must be a single line (no line breaks or tabs)' },
};
