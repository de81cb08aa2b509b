/**
 * Field extraction from free text: phone numbers, an ID number (told apart from a phone),
 * the writer's name, a certificate, dates, a case number, the Art. 4 ground a story
 * hints at, and a proxy's relationship. Pure.
 */
import type { GroundCode } from '../model';
import { normalizePhone } from '../validate';
import {
  CERTIFICATE_WORDS,
  GROUND_HINTS,
  NAME_ROLES,
  NAME_STOPS,
  NAME_TRIGGERS,
  NOT_NAMES,
  PROXY_PHRASES,
  PROXY_VERBS,
  RELATIONSHIPS,
  SURNAMES_COMPOUND,
  SURNAMES_SINGLE,
} from './tables';
import { chineseNumber, containsAny, fold, longestFirst, squash } from './text';

export interface DateMention {
  /** As written: "11月28号", "前几天". */
  text: string;
  year?: number;
  month?: number;
  day?: number;
  /** A relative expression (前几天, 上周) that has no calendar date. */
  relative?: true;
}

export interface Contacts {
  mobiles: string[];
  landlines: string[];
  /** 18-character resident ID numbers found; never taken as a phone. */
  idNumbers: string[];
}

// Resident ID: 6-digit area, birth date 19xx/20xx, 3-digit sequence, check digit or X.
const ID_NUMBER = /(?<![\dA-Za-z])([1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx])(?![\dA-Za-z])/g;
const MOBILE = /(?<![\d])(?:(?:\+|00)?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)/g;
const LANDLINE = /(?<![\d])[(（]?(0\d{2,3})[)）]?[\s-]?(\d{7,8})(?!\d)/g;

/** Mobiles, landlines and ID numbers, in canonical form and in order of appearance. */
export function extractContacts(raw: string): Contacts {
  let s = fold(raw).replace(/[—–－]/g, '-');
  const idNumbers: string[] = [];
  s = s.replace(ID_NUMBER, (m: string) => {
    idNumbers.push(m.toUpperCase());
    return ' # ';
  });
  const mobiles: string[] = [];
  s = s.replace(MOBILE, (_m: string, a: string, b: string, c: string) => {
    mobiles.push(a + b + c);
    return ' # ';
  });
  const landlines: string[] = [];
  for (const m of s.matchAll(LANDLINE)) {
    const p = normalizePhone(`${m[1]}-${m[2]}`);
    if (p) landlines.push(p);
  }
  return { mobiles: uniq(mobiles), landlines: uniq(landlines), idNumbers: uniq(idNumbers) };
}

const SURNAME_SET = new Set(Array.from(SURNAMES_SINGLE));
const RELATION_WORDS = longestFirst(Object.keys(RELATIONSHIPS));
const NAME_TRIGGERS_LONGEST = longestFirst(NAME_TRIGGERS);
const NON_NAME_ENDINGS = /[镇乡村县市区局所院街路省队站厂]$/;

/**
 * The writer's name after 我叫 / 本人 / 我是 / 姓名: 2-4 Chinese characters starting with a
 * common surname, cut at the first word that cannot belong to a name; null when the
 * words after the trigger are not a person's name (我是来投诉的, 本人在县医院).
 */
export function extractName(raw: string): string | null {
  const s = fold(raw);
  for (const trigger of NAME_TRIGGERS_LONGEST) {
    for (const at of positions(s, trigger)) {
      let after = s.slice(at + trigger.length).replace(/^[\s:：]+/, '');
      const role = NAME_ROLES.find((r) => after.startsWith(r));
      if (role) after = after.slice(role.length);
      const name = nameAt(after);
      if (name) return name;
    }
  }
  return null;
}

function nameAt(after: string): string | null {
  const run = /^[\u3400-\u9fff]{2,8}/.exec(after)?.[0];
  if (!run) return null;
  let end = run.length;
  for (const stop of NAME_STOPS) {
    const i = run.indexOf(stop, 1);
    if (i >= 0 && i < end) end = i;
  }
  const cand = run.slice(0, end);
  // "我是王秀英的儿子": the name is the principal's, not the writer's.
  if (after.slice(cand.length).startsWith('的') && RELATION_WORDS.some((r) => after.startsWith(r, cand.length + 1))) return null;
  if (cand.length < 2 || cand.length > 4) return null;
  const compound = SURNAMES_COMPOUND.some((c) => cand.startsWith(c));
  if (!compound && !SURNAME_SET.has(cand[0])) return null;
  if (compound && cand.length < 3) return null;
  if (NOT_NAMES.some((w) => cand.includes(w)) || NON_NAME_ENDINGS.test(cand)) return null;
  return cand;
}

const CERT_BEFORE = /[\u3400-\u9fff]{1,12}$/;
const CERT_BOUNDARY = longestFirst([
  '还要不要', '要不要', '需不需要', '什么', '哪些', '哪个', '这种', '那种', '这个', '那个', '各种', '啥', '开具', '出具', '提供', '让我', '叫我', '要我', '给我', '需要', '还要', '一个', '一张', '一份',
  '可以', '能', '开', '办', '要', '让', '交', '拿', '个', '张', '份', '的', '去', '到', '在', '还', '我', '他', '说', '和', '跟', '了', '是',
]);
const CERT_WORDS_LONGEST = longestFirst(CERTIFICATE_WORDS);
// Words that, just before a certificate, mean it is being asked for rather than applied for.
const DEMAND = /(?:开|提供|交|出具|要|让我|需要|拿)$/;

/**
 * The certificate asked for (SPEC 3 Art. 5 "what is asked"): the words before 证明
 * ("开收入证明" -> 收入证明), or a named certificate such as 居住证. One that follows a
 * demand (开, 提供, 交 ...) wins over one that is the service itself ("办营业执照").
 */
