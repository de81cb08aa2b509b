import { DataSource, EntityManager, IsNull } from 'typeorm';
import { VerificationRecipient, VerificationRequest } from '../../entities';
import { ownerAndLiaisons } from '../directory/who';
import { Config } from '../config';
import { Logger } from '../logger';
import { WorkingCalendar } from '../calendar';
import { REMINDER_TEXT_REF } from '../wecom/messaging';

/** What the deadline machinery needs; built from ModuleDeps (or another DataSource in tests). */
export interface DeadlineDeps {
  dataSource: DataSource;
  /** Read at use, not at start: OFFICE_CHAT_ID / OFFICE_ROBOT_WEBHOOK, PUBLIC_URL, OFFICE_TZ. */
  config: Config;
  calendar: () => Promise<WorkingCalendar>;
  log: Logger;
}

export function deadlineDeps(deps: DeadlineDeps): DeadlineDeps {
  return { dataSource: deps.dataSource, config: deps.config, calendar: deps.calendar, log: deps.log };
}

/** Outbox ref types of this module. */
export const REF = {
  text: REMINDER_TEXT_REF,
  escalationCard: 'escalation_card',
  escalationCardUpdate: 'escalation_card_update',
  /** A card closed or overtaken: uses the send's response_code (or a fresh card without buttons). */
  escalationCardClose: 'escalation_card_close',
  orderNotice: 'office_order_notice',
  /** A holder's request card rewritten in place with the latest stage (holder-cards.ts). */
  holderCardUpdate: 'holder_card_update',
  /** The read-only status card of someone told who holds no card of the request (holder-cards.ts). */
  holderWatch: 'holder_watch_card',
} as const;

/** Open: nobody has answered it yet. `returning` (a return without its reason) is open: the deadline runs (Art. 7). */
export function isOpen(req: Pick<VerificationRequest, 'status'>): boolean {
  return req.status === 'pending' || req.status === 'accepted' || req.status === 'returning';
}

export function uniq(xs: string[]): string[] {
  return [...new Set(xs)];
}

/**
 * Who holds the request on the issuing side (Art. 6, 11): its owner once accepted, else
 * everyone whose card is still open (liaison, A, the B who covers); with the present
 * liaisons either way. Escalations, 督办 and 责成 go to them, not to the liaison alone.
 */
export async function holdersOf(m: EntityManager, req: VerificationRequest, today: string): Promise<string[]> {
  const base = await ownerAndLiaisons(m, req, today);
  if (req.assignee) return base;
  const open = await m.getRepository(VerificationRecipient).find({ where: { requestId: req.id, closedAt: IsNull() }, order: { id: 'ASC' } });
  return uniq([...base, ...open.map((r) => r.userid)]);
}
