import { DataSource, EntityManager } from 'typeorm';
import { VerificationRequest } from '../../entities';
import { Config } from '../config';
import { Logger } from '../logger';
import { WorkingCalendar } from '../calendar';
import { REMINDER_TEXT_REF, queueText as queueTextAs } from '../wecom/notices';
import { unitLiaisons } from '../directory/who';

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
  orderNotice: 'office_order_notice',
} as const;

/** Open: nobody has answered it yet. `returning` (a return without its reason) is open: the deadline runs (Art. 7). */
export function isOpen(req: Pick<VerificationRequest, 'status'>): boolean {
  return req.status === 'pending' || req.status === 'accepted' || req.status === 'returning';
}

/** The issuing unit's accountable people now: the owner once accepted, and its liaisons. */
export async function ownerAndLiaisons(m: EntityManager, req: VerificationRequest, today: string): Promise<string[]> {
  const liaisons = (await unitLiaisons(m, req.issuerUnit, today)).map((s) => s.userid);
  return uniq([...(req.assignee ? [req.assignee] : []), ...liaisons]);
}

export function uniq(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** One deadline text message, idempotent by its key. */
export function queueText(m: EntityManager, touser: string, content: string, now: Date, refId: string, dedupeKey: string): Promise<void> {
  return queueTextAs(m, touser, content, now, { type: REF.text, id: refId, dedupeKey });
}