export function extractCertificate(raw: string): string | null {
  const s = fold(raw);
  const found: Array<{ at: number; name: string; proof: boolean }> = [];
  for (const at of positions(s, '证明')) {
    const before = CERT_BEFORE.exec(s.slice(0, at))?.[0] ?? '';
    let start = 0;
    for (const b of CERT_BOUNDARY) {
      const i = before.lastIndexOf(b);
      if (i >= 0 && i + b.length > start) start = i + b.length;
    }
    const head = before.slice(start);
    if (head.length >= 1) found.push({ at: at - head.length, name: `${head}证明`, proof: true });
  }
  for (const w of CERT_WORDS_LONGEST) {
    const at = s.indexOf(w);
    if (at >= 0 && !found.some((f) => at >= f.at && at < f.at + f.name.length)) found.push({ at, name: w, proof: false });
  }
  if (found.length === 0) return null;
  const demanded = (f: { at: number }): boolean => DEMAND.test(s.slice(Math.max(0, f.at - 4), f.at));
  const rank = (f: { at: number; proof: boolean }): number => (demanded(f) ? 0 : 2) + (f.proof ? 0 : 1);
  found.sort((a, b) => rank(a) - rank(b) || a.at - b.at);
  return found[0].name;
}

const NUM = '(\\d{1,2}|[一二三四五六七八九十]{1,3})';
const DATE = new RegExp(`(?:(\\d{4})年)?${NUM}月${NUM}(?:日|号)?`, 'g');
const ISO_DATE = /(?<!\d)(20\d{2})[-./](\d{1,2})[-./](\d{1,2})(?!\d)/g;
const RELATIVE_DATES = ['前几天', '前两天', '前天', '昨天', '今天', '上周', '上个星期', '上个月', '这个月', '月初', '上礼拜', '前一阵', '前段时间', '早上', '上午', '下午'];

/** Calendar dates ("11月28号", "2026年11月3日") and relative ones ("前几天"), as written. */
export function extractDates(raw: string): DateMention[] {
  const s = fold(raw);
  const out: DateMention[] = [];
  for (const m of s.matchAll(DATE)) {
    const month = chineseNumber(m[2]);
    const day = chineseNumber(m[3]);
    if (month === null || day === null || month < 1 || month > 12 || day < 1 || day > 31) continue;
    out.push({ text: m[0], ...(m[1] ? { year: Number(m[1]) } : {}), month, day });
  }
  for (const m of s.matchAll(ISO_DATE)) {
    const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (month >= 1 && month <= 12 && day >= 1 && day <= 31) out.push({ text: m[0], year, month, day });
  }
  for (const r of RELATIVE_DATES) if (s.includes(r)) out.push({ text: r, relative: true });
  return out;
}

const CASE_NUMBER = /ts\s*(\d{8})\s*[-_－—–]?\s*(\d{4})(?!\d)/i;

/** A complaint number (TS + 8-digit date + 4-digit sequence) anywhere in the text, canonical. */
export function extractCaseNumber(raw: string): string | null {
  const m = CASE_NUMBER.exec(fold(raw));
  return m ? `TS${m[1]}-${m[2]}` : null;
}

/** The Art. 4 ground a story points to, most specific first; null when nothing is clear. */
export function groundHint(raw: string): GroundCode | null {
  const w = squash(raw);
  for (const h of GROUND_HINTS) if (h.all.some((words) => words.every((x) => w.includes(x)))) return h.ground;
  return null;
}

export interface ProxyStatement {
  /** The relationship recorded (母亲, 父亲, 亲属, 他人 ...), when one was said. */
  relationship?: string;
}

/**
 * "帮我妈投的", "替我父亲问", "代他人投诉", "不是本人": the complaint is filed for someone
 * else. Null when the text does not say so.
 */
export function proxyStatement(raw: string): ProxyStatement | null {
  const w = squash(raw);
  for (const verb of PROXY_VERBS) {
    for (const at of positions(w, verb)) {
      const after = w.slice(at + verb.length).replace(/^(?:我们家|我家|我们|我)/, '');
      const rel = RELATION_WORDS.find((r) => after.startsWith(r) || after.startsWith(r.replace(/^我/, '')));
      if (rel && !(verb === '给' && /^给(?:我|我们)(?:开|办|说|打)/.test(w.slice(at)))) return { relationship: RELATIONSHIPS[rel] };
    }
  }
  if (containsAny(w, PROXY_PHRASES)) {
    const rel = RELATION_WORDS.find((r) => r.length >= 2 && w.includes(r));
    return rel ? { relationship: RELATIONSHIPS[rel] } : {};
  }
  // "我妈让我帮她投诉": the relative asked the writer to file.
  const asked = /^(?:是)?(?:我|我们家)?([\u3400-\u9fff]{1,3}?)(?:让我|叫我|托我|要我帮)/.exec(w);
  if (asked && RELATIONSHIPS[asked[1]] && /投|办|问|反映/.test(w)) return { relationship: RELATIONSHIPS[asked[1]] };
  const m = /^(?:是|这是)?(?:我|我们家)?([\u3400-\u9fff]{1,3})的事/.exec(w);
  if (m && RELATIONSHIPS[m[1]] && m[1] !== '自己') return { relationship: RELATIONSHIPS[m[1]] };
  return null;
}

/** Every index at which `word` starts in `s`. */
function* positions(s: string, word: string): Generator<number> {
  for (let at = s.indexOf(word); at >= 0; at = s.indexOf(word, at + word.length)) yield at;
}

function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}
