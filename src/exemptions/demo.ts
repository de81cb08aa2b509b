import type { ModuleDeps } from '../module';
import { inTransaction } from '../db/tx';
import { MoreThan } from 'typeorm';
import { OutboxMessage, Unit } from '../../entities';
import type { Actor } from './common';
import { apply } from './applications';
import { review } from './review';
import { publish } from './versions';
import { latestVersion } from './lookup';
import type { ApplicationInput } from './routes';
import { DEMO_ENTRIES, DEMO_NOTE } from './messages';

/**
 * Sandbox mode: a small published list, so a citizen's "is a certificate still required?"
 * finds something. Made the way the office makes one (a unit applies, the office approves,
 * the office publishes), and only while no version exists and the demo units are there.
 */
export async function seedDemoExemptions(deps: Pick<ModuleDeps, 'dataSource' | 'calendar' | 'now'>): Promise<void> {
  const ds = deps.dataSource;
  if (await latestVersion(ds)) return;
  const codes = new Set((await ds.getRepository(Unit).find()).map((u) => u.code));
  const office = (await ds.getRepository(Unit).findOneBy({ isOffice: true }))?.code ?? null;
  if (!DEMO_ENTRIES.every((e) => codes.has(e.requesterUnit) && codes.has(e.issuerUnit))) return;
  const cal = await deps.calendar();
  const now = deps.now();
  const officeActor: Actor = { kind: 'office', unitCode: office, name: 'sandbox demo' };
  await inTransaction(ds, async (m) => {
    const last = (await m.getRepository(OutboxMessage).find({ select: { id: true }, order: { id: 'DESC' }, take: 1 }))[0]?.id ?? 0;
    for (const e of DEMO_ENTRIES) {
      const unit: Actor = { kind: 'unit', unitCode: e.requesterUnit, name: 'sandbox demo' };
      const input = { kind: 'add', reason: 'law_requires', causeDate: cal.localDate(now), ...e } as ApplicationInput;
      const a = await apply(m, cal, unit, input, now);
      await review(m, cal, officeActor, a.id, 'approve', null, now);
    }
    await publish(m, officeActor, { note: DEMO_NOTE }, now);
    // The demo's history is not news: its review cards (already decided) and notices are not sent.
    await m.getRepository(OutboxMessage).delete({ id: MoreThan(last) });
  });
}
