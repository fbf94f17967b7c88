// Text analysis shared by both search engines (architecture.md "Chinese text").
//
// Matching is defined as a phrase match over these tokens, which is what Elasticsearch's `cjk_bigram` +
// standard-tokenizer sub-fields do with `match_phrase`, so the embedded engine and Elasticsearch return the same
// documents for the same query:
// - a run of Han characters is indexed as its unigrams and adjacent bigrams; a query run of two or more Han
//   characters matches where its bigrams occur consecutively (i.e. as a substring of one run), a single Han
//   character matches wherever it occurs;
// - a run of other letters and digits is one lower-cased word, matched whole;
// - "grams" fields (resource codes, pinyin) index letter/digit bigrams, so any substring of two or more
//   characters matches ("renkou" inside "renkoujichuxinxiku", "rkjc" inside the initials).
// Runs never span punctuation or spaces: 人口,普查 does not contain 口普.

/** Width, compatibility forms and case folded away: Ｇ Ｄ Ｐ and gdp are the same word. */
export function fold(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

const RUNS = /\p{Script=Han}+|(?:(?!\p{Script=Han})[\p{L}\p{N}])+/gu;
const HAN = /^\p{Script=Han}/u;

/** The maximal runs of Han characters and of other letters/digits in folded text. */
export function runs(folded: string): string[] {
  return folded.match(RUNS) ?? [];
}

export function isHan(run: string): boolean {
  return HAN.test(run);
}

/** Separates runs in the text a phrase is verified against, so a phrase never matches across two runs. */
export const RUN_SEPARATOR = '\u0001';

export type FieldKind = 'text' | 'grams';

/** The tokens a field value is indexed under (deduplicated by the caller). */
export function indexTokens(folded: string, kind: FieldKind, out: string[] = []): string[] {
  for (const run of runs(folded)) {
    const chars = [...run];
    if (kind === 'grams') {
      for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
    } else if (isHan(run)) {
      for (let i = 0; i < chars.length; i++) {
        out.push(chars[i]);
        if (i + 1 < chars.length) out.push(chars[i] + chars[i + 1]);
      }
    } else {
      out.push(run);
    }
  }
  return out;
}

/** The tokens a query run must all have in one field to be a candidate; empty when it cannot match that kind. */
export function queryTokens(run: string, kind: FieldKind): string[] {
  const chars = [...run];
  if (kind === 'grams') {
    if (chars.length < 2) return [];
    const out: string[] = [];
    for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
    return out;
  }
  if (!isHan(run) || chars.length === 1) return [run];
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
  return out;
}

/** Whether candidates found through `queryTokens` still need the phrase checked against the text. */
export function needsPhraseCheck(run: string, kind: FieldKind): boolean {
  const n = [...run].length;
  return n > 2 && (kind === 'grams' || isHan(run));
}

/** The text a phrase is checked against: the field's runs, separated so that no phrase spans two of them. */
export function phraseText(folded: string): string {
  return RUN_SEPARATOR + runs(folded).join(RUN_SEPARATOR) + RUN_SEPARATOR;
}

/** What a phrase text must contain for `run` to match there (a whole word is looked for between separators). */
export function phrasePattern(run: string, kind: FieldKind): string {
  return kind === 'text' && !isHan(run) ? RUN_SEPARATOR + run + RUN_SEPARATOR : run;
}

/** Whether `run` occurs in `phrase` (a phraseText) the way the token rules above say it matches. */
export function phraseMatches(phrase: string, run: string, kind: FieldKind): boolean {
  if (kind === 'grams' && [...run].length < 2) return false;
  return phrase.includes(phrasePattern(run, kind));
}
