// The secrecy screen. Only 非涉密 information may enter this catalog (seed §二(二)), so a record whose text carries
// a state-secret classification marking is refused before anything is stored.
//
// What counts as a marking (a deliberate choice, because the same characters occur in innocent phrases):
// - 绝密 anywhere: it has no everyday use.
// - 机密 anywhere except in 商业机密 (trade secret), which abstracts and refusal bases legitimately mention.
// - 秘密 only where it is written as a marking: followed by ★/☆/*/级, inside brackets, or standing alone as the
//   whole value. 商业秘密, 国家秘密, 工作秘密 in running text describe a category, they do not mark a document.
// Before matching, text is folded: NFKC (full-width forms), traditional → simplified for the three words, and
// spaces, zero-width characters and separators between the characters removed ("秘 密", "機-密", "ＪＭ" cases).

const TRADITIONAL: Record<string, string> = { 絕: '绝', 絶: '绝', 機: '机', 祕: '秘' };
const SEPARATORS = /[\s\u200b-\u200f\u2060\ufeff·•・\-_.、,，|/\\]+/gu;
const STAR = '[★☆*✱⋆✩✪✫✬✭✮✯✰]';

function fold(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[絕絶機祕]/g, (c) => TRADITIONAL[c])
    .replace(SEPARATORS, '');
}

const ALWAYS = /绝密|(?<!商业)机密/u;
const MARKED_SECRET = new RegExp(`秘密(?:${STAR}|级)|[\\[【(（<《〔]秘密[\\]】)）>》〕]|^秘密$`, 'u');

export function hasClassificationMarking(text: string): boolean {
  const folded = fold(text);
  return ALWAYS.test(folded) || MARKED_SECRET.test(folded);
}

/** Every JSON pointer in a document whose string value (or object key) carries a marking. The text itself is never returned. */
export function findClassificationMarkings(doc: unknown, pointer = ''): string[] {
  if (typeof doc === 'string') return hasClassificationMarking(doc) ? [pointer || '/'] : [];
  if (Array.isArray(doc)) return doc.flatMap((v, i) => findClassificationMarkings(v, `${pointer}/${i}`));
  if (doc && typeof doc === 'object') {
    return Object.entries(doc).flatMap(([k, v]) => {
      const p = `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      return [...(hasClassificationMarking(k) ? [p] : []), ...findClassificationMarkings(v, p)];
    });
  }
  return [];
}
