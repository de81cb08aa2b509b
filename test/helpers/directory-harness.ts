import { Harness, startHarness } from './system';
import { DirectoryMother, UnitSpec } from './mothers/directory';

/**
 * The real server over the emulator on a seeded directory, fresh for every test. Call it
 * inside a `describe`: it registers the mocha hooks (start once, reset, set the clock and
 * seed before each test, close at the end); the spec's own hooks run after these.
 */
export function directoryHarness(units: UnitSpec[], opts: { start?: string; officeRobot?: boolean } = {}): { readonly h: Harness } {
  const env = { h: undefined as unknown as Harness };
  before(async () => {
    env.h = await startHarness({ members: DirectoryMother.members(units), officeRobot: opts.officeRobot });
  });
  after(async () => env.h.close());
  beforeEach(async () => {
    await env.h.reset();
    env.h.clock.set(opts.start ?? '2026-11-26T09:00:00+08:00');
    await DirectoryMother.seed(env.h.sys.dataSource, units);
  });
  return env;
}
