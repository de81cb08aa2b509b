import { DeadlineStageClaim, OfficeOrder, Staff, VerificationEvent, VerificationRecipient, VerificationRequest } from '../../entities';
import { WorkingCalendar } from '../calendar';
import { EnqueueMessage, OutboxRow, shapeOutboxRow } from '../wecom/outbox';
import { textPayload } from '../wecom/messaging';
import { DeadlineDeps, REF } from './deps';
import { StageTable } from './stages';

/** Test seams for fault injection; production passes none. */
export interface SweepHooks {
  /** Inside the transaction, once per request after its work: a throw rolls the transaction back. */
  inItem?(requestId: number, index: number): Promise<void> | void;
  /** After a transaction committed: a throw ends the sweep at once, as a crash would. */
  afterCommit?(requestIds: number[]): Promise<void> | void;
}

/** What one sweep of due stages knows before its transactions start. */
export interface Ctx {
  d: DeadlineDeps;
  cal: WorkingCalendar;
  /** The office's local date at `now`. */
  today: string;
  table: StageTable;
  now: Date;
  hooks?: SweepHooks;
  /** The directory as this sweep first read it, by unit code: read once, not once per transaction. */
  staff: Map<string, Staff[]>;
  unitNames: Map<string, string>;
  /** Directory reads in flight, by unit code. */
  loading: Map<string, Promise<void>>;
}

/** Everything one transaction writes, flushed in a few statements at its end. */
export class Writes {
  constructor(readonly now: Date) {}
  claims: Array<Omit<DeadlineStageClaim, 'id'>> = [];
  /** Shaped (validated, serialised) as each message is made: its payload object dies young. */
  outbox: OutboxRow[] = [];
  recipients: Array<Omit<VerificationRecipient, 'id'>> = [];
  events: Array<Omit<VerificationEvent, 'id'>> = [];
  trackers: Array<{ id: number; nextStageAt: Date | null; level: number; state: 'active' | 'done' }> = [];

  event(req: VerificationRequest, at: Date, type: string, data: unknown): void {
    this.events.push({ requestId: req.id, at, type, actor: 'system', fromStatus: null, toStatus: null, reason: null, data: JSON.stringify(data) });
  }

  message(msg: EnqueueMessage): void {
    this.outbox.push(shapeOutboxRow(msg));
  }

  text(req: VerificationRequest, userid: string, content: string, key: string): void {
    this.message({ channel: 'message', payload: textPayload(userid, content), refType: REF.text, refId: String(req.id), dedupeKey: key, now: this.now });
  }
}

/** Read once per transaction for all its requests. */
export interface Loaded {
  staffByUnit: Map<string, Staff[]>;
  unitName: Map<string, string>;
  recipients: Map<number, VerificationRecipient[]>;
  claims: Map<number, Set<string>>;
  orders: Map<number, OfficeOrder>;
}

export function group<T, K>(rows: T[], key: (t: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}
