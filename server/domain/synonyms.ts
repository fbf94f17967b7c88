// Synonym folding over the shared synonym file (mappings/synonyms.txt). The domain receives the file's text;
// reading it is the caller's business.

export type SynonymMap = ReadonlyMap<string, string>;

export function parseSynonyms(text: string): SynonymMap {
  const map = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const terms = line.split(/[,，]/).map((t) => normaliseTerm(t)).filter(Boolean);
    for (const t of terms) if (!map.has(t)) map.set(t, terms[0]);
  }
  return map;
}

function normaliseTerm(t: string): string {
  return t.normalize('NFKC').replace(/\s+/g, '').toLowerCase();
}

/** The canonical form of a data item name: 身份证号 and 公民身份号码 fold to the same term. */
export function foldTerm(synonyms: SynonymMap, term: string): string {
  const t = normaliseTerm(term);
  return synonyms.get(t) ?? t;
}
