// The secrecy screen. Only 非涉密 information may enter this catalog (seed §二(二)), so a record whose text carries
// a state-secret classification marking is refused before anything is stored.
//
// What counts as a marking (a deliberate choice, because the same characters occur in innocent phrases):
// - 绝密 anywhere: it has no everyday use.
// - 机密 anywhere except in 商业机密 (trade secret), which abstracts and refusal bases legitimately mention.
// - 秘密 only where it is written as a marking: followed by ★/☆/*/级, inside brackets, or standing alone as the
//   whole value. 商业秘密, 国家秘密, 工作秘密 in running text describe a category, they do not mark a document.
// Before matching, text is folded (B21): NFKC (full-width and compatibility forms, ㊙ → 秘), every invisible
// character removed (all Default_Ignorable_Code_Points: soft hyphen, zero-width characters, the combining grapheme
// joiner, variation selectors U+FE00.. and U+E0100.., invisible operators U+2061-2064, the Mongolian vowel
// separator, Hangul fillers, tags), bidi controls and combining marks removed, traditional and variant forms of the
// three words mapped to simplified, and spaces and separators between the characters removed ("秘 密", "機-密",
// "ＪＭ" cases). A right-to-left override makes "密绝" display as 绝密, so text is also read in the order it is
// displayed: runs after U+202E (RLO) reversed. Between the two characters of a marking, any punctuation, symbol or
// blank is ignored too (dashes, colons, full stops, the Braille blank U+2800).

const VARIANTS: Record<string, string> = { 絕: '绝', 絶: '绝', 機: '机', 祕: '秘', 袐: '秘', 宻: '密' };
const VARIANT = new RegExp(`[${Object.keys(VARIANTS).join('')}]`, 'gu');
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Bidi_Control}\p{M}]/gu;
const SEPARATORS = /[\s\p{Cc}·•・\-_.、,，|/\\]+/gu;
const STAR = '[★☆*✱⋆✩✪✫✬✭✮✯✰]';
/** A right-to-left override and what it governs: up to its pop (PDF), the end of an isolate, a line break or the end. */
const RLO_RUN = /\u202E([^\u202C\u2069\n\r]*)/gu;

/**
 * Anything that is not a letter or digit, between the two characters of a marking (绝—密, 机:密, 秘\u2800密, the
 * Braille blank looking like a space): only there, so that the brackets and stars that make 秘密 a marking stay.
 */
const INSIDE_A_MARKING = /(?<=[绝机秘])[\p{Z}\p{P}\p{S}\p{Cc}\p{Cf}]+(?=密)/gu;

function fold(text: string): string {
  return text
    .normalize('NFKC')
    .replace(INVISIBLE, '')
    .replace(VARIANT, (c) => VARIANTS[c])
    .replace(SEPARATORS, '')
    .replace(INSIDE_A_MARKING, '');
}

/** The text in the order a reader sees it where an override reverses it (Han characters are strong left-to-right otherwise). */
function displayed(text: string): string {
  return text.replace(RLO_RUN, (_m, run: string) => [...run].reverse().join(''));
}

const ALWAYS = /绝密|(?<!商业)机密/u;
const MARKED_SECRET = new RegExp(`秘密(?:${STAR}|级)|[\\[【(（<《〔]秘密[\\]】)）>》〕]|^秘密$`, 'u');

function marked(folded: string): boolean {
  return ALWAYS.test(folded) || MARKED_SECRET.test(folded);
}

export function hasClassificationMarking(text: string): boolean {
  if (marked(fold(text))) return true;
  return text.includes('\u202E') && marked(fold(displayed(text)));
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
