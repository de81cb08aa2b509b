import { DataSource, EntityManager } from 'typeorm';
import { Staff } from '../../entities';
import { inTransaction } from '../db/tx';
import { Config } from '../config';
import { formatInZone } from '../calendar';
import { REMINDER_TEXT_REF, queueGroupMarkdown, sendText } from '../wecom/messaging';
import { GapFlag } from './rules';
import { StaffInput, listUnits, upsertStaff } from './service';
import { officeMembers } from './who';
import { GAP_TEXT } from './messages';

export interface UnitGaps {
  code: string;
  name: string;
  gaps: GapFlag[];
}

/** Every unit below the Art. 6 minimum (1 liaison, 2 deputies with an A and a B), by code. */
export async function unitsWithGaps(m: EntityManager, codes?: string[]): Promise<UnitGaps[]> {
  return (await listUnits(m, codes)).filter((u) => u.gaps.length > 0).map((u) => ({ code: u.code, name: u.name, gaps: u.gaps }));
}

/** The gap flags of each unit (all units, or `codes`) before a directory change. */
export async function gapSnapshot(m: EntityManager, codes?: string[]): Promise<Map<string, GapFlag[]>> {
  return new Map((await listUnits(m, codes)).map((u) => [u.code, u.gaps]));
}

/**
 * SPEC 1 Art. 6: the office is told when a directory change makes a unit fall below the
 * minimum, in the change's own transaction. Only flags the change added count, so a gap is
 * told once when it appears, not again on every later edit of a unit still short. A unit
 * absent from `before` (created by this change) counts as new only when `newUnits` says so:
 * the import creates a unit with its staff, while PUT /units creates it empty and staff follow.
 */
export async function tellNewGaps(
  m: EntityManager,
  config: Config,
  before: Map<string, GapFlag[]>,
  now: Date,
  opts: { codes?: string[]; newUnits?: boolean } = {},
): Promise<UnitGaps[]> {
  const after = await unitsWithGaps(m, opts.codes);
  const appeared: UnitGaps[] = [];
  for (const u of after) {
    const was = before.get(u.code);
    if (!was && !opts.newUnits) continue;
    const added = u.gaps.filter((g) => !(was ?? []).includes(g));
    if (added.length) appeared.push(u);
  }
  if (!appeared.length) return [];
  const content = GAP_TEXT.appeared(appeared);
  const key = `unit-gap:${appeared.map((u) => `${u.code}=${u.gaps.join('+')}`).join(',')}:${now.getTime()}`.slice(0, 190);
  const ref = appeared.map((u) => u.code).join(',').slice(0, 80);
  const group = await queueGroupMarkdown(m, config, content, now, { id: ref, dedupeKey: key });
  if (!group) {
    const members = await officeMembers(m, { presentOn: formatInZone(config.officeTz, now).slice(0, 10) });
    const plain = GAP_TEXT.plain(content);
    for (const s of members) await sendText(m, s.userid, plain, now, { refType: REMINDER_TEXT_REF, refId: ref, dedupeKey: `${key}:${s.userid}`.slice(0, 190) });
  }
  return appeared;
}

/**
 * Saves one staff member (PUT /api/v1/units/{code}/staff/{userid}, the console's form) and
 * tells the office in the same transaction when the change leaves a unit short (a move from
 * another unit may leave that unit short too).
 */
export async function saveStaffTelling(ds: DataSource, config: Config, unitCode: string, userid: string, input: StaffInput, now: Date): Promise<{ staff: Staff; created: boolean }> {
  return inTransaction(ds, async (m) => {
    const before = await gapSnapshot(m);
    const saved = await upsertStaff(m, unitCode, userid, input, now);
    await tellNewGaps(m, config, before, now);
    return saved;
  });
}
