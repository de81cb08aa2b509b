import { EntityManager, In, IsNull } from 'typeorm';
import { VerificationRecipient, VerificationRequest } from '../../entities';
import { WorkingCalendar, officeMinutesBetween, shortTime } from '../calendar';
import { formatLate } from '../calendar/messages';
import { unitNames } from '../directory/who';
import { TODO } from './messages';

/** What the person still has to do on a request. */
export type OpenWorkState = 'to_accept' | 'accepted' | 'returning';

export interface OpenWork {
  request: VerificationRequest;
  state: OpenWorkState;
}

/**
 * The person's open requests, most urgent (earliest deadline) first: those they own and
 * must answer (or give a return reason for), and those whose 受理/退回 card they hold.
 */
export async function openWorkOf(m: EntityManager, userid: string): Promise<OpenWork[]> {
  const repo = m.getRepository(VerificationRequest);
  const owned = await repo.find({ where: { assignee: userid, status: In(['accepted', 'returning']) } });
  const cards = await m.getRepository(VerificationRecipient).find({ where: { userid, closedAt: IsNull() }, select: { requestId: true } });
  const pending = cards.length ? await repo.find({ where: { id: In([...new Set(cards.map((c) => c.requestId))]), status: 'pending' } }) : [];
  const out: OpenWork[] = [
    ...owned.map((request) => ({ request, state: (request.status === 'accepted' ? 'accepted' : 'returning') as OpenWorkState })),
    ...pending.map((request) => ({ request, state: 'to_accept' as const })),
  ];
  return out.sort((a, b) => a.request.dueAt.getTime() - b.request.dueAt.getTime() || a.request.id - b.request.id);
}

/** The short form of a number: its serial after the date (HC20261207-0007 -> 0007). */
export function shortNumber(number: string): string {
  return number.slice(number.lastIndexOf('-') + 1);
}

export type Resolved = { kind: 'one'; work: OpenWork } | { kind: 'none' } | { kind: 'ambiguous'; candidates: OpenWork[] };

/**
 * A number as the person typed it (HC20261207-0007, 0007, 7) among their open requests:
 * one when unambiguous, else none or the candidates to list. `states` limits what counts
 * (e.g. only requests they must answer).
 */
export async function resolveNumber(m: EntityManager, userid: string, typed: string, states?: OpenWorkState[]): Promise<Resolved> {
  const t = typed.trim().toUpperCase();
  const work = (await openWorkOf(m, userid)).filter((w) => !states || states.includes(w.state));
  let hits: OpenWork[];
  if (/^HC\d{8}-\d{4,}$/.test(t)) hits = work.filter((w) => w.request.number === t);
  else if (/^\d{1,6}$/.test(t)) hits = work.filter((w) => Number(shortNumber(w.request.number)) === Number(t));
  else hits = [];
  if (hits.length === 1) return { kind: 'one', work: hits[0] };
  return hits.length ? { kind: 'ambiguous', candidates: hits } : { kind: 'none' };
}

/** One line per request: requesting unit, item, deadline, time left or late (office time), state, short number. */
export async function openWorkLines(m: EntityManager, cal: WorkingCalendar, tz: string, work: OpenWork[], now: Date): Promise<string[]> {
  const units = await unitNames(m, work.map((w) => w.request.requesterUnit));
  const shorts = new Map<string, number>();
  for (const w of work) shorts.set(shortNumber(w.request.number), (shorts.get(shortNumber(w.request.number)) ?? 0) + 1);
  return work.map((w, i) => {
    const r = w.request;
    const late = now.getTime() > r.dueAt.getTime();
    const span = formatLate(late ? officeMinutesBetween(cal, r.dueAt, now) : officeMinutesBetween(cal, now, r.dueAt));
    const short = shortNumber(r.number);
    return TODO.line(i + 1, {
      requester: units.get(r.requesterUnit) ?? r.requesterUnit,
      item: r.serviceItem,
      due: shortTime(tz, r.dueAt).slice(5),
      left: TODO.left(late, span),
      state: TODO.state[w.state],
      // A short number shared by two open requests is shown in full.
      short: (shorts.get(short) ?? 0) > 1 ? r.number : short,
    });
  });
}
