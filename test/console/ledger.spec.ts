import { expect } from 'chai';
import { PersonalDataRead, VerificationRequest } from '../../entities';
import { createApiKey } from '../../src/http/auth';
import { Api } from '../helpers/api';
import { ConsoleClient, consoleHarness } from './console-mother';
import { sheetRows } from './directory-files';

describe('console: the workbench ledgers and their xlsx export (SPEC 1 Art. 3, 8, 9, 12)', () => {
  const env = consoleHarness();
  let escalated: VerificationRequest;
  let other: VerificationRequest;

  beforeEach(async () => {
    const h = env.h;
    const all = await h.sys.dataSource.getRepository(VerificationRequest).find({ order: { id: 'ASC' } });
    [escalated, other] = all;
    expect(escalated.issuerUnit).to.equal('GAJ');
    expect(other.requesterUnit).to.equal('SCJ');
    // RSJ (the requesting unit of the escalated request) records an on-site check in its ledger.
    const rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj-ledger', 'RSJ', h.clock.now));
    const res = await rsj.post(`/verifications/${escalated.id}/ledger`, { kind: 'onsite', material: '现场查验户口簿原件', outcome: '一致' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  });

  const reads = (via: string, reader: string) => env.h.sys.dataSource.getRepository(PersonalDataRead).find({ where: { via: via as PersonalDataRead['via'], reader }, order: { requestId: 'ASC' } });

  it('the office sees both ledgers with the list filters, applicants masked, and the view goes to the read log', async () => {
    const office = new ConsoleClient(env.h);
    await office.login('office.duty');
    const list = await (await office.get('/console/verifications?unit=GAJ')).text();
    expect(list).to.include('href="/console/verifications/ledger?unit=GAJ"').and.include('href="/console/verifications/export?unit=GAJ"');
    const page = await (await office.get('/console/verifications/ledger')).text();
    expect(page).to.include(escalated.number).and.include(other.number).and.include('现场查验户口簿原件').and.include('现场核验');
    expect(page).to.include('张*三').and.not.include('张小三').and.not.include(escalated.applicantIdNumber);
    expect(page).to.include(`${escalated.applicantIdNumber.slice(0, 6)}********${escalated.applicantIdNumber.slice(-4)}`);
    expect((await reads('console', 'office.duty')).map((r) => [r.requestId, r.fields])).to.deep.equal([
      [escalated.id, 'applicant_masked,ledger'],
      [other.id, 'applicant_masked,ledger'],
    ]);
    // The list's filters apply: GAJ takes part only in the escalated request.
    const gaj = await (await office.get('/console/verifications/ledger?unit=GAJ')).text();
    expect(gaj).to.include(escalated.number).and.not.include(other.number);
    const byNumber = await (await office.get(`/console/verifications/ledger?number=${other.number}`)).text();
    expect(byNumber).to.include(other.number).and.not.include(escalated.number).and.not.include('现场查验户口簿原件');
    const kind = await (await office.get('/console/verifications/ledger?kind=voluntary')).text();
    expect(kind).to.not.include('现场查验户口簿原件');
    const bad = await office.get('/console/verifications/ledger?from=2026-12-05&to=2026-12-01');
    expect(bad.status).to.equal(400);
    expect(await bad.text()).to.include('截止日期早于开始日期');
  });

  it('the office exports the filtered ledger as xlsx: masked applicants, the entry sheet, and the export in the read log', async () => {
    const office = new ConsoleClient(env.h);
    await office.login('office.duty');
    const res = await office.get('/console/verifications/export');
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.include('spreadsheetml');
    expect(res.headers.get('content-disposition')).to.include('ledger-all-start-now.xlsx');
    const [reqs, entries] = await sheetRows(await res.arrayBuffer());
    expect(reqs[0][0]).to.equal('编号');
    expect(reqs.slice(1).map((r) => r[0])).to.deep.equal([escalated.number, other.number]);
    expect(reqs[1][7]).to.equal('张*三');
    expect(reqs.flat().join('|')).to.not.include(escalated.applicantIdNumber).and.not.include(other.applicantIdNumber);
    expect(entries.slice(1).map((r) => [r[0], r[1], r[2], r[4]])).to.deep.equal([[escalated.number, 'RSJ', '现场核验', '现场查验户口簿原件']]);
    expect((await reads('export', 'office.duty')).map((r) => r.requestId)).to.deep.equal([escalated.id, other.id]);

    const filtered = await office.get(`/console/verifications/export?status=${escalated.status}&number=${escalated.number}`);
    const [only] = await sheetRows(await filtered.arrayBuffer());
    expect(only.slice(1).map((r) => r[0])).to.deep.equal([escalated.number]);
  });

  it('unit staff export only their own unit, whatever unit they ask for', async () => {
    const scj = new ConsoleClient(env.h);
    await scj.login('scj.liaison');
    for (const url of ['/console/verifications/export', '/console/verifications/export?unit=GAJ', '/console/verifications/export?unit=RSJ']) {
      const res = await scj.get(url);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-disposition')).to.include('ledger-SCJ-');
      const [reqs, entries] = await sheetRows(await res.arrayBuffer());
      expect(reqs.slice(1).map((r) => r[0]), url).to.deep.equal([other.number]);
      // RSJ's ledger entry is RSJ's own.
      expect(entries.slice(1), url).to.deep.equal([]);
    }
    const logged = await reads('export', 'scj.liaison');
    expect(logged.map((r) => r.requestId)).to.deep.equal([other.id, other.id, other.id]);
    expect(logged.every((r) => r.readerUnit === 'SCJ')).to.equal(true);
    const page = await (await scj.get('/console/verifications/ledger?unit=GAJ')).text();
    expect(page).to.include(other.number).and.not.include(escalated.number);
  });

  it('a signed-out browser gets no export, it is sent to sign in', async () => {
    const anon = new ConsoleClient(env.h);
    const res = await anon.get('/console/verifications/export');
    expect(res.status).to.equal(302);
    expect(res.headers.get('location')).to.match(/^\/console\/login\?next=/);
    expect(await env.h.sys.dataSource.getRepository(PersonalDataRead).countBy({ via: 'export' })).to.equal(0);
  });
});
