import type { Harness } from '../helpers/system';
import { accept, answer } from '../helpers/scheduler';
import type { seedConsole } from './console-mother';

/** The seeded requests answered: SCJ -> RSJ in 30 office minutes (on time), RSJ -> GAJ at 14:00 (late, 210 minutes). */
export async function answerSeeded(h: Harness, seeded: Pick<Awaited<ReturnType<typeof seedConsole>>, 'escalated' | 'other'>): Promise<void> {
  h.clock.set('2026-12-01T09:45:00+08:00');
  await accept(h, 'rsj.a', seeded.other.id);
  h.clock.set('2026-12-01T10:10:00+08:00');
  await answer(h, 'rsj.a', seeded.other.number);
  h.clock.set('2026-12-01T13:40:00+08:00');
  await accept(h, 'gaj.a', seeded.escalated.id);
  h.clock.set('2026-12-01T14:00:00+08:00');
  await answer(h, 'gaj.a', seeded.escalated.number);
  h.clock.set('2026-12-01T15:00:00+08:00');
}

