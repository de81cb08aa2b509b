import { expect } from 'chai';
import { DataSource } from 'typeorm';
import { Module, ModuleDeps, Worker } from '../../src/module';
import { MODULES } from '../../src/modules';
import { startSystem, System } from '../../src/system';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/logger';
import { enqueue } from '../../src/wecom/outbox';
import { inTransaction } from '../../src/db/tx';
import { WeComClient } from '../../src/wecom/client';
import { clearTables, testDataSource } from '../helpers/db';

/** A module that records what the composition root does with what it declares. */
function probe() {
  const seen = { clientAtRegister: null as WeComClient | null, passes: 0, busyPasses: 2, nudges: 0, started: 0, stopped: 0, sent: [] as string[] };
  const worker: Worker = {
    name: 'probe',
    intervalMs: 1000,
    wakeOn: ['enter_agent'],
    start: () => void seen.started++,
    nudge: () => void seen.nudges++,
    runOnce: async () => {
      seen.passes++;
      return seen.busyPasses-- > 0;
    },
    stop: async () => void seen.stopped++,
  };
  const module: Module = {
    name: 'probe',
    register(deps: ModuleDeps) {
      seen.clientAtRegister = deps.wecom;
      return { workers: [worker], onSent: [async (row) => void seen.sent.push(row.refType ?? '')] };
    },
    jobs: () => [{ name: 'probe-job', run: async () => [{ action: 'probed' }] }],
  };
  return { module, seen };
}

describe('the module contract (src/module.ts)', () => {
  let ds: DataSource;
  let sys: System;
  let p: ReturnType<typeof probe>;
  before(async () => {
    ds = await testDataSource();
    await clearTables(ds);
    p = probe();
    sys = await startSystem({ config: loadConfig({ LOG_LEVEL: 'silent' }), dataSource: ds, log: silentLogger, workers: false, port: 0, modules: [...MODULES, p.module] });
  });
  after(async () => {
    await sys.close();
    await clearTables(ds);
  });

  it('gives modules the WeCom client when they register, and sweeps their jobs', () => {
    expect(p.seen.clientAtRegister).to.equal(sys.client);
    expect(sys.jobs.map((j) => j.name)).to.include('probe-job');
  });

  it("runs a module's worker in settle() until it is idle, wakes it for its callbacks, and calls every onSent hook", async () => {
    expect(sys.workers.map((w) => w.name)).to.deep.equal(['kf', 'data-service-lookups', 'probe']);
    await sys.settle();
    expect(p.seen.passes, 'two busy passes, then idle twice').to.be.at.least(4);
    expect(p.seen.started, 'workers: false').to.equal(0);

    await sys.emulator!.sendEnterAgent('probe.user');
    await sys.settle();
    expect(p.seen.nudges, 'enter_agent wakes the probe').to.be.at.least(1);

    await inTransaction(ds, (m) => enqueue(m, { channel: 'message', payload: { touser: 'probe.user', msgtype: 'text', text: { content: 'hi' } }, refType: 'probe_text', refId: '1', now: new Date() }));
    await sys.settle();
    expect(p.seen.sent).to.include('probe_text').and.include('assistant');
  });

  it('stops every worker on close', async () => {
    const q = probe();
    const s = await startSystem({ config: loadConfig({ LOG_LEVEL: 'silent' }), dataSource: ds, log: silentLogger, workers: false, port: 0, modules: [...MODULES, q.module] });
    await s.close();
    expect(q.seen.stopped).to.equal(1);
  });
});
