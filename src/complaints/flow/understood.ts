import { GROUND_CODES } from '../model';
import { EDIT_FIELDS, EDIT_LABELS, GROUND_KEYWORDS, GROUND_LABELS, LABEL, MENU, T, WORDS } from '../messages';
import { charLength } from '../validate';
import {
  ChoiceOption,
  ChoiceOutcome,
  Expect,
  Understanding,
  extractCertificate,
  extractContacts,
  matchChoice,
  splitLongText,
  understand,
} from '../understand';
import { RELATIONSHIPS } from '../understand/tables';
import { squash } from '../understand/text';
import { Command } from './commands';
import { CaseRef, ComplaintDraft, ConversationState, FlowContext, Stage } from './types';

/** How the conversation reads whole sentences: the understanding layer, told what was asked. */

const EXPECT: Partial<Record<Stage, Expect>> = {
  agency: 'agency',
  facts: 'facts',
  certificate: 'facts',
  request: 'request',
  name: 'name',
  principal: 'name',
  phone: 'phone',
  principal_phone: 'phone',
  status_number: 'case_number',
  exemption_q: 'search',
};

export function expectFor(stage: Stage): Expect {
  return EXPECT[stage] ?? (stage === 'idle' || stage === 'human' ? 'any' : 'choice');
}

export function read(s: ConversationState, raw: string, ctx: FlowContext, expect: Expect = expectFor(s.stage)): Understanding {
  return understand(raw, { expect, directory: ctx.agencies, aliases: ctx.aliases, synonyms: ctx.synonyms });
}

/** A navigation command said in a sentence ("算了不投了", "返回上一步吧", "我要找人工"). */
export function spokenCommand(u: Understanding): Command | null {
  switch (u.intent) {
    case 'cancel':
      return 'cancel';
    case 'restart':
      return 'restart';
    case 'back':
      return 'back';
    case 'human':
      return 'human';
    default:
      return null;
  }
}

export function choiceCommand(o: ChoiceOutcome): Command | null {
  return o.kind === 'command' ? o.command : null;
}

// ------------------------------------------------------------------ the options of each menu

export const GROUND_OPTIONS: ChoiceOption[] = GROUND_CODES.map((g, i) => ({ id: `ground_${i + 1}`, label: GROUND_LABELS[g], words: GROUND_KEYWORDS[i] }));

export const PROXY_OPTIONS: ChoiceOption[] = [
  { id: MENU.proxySelf, label: LABEL.proxySelf, words: [...WORDS.proxySelf, '我自己', '就是我', '我本人投诉', '自己投诉'] },
  { id: MENU.proxyOther, label: LABEL.proxyOther, words: [...WORDS.proxyOther, '帮家里人', '帮家人', '替别人'] },
];

export const CONFIRM_OPTIONS: ChoiceOption[] = [
  { id: MENU.confirmSubmit, label: LABEL.confirmSubmit, words: ['提交', '确认', '没问题', '正确', '对了', '都对'], role: 'yes' },
  { id: MENU.confirmEdit, label: LABEL.confirmEdit, words: ['改', '要改', '修改一下', '有错', '不对', '有问题'], role: 'no' },
  { id: MENU.confirmCancel, label: LABEL.confirmCancel, words: ['不提交', '不投了'] },
];

export const PARK_OPTIONS: ChoiceOption[] = [
  { id: MENU.parkContinue, label: LABEL.parkContinue, words: ['接着填', '继续填写', '接着来'], role: 'yes' },
  { id: MENU.parkRestart, label: LABEL.parkRestart, words: ['重新填', '重新开始'] },
  { id: MENU.parkCancel, label: LABEL.parkCancel, words: ['不填了', '删掉'], role: 'no' },
];

export const REST_OPTIONS: ChoiceOption[] = [
  { id: 'rest_keep', label: '保留，作为第二部分', words: ['保留', '要', '一并提交', '都要'], role: 'yes' },
  { id: 'rest_drop', label: '不用，只保留第一部分', words: ['不用', '不要', '只要第一部分'], role: 'no' },
];

export const EDIT_OPTIONS: ChoiceOption[] = [
  ...EDIT_FIELDS.map((f) => ({ id: `edit_${f}`, label: EDIT_LABELS[f] })),
  { id: 'edit_done', label: LABEL.editDone, words: WORDS.editDone, role: 'no' as const },
];

export function agencyOptions(s: ConversationState): ChoiceOption[] {
  return [
    ...(s.candidates ?? []).map((c, i) => ({ id: `agency_pick_${i + 1}`, label: c.name })),
    { id: MENU.agencyNone, label: LABEL.agencyNone, words: WORDS.agencyNone, role: 'no' as const },
  ];
}

