import type { OutboxMessage } from '../../../entities/OutboxMessage';

/** What WeCom's errcodes mean for an outbox row. */

/**
 * Answers that mean "not deliverable as it stands": retrying cannot help, so the row is
 * failed at once (and stays visible). Anything else not listed is retried with backoff
 * until maxAttempts. Sources: WECOM.md §3–§7, DOC 90313.
 */
export const PERMANENT_ERRCODES: ReadonlySet<number> = new Set([
  40003, // invalid userid
  40008, // invalid message type
  40032, // too many recipients
  40056, 41011, 301002, // agentid missing / invalid / another app's
  40058, // invalid parameter
  40096, // invalid external_userid
  41010, 41016, 41033, // textcard url / title / description missing
  42015, 42016, 42017, 42018, // card of another app, unknown task_id, bad button key
  43012, // interactive card without a callback URL
  44004, 45002, // empty or too long content
  48002, // API not allowed for this app
  60011, // no privilege (appchat needs the root department in the visible range)
  81013, 82001, // no valid recipient
  86001, 86003, 86004, 86005, 86006, 86007, 86008, 86201, 86215, // appchat
  93000, // invalid robot webhook
  95000, 95001, 95002, 95008, 95009, 95018, // kf: account, 5-message cap, 48 h window, menu, session state
  95033, // kf msgid already used (on a first try: a collision)
  41049, 41050, // welcome code missing, used or expired
]);

/** Configuration problems: every call fails until an admin acts; rows wait, never fail. */
export const HALT_ERRCODES: ReadonlySet<number> = new Set([60020]);

function isCardValidationError(errcode: number): boolean {
  return errcode >= 42020 && errcode <= 42099 && errcode !== 42014;
}

/**
 * What a WeCom refusal means for a row (outages, HALT_ERRCODES and wrong credentials are
 * the dispatcher's, before this): `delivered` when the refusal proves an earlier try of
 * the row went through, `failed` when retrying cannot help, otherwise `retry`.
 */
export function errcodeVerdict(row: Pick<OutboxMessage, 'channel' | 'payload'>, code: number, triedBefore: boolean): { kind: 'delivered'; note: string } | { kind: 'failed' } | { kind: 'retry' } {
  const isCard = row.channel === 'message' && (JSON.parse(row.payload) as { msgtype?: unknown }).msgtype === 'template_card';
  // WECOM.md §3: the task_id was used by our earlier try, so the card was delivered.
  if (isCard && code === 42014 && triedBefore) return { kind: 'delivered', note: 'task_id already used by an earlier try: delivered then' };
  // The response_code works once: our earlier try used it.
  if (row.channel === 'update_card' && code === 60140 && triedBefore) return { kind: 'delivered', note: 'response_code already used by an earlier try: updated then' };
  // WECOM.md §6: a kf msgid already used answers 95033; ours is per row, so our earlier try delivered it.
  if ((row.channel === 'kf' || row.channel === 'kf_event') && code === 95033 && triedBefore) return { kind: 'delivered', note: 'kf msgid already used by an earlier try: delivered then' };
  if (PERMANENT_ERRCODES.has(code) || isCardValidationError(code) || code === 42014 || code === 60140) return { kind: 'failed' };
  return { kind: 'retry' };
}
