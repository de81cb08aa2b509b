/**
 * Every button / menu key prefix a card can carry. A key is `<action>:<argument>`.
 * The dispatcher refuses to start when an action here has no handler (Bolt-style).
 */
export const CARD_ACTIONS = ['verif_accept', 'verif_return', 'verif_act', 'complaint', 'exm_start', 'exm_confirm', 'exm_review', 'exm_resubmit', 'office_urge', 'office_order', 'office_summons', 'meeting_ack', 'acc_appeal', 'acc_exempt', 'acc_ok', 'meeting_agenda', 'meeting_progress'] as const;

export type CardAction = (typeof CARD_ACTIONS)[number];

export function cardKey(action: CardAction | string, arg: string | number): string {
  return `${action}:${arg}`;
}

export function parseCardKey(key: string): { action: string; arg: string } | null {
  const i = key.indexOf(':');
  if (i <= 0) return null;
  return { action: key.slice(0, i), arg: key.slice(i + 1) };
}
