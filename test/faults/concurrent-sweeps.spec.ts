import path from 'path';
import { execFile } from 'child_process';
import { expect } from 'chai';
import { DeadlineStageClaim, OutboxMessage, VerificationRequest } from '../../entities';
import { createApiKey } from '../../src/http/auth';
import { sharedTestUrl } from '../helpers/db';
import { DirectoryMother } from '../helpers/mothers/directory';
import { Api } from '../helpers/api';
import { VerificationMother } from '../helpers/mothers/verification';
import { ROOT, faultEnv, figure, freePort, spawnApp, stopApp } from './harness';

const REQUESTS = 20;
const HOUR = 3_600_000;

/** `nocert scheduler run --now T` as its own process. */
function sweep(at: Date): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, 'dist/src/cli.js'), 'scheduler', 'run', '--now', at.toISOString()], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', DATABASE_URL: sharedTestUrl(), LOG_LEVEL: 'error' } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
    );
  });
}

describe('faults: three instances sweep one database at once', function () {
  this.timeout(240_000);
  const units = DirectoryMother.standard();

  const f = faultEnv(units);

  it('fires each deadline stage of every request once', async () => {
    f.app = spawnApp(f.e, { port: await freePort(), instanceId: 'fault-sweep-app' });
    await f.app.ready();
    const pairs: Array<[string, string]> = [
      ['RSJ', 'GAJ'],
      ['GAJ', 'SCJ'],
      ['SCJ', 'RSJ'],
    ];
    for (let i = 0; i < REQUESTS; i++) {
      const [req, iss] = pairs[i % pairs.length];
      const api = new Api(f.app.url, await createApiKey(f.ds, `sweep ${i}`, req, new Date()));
      const r = await api.post('/verifications', VerificationMother.body({ requesterUnit: req, issuerUnit: iss, question: `并发巡检第 ${i} 件：申请人是否有犯罪记录` }));
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
    }
    await stopApp(f.app);
    f.app = null;

    // Instants across each request's life: a quarter, half, three quarters of the time, the deadline, then days after it.
    const reqs = await f.ds.getRepository(VerificationRequest).find();
    const start = Math.min(...reqs.map((r) => r.createdAt.getTime()));
    const due = Math.max(...reqs.map((r) => r.dueAt.getTime()));
    const instants = [0.5, 1.01].map((f) => new Date(start + (due - start) * f)).concat([1, 3, 6].map((d) => new Date(due + d * 24 * HOUR + 2 * HOUR)));
    const outboxBefore = await f.ds.getRepository(OutboxMessage).count();
    let failures = 0;
    for (const at of instants) {
      const runs = await Promise.all([sweep(at), sweep(at), sweep(at)]);
      for (const r of runs) if (r.code !== 0) failures++, console.error(r.out);
    }

    const claims = await f.ds.getRepository(DeadlineStageClaim).find();
    const stages = new Map<string, number>();
    for (const c of claims) stages.set(`${c.requestId}/${c.stage}`, (stages.get(`${c.requestId}/${c.stage}`) ?? 0) + 1);
    // The same message to the same people twice would mean a stage fired twice.
    const rows = (await f.ds.getRepository(OutboxMessage).find({ order: { id: 'ASC' } })).slice(outboxBefore);
    const copies = new Map<string, number>();
    for (const r of rows) copies.set(`${r.recipients}|${r.payload}`, (copies.get(`${r.recipients}|${r.payload}`) ?? 0) + 1);
    const doubled = [...copies.values()].filter((n) => n > 1).length;
    const sent = claims.filter((c) => c.outcome === 'sent').length;
    figure('concurrent-sweeps', `${instants.length} instants x 3 processes: ${claims.length} stages claimed (${sent} sent, ${claims.length - sent} skipped), each once; ${rows.length} messages queued, ${doubled} doubled; ${failures} sweeps failed`);
    expect(failures).to.equal(0);
    expect(sent).to.be.at.least(REQUESTS);
    expect([...stages.values()].every((n) => n === 1)).to.equal(true);
    expect(doubled).to.equal(0);
  });
});
