import { expect } from 'chai';
import { createApiKey } from '../../src/http/auth';
import { VerificationRequest } from '../../entities';
import { DirectoryMother } from '../helpers/mothers/directory';
import { VerificationMother } from '../helpers/mothers/verification';
import { Api } from '../helpers/api';
import { directoryHarness } from '../helpers/system';

describe('verification: caseStartedAt is bounded', () => {
  const env = directoryHarness(DirectoryMother.standard());
  let rsj: Api;
  beforeEach(async () => {
    rsj = new Api(env.h.sys.url, await createApiKey(env.h.sys.dataSource, 'rsj-system', 'RSJ', env.h.clock.now));
  });

  it('refuses a case start in the future or before the calendar, and keeps a plausible one', async () => {
    const h = env.h;
    const first = (await h.sys.calendar.get()).knownYears()[0];
    const future = new Date(h.clock.now.getTime() + 3600_000).toISOString();
    const ancient = `${first - 1}-12-31T08:00:00+08:00`;
    for (const caseStartedAt of [future, ancient, '0001-01-01T00:00:00Z']) {
      const res = await rsj.post('/verifications', VerificationMother.body({ caseStartedAt }));
      expect(res.status, caseStartedAt).to.equal(422);
      expect(res.body.error.code).to.equal('validation_failed');
      expect(res.body.error.message).to.match(/caseStartedAt/);
    }
    expect(await h.sys.dataSource.getRepository(VerificationRequest).count()).to.equal(0);
    const ok = await rsj.post('/verifications', VerificationMother.body({ caseStartedAt: new Date(h.clock.now.getTime() - 86_400_000).toISOString() }));
    expect(ok.status, JSON.stringify(ok.body)).to.equal(201);
  });
});
