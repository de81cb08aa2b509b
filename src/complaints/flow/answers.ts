import { matchAgency } from '../agency-match';
import { normaliseName as normalizeName, normaliseName as normWord } from '../../directory/names';
import { EditField, GROUND_LABELS, MENU, T } from '../messages';
import { charLength, checkText } from '../validate';
import { ChoiceOption, UNDERSTAND_TEXT, repeatChoices, extractName, findAgencies, groundHint, proxyStatement, splitLongText } from '../understand';
import { GROUND_CODES, TEXT_LIMITS } from '../model';
import { MAX_SUGGESTIONS, ConversationState, FlowContext, TextInput, Turn, say } from './types';
import { parseGround, parseEditField } from './commands';
import { ask, problemText, choiceProblem } from './questions';
import { handoff } from './index';
import { afterFacts, back, cancel, goTo, proceed, reask, startComplaint, submit } from './draft';
import {
  CONFIRM_OPTIONS,
  EDIT_OPTIONS,
  GROUND_OPTIONS,
  PROXY_OPTIONS,
  REST_OPTIONS,
  agencyOptions,
  certificateFrom,
  choiceCommand,
  phoneIn,
  pick,
  principalOf,
  read,
} from './understood';

/** The answer to each question of the draft: choices, names, phones, the story and its parts. */

/** A choice the citizen typed: the option, a command said in words, or the choices repeated. */
function typedChoice(s: ConversationState, text: string, options: ChoiceOption[], now: Date, ctx: FlowContext): { id: string } | Turn {
  const o = pick(text, options);
  if (o.kind === 'picked') return { id: o.id };
  const cmd = choiceCommand(o);
  if (cmd === 'back') return back(s);
  if (cmd === 'cancel') return cancel(s);
  if (cmd === 'restart') return startComplaint(s, now, [T.restart]);
  if (cmd === 'human') return handoff(s, ctx);
  return reask(s, o.kind === 'repeat' ? o.reply : pick('', options).kind === 'repeat' ? (pick('', options) as { reply: string }).reply : T.problems.choice);
}

const isTurn = (x: { id: string } | Turn): x is Turn => 'replies' in x;

export function answerGround(s: ConversationState, input: TextInput, now: Date, ctx: FlowContext): Turn {
  let idx = parseGround(input);
  if (idx === null && !input.menuId) {
    const o = pick(input.content, GROUND_OPTIONS);
    const hint = groundHint(input.content);
    const w = normWord(input.content);
    const named = GROUND_OPTIONS.map((g, i) => ((g.words ?? []).some((x) => w.includes(x)) ? i : -1)).filter((i) => i >= 0);
    if (o.kind !== 'picked' && named.length > 1) return reask(s, repeatChoices(GROUND_OPTIONS, named));
    if (o.kind === 'picked') idx = o.index;
    // A story that points to one ground ("窗口非要我开证明") answers the question; a mix of several is asked again.
    else if (o.kind === 'repeat' && o.among.length === GROUND_OPTIONS.length && hint && charLength(input.content) > 8) idx = GROUND_CODES.indexOf(hint);
    else {
      const c = typedChoice(s, input.content, GROUND_OPTIONS, now, ctx);
      if (isTurn(c)) return c;
      idx = Number(c.id.slice('ground_'.length)) - 1;
    }
  }
  if (idx === null) return reask(s, choiceProblem(input));
  const ground = GROUND_CODES[idx];
  s.draft.ground = ground;
  return proceed(s, 'agency', [T.groundChosen(GROUND_LABELS[ground])]);
}

