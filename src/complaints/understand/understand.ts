/**
 * What a citizen's message means: one intent, and every field it carries (phone, name,
 * agency, certificate, dates, ground...). Keyword tables and longest match, no I/O, no
 * clock; the conversation decides what to do with the answer. The `expect` hint says
 * what the current question asked for, so that "1" at the phone step is not a choice and
 * anything at the case-number step is about status.
 */
import type { Agency } from '../agency-match';
import type { GroundCode } from '../model';
import { meaningfulLength } from '../validate';
import { type AgencyGuess, type AgencyNameProblem, type AliasTable, agencyNameProblem, containsUrl, findAgencies } from './agencies';
import { type DateMention, extractCaseNumber, extractCertificate, extractContacts, extractDates, extractName, groundHint, proxyStatement } from './fields';
import { type SynonymTable, expandSearchTerms, mergeSynonyms } from './search-terms';
import { INTENT_PHRASES, INTENT_WORDS, LEADING_COURTESY } from './tables';
import { charLength, containsAny, dropParticles, fold, longestFirst, parseChoiceNumber, squash } from './text';

export const INTENTS = [
  'complaint', 'status', 'exemption_lookup', 'human', 'cancel', 'restart', 'yes', 'no', 'back', 'number',
  'dissatisfied', 'supplement', 'proxy', 'self', 'greeting', 'unclear', 'unknown',
] as const;
export type Intent = (typeof INTENTS)[number];

/** What the current question asked for. Free-text answers never read as a choice number. */
export type Expect = 'any' | 'choice' | 'confirm' | 'agency' | 'facts' | 'request' | 'name' | 'phone' | 'case_number' | 'search' | 'after_result';
const FREE_TEXT: readonly Expect[] = ['agency', 'facts', 'request', 'name', 'phone'];

export interface UnderstandContext {
  expect?: Expect;
  /** The unit directory agencies are matched against. */
  directory?: readonly Agency[];
  /** The office's aliases, over the defaults. */
  aliases?: AliasTable;
  /** The office's search synonyms, over the defaults. */
  synonyms?: SynonymTable;
}

export interface Fields {
  /** The first mobile, canonical ("13812345678"). */
  mobile?: string;
  /** The first landline, canonical ("0533-1234567"). */
  landline?: string;
  /** An 18-character ID number: never a phone; the conversation asks for a phone instead. */
  idNumber?: string;
  /** The writer's name after 我叫/本人/我是/姓名. */
  name?: string;
  /** Up to three agencies, best first; code null when the directory does not know it. */
  agencies?: AgencyGuess[];
  /** Set when an agency name is expected and the message cannot be recorded as one. */
  agencyProblem?: AgencyNameProblem;
  certificate?: string;
  dates?: DateMention[];
  /** The Art. 4 ground the story points to. */
  ground?: GroundCode;
  caseNumber?: string;
  /** For `number`: the 1-based choice. */
  number?: number;
  /** For `proxy`: who the complaint is for (母亲, 父亲, 亲属, 他人 ...). */
  relationship?: string;
  /** For `exemption_lookup`: the terms to search, the citizen's words first. */
  searchTerms?: string[];
  /** For `supplement`: what is added, without the "补充一下". */
  supplement?: string;
  /** For `unclear`: what came instead of words. */
  unclear?: 'empty' | 'punctuation' | 'emoji';
  /** The message holds a web address. */
  url?: true;
}

export interface Understanding {
  intent: Intent;
  fields: Fields;
}

/** Short enough to be a command rather than a story. */
const COMMAND_CHARS = 12;
const STATUS_CHARS = 40;

