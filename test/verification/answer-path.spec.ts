import { expect } from 'chai';
import { directoryHarness, Harness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { OutboxMessage, VerificationRequest } from '../../entities';
import { DirectoryMother } from '../helpers/mothers/directory';
import { VerificationMother, idNumber } from '../helpers/mothers/verification';
import { Api } from '../helpers/api';
import { cardOf, mark, noticesTo, textsTo as allTexts } from '../helpers/inbox';
import { sweep } from '../helpers/scheduler';

/** The owner's answer card, return reasons, confirmation and 撤回, as the people do it in WeCom. */
describe('verification: the answer path in WeCom (SPEC 1 Art. 7, 12, 13)', () => {
  let h: Harness;
  let rsj: Api;
  let office: Api;
  let since = 0;
  const textsTo = (userid: string) => allTexts(h, userid, since);
  const env = directoryHarness(DirectoryMother.standard());

  beforeEach(async () => {
    h = env.h;
    rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj-system', 'RSJ', h.clock.now));
    office = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office', null, h.clock.now));
    since = mark(h);
  });

  const load = (id: number) => h.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id });

  async function accepted(over = {}, who = 'gaj.a') {
    const res = await rsj.post('/verifications', VerificationMother.body(over));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    await h.sys.settle();
    const { id, number } = res.body as { id: number; number: string };
    const taskId = cardOf(h, who, id)!.taskId;
    await tap(who, taskId, `verif_accept:${id}`);
    return { id, number, taskId };
  }

  async function tap(userid: string, taskId: string, key: string) {
    await h.emu.clickButton(userid, taskId, key);
    await h.sys.settle();
  }

  async function say(userid: string, text: string) {
    await h.emu.sendText(userid, text);
    await h.sys.settle();
  }

  const buttons = (userid: string, taskId: string) => (h.emu.cardState(userid, taskId)!.card.button_list ?? []).map((b: any) => b.text);

  it('answer card: 核验一致 is echoed with 确认/取消, 确认 answers, 撤回 within 5 minutes takes it back and the requester is told', async () => {
    const { id, number, taskId } = await accepted();
    expect(buttons('gaj.a', taskId)).to.deep.equal(['核验一致', '核验不一致', '转纸质档案', '转历史档案', '退回']);
    await tap('gaj.a', taskId, `verif_act:${id}:match`);
    const confirm = h.emu.cardState('gaj.a', taskId)!.card;
    expect(confirm.main_title.title).to.include('确认核验一致');
    expect(confirm.main_title.desc).to.include(number).and.include('张*三');
    expect(buttons('gaj.a', taskId)).to.deep.equal(['确认', '取消']);
    expect((await load(id)).status, 'nothing final before 确认').to.equal('accepted');

    h.clock.set('2026-11-26T09:10:00+08:00');
    await tap('gaj.a', taskId, `verif_act:${id}:confirm_match`);
    expect((await load(id)).status).to.equal('answered');
    expect(h.emu.cardState('gaj.a', taskId)!.card.main_title.title, 'the card says it is finished').to.include('已答复');
    expect(buttons('gaj.a', taskId)).to.deep.equal(['撤回']);

    h.clock.set('2026-11-26T09:13:00+08:00');
    await tap('gaj.a', taskId, `verif_act:${id}:withdraw`);
    const back = await load(id);
    expect(back).to.include({ status: 'accepted', result: null });
    const correction = noticesTo(h, 'rsj.liaison', id).pop();
    expect(correction.main_title.title).to.equal('县公安局·失业保险金申领 答复已撤回');
    expect(buttons('gaj.a', taskId), 'the answer card again').to.include('核验一致');

    // Answered again, and past the window 撤回 is refused in the chat.
    await say('gaj.a', `核验一致 ${number}`);
    await say('gaj.a', '确认');
    h.clock.set('2026-11-26T09:20:00+08:00');
    await say('gaj.a', `撤回 ${number}`);
    expect((await load(id)).status).to.equal('answered');
    expect(textsTo('gaj.a').pop()).to.include('已超过5分钟，不能撤回');
  });

  it('退回 on the answer card: returning until a preset reason, deadline still running; the reason completes it and is the headline', async () => {
    const { id, taskId } = await accepted();
    await tap('gaj.a', taskId, `verif_act:${id}:return`);
    expect(buttons('gaj.a', taskId)).to.deep.equal(['不属于本单位职责', '无此记录', '信息不全无法核验', '其他（请回复说明）', '取消']);
    let got = await rsj.get(`/verifications/${id}`);
    expect(got.body.status).to.equal('returning');
    expect(got.body.clocks.verification.running, 'the deadline runs').to.equal(true);
    expect(noticesTo(h, 'rsj.liaison', id).filter((c) => c.main_title.title.includes('已退回'))).to.have.length(0);

    // The deadline passes while returning: the sweep escalates it as any open request.
    const lines = await sweep(h, '2026-11-26T09:31:00+08:00');
    expect(lines.some((l) => l.requestId === id && l.stage === 'escalation1')).to.equal(true);

    h.clock.set('2026-11-26T09:40:00+08:00');
    await tap('gaj.a', taskId, `verif_act:${id}:reason1`);
    got = await rsj.get(`/verifications/${id}`);
    expect(got.body).to.deep.include({ status: 'returned', returnReason: '无此记录', returnedAt: '2026-11-26T09:40:00+08:00', overdue: true });
    const card = noticesTo(h, 'rsj.liaison', id).pop();
    expect(card.main_title.desc).to.equal('退回原因：无此记录');
    // The figures count the return when its reason arrived: after the deadline.
    const stats = await office.get('/stats/verifications?from=2026-11-26&to=2026-11-26');
    expect(stats.body.totals).to.deep.include({ returned: 1, onTime: 0, overdue: 1 });
  });

  it('a mis-tapped 退回 on the request card: 取消 in the chat puts it back to pending and everyone gets the card again', async () => {
    const res = await rsj.post('/verifications', VerificationMother.body());
    await h.sys.settle();
    const id = res.body.id as number;
    const task = cardOf(h, 'gaj.liaison', id)!.taskId;
    await tap('gaj.liaison', task, `verif_return:${id}`);
    expect((await load(id)).status).to.equal('returning');
    expect(h.emu.cardState('gaj.a', cardOf(h, 'gaj.a', id)!.taskId)!.replace_name).to.equal('已由公安联络员退回（待说明原因）');
    await say('gaj.liaison', '取消');
    const req = await load(id);
    expect(req).to.include({ status: 'pending', assignee: null });
    expect(textsTo('gaj.liaison').pop()).to.include('已撤销退回').and.include('恢复为待受理');
    // Deputy A has a fresh 受理/退回 card and can take it.
    const fresh = cardOf(h, 'gaj.a', id)!;
    expect(fresh.card.button_list.map((b: any) => b.text)).to.deep.equal(['受理', '退回']);
    await tap('gaj.a', fresh.taskId, `verif_accept:${id}`);
    expect(await load(id)).to.include({ status: 'accepted', assignee: 'gaj.a' });
  });

  it('其他: the reason is asked in the chat; command words are not a reason; 取消 on the card returns to accepted', async () => {
    const { id, taskId } = await accepted();
    await tap('gaj.a', taskId, `verif_act:${id}:return`);
    await tap('gaj.a', taskId, `verif_act:${id}:reason3`);
    expect(textsTo('gaj.a').pop()).to.include('请说明退回');
    await say('gaj.a', '帮助');
    expect((await load(id)).status, '帮助 gets the help text, not the reason').to.equal('returning');
    await say('gaj.a', '确认');
    expect((await load(id)).status).to.equal('returning');
    expect(textsTo('gaj.a').pop()).to.include('「确认」是命令词');
    await say('gaj.a', '申请人户籍已迁出本县，请向迁入地核验');
    expect(await load(id)).to.include({ status: 'returned', returnReason: '申请人户籍已迁出本县，请向迁入地核验' });

    const other = await accepted({}, 'gaj.liaison');
    await tap('gaj.liaison', other.taskId, `verif_act:${other.id}:return`);
    await tap('gaj.liaison', other.taskId, `verif_act:${other.id}:undo`);
    expect(await load(other.id)).to.include({ status: 'accepted', assignee: 'gaj.liaison' });
    expect(buttons('gaj.liaison', other.taskId)).to.include('核验一致');
  });

  it('核验不一致 in the chat: 帮助 is not taken as details; names and numbers typed are masked for the other unit; echoed before 确认', async () => {
    const first = await accepted({ applicant: { name: '李四海', idNumber: idNumber('37032319850101123') } });
    const { id, number } = await accepted();
    await say('gaj.a', `核验不一致 ${number}`);
    await say('gaj.a', '帮助');
    expect((await load(id)).status, '帮助 gets the help text, not the details').to.equal('accepted');
    await say('gaj.a', '确认');
    expect((await load(id)).status).to.equal('accepted');
    expect(textsTo('gaj.a').pop()).to.include('「确认」是命令词');
    await say('gaj.a', `李四海有处罚记录，张小三电话13912345678`);
    expect(textsTo('gaj.a').pop()).to.include(`请核对：县人社局「失业保险金申领」协查 ${number}，申请人 张*三`);
    await say('gaj.a', '确认');
    const req = await load(id);
    expect(req.status).to.equal('answered');
    const shown = JSON.stringify(noticesTo(h, 'rsj.liaison', id).pop());
    expect(shown).not.to.include('李四海').and.not.to.include('张小三').and.not.to.include('13912345678');
    expect(shown).to.include('李*海').and.include('张*三');
    expect((await load(first.id)).status).to.equal('accepted');
  });

  it('转纸质档案 only before the deadline; the office may after it, and the figures keep the original deadline', async () => {
    const { id, number, taskId } = await accepted();
    h.clock.set('2026-11-26T09:45:00+08:00');
    await tap('gaj.a', taskId, `verif_act:${id}:paper`);
    expect(textsTo('gaj.a').pop()).to.include('已超过答复时限').and.include('不能再转纸质档案');
    await say('gaj.a', `转历史档案 ${number}`);
    expect(textsTo('gaj.a').pop()).to.include('已超过答复时限');
    expect((await load(id)).category).to.equal('digital');
    const unit = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'gaj-system', 'GAJ', h.clock.now));
    const refused = await unit.post(`/verifications/${id}/category`, { category: 'paper', reason: '需调阅纸质档案' });
    expect(refused.status).to.equal(409);
    expect(refused.body.error.code).to.equal('verification_deadline_passed');

    const ok = await office.post(`/verifications/${id}/category`, { category: 'paper', reason: '经核实确需调阅纸质档案' });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    h.clock.set('2026-11-26T10:00:00+08:00');
    await say('gaj.a', `核验一致 ${number}`);
    await say('gaj.a', '确认');
    const got = await rsj.get(`/verifications/${id}`);
    expect(got.body).to.deep.include({ category: 'paper', dueAt: '2026-11-27T17:30:00+08:00', originalDueAt: '2026-11-26T09:30:00+08:00', overdue: true });
    const stats = await office.get('/stats/verifications?from=2026-11-26&to=2026-11-26');
    expect(stats.body.totals).to.deep.include({ answered: 1, onTime: 0, overdue: 1 });
  });

  it('the requesting unit: told on 受理, 查询 HC… says where it stands; an outsider learns nothing', async () => {
    const { number, id } = await accepted();
    expect(noticesTo(h, 'rsj.liaison', id)[0].main_title.title).to.equal('县公安局·失业保险金申领 已受理');
    await say('rsj.liaison', `查询 ${number}`);
    expect(textsTo('rsj.liaison').pop()).to.equal(`县公安局「失业保险金申领」协查 ${number}：已受理（受理人：公安代办A），答复截止 2026-11-26 09:30。`);
    await say('scj.liaison', `查询 ${number}`);
    expect(textsTo('scj.liaison').pop()).to.equal(`没有找到协查请求 ${number}。`);
  });

  it('a sweep at a simulated instant: its messages go out at once, and the escalated request reads overdue afterwards', async () => {
    const res = await rsj.post('/verifications', VerificationMother.body());
    const id = res.body.id as number;
    await h.sys.settle();
    const before = await h.sys.dataSource.getRepository(OutboxMessage).count();
    await sweep(h, '2026-11-26T09:31:00+08:00');
    expect(await h.sys.dataSource.getRepository(OutboxMessage).count()).to.be.greaterThan(before);
    // Back to a time before the deadline: escalated is overdue all the same.
    h.clock.set('2026-11-26T09:05:00+08:00');
    const got = await rsj.get(`/verifications/${id}`);
    expect(got.body.overdue).to.equal(true);
  });
});