export function answerAgency(s: ConversationState, input: TextInput, ctx: FlowContext): Turn {
  const { min, max } = TEXT_LIMITS.agency;
  const u = read(s, input.content, ctx, 'agency');
  const problem = u.fields.agencyProblem;
  if (problem) {
    // A URL or a whole sentence is never kept as the name; units named inside it are offered.
    const known = (u.fields.agencies ?? []).filter((g) => g.code).slice(0, MAX_SUGGESTIONS);
    const why = problem === 'url' ? UNDERSTAND_TEXT.agencyUrl : UNDERSTAND_TEXT.agencySentence;
    if (known.length === 0) return reask(s, why);
    goTo(s, 'agency_pick');
    s.candidates = known.map((g) => ({ code: g.code as string, name: g.name }));
    s.agencyInput = undefined;
    return say(...ask(s));
  }
  const check = checkText(input.content, { min, max });
  if (!check.ok) return reask(s, problemText(check.problem, max, check.length, min));
  return chooseAgency(s, check.value, ctx);
}

export function chooseAgency(s: ConversationState, typed: string, ctx: FlowContext): Turn {
  const m = matchAgency(typed, ctx.agencies, MAX_SUGGESTIONS);
  if (m.kind === 'exact' || m.kind === 'one') {
    const [a] = m.candidates;
    s.draft.agencyCode = a.code;
    s.draft.agencyText = a.name;
    return proceed(s, 'facts', [T.agencyMatched(a.name)]);
  }
  // The office's aliases: 派出所 -> 县公安局, 工商局 -> 县市场监管局.
  const guesses = findAgencies(typed, { directory: ctx.agencies, aliases: ctx.aliases }).filter((g) => g.code);
  if (guesses.length === 1 && guesses[0].via === 'alias') {
    s.draft.agencyCode = guesses[0].code;
    s.draft.agencyText = guesses[0].name;
    return proceed(s, 'facts', [T.agencyViaAlias(typed, guesses[0].name)]);
  }
  const offered = m.kind === 'several' ? m.candidates.map((c) => ({ code: c.code, name: c.name })) : guesses.map((g) => ({ code: g.code as string, name: g.name }));
  if (offered.length > 0) {
    goTo(s, 'agency_pick');
    s.candidates = offered.slice(0, MAX_SUGGESTIONS);
    s.agencyInput = typed;
    return say(...ask(s));
  }
  return recordAgencyAsTyped(s, typed, T.agencyUnknownKept(typed));
}

export function recordAgencyAsTyped(s: ConversationState, typed: string, notice: string): Turn {
  s.draft.agencyCode = null;
  s.draft.agencyText = typed;
  return proceed(s, 'facts', [notice]);
}

export function answerAgencyPick(s: ConversationState, input: TextInput, now: Date, ctx: FlowContext): Turn {
  const candidates = s.candidates ?? [];
  const typed = s.agencyInput;
  const pickAt = (i: number): Turn => {
    const a = candidates[i];
    s.draft.agencyCode = a.code;
    s.draft.agencyText = a.name;
    return proceed(s, 'facts', [T.agencyPicked(a.name)]);
  };
  const none = (): Turn => {
    if (typed) return recordAgencyAsTyped(s, typed, T.agencyKeptAsTyped(typed));
    // What was refused as a name is not kept: ask for the name again.
    s.candidates = undefined;
    s.stage = 'agency';
    s.history.pop();
    return reask(s);
  };
  if (input.menuId) {
    if (input.menuId === MENU.agencyNone) return none();
    const i = Number(/^agency_pick_(\d+)$/.exec(input.menuId)?.[1]) - 1;
    return i >= 0 && i < candidates.length ? pickAt(i) : reask(s, T.problems.stale_menu);
  }
  const byName = candidates.findIndex((c) => normalizeName(c.name) === normalizeName(input.content));
  if (byName >= 0) return pickAt(byName);
  const o = pick(input.content, agencyOptions(s));
  if (o.kind === 'picked') return o.id === MENU.agencyNone ? none() : pickAt(o.index);
  const cmd = choiceCommand(o);
  if (cmd === 'back') return back(s);
  if (cmd === 'cancel') return cancel(s);
  if (cmd === 'restart') return startComplaint(s, now, [T.restart]);
  if (cmd === 'human') return handoff(s, ctx);
  if (/^\d+$/.test(normWord(input.content)) || o.kind !== 'repeat') return reask(s, o.kind === 'repeat' ? o.reply : T.problems.choice);
  // Anything else is a new wording of the unit's name.
  return answerAgency(s, input, ctx);
}