const WORD_SETS = Object.fromEntries(Object.entries(INTENT_WORDS).map(([k, v]) => [k, new Set<string>(v)])) as Record<keyof typeof INTENT_WORDS, Set<string>>;
const WHOLE_WORD_ORDER: Array<[keyof typeof INTENT_WORDS, Intent]> = [
  ['cancel', 'cancel'],
  ['restart', 'restart'],
  ['back', 'back'],
  ['human', 'human'],
  ['self', 'self'],
  ['no', 'no'],
  ['yes', 'yes'],
  ['status', 'status'],
  ['complaint', 'complaint'],
  ['exemption', 'exemption_lookup'],
  ['greeting', 'greeting'],
];
const COURTESY = longestFirst(LEADING_COURTESY);
const SUPPLEMENT = longestFirst(INTENT_PHRASES.supplement);
const EMOJI = /\p{Extended_Pictographic}|\[[\u4e00-\u9fffA-Za-z]{1,6}\]/u;
const EXEMPTION_QUESTION = /还要不要|还需不需要|需不需要|要不要|用不用|是否需要|是否还要|是不是要|是不是还要|是不是需要|开不开|交不交|还需要.*[吗么]|需要.*[吗么]|要开.*[吗么]|得开.*[吗么]|要交.*[吗么]|要提供.*[吗么]|要.*证明[吗么]|还要开[吗么]?$/;
/** Mentions of the list itself: a lookup unless the message tells of a certificate being demanded. */
const EXEMPTION_TOPIC = /免提交|免证明/;
const THANKS = /(?:谢谢你们|谢谢你|谢谢您|谢谢|感谢|多谢)+$/;

export function understand(text: string, ctx: UnderstandContext = {}): Understanding {
  const raw = typeof text === 'string' ? text : '';
  const expect = ctx.expect ?? 'any';
  if (meaningfulLength(raw) === 0) {
    const kind = fold(raw).length === 0 ? 'empty' : EMOJI.test(raw) ? 'emoji' : 'punctuation';
    return { intent: 'unclear', fields: { unclear: kind } };
  }
  const fields = extractFields(raw, ctx);
  const intent = classify(raw, expect, fields, ctx);
  if (intent === 'exemption_lookup') {
    // A question about a certificate is not a story of one being demanded.
    delete fields.ground;
    const terms = expandSearchTerms(raw, ctx.synonyms);
    if (terms.length) fields.searchTerms = terms;
  }
  if (intent !== 'proxy' && intent !== 'complaint') delete fields.relationship;
  return { intent, fields };
}

/** Every field the text carries, whatever its intent. */
export function extractFields(raw: string, ctx: UnderstandContext = {}): Fields {
  const f: Fields = {};
  const c = extractContacts(raw);
  if (c.mobiles[0]) f.mobile = c.mobiles[0];
  if (c.landlines[0]) f.landline = c.landlines[0];
  if (c.idNumbers[0]) f.idNumber = c.idNumbers[0];
  const name = extractName(raw);
  if (name) f.name = name;
  const agencies = findAgencies(raw, { directory: ctx.directory, aliases: ctx.aliases });
  if (agencies.length) f.agencies = agencies;
  if (ctx.expect === 'agency') {
    const problem = agencyNameProblem(raw);
    if (problem) f.agencyProblem = problem;
  }
  if (containsUrl(raw)) f.url = true;
  const certificate = extractCertificate(raw);
  if (certificate) f.certificate = certificate;
  const dates = extractDates(raw);
  if (dates.length) f.dates = dates;
  const ground = groundHint(raw);
  if (ground) f.ground = ground;
  const caseNumber = extractCaseNumber(raw);
  if (caseNumber) f.caseNumber = caseNumber;
  const proxy = proxyStatement(raw);
  if (proxy?.relationship) f.relationship = proxy.relationship;
  return f;
}

function wholeWord(w: string, set: Set<string>): boolean {
  return dropParticles(w).some((x) => set.has(x));
}

function stripCourtesy(w: string): string {
  for (;;) {
    const c = COURTESY.find((x) => w.startsWith(x) && w.length > x.length);
    if (!c) return w;
    w = w.slice(c.length);
  }
}

