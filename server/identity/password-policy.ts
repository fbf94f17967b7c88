// Which passwords are refused (B25): shorter than 12 characters; common or breached ones, guessable patterns
// (keyboard walks, dates, repeats, l33t) and dictionary words, as zxcvbn-ts estimates them with its common-password
// list (drawn from published breach corpora) and English dictionary, extended below with what Chinese users most
// often choose; and any password that contains the username or the person's name, in characters or in pinyin.
// zxcvbn's score 3 ("safely unguessable: moderate protection from an offline slow-hash scenario", < 10^10 guesses
// refused) is the bar: passwords are hashed with argon2id, so an offline attacker is slow. A live check against a
// breach service (Have I Been Pwned's k-anonymity API) would need a network this deployment does not have.

import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';
import { pinyin } from 'pinyin-pro';

export const PASSWORD_RULE = { min: 12, max: 128, score: 3 };

/**
 * What the Chinese password leaks (CSDN, Tianya, 12306) put at the top that the English lists miss: pinyin words
 * and number phrases, and the words of this catalog's own world (places, the government, the office).
 */
const CHINESE_COMMON = [
  'woaini', 'aini', 'woaini1314', '5201314', '1314', '520', 'wodemima', 'mima', 'zhangsan', 'lisi', 'wangwu', 'xiaoming', 'laogong', 'laopo',
  'baobao', 'zhongguo', 'china', 'beijing', 'shanghai', 'zhejiang', 'hangzhou', 'xihu', 'qiantang', 'zhengfu', 'zhengwu', 'xinxiban', 'gongan',
  'shuju', 'mulu', 'gongxiang', 'dearbook', 'xiazhili', 'qq123456', 'a123456789', '147258369', '789456123', '31415926', '123654789', 'admin',
];

let estimator: ZxcvbnFactory | undefined;
function zxcvbn(): ZxcvbnFactory {
  // Built on first use: the dictionaries take a few tens of milliseconds to load.
  estimator ??= new ZxcvbnFactory({ dictionary: { ...common.dictionary, ...en.dictionary, chinese: CHINESE_COMMON }, graphs: common.adjacencyGraphs, translations: en.translations });
  return estimator;
}

/** The ways a person's name turns up in their password: as written, in full pinyin and as pinyin initials. */
function nameForms(name: string): string[] {
  const compact = name.replace(/[\s(（][^)）]*[)）]|\s/g, '');
  const han = compact.replace(/[^\p{Script=Han}]/gu, '');
  const forms = [compact.toLowerCase()];
  if (han.length >= 2) {
    forms.push(han, pinyin(han, { toneType: 'none', separator: '', v: true }).toLowerCase());
    forms.push(pinyin(han, { pattern: 'first', toneType: 'none', separator: '' }).toLowerCase());
  }
  return [...new Set(forms)].filter((f) => f.length >= 3 || /\p{Script=Han}{2,}/u.test(f));
}

export interface PasswordContext {
  username?: string;
  displayName?: string;
}

export function passwordProblem(pw: string, who: PasswordContext = {}): { zh: string; en: string } | undefined {
  const len = [...pw].length;
  if (len < PASSWORD_RULE.min) return { zh: `密码至少 ${PASSWORD_RULE.min} 个字符`, en: `the password needs at least ${PASSWORD_RULE.min} characters` };
  if (len > PASSWORD_RULE.max) return { zh: `密码最多 ${PASSWORD_RULE.max} 个字符`, en: `the password allows at most ${PASSWORD_RULE.max} characters` };
  const lower = pw.toLowerCase();
  const mine = [...(who.username ? [who.username.toLowerCase()] : []), ...(who.displayName ? nameForms(who.displayName) : [])];
  if (mine.some((m) => m.length >= 2 && lower.includes(m))) {
    return { zh: '密码不能包含用户名或姓名(包括姓名拼音)', en: 'the password may not contain the username or the person\'s name (in characters or pinyin)' };
  }
  if (zxcvbn().check(pw, mine).score < PASSWORD_RULE.score) {
    return {
      zh: '密码太常见或容易被猜到(如常用或泄露过的密码、常见词语和拼音、键盘顺序、日期、重复字符),请换一个更长、更少见的密码,例如几个不相关的词加数字',
      en: 'the password is too common or guessable (a common or breached password, dictionary words or pinyin, keyboard patterns, dates, repeats); choose a longer, less common one',
    };
  }
  return undefined;
}