export function answerFacts(s: ConversationState, input: TextInput): Turn {
  const { min, max } = TEXT_LIMITS.facts;
  const check = checkText(input.content, { min, max: Number.MAX_SAFE_INTEGER });
  if (!check.ok) return reask(s, check.problem === 'too_short' ? T.factsTooShort : problemText(check.problem, max, check.length, min));
  // An over-long story keeps its first part; the citizen decides about the rest.
  const split = splitLongText(check.value, max);
  s.draft.facts = split.first;
  const cert = certificateFrom(split.first);
  if (cert && (s.draft.certificate === undefined || s.draft.certificate === '')) s.draft.certificate = cert;
  if (split.rest) {
    s.factsRest = split.rest;
    goTo(s, 'facts_rest');
    return say(...ask(s));
  }
  return proceed(s, afterFacts(s));
}

export function answerFactsRest(s: ConversationState, input: TextInput): Turn {
  const o = input.menuId ? { kind: 'picked' as const, id: input.menuId } : pick(input.content, REST_OPTIONS);
  if (o.kind !== 'picked') return reask(s, o.kind === 'repeat' ? o.reply : T.problems.choice);
  const keepRest = o.id === 'rest_keep';
  if (keepRest && s.factsRest) s.draft.facts = `${s.draft.facts ?? ''}\n${T.factsSecondPart}${s.factsRest}`;
  s.factsRest = undefined;
  const notice = keepRest ? T.longFactsRestKept : T.longFactsRestDropped;
  if (s.prefilled || s.editing) return proceed(s, 'request', [notice]);
  return proceed(s, afterFacts(s), [notice]);
}

export function answerCertificate(s: ConversationState, input: TextInput): Turn {
  const check = checkText(input.content, { min: 2, max: 100 });
  if (!check.ok) return reask(s, problemText(check.problem, 100, check.length, 2));
  const w = normWord(check.value);
  s.draft.certificate = T.unknownCert.some((x) => w.startsWith(x)) ? '' : (certificateFrom(check.value) ?? check.value);
  return proceed(s, 'request');
}

export function answerFreeText(s: ConversationState, input: TextInput, field: 'request'): Turn {
  const { min, max } = TEXT_LIMITS[field];
  const check = checkText(input.content, { min, max });
  if (!check.ok) return reask(s, problemText(check.problem, max, check.length, min));
  s.draft[field] = check.value;
  return proceed(s, 'name');
}

export function answerName(s: ConversationState, input: TextInput, field: 'name' | 'principal'): Turn {
  const { min, max } = TEXT_LIMITS[field];
  if (field === 'principal') {
    const p = principalOf(input.content, s.draft.proxy?.relationship);
    if (!p.name) return reask(s, p.relationship ? T.principalNeedsName : undefined);
    s.draft.proxy = { ...s.draft.proxy, isProxy: true, principalName: p.name, relationship: p.relationship };
    return proceed(s, 'principal_phone');
  }
  // "我叫王秀英，电话13812345678": the name, and the phone too.
  const { phone } = phoneIn(input.content);
  const said = extractName(input.content);
  const rest = said ?? input.content.replace(/(?:电话|手机|联系方式)?[:：]?\s*[\d\s-]{7,}/g, '').replace(/[，,。\s]+$/, '');
  if (phone && !s.draft.phone) s.draft.phone = phone;
  if (phone && !rest.trim()) return reask(s, T.problems.name_digits);
  const check = checkText(rest, { min, max });
  if (!check.ok) return reask(s, problemText(check.problem, max, check.length, min));
  if ((check.value.match(/\d/g) ?? []).length >= 5) return reask(s, T.problems.name_digits);
  s.draft.name = check.value;
  return proceed(s, s.draft.phone && !s.editing ? 'proxy' : 'phone');
}

