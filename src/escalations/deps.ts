import { DataSource } from 'typeorm';
import { VerificationRequest } from '../../entities';
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
  orderNotice: 'office_order_notice',
} as const;

export function isOpen(req: Pick<VerificationRequest, 'status'>): boolean {
  return req.status === 'pending' || req.status === 'accepted';
}

export function uniq(xs: string[]): string[] {
  return [...new Set(xs)];
}
