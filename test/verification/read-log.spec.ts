import { expect } from 'chai';
import { directoryHarness, Harness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { DirectoryMother } from '../helpers/mothers/directory';
import { VerificationMother, idNumber } from '../helpers/mothers/verification';
import { ComplaintMother } from '../helpers/mothers/complaints';
import { Api } from '../helpers/api';

describe('the read log (SPEC 1 Art. 12): API reads are logged, the office lists them; unit keys read complaints masked', () => {
  let h: Harness;
  let office: Api;
  let rsj: Api;
  let gaj: Api;
  const units = DirectoryMother.standard();
  const env = directoryHarness(units);

  beforeEach(async () => {
    h = env.h;
    const ds = h.sys.dataSource;
    office = new Api(h.sys.url, await createApiKey(ds, 'office-console', null, h.clock.now));
    rsj = new Api(h.sys.url, await createApiKey(ds, 'rsj-system', 'RSJ', h.clock.now));
    gaj = new Api(h.sys.url, await createApiKey(ds, 'gaj-system', 'GAJ', h.clock.now));
  });

  async function create() {
    const res = await rsj.post('/verifications', VerificationMother.body());
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body as { id: number; number: string };
  }

  it('GET /verifications/{id}, lists and ledgers are logged; the office lists the log by request, reader and period, paginated', async () => {
    const r1 = await create();
    const r2 = await create();
    h.clock.set('2026-11-26T10:00:00+08:00');
    expect((await rsj.get(`/verifications/${r1.id}`)).status).to.equal(200);
    h.clock.set('2026-11-26T10:05:00+08:00');
    expect((await gaj.get(`/verifications/${r1.number}`)).status).to.equal(200);
    expect((await office.get(`/verifications/${r1.id}`)).status).to.equal(200);
    // a refused read (another unit's request) is not a read
    const scj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'scj-system', 'SCJ', h.clock.now));
    expect((await scj.get(`/verifications/${r1.id}`)).status).to.equal(404);
    h.clock.set('2026-11-27T09:00:00+08:00');
    expect((await gaj.get('/ledgers?from=2026-11-26&to=2026-11-26')).status).to.equal(200);
    const exp = await fetch(`${h.sys.url}/api/v1/ledgers/export?from=2026-11-26`, { headers: { authorization: `Bearer ${rsj.key}` } });
    expect(exp.status).to.equal(200);

    const byRequest = await office.get(`/personal-data-reads?request=${r1.number}`);
    expect(byRequest.status, JSON.stringify(byRequest.body)).to.equal(200);
    expect(byRequest.body.total).to.equal(5);
    expect(byRequest.body.items.map((i: any) => [i.reader, i.readerUnit, i.via, i.at])).to.deep.equal([
      ['api:rsj-system', 'RSJ', 'export', '2026-11-27T09:00:00+08:00'],
      ['api:gaj-system', 'GAJ', 'api', '2026-11-27T09:00:00+08:00'],
      ['api:office-console', null, 'api', '2026-11-26T10:05:00+08:00'],
      ['api:gaj-system', 'GAJ', 'api', '2026-11-26T10:05:00+08:00'],
      ['api:rsj-system', 'RSJ', 'api', '2026-11-26T10:00:00+08:00'],
    ]);
    expect(byRequest.body.items[4]).to.deep.include({ subject: 'verification', request: { id: r1.id, number: r1.number } });
    expect(byRequest.body.items[4].fields).to.include('question');

    const gajReads = await office.get('/personal-data-reads?reader=api:gaj-system');
    expect(gajReads.body.items.map((i: any) => i.request.id)).to.have.members([r1.id, r1.id, r2.id]);
    const day = await office.get('/personal-data-reads?from=2026-11-26&to=2026-11-26');
    expect(day.body.total).to.equal(3);
    const page = await office.get(`/personal-data-reads?request=${r2.id}&limit=1&offset=1`);
    expect(page.body).to.deep.include({ total: 2, limit: 1, offset: 1 });
    expect(page.body.items.map((i: any) => i.via)).to.deep.equal(['api']);

    expect((await rsj.get('/personal-data-reads')).status, 'a unit key cannot read the log').to.equal(403);
    expect((await office.get('/personal-data-reads?from=2026-13-40')).status).to.equal(422);
  });

  it('complaint views: logged; a unit key gets names, ID numbers and phones in free text masked', async () => {
    const facts = `投诉人李四（身份证${idNumber()}，电话0533-1234567）在窗口被要求开证明，经办人王五说联系人：赵六，手机13912345678。`;
    const reg = await office.post('/complaints', ComplaintMother.letter({ agencyCode: 'GAJ', facts, request: '请李四的诉求得到答复，回电 0533 1234567' }));
    expect(reg.status, JSON.stringify(reg.body)).to.equal(201);
    const id = reg.body.id;
    expect((await office.post(`/complaints/${id}/accept`, {})).status).to.equal(200);
    // Art. 10: the agency applies for the extension, the office grants it.
    expect((await gaj.post(`/complaints/${id}/extension`, { days: 2, reason: '需向李四（13912345678）核实' })).status).to.equal(201);
    expect((await office.post(`/complaints/${id}/extension/decision`, { grant: true })).status).to.equal(200);

    const seen = await gaj.get(`/complaints/${reg.body.number}`);
    expect(seen.status).to.equal(200);
    const text = JSON.stringify(seen.body);
    for (const secret of ['李四', idNumber(), '1234567', '13912345678', '赵六']) expect(text, secret).not.to.include(secret);
    expect(seen.body.facts).to.include(`370323********${idNumber().slice(-4)}`).and.include('李*').and.include('联系人：赵*').and.include('139****5678');
    expect(seen.body.request).to.include('***4567').and.not.include('1234567');
    expect(seen.body.extension.reason).to.equal('需向李*（139****5678）核实');
    expect(seen.body.events.find((e: any) => e.type === 'extended' || e.reason)?.reason ?? '').not.to.include('李四');
    const full = await office.get(`/complaints/${id}`);
    expect(full.body.facts, 'the office reads the text as written').to.equal(facts);

    const log = await office.get(`/personal-data-reads?complaint=${reg.body.number}`);
    expect(log.body.items.map((i: any) => [i.reader, i.readerUnit, i.subject])).to.deep.equal([
      ['api:office-console', null, 'complaint'],
      ['api:gaj-system', 'GAJ', 'complaint'],
    ]);
    expect(log.body.items[1].complaint).to.deep.equal({ id, number: reg.body.number });
    expect((await office.get('/complaints')).status).to.equal(200);
    expect((await office.get(`/personal-data-reads?complaint=${id}`)).body.total).to.equal(3);
  });
});
