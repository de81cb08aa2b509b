import crypto from 'crypto';
import { expect } from 'chai';
import { DataServiceLookup, Staff, VerificationEvent, VerificationRequest } from '../../entities';
import { directoryHarness, Harness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { SchedulerMother } from '../helpers/mothers/scheduler';
import { Api } from '../helpers/api';
import { createRequest } from '../helpers/scheduler';
import { cardsTo, mark, noticesTo, say, textsTo } from '../helpers/inbox';
import { TestDataService } from '../helpers/data-service';
import { DataServiceMother } from '../helpers/mothers/data-services';
import { VerificationMother } from '../helpers/mothers/verification';

describe('data services: the automatic answer\'s card, 改判 until the original deadline, and the cards after a fall-back', function () {
  this.timeout(60_000);
  let h: Harness;
  let office: Api;
  let rsj: Api;
  let svc: TestDataService;
  const SECRET = 'test-secret-of-gaj-0123456789';
  const env = directoryHarness(SchedulerMother.units());

  beforeEach(async () => {
    h = env.h;
    (h.sys.config as { dataServiceKey: Buffer | null }).dataServiceKey = crypto.randomBytes(32);
    office = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office', null, h.clock.now));
    rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj', 'RSJ', h.clock.now));
    svc = new TestDataService(SECRET, () => Math.floor(h.clock.now.getTime() / 1000));
    const reg = await office.post('/data-services', DataServiceMother.http({ url: await svc.listen(), secret: SECRET }));
    expect(reg.status, JSON.stringify(reg.body)).to.equal(201);
  });
  afterEach(async () => svc.close());

  const request = (id: number) => h.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id });

  async function autoAnswered(): Promise<{ id: number; number: string; dueAt: string; taskId: string }> {
    const m = mark(h);
    const r = await createRequest(rsj);
    await h.sys.settle();
    expect((await request(r.id)).status).to.equal('answered');
    const [card] = cardsTo(h, 'gaj.liaison', m);
    expect(card.card.emphasis_content.title).to.equal('核验一致');
    expect(card.card.sub_title_text).to.equal('答复内容：经核查，无犯罪记录');
    return { ...r, taskId: card.taskId };
  }

  it('改判 within the deadline: the liaison takes the request back, answers 核验不一致 with details in the chat; the requester is told the correction', async () => {
    const r = await autoAnswered();
    // The requester got the automatic answer first.
    expect(noticesTo(h, 'rsj.liaison', r.id).pop().emphasis_content.title).to.equal('一致');
    h.clock.advance(5 * 60_000);
    const m = mark(h);
    await h.emu.clickButton('gaj.liaison', r.taskId, `verif_act:${r.id}:override`);
    await h.sys.settle();
    let req = await request(r.id);
    expect(req).to.deep.include({ status: 'accepted', assignee: 'gaj.liaison', result: null });
    // The liaison's card became the ordinary answer card; the others' show who took it.
    const state = h.emu.cardState('gaj.liaison', r.taskId)!;
    expect(state.card.button_list.map((b: any) => b.text)).to.deep.equal(['核验一致', '核验不一致', '转纸质档案', '转历史档案', '退回']);
    expect(textsTo(h, 'gaj.liaison', m).join('\n')).to.include('你已收回系统对');
    const withdrawn = noticesTo(h, 'rsj.liaison', r.id).pop();
    expect(withdrawn.main_title.desc).to.include(`更正：${r.number} 此前的“核验一致”作废`);
    expect((await h.sys.dataSource.getRepository(DataServiceLookup).findOneByOrFail({ requestId: r.id })).status).to.equal('overridden');

    await h.emu.clickButton('gaj.liaison', r.taskId, `verif_act:${r.id}:mismatch`);
    await h.sys.settle();
    await say(h, 'gaj.liaison', VerificationMother.mismatchDetails);
    await say(h, 'gaj.liaison', '确认');
    req = await request(r.id);
    expect(req).to.deep.include({ status: 'answered', result: 'mismatch', assignee: 'gaj.liaison' });
    const answered = noticesTo(h, 'rsj.liaison', r.id).pop();
    expect(answered.emphasis_content.title).to.equal('不一致');
    const events = await h.sys.dataSource.getRepository(VerificationEvent).find({ where: { requestId: r.id }, order: { id: 'ASC' } });
    expect(events.filter((e) => e.type === 'answered').map((e) => e.actor)).to.deep.equal([events.find((e) => e.type === 'answered')!.actor, 'gaj.liaison']);
    expect(events.map((e) => e.type)).to.include('auto_answer_overridden');
    // The supervision figures no longer count it as answered by data.
    const stats = await office.get('/stats/verifications?from=2026-11-26&to=2026-11-26');
    expect(stats.body.units.find((u: any) => u.unit === 'GAJ')).to.deep.include({ requests: 1, automaticAnswers: 0 });
  });

  it('改判 after the original deadline is refused with a clear message, the card closes and the answer stands', async () => {
    const r = await autoAnswered();
    h.clock.set(new Date(new Date(r.dueAt).getTime() + 60_000));
    const m = mark(h);
    await h.emu.clickButton('gaj.liaison', r.taskId, `verif_act:${r.id}:override`);
    await h.sys.settle();
    expect(await request(r.id)).to.deep.include({ status: 'answered', result: 'match' });
    expect(textsTo(h, 'gaj.liaison', m).join('\n')).to.include('系统自动答复不能再改判');
    expect(h.emu.cardState('gaj.liaison', r.taskId)!.replace_name).to.equal('已过改判时限');
  });

  it('the other recipients\' automatic-answer cards are greyed with who took it back (no second 改判)', async () => {
    const m = mark(h);
    const r = await autoAnswered();
    const deputy = cardsTo(h, 'gaj.a', m).find((c) => c.taskId.startsWith(`vr${r.id}_`))!;
    expect(deputy.card.button_list[0].text).to.equal('改判');
    await h.emu.clickButton('gaj.liaison', r.taskId, `verif_act:${r.id}:override`);
    await h.sys.settle();
    expect(h.emu.cardState('gaj.a', deputy.taskId)!.replace_name).to.match(/^已由.+改判$/);
    expect(await request(r.id)).to.deep.include({ status: 'accepted', assignee: 'gaj.liaison' });
    expect((await h.sys.dataSource.getRepository(VerificationEvent).findBy({ requestId: r.id, type: 'auto_answer_overridden' })).length).to.equal(1);
  });

  it('a request created without any lookup (the process died before it) still gets its cards, with a restarted deadline', async () => {
    const r = await createRequest(rsj);
    expect(cardsTo(h, 'gaj.liaison')).to.satisfy((cs: any[]) => !cs.some((c) => c.taskId.startsWith(`vr${r.id}_`)));
    h.clock.advance(11 * 60_000);
    const m = mark(h);
    await h.sys.settle();
    expect(svc.calls, 'too old to ask the service').to.have.length(0);
    const [card] = cardsTo(h, 'gaj.liaison', m);
    expect(card.card.main_title.desc).to.equal(`协查请求 ${r.number}｜查询未果，请人工核验（查询中断）`);
    const req = await request(r.id);
    expect(req.status).to.equal('pending');
    expect(req.dueAt.getTime()).to.be.greaterThan(new Date(r.dueAt).getTime());
    expect((await h.sys.dataSource.getRepository(DataServiceLookup).findOneByOrFail({ requestId: r.id })).failure).to.equal('stale');
  });

  it('a claim whose instance died mid-call falls back once, after a minute, without calling the service', async () => {
    const r = await createRequest(rsj);
    await h.sys.dataSource.getRepository(DataServiceLookup).insert({ requestId: r.id, serviceId: (await office.get('/data-services')).body.services[0].id, issuerUnit: 'GAJ', status: 'claimed', result: null, failure: null, latencyMs: null, claimedBy: 'dead-instance', claimedAt: h.clock.now, finishedAt: null });
    await h.sys.settle();
    expect(cardsTo(h, 'gaj.liaison').some((c) => c.taskId.startsWith(`vr${r.id}_`)), 'a live claim is left alone').to.equal(false);
    h.clock.advance(2 * 60_000);
    const m = mark(h);
    await h.sys.settle();
    await h.sys.settle();
    const cards = cardsTo(h, 'gaj.liaison', m);
    expect(cards).to.have.length(1);
    expect(cards[0].card.main_title.desc).to.include('查询未果，请人工核验（查询中断）');
    expect((await h.sys.dataSource.getRepository(DataServiceLookup).findOneByOrFail({ requestId: r.id })).failure).to.equal('interrupted');
    expect(svc.calls).to.have.length(0);
  });

  it('after a fall-back, deputy B standing in for an absent A is told so beside the failed lookup', async () => {
    await h.sys.dataSource.getRepository(Staff).update({ userid: 'gaj.a' }, { away: true });
    svc.behave = () => ({ json: { result: 'unknown', reply: '' } });
    const m = mark(h);
    const r = await createRequest(rsj);
    await h.sys.settle();
    expect(cardsTo(h, 'gaj.a', m), 'A is away').to.have.length(0);
    const [b] = cardsTo(h, 'gaj.b', m);
    expect(b.taskId).to.match(new RegExp(`^vr${r.id}_`));
    expect(b.card.main_title.desc).to.match(/^协查请求 \S+｜查询未果，请人工核验（无匹配记录）｜A角/);
    expect(cardsTo(h, 'gaj.liaison', m)[0].card.main_title.desc).to.equal(`协查请求 ${r.number}｜查询未果，请人工核验（无匹配记录）`);
  });

  it('a request without a service gets its ordinary cards at creation, unchanged', async () => {
    const m = mark(h);
    const r = await createRequest(rsj, { certificate: '户籍证明' });
    await h.sys.settle();
    const [card] = cardsTo(h, 'gaj.liaison', m);
    expect(card.card.main_title.desc).to.equal(`协查请求 ${r.number}`);
    expect(svc.calls).to.have.length(0);
  });
});
