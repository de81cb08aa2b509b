import { z } from 'zod';
import { WorkingCalendar, DeadlineCategory, DEADLINE_CATEGORIES, inOfficeHours, nextOfficeInstant, pointAtFraction } from '../calendar';

/**
 * THE table of deadline stages (SPEC 1 Art. 7, 10, 11). Fractions are of the office time
 * between the start and the deadline; null switches a stage off. The office may override
 * any value per category through `PUT /api/v1/deadline-stages` (stored in scheduler_state);
 * these are the defaults.
 */
export interface StageRules {
  /** Reminder to the liaison and deputy A (and the owner once accepted), while unanswered. */
  reminderAt: number | null;
  /** Backup ping: deputy B gets the 受理/退回 card when nobody has acted by then. */
  backupAt: number | null;
  /** Last warning to everyone on the request. */
  warningAt: number | null;
  /** Escalation level 1 happens at the deadline; this lets it go out outside office hours. */
  escalateOutsideOfficeHours: boolean;
  /** An office order (责成限时办结) has its own reminder and last warning, as fractions of its time. */
  orderReminderAt: number | null;
  orderWarningAt: number | null;
}

export type StageTable = Readonly<Record<DeadlineCategory, StageRules>>;

export const DEFAULT_STAGE_RULES: StageTable = Object.freeze({
  digital: Object.freeze({ reminderAt: 0.5, backupAt: 0.5, warningAt: 0.9, escalateOutsideOfficeHours: true, orderReminderAt: 0.5, orderWarningAt: 0.9 }),
  paper: Object.freeze({ reminderAt: 0.5, backupAt: 0.5, warningAt: 0.9, escalateOutsideOfficeHours: false, orderReminderAt: 0.5, orderWarningAt: 0.9 }),
  historical: Object.freeze({ reminderAt: 0.5, backupAt: 0.5, warningAt: 0.9, escalateOutsideOfficeHours: false, orderReminderAt: 0.5, orderWarningAt: 0.9 }),
});

const fraction = z.number().gt(0).lt(1).nullable();
export const stageRulesPatch = z
  .object({
    reminderAt: fraction,
    backupAt: fraction,
    warningAt: fraction,
    escalateOutsideOfficeHours: z.boolean(),
    orderReminderAt: fraction,
    orderWarningAt: fraction,
  })
  .partial()
  .strict();
export const stageTablePatch = z
  .object({ digital: stageRulesPatch, paper: stageRulesPatch, historical: stageRulesPatch })
  .partial()
  .strict();
export type StageTablePatch = z.infer<typeof stageTablePatch>;

/** The defaults with the office's overrides on top. */
export function effectiveRules(patch: StageTablePatch | null | undefined): StageTable {
  const out = {} as Record<DeadlineCategory, StageRules>;
  for (const c of DEADLINE_CATEGORIES) out[c] = { ...DEFAULT_STAGE_RULES[c], ...(patch?.[c] ?? {}) };
  return out;
}

/** Stage kinds in firing order; `escalation*` are the office's business, the rest reminders. */
export type StageKind = 'reminder' | 'backup' | 'warning' | 'escalation1' | 'order_reminder' | 'order_warning' | 'escalation2';

export interface PlannedStage {
  /** Unique per request: 'reminder', 'backup', 'warning', 'escalation1', 'order<N>:reminder'... */
  stage: string;
  kind: StageKind;
  /** When it should fire: already held to office hours unless `anyHour`. */
  at: Date;
  /** The instant it falls on before holding it to office hours. */
  raw: Date;
  anyHour: boolean;
  orderId?: number;
}

export interface PlanInput {
  category: DeadlineCategory;
  startedAt: Date;
  dueAt: Date;
  /** Requests recorded offline (fax, email, OA) have no cards: only the deadline matters. */
  online: boolean;
}

export interface PlanOrder {
  id: number;
  createdAt: Date;
  completeBy: Date;
}

function held(cal: WorkingCalendar, raw: Date, anyHour: boolean): Date {
  return anyHour ? raw : nextOfficeInstant(cal, raw);
}

