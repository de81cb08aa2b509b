import { EDIT_DONE_ID, EDIT_FIELDS, EDIT_LABELS, EditField, editMenuId, GROUND_KEYWORDS, GROUND_LABELS, MENU, WORDS } from '../messages';
import { charLength } from '../validate';
import { normaliseName as normWord } from '../../directory/names';

import { CASE_NUMBER, GROUND_CODES } from '../model';
import { Stage, TextInput } from './types';

/** What a citizen's text or menu click means: commands, case numbers, grounds, fields. */

// ------------------------------------------------------------------ parsing

export type Command =
  | 'cancel'
  | 'restart'
  | 'back'
  | 'continue'
  | 'keep'
  | 'complain'
  | 'status'
  | 'exemption'
  | 'human'
  | 'menu'
  | 'exempt_complain';

export const MENU_COMMANDS: Record<string, Command> = {
  [MENU.complain]: 'complain',
  [MENU.status]: 'status',
  [MENU.exemption]: 'exemption',
  [MENU.human]: 'human',
  [MENU.parkContinue]: 'continue',
  [MENU.parkRestart]: 'restart',
  [MENU.parkCancel]: 'cancel',
  [MENU.navBack]: 'back',
  [MENU.navRestart]: 'restart',
  [MENU.navCancel]: 'cancel',
  [MENU.confirmCancel]: 'cancel',
  [MENU.exemptComplain]: 'exempt_complain',
};

export const WORD_COMMANDS: Array<[Command, string[]]> = (
  [
    ['cancel', WORDS.cancel],
    ['restart', WORDS.restart],
    ['back', WORDS.back],
    ['continue', WORDS.continue],
    ['keep', WORDS.keep],
    ['complain', WORDS.complain],
    ['status', WORDS.status],
    ['exemption', WORDS.exemption],
    ['human', WORDS.human],
    ['menu', WORDS.menu],
  ] as Array<[Command, string[]]>
).map(([cmd, words]) => [cmd, words.map(normWord)]);

export const ARG_COMMANDS: Array<[Command, string[]]> = (['status', 'exemption'] as const).map((c) => [
  c,
  [...WORDS[c]].sort((a, b) => b.length - a.length),
]);

/**
 * A menu tap or one of the command words. Inside a draft only whole-message words count
 * (`withArg` false), so an answer that merely contains "投诉" is still an answer.
 */
export function command(input: TextInput, withArg: boolean): { cmd: Command; arg?: string } | null {
  if (input.menuId) {
    const cmd = MENU_COMMANDS[input.menuId];
    return cmd ? { cmd } : null;
  }
  const w = normWord(input.content);
  if (w.length === 0 || w.length > 40) return null;
  for (const [cmd, words] of WORD_COMMANDS) if (words.includes(w)) return { cmd };
  if (!withArg) return null;
  const raw = input.content.normalize('NFKC').trim();
  for (const [cmd, words] of ARG_COMMANDS) {
    const kw = words.find((k) => raw.startsWith(k));
    if (kw) {
      const arg = raw.slice(kw.length).replace(/^[\s:：,，]+/, '').trim();
      if (arg.length > 0) return { cmd, arg };
    }
  }
  return null;
}

/** `TS` + 8 digits + `-` + 4 digits, tolerant of spaces, lower case and full-width characters. */
export function parseCaseNumber(raw: string): string | null {
  if (charLength(raw) > 60) return null;
  const s = raw
    .normalize('NFKC')
    .toUpperCase()
    .replace(/\s+/g, '')
    .replace(/[—–－]/g, '-')
    .replace(/^[:：]/, '');
  const prefix = WORDS.caseNumberPrefix.find((p) => s.startsWith(p));
  const number = (prefix ? s.slice(prefix.length) : s).replace(/^[:：]/, '');
  return CASE_NUMBER.test(number) ? number : null;
}

export function parseGround(input: TextInput): number | null {
  if (input.menuId) {
    const m = /^ground_([1-5])$/.exec(input.menuId);
    return m ? Number(m[1]) - 1 : null;
  }
  const w = normWord(input.content);
  if (w.length === 0 || w.length > 40) return null;
  if (/^[1-5]$/.test(w)) return Number(w) - 1;
  const byLabel = GROUND_CODES.findIndex((g) => normWord(GROUND_LABELS[g]) === w);
  if (byLabel >= 0) return byLabel;
  const hits = GROUND_KEYWORDS.map((kws, i) => (kws.some((k) => w.includes(k)) ? i : -1)).filter((i) => i >= 0);
  return hits.length === 1 ? hits[0] : null;
}

export function parseEditField(input: TextInput): EditField | 'done' | null {
  if (input.menuId) {
    if (input.menuId === EDIT_DONE_ID) return 'done';
    return EDIT_FIELDS.find((f) => editMenuId(f) === input.menuId) ?? null;
  }
  const w = normWord(input.content);
  if (/^[1-7]$/.test(w)) return EDIT_FIELDS[Number(w) - 1];
  if (WORDS.editDone.map(normWord).includes(w)) return 'done';
  return EDIT_FIELDS.find((f) => normWord(EDIT_LABELS[f]) === w) ?? null;
}

export function stageAcceptsMenu(stage: Stage, id: string): boolean {
  switch (stage) {
    case 'ground':
      return /^ground_[1-5]$/.test(id);
    case 'agency_pick':
      return /^agency_pick_\d+$/.test(id) || id === MENU.agencyNone;
    case 'proxy':
      return id === MENU.proxySelf || id === MENU.proxyOther;
    case 'confirm':
      return id === MENU.confirmSubmit || id === MENU.confirmEdit;
    case 'edit_pick':
      return id === EDIT_DONE_ID || EDIT_FIELDS.some((f) => editMenuId(f) === id);
    default:
      return false;
  }
}