function classify(raw: string, expect: Expect, f: Fields, ctx: UnderstandContext): Intent {
  const free = FREE_TEXT.includes(expect);
  const squashed = squash(raw);
  const w = stripCourtesy(THANKS.test(squashed) && squashed.replace(THANKS, '').length > 0 ? squashed.replace(THANKS, '') : squashed);
  const len = charLength(w);

  if (!free) {
    const n = parseChoiceNumber(raw);
    if (n !== null) {
      f.number = n;
      return 'number';
    }
  }

  for (const [key, intent] of WHOLE_WORD_ORDER) {
    if (!wholeWord(w, WORD_SETS[key])) continue;
    // At a free-text question a bare 是/好 is not an answer to act on, but commands are.
    if (free && (intent === 'yes' || intent === 'no' || intent === 'self') && expect !== 'agency') continue;
    if (expect === 'case_number' && (intent === 'yes' || intent === 'no' || intent === 'complaint')) return 'status';
    if (expect === 'search' && intent === 'exemption_lookup') return 'exemption_lookup';
    return intent;
  }

  // A bare 补充 counts only as a heading ("补充：…"), not inside a name such as 补充医疗保险.
  const supplement =
    SUPPLEMENT.find((p) => w.startsWith(p) || w.slice(0, 4).includes(p)) ?? (/^(?:我|我再|再)?补充(?:[\s\p{P}]|$)/u.test(fold(raw)) ? '补充' : undefined);
  if (supplement) {
    // Cut from the text as typed, so the facts keep the citizen's own punctuation.
    const s = raw.trim();
    const at = s.indexOf(supplement);
    const rest = (at >= 0 ? s.slice(at + supplement.length) : s).replace(/^[\s\p{P}]+|^(?:一下|一点|一句|说明)[\s\p{P}]*/gu, '').trim();
    if (rest.length) f.supplement = rest;
    return 'supplement';
  }

  if (len <= COMMAND_CHARS) {
    if (containsAny(w, INTENT_PHRASES.cancel) || /^算了/.test(w)) return 'cancel';
    if (containsAny(w, INTENT_PHRASES.restart)) return 'restart';
    if (containsAny(w, INTENT_PHRASES.back)) return 'back';
  }
  if (len <= COMMAND_CHARS + 3 && containsAny(w, INTENT_PHRASES.human)) return 'human';

  const startsAsComplaint = /^(?:我要|我想|我来)?(?:投诉|举报)/.test(w);
  const filing = /(?:我要|我想|我来)(?:投诉|举报)/.test(w);
  if (containsAny(w, INTENT_PHRASES.dissatisfied) && (!filing || expect === 'after_result')) return 'dissatisfied';
  const story = !!(f.ground || f.agencies || f.certificate) || filing;
  if (containsAny(w, INTENT_PHRASES.dissatisfiedWeak) && (expect === 'after_result' || !story)) return 'dissatisfied';
  if (expect === 'after_result' && containsAny(w, INTENT_PHRASES.dissatisfiedAfterResult)) return 'dissatisfied';

  if (expect === 'case_number') return 'status';
  if (f.caseNumber && len <= STATUS_CHARS) return 'status';
  if (!free && !filing && (len <= STATUS_CHARS || w.includes('我的投诉')) && containsAny(w, INTENT_PHRASES.status)) return 'status';
  if (!free && startsAsComplaint && len <= COMMAND_CHARS && containsAny(w, ['怎么样了', '进度', '有结果'])) return 'status';

  if (expect === 'search') return 'exemption_lookup';
  const complaintWords = containsAny(w, INTENT_PHRASES.complaint);
  if (!free && !complaintWords && EXEMPTION_QUESTION.test(w)) return 'exemption_lookup';
  if (!free && !complaintWords && !f.ground && EXEMPTION_TOPIC.test(w)) return 'exemption_lookup';

  if (len <= COMMAND_CHARS && !f.agencies && proxyStatement(raw)) return 'proxy';
  if (complaintWords || (f.ground && expect !== 'facts')) return free ? 'unknown' : 'complaint';

  if (!free && len <= 8 && /^(?:是|就是|就)?(?:我自己|我本人|本人|自己)/.test(w) && !f.name && !f.dates && !f.agencies) return 'self';
  if (len <= 8 && (!free || expect === 'agency') && /^(?:不是|不对)/.test(w)) return 'no';

  const head = squash(fold(raw).split(/[，,。.!！?？;；\s]/)[0] ?? '');
  if (head && head !== w && !free) {
    if (wholeWord(head, WORD_SETS.no)) return 'no';
    if (wholeWord(head, WORD_SETS.yes)) return 'yes';
    if (wholeWord(head, WORD_SETS.greeting) && len <= COMMAND_CHARS) return 'greeting';
  }

  if (!free && len <= COMMAND_CHARS && isLookupTerm(w, f, ctx)) return 'exemption_lookup';
  if (!free && len >= 20 && (f.agencies || f.certificate)) return 'complaint';
  return 'unknown';
}

/** A bare certificate or service name ("失业金", "无犯罪记录证明"): the citizen wants to look it up. */
function isLookupTerm(w: string, f: Fields, ctx: UnderstandContext): boolean {
  if (f.certificate) return true;
  return Object.keys(mergeSynonyms(ctx.synonyms)).some((k) => w.includes(k));
}
