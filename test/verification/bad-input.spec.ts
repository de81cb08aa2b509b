import { expect } from 'chai';
import crypto from 'crypto';
import { directoryHarness, Harness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { cardEventXml } from '../../src/sandbox';
import { VerificationRequest, VerificationEvent, OutboxMessage } from '../../entities';
import { DirectoryMother } from '../helpers/mothers/directory';
import { VerificationMother, badIdNumber } from '../helpers/mothers/verification';
import { Api } from '../helpers/api';
import { cardOf, mark, textsTo } from '../helpers/inbox';
import { expectUnchanged, snapshot } from '../helpers/verification';

/**
 * Bad input: each case is a clear error, no state change, no message sent. For
 * chat and card input the only answer is to the person who typed or clicked.
 */
describe('verification: bad input changes nothing and sends nothing', () => {
  let h: Harness;
  let office: Api;
  let rsj: Api;
  let gaj: Api;
  let scj: Api;
  let since = 0;
  const units = [...DirectoryMother.standard(), DirectoryMother.noLiaison('WJJ')];

  const env = directoryHarness(units);
  beforeEach(async () => {
    h = env.h;
    const ds = h.sys.dataSource;
    office = new Api(h.sys.url, await createApiKey(ds, 'office', null, h.clock.now));
    rsj = new Api(h.sys.url, await createApiKey(ds, 'rsj-system', 'RSJ', h.clock.now));
    gaj = new Api(h.sys.url, await createApiKey(ds, 'gaj-system', 'GAJ', h.clock.now));
    scj = new Api(h.sys.url, await createApiKey(ds, 'scj-system', 'SCJ', h.clock.now));
    since = mark(h);
  });

  async function create(over = {}) {
    const res = await rsj.post('/verifications', VerificationMother.body(over));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    await h.sys.settle();
    return res.body as { id: number; number: string };
  }

  async function refused(api: Api, body: unknown, status: number, code: string, path = '/verifications') {
    const before = await snapshot(h);
    const res = await api.post(path, body);
    expect(res.status, JSON.stringify(res.body)).to.equal(status);
    expect(res.body.error.code).to.equal(code);
    expect(res.body.error.message).to.be.a('string').and.not.be.empty;
    await expectUnchanged(h, before);
  }

  /** A click WeCom would never send as such: signed and encrypted like a real one. */
  async function forgedClick(fromUser: string, taskId: string, eventKey: string) {
    const xml = cardEventXml({
      corpId: h.keys.corpId,
      fromUser,
      createTime: Math.floor(h.clock.now.getTime() / 1000),
      agentId: h.keys.agentId,
      event: 'template_card_event',
      eventKey,
      taskId,
      cardType: 'button_interaction',
      responseCode: crypto.randomBytes(24).toString('base64url'),
    });
    const { query, body } = h.emu.buildCallback(xml);
    const res = await h.emu.postRawCallback(body, query);
    expect(res.status).to.equal(200);
  }

  it('unknown requesting or issuing unit: 422 unit_unknown', async () => {
    await refused(office, VerificationMother.body({ requesterUnit: 'NOPE' }), 422, 'unit_unknown');
    await refused(rsj, VerificationMother.body({ issuerUnit: 'NOPE' }), 422, 'unit_unknown');
  });

  it('unknown staff (requestedBy not on the requesting unit): 422 staff_unknown', async () => {
    await refused(rsj, VerificationMother.body({ requestedBy: 'nobody' }), 422, 'staff_unknown');
    await refused(rsj, VerificationMother.body({ requestedBy: 'gaj.a' }), 422, 'staff_unknown');
  });

  it('an issuing unit with no liaison at all: 422 unit_no_liaison, nothing sent', async () => {
    await refused(rsj, VerificationMother.body({ issuerUnit: 'WJJ' }), 422, 'unit_no_liaison');
    expect(h.emu.delivered({ touser: 'wjj.a' })).to.have.length(0);
  });

  it('an invalid ID number (GB 11643 check character): 422 id_number_invalid', async () => {
    await refused(rsj, VerificationMother.body({ applicant: { name: '张小三', idNumber: badIdNumber() } }), 422, 'id_number_invalid');
    await refused(rsj, VerificationMother.body({ applicant: { name: '张小三', idNumber: '37032319901307123X' } }), 422, 'id_number_invalid');
    await refused(rsj, VerificationMother.body({ applicant: { name: '张小三', idNumber: '3703231990030712' } }), 422, 'id_number_invalid');
  });

  it('a unit key asking as another unit: 403; reading another unit\'s request: 404 without a hint', async () => {
    await refused(scj, VerificationMother.body(), 403, 'verification_forbidden');
    const { id, number } = await create();
    const res = await scj.get(`/verifications/${id}`);
    expect(res.status).to.equal(404);
    expect(res.body.error.code).to.equal('verification_not_found');
    const missing = await scj.get('/verifications/999999');
    expect(missing.body).to.deep.equal({ error: { code: 'verification_not_found', message: 'no verification request 999999' } });
    expect((await scj.get(`/verifications/${number}`)).status).to.equal(404);
    expect((await gaj.get(`/verifications/${id}`)).status, 'the issuing unit reads it').to.equal(200);
    expect((await office.get(`/verifications/${id}`)).status, 'the office reads it').to.equal(200);
  });

  it('the same Idempotency-Key with another body: 409, nothing created', async () => {
    const first = await rsj.post('/verifications', VerificationMother.body(), { 'Idempotency-Key': 'k-1' });
    expect(first.status).to.equal(201);
    await h.sys.settle();
    const before = await snapshot(h);
    const res = await rsj.post('/verifications', VerificationMother.body({ question: '另一个问题' }), { 'Idempotency-Key': 'k-1' });
    expect(res.status).to.equal(409);
    expect(res.body.error.code).to.equal('idempotency_conflict');
    await expectUnchanged(h, before);
  });

  it('a click on another request\'s card is ignored', async () => {
    const r1 = await create();
    const r2 = await create();
    const task1 = cardOf(h, 'gaj.a', r1.id)!.taskId;
    const before = await snapshot(h);
    await forgedClick('gaj.a', task1, `verif_accept:${r2.id}`);
    await forgedClick('gaj.a', task1, `verif_return:${r2.id}`);
    await expectUnchanged(h, before);
  });

  it('a click by someone who is not a recipient is ignored', async () => {
    const r = await create();
    const taskA = cardOf(h, 'gaj.a', r.id)!.taskId;
    const before = await snapshot(h);
    await forgedClick('gaj.b', taskA, `verif_accept:${r.id}`);
    await forgedClick('scj.liaison', taskA, `verif_accept:${r.id}`);
    await forgedClick('gaj.a', taskA, 'verif_accept:not-a-number');
    await expectUnchanged(h, before);
  });

  it('a double click: the second is answered on the card and changes nothing', async () => {
    const r = await create();
    const taskA = cardOf(h, 'gaj.a', r.id)!.taskId;
    const before = await snapshot(h);
    // Both clicks reach us before the first card update goes out.
    await h.emu.clickButton('gaj.a', taskA, `verif_accept:${r.id}`);
    await h.emu.clickButton('gaj.a', taskA, `verif_accept:${r.id}`);
    await h.sys.settle();
    const events = await h.sys.dataSource.getRepository(VerificationEvent).findBy({ requestId: r.id, type: 'accepted' });
    expect(events).to.have.length(1);
    const req = await h.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id: r.id });
    expect(req.version, 'one transition').to.equal(JSON.parse(before.requests)[0].version + 1);
    expect(textsTo(h, 'gaj.a', since).filter((t) => t.includes('你已受理'))).to.have.length(1);
    const state = h.emu.cardState('gaj.a', taskA)!;
    expect(state.replace_name).to.be.undefined;
    expect(state.card.button_list.map((b: any) => b.text), 'the answer card').to.deep.equal(['核验一致', '核验不一致', '转纸质档案', '转历史档案', '退回']);
    const after = await snapshot(h);
    expect(after.delivered - before.delivered, 'two messages: the owner\'s instructions, the requesting unit\'s notice').to.equal(2);
    expect(after.updates - before.updates, 'the owner\'s card twice (the answer card both times), the liaison\'s once').to.equal(3);
  });

  it('a late click by another recipient gets "已由X受理" on its card and changes nothing', async () => {
    const r = await create();
    const taskA = cardOf(h, 'gaj.a', r.id)!.taskId;
    const taskL = cardOf(h, 'gaj.liaison', r.id)!.taskId;
    await h.emu.clickButton('gaj.a', taskA, `verif_accept:${r.id}`);
    // Late: A's click is processed first (two clicks in flight at once are ordered by the
    // inbox per sender only), while the liaison's card is not greyed yet (the outbox waits).
    await h.sys.inbox.drain();
    await h.emu.clickButton('gaj.liaison', taskL, `verif_return:${r.id}`);
    await h.sys.settle();
    const req = await h.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id: r.id });
    expect(req.status).to.equal('accepted');
    expect(req.assignee).to.equal('gaj.a');
    expect(h.emu.cardState('gaj.liaison', taskL)!.replace_name).to.equal('已由公安代办A受理');
    expect(textsTo(h, 'gaj.liaison', since), 'no message, only the card').to.deep.equal([]);
    expect(await h.sys.dataSource.getRepository(VerificationEvent).countBy({ requestId: r.id, type: 'returned' })).to.equal(0);
  });

  it('a click after the request was returned changes nothing', async () => {
    const r = await create();
    const taskA = cardOf(h, 'gaj.a', r.id)!.taskId;
    const taskL = cardOf(h, 'gaj.liaison', r.id)!.taskId;
    // The card updates fail (the clicker's, then A's), so A can still click after the return is settled.
    h.emu.injectError('/cgi-bin/message/update_template_card', 60140, 2);
    await h.emu.clickButton('gaj.liaison', taskL, `verif_return:${r.id}`);
    await h.sys.settle();
    expect(h.emu.cardState('gaj.a', taskA)!.replace_name).to.be.undefined;
    const before = await snapshot(h);
    await h.emu.clickButton('gaj.a', taskA, `verif_accept:${r.id}`);
    await h.sys.settle();
    const after = await snapshot(h);
    expect(after.requests).to.equal(before.requests);
    expect(after.events).to.equal(before.events);
    expect(after.delivered, 'no message').to.equal(before.delivered);
    expect(after.updates - before.updates, 'only the clicker\'s card').to.equal(1);
    expect(h.emu.cardState('gaj.a', taskA)!.replace_name).to.equal('已由公安联络员退回（待说明原因）');
  });

  it('an answer from a non-owner is refused in the chat and changes nothing', async () => {
    const r = await create();
    await h.emu.clickButton('gaj.a', cardOf(h, 'gaj.a', r.id)!.taskId, `verif_accept:${r.id}`);
    await h.sys.settle();
    const before = await snapshot(h);
    await h.emu.sendText('gaj.liaison', `核验一致 ${r.number}`);
    await h.emu.sendText('gaj.liaison', '核验不一致');
    await h.emu.sendText('gaj.b', `转纸质档案 ${r.number}`);
    await h.sys.settle();
    const after = await snapshot(h);
    expect(after.requests).to.equal(before.requests);
    expect(after.events).to.equal(before.events);
    expect(textsTo(h, 'gaj.liaison', since)).to.deep.equal([`县人社局「失业保险金申领」协查 ${r.number} 由公安代办A受理，只有受理人可以答复。`, '你目前没有待答复的协查请求。']);
    expect(textsTo(h, 'gaj.b', since)).to.deep.equal([`县人社局「失业保险金申领」协查 ${r.number} 由公安代办A受理，只有受理人可以答复。`]);
    expect(after.delivered - before.delivered, 'only the replies to the senders').to.equal(3);
    expect(textsTo(h, 'rsj.liaison', since)).to.deep.equal([]);
    // The API: the requesting unit cannot answer; an outsider does not even see it.
    const res = await rsj.post(`/verifications/${r.id}/answer`, { result: 'match' });
    expect(res.status).to.equal(403);
    expect(res.body.error.code).to.equal('verification_forbidden');
    expect((await scj.post(`/verifications/${r.id}/answer`, { result: 'match' })).status).to.equal(404);
    await expectUnchanged(h, await snapshot(h));
  });

  it('a category change without a reason: 422 over the API; the chat asks again', async () => {
    const r = await create();
    await refused(gaj, { category: 'paper' }, 422, 'verification_reason_required', `/verifications/${r.id}/category`);
    await refused(gaj, { category: 'paper', reason: '   ' }, 422, 'verification_reason_required', `/verifications/${r.id}/category`);
    await refused(gaj, { category: 'digital', reason: '无' }, 422, 'validation_failed', `/verifications/${r.id}/category`);

    await h.emu.clickButton('gaj.a', cardOf(h, 'gaj.a', r.id)!.taskId, `verif_accept:${r.id}`);
    await h.emu.sendText('gaj.a', '转纸质档案');
    await h.sys.settle();
    const before = await snapshot(h);
    await h.emu.sendText('gaj.a', '   ');
    await h.sys.settle();
    const after = await snapshot(h);
    expect(after.requests).to.equal(before.requests);
    expect(after.events).to.equal(before.events);
    expect(textsTo(h, 'gaj.a', since).pop()).to.equal('内容不能为空，请重新输入。');
  });

  it('a mismatch answer without details over the API: 422', async () => {
    const r = await create();
    await refused(gaj, { result: 'mismatch' }, 422, 'verification_reason_required', `/verifications/${r.id}/answer`);
    await refused(gaj, { reason: '' }, 422, 'verification_reason_required', `/verifications/${r.id}/return`);
  });

  it('malformed bodies: 422 validation_failed with the field named', async () => {
    const before = await snapshot(h);
    const res = await rsj.post('/verifications', { requesterUnit: 'RSJ', category: 'instant', applicant: { name: '', idNumber: '1' } });
    expect(res.status).to.equal(422);
    expect(res.body.error.code).to.equal('validation_failed');
    expect(res.body.error.message).to.include('category').and.include('question');
    await expectUnchanged(h, before);
    expect(await h.sys.dataSource.getRepository(OutboxMessage).count()).to.equal(before.outbox);
  });
});
