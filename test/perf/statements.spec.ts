import { expect } from 'chai';
import { directoryHarness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { DirectoryMother } from '../helpers/mothers/directory';
import { VerificationMother } from '../helpers/mothers/verification';
import { Api } from '../helpers/api';
import { QueryCounter } from '../helpers/query-count';

describe('probe statements', () => {
  const env = directoryHarness(DirectoryMother.standard());
  it('request creation', async () => {
    const h = env.h;
    const api = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj-system', 'RSJ', h.clock.now));
    const qc = new QueryCounter(h.sys.dataSource);
    await api.post('/verifications', VerificationMother.body());
    qc.start();
    const res = await api.post('/verifications', VerificationMother.body());
    const s = qc.stop();
    expect(res.status).to.equal(201);
    console.log(s.length + '\n' + s.map((x) => x.slice(0, 200)).join('\n'));
    qc.start();
    const res2 = await api.post('/verifications', VerificationMother.body(), { 'Idempotency-Key': 'k1' });
    const s2 = qc.stop();
    expect(res2.status).to.equal(201);
    console.log(s2.length + '\n' + s2.map((x) => x.slice(0, 200)).join('\n'));
    qc.detach();
  });
});
