/**
 * 投诉举报办法 Art. 12: receivers share what they handled with each other regularly. Once a
 * month each receiver in the directory (the 12345 centre, the approval window, the justice
 * bureau and every agency, as units) gets a summary of what the OTHER receivers received in
 * the month before: counts only (by receiver, ground, agency complained about), no names,
 * phones or facts. The office group is told the month's analysis is ready, with its flags.
 * Exactly once per unit and month (claims), in office hours.
 */
import { Between, IsNull } from 'typeorm';
import { Complaint, Unit } from '../../entities';
import { WorkingCalendar, addMonths, formatInZone, inOfficeHours, parseInstant } from '../calendar';
import { JobDeps } from '../module';
import { Line, once } from '../scheduler';
import { complaintAnalysis, parsePeriod } from './analysis';
import { SHARING } from './lifecycle-messages';
import { CHANNELS, Channel } from './model';
import { officeOrMembers, textToStaff } from './notify';
import { unitContacts } from '../directory/who';

/** The Art. 3 receiver a complaint came through: who registered it, else its channel. */
export function receiverOf(c: Pick<Complaint, 'channel' | 'receivedBy'>): string {
  const by = c.receivedBy.trim();
  if (by && !by.startsWith('kf:')) return by;
  return SHARING.channelReceiver[(CHANNELS as readonly string[]).includes(c.channel) ? (c.channel as Channel) : 'online'];
}

/** Whether a unit is itself the receiver named (by its name or code). */
function isReceiver(unit: Pick<Unit, 'code' | 'name'>, receiver: string): boolean {
  return receiver === unit.name || receiver === unit.code;
}

function top(counts: Map<string, number>, n: number): Array<[string, number]> {
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n);
}

function tally<T>(rows: T[], key: (r: T) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) out.set(key(r), (out.get(key(r)) ?? 0) + 1);
  return out;
}

/** The masked summary a unit receives: only what others received; null when they received nothing. Pure. */
export function sharingSummary(unit: Pick<Unit, 'code' | 'name'>, month: string, rows: Array<Pick<Complaint, 'channel' | 'receivedBy' | 'ground' | 'agencyName'>>): string | null {
  const others = rows.filter((c) => !isReceiver(unit, receiverOf(c)));
  if (!others.length) return null;
  const line = (pairs: Array<[string, number]>, label: (k: string) => string = (k) => k) => pairs.map(([k, n]) => `${label(k)} ${n}件`).join('；');
  return SHARING.summary(
    month,
    others.length,
    line(top(tally(others, receiverOf), 10)),
    line(top(tally(others, (c) => c.ground), 5), (g) => SHARING.ground(g)),
    line(top(tally(others, (c) => c.agencyName), 10)),
  );
}

export async function complaintSharing(d: JobDeps, now: Date): Promise<Line[]> {
  const cal: WorkingCalendar = await d.calendar();
  if (!inOfficeHours(cal, now)) return [];
  const ds = d.dataSource;
  const month = addMonths(`${formatInZone(cal, now).slice(0, 7)}-01`, -1).slice(0, 7);
  const start = parseInstant(`${month}-01T00:00`, cal);
  const end = parseInstant(`${addMonths(`${month}-01`, 1)}T00:00`, cal);
  const lines: Line[] = [];
  const rows = await ds.getRepository(Complaint).find({
    select: { id: true, channel: true, receivedBy: true, ground: true, agencyName: true },
    where: { receivedAt: Between(start, new Date(end.getTime() - 1)), duplicateOf: IsNull() },
  });
  // A month nobody received a complaint in has nothing to share or analyse.
  if (!rows.length) return [];
  const units = await ds.getRepository(Unit).find({ where: { isOffice: false }, order: { code: 'ASC' } });
  for (const u of units) {
    const text = sharingSummary(u, month, rows);
    if (!text) continue;
    // A unit with nobody to read it is skipped (and gets the month once it has a liaison).
    const to = await unitContacts(ds.manager, u.code, { deputies: 'A' });
    if (!to.length) continue;
    const key = `complaint-sharing:${month}:${u.code}`;
    const line = await once(ds, key, 'complaint-sharing', now, async (m) => {
      await textToStaff(m, to, text, now, key);
      return { action: 'complaint_sharing', month, unit: u.code, to };
    });
    if (line) lines.push(line);
  }
  const officeKey = `complaint-analysis:${month}`;
  const office = { chatId: d.config.officeChatId, robotWebhook: d.config.officeRobotWebhook };
  const line = await once(ds, officeKey, 'complaint-sharing', now, async (m) => {
    const a = await complaintAnalysis(m, parsePeriod(month, cal, now), cal, now);
    const flags = a.flagged.map((f) => `${f.label} ${f.count}件${f.serious ? SHARING.seriousMark : ''}`).join('；');
    await officeOrMembers(m, office, SHARING.officeAnalysis(month, a.total, flags), now, officeKey, cal.localDate(now));
    return { action: 'complaint_analysis_ready', month, total: a.total, flagged: a.flagged.length };
  });
  if (line) lines.push(line);
  return lines;
}
