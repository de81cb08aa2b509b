import { expect } from 'chai';
import { DataServiceLookup, VerificationRequest } from '../../entities';
import { startSystem, System } from '../../src/system';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/logger';
import { createApiKey } from '../../src/http/auth';
import { clearTables, testDataSource } from '../helpers/db';
import { Api } from '../helpers/api';
import { DEMO_REGISTER } from '../../src/data-services/demo';

describe('data services: the sandbox household register (户籍) answers 户籍证明 of the demo police unit', () => {
  it('answers a person in the register within about a second, and leaves one not in it to people', async () => {
    const ds = await testDataSource();
    await clearTables(ds);
    const sys: System = await startSystem({ config: loadConfig({ LOG_LEVEL: 'silent' }), dataSource: ds, log: silentLogger, workers: false, port: 0 });
    try {
      const rsj = new Api(sys.url, await createApiKey(ds, 'sandbox RSJ', 'RSJ', new Date()));
      const ask = async (applicant: { name: string; idNumber: string }) => {
        const res = await rsj.post('/verifications', { requesterUnit: 'RSJ', issuerUnit: 'GAJ', serviceItem: '就业登记', certificate: '户籍证明', category: 'digital', applicant, question: '申请人户籍是否在本县' });
        expect(res.status, JSON.stringify(res.body)).to.equal(201);
        return res.body.id as number;
      };
      const known = DEMO_REGISTER[0];
      const t0 = Date.now();
      const a = await ask({ name: known.name, idNumber: known.idNumber });
      await sys.settle();
      expect(Date.now() - t0).to.be.below(3000);
      const answered = await ds.getRepository(VerificationRequest).findOneByOrFail({ id: a });
      expect(answered).to.deep.include({ status: 'answered', result: 'match' });
      expect(answered.reply).to.include(known.address);
      const b = await ask({ name: '赵六', idNumber: '11010519491231002X' });
      await sys.settle();
      expect((await ds.getRepository(VerificationRequest).findOneByOrFail({ id: b })).status).to.equal('pending');
      expect(await ds.getRepository(DataServiceLookup).findOneByOrFail({ requestId: b })).to.deep.include({ status: 'fallback', result: 'unknown' });
    } finally {
      await sys.close();
      await clearTables(ds);
    }
  });
});
