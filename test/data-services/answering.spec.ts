import crypto from 'crypto';
import { expect } from 'chai';
import { DataServiceLookup, VerificationRequest, VerificationTemplate } from '../../entities';
import { directoryHarness, Harness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { SchedulerMother } from '../helpers/mothers/scheduler';
import { Api } from '../helpers/api';
import { createRequest } from '../helpers/scheduler';
import { cardsTo, mark } from '../helpers/inbox';
import { TestDataService } from '../helpers/data-service';
import { DataServiceMother } from '../helpers/mothers/data-services';
import { Guards } from '../../src/data-services/guard';

describe('data services: a digital request is answered by the issuing unit\'s service, or goes to people', function () {
  this.timeout(60_000);
  let h: Harness;
  let office: Api;
  let rsj: Api;
  let svc: TestDataService;
  let serviceId: number;
  const SECRET = 'test-secret-of-gaj-0123456789';
  const env = directoryHarness(SchedulerMother.units());

  beforeEach(async () => {
    h = env.h;
    (h.sys.config as { dataServiceKey: Buffer | null }).dataServiceKey = crypto.randomBytes(32);
    office = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office', null, h.clock.now));
    rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj', 'RSJ', h.clock.now));
    svc = new TestDataService(SECRET, () => Math.floor(h.clock.now.getTime() / 1000));
    const url = await svc.listen();
    const reg = await office.post('/data-services', DataServiceMother.http({ url, secret: SECRET }));
    expect(reg.status, JSON.stringify(reg.body)).to.equal(201);
    serviceId = reg.body.id;
  });
  afterEach(async () => svc.close());

  async function figures() {
    return (await office.get('/data-services')).body.services.find((s: any) => s.id === serviceId).figures;
  }

  it('consistent: answered by the system on the unit\'s behalf, the requester told, the liaison told it can be corrected', async () => {
    const m = mark(h);
    const r = await createRequest(rsj);
    await h.sys.settle();
    expect(svc.calls).to.have.length(1);
    expect(svc.calls[0].verified).to.equal(true);
    expect(Object.keys(svc.calls[0].body)).to.deep.equal(['requestId', 'number', 'certificate', 'applicant', 'question']);
    expect(svc.calls[0].body).to.deep.include({ requestId: r.id, number: r.number, certificate: '无犯罪记录证明' });
    const got = await rsj.get(`/verifications/${r.id}`);
    expect(got.body).to.deep.include({ status: 'answered' });
    const answered = got.body.events.find((e: any) => e.type === 'answered');
    expect(answered.actor).to.equal(`system:data-service:${serviceId}`);
    expect(got.body.events.map((e: any) => e.type)).to.include('requester_notified');
    // The liaison gets the automatic-answer card (with 改判), never the ordinary request card.
    const cards = cardsTo(h, 'gaj.liaison', m);
    expect(cards).to.have.length(1);
    expect(cards[0].card.main_title.desc).to.include(`${r.number} 系统已代答`);
    expect(cards[0].card.button_list.map((b: any) => b.key)).to.deep.equal([`verif_act:${r.id}:override`]);
    const lookup = await h.sys.dataSource.getRepository(DataServiceLookup).findOneByOrFail({ requestId: r.id });
    expect(lookup).to.deep.include({ status: 'answered', result: 'consistent', failure: null });
    const f = await figures();
    expect(f).to.deep.include({ calls: 1, automaticAnswers: 1, fallbacks: 0, circuit: 'closed' });
    expect(f.latencyMs.p50).to.be.a('number');
    const metrics = await (await fetch(`${h.sys.url}/metrics`)).text();
    expect(metrics).to.include(`nocert_data_service_lookups_total{service="${serviceId}",outcome="answered"} 1`);
    expect(metrics).to.include(`nocert_data_service_circuit_open{service="${serviceId}"} 0`);
    // The supervision figures: the share of the unit's requests answered by data.
    await createRequest(rsj, { certificate: '户籍证明' });
    const stats = await office.get('/stats/verifications?from=2026-11-26&to=2026-11-26');
    expect(stats.body.units.find((u: any) => u.unit === 'GAJ')).to.deep.include({ requests: 2, automaticAnswers: 1, automaticShare: 0.5 });
  });

  it('sends only the applicant fields the template names (Art. 12)', async () => {
    await h.sys.dataSource.getRepository(VerificationTemplate).insert({ issuerUnit: 'GAJ', certificate: '无犯罪记录证明', requesterUnit: '', category: 'digital', fields: JSON.stringify(['身份证号码', '查询期间']), method: '查询系统', requestLetter: '协查函', replyLetter: '反馈函', updatedBy: 'office', updatedAt: h.clock.now });
    await createRequest(rsj);
    await h.sys.settle();
    expect(svc.calls[0].body.applicant).to.have.all.keys('idNumber');
  });

  it('inconsistent: answered as a mismatch with the service\'s reply', async () => {
    svc.behave = () => ({ json: { result: 'inconsistent', reply: '查无此人户籍' } });
    const r = await createRequest(rsj);
    await h.sys.settle();
    const req = await h.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id: r.id });
    expect(req).to.deep.include({ status: 'answered', result: 'mismatch', reply: '查无此人户籍' });
  });

  const bad: Array<[string, TestDataService['behave'], string, string]> = [
    ['unknown', () => ({ json: { result: 'unknown', reply: '' } }), 'unknown', '无匹配记录'],
    ['garbage', () => ({ raw: '<html>oops' }), 'garbage', '服务异常'],
    ['a 500', () => ({ status: 500, json: { error: 'db down' } }), 'http_500', '服务异常'],
    ['an unknown result value', () => ({ json: { result: 'maybe', reply: 'x' } }), 'unknown_result', '服务异常'],
    ['the wrong shape', () => ({ json: [1, 2] }), 'unknown_result', '服务异常'],
  ];
  for (const [what, behave, failure, word] of bad) {
    it(`${what}: the request goes to people at once with its full deadline, and the liaison is told the lookup failed`, async () => {
      svc.behave = behave;
      const m = mark(h);
      const r = await createRequest(rsj);
      await h.sys.settle();
      const req = await h.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id: r.id });
      expect(req.status).to.equal('pending');
      expect(req.dueAt.toISOString()).to.equal(new Date(r.dueAt).toISOString());
      // The ordinary request card goes out only now, saying the lookup failed (a neutral word, no personal data).
      const cards = cardsTo(h, 'gaj.liaison', m);
      expect(cards).to.have.length(1);
      expect(cards[0].card.main_title.desc).to.equal(`协查请求 ${r.number}｜查询未果，请人工核验（${word}）`);
      expect(cards[0].card.button_list.map((b: any) => b.key)).to.deep.equal([`verif_accept:${r.id}`, `verif_return:${r.id}`]);
      const lookup = await h.sys.dataSource.getRepository(DataServiceLookup).findOneByOrFail({ requestId: r.id });
      expect(lookup).to.deep.include({ status: 'fallback', failure });
      expect(await figures()).to.deep.include({ calls: 1, automaticAnswers: 0, fallbacks: 1 });
      // Nothing is looked up again on the next pass.
      await h.sys.settle();
      expect(svc.calls).to.have.length(1);
    });
  }

  it('a wrong signature: the service refuses it (401) and the request goes to people', async () => {
    svc = Object.assign(svc, { secret: 'not-the-registered-secret' });
    const r = await createRequest(rsj);
    await h.sys.settle();
    expect(svc.calls[0].verified).to.equal(false);
    expect((await h.sys.dataSource.getRepository(DataServiceLookup).findOneByOrFail({ requestId: r.id })).failure).to.equal('http_401');
    expect((await h.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id: r.id })).status).to.equal('pending');
  });

  it('a slow body: given up after 5 s, the request goes to people', async () => {
    svc.behave = () => ({ delayMs: 7000, json: { result: 'consistent', reply: 'late' } });
    const r = await createRequest(rsj);
    const t0 = Date.now();
    await h.sys.settle();
    expect(Date.now() - t0).to.be.within(4500, 6900);
    expect((await h.sys.dataSource.getRepository(DataServiceLookup).findOneByOrFail({ requestId: r.id })).failure).to.equal('timeout');
    expect((await h.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id: r.id })).status).to.equal('pending');
  });

  it('retries a 503 within the budget; a 500 is not retried', async () => {
    let n = 0;
    svc.behave = () => (++n === 1 ? { status: 503, json: {} } : { json: { result: 'consistent', reply: 'ok' } });
    const r = await createRequest(rsj);
    await h.sys.settle();
    expect(svc.calls).to.have.length(2);
    expect((await h.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id: r.id })).status).to.equal('answered');
  });

  it('is never looked up or answered twice, even with two passes at once', async () => {
    svc.behave = () => ({ delayMs: 200, json: { result: 'consistent', reply: 'ok' } });
    const r = await createRequest(rsj);
    const worker = h.sys.workers.find((w) => w.name === 'data-service-lookups')!;
    await Promise.all([worker.runOnce(), worker.runOnce(), worker.runOnce()]);
    expect(svc.calls).to.have.length(1);
    const events = (await rsj.get(`/verifications/${r.id}`)).body.events.filter((e: any) => e.type === 'answered');
    expect(events).to.have.length(1);
  });

  it('the circuit opens after 5 failures in a row: the next requests go straight to people', async () => {
    svc.behave = () => ({ status: 500, json: {} });
    for (let i = 0; i < 5; i++) {
      await createRequest(rsj);
      await h.sys.settle();
    }
    expect(svc.calls).to.have.length(5);
    const r = await createRequest(rsj);
    await h.sys.settle();
    expect(svc.calls).to.have.length(5);
    expect((await h.sys.dataSource.getRepository(DataServiceLookup).findOneByOrFail({ requestId: r.id })).failure).to.equal('circuit_open');
    expect((await figures()).circuit).to.equal('open');
  });

  it('the breaker: half-open after 60 s lets one trial call through; its success closes it, its failure reopens it', () => {
    const g = new Guards();
    const fail = (at: number) => {
      const p = g.acquire(1, at);
      if (!p.ok) throw new Error(p.reason);
      p.release({ success: false, latencyMs: 10 }, at);
    };
    for (let i = 0; i < 5; i++) fail(1000);
    expect(g.acquire(1, 60_999)).to.deep.equal({ ok: false, reason: 'circuit_open' });
    const trial = g.acquire(1, 61_000);
    expect(trial.ok).to.equal(true);
    expect(g.acquire(1, 61_001)).to.deep.equal({ ok: false, reason: 'circuit_open' });
    if (trial.ok) trial.release({ success: false, latencyMs: 10 }, 61_500);
    expect(g.of(1, 62_000).circuit).to.equal('open');
    const second = g.acquire(1, 121_500);
    if (!second.ok) throw new Error('expected a trial');
    second.release({ success: true, latencyMs: 10 }, 121_600);
    expect(g.of(1, 121_700).circuit).to.equal('closed');
    // At most 4 in flight per service.
    const permits = [1, 2, 3, 4].map(() => g.acquire(2, 0));
    expect(permits.every((p) => p.ok)).to.equal(true);
    expect(g.acquire(2, 0)).to.deep.equal({ ok: false, reason: 'busy' });
  });
});
