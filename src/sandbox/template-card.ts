/**
 * template_card validation, as far as WeCom documents it for what nocert sends
 * (message/send template_card, DOC 90236; errcodes from the global list, DOC 90313).
 * Returns 0 when the card is acceptable, else the errcode WeCom answers.
 */
import { byteLength } from './sliding-window';

export const CARD_TYPES = [
  'text_notice',
  'news_notice',
  'button_interaction',
  'vote_interaction',
  'multiple_interaction',
] as const;
export type CardType = (typeof CARD_TYPES)[number];

/** Cards whose buttons can be greyed with replace_name (DOC 94888), and whose send answers a response_code. */
export const RESPONSE_CODE_CARDS: ReadonlySet<string> = new Set([
  'button_interaction',
  'vote_interaction',
  'multiple_interaction',
]);

/** task_id: unique per app, [0-9A-Za-z_-@], at most 128 bytes. */
export const TASK_ID_RE = /^[0-9A-Za-z_\-@]{1,128}$/;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nonEmpty(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

/** A card that calls back (clicks): interaction cards, or notices with an action_menu. */
export function isCallbackCard(card: Obj): boolean {
  return RESPONSE_CODE_CARDS.has(String(card.card_type)) || card.action_menu !== undefined;
}

function checkAction(a: unknown, missingCode: number): number {
  if (!isObj(a)) return missingCode;
  const type = a.type === undefined ? 1 : Number(a.type);
  if (type === 1) return nonEmpty(a.url) ? 0 : 42028;
  if (type === 2) return nonEmpty(a.appid) ? 0 : 42030;
  return missingCode;
}

function checkOptions(list: unknown, max: number): number {
  if (!Array.isArray(list) || list.length < 1 || list.length > max) return 42037;
  for (const o of list) {
    if (!isObj(o) || !nonEmpty(o.id)) return 42040;
    if (!nonEmpty(o.text)) return 42041;
  }
  return 0;
}

function checkSubmit(b: unknown): number {
  // DOC 90236: submit_button.text is optional (WeCom shows 提交)
  if (!isObj(b) || (b.text !== undefined && !nonEmpty(b.text))) return 42049;
  if (!nonEmpty(b.key) || byteLength(b.key) > 1024) return 42046;
  return 0;
}

/** `update`: the card of an update_template_card body, which carries no task_id of its own (DOC 94888). */
export function validateTemplateCard(card: unknown, opts: { update?: boolean } = {}): number {
  if (!isObj(card)) return 40058;
  const type = String(card.card_type);
  if (!(CARD_TYPES as readonly string[]).includes(type)) return 42031;

  if (card.task_id !== undefined || (isCallbackCard(card) && !opts.update)) {
    if (typeof card.task_id !== 'string' || !TASK_ID_RE.test(card.task_id)) return 42014;
  }

  if (card.action_menu !== undefined) {
    const menu = card.action_menu;
    if (!isObj(menu) || !Array.isArray(menu.action_list)) return 40058;
    const list = menu.action_list as unknown[];
    if (list.length < 1 || list.length > 3) return 40058;
    const keys = new Set<string>();
    for (const a of list) {
      if (!isObj(a) || !nonEmpty(a.text) || !nonEmpty(a.key)) return 40058;
      if (keys.has(a.key)) return 42051;
      keys.add(a.key);
    }
  }

  const title = isObj(card.main_title) ? card.main_title.title : undefined;
  if (type === 'text_notice') {
    // "main_title.title and sub_title_text may not both be empty"
    if (!nonEmpty(title) && !nonEmpty(card.sub_title_text)) return 42033;
  } else if (!nonEmpty(title)) {
    return 42033;
  }

  if (card.horizontal_content_list !== undefined) {
    const list = card.horizontal_content_list;
    if (!Array.isArray(list) || list.length > 6) return 42035;
    for (const h of list) {
      if (!isObj(h) || !nonEmpty(h.keyname)) return 42027;
      const t = h.type === undefined ? 0 : Number(h.type);
      if (t === 1 && !nonEmpty(h.url)) return 42028;
      if (t === 2 && !nonEmpty(h.media_id)) return 42029;
      if (t === 3 && !nonEmpty(h.userid)) return 42050;
    }
  }

  if (card.jump_list !== undefined) {
    const list = card.jump_list;
    if (!Array.isArray(list) || list.length > 3) return 42042;
    for (const j of list) {
      if (!isObj(j) || !nonEmpty(j.title)) return 42033;
      const t = j.type === undefined ? 0 : Number(j.type);
      if (t === 1 && !nonEmpty(j.url)) return 42028;
      if (t === 2 && !nonEmpty(j.appid)) return 42030;
    }
  }

  if (type === 'text_notice' || type === 'news_notice') {
    const code = checkAction(card.card_action, 42045);
    if (code) return code;
  } else if (card.card_action !== undefined) {
    const code = checkAction(card.card_action, 42045);
    if (code) return code;
  }

  if (type === 'button_interaction') {
    const list = card.button_list;
    // an array over its documented size answers 40058 (DOC 90313, errcode 40058)
    if (!Array.isArray(list) || list.length < 1 || list.length > 6) return 40058;
    const keys = new Set<string>();
    for (const b of list) {
      // two buttons with one key could not be told apart in the click (DOC 90236: keys unique)
      if (isObj(b) && nonEmpty(b.key)) {
        if (keys.has(b.key)) return 42051;
        keys.add(b.key);
      }
      if (!isObj(b) || !nonEmpty(b.text)) return 42038;
      const t = b.type === undefined ? 0 : Number(b.type);
      if (t === 1) {
        if (!nonEmpty(b.url)) return 42028;
      } else if (!nonEmpty(b.key) || byteLength(b.key) > 1024) {
        return 42039;
      }
    }
    if (card.button_selection !== undefined) {
      const s = card.button_selection;
      if (!isObj(s) || !nonEmpty(s.question_key)) return 42043;
      const code = checkOptions(s.option_list, 10);
      if (code) return code;
    }
  }

  if (type === 'vote_interaction') {
    const c = card.checkbox;
    if (!isObj(c) || !nonEmpty(c.question_key)) return 42043;
    const code = checkOptions(c.option_list, 20) || checkSubmit(card.submit_button);
    if (code) return code;
  }

  if (type === 'multiple_interaction') {
    const list = card.select_list;
    if (!Array.isArray(list) || list.length < 1 || list.length > 3) return 42047;
    for (const s of list) {
      if (!isObj(s) || !nonEmpty(s.question_key)) return 42043;
      const code = checkOptions(s.option_list, 10);
      if (code) return code;
    }
    const code = checkSubmit(card.submit_button);
    if (code) return code;
  }

  return 0;
}

/** Keys a user can click on this card (buttons of type 0, or the submit button). */
export function clickableKeys(card: Obj): string[] {
  const keys: string[] = [];
  if (Array.isArray(card.button_list)) {
    for (const b of card.button_list as unknown[]) {
      if (isObj(b) && (b.type === undefined || Number(b.type) === 0) && nonEmpty(b.key)) keys.push(b.key);
    }
  }
  if (isObj(card.submit_button) && nonEmpty(card.submit_button.key)) keys.push(card.submit_button.key);
  return keys;
}

export function menuKeys(card: Obj): string[] {
  const menu = card.action_menu;
  if (!isObj(menu) || !Array.isArray(menu.action_list)) return [];
  return (menu.action_list as unknown[]).filter(isObj).map((a) => String(a.key));
}

export interface SelectedItem {
  questionKey: string;
  optionIds: string[];
}

/** What a click selects when the caller does not say: the preset or the first option. */
export function defaultSelection(card: Obj): SelectedItem[] {
  const firstIds = (list: unknown): string[] =>
    Array.isArray(list) && isObj(list[0]) && nonEmpty(list[0].id) ? [list[0].id] : [];
  const out: SelectedItem[] = [];
  const sel = card.button_selection;
  if (isObj(sel) && nonEmpty(sel.question_key)) {
    out.push({
      questionKey: sel.question_key,
      optionIds: nonEmpty(sel.selected_id) ? [sel.selected_id] : firstIds(sel.option_list),
    });
  }
  const cb = card.checkbox;
  if (isObj(cb) && nonEmpty(cb.question_key)) {
    const opts = Array.isArray(cb.option_list) ? (cb.option_list as unknown[]).filter(isObj) : [];
    const checked = opts.filter((o) => o.is_checked === true).map((o) => String(o.id));
    out.push({ questionKey: cb.question_key, optionIds: checked.length ? checked : firstIds(cb.option_list) });
  }
  if (Array.isArray(card.select_list)) {
    for (const s of card.select_list as unknown[]) {
      if (!isObj(s) || !nonEmpty(s.question_key)) continue;
      out.push({
        questionKey: s.question_key,
        optionIds: nonEmpty(s.selected_id) ? [s.selected_id] : firstIds(s.option_list),
      });
    }
  }
  return out;
}