/**
 * Every stage of a request (and of the office's current order), with its firing instant.
 * Pure: the calendar and the rules in, the plan out.
 */
export function planStages(cal: WorkingCalendar, table: StageTable, req: PlanInput, order: PlanOrder | null): PlannedStage[] {
  const r = table[req.category];
  const out: PlannedStage[] = [];
  const at = (f: number) => pointAtFraction(cal, req.startedAt, req.dueAt, f);
  const add = (stage: string, kind: StageKind, raw: Date, anyHour: boolean, orderId?: number) =>
    out.push({ stage, kind, raw, at: held(cal, raw, anyHour), anyHour, ...(orderId !== undefined ? { orderId } : {}) });
  if (req.online) {
    if (r.reminderAt !== null) add('reminder', 'reminder', at(r.reminderAt), false);
    if (r.backupAt !== null) add('backup', 'backup', at(r.backupAt), false);
    if (r.warningAt !== null) add('warning', 'warning', at(r.warningAt), false);
  }
  add('escalation1', 'escalation1', req.dueAt, r.escalateOutsideOfficeHours);
  if (order) {
    const p = `order${order.id}:`;
    const oat = (f: number) => pointAtFraction(cal, order.createdAt, order.completeBy, f);
    if (r.orderReminderAt !== null) add(`${p}reminder`, 'order_reminder', oat(r.orderReminderAt), false, order.id);
    if (r.orderWarningAt !== null) add(`${p}warning`, 'order_warning', oat(r.orderWarningAt), false, order.id);
    add(`${p}escalation2`, 'escalation2', order.completeBy, r.escalateOutsideOfficeHours, order.id);
  }
  return out;
}

export { inOfficeHours };

export interface Decision {
  fire: PlannedStage[];
  /** Due, but overtaken by a later stage due at the same sweep: recorded, never sent. */
  skip: Array<{ stage: PlannedStage; note: string }>;
  /** Due, but outside office hours: wait for the next opening. */
  wait: PlannedStage[];
}

const REMINDERS: ReadonlySet<StageKind> = new Set(['reminder', 'warning', 'order_reminder', 'order_warning']);

/**
 * Which due stages fire now. After a pause (a clock jump, a stopped server), several may be
 * due at once: only the latest reminder goes out and an escalation overtakes every reminder,
 * so nobody gets "half the time is up" after the deadline. A backup ping is routing, not a
 * reminder: it still goes out when due. Outside office hours only `anyHour` stages fire.
 */
export function decide(plan: PlannedStage[], claimed: ReadonlySet<string>, now: Date, officeOpen: boolean): Decision {
  const due = plan.filter((s) => !claimed.has(s.stage) && s.at.getTime() <= now.getTime());
  const d: Decision = { fire: [], skip: [], wait: [] };
  const escalating = due.some((s) => s.kind === 'escalation1' || s.kind === 'escalation2');
  // An escalation of an old order is overtaken by the current order's (plan holds one order only).
  const lastReminder = [...due].filter((s) => REMINDERS.has(s.kind)).sort((a, b) => a.raw.getTime() - b.raw.getTime()).pop();
  for (const s of due) {
    if (REMINDERS.has(s.kind) && (escalating || s !== lastReminder)) {
      d.skip.push({ stage: s, note: 'superseded' });
      continue;
    }
    if (!officeOpen && !s.anyHour) {
      d.wait.push(s);
      continue;
    }
    d.fire.push(s);
  }
  return d;
}

/**
 * When the tracker next needs a sweep: the earliest stage not yet claimed; a stage that is
 * due but waits for office hours counts from the next opening. null: nothing left.
 */
export function nextWake(cal: WorkingCalendar, plan: PlannedStage[], claimed: ReadonlySet<string>, now: Date): Date | null {
  let next: number | null = null;
  let opening: number | null = null;
  for (const s of plan) {
    if (claimed.has(s.stage)) continue;
    let t = s.at.getTime();
    if (t <= now.getTime() && !s.anyHour) t = opening ??= nextOfficeInstant(cal, now).getTime();
    if (next === null || t < next) next = t;
  }
  return next === null ? null : new Date(next);
}
