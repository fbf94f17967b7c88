// The catalog's index definition, version 1: one source for both engines (Magda's versioned index definitions).
//
// The fields, their kinds and boosts are SEARCH_FIELDS in server/domain/search.ts (the embedded engine reads them
// from there); this file adds the physical naming and the Elasticsearch settings and mappings built from them.
// Bump RESOURCE_INDEX.version whenever anything here or in SEARCH_FIELDS/FACETS changes: start-up then builds the
// new version while the old one keeps serving, and moves the alias when it is ready.
//
// Elasticsearch needs the official analysis-icu plugin (docker-compose.yml installs it). Each text field has:
//   - the field itself: icu_tokenizer words (the same ICU word-break rules as Intl.Segmenter), for scoring, with
//     the shared synonyms at search time;
//   - `.cjk`: CJK bigrams, matched with match_phrase for terms of two or more Han characters;
//   - `.uni`: the standard tokenizer (one token per Han character, whole Latin words), for one-character terms
//     and for Latin words.
// "grams" fields (code, pinyin) use a two-character ngram tokenizer so any substring of two or more matches.
// Which documents match is decided only by the `.cjk`/`.uni`/grams phrase clauses, exactly the token rules of
// server/domain/text.ts, so both engines return the same documents; the icu field only adds to the score.

import { FACETS, SEARCH_FIELDS, SEARCH_FIELD_NAMES } from '../server/domain/search.ts';

export const RESOURCE_INDEX = {
  /** The read/write alias: the only name the application ever queries or writes through. */
  alias: 'catalog-resources',
  version: 1,
} as const;

/** Physical index names carry the mapping version and a build stamp: catalog-resources-v1-20261126t101500123. */
export function physicalIndexName(version: number, at: Date): string {
  const stamp = at.toISOString().toLowerCase().replace(/[-:.z]/g, '');
  return `${RESOURCE_INDEX.alias}-v${version}-${stamp}`;
}

export function parsePhysicalName(name: string): { version: number } | undefined {
  const m = /^catalog-resources-v(\d+)-[0-9t]+$/.exec(name);
  return m ? { version: Number(m[1]) } : undefined;
}

const KEYWORD_FIELDS = ['id', 'agencyId', 'agencyPath', 'classNode', 'classItem', 'shareType', 'formatCategory', 'updateCycle',
  'baseDatabase', 'status', 'nameSort', 'nameCompact'] as const;

/** The synonym file's lines (comments and blanks dropped), for an inline synonym_graph filter: no file on the nodes. */
export function synonymRules(fileText: string): string[] {
  return fileText.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => l.split(/[,，]/).map((t) => t.trim()).filter(Boolean).join(', '));
}

export function elasticsearchIndexBody(synonymsFileText: string) {
  const nfkc = { type: 'icu_normalizer', name: 'nfkc_cf' };
  const textField = {
    type: 'text', analyzer: 'zh_icu', search_analyzer: 'zh_icu_search', position_increment_gap: 100,
    fields: {
      cjk: { type: 'text', analyzer: 'zh_bigram', position_increment_gap: 100 },
      uni: { type: 'text', analyzer: 'zh_unigram', position_increment_gap: 100 },
    },
  };
  const gramsField = { type: 'text', analyzer: 'grams2', position_increment_gap: 100 };
  const properties: Record<string, unknown> = {};
  for (const name of SEARCH_FIELD_NAMES) properties[name] = SEARCH_FIELDS[name].kind === 'grams' ? gramsField : textField;
  for (const name of KEYWORD_FIELDS) properties[name] = { type: 'keyword' };
  // code is both searched (grams) and shown; agencyName is shown only.
  properties.code = { ...gramsField, fields: { keyword: { type: 'keyword' } } };
  properties.agencyName = { type: 'keyword', index: false };
  properties.open = { type: 'boolean' };
  properties.updatedAt = { type: 'date' };
  properties.version = { type: 'long' };
  properties.deleted = { type: 'boolean' };
  return {
    settings: {
      number_of_shards: 1,
      // A single-node compose stack: replicas would leave the index yellow forever.
      number_of_replicas: 0,
      analysis: {
        // The standard tokenizer keeps PM2.5, v1.0 and a_b whole; server/domain/text.ts splits at anything that is
        // not a letter or digit. Replacing those with spaces first makes the two agree.
        char_filter: { nfkc, words_only: { type: 'pattern_replace', pattern: '[^\\p{L}\\p{N}]+', replacement: ' ' } },
        tokenizer: { grams2: { type: 'ngram', min_gram: 2, max_gram: 2, token_chars: ['letter', 'digit'] } },
        filter: {
          zh_synonyms: { type: 'synonym_graph', synonyms: synonymRules(synonymsFileText), lenient: true },
          bigrams: { type: 'cjk_bigram', output_unigrams: false },
        },
        analyzer: {
          zh_icu: { type: 'custom', char_filter: ['nfkc'], tokenizer: 'icu_tokenizer', filter: ['lowercase'] },
          zh_icu_search: { type: 'custom', char_filter: ['nfkc'], tokenizer: 'icu_tokenizer', filter: ['lowercase', 'zh_synonyms'] },
          zh_bigram: { type: 'custom', char_filter: ['nfkc', 'words_only'], tokenizer: 'standard', filter: ['cjk_width', 'lowercase', 'bigrams'] },
          zh_unigram: { type: 'custom', char_filter: ['nfkc', 'words_only'], tokenizer: 'standard', filter: ['lowercase'] },
          grams2: { type: 'custom', char_filter: ['nfkc'], tokenizer: 'grams2', filter: ['lowercase'] },
        },
      },
    },
    mappings: {
      // A document with a field the mapping does not know is refused (a permanent failure, dead-lettered), never
      // silently mapped.
      dynamic: 'strict',
      _meta: { mappingVersion: RESOURCE_INDEX.version, facets: FACETS },
      properties,
    },
  };
}