/** The main menu's four entries, by their position as shown (a resumable draft comes first). */
export function menuCommandByNumber(n: number, resumable: boolean): Command | null {
  const order: Command[] = resumable ? ['continue', 'complain', 'status', 'exemption', 'human'] : ['complain', 'status', 'exemption', 'human'];
  return order[n - 1] ?? null;
}

export function pick(text: string, options: ChoiceOption[]): ChoiceOutcome {
  return matchChoice(text, options);
}

// ------------------------------------------------------------------ fields out of free text

/** "王秀英，母亲", "我妈王秀英", "王秀英（我母亲）": the principal's name and relationship. */
export function principalOf(raw: string, known?: string): { name?: string; relationship?: string } {
  let relationship = known;
  let name: string | undefined;
  const rels = Object.keys(RELATIONSHIPS).sort((a, b) => b.length - a.length);
  for (const part of raw.normalize('NFKC').split(/[\s,，、;；:：。()（）]+/)) {
    let p = part.replace(/^(?:是|我的|我|她是|他是|当事人)/, '');
    const rel = rels.find((r) => p.startsWith(r) || p.endsWith(r));
    if (rel) {
      relationship = RELATIONSHIPS[rel];
      p = p.startsWith(rel) ? p.slice(rel.length) : p.slice(0, p.length - rel.length);
      p = p.replace(/的$/, '');
    }
    if (!name && /^\p{Script=Han}{2,4}$/u.test(p)) name = p;
    else if (!name && /^[\p{L}·]{2,30}$/u.test(p) && !rel) name = p;
  }
  return { name, relationship };
}

export function phoneIn(raw: string): { phone?: string; idNumber?: boolean } {
  const c = extractContacts(raw);
  const phone = c.mobiles[0] ?? c.landlines[0];
  return phone ? { phone } : { idNumber: c.idNumbers.length > 0 };
}

/** Grounds under which a certificate was asked for or refused: the certificate is asked for as a field. */
export function needsCertificate(d: ComplaintDraft): boolean {
  return d.ground === 'still_requires_certificate' || d.ground === 'ignores_exemption_list' || d.ground === 'refuses_certificate_outside_county';
}

export function certificateFrom(text: string): string | undefined {
  return extractCertificate(text) ?? undefined;
}

/** A message long enough to be the story itself, not just "我要投诉人社局". */
export function isStory(raw: string): boolean {
  return charLength(squash(raw)) >= 15;
}

/**
 * A whole first message pre-fills the draft: the story becomes the facts, and the name,
 * phone, agency, certificate, ground and proxy relation it carries are kept, for the citizen
 * to confirm in the summary instead of typing them again. Returns what was kept.
 */
export function prefillDraft(s: ConversationState, raw: string, u: Understanding): string[] {
  const d = s.draft;
  const f = u.fields;
  const kept: string[] = [];
  if (f.ground && !d.ground) {
    d.ground = f.ground;
    kept.push(T.prefillGround(GROUND_LABELS[f.ground]));
  }
  const agency = f.agencies?.find((g) => g.code) ?? f.agencies?.[0];
  if (agency && !d.agencyText) {
    d.agencyCode = agency.code;
    d.agencyText = agency.name;
    kept.push(T.prefillAgency(agency.name));
  }
  if (isStory(raw) && !d.facts) {
    const split = splitLongText(raw.trim());
    d.facts = split.first;
    if (split.rest) s.factsRest = split.rest;
    kept.push(T.prefillFacts);
  }
  const cert = f.certificate ?? (d.facts ? certificateFrom(d.facts) : undefined);
  if (cert && d.certificate === undefined) {
    d.certificate = cert;
    kept.push(T.prefillCertificate(cert));
  }
  if (f.name && !d.name) {
    d.name = f.name;
    kept.push(T.prefillName(f.name));
  }
  const phone = f.mobile ?? f.landline;
  if (phone && !d.phone) {
    d.phone = phone;
    kept.push(T.prefillPhone(phone));
  }
  if (f.relationship && !d.proxy) {
    d.proxy = { isProxy: true, relationship: f.relationship };
    kept.push(T.prefillProxy(f.relationship));
  }
  s.prefilled = true;
  return kept;
}

/** Most recent case still open, or closed within the last 30 days, that a message can be about. */
export function caseToAttach(cases: CaseRef[] | undefined, now: Date): CaseRef | undefined {
  const recent = (c: CaseRef): boolean => !c.closedAt || now.getTime() - Date.parse(c.closedAt) <= 30 * 86_400_000;
  return (cases ?? []).find(recent);
}

export function isCompleteStage(st: Stage): boolean {
  return st === 'confirm' || st === 'edit_pick';
}
