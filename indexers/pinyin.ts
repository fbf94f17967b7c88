// Pinyin and pinyin initials of names, so "renkou" and "rkjc" find 人口基础信息库 (issue 3). Computed once per
// document by the collator; both engines index the result as an ordinary "grams" field.

import { pinyin } from 'pinyin-pro';
import { fold } from '../server/domain/text.ts';

function syllables(text: string, pattern: 'pinyin' | 'first'): string[] {
  return pinyin(text, { pattern, toneType: 'none', type: 'array', nonZh: 'consecutive', v: true })
    .map((s) => fold(s).replace(/[^a-z0-9]/g, ''))
    .filter(Boolean);
}

/** "renkoujichuxinxiku rkjcxxk": the full pinyin and the initials, as two words. */
export function pinyinText(text: string): string {
  if (!text) return '';
  return `${syllables(text, 'pinyin').join('')} ${syllables(text, 'first').map((s) => s[0]).join('')}`;
}

/** A sort key in pinyin order ("ren kou ji chu …"), the name appended to keep homophones stable. */
export function pinyinSortKey(text: string): string {
  return `${syllables(text, 'pinyin').join(' ')} ${text}`;
}
