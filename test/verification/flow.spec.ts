import { expect } from 'chai';
import { directoryHarness, Harness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { VerificationRequest, Staff } from '../../entities';
import { DirectoryMother } from '../helpers/mothers/directory';
import { VerificationMother, idNumber } from '../helpers/mothers/verification';
import { Api } from '../helpers/api';
import { cardOf, mark, noticesTo, textsTo as allTexts } from '../helpers/inbox';
import { seedDirectory } from '../helpers/seed';

describe('verification: a request travels end to end (SPEC 1 Art. 5-7)', () => {
  let h: Harness;
  let rsj: Api;
  let since = 0;
  const textsTo = (userid: string) => allTexts(h, userid, since);
  const units = DirectoryMother.standard();

  const env = directoryHarness(units);
  beforeEach(async () => {
    h = env.h;
    rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj-system', 'RSJ', h.clock.now));
    since = mark(h);
  });

  async function create(over = {}, headers: Record<string, string> = {}) {
    const res = await rsj.post('/verifications', VerificationMother.body(over), headers);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body as { id: number; number: string; status: string; dueAt: string };
  }

  async function click(userid: string, id: number, action: 'verif_accept' | 'verif_return') {
    const card = cardOf(h, userid, id);
    expect(card, `card of ${userid}`).to.exist;
    await h.emu.clickButton(userid, card!.taskId, `${action}:${id}`);
    await h.sys.settle();
    return card!.taskId;
  }

  async function say(userid: string, text: string) {
    await h.emu.sendText(userid, text);
    await h.sys.settle();
  }

  it('create -> card to liaison and deputy A -> 受理 -> others see who -> 核验一致 -> requester told and GET shows it', async () => {
    const created = await create({}, { 'Idempotency-Key': 'req-001' });
    expect(created).to.deep.include({ number: 'HC20261126-0001', status: 'pending', dueAt: '2026-11-26T09:30:00+08:00' });

    // The same Idempotency-Key replays the answer; nothing new is created.
    const again = await rsj.post('/verifications', VerificationMother.body(), { 'Idempotency-Key': 'req-001' });
    expect(again.status).to.equal(201);
    expect(again.body).to.deep.equal(created);
    expect(again.headers.get('idempotent-replayed')).to.equal('true');
    expect(await h.sys.dataSource.getRepository(VerificationRequest).count()).to.equal(1);

    await h.sys.settle();
    const liaisonCard = cardOf(h, 'gaj.liaison', created.id);
    const aCard = cardOf(h, 'gaj.a', created.id);
    expect(liaisonCard).to.exist;
    expect(aCard).to.exist;
    expect(cardOf(h, 'gaj.b', created.id), 'deputy B is not disturbed while A is present').to.be.undefined;
    const card = aCard!.card;
    expect(card.button_list.map((b: any) => b.text)).to.deep.equal(['受理', '退回']);
    const shown = JSON.stringify(card);
    expect(shown).to.include('张*三');
    expect(shown).to.include(`370323********${idNumber().slice(-4)}`);
    expect(shown).not.to.include(idNumber());
    expect(shown).not.to.include('张小三');
    expect(shown).to.include('HC20261126-0001').and.include('县人社局').and.include('无犯罪记录证明').and.include('2026-11-26 09:30');
    expect(card.card_action.url).to.equal(`http://nocert.test/v/${created.id}`);

    h.clock.set('2026-11-26T09:05:00+08:00');
    const taskA = await click('gaj.a', created.id, 'verif_accept');
    const req = await h.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id: created.id });
    expect(req.status).to.equal('accepted');
    expect(req.assignee).to.equal('gaj.a');
    expect(h.emu.cardState('gaj.a', taskA)!.replace_name).to.equal('已受理');
    expect(h.emu.cardState('gaj.liaison', liaisonCard!.taskId)!.replace_name).to.equal('已由公安代办A受理');
    expect(textsTo('gaj.a').join('\n')).to.include('你已受理协查 HC20261126-0001').and.include('核验一致');

    h.clock.set('2026-11-26T09:20:00+08:00');
    await say('gaj.a', '核验一致');
    const done = await h.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id: created.id });
    expect(done.status).to.equal('answered');
    expect(done.result).to.equal('match');
    const notice = noticesTo(h, 'rsj.liaison', created.id)[0];
    expect(notice, 'requesting unit told in WeCom').to.exist;
    expect(notice.emphasis_content.title).to.equal('一致');
    expect(JSON.stringify(notice)).not.to.include(idNumber());
    expect(textsTo('gaj.a').join('\n')).to.include('已答复 HC20261126-0001：核验一致');

    const got = await rsj.get(`/verifications/${created.id}`);
    expect(got.status).to.equal(200);
    expect(got.body).to.deep.include({ id: created.id, number: 'HC20261126-0001', status: 'answered', category: 'digital', dueAt: '2026-11-26T09:30:00+08:00', overdue: false, assignee: 'gaj.a' });
    expect(got.body.reply).to.deep.equal({ result: 'match', details: null, answeredAt: '2026-11-26T09:20:00+08:00' });
    expect(got.body.events.map((e: any) => e.type)).to.deep.equal(['created', 'notified', 'accepted', 'answered', 'requester_notified']);
    expect(got.body.events[2]).to.deep.include({ at: '2026-11-26T09:05:00+08:00', type: 'accepted', actor: 'gaj.a', from: 'pending', to: 'accepted' });
    expect(got.body.recipients.map((r: any) => [r.userid, r.role, r.ab])).to.deep.equal([
      ['gaj.liaison', 'liaison', null],
      ['gaj.a', 'deputy', 'A'],
    ]);
    expect(got.body.applicant).to.deep.equal({ name: '张*三', idNumber: `370323********${idNumber().slice(-4)}` });
    expect(got.body.clocks.verification).to.deep.include({ officeMinutes: 20, running: false, endedAt: '2026-11-26T09:20:00+08:00' });
  });

  it('核验不一致: the bot asks for details and takes the next text from the owner as the answer', async () => {
    const { id, number } = await create();
    await h.sys.settle();
    await click('gaj.liaison', id, 'verif_accept');
    await say('gaj.liaison', '核验不一致');
    expect(textsTo('gaj.liaison').join('\n')).to.include(`请说明 ${number} 核验不一致的具体情况`);
    let req = await h.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id });
    expect(req.status, 'still waiting for the details').to.equal('accepted');

    // Someone else's text is not the answer.
    await say('gaj.a', VerificationMother.mismatchDetails);
    req = await h.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id });
    expect(req.status).to.equal('accepted');

    await say('gaj.liaison', `${VerificationMother.mismatchDetails} 身份证${idNumber()}`);
    req = await h.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id });
    expect(req.status).to.equal('answered');
    expect(req.result).to.equal('mismatch');
    expect(req.reply).to.include('治安处罚记录');
    const notice = noticesTo(h, 'rsj.liaison', id)[0];
    expect(notice.emphasis_content.title).to.equal('不一致');
    expect(notice.sub_title_text).to.include('治安处罚记录');
    expect(notice.sub_title_text, 'free text masked on the card').not.to.include(idNumber());
    const got = await rsj.get(`/verifications/${id}`);
    expect(got.body.reply).to.deep.include({ result: 'mismatch' });
    expect(got.body.reply.details).to.include('治安处罚记录');
  });

  it('退回: first click returns it, the others see who, the reason asked in the chat reaches the requesting unit', async () => {
    const { id, number } = await create();
    await h.sys.settle();
    const aTask = cardOf(h, 'gaj.a', id)!.taskId;
    await click('gaj.liaison', id, 'verif_return');
    let req = await h.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id });
    expect(req.status).to.equal('returned');
    expect(req.assignee).to.equal('gaj.liaison');
    expect(h.emu.cardState('gaj.a', aTask)!.replace_name).to.equal('已由公安联络员退回');
    expect(textsTo('gaj.liaison').join('\n')).to.include(`你已退回协查 ${number}`);
    expect(noticesTo(h, 'rsj.liaison', id)).to.have.length(0);

    await say('gaj.liaison', VerificationMother.returnReason);
    req = await h.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id });
    expect(req.returnReason).to.equal(VerificationMother.returnReason);
    const notice = noticesTo(h, 'rsj.liaison', id)[0];
    expect(notice.emphasis_content.title).to.equal('已退回');
    expect(notice.sub_title_text).to.include('不属于本单位职责');
    const got = await rsj.get(`/verifications/${id}`);
    expect(got.body.status).to.equal('returned');
    expect(got.body.returnReason).to.equal(VerificationMother.returnReason);
    const types = got.body.events.map((e: any) => e.type);
    expect(types).to.include.members(['returned', 'return_reason']);
    expect(got.body.events.find((e: any) => e.type === 'return_reason').reason).to.equal(VerificationMother.returnReason);
  });

  it('deputy B gets the card when A is away (away until a date still to come); A again once it has passed', async () => {
    await h.sys.dataSource.getRepository(Staff).update({ userid: 'gaj.a' }, { away: true, awayUntil: '2026-11-27' });
    const first = await create();
    await h.sys.settle();
    expect(cardOf(h, 'gaj.b', first.id)).to.exist;
    expect(cardOf(h, 'gaj.a', first.id)).to.be.undefined;
    expect(cardOf(h, 'gaj.liaison', first.id)).to.exist;

    h.clock.set('2026-11-30T09:00:00+08:00');
    const second = await create();
    await h.sys.settle();
    expect(cardOf(h, 'gaj.a', second.id)).to.exist;
    expect(cardOf(h, 'gaj.b', second.id)).to.be.undefined;
  });

  it('转纸质档案 with a reason: new deadline counted from the original start, audited, requester told', async () => {
    const { id, number } = await create();
    await h.sys.settle();
    h.clock.set('2026-11-26T09:10:00+08:00');
    await click('gaj.a', id, 'verif_accept');
    h.clock.set('2026-11-26T09:25:00+08:00');
    await say('gaj.a', `转纸质档案 ${number}`);
    expect(textsTo('gaj.a').join('\n')).to.include(`请说明将 ${number} 转为纸质档案的原因`);
    await say('gaj.a', '电子库无2005年以前记录，需调阅纸质档案');
    const got = await rsj.get(`/verifications/${id}`);
    expect(got.body.category).to.equal('paper');
    // Start 2026-11-26 (Thu) 09:00: end of the 1st working day after the start day.
    expect(got.body.dueAt).to.equal('2026-11-27T17:30:00+08:00');
    const ev = got.body.events.find((e: any) => e.type === 'category_changed');
    expect(ev).to.deep.include({ actor: 'gaj.a', reason: '电子库无2005年以前记录，需调阅纸质档案' });
    expect(ev.data).to.deep.include({ fromCategory: 'digital', toCategory: 'paper' });
    const notice = noticesTo(h, 'rsj.liaison', id)[0];
    expect(notice.main_title.title).to.include('答复时限调整');
    // Later 转历史档案 counts from the original start too.
    await say('gaj.a', '转历史档案');
    await say('gaj.a', '纸质档案缺失，需查历史档案');
    const again = await rsj.get(`/verifications/${id}`);
    expect(again.body.category).to.equal('historical');
    expect(again.body.dueAt).to.equal('2026-11-30T17:30:00+08:00');
  });

  it('requestedBy is the person told; both clocks are reported (the case clock pauses while the request is out)', async () => {
    const { id, number } = await create({ requestedBy: 'rsj.a', caseStartedAt: '2026-11-26T08:30:00+08:00' });
    await h.sys.settle();
    await click('gaj.liaison', id, 'verif_accept');
    h.clock.set('2026-11-26T09:40:00+08:00');
    await say('gaj.liaison', `核验一致 ${number}`);
    expect(noticesTo(h, 'rsj.a', id).length > 0).to.equal(true);
    expect(noticesTo(h, 'rsj.liaison', id).length > 0).to.equal(false);
    h.clock.set('2026-11-26T10:00:00+08:00');
    const got = await rsj.get(`/verifications/${id}`);
    expect(got.body.overdue, 'answered after 09:30').to.equal(true);
    expect(got.body.clocks.verification).to.deep.include({ officeMinutes: 40, running: false });
    expect(got.body.clocks.requesterCase).to.deep.include({
      caseStartedAt: '2026-11-26T08:30:00+08:00',
      pausedFrom: '2026-11-26T09:00:00+08:00',
      pausedUntil: '2026-11-26T09:40:00+08:00',
      pausedOfficeMinutes: 40,
      activeOfficeMinutes: 50,
    });
  });

  it('numbers count per office-local day and restart the next day', async () => {
    const a = await create();
    const b = await create();
    h.clock.set('2026-11-26T16:30:00Z'); // 00:30 on the 27th in the office
    const c = await create();
    expect([a.number, b.number, c.number]).to.deep.equal(['HC20261126-0001', 'HC20261126-0002', 'HC20261127-0001']);
  });

  it('a unit below the Art. 6 minimum still gets the request, flagged to the office', async () => {
    await seedDirectory(h.sys.dataSource, [DirectoryMother.thin('MZJ')]);
    h.emu.addMember('mzj.liaison', '民政联络员');
    const res = await rsj.post('/verifications', VerificationMother.body({ issuerUnit: 'MZJ' }));
    expect(res.status).to.equal(201);
    expect(res.body.warnings).to.deep.equal(['too_few_deputies', 'no_deputy_a', 'no_deputy_b']);
    await h.sys.settle();
    expect(cardOf(h, 'mzj.liaison', res.body.id)).to.exist;
    const got = await rsj.get(`/verifications/${res.body.id}`);
    expect(got.body.events.find((e: any) => e.type === 'unit_gap_flagged').data).to.deep.equal({ unit: 'MZJ', gaps: ['too_few_deputies', 'no_deputy_a', 'no_deputy_b'] });
  });
});