export function answerPhone(s: ConversationState, input: TextInput, field: 'phone' | 'principal_phone'): Turn {
  const check = checkText(input.content, { max: 200 });
  if (!check.ok && check.problem !== 'too_long') return reask(s, problemText(check.problem, 40, check.length));
  if (field === 'principal_phone' && T.sameAsMine.some((x) => normWord(input.content).includes(x))) {
    s.draft.proxy = { ...(s.draft.proxy ?? { isProxy: true }), principalPhone: s.draft.phone };
    return proceed(s, 'confirm');
  }
  // "电话：138…", "我的手机是138 1234 5678": the number inside the sentence.
  const found = phoneIn(input.content);
  if (!found.phone) {
    if (found.idNumber) return reask(s, T.phoneIdNumber);
    return reask(s, `${/[A-Za-z]/.test(input.content.normalize('NFKC')) ? T.problems.phone_letters : T.problems.phone_invalid}${T.phoneWhy}`);
  }
  if (field === 'principal_phone') {
    s.draft.proxy = { ...(s.draft.proxy ?? { isProxy: true }), principalPhone: found.phone };
    return proceed(s, 'confirm');
  }
  s.draft.phone = found.phone;
  return proceed(s, 'proxy');
}

export function answerProxy(s: ConversationState, input: TextInput, now: Date, ctx: FlowContext): Turn {
  let id = input.menuId;
  let relationship: string | undefined;
  if (!id) {
    // "帮我妈投的": for someone else, and who.
    const st = proxyStatement(input.content);
    if (st) {
      id = MENU.proxyOther;
      relationship = st.relationship;
    } else {
      const c = typedChoice(s, input.content, PROXY_OPTIONS, now, ctx);
      if (isTurn(c)) return c;
      id = c.id;
    }
  }
  if (id === MENU.proxySelf) {
    s.draft.proxy = { isProxy: false };
    goTo(s, 'confirm');
    return say(...ask(s));
  }
  if (id === MENU.proxyOther) {
    const was = s.draft.proxy;
    s.draft.proxy = { isProxy: true, principalName: was?.principalName, principalPhone: was?.principalPhone, relationship: relationship ?? was?.relationship };
    goTo(s, 'principal');
    return say(...ask(s));
  }
  return reask(s, choiceProblem(input));
}

export function answerConfirm(s: ConversationState, input: TextInput, now: Date, ctx: FlowContext): Turn {
  let id = input.menuId;
  if (!id) {
    const c = typedChoice(s, input.content, CONFIRM_OPTIONS, now, ctx);
    if (isTurn(c)) return c;
    id = c.id;
  }
  if (id === MENU.confirmSubmit) return submit(s);
  if (id === MENU.confirmEdit) {
    goTo(s, 'edit_pick');
    return say(...ask(s));
  }
  if (id === MENU.confirmCancel) return cancel(s);
  return say(...ask(s, { problem: choiceProblem(input) }));
}

export function answerEditPick(s: ConversationState, input: TextInput, now: Date, ctx: FlowContext): Turn {
  let field = parseEditField(input);
  if (!field && !input.menuId) {
    const c = typedChoice(s, input.content, EDIT_OPTIONS, now, ctx);
    if (isTurn(c)) return c;
    field = c.id === 'edit_done' ? 'done' : (c.id.slice('edit_'.length) as EditField);
  }
  if (field === 'done') {
    goTo(s, 'confirm');
    return say(...ask(s));
  }
  if (!field) return reask(s, choiceProblem(input));
  goTo(s, field);
  s.editing = true;
  return say(...ask(s, { showPrevious: true }));
}

